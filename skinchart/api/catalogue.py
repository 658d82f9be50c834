"""The catalogue endpoints: treatments with the definition version in force, one
treatment's approved definition in full, and the versions of a client guide.

Drafts of a treatment definition are never served here; drafts of a client guide are
listed only for callers who may edit or approve documents."""

from __future__ import annotations

import re
from uuid import UUID

from django.db.models import JSONField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.fields.json import KeyTransform
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.errors import HttpError

from skinchart.accounts.permissions import Capability, user_can
from skinchart.api.auth import requires
from skinchart.api.schemas import (
    ErrorOut,
    GuideVersionOut,
    TreatmentDefinitionOut,
    TreatmentOut,
    TreatmentVersionQuery,
)
from skinchart.catalogue.models import DefinitionVersion, Treatment
from skinchart.guides.models import Guide, GuideVersion

router = Router(tags=["catalogue"])

# The same rule as a definition's `code` (catalogue/definition.py, `Key`).
TREATMENT_CODE = re.compile(r"[a-z][a-z0-9_]{0,47}")


@router.get("/treatments", auth=requires(Capability.VIEW_DOCUMENTS), response={200: list[TreatmentOut], 403: ErrorOut})
def list_treatments(request: HttpRequest) -> QuerySet[Treatment]:
    """Every treatment with its definition version in force today (null while none
    is) and the code of its client guide. A constant number of queries."""
    in_force = (
        DefinitionVersion.objects.in_force_on(timezone.localdate())
        .defer("content")
        .annotate(name_json=KeyTransform("name", "content"))
    )
    newest_name = Subquery(
        DefinitionVersion.objects.filter(treatment=OuterRef("pk")).order_by("-number").values("content__name")[:1],
        output_field=JSONField(),
    )
    return (
        Treatment.objects.select_related("guide")
        .annotate(latest_name=newest_name)
        .prefetch_related(Prefetch("definition_versions", queryset=in_force, to_attr="in_force_versions"))
        .order_by("code")
    )


@router.get(
    "/treatments/{code}",
    auth=requires(Capability.VIEW_DOCUMENTS),
    response={200: TreatmentDefinitionOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
)
def get_treatment(request: HttpRequest, code: str, filters: Query[TreatmentVersionQuery]) -> DefinitionVersion:
    """The treatment's definition in force today, in full; with `version`, that
    approved version instead (in force or not). Drafts are never served."""
    if not TREATMENT_CODE.fullmatch(code):
        raise Http404
    treatment = Treatment.objects.filter(code=code).first()
    if treatment is None:
        raise Http404
    if filters.version is not None:
        version = DefinitionVersion.objects.approved().filter(treatment=treatment, number=filters.version).first()
        if version is None:
            raise HttpError(404, _("This treatment has no approved version with this number."))
        return version
    in_force = treatment.definition_in_force()
    if in_force is None:
        raise HttpError(404, _("No version of this treatment is in force."))
    return in_force


@router.get(
    "/guides/{code}/versions",
    auth=requires(Capability.VIEW_DOCUMENTS),
    response={200: list[GuideVersionOut], 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
)
def list_guide_versions(request: HttpRequest, code: UUID) -> list[GuideVersion]:
    """Every version of the client guide, newest first. Drafts only for callers who
    may edit or approve documents."""
    guide = Guide.objects.filter(code=code).first()
    if guide is None:
        raise Http404
    today = timezone.localdate()
    in_force = GuideVersion.objects.filter(guide=guide).in_force_on(today).first()
    versions = GuideVersion.objects.filter(guide=guide).select_related("approved_by").order_by("-number")
    if not (user_can(request.user, Capability.EDIT_DOCUMENTS) or user_can(request.user, Capability.APPROVE_DOCUMENTS)):
        versions = versions.approved()
    result: list[GuideVersion] = list(versions)
    for version in result:
        version.lifecycle_today = version.lifecycle(in_force, today)  # type: ignore[attr-defined]
    return result
