from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.utils import timezone

from skinchart.accounts.models import User
from skinchart.accounts.tests.factories import SiteFactory
from skinchart.catalogue.models import DefinitionVersion
from skinchart.clients.models import Client
from skinchart.consultations.models import (
    AssessmentDecision,
    Consultation,
    DoctorAssessment,
    QuestionnaireResponse,
    ScreeningOutcome,
    TreatmentPlan,
)
from skinchart.guides.models import GuideVersion, InformationChannel, InformationKind, InformationRecord
from skinchart.scheduling.models import Room

KELOID_FINDING = {"rule": "keloid_tendency", "outcome": ScreeningOutcome.DOCTOR_REVIEW, "message": "Keloid tendency."}


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    site = factory.SubFactory(SiteFactory)
    name = factory.Sequence(lambda n: f"Room {n}")


def make_plan(
    *,
    client: Client,
    doctor: User,
    version: DefinitionVersion,
    methods: tuple[str, ...] = ("microinjection",),
    needs_doctor: bool = False,
    interval: tuple[int, int] = (14, 21),
    treatment: Any = None,
) -> TreatmentPlan:
    """A plan made at a pre-consultation, written at the model level (the
    consultation actions belong to another part of the issue)."""
    today = timezone.localdate()
    questionnaire = QuestionnaireResponse.objects.create(
        client=client,
        definition_version=version,
        answers={},
        treatment_date=today,
        outcome=ScreeningOutcome.DOCTOR_REVIEW if needs_doctor else ScreeningOutcome.ELIGIBLE,
        findings=[KELOID_FINDING] if needs_doctor else [],
    )
    consultation = Consultation.objects.create(
        client=client,
        treatment=treatment or version.treatment,
        definition_version=version,
        questionnaire=questionnaire,
        methods=list(methods),
        performed_by=doctor,
        # Long before any information the tests give: the reflection period counts from
        # the later of the two, and these tests are about the information.
        performed_at=CONSULTED,
        skin_assessment="Dry skin on the cheeks.",
        wishes="Fewer fine lines.",
    )
    plan: TreatmentPlan = TreatmentPlan.objects.create(
        client=client,
        consultation=consultation,
        treatment=treatment or version.treatment,
        definition_version=version,
        areas=[{"area": "Kinder", "method": method} for method in methods],
        sessions=3,
        interval_min_days=interval[0],
        interval_max_days=interval[1],
        first_session_on=today,
        created_by=doctor,
    )
    return plan


def approve_for_treatment(plan: TreatmentPlan, doctor: User) -> DoctorAssessment:
    assessment: DoctorAssessment = DoctorAssessment.objects.create(
        consultation=plan.consultation, doctor=doctor, decision=AssessmentDecision.APPROVED, reason="No keloid scars."
    )
    return assessment


CONSULTED = dt.datetime(2020, 1, 6, 9, 0, tzinfo=dt.UTC)


def inform(*, client: Client, guide_version: GuideVersion, by: User, at: dt.datetime) -> InformationRecord:
    """The written guide an hour before, then the oral information at `at` (REG-4)."""
    InformationRecord.objects.create(
        client=client,
        kind=InformationKind.WRITTEN,
        channel=InformationChannel.HANDED_OVER,
        guide_version=guide_version,
        given_by=by,
        given_at=at - dt.timedelta(hours=1),
    )
    oral: InformationRecord = InformationRecord.objects.create(
        client=client,
        kind=InformationKind.ORAL,
        channel=InformationChannel.IN_PERSON,
        guide_version=guide_version,
        given_by=by,
        given_at=at,
    )
    return oral
