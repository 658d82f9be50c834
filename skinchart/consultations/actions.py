"""Pre-consultation workflows: record the consultation with its questionnaire and
screening, acknowledge findings to discuss, the doctor's assessment, the plan.

All functions take the acting user, run in one transaction and write their journal
entry and audit event explicitly."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from skinchart.accounts.models import Role
from skinchart.accounts.permissions import Capability, user_can
from skinchart.audit.log import record
from skinchart.catalogue.definition import Method, TreatmentDefinition
from skinchart.catalogue.models import DefinitionVersion
from skinchart.consultations.models import (
    AssessmentDecision,
    Consultation,
    DoctorAssessment,
    QuestionnaireResponse,
    ScreeningOutcome,
    TreatmentPlan,
)
from skinchart.consultations.screening import Finding, Outcome, ScreeningResult, evaluate, worst
from skinchart.journal.actions import record_entry
from skinchart.journal.models import EntryKind
from skinchart.lib.dates import reflection_ends_at


class ConsultationError(Exception):
    """A rule of the pre-consultation was broken; the message is for the user."""


ROLE_LABELS: dict[str, Any] = {
    Role.DOCTOR: gettext_lazy("doctor"),
    Role.NURSE: gettext_lazy("nurse"),
    Role.COSMETOLOGIST: gettext_lazy("cosmetologist"),
}


def _require_allowed_role(actor: Any, method: Method, *, language: str, what: str) -> None:
    """REG-2: only the roles the method names may examine and choose treatment; a
    cosmetologist never for a cosmetic treatment (the definition cannot say otherwise)."""
    if not any(actor.has_role(role) for role in method.pre_consultation_roles):
        allowed = ", ".join(str(ROLE_LABELS.get(r, r)) for r in method.pre_consultation_roles)
        raise ConsultationError(
            _("Only a %(roles)s may %(what)s for %(method)s.")
            % {"roles": allowed, "what": what, "method": method.name.get(language)}
        )


def _methods(definition: TreatmentDefinition, keys: list[str]) -> list[Method]:
    if not keys:
        raise ConsultationError(_("Choose at least one method."))
    methods = []
    for key in keys:
        method = definition.method(key)
        if method is None:
            raise ConsultationError(_("The treatment has no method %(method)s.") % {"method": key})
        methods.append(method)
    return methods


def screen(
    definition: TreatmentDefinition, *, client: Any, methods: list[str], answers: dict[str, Any], on: dt.date
) -> ScreeningResult:
    """The screening of every chosen method, merged: each rule's finding once, the worst decides."""
    cpr = client.cpr_value
    cpr_birth = cpr.birth_date if cpr is not None else None
    findings: dict[str, Finding] = {}
    ages: list[int | None] = []
    for key in methods:
        result = evaluate(
            definition,
            method=key,
            treatment_date=on,
            answers=answers,
            date_of_birth=client.date_of_birth,
            cpr_birth_date=cpr_birth,
            language="da",
        )
        ages.append(result.age_on_treatment_date)
        for finding in result.findings:
            findings.setdefault(finding.rule, finding)
    ordered = tuple(sorted(findings.values(), key=lambda f: list(Outcome).index(f.outcome)))
    return ScreeningResult(
        outcome=worst(f.outcome for f in ordered), findings=ordered, age_on_treatment_date=ages[0] if ages else None
    )


@transaction.atomic
def record_consultation(
    *,
    actor: Any,
    client: Any,
    definition_version: DefinitionVersion,
    methods: list[str],
    answers: dict[str, Any],
    skin_assessment: str,
    wishes: str,
    notes: str = "",
    site: Any = None,
    request: HttpRequest | None = None,
) -> Consultation:
    """The pre-consultation (REG-2): by a role every chosen method allows; the answers
    screened for today; questionnaire and consultation each journaled."""
    if not user_can(actor, Capability.PRE_CONSULT):
        raise ConsultationError(_("You may not do pre-consultations."))
    definition = definition_version.definition
    for method in _methods(definition, methods):
        _require_allowed_role(actor, method, language="da", what=_("do the pre-consultation"))
    if not skin_assessment.strip() or not wishes.strip():
        raise ConsultationError(_("Describe the skin and the client's wishes."))
    today = timezone.localdate()
    result = screen(definition, client=client, methods=methods, answers=answers, on=today)
    findings = [finding.to_json() for finding in result.findings]
    questionnaire = QuestionnaireResponse.objects.create(
        client=client,
        definition_version=definition_version,
        answers=answers,
        recorded_by=actor,
        treatment_date=today,
        method=",".join(methods),
        outcome=str(result.outcome),
        findings=findings,
    )
    questionnaire.entry = record_entry(
        actor=actor,
        client=client,
        kind=EntryKind.SCREENING,
        text=_screening_text(definition, result),
        content={
            "treatment": definition.code,
            "definition_version": str(definition_version.code),
            "version_number": definition_version.number,
            "methods": methods,
            "answers": answers,
            "outcome": str(result.outcome),
            "findings": findings,
        },
        subject=questionnaire,
        site=site,
        request=request,
    )
    questionnaire.save(update_fields=["entry"])
    consultation = Consultation.objects.create(
        client=client,
        treatment=definition_version.treatment,
        definition_version=definition_version,
        questionnaire=questionnaire,
        methods=methods,
        performed_by=actor,
        site=site,
        skin_assessment=skin_assessment.strip(),
        wishes=wishes.strip(),
        notes=notes.strip(),
    )
    consultation.entry = record_entry(
        actor=actor,
        client=client,
        kind=EntryKind.CONSULTATION,
        text=_("Pre-consultation for %(treatment)s (%(methods)s).\nSkin: %(skin)s\nWishes: %(wishes)s%(notes)s")
        % {
            "treatment": definition.name.get("da"),
            "methods": ", ".join(m.name.get("da") for m in _methods(definition, methods)),
            "skin": consultation.skin_assessment,
            "wishes": consultation.wishes,
            "notes": f"\n{consultation.notes}" if consultation.notes else "",
        },
        content={"consultation": str(consultation.code), "screening": str(result.outcome), "methods": methods},
        subject=consultation,
        site=site,
        request=request,
    )
    consultation.save(update_fields=["entry"])
    record(action="consultation.recorded", actor=actor, request=request, client=client, target=consultation)
    return consultation


def _screening_text(definition: TreatmentDefinition, result: ScreeningResult) -> str:
    label = ScreeningOutcome(str(result.outcome)).label
    lines = [_("Health questionnaire and screening: %(outcome)s.") % {"outcome": label}]
    lines += [f"- {finding.message}" for finding in result.findings]
    return "\n".join(lines)


@transaction.atomic
def acknowledge_discussion(
    *, actor: Any, consultation: Consultation, note: str, request: HttpRequest | None = None
) -> Consultation:
    """The practitioner discussed the `discuss` findings (e.g. blood thinners) with the client."""
    if not user_can(actor, Capability.PRE_CONSULT):
        raise ConsultationError(_("You may not do pre-consultations."))
    if not consultation.needs_discussion:
        raise ConsultationError(_("There is nothing to discuss in this screening."))
    if consultation.discuss_acknowledged_at is not None:
        # Recorded once; anything further is a journal note, never an overwrite (REG-20).
        raise ConsultationError(_("The discussion is already recorded."))
    if not note.strip():
        raise ConsultationError(_("Write what was discussed and agreed."))
    consultation.discuss_acknowledged_by, consultation.discuss_acknowledged_at = actor, timezone.now()
    consultation.discuss_note = note.strip()
    consultation.save(update_fields=["discuss_acknowledged_by", "discuss_acknowledged_at", "discuss_note"])
    topics = ", ".join(f["rule"] for f in consultation.questionnaire.findings_with(Outcome.DISCUSS))
    record_entry(
        actor=actor,
        client=consultation.client,
        kind=EntryKind.SCREENING,
        text=_("Discussed with the client (%(topics)s): %(note)s") % {"topics": topics, "note": note.strip()},
        content={"consultation": str(consultation.code), "discussed": topics},
        subject=consultation,
        request=request,
    )
    record(action="consultation.discussed", actor=actor, request=request, client=consultation.client)
    return consultation


@transaction.atomic
def assess_consultation(
    *, actor: Any, consultation: Consultation, decision: str, reason: str, request: HttpRequest | None = None
) -> DoctorAssessment:
    """A doctor's signed decision on a consultation the screening sent to a doctor."""
    if not (actor.is_active and actor.has_role(Role.DOCTOR)):
        raise ConsultationError(_("Only a doctor can assess."))
    if not consultation.needs_doctor:
        raise ConsultationError(_("This screening does not need a doctor's assessment."))
    if decision not in AssessmentDecision.values:
        raise ConsultationError(_("Choose approve or decline."))
    if not reason.strip():
        raise ConsultationError(_("Give the reason for the decision."))
    assessment = DoctorAssessment.objects.create(
        consultation=consultation, doctor=actor, decision=decision, reason=reason.strip()
    )
    topics = ", ".join(f["rule"] for f in consultation.questionnaire.findings_with(Outcome.DOCTOR_REVIEW))
    assessment.entry = record_entry(
        actor=actor,
        client=consultation.client,
        kind=EntryKind.DOCTOR_ASSESSMENT,
        text=_("Doctor's assessment (%(topics)s): %(decision)s. %(reason)s")
        % {"topics": topics, "decision": AssessmentDecision(decision).label, "reason": reason.strip()},
        content={"consultation": str(consultation.code), "decision": decision, "topics": topics},
        subject=assessment,
        request=request,
    )
    assessment.save(update_fields=["entry"])
    record(
        action="consultation.assessed",
        actor=actor,
        request=request,
        client=consultation.client,
        target=assessment,
        decision=decision,
    )
    return assessment


def default_first_session(consultation: Consultation, methods: list[str], information_at: Any = None) -> dt.date:
    """The earliest day the first session may be proposed: the consultation's day when
    every method allows the same day, else the day the longest reflection period ends."""
    definition = consultation.definition
    start = information_at or consultation.performed_at
    ends = [
        reflection_ends_at(start, method.reflection_hours)
        for method in _methods(definition, methods)
        if not method.same_day_allowed
    ]
    day = timezone.localdate(max(ends)) if ends else timezone.localdate(start)
    return max(day, timezone.localdate())


@transaction.atomic
def make_plan(
    *,
    actor: Any,
    consultation: Consultation,
    areas: list[dict[str, str]],
    sessions: int,
    interval_min_days: int,
    interval_max_days: int,
    maintenance_min_days: int | None,
    maintenance_max_days: int | None,
    mild_peel: bool,
    numbing_cream: bool,
    first_session_on: dt.date,
    request: HttpRequest | None = None,
) -> TreatmentPlan:
    """The individual plan (choosing the treatment: REG-2 roles again)."""
    if not user_can(actor, Capability.PRE_CONSULT):
        raise ConsultationError(_("You may not make treatment plans."))
    problems = consultation.readiness_problems()
    if problems:
        raise ConsultationError(" ".join(problems))
    definition = consultation.definition
    cleaned = [{"area": a["area"].strip(), "method": a["method"]} for a in areas if a.get("area", "").strip()]
    if not cleaned:
        raise ConsultationError(_("Name at least one area and its method."))
    methods = list(dict.fromkeys(a["method"] for a in cleaned))
    for method in _methods(definition, methods):
        _require_allowed_role(actor, method, language="da", what=_("choose the treatment"))
        if method.key not in consultation.methods:
            raise ConsultationError(_("The pre-consultation did not consider this method."))
    if not 1 <= sessions <= definition.course.sessions * 4:
        raise ConsultationError(_("The number of sessions is not sensible."))
    if interval_max_days < interval_min_days or interval_min_days < 0:
        raise ConsultationError(_("The longest interval must not be shorter than the shortest."))
    if (maintenance_min_days is None) != (maintenance_max_days is None) or (
        maintenance_min_days is not None
        and maintenance_max_days is not None
        and maintenance_max_days < maintenance_min_days
    ):
        raise ConsultationError(_("Give both ends of the maintenance interval, the longer last."))
    steps = {step.kind for step in definition.session_steps}
    if mild_peel and "peel" not in steps:
        raise ConsultationError(_("This treatment has no peel step."))
    if numbing_cream and "numbing_cream" not in steps:
        raise ConsultationError(_("This treatment has no numbing-cream step."))
    if first_session_on < timezone.localdate(consultation.performed_at):
        raise ConsultationError(_("The first session cannot be before the pre-consultation."))
    if first_session_on > timezone.localdate() + dt.timedelta(days=730):
        raise ConsultationError(_("The first session must be within two years."))
    plan = TreatmentPlan.objects.create(
        client=consultation.client,
        consultation=consultation,
        treatment=consultation.treatment,
        definition_version=consultation.definition_version,
        areas=cleaned,
        sessions=sessions,
        interval_min_days=interval_min_days,
        interval_max_days=interval_max_days,
        maintenance_min_days=maintenance_min_days,
        maintenance_max_days=maintenance_max_days,
        mild_peel=mild_peel,
        numbing_cream=numbing_cream,
        first_session_on=first_session_on,
        created_by=actor,
    )
    area_text = "; ".join(
        f"{a['area']}: {definition.method(a['method']).name.get('da')}"  # type: ignore[union-attr]
        for a in cleaned
    )
    plan.entry = record_entry(
        actor=actor,
        client=consultation.client,
        kind=EntryKind.CONSULTATION,
        text=_(
            "Treatment plan: %(areas)s. %(sessions)s sessions, %(min)s–%(max)s days apart. Mild peel: %(peel)s. "
            "Numbing cream: %(numbing)s."
        )
        % {
            "areas": area_text,
            "sessions": sessions,
            "min": interval_min_days,
            "max": interval_max_days,
            "peel": _("yes") if mild_peel else _("no"),
            "numbing": _("yes") if numbing_cream else _("no"),
        },
        content={
            "plan": str(plan.code),
            "areas": cleaned,
            "sessions": sessions,
            "interval_days": [interval_min_days, interval_max_days],
            "maintenance_days": [maintenance_min_days, maintenance_max_days],
            "mild_peel": mild_peel,
            "numbing_cream": numbing_cream,
            "first_session_on": first_session_on.isoformat(),
        },
        subject=plan,
        request=request,
    )
    plan.save(update_fields=["entry"])
    record(action="consultation.plan_made", actor=actor, request=request, client=consultation.client, target=plan)
    return plan
