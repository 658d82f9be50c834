from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from skinchart.accounts.access import acting_user, require_capability
from skinchart.accounts.permissions import Capability, user_can
from skinchart.audit.log import record
from skinchart.catalogue.actions import DocumentError
from skinchart.catalogue.models import DefinitionVersion, Treatment, in_force_among
from skinchart.clients.access import get_client_for_user
from skinchart.consultations import actions
from skinchart.consultations.access import consultations_with_details, get_consultation_for_user, get_plan_for_user
from skinchart.consultations.forms import (
    AssessmentForm,
    ConsultationForm,
    DiscussionForm,
    OralInformationForm,
    PlanForm,
)
from skinchart.consultations.models import Consultation, ScreeningOutcome, TreatmentPlan
from skinchart.guides import actions as guide_actions
from skinchart.guides.models import InformationKind, InformationRecord
from skinchart.guides.rendering import contact_site
from skinchart.scheduling.models import Appointment
from skinchart.sessions.progress import plan_progress, proposed_dates

TREATMENT_CODE = re.compile(r"^[a-z][a-z0-9_]{0,47}$")

clinical = require_capability(Capability.VIEW_CLINICAL)
consulting = require_capability(Capability.PRE_CONSULT)
assessing = require_capability(Capability.ASSESS_CLIENTS)
informing = require_capability(Capability.GIVE_INFORMATION)


def _language(request: HttpRequest) -> str:
    return "en" if request.LANGUAGE_CODE.startswith("en") else "da"


@clinical
def client_consultations(request: HttpRequest, code: UUID) -> HttpResponse:
    client = get_client_for_user(request, code, capability=Capability.VIEW_CLINICAL, action="consultation.list_viewed")
    consultations = consultations_with_details().filter(client=client)  # type: ignore[attr-defined]
    plans = TreatmentPlan.objects.filter(client=client).select_related("treatment", "consultation")
    today = timezone.localdate()
    treatments = [
        t
        for t in Treatment.objects.prefetch_related(
            Prefetch("definition_versions", queryset=DefinitionVersion.objects.defer("content"))
        )
        if in_force_among(t.definition_versions.all(), today) is not None
    ]
    context = {
        "client": client,
        "consultations": consultations,
        "plans": plans,
        "treatments": treatments,
        "can_consult": user_can(request.user, Capability.PRE_CONSULT),
    }
    return render(request, "consultations/client_consultations.html", context)


@consulting
def consultation_create(request: HttpRequest, code: UUID) -> HttpResponse:
    """The pre-consultation form: questionnaire, methods, assessment; screened on save."""
    action = "consultation.form_viewed" if request.method == "GET" else "consultation.submitted"
    client = get_client_for_user(request, code, capability=Capability.VIEW_CLINICAL, action=action)
    wanted = request.GET.get("treatment", "")
    treatment = Treatment.objects.filter(code=wanted).first() if TREATMENT_CODE.match(wanted) else None
    if treatment is None:
        treatment = Treatment.objects.order_by("code").first()
    version: DefinitionVersion | None = treatment.definition_in_force() if treatment else None
    if treatment is None or version is None:
        messages.error(request, _("No treatment definition is in force. A doctor must approve one first."))
        return redirect("consultations:client", code=client.code)
    form = ConsultationForm(request.POST or None, definition=version.definition, language=_language(request))
    if request.method == "POST" and form.is_valid():
        actor = acting_user(request)
        try:
            consultation = actions.record_consultation(
                actor=actor,
                client=client,
                definition_version=version,
                methods=form.cleaned_data["methods"],
                answers=form.answers(),
                skin_assessment=form.cleaned_data["skin_assessment"],
                wishes=form.cleaned_data["wishes"],
                notes=form.cleaned_data["notes"],
                site=contact_site(actor),
                request=request,
            )
        except actions.ConsultationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The pre-consultation is recorded in the journal."))
            return redirect(consultation.get_absolute_url())
    context = {"client": client, "treatment": treatment, "version": version, "form": form}
    return render(request, "consultations/consultation_form.html", context, status=422 if form.errors else 200)


@clinical
def consultation_detail(request: HttpRequest, code: UUID) -> HttpResponse:
    consultation = get_consultation_for_user(request, code, action="consultation.viewed")
    information = InformationRecord.objects.filter(
        client=consultation.client, guide_version__guide__treatment=consultation.treatment
    ).select_related("guide_version", "given_by")
    context = {
        "consultation": consultation,
        "client": consultation.client,
        "findings": labelled(consultation.questionnaire.findings),
        "answers": _answer_rows(consultation, _language(request)),
        "assessment": consultation.latest_assessment(),
        "problems": consultation.readiness_problems(),
        "written": [i for i in information if i.kind == InformationKind.WRITTEN],
        "oral": [i for i in information if i.kind == InformationKind.ORAL],
        "plans": consultation.plans.all(),
        "discussion_form": DiscussionForm(),
        "oral_form": OralInformationForm(),
        "can_consult": user_can(request.user, Capability.PRE_CONSULT),
        "can_assess": user_can(request.user, Capability.ASSESS_CLIENTS),
        "can_inform": user_can(request.user, Capability.GIVE_INFORMATION),
    }
    return render(request, "consultations/consultation_detail.html", context)


def labelled(findings: list[dict[str, str]]) -> list[dict[str, str]]:
    """Findings with their outcome's label in the reader's language."""
    return [{**f, "label": str(ScreeningOutcome(f["outcome"]).label)} for f in findings]


def _answer_rows(consultation: Consultation, language: str) -> list[dict[str, Any]]:
    answers = consultation.questionnaire.answers
    rows = []
    for question in consultation.definition.questions:
        value = answers.get(question.key)
        shown = _("Yes") if value is True else _("No") if value is False else (value or _("Not answered"))
        rows.append({"question": question.text.get(language), "answer": shown, "key": question.key})
    return rows


@consulting
@require_POST
def consultation_discussed(request: HttpRequest, code: UUID) -> HttpResponse:
    consultation = get_consultation_for_user(request, code, action="consultation.discussed")
    form = DiscussionForm(request.POST)
    if form.is_valid():
        try:
            actions.acknowledge_discussion(
                actor=acting_user(request), consultation=consultation, note=form.cleaned_data["note"], request=request
            )
        except actions.ConsultationError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Recorded as discussed."))
    else:
        messages.error(request, _("Write what was discussed and agreed."))
    return redirect(consultation.get_absolute_url())


@informing
@require_POST
def oral_information(request: HttpRequest, code: UUID) -> HttpResponse:
    consultation = get_consultation_for_user(request, code, action="consultation.oral_information")
    form = OralInformationForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        guide_actions.give_oral_information(
            actor=acting_user(request),
            client=consultation.client,
            treatment=consultation.treatment,
            note=note,
            request=request,
        )
    except DocumentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The oral information is recorded. The reflection period runs from now."))
    return redirect(consultation.get_absolute_url())


@assessing
def assessment_list(request: HttpRequest) -> HttpResponse:
    """The doctor's work list: consultations the screening sent to a doctor, not yet assessed."""
    waiting = (
        Consultation.objects.awaiting_assessment()
        .select_related("client", "treatment", "performed_by")
        .order_by("performed_at")
    )
    record(action="consultation.worklist_viewed", request=request, listed=len(waiting))
    return render(request, "consultations/assessment_list.html", {"waiting": waiting})


@assessing
def assessment_create(request: HttpRequest, code: UUID) -> HttpResponse:
    consultation = get_consultation_for_user(request, code, action="consultation.assessment")
    form = AssessmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.assess_consultation(
                actor=acting_user(request),
                consultation=consultation,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except actions.ConsultationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Your assessment is signed in the journal."))
            return redirect(consultation.get_absolute_url())
    context = {
        "consultation": consultation,
        "client": consultation.client,
        "form": form,
        "findings": labelled(consultation.questionnaire.findings_with(ScreeningOutcome.DOCTOR_REVIEW)),
        "answers": _answer_rows(consultation, _language(request)),
    }
    return render(request, "consultations/assessment_form.html", context, status=422 if form.errors else 200)


@consulting
def plan_create(request: HttpRequest, code: UUID) -> HttpResponse:
    consultation = get_consultation_for_user(request, code, action="consultation.plan_form")
    definition = consultation.definition
    initial = {
        "sessions": definition.course.sessions,
        "interval_min_days": definition.course.interval.min_days,
        "interval_max_days": definition.course.interval.max_days,
        "maintenance_min_days": getattr(definition.course.maintenance_interval, "min_days", None),
        "maintenance_max_days": getattr(definition.course.maintenance_interval, "max_days", None),
        "first_session_on": actions.default_first_session(
            consultation, consultation.methods, consultation.information_given_at()
        ),
        "method_0": consultation.methods[0] if consultation.methods else "",
    }
    form = PlanForm(
        request.POST or None,
        initial=initial,
        definition=definition,
        methods=consultation.methods,
        language=_language(request),
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan = actions.make_plan(
                actor=acting_user(request),
                consultation=consultation,
                areas=form.areas(),
                sessions=form.cleaned_data["sessions"],
                interval_min_days=form.cleaned_data["interval_min_days"],
                interval_max_days=form.cleaned_data["interval_max_days"],
                maintenance_min_days=form.cleaned_data["maintenance_min_days"],
                maintenance_max_days=form.cleaned_data["maintenance_max_days"],
                mild_peel=form.cleaned_data["mild_peel"],
                numbing_cream=form.cleaned_data["numbing_cream"],
                first_session_on=form.cleaned_data["first_session_on"],
                request=request,
            )
        except actions.ConsultationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The treatment plan is recorded."))
            return redirect(plan.get_absolute_url())
    context = {
        "consultation": consultation,
        "client": consultation.client,
        "form": form,
        "problems": consultation.readiness_problems(),
    }
    return render(request, "consultations/plan_form.html", context, status=422 if form.errors else 200)


def _method_name(definition: Any, key: str, language: str) -> str:
    method = definition.method(key)
    return str(method.name.get(language)) if method is not None else key


@clinical
def plan_detail(request: HttpRequest, code: UUID) -> HttpResponse:
    plan = get_plan_for_user(request, code, action="consultation.plan_viewed")
    booked = list(
        Appointment.objects.booked().filter(plan=plan).select_related("practitioner", "room").order_by("start")
    )
    by_number = {a.session_number: a for a in booked}
    definition = plan.definition
    language = _language(request)
    progress = plan_progress(plan)
    signed = {s.session_number: s for s in progress.signed}
    proposed = proposed_dates(plan, progress)
    sessions = [
        {
            "number": number,
            "proposed": proposed[number - 1],
            "appointment": by_number.get(number),
            "signed": signed.get(number),
        }
        for number in range(1, plan.sessions + 1)
    ]
    context = {
        "plan": plan,
        "client": plan.client,
        "sessions": sessions,
        "progress": progress,
        "problems": plan.readiness_problems(),
        "information_at": plan.information_given_at(),
        "preparation": [item.get(language) for item in definition.preparation],
        "areas": [{"area": a["area"], "method": _method_name(definition, a["method"], language)} for a in plan.areas],
        "today": progress.today,
    }
    return render(request, "consultations/plan_detail.html", context)
