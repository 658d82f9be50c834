from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from skinchart.accounts.access import acting_user, require_capability, require_recent_auth
from skinchart.accounts.permissions import Capability, user_can
from skinchart.catalogue.access import get_version_for_user, visible_versions
from skinchart.catalogue.actions import DocumentError
from skinchart.catalogue.models import in_force_among
from skinchart.catalogue.views import approval_page, compared_with, version_rows
from skinchart.clients.access import get_client_for_user
from skinchart.guides import actions
from skinchart.guides.access import get_link_for_user
from skinchart.guides.forms import GiveInformationForm, GuideEditForm
from skinchart.guides.models import Guide, GuideLink, GuideVersion, InformationRecord, pick_language
from skinchart.guides.rendering import contact_site, guide_context, render_guide_pdf
from skinchart.lib.text_diff import has_changes, word_diff

SENT_LINK_KEY = "guides.sent_link"

documents = require_capability(Capability.VIEW_DOCUMENTS)
editor = require_capability(Capability.EDIT_DOCUMENTS)
approver = require_capability(Capability.APPROVE_DOCUMENTS)
clinical = require_capability(Capability.VIEW_CLINICAL)
informer = require_capability(Capability.GIVE_INFORMATION)


@documents
def guide_detail(request: HttpRequest, code: UUID) -> HttpResponse:
    guide = get_object_or_404(Guide.objects.select_related("treatment"), code=code)
    versions = list(visible_versions(GuideVersion, request.user).filter(guide=guide).select_related("approved_by"))
    context = {
        "guide": guide,
        "rows": version_rows(versions),
        "can_edit": user_can(request.user, Capability.EDIT_DOCUMENTS),
        "has_draft": any(v.is_draft for v in versions),
    }
    return render(request, "guides/guide_detail.html", context)


def _language(request: HttpRequest) -> str:
    wanted = request.GET.get("lang", "")
    return wanted if wanted in ("da", "en") else request.LANGUAGE_CODE


@documents
def version_detail(request: HttpRequest, code: UUID) -> HttpResponse:
    version = get_version_for_user(request, GuideVersion, code, "guide__treatment")
    siblings = list(visible_versions(GuideVersion, request.user).filter(guide=version.guide))
    row = next(r for r in version_rows(siblings) if r["version"].pk == version.pk)
    context = {
        **guide_context(version, language=_language(request), site=contact_site(request.user)),
        "row": row,
        "guide": version.guide,
        "can_approve": user_can(request.user, Capability.APPROVE_DOCUMENTS),
        "approve_url": reverse("guides:approve", kwargs={"code": version.code}),
        "other_language": "en" if pick_language(_language(request), version.languages()) == "da" else "da",
        "languages": version.languages(),
    }
    return render(request, "guides/version_detail.html", context)


def _pdf_response(version: GuideVersion, *, language: str, site: Any) -> HttpResponse:
    pdf = render_guide_pdf(version, language=language, site=site)
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"guide-{version.guide.treatment.code}-v{version.number}-{pick_language(language, version.languages())}"
    response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
    return response


@documents
def version_pdf(request: HttpRequest, code: UUID) -> HttpResponse:
    version = get_version_for_user(request, GuideVersion, code, "guide__treatment")
    return _pdf_response(version, language=_language(request), site=contact_site(request.user))


@editor
def guide_edit(request: HttpRequest, code: UUID) -> HttpResponse:
    """Edit the open draft, or start one from the newest version (approved versions
    never change: saving makes a new draft)."""
    guide = get_object_or_404(Guide.objects.select_related("treatment"), code=code)
    base = GuideVersion.objects.filter(guide=guide).order_by("-number").first()
    if base is None:
        raise Http404
    form = GuideEditForm(request.POST or None, base=base)
    if request.method == "POST" and form.is_valid():
        try:
            draft = actions.save_guide_draft(
                actor=acting_user(request),
                guide=guide,
                title=form.title(),
                sections=form.sections(),
                revised_on=form.cleaned_data["revised_on"],
                request=request,
            )
        except DocumentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Draft %(number)s is saved.") % {"number": draft.number})
            return redirect(draft.get_absolute_url())
    context = {"guide": guide, "base": base, "form": form}
    return render(request, "guides/guide_edit.html", context, status=422 if form.errors else 200)


@approver
@require_recent_auth
def version_approve(request: HttpRequest, code: UUID) -> HttpResponse:
    version = get_version_for_user(request, GuideVersion, code, "guide__treatment")
    heading = _("Approve %(title)s, version %(number)s") % {
        "title": version.title_in(request.LANGUAGE_CODE),
        "number": version.number,
    }
    return approval_page(request, version, heading=heading, cancel_url=version.get_absolute_url())


@documents
def version_diff(request: HttpRequest, code: UUID) -> HttpResponse:
    version = get_version_for_user(request, GuideVersion, code, "guide__treatment")
    siblings = visible_versions(GuideVersion, request.user).filter(guide=version.guide)
    other = compared_with(request, version, siblings)
    language = pick_language(_language(request), version.languages())
    sections: list[dict[str, Any]] = []
    if isinstance(other, GuideVersion):
        old = {s["key"]: s for s in other.sections_in(language)}
        for section in version.sections_in(language):
            before = old.pop(section["key"], {"heading": "", "body": ""})
            pieces = word_diff(before["body"], section["body"])
            heading = word_diff(before["heading"], section["heading"])
            sections.append(
                {
                    "key": section["key"],
                    "heading": heading,
                    "pieces": pieces,
                    "changed": has_changes(pieces) or has_changes(heading),
                }
            )
        for key, removed in old.items():
            sections.append(
                {
                    "key": key,
                    "heading": word_diff(removed["heading"], ""),
                    "pieces": word_diff(removed["body"], ""),
                    "changed": True,
                }
            )
    context = {
        "guide": version.guide,
        "version": version,
        "other": other,
        "sections": sections,
        "changed": any(s["changed"] for s in sections),
        "versions": siblings.order_by("-number"),
    }
    return render(request, "guides/diff.html", context)


# --- Written information given to a client ---------------------------------------------


def _versions_in_force() -> list[GuideVersion]:
    today = timezone.localdate()
    guides = Guide.objects.select_related("treatment").prefetch_related("versions__approved_by")
    found = [in_force_among(list(g.versions.all()), today) for g in guides]
    return [v for v in found if v is not None]


@clinical
def client_information(request: HttpRequest, code: UUID) -> HttpResponse:
    """What the client has been given to read, the links sent, and giving more."""
    action = "guide.information_viewed" if request.method == "GET" else "guide.information_submitted"
    client = get_client_for_user(request, code, capability=Capability.VIEW_CLINICAL, action=action)
    can_give = user_can(request.user, Capability.GIVE_INFORMATION)
    available = _versions_in_force()
    form = GiveInformationForm(request.POST or None, versions=available, language=request.LANGUAGE_CODE)
    if request.method == "POST":
        if not can_give:
            raise PermissionDenied
        if form.is_valid():
            actor, version = acting_user(request), form.chosen_version()
            try:
                if form.cleaned_data["channel"] == "link":
                    link, url = actions.send_guide_link(
                        actor=actor, client=client, version=version, site=contact_site(actor), request=request
                    )
                    # Shown once, after the redirect (a reload must not send a second
                    # link); the session is stored server-side, never in a cookie.
                    request.session[SENT_LINK_KEY] = {"url": url, "link": str(link.code)}
                else:
                    actions.give_written_information(
                        actor=actor, client=client, version=version, channel="handed_over", request=request
                    )
                    messages.success(request, _("Recorded: the written information was handed over."))
            except DocumentError as exc:
                form.add_error(None, str(exc))
            else:
                return redirect("guides:client-information", code=client.code)
    sent = request.session.pop(SENT_LINK_KEY, None) if request.method == "GET" else None
    records = (
        InformationRecord.objects.filter(client=client)
        .select_related("guide_version__guide__treatment", "given_by", "link")
        .order_by("-given_at")
    )
    links = list(GuideLink.objects.filter(client=client).select_related("guide_version", "created_by", "revoked_by"))
    sent_link = next((link for link in links if sent and str(link.code) == sent.get("link")), None)
    context = {
        "client": client,
        "form": form,
        "can_give": can_give,
        "available": [
            {"version": v, "review": v.review_state(), "title": v.title_in(request.LANGUAGE_CODE)} for v in available
        ],
        "records": records,
        "links": links,
        "sent_url": sent["url"] if sent_link is not None and sent else "",
        "sent_link": sent_link,
    }
    return render(request, "guides/client_information.html", context, status=422 if form.errors else 200)


@informer
@require_POST
def link_revoke(request: HttpRequest, code: UUID) -> HttpResponse:
    link = get_link_for_user(request, code, action="guide.link_revoke")
    actions.revoke_guide_link(actor=acting_user(request), link=link, request=request)
    messages.success(request, _("The link no longer works."))
    return redirect("guides:client-information", code=link.client.code)


# --- The client's view, by link, without login -------------------------------------------


@require_GET
def public_guide(request: HttpRequest, token: str) -> HttpResponse:
    link = actions.open_guide_link(token=token, request=request)
    if link is None:
        return _private_link_headers(render(request, "guides/public_gone.html", status=410))
    context = {**guide_context(link.guide_version, language=link.language, site=link.site), "token": token}
    with translation.override(context["doc_language"]):
        return _private_link_headers(render(request, "guides/public_guide.html", context))


def _private_link_headers(response: HttpResponse) -> HttpResponse:
    """The token is in the path: never send it on as a referrer, never index it."""
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_GET
def public_guide_pdf(request: HttpRequest, token: str) -> HttpResponse:
    link = actions.open_guide_link(token=token, request=request)
    if link is None:
        return _private_link_headers(render(request, "guides/public_gone.html", status=410))
    return _private_link_headers(_pdf_response(link.guide_version, language=link.language, site=link.site))
