"""The pre-consultation (forundersøgelse): the health questionnaire and its screening,
the practitioner's record, the doctor's assessment, and the treatment plan.

Every record here is mirrored by a signed journal entry written by the action that
creates it; these rows are the structured form the workflow reads back."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from skinchart.catalogue.definition import TreatmentDefinition


class ScreeningOutcome(models.TextChoices):
    """Worst first (PRODUCT.md §3); `skinchart.consultations.screening.Outcome` holds the order."""

    NOT_ELIGIBLE = "not_eligible", _("Not eligible")
    INCOMPLETE = "incomplete", _("Incomplete")
    DOCTOR_REVIEW = "doctor_review", _("Doctor's assessment needed")
    DISCUSS = "discuss", _("To discuss")
    ELIGIBLE = "eligible", _("Eligible")


class AnswerSource(models.TextChoices):
    STAFF = "staff", _("Filled in with staff")
    PORTAL = "portal", _("Filled in by the client in the portal")


class QuestionnaireResponse(models.Model):
    """The client's answers to a definition version's health questions, and the
    screening of them for a treatment date. Journal content (REG-15)."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="questionnaires")
    definition_version = models.ForeignKey(
        "catalogue.DefinitionVersion", on_delete=models.PROTECT, related_name="questionnaires"
    )
    answers = models.JSONField(default=dict)
    source = models.CharField(max_length=10, choices=AnswerSource.choices, default=AnswerSource.STAFF)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    treatment_date = models.DateField(_("treatment date screened for"))
    method = models.CharField(max_length=200, blank=True)  # the methods screened, comma-separated
    outcome = models.CharField(_("screening"), max_length=20, choices=ScreeningOutcome.choices)
    findings = models.JSONField(default=list)
    entry = models.ForeignKey("journal.Entry", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-recorded_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=ScreeningOutcome.values), name="consultations_questionnaire_outcome_valid"
            ),
            models.CheckConstraint(
                condition=Q(source__in=AnswerSource.values), name="consultations_questionnaire_source_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"questionnaire {self.code}"

    def findings_with(self, outcome: str) -> list[dict[str, str]]:
        return [f for f in self.findings if f["outcome"] == outcome]


class ConsultationQuerySet(models.QuerySet["Consultation"]):
    def awaiting_assessment(self) -> ConsultationQuerySet:
        """Sent to a doctor by the screening and not yet assessed (the doctors' work list)."""
        return self.filter(questionnaire__outcome=ScreeningOutcome.DOCTOR_REVIEW).exclude(
            models.Exists(DoctorAssessment.objects.filter(consultation=models.OuterRef("pk")))
        )


class Consultation(models.Model):
    """The pre-consultation record: who assessed what, for which treatment and methods."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="consultations")
    treatment = models.ForeignKey("catalogue.Treatment", on_delete=models.PROTECT, related_name="+")
    definition_version = models.ForeignKey("catalogue.DefinitionVersion", on_delete=models.PROTECT, related_name="+")
    questionnaire = models.ForeignKey(QuestionnaireResponse, on_delete=models.PROTECT, related_name="consultations")
    methods = models.JSONField(_("methods considered"), default=list)
    performed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("accounts.Site", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    performed_at = models.DateTimeField(_("time of the pre-consultation"), default=timezone.now)
    skin_assessment = models.TextField(_("skin assessment"))
    wishes = models.TextField(_("the client's wishes"))
    notes = models.TextField(_("notes"), blank=True)
    discuss_acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    discuss_acknowledged_at = models.DateTimeField(null=True, blank=True)
    discuss_note = models.TextField(blank=True)
    entry = models.ForeignKey("journal.Entry", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        ordering = ["-performed_at"]
        indexes = [models.Index(fields=["client", "-performed_at"], name="consultations_client_time")]

    def __str__(self) -> str:
        return f"pre-consultation {self.code}"

    def get_absolute_url(self) -> str:
        return reverse("consultations:detail", kwargs={"code": self.code})

    @property
    def definition(self) -> TreatmentDefinition:
        return self.definition_version.definition

    @property
    def outcome(self) -> str:
        return self.questionnaire.outcome

    @property
    def needs_doctor(self) -> bool:
        return bool(self.questionnaire.findings_with(ScreeningOutcome.DOCTOR_REVIEW))

    @property
    def needs_discussion(self) -> bool:
        return bool(self.questionnaire.findings_with(ScreeningOutcome.DISCUSS))

    def latest_assessment(self) -> DoctorAssessment | None:
        assessments = getattr(self, "prefetched_assessments", None)
        if assessments is not None:
            return assessments[0] if assessments else None
        latest: DoctorAssessment | None = self.assessments.order_by("-assessed_at").first()
        return latest

    def information_given_at(self) -> dt.datetime | None:
        """The start of the reflection period: the later of this pre-consultation
        and the client's latest oral information of the treatment's guide (which can only
        follow the written, REG-4) — an old information never shortens it. None while no
        oral information is recorded."""
        from skinchart.guides.models import InformationKind, InformationRecord

        oral: dt.datetime | None = (
            InformationRecord.objects.filter(
                client_id=self.client_id,
                kind=InformationKind.ORAL,
                guide_version__guide__treatment_id=self.treatment_id,
            )
            .order_by("-given_at")
            .values_list("given_at", flat=True)
            .first()
        )
        if oral is None:
            return None
        return max(oral, self.performed_at)

    def readiness_problems(self) -> list[str]:
        """Why no treatment may be planned or booked from this consultation (empty: none)."""
        problems = []
        if self.outcome == ScreeningOutcome.NOT_ELIGIBLE:
            problems.append(gettext("The screening found that the client must not be treated."))
        elif self.outcome == ScreeningOutcome.INCOMPLETE:
            problems.append(gettext("The health questionnaire is incomplete."))
        if self.needs_doctor:
            assessment = self.latest_assessment()
            if assessment is None:
                problems.append(gettext("A doctor must assess the client first."))
            elif assessment.decision != AssessmentDecision.APPROVED:
                problems.append(gettext("The doctor declined treatment: %(reason)s") % {"reason": assessment.reason})
        if self.needs_discussion and self.discuss_acknowledged_at is None:
            problems.append(gettext("The findings to discuss with the client are not yet marked as discussed."))
        return problems


class AssessmentDecision(models.TextChoices):
    APPROVED = "approved", _("Approved for treatment")
    DECLINED = "declined", _("Declined")


class DoctorAssessment(models.Model):
    """A doctor's signed decision on a consultation the screening sent to a doctor."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    consultation = models.ForeignKey(Consultation, on_delete=models.PROTECT, related_name="assessments")
    doctor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(_("decision"), max_length=10, choices=AssessmentDecision.choices)
    reason = models.TextField(_("reason"))
    assessed_at = models.DateTimeField(default=timezone.now)
    entry = models.ForeignKey("journal.Entry", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-assessed_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision__in=AssessmentDecision.values), name="consultations_assessment_decision_valid"
            )
        ]

    def __str__(self) -> str:
        return f"assessment {self.code}"


class PlanStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class TreatmentPlan(models.Model):
    """The individual plan made at the pre-consultation: method per area, the course,
    peel and numbing cream as agreed, and maintenance."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="treatment_plans")
    consultation = models.ForeignKey(Consultation, on_delete=models.PROTECT, related_name="plans")
    treatment = models.ForeignKey("catalogue.Treatment", on_delete=models.PROTECT, related_name="+")
    definition_version = models.ForeignKey("catalogue.DefinitionVersion", on_delete=models.PROTECT, related_name="+")
    # [{"area": "Kinder", "method": "microneedling"}, ...]
    areas = models.JSONField(_("areas and methods"))
    sessions = models.PositiveSmallIntegerField(_("number of sessions"))
    interval_min_days = models.PositiveSmallIntegerField(_("at least days between sessions"))
    interval_max_days = models.PositiveSmallIntegerField(_("at most days between sessions"))
    maintenance_min_days = models.PositiveSmallIntegerField(_("maintenance every (from) days"), null=True, blank=True)
    maintenance_max_days = models.PositiveSmallIntegerField(_("maintenance every (to) days"), null=True, blank=True)
    mild_peel = models.BooleanField(_("mild chemical peel"), default=False)
    numbing_cream = models.BooleanField(_("numbing cream agreed"), default=False)
    first_session_on = models.DateField(_("first session (proposed)"))
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.ACTIVE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    entry = models.ForeignKey("journal.Entry", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=PlanStatus.values), name="consultations_plan_status_valid"),
            models.CheckConstraint(
                condition=Q(interval_max_days__gte=models.F("interval_min_days")),
                name="consultations_plan_interval_ordered",
            ),
            models.CheckConstraint(condition=Q(sessions__gte=1), name="consultations_plan_sessions_positive"),
        ]

    def __str__(self) -> str:
        return f"plan {self.code}"

    def get_absolute_url(self) -> str:
        return reverse("consultations:plan", kwargs={"code": self.code})

    @property
    def definition(self) -> TreatmentDefinition:
        return self.definition_version.definition

    def methods(self) -> list[str]:
        """The plan's methods, each once, in the order of the areas."""
        return list(dict.fromkeys(area["method"] for area in self.areas))

    def proposed_dates(self) -> list[dt.date]:
        """The course's session dates from the definition's defaults: the first, then
        the shortest allowed interval after each."""
        return [
            self.first_session_on + dt.timedelta(days=self.interval_min_days * number)
            for number in range(self.sessions)
        ]

    def screening_problems(self) -> list[str]:
        """The plan's pre-consultation's problems, and those of a later one for the same
        treatment (a newer finding counts even though the plan was made before it)."""
        problems = self.consultation.readiness_problems()
        newest = (
            Consultation.objects.filter(client_id=self.client_id, treatment_id=self.treatment_id)
            .order_by("-performed_at")
            .first()
        )
        if newest is not None and newest.pk != self.consultation_id:
            problems += [
                gettext("A later pre-consultation: %(problem)s") % {"problem": problem}
                for problem in newest.readiness_problems()
            ]
        return problems

    def readiness_problems(self) -> list[str]:
        problems = self.screening_problems()
        if self.status != PlanStatus.ACTIVE:
            problems.append(gettext("The treatment plan is not active."))
        consents = self.consents.all()  # type: ignore[attr-defined]
        if consents.exists() and not consents.filter(status="active").exists():
            problems.append(gettext("The client has withdrawn consent to this plan."))
        return problems

    def information_given_at(self) -> dt.datetime | None:
        return self.consultation.information_given_at()

    def reflection_rules(self) -> list[dict[str, Any]]:
        """Per method in the plan: its reflection hours and whether the same day is allowed."""
        definition = self.definition
        rules = []
        for key in self.methods():
            method = definition.method(key)
            if method is not None:
                rules.append(
                    {"method": key, "hours": method.reflection_hours, "same_day_allowed": method.same_day_allowed}
                )
        return rules
