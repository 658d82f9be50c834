"""Client-guide workflows: drafts, written information given, and client links.

All functions take the acting user, run in one transaction, write their audit event
(and journal entry where a client is concerned) and send mail only after commit.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Max
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from skinchart.accounts.permissions import Capability, user_can
from skinchart.audit.log import record
from skinchart.catalogue.actions import DocumentError, ImportResult, refuse_over_edited_draft, source_name
from skinchart.catalogue.loader import GuideDocument
from skinchart.catalogue.models import DocumentStatus, ReviewState, Treatment
from skinchart.guides.models import (
    Guide,
    GuideLink,
    GuideVersion,
    InformationChannel,
    InformationKind,
    InformationRecord,
    guide_content_hash,
)
from skinchart.journal.actions import record_entry
from skinchart.journal.models import EntryKind
from skinchart.lib.dates import format_date

logger = logging.getLogger(__name__)


def import_guide_document(*, actor: Any, document: GuideDocument, result: ImportResult, source_root: str) -> None:
    """A guide file as a draft version (part of `catalogue.actions.import_catalogue`)."""
    data = document.guide
    label = f"guide {data.treatment}"
    treatment = Treatment.objects.filter(code=data.treatment).first()
    if treatment is None:
        raise DocumentError(f"{document.path}: treatment: no treatment has the code {data.treatment!r}")
    guide, _created = Guide.objects.get_or_create(treatment=treatment)
    title, sections = data.title_json(), data.sections_json()
    content_hash = guide_content_hash(title, sections)
    versions = GuideVersion.objects.select_for_update().filter(guide=guide)
    latest = versions.order_by("-number").first()
    dates = (data.revised, data.in_force, data.review_by)
    open_file_draft = latest is not None and latest.is_draft and latest.source.startswith("file:")
    if versions.filter(content_hash=content_hash).exists() and not (
        open_file_draft
        and latest is not None
        and latest.content_hash == content_hash
        and (latest.revised_on, latest.in_force_from, latest.review_by) != dates
    ):
        # This text was loaded (or written) before: nothing to do, unless only the
        # proposed dates of the open draft from this file changed.
        result.unchanged.append(label)
        return
    refuse_over_edited_draft(document, latest)
    fields = {
        "title": title,
        "sections": sections,
        "content_hash": content_hash,
        "revised_on": data.revised,
        "in_force_from": data.in_force,
        "review_by": data.review_by,
        "source": source_name(document, source_root),
        "updated_at": timezone.now(),
    }
    if latest is not None and latest.is_draft:
        GuideVersion.objects.filter(pk=latest.pk).update(**fields)
        result.updated.append(f"{label} v{latest.number} (draft)")
        return
    number = int(versions.aggregate(top=Max("number"))["top"] or 0) + 1
    GuideVersion.objects.create(guide=guide, number=number, created_by=actor, **fields)
    result.created.append(f"{label} v{number} (draft)")


@transaction.atomic
def save_guide_draft(
    *,
    actor: Any,
    guide: Guide,
    title: dict[str, str],
    sections: list[dict[str, Any]],
    revised_on: dt.date,
    request: HttpRequest | None = None,
) -> GuideVersion:
    """Editing makes (or updates) the guide's one open draft; approved versions never change."""
    if not user_can(actor, Capability.EDIT_DOCUMENTS):
        raise DocumentError(_("You may not edit client guides."))
    Guide.objects.select_for_update().get(pk=guide.pk)  # one editor at a time creates the draft
    # Locked: an approval at the same moment waits, so this never updates an approved row.
    draft = GuideVersion.objects.select_for_update().filter(guide=guide, status=DocumentStatus.DRAFT).first()
    content_hash = guide_content_hash(title, sections)
    if draft is None:
        number = int(GuideVersion.objects.filter(guide=guide).aggregate(top=Max("number"))["top"] or 0) + 1
        draft = GuideVersion.objects.create(
            guide=guide,
            number=number,
            title=title,
            sections=sections,
            content_hash=content_hash,
            revised_on=revised_on,
            source="editor",
            created_by=actor,
        )
    else:
        draft.title, draft.sections, draft.content_hash = title, sections, content_hash
        draft.revised_on, draft.updated_at = revised_on, timezone.now()
        draft.source = "editor"  # edited here: a later load_catalogue must not overwrite it
        draft.save(update_fields=["title", "sections", "content_hash", "revised_on", "updated_at", "source"])
    record(action="guide.draft_saved", actor=actor, request=request, target=draft, number=draft.number)
    return draft


def usable_for_information(version: GuideVersion, *, day: dt.date | None = None) -> list[str]:
    """Why this version may not be given to a client today (empty: it may)."""
    day = day or timezone.localdate()
    problems = []
    in_force = GuideVersion.objects.filter(guide_id=version.guide_id).in_force_on(day).first()
    if in_force is None or in_force.pk != version.pk:
        problems.append(_("Only the guide version in force can be given to a client."))
    elif version.review_state(day) == ReviewState.OVERDUE and settings.DOCUMENT_REVIEW_OVERDUE == "block":
        problems.append(
            _("The guide was due for review by %(date)s. A doctor must approve a reviewed version first.")
            % {"date": format_date(version.review_by)}
        )
    return problems


def _information_text(version: GuideVersion, channel: str) -> str:
    return _("Written information given: %(title)s, version %(number)s (%(how)s).") % {
        "title": version.title_in(translation.get_language() or "da"),
        "number": version.number,
        "how": InformationChannel(channel).label,
    }


@transaction.atomic
def give_written_information(
    *,
    actor: Any,
    client: Any,
    version: GuideVersion,
    channel: str,
    link: GuideLink | None = None,
    request: HttpRequest | None = None,
) -> InformationRecord:
    """Record that `client` was given the written information of `version` (REG-4,
    REG-8) — as a journal entry naming the version and its content hash."""
    if not user_can(actor, Capability.GIVE_INFORMATION):
        raise DocumentError(_("You may not give clients information."))
    if channel not in {InformationChannel.HANDED_OVER, InformationChannel.LINK, InformationChannel.PORTAL}:
        raise DocumentError(_("Choose how the written information was given."))
    problems = usable_for_information(version)
    if problems:
        raise DocumentError(" ".join(problems))
    overdue = version.review_state() == ReviewState.OVERDUE  # only possible when overdue guides warn
    information = InformationRecord.objects.create(
        client=client,
        kind=InformationKind.WRITTEN,
        channel=channel,
        guide_version=version,
        given_by=actor,
        link=link,
    )
    entry = record_entry(
        actor=actor,
        client=client,
        kind=EntryKind.INFORMATION,
        text=_information_text(version, channel)
        + (" " + _("The guide was overdue for review (given anyway: the clinic's setting warns).") if overdue else ""),
        content={
            "review_overdue": overdue,
            "information": "written",
            "channel": channel,
            "guide": str(version.guide.code),
            "guide_version": str(version.code),
            "version_number": version.number,
            "content_hash": version.content_hash,
            "treatment": version.guide.treatment_id and version.guide.treatment.code,
        },
        subject=information,
        request=request,
    )
    information.entry = entry
    information.save(update_fields=["entry"])
    record(
        action="guide.information_given",
        actor=actor,
        request=request,
        client=client,
        target=information,
        channel=channel,
        guide_version=str(version.code),
    )
    return information


def public_url(path: str, request: HttpRequest | None) -> str:
    if settings.PUBLIC_BASE_URL:
        return settings.PUBLIC_BASE_URL.rstrip("/") + path
    if request is None:
        raise DocumentError(_("PUBLIC_BASE_URL is not set, so no link can be made here."))
    return request.build_absolute_uri(path)


@transaction.atomic
def send_guide_link(
    *,
    actor: Any,
    client: Any,
    version: GuideVersion,
    site: Any = None,
    request: HttpRequest | None = None,
) -> tuple[GuideLink, str]:
    """Make an unguessable, revocable link to `version` for `client`, record the written
    information as given by link, and e-mail the link after commit when the client has
    an e-mail address. Returns the link and its URL (shown once; only a hash is kept)."""
    token = secrets.token_urlsafe(32)
    link = GuideLink.objects.create(
        guide_version=version,
        client=client,
        site=site,
        language=client.preferred_language or "da",
        digest=GuideLink.digest_of(token),
        created_by=actor,
        expires_at=timezone.now() + dt.timedelta(days=settings.GUIDE_LINK_DAYS),
    )
    give_written_information(
        actor=actor, client=client, version=version, channel=InformationChannel.LINK, link=link, request=request
    )
    url = public_url(reverse("guides:public", kwargs={"token": token}), request)
    record(action="guide.link_created", actor=actor, request=request, client=client, target=link)
    if client.email:
        message = _guide_email(client=client, url=url, link=link, site=site)
        transaction.on_commit(lambda: _send_link_email(message, link))
    return link, url


def _send_link_email(message: EmailMessage, link: GuideLink) -> None:
    """After commit: a mail server that is down must not lose the link (it is shown to
    the staff member too) nor turn the page into an error. The outcome is recorded."""
    try:
        message.send(fail_silently=False)
    except OSError:  # smtplib's errors and socket errors alike
        logger.warning("guide link e-mail not sent (link %s)", link.code)
        record(action="guide.link_emailed", client=link.client, target=link, outcome="failure")
        return
    GuideLink.objects.filter(pk=link.pk).update(emailed_at=timezone.now())
    record(action="guide.link_emailed", client=link.client, target=link)


def _guide_email(*, client: Any, url: str, link: GuideLink, site: Any) -> EmailMessage:
    """No health details in the mail (PRODUCT.md §9): the clinic's name and the link."""
    clinic = site.name if site is not None else "Skinchart"
    with translation.override(link.language):
        subject = _("Information before your treatment at %(clinic)s") % {"clinic": clinic}
        body = _(
            "Dear %(name)s,\n\nBefore your treatment, please read the written information from %(clinic)s:\n\n"
            "%(url)s\n\nThe link works until %(until)s. Bring your questions to your appointment, "
            "or contact us.\n\nKind regards,\n%(clinic)s\n"
        ) % {
            "name": client.first_name,
            "clinic": clinic,
            "url": url,
            "until": format_date(timezone.localdate(link.expires_at)),
        }
    reply_to = [site.email] if site is not None and site.email else []
    return EmailMessage(subject=subject, body=body, to=[client.email], reply_to=reply_to)


@transaction.atomic
def revoke_guide_link(*, actor: Any, link: GuideLink, request: HttpRequest | None = None) -> None:
    if link.revoked_at is not None:
        return
    link.revoked_at, link.revoked_by = timezone.now(), actor
    link.save(update_fields=["revoked_at", "revoked_by"])
    record(action="guide.link_revoked", actor=actor, request=request, client=link.client, target=link)


@transaction.atomic
def open_guide_link(*, token: str, request: HttpRequest | None = None) -> GuideLink | None:
    """The link for `token` if it still works; each opening is counted and logged."""
    if not token or len(token) > 100:
        return None
    link = (
        GuideLink.objects.select_related("guide_version__guide__treatment", "client", "site")
        .filter(digest=GuideLink.digest_of(token))
        .first()
    )
    if link is None:
        return None
    if not link.is_usable:
        record(
            action="guide.link_opened",
            request=request,
            client=link.client,
            target=link,
            outcome="denied",
            via="link",
            reason="revoked" if link.revoked_at else "expired",
        )
        return None
    now = timezone.now()
    GuideLink.objects.filter(pk=link.pk).update(
        times_opened=F("times_opened") + 1, last_opened_at=now, first_opened_at=link.first_opened_at or now
    )
    record(action="guide.link_opened", request=request, client=link.client, target=link, via="link")
    return link


@transaction.atomic
def give_oral_information(
    *, actor: Any, client: Any, treatment: Any, note: str = "", request: HttpRequest | None = None
) -> InformationRecord:
    """Record the oral information (course, side effects, realistic results), which
    may only follow the written information of the guide version in force, given by
    an authorised health person (REG-4). Its time starts the reflection period."""
    if not user_can(actor, Capability.GIVE_INFORMATION):
        raise DocumentError(_("Only a doctor or a nurse may give the information."))
    guide = Guide.objects.filter(treatment=treatment).first()
    in_force = GuideVersion.objects.filter(guide=guide).in_force_on(timezone.localdate()).first() if guide else None
    if in_force is None:
        raise DocumentError(_("No client guide for this treatment is in force."))
    now = timezone.now()
    written = (
        InformationRecord.objects.effective_written()
        .filter(client=client, guide_version=in_force, given_at__lte=now)
        .order_by("-given_at")
        .first()
    )
    if written is None:
        raise DocumentError(
            _(
                "Give the written information (the client guide in force, version %(number)s) before the oral. "
                "A link counts once the client has opened it."
            )
            % {"number": in_force.number}
        )
    information = InformationRecord.objects.create(
        client=client,
        kind=InformationKind.ORAL,
        channel=InformationChannel.IN_PERSON,
        guide_version=in_force,
        given_by=actor,
        given_at=now,
    )
    information.entry = record_entry(
        actor=actor,
        client=client,
        kind=EntryKind.INFORMATION,
        text=_("Oral information given after the written (%(title)s, version %(number)s).%(note)s")
        % {
            "title": in_force.title_in(translation.get_language() or "da"),
            "number": in_force.number,
            "note": f" {note.strip()}" if note.strip() else "",
        },
        content={
            "information": "oral",
            "guide_version": str(in_force.code),
            "version_number": in_force.number,
            "content_hash": in_force.content_hash,
            "after_written": str(written.code),
        },
        subject=information,
        request=request,
    )
    information.save(update_fields=["entry"])
    record(action="guide.oral_information_given", actor=actor, request=request, client=client, target=information)
    return information
