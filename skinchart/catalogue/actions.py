"""Writing the catalogue: importing definition and guide files as drafts, and approving
controlled versions (definitions and client guides alike)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from skinchart.accounts.models import Role
from skinchart.audit.log import record
from skinchart.catalogue.loader import GuideDocument, TreatmentDocument
from skinchart.catalogue.models import ControlledVersion, DefinitionVersion, DocumentStatus, Treatment
from skinchart.lib.dates import format_date


class DocumentError(Exception):
    """A document rule was broken; the message is for the user."""


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def _next_number(versions: Any) -> int:
    return int(versions.aggregate(top=Max("number"))["top"] or 0) + 1


@transaction.atomic
def import_catalogue(
    *, actor: Any, documents: list[TreatmentDocument | GuideDocument], source_root: str = ""
) -> ImportResult:
    """Each file becomes a draft version when it differs from the treatment's latest
    version: an open draft is updated, an approved version is never touched. Unchanged
    files change nothing. All or nothing."""
    from skinchart.guides.actions import import_guide_document

    result = ImportResult()
    for document in documents:
        if isinstance(document, TreatmentDocument):
            _import_definition(actor=actor, document=document, result=result, source_root=source_root)
        else:
            import_guide_document(actor=actor, document=document, result=result, source_root=source_root)
    record(
        action="catalogue.imported",
        actor=actor,
        created=result.created,
        updated=result.updated,
        unchanged=len(result.unchanged),
    )
    return result


def refuse_over_edited_draft(document: TreatmentDocument | GuideDocument, latest: ControlledVersion | None) -> None:
    """A changed file never overwrites a draft someone wrote in Skinchart."""
    if latest is not None and latest.is_draft and not latest.source.startswith("file:"):
        raise DocumentError(
            f"{document.path}: draft version {latest.number} was edited in Skinchart and is not approved yet; "
            "approve it (or finish editing it) before loading a changed file"
        )


def source_name(document: TreatmentDocument | GuideDocument, source_root: str) -> str:
    path = str(document.path)
    return "file:" + (path.removeprefix(source_root).lstrip("/") if source_root else path)


def _import_definition(*, actor: Any, document: TreatmentDocument, result: ImportResult, source_root: str) -> None:
    definition = document.definition
    label = f"treatment {definition.code}"
    treatment, _created = Treatment.objects.get_or_create(
        code=definition.code, defaults={"category": definition.category}
    )
    if treatment.category != definition.category:
        raise DocumentError(
            f"{document.path}: category: {definition.code} is registered as {treatment.category}; "
            "a treatment's category cannot change (give the new treatment its own code)"
        )
    versions = DefinitionVersion.objects.select_for_update().filter(treatment=treatment)
    latest = versions.order_by("-number").first()
    if versions.filter(content_hash=document.content_hash).exists():
        result.unchanged.append(label)  # this text was loaded before
        return
    refuse_over_edited_draft(document, latest)
    now = timezone.now()
    if latest is not None and latest.is_draft:
        latest.content, latest.content_hash = document.content, document.content_hash
        latest.source, latest.updated_at = source_name(document, source_root), now
        latest.save(update_fields=["content", "content_hash", "source", "updated_at"])
        result.updated.append(f"{label} v{latest.number} (draft)")
        return
    version = DefinitionVersion.objects.create(
        treatment=treatment,
        number=_next_number(versions),
        revised_on=timezone.localdate(now),
        content=document.content,
        content_hash=document.content_hash,
        source=source_name(document, source_root),
        created_by=actor,
    )
    result.created.append(f"{label} v{version.number} (draft)")


def default_review_by(in_force_from: dt.date) -> dt.date:
    """Two years on, the interval the clinic's guide uses (revised 2025, review 2027)."""
    try:
        return in_force_from.replace(year=in_force_from.year + 2)
    except ValueError:  # 29 February
        return in_force_from.replace(year=in_force_from.year + 2, day=28)


@transaction.atomic
def approve_version(
    *,
    actor: Any,
    version: ControlledVersion,
    in_force_from: dt.date,
    review_by: dt.date,
    expected_hash: str | None = None,
    request: HttpRequest | None = None,
) -> ControlledVersion:
    """Approve a draft (REG-9): only an active doctor (the view also demands a fresh
    re-authentication), only when nothing required is missing, in force from today or
    later, with a review-by date after that."""
    if not (actor.is_active and actor.has_role(Role.DOCTOR)):
        raise DocumentError(_("Only a doctor can approve a document."))
    version = type(version).objects.select_for_update().get(pk=version.pk)
    if not version.is_draft:
        raise DocumentError(_("This version is already approved; approved versions cannot change."))
    if expected_hash is not None and expected_hash != version.content_hash:
        # The draft was edited (or reloaded) after the doctor opened it: approve only
        # exactly the text that was read.
        raise DocumentError(_("The text has changed since you opened it. Read the new text, then approve."))
    problems = version.approval_problems()
    if problems:
        raise DocumentError(" ".join(problems))
    today = timezone.localdate()
    latest_start = (
        type(version).objects.approved().filter(**version.sibling_filter()).aggregate(top=Max("in_force_from"))["top"]
    )
    if latest_start is not None and in_force_from < latest_start:
        # Versions come into force in the order they are approved: otherwise an older
        # version would take over again on its later in-force date.
        raise DocumentError(
            _("An earlier version comes into force on %(date)s; this one cannot come into force before that.")
            % {"date": format_date(latest_start)}
        )
    if in_force_from < today:
        raise DocumentError(_("A version cannot come into force before the day it is approved."))
    if review_by <= in_force_from:
        raise DocumentError(_("The review-by date must be after the in-force date."))
    version.status = DocumentStatus.APPROVED
    version.approved_by, version.approved_at = actor, timezone.now()
    version.in_force_from, version.review_by = in_force_from, review_by
    version.save(update_fields=["status", "approved_by", "approved_at", "in_force_from", "review_by"])
    record(
        action="document.approved",
        actor=actor,
        request=request,
        target=version,
        number=version.number,
        content_hash=version.content_hash,
        in_force_from=in_force_from.isoformat(),
        review_by=review_by.isoformat(),
    )
    return version
