from __future__ import annotations

import difflib
import json
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from skinchart.accounts.access import acting_user, require_capability, require_recent_auth
from skinchart.accounts.permissions import Capability, user_can
from skinchart.catalogue.access import get_version_for_user, visible_versions
from skinchart.catalogue.actions import DocumentError, approve_version
from skinchart.catalogue.forms import ApprovalForm, DiffForm
from skinchart.catalogue.models import (
    LIFECYCLE_LABELS,
    ControlledVersion,
    DefinitionVersion,
    Treatment,
    in_force_among,
)

documents = require_capability(Capability.VIEW_DOCUMENTS)
approver = require_capability(Capability.APPROVE_DOCUMENTS)


def version_rows(versions: list[Any], day: Any = None) -> list[dict[str, Any]]:
    """Versions newest first with their lifecycle and review state on `day`."""
    day = day or timezone.localdate()
    in_force = in_force_among(versions, day)
    return [
        {
            "version": v,
            "lifecycle": v.lifecycle(in_force, day),
            "lifecycle_label": LIFECYCLE_LABELS[v.lifecycle(in_force, day)],
            "review": v.review_state(day),
        }
        for v in sorted(versions, key=lambda v: -v.number)
    ]


@documents
def catalogue_list(request: HttpRequest) -> HttpResponse:
    from django.db.models import Prefetch

    from skinchart.guides.models import GuideVersion

    today = timezone.localdate()
    treatments = Treatment.objects.prefetch_related(
        Prefetch("definition_versions", queryset=visible_versions(DefinitionVersion, request.user)),
        "guide",
        Prefetch("guide__versions", queryset=visible_versions(GuideVersion, request.user)),
    )
    rows = []
    for treatment in treatments:
        definitions = list(treatment.definition_versions.all())
        guide = getattr(treatment, "guide", None)
        guide_versions = list(guide.versions.all()) if guide is not None else []
        rows.append(
            {
                "treatment": treatment,
                "name": _latest_name(definitions, request),
                "definition": in_force_among(definitions, today),
                "definition_draft": next((v for v in definitions if v.is_draft), None),
                "guide": guide,
                "guide_version": in_force_among(guide_versions, today),
                "guide_draft": next((v for v in guide_versions if v.is_draft), None),
            }
        )
    return render(request, "catalogue/list.html", {"rows": rows, "today": today})


def _latest_name(versions: list[DefinitionVersion], request: HttpRequest) -> str:
    latest = max(versions, key=lambda v: v.number, default=None)
    return latest.name(request.LANGUAGE_CODE) if latest is not None else ""


@documents
def treatment_detail(request: HttpRequest, treatment: str) -> HttpResponse:
    item = get_object_or_404(Treatment, code=treatment)
    versions = list(
        visible_versions(DefinitionVersion, request.user).filter(treatment=item).select_related("approved_by")
    )
    rows = version_rows(versions)
    shown = in_force_among(versions, timezone.localdate()) or (rows[0]["version"] if rows else None)
    context = {"treatment": item, "rows": rows, "shown": shown}
    if shown is not None:
        context.update(_definition_context(shown, request))
    return render(request, "catalogue/treatment.html", context)


def _definition_context(version: DefinitionVersion, request: HttpRequest) -> dict[str, Any]:
    return {"definition": version.definition, "lang": "en" if request.LANGUAGE_CODE.startswith("en") else "da"}


@documents
def version_detail(request: HttpRequest, code: UUID) -> HttpResponse:
    version = get_version_for_user(request, DefinitionVersion, code, "treatment")
    siblings = list(visible_versions(DefinitionVersion, request.user).filter(treatment=version.treatment))
    row = next(r for r in version_rows(siblings) if r["version"].pk == version.pk)
    context = {
        "treatment": version.treatment,
        "shown": version,
        "row": row,
        "can_approve": user_can(request.user, Capability.APPROVE_DOCUMENTS),
        "approve_url": reverse("catalogue:approve", kwargs={"code": version.code}),
        **_definition_context(version, request),
    }
    return render(request, "catalogue/version.html", context)


def approval_page(request: HttpRequest, version: ControlledVersion, *, heading: str, cancel_url: str) -> HttpResponse:
    """The approval form of a draft (definitions and guides alike)."""
    if not version.is_draft:
        messages.info(request, _("This version is already approved."))
        return redirect(version.get_absolute_url())  # type: ignore[attr-defined]
    form = ApprovalForm(request.POST or None, version=version)
    if request.method == "POST" and form.is_valid():
        try:
            approve_version(
                actor=acting_user(request),
                version=version,
                in_force_from=form.cleaned_data["in_force_from"],
                review_by=form.cleaned_data["review_by"],
                expected_hash=form.cleaned_data["content_hash"],
                request=request,
            )
        except DocumentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Version %(number)s is approved.") % {"number": version.number})
            return redirect(version.get_absolute_url())  # type: ignore[attr-defined]
    context = {
        "version": version,
        "form": form,
        "problems": version.approval_problems(),
        "heading": heading,
        "cancel_url": cancel_url,
    }
    return render(request, "catalogue/approve.html", context, status=422 if form.errors else 200)


@approver
@require_recent_auth
def version_approve(request: HttpRequest, code: UUID) -> HttpResponse:
    version = get_version_for_user(request, DefinitionVersion, code, "treatment")
    heading = _("Approve treatment definition %(name)s, version %(number)s") % {
        "name": version.name(request.LANGUAGE_CODE),
        "number": version.number,
    }
    return approval_page(request, version, heading=heading, cancel_url=version.get_absolute_url())


def compared_with(request: HttpRequest, version: ControlledVersion, siblings: Any) -> ControlledVersion | None:
    """The version to compare against: ?against=<code>, else the one before."""
    form = DiffForm(request.GET)
    if not form.is_valid():
        raise Http404
    against = form.cleaned_data["against"]
    if against:
        other: ControlledVersion | None = siblings.filter(code=against).first()
        if other is None:
            raise Http404
        return other
    result: ControlledVersion | None = siblings.filter(number__lt=version.number).order_by("-number").first()
    return result


@documents
def version_diff(request: HttpRequest, code: UUID) -> HttpResponse:
    version = get_version_for_user(request, DefinitionVersion, code, "treatment")
    siblings = visible_versions(DefinitionVersion, request.user).filter(treatment=version.treatment)
    other = compared_with(request, version, siblings)
    lines: list[dict[str, str]] = []
    if other is not None:
        old = json.dumps(other.content, indent=2, ensure_ascii=False, sort_keys=True).splitlines()  # type: ignore[attr-defined]
        new = json.dumps(version.content, indent=2, ensure_ascii=False, sort_keys=True).splitlines()
        for line in difflib.unified_diff(old, new, lineterm="", n=3):
            if line.startswith(("---", "+++")):
                continue
            op = {"+": "added", "-": "removed", "@": "hunk"}.get(line[:1], "same")
            lines.append({"op": op, "text": line[1:] if op != "hunk" else line})
    context = {
        "treatment": version.treatment,
        "version": version,
        "other": other,
        "lines": lines,
        "versions": siblings.order_by("-number"),
    }
    return render(request, "catalogue/diff.html", context)
