"""Fetching consultations and plans for a user: through the client's clinical access
check (capability, care relation, one access event)."""

from __future__ import annotations

from uuid import UUID

from django.db.models import Prefetch
from django.http import Http404, HttpRequest

from skinchart.accounts.permissions import Capability
from skinchart.clients.access import authorise_client
from skinchart.consultations.models import Consultation, DoctorAssessment, TreatmentPlan


def consultations_with_details() -> object:
    return Consultation.objects.select_related(
        "client", "treatment", "definition_version", "questionnaire", "performed_by", "discuss_acknowledged_by"
    ).prefetch_related(
        Prefetch(
            "assessments",
            queryset=DoctorAssessment.objects.select_related("doctor").order_by("-assessed_at"),
            to_attr="prefetched_assessments",
        )
    )


def get_consultation_for_user(request: HttpRequest, code: UUID, *, action: str) -> Consultation:
    consultation = consultations_with_details().filter(code=code).first()  # type: ignore[attr-defined]
    if consultation is None:
        raise Http404
    authorise_client(
        request, consultation.client, capability=Capability.VIEW_CLINICAL, action=action, target=consultation
    )
    return consultation  # type: ignore[no-any-return]


def get_plan_for_user(request: HttpRequest, code: UUID, *, action: str) -> TreatmentPlan:
    plan = (
        TreatmentPlan.objects.select_related("client", "treatment", "definition_version", "consultation__questionnaire")
        .filter(code=code)
        .first()
    )
    if plan is None:
        raise Http404
    authorise_client(request, plan.client, capability=Capability.VIEW_CLINICAL, action=action, target=plan)
    return plan
