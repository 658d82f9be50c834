"""The treatment session's workflow: open it from the booking, re-confirm health on the
day, start it when every gate holds, record the checklist and the products (batch, lot,
expiry, quantity), sign it — which writes the journal entry and the client's aftercare —
or stop it with a reason.

Every function takes the acting user, runs in one transaction with the session row
locked, and journals or audits explicitly. A refusal raises `SessionError` (or
`SessionBlocked` with the failing gates) and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from skinchart.accounts.models import User
from skinchart.accounts.permissions import Capability, user_can
from skinchart.audit.log import record
from skinchart.audit.models import Outcome
from skinchart.catalogue.aftercare import aftercare_plan
from skinchart.catalogue.definition import StepKind, StepRequirement, TreatmentDefinition
from skinchart.consent.models import Consent, ConsentStatus
from skinchart.consultations.models import PlanStatus, TreatmentPlan
from skinchart.journal.actions import FUTURE_TOLERANCE, record_entry
from skinchart.journal.models import EntryKind
from skinchart.lib.dates import format_date, format_local_datetime
from skinchart.lib.plain_text import clean_plain_text
from skinchart.products.models import Batch
from skinchart.scheduling.models import Appointment, AppointmentKind, AppointmentStatus
from skinchart.sessions.gates import Gate, GateReport, area_key, evaluate_gates
from skinchart.sessions.handout import advice_sentences
from skinchart.sessions.models import ProductUse, SessionStatus, TreatmentSession

MAX_QUANTITY = Decimal("1000")
MAX_TEXT = 4000
MAX_SETTINGS = 500


class SessionError(Exception):
    """The session action is refused; the message says why."""


class SessionBlocked(SessionError):
    """The session may not start: `gates` lists every gate that fails."""

    def __init__(self, report: GateReport) -> None:
        self.report = report
        self.gates: list[Gate] = report.failing
        super().__init__(
            _("The session cannot start: %(problems)s")
            % {"problems": " ".join(problem for gate in self.gates for problem in gate.problems)}
        )


def _require_treat(actor: User) -> None:
    if not user_can(actor, Capability.TREAT):
        raise SessionError(_("You may not perform treatments."))


def _locked(session: TreatmentSession) -> TreatmentSession:
    """The session row, locked for this transaction, with what the gates read."""
    return (
        TreatmentSession.objects.select_for_update(of=("self",))
        .select_related("client", "plan__consultation", "appointment", "definition_version", "performer")
        .get(pk=session.pk)
    )


def _text(value: str, *, field: str, limit: int = MAX_TEXT, required: bool = False) -> str:
    try:
        text = clean_plain_text(value or "", max_length=limit)
    except ValueError as exc:
        raise SessionError(f"{field}: {exc}") from exc
    if required and not text:
        raise SessionError(_("%(field)s: this field is required.") % {"field": field})
    return text


@transaction.atomic
def open_session(*, actor: User, appointment: Appointment, request: HttpRequest | None = None) -> TreatmentSession:
    """The session of a booked session appointment; opened once, later calls return it."""
    _require_treat(actor)
    appointment = Appointment.objects.select_for_update(of=("self",)).select_related("plan").get(pk=appointment.pk)
    existing = TreatmentSession.objects.filter(appointment=appointment).first()
    if existing is not None:
        return existing
    if appointment.kind != AppointmentKind.SESSION or appointment.plan is None:
        raise SessionError(_("Only a booked treatment session can be opened."))
    if appointment.status != AppointmentStatus.BOOKED:
        raise SessionError(_("The appointment was cancelled."))
    plan = appointment.plan
    session = TreatmentSession.objects.create(
        client_id=appointment.client_id,
        appointment=appointment,
        plan=plan,
        treatment_id=plan.treatment_id,
        definition_version_id=plan.definition_version_id,
        session_number=appointment.session_number or 1,
        site_id=appointment.site_id,
        performer_id=appointment.practitioner_id,
        opened_by=actor,
    )
    record(action="session.opened", actor=actor, request=request, client=appointment.client, target=session)
    return session


def reconfirm_questions(definition: TreatmentDefinition) -> list[Any]:
    return [q for q in definition.questions if q.reconfirm_each_session]


@transaction.atomic
def reconfirm_health(
    *, actor: User, session: TreatmentSession, answers: dict[str, str], request: HttpRequest | None = None
) -> TreatmentSession:
    """Record today's answers to the questions that can change between sessions
    (pregnancy, breastfeeding, infection or herpes in the area); journaled."""
    _require_treat(actor)
    session = _locked(session)
    if not session.is_preparing:
        raise SessionError(_("The health questions are asked before the session starts."))
    definition = session.definition
    cleaned: dict[str, str] = {}
    for question in reconfirm_questions(definition):
        answer = answers.get(question.key)
        if answer not in ("yes", "no"):
            raise SessionError(
                _("Answer yes or no to: %(question)s")
                % {"question": question.text.get(translation.get_language() or "da")}
            )
        cleaned[question.key] = answer
    now = timezone.now()
    language = translation.get_language() or "da"
    lines = [
        f"{q.text.get(language)} {_('Yes') if cleaned[q.key] == 'yes' else _('No')}"
        for q in reconfirm_questions(definition)
    ]
    record_entry(
        actor=actor,
        client=session.client,
        kind=EntryKind.SCREENING,
        text=_("Health re-confirmed before session %(number)s:") % {"number": session.session_number}
        + "\n"
        + "\n".join(lines),
        content={
            "session": str(session.code),
            "reconfirmation": cleaned,
            "definition_version": session.definition_version.number,
        },
        site=session.site,
        subject=session,
        request=request,
    )
    session.reconfirmation = cleaned
    session.reconfirmed_at = now
    session.reconfirmed_by = actor
    session.save(update_fields=["reconfirmation", "reconfirmed_at", "reconfirmed_by"])
    return session


@transaction.atomic
def override_guide_gate(
    *, actor: User, session: TreatmentSession, reason: str, request: HttpRequest | None = None
) -> TreatmentSession:
    """A doctor's recorded decision to go ahead although the client guide gate fails
    (e.g. a newer version in force that changes nothing material for this client)."""
    if not user_can(actor, Capability.APPROVE_DOCUMENTS):
        raise SessionError(_("Only the responsible doctor can decide to go ahead with this guide version."))
    reason = _text(reason, field=_("Reason"), required=True)
    session = _locked(session)
    if not session.is_preparing:
        raise SessionError(_("The session has already started."))
    if session.guide_override_reason:
        raise SessionError(_("A decision on the client guide is already recorded for this session."))
    guide = next(gate for gate in evaluate_gates(session).gates if gate.key == "guide")
    if guide.ok:
        raise SessionError(_("The client guide gate holds; there is nothing to decide."))
    session.guide_override_reason = reason
    session.guide_override_by = actor
    session.guide_override_at = timezone.now()
    session.save(update_fields=["guide_override_reason", "guide_override_by", "guide_override_at"])
    record(action="session.guide_override", actor=actor, request=request, client=session.client, target=session)
    return session


@transaction.atomic
def start_session(
    *,
    actor: User,
    session: TreatmentSession,
    spacing_reason: str = "",
    request: HttpRequest | None = None,
    now: dt.datetime | None = None,
) -> TreatmentSession:
    """Start the session with `actor` as the performer — only when every gate holds
    now (`SessionBlocked` lists the ones that do not). Keeps what each gate said."""
    _require_treat(actor)
    session = _locked(session)
    if not session.is_preparing:
        raise SessionError(_("The session has already started or ended."))
    spacing_reason = _text(spacing_reason, field=_("Reason"))
    if spacing_reason:
        session.spacing_reason = spacing_reason
    now = now or timezone.now()
    report = evaluate_gates(session, performer=actor, at=now)
    if not report.all_hold:
        raise SessionBlocked(report)
    if report.responsible_doctor is None or report.consent is None:  # the gates hold, so never
        raise SessionError(_("The session cannot start."))
    # What a concurrent withdrawal or cancellation changes: locked and read again, so a
    # consent withdrawn while the gates were read cannot start a session (PostgreSQL;
    # SQLite's IMMEDIATE transactions serialise writers already).
    consent = Consent.objects.select_for_update().get(pk=report.consent.pk)
    appointment = Appointment.objects.select_for_update(of=("self",)).get(pk=session.appointment_id)
    if consent.status != ConsentStatus.ACTIVE or appointment.status != AppointmentStatus.BOOKED:
        raise SessionError(_("The consent or the booking changed just now; check the session again."))
    session.status = SessionStatus.IN_PROGRESS
    session.performer = actor
    session.responsible_doctor = report.responsible_doctor
    session.consent = report.consent
    session.guide_version = report.guide_version
    session.started_at = now
    session.gates = report.as_json() + [{"gate": "warnings", "ok": True, "problems": report.warnings}]
    try:
        with transaction.atomic():
            session.save()
    except IntegrityError as exc:  # the plan's session n is already being treated
        raise SessionError(
            _("Session %(number)s of this plan is already in progress or signed.") % {"number": session.session_number}
        ) from exc
    record(
        action="session.started",
        actor=actor,
        request=request,
        client=session.client,
        target=session,
        responsible_doctor=report.responsible_doctor.pk,
    )
    return session


def record_refused_start(*, session: TreatmentSession, refusal: SessionBlocked, request: HttpRequest) -> None:
    """The audit event of a refused start, written after the action's transaction rolled
    back (the page and the API both call it)."""
    record(
        action="session.start_refused",
        request=request,
        client=session.client,
        target=session,
        outcome=Outcome.DENIED,
        gates=[gate.key for gate in refusal.gates],
    )


def _in_progress_by(actor: User, session: TreatmentSession) -> TreatmentSession:
    _require_treat(actor)
    session = _locked(session)
    if not session.is_in_progress:
        raise SessionError(_("The session is not in progress."))
    if session.performer_id != actor.pk:
        raise SessionError(_("Only %(name)s, who performs the session, can record it.") % {"name": session.performer})
    return session


def planned_steps(session: TreatmentSession) -> list[Any]:
    """The definition's steps for this session: `if_planned` ones only when the plan
    agreed them (peel, numbing cream); the photo step is the start gate's."""
    plan = session.plan
    agreed = {StepKind.PEEL: plan.mild_peel, StepKind.NUMBING_CREAM: plan.numbing_cream}
    steps = []
    for step in session.definition.session_steps:
        if step.requirement == StepRequirement.IF_PLANNED and not agreed.get(step.kind, False):
            continue
        steps.append(step)
    return steps


@transaction.atomic
def record_checklist(
    *,
    actor: User,
    session: TreatmentSession,
    done: list[str],
    area_settings: dict[str, str],
    notes: str = "",
    request: HttpRequest | None = None,
) -> TreatmentSession:
    """The performer's checklist: which steps are done, the settings per planned area
    (e.g. needle depth) and notes. Can be saved as often as needed until signing."""
    session = _in_progress_by(actor, session)
    allowed = {step.key for step in planned_steps(session) if step.kind not in (StepKind.PHOTO, StepKind.PRODUCT)}
    unknown = sorted(set(done) - allowed)
    if unknown:
        raise SessionError(_("These steps are not part of this session: %(steps)s") % {"steps": ", ".join(unknown)})
    areas = []
    for item in session.plan.areas:
        settings_text = _text(area_settings.get(item["area"], ""), field=item["area"], limit=MAX_SETTINGS)
        areas.append({"area": item["area"], "method": item["method"], "settings": settings_text})
    session.steps_done = dict.fromkeys(done, True)
    session.areas = areas
    session.notes = _text(notes, field=_("Notes"))
    session.save(update_fields=["steps_done", "areas", "notes"])
    return session


def parse_quantity(value: Any) -> Decimal:
    try:
        quantity = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError) as exc:
        raise SessionError(_("Give the quantity as a number, e.g. 2,5.")) from exc
    if not quantity.is_finite() or quantity <= 0 or quantity > MAX_QUANTITY:
        raise SessionError(_("The quantity must be more than 0 and at most %(max)s.") % {"max": MAX_QUANTITY})
    if quantity != quantity.quantize(Decimal("0.01")):
        raise SessionError(_("Give the quantity with at most two decimals."))
    return quantity


@transaction.atomic
def add_product(
    *,
    actor: User,
    session: TreatmentSession,
    batch: Batch,
    quantity: Any,
    area: str = "",
    request: HttpRequest | None = None,
) -> ProductUse:
    """Record a product applied: the batch (lot and expiry) and the quantity. An
    expired batch, or one of a product no longer in use, is refused."""
    session = _in_progress_by(actor, session)
    amount = parse_quantity(quantity)
    batch = Batch.objects.select_related("product").get(pk=batch.pk)
    today = timezone.localdate()
    if batch.is_expired_on(today):
        raise SessionError(
            _("Batch %(lot)s expired on %(date)s and must not be used.")
            % {"lot": batch.lot, "date": format_date(batch.expires_on)}
        )
    if not (batch.active and batch.product.active):
        raise SessionError(_("Batch %(lot)s is not in use.") % {"lot": batch.lot})
    area = " ".join((area or "").split())
    planned = {area_key(item["area"]): item["area"] for item in session.plan.areas}
    if area and area_key(area) not in planned:
        raise SessionError(_("%(area)s is not an area of the plan.") % {"area": area})
    use = ProductUse.objects.create(
        session=session, batch=batch, quantity=amount, area=planned.get(area_key(area), ""), recorded_by=actor
    )
    record(
        action="session.product_added",
        actor=actor,
        request=request,
        client=session.client,
        target=session,
        lot=batch.lot,
        quantity=str(amount),
    )
    return use


@transaction.atomic
def remove_product(
    *, actor: User, session: TreatmentSession, use: ProductUse, request: HttpRequest | None = None
) -> None:
    """Take back a product line entered by mistake, before signing."""
    session = _in_progress_by(actor, session)
    if use.session_id != session.pk or use.sealed:
        raise SessionError(_("This product line cannot be removed."))
    lot = use.batch.lot
    use.delete()
    record(
        action="session.product_removed", actor=actor, request=request, client=session.client, target=session, lot=lot
    )


def checklist_problems(session: TreatmentSession, uses: list[ProductUse]) -> list[str]:
    """What must still be recorded before the session can be signed."""
    language = translation.get_language() or "da"
    problems = []
    for step in planned_steps(session):
        if step.requirement == StepRequirement.OPTIONAL or step.kind == StepKind.PHOTO:
            continue
        if step.kind == StepKind.PRODUCT:
            if not uses:
                problems.append(_("Record the product applied, with its batch and quantity."))
        elif step.kind == StepKind.NOTE:
            if not session.notes:
                problems.append(_("Write the note: %(step)s") % {"step": step.name.get(language)})
        elif not session.steps_done.get(step.key):
            problems.append(_("Not marked as done: %(step)s") % {"step": step.name.get(language)})
    recorded = {area_key(item["area"]) for item in session.areas if item.get("settings")}
    for item in session.plan.areas:
        if area_key(item["area"]) not in recorded:
            problems.append(_("Give the method's settings for %(area)s (e.g. needle depth).") % {"area": item["area"]})
    return problems


def aftercare_json(session: TreatmentSession, ended_at: dt.datetime) -> dict[str, Any]:
    """The aftercare as stored: times only (UTC), texts come from the definition in
    whichever language the handout is shown in."""
    plan = aftercare_plan(session.definition, ended_at=ended_at, language="da")
    return {
        "language": session.client.preferred_language or "da",
        "ended_at": ended_at.astimezone(dt.UTC).isoformat(),
        "advice": [
            {
                "key": item.key,
                "kind": item.kind,
                "starts_at": item.starts_at.isoformat(),
                "ends_at": item.ends_at.isoformat() if item.ends_at else None,
            }
            for item in plan.advice
        ],
        "reactions": [
            {
                "key": item.key,
                "usually_gone_from": item.usually_gone_from.isoformat(),
                "usually_gone_by": item.usually_gone_by.isoformat(),
            }
            for item in plan.reactions
        ],
    }


@transaction.atomic
def sign_session(
    *,
    actor: User,
    session: TreatmentSession,
    ended_at: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> TreatmentSession:
    """Sign the session: the journal entry (products, batches, areas, methods and
    settings, performer and responsible doctor, what it rested on), the aftercare with
    its dates (journaled as information given), the stock, and the plan's progress.
    After this the session is read-only; corrections go through the journal."""
    session = _in_progress_by(actor, session)
    now = timezone.now()
    ended_at = ended_at or now
    if timezone.is_naive(ended_at) or ended_at > now + FUTURE_TOLERANCE or session.started_at is None:
        raise SessionError(_("The session must end after it started and not in the future."))
    ended_at = min(ended_at, now)
    if ended_at < session.started_at:
        raise SessionError(_("The session must end after it started and not in the future."))
    uses = list(session.product_uses.select_related("batch__product").order_by("recorded_at", "pk"))
    problems = checklist_problems(session, uses)
    ended_on = timezone.localdate(ended_at)
    for use in uses:
        if use.batch.is_expired_on(ended_on) or not (use.batch.active and use.batch.product.active):
            problems.append(
                _("Batch %(lot)s is expired or no longer in use; remove the line and record what was used.")
                % {"lot": use.batch.lot}
            )
    if problems:
        raise SessionError(_("The session cannot be signed yet: %(problems)s") % {"problems": " ".join(problems)})
    definition = session.definition
    language = translation.get_language() or "da"
    steps = {step.key: step for step in definition.session_steps}
    products = [
        {
            "product": use.batch.product.name,
            "manufacturer": use.batch.product.manufacturer,
            "contains_hyaluronic_acid": use.batch.product.contains_hyaluronic_acid,
            "lot": use.batch.lot,
            "expires_on": use.batch.expires_on.isoformat(),
            "quantity": str(use.quantity),
            "unit": use.batch.product.unit,
            "area": use.area,
        }
        for use in uses
    ]
    doctor = session.responsible_doctor
    lines = [
        _("Session %(number)s of %(total)s: %(treatment)s.")
        % {
            "number": session.session_number,
            "total": session.plan.sessions,
            "treatment": definition.name.get(language),
        },
        _("Performed by %(performer)s; responsible doctor %(doctor)s.")
        % {"performer": session.performer, "doctor": doctor},
        _("Started %(start)s, ended %(end)s.")
        % {"start": format_local_datetime(session.started_at), "end": format_local_datetime(ended_at)},
        _("Steps done: %(steps)s")
        % {"steps": ", ".join(steps[key].name.get(language) for key in session.steps_done if key in steps)},
        *(
            _("%(area)s: %(method)s, %(settings)s")
            % {"area": a["area"], "method": _method_name(definition, a["method"], language), "settings": a["settings"]}
            for a in session.areas
        ),
        *(
            _("Product: %(product)s, batch %(lot)s (expires %(expiry)s), %(quantity)s %(unit)s")
            % {
                "product": use.batch.product.name,
                "lot": use.batch.lot,
                "expiry": format_date(use.batch.expires_on),
                "quantity": use.quantity,
                "unit": use.batch.product.get_unit_display(),
            }
            for use in uses
        ),
    ]
    if session.notes:
        lines.append(_("Notes: %(notes)s") % {"notes": session.notes})
    on_behalf_of = doctor if doctor is not None and doctor.pk != session.performer_id else None
    session.entry = record_entry(
        actor=actor,
        client=session.client,
        kind=EntryKind.SESSION,
        text="\n".join(lines),
        content={
            "session": str(session.code),
            "plan": str(session.plan.code),
            "session_number": session.session_number,
            "treatment": definition.code,
            "definition_version": session.definition_version.number,
            "guide_version": session.guide_version.number if session.guide_version else None,
            "guide_override": session.guide_override_reason,
            "consent": str(session.consent.code) if session.consent else None,
            "performer": session.performer_id,
            "responsible_doctor": doctor.pk if doctor else None,
            "started_at": session.started_at.isoformat(),
            "ended_at": ended_at.isoformat(),
            "gates": session.gates,
            "reconfirmation": session.reconfirmation,
            "steps_done": sorted(session.steps_done),
            "areas": session.areas,
            "products": products,
            "notes": session.notes,
        },
        occurred_at=ended_at,
        on_behalf_of=on_behalf_of,
        site=session.site,
        subject=session,
        request=request,
    )
    session.aftercare = aftercare_json(session, ended_at)
    client_language = session.aftercare["language"]
    with translation.override(client_language):
        aftercare_text = "\n".join(
            [_("Aftercare given for the session of %(date)s:") % {"date": format_local_datetime(ended_at)}]
            + advice_sentences(session, client_language)
        )
    session.aftercare_entry = record_entry(
        actor=actor,
        client=session.client,
        kind=EntryKind.INFORMATION,
        text=aftercare_text,
        content={"session": str(session.code), "aftercare": session.aftercare},
        occurred_at=ended_at,
        site=session.site,
        subject=session,
        request=request,
    )
    for use in uses:
        if use.batch.stock is not None:
            Batch.objects.filter(pk=use.batch_id).update(stock=F("stock") - use.quantity)
    ProductUse.objects.filter(session=session).update(sealed=True)
    session.status = SessionStatus.SIGNED
    session.ended_at = ended_at
    session.signed_at = now
    session.save()
    plan = TreatmentPlan.objects.select_for_update().get(pk=session.plan_id)
    if (
        plan.status == PlanStatus.ACTIVE
        and TreatmentSession.objects.signed().filter(plan=plan).count() >= plan.sessions
    ):
        plan.status = PlanStatus.COMPLETED
        plan.save(update_fields=["status"])
    record(action="session.signed", actor=actor, request=request, client=session.client, target=session)
    return session


def _method_name(definition: TreatmentDefinition, key: str, language: str) -> str:
    method = definition.method(key)
    return method.name.get(language) if method is not None else key


@transaction.atomic
def stop_session(
    *, actor: User, session: TreatmentSession, reason: str, request: HttpRequest | None = None
) -> TreatmentSession:
    """Stop a session that will not be completed, with a reason. A started session is
    journaled with what was already applied; one never started only audited."""
    _require_treat(actor)
    reason = _text(reason, field=_("Reason"), required=True)
    session = _locked(session)
    if session.status not in (SessionStatus.PREPARING, SessionStatus.IN_PROGRESS):
        raise SessionError(_("The session has already ended."))
    if session.is_in_progress:
        if session.performer_id != actor.pk and not user_can(actor, Capability.ASSESS_CLIENTS):
            raise SessionError(_("Only %(name)s, who performs the session, can stop it.") % {"name": session.performer})
        uses = list(session.product_uses.select_related("batch__product"))
        record_entry(
            actor=actor,
            client=session.client,
            kind=EntryKind.SESSION,
            text=_("Session %(number)s stopped before it was completed: %(reason)s")
            % {"number": session.session_number, "reason": reason}
            + "".join(f"\n{use.batch.product.name}, {use.batch.lot}, {use.quantity}" for use in uses),
            content={
                "session": str(session.code),
                "stopped": True,
                "reason": reason,
                "products": [{"lot": use.batch.lot, "quantity": str(use.quantity)} for use in uses],
            },
            site=session.site,
            subject=session,
            request=request,
        )
        ProductUse.objects.filter(session=session).update(sealed=True)
    session.status = SessionStatus.STOPPED
    session.stopped_at = timezone.now()
    session.stopped_by = actor
    session.stop_reason = reason
    session.save(update_fields=["status", "stopped_at", "stopped_by", "stop_reason"])
    if session.appointment.status == AppointmentStatus.BOOKED:
        # The session number is free to be booked again (a later session needs it signed).
        from skinchart.scheduling.actions import cancel_appointment

        cancel_appointment(actor=actor, appointment=session.appointment, request=request)
    record(action="session.stopped", actor=actor, request=request, client=session.client, target=session)
    return session
