"""Booking and cancelling appointments.

A booking is refused (`BookingError`) when it breaks a hard rule: the time grid, a
practitioner or room that is not available, a session whose plan is not ready or whose
reflection period has not ended (REG-3). It needs a stated reason
(`BookingNeedsReason`) when it only goes against advice: the course's interval window
or a spacing rule to another treatment ("plan individually"). The warnings and the
reason are stored on the appointment, never dropped silently."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from skinchart.accounts.models import Site, User
from skinchart.accounts.permissions import Capability, user_can
from skinchart.audit.log import record
from skinchart.catalogue.definition import Enforcement, TreatmentDefinition
from skinchart.clients.models import Client
from skinchart.consultations.models import TreatmentPlan
from skinchart.lib.dates import format_local_datetime, reflection_ends_at
from skinchart.scheduling.models import (
    SLOT_MINUTES,
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    ResourceKind,
    Room,
    SlotClaim,
)

MAX_DURATION = dt.timedelta(hours=8)
CLOCK_SKEW = dt.timedelta(minutes=5)


class BookingError(Exception):
    """The booking (or cancellation) is refused; the message says why."""


class BookingNeedsReason(BookingError):
    """The booking goes against advice; it may go ahead with a stated reason."""

    def __init__(self, warnings: list[str]) -> None:
        super().__init__(_("This booking needs a reason: %(warnings)s") % {"warnings": " ".join(warnings)})
        self.warnings = warnings


@transaction.atomic
def book_appointment(
    *,
    actor: User,
    client: Client,
    site: Site,
    practitioner: User,
    room: Room | None,
    start: dt.datetime,
    end: dt.datetime,
    kind: str,
    plan: TreatmentPlan | None = None,
    session_number: int | None = None,
    override_reason: str = "",
    request: HttpRequest | None = None,
    now: dt.datetime | None = None,
) -> Appointment:
    """Book one appointment. `now` is for tests of dates far from today."""
    needed = Capability.VIEW_CLINICAL if kind == AppointmentKind.SESSION else Capability.EDIT_CLIENTS
    if not user_can(actor, needed):
        raise BookingError(_("You may not book this kind of appointment."))
    # One booking per client at a time: the interval and spacing checks below read the
    # client's other bookings, which a concurrent booking must not change underneath.
    Client.objects.select_for_update().filter(pk=client.pk).first()
    check_times(start, end, now=now or timezone.now())
    check_resources(site=site, practitioner=practitioner, room=room, kind=kind)
    warnings: list[str] = []
    if kind == AppointmentKind.SESSION:
        if plan is None or room is None:
            raise BookingError(_("A treatment session needs a treatment plan and a room."))
        check_session(client=client, plan=plan, practitioner=practitioner, start=start, session_number=session_number)
        warnings = interval_warnings(plan, start) + spacing_warnings(client, plan.definition, start, end)
    elif plan is not None or session_number is not None:
        raise BookingError(_("A pre-consultation is not booked on a treatment plan."))
    override_reason = override_reason.strip()
    if warnings and not override_reason:
        raise BookingNeedsReason(warnings)
    appointment = create_appointment(
        actor=actor,
        client=client,
        site=site,
        practitioner=practitioner,
        room=room,
        kind=kind,
        treatment=plan.treatment if plan is not None else None,
        plan=plan,
        session_number=session_number,
        start=start,
        end=end,
        warnings=warnings,
        override_reason=override_reason if warnings else "",
    )
    claim_slots(appointment)
    record(
        action="scheduling.appointment_booked",
        actor=actor,
        request=request,
        client=client,
        target=appointment,
        kind=kind,
        start=appointment.start.isoformat(),
        warnings=len(warnings),
    )
    return appointment


def check_times(start: dt.datetime, end: dt.datetime, *, now: dt.datetime) -> None:
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise BookingError(_("The start and end need a time zone."))
    if end <= start:
        raise BookingError(_("The appointment must end after it starts."))
    if end.astimezone(dt.UTC) - start.astimezone(dt.UTC) > MAX_DURATION:  # elapsed time, counted in UTC
        raise BookingError(_("An appointment may last at most 8 hours."))
    for moment in (start, end):
        utc = moment.astimezone(dt.UTC)
        if utc.minute % SLOT_MINUTES or utc.second or utc.microsecond:
            raise BookingError(_("Appointments start and end on whole 5 minutes (e.g. 10:05)."))
    if start < now - CLOCK_SKEW:
        raise BookingError(_("The time has already passed."))


def check_resources(*, site: Site, practitioner: User, room: Room | None, kind: str) -> None:
    if kind not in AppointmentKind.values:
        raise BookingError(_("Unknown kind of appointment."))
    # A pre-consultation needs the right to do one (a cosmetologist never does, REG-2);
    # a session the right to treat.
    needed = Capability.PRE_CONSULT if kind == AppointmentKind.PRE_CONSULTATION else Capability.TREAT
    if not (practitioner.is_active and user_can(practitioner, needed)):
        raise BookingError(_("%(name)s cannot take this kind of appointment.") % {"name": practitioner})
    if room is not None and (room.site_id != site.pk or not room.active):
        raise BookingError(_("The room is not in use at this site."))


def check_session(
    *, client: Client, plan: TreatmentPlan, practitioner: User, start: dt.datetime, session_number: int | None
) -> None:
    if plan.client_id != client.pk:
        raise BookingError(_("The treatment plan belongs to another client."))
    problems = plan.readiness_problems()
    if problems:
        raise BookingError(" ".join(problems))
    if session_number is None or not 1 <= session_number <= plan.sessions:
        raise BookingError(_("The plan has sessions 1 to %(count)d.") % {"count": plan.sessions})
    definition = plan.definition
    # REG-1: 18 or older on the day of the session itself, not only at the pre-consultation.
    session_day = timezone.localdate(start)
    if not client.is_adult_on(session_day, adult_age=definition.screening.minimum_age):
        raise BookingError(
            _("The client is under %(age)s on %(date)s.")
            % {"age": definition.screening.minimum_age, "date": session_day.strftime("%d.%m.%Y")}
        )
    for key in plan.methods():
        method = definition.method(key)
        if method is not None and not practitioner.has_role(*method.performer_roles):
            raise BookingError(
                _("%(name)s may not perform %(method)s.")
                % {"name": practitioner, "method": method_name(definition, key)}
            )
    check_reflection(plan, start)


def method_name(definition: TreatmentDefinition, key: str) -> str:
    method = definition.method(key)
    return method.name.get(translation.get_language() or "da") if method is not None else key


def check_reflection(plan: TreatmentPlan, start: dt.datetime) -> None:
    """REG-3: the reflection period of every planned method, counted from the oral
    information, DST-safe; never on the information's calendar day unless allowed."""
    informed_at = plan.information_given_at()
    if informed_at is None:
        raise BookingError(_("Record the oral information before booking a session."))
    definition = plan.definition
    for rule in plan.reflection_rules():
        earliest = reflection_ends_at(informed_at, rule["hours"])
        if start < earliest:
            raise BookingError(
                _("The reflection period for %(method)s ends %(earliest)s; book the session from then on.")
                % {"method": method_name(definition, rule["method"]), "earliest": format_local_datetime(earliest)}
            )
        if not rule["same_day_allowed"] and timezone.localdate(start) == timezone.localdate(informed_at):
            raise BookingError(
                _("%(method)s may not be done on the day the client was informed.")
                % {"method": method_name(definition, rule["method"])}
            )


def local_days_between(earlier: dt.datetime, later: dt.datetime) -> int:
    return (timezone.localdate(later) - timezone.localdate(earlier)).days


def interval_warnings(plan: TreatmentPlan, start: dt.datetime) -> list[str]:
    """The course's interval window to the plan's booked sessions before and after."""
    sessions = Appointment.objects.booked().filter(plan=plan, kind=AppointmentKind.SESSION)
    before = sessions.filter(start__lt=start).order_by("-start").first()
    after = sessions.filter(start__gt=start).order_by("start").first()
    window = {"min": plan.interval_min_days, "max": plan.interval_max_days}
    warnings = []
    if before is not None:
        days = local_days_between(before.start, start)
        if not plan.interval_min_days <= days <= plan.interval_max_days:
            warnings.append(
                _("%(days)d days after the previous session on %(date)s; the plan says %(min)d to %(max)d days.")
                % {"days": days, "date": format_local_datetime(before.start), **window}
            )
    if after is not None:
        days = local_days_between(start, after.start)
        if not plan.interval_min_days <= days <= plan.interval_max_days:
            warnings.append(
                _("%(days)d days before the next session on %(date)s; the plan says %(min)d to %(max)d days.")
                % {"days": days, "date": format_local_datetime(after.start), **window}
            )
    return warnings


def spacing_warnings(
    client: Client, definition: TreatmentDefinition, start: dt.datetime, end: dt.datetime
) -> list[str]:
    """PRODUCT.md §2 step 11: the gap to the client's sessions of other treatments.
    Raises BookingError for a blocking rule with a fixed gap."""
    rules = {rule.other: rule for rule in definition.spacing}
    if not rules:
        return []
    review_days = settings.SPACING_REVIEW_DAYS
    widest = max([review_days, *(rule.min_gap_days or 0 for rule in rules.values())])
    nearby = (
        Appointment.objects.booked()
        .filter(client=client, kind=AppointmentKind.SESSION, treatment__code__in=list(rules))
        .filter(start__lt=end + dt.timedelta(days=widest + 1), end__gt=start - dt.timedelta(days=widest + 1))
        .select_related("treatment")
        .order_by("start")
    )
    language = translation.get_language() or "da"
    warnings = []
    for other in nearby:
        rule = rules[other.treatment.code if other.treatment is not None else ""]
        days = abs(local_days_between(other.start, start))
        facts: dict[str, Any] = {
            "other": rule.name.get(language),
            "date": format_local_datetime(other.start),
            "days": days,
        }
        if rule.min_gap_days is None:
            if days <= review_days:
                warnings.append(
                    _("%(other)s is booked on %(date)s, %(days)d days apart: plan the order and timing individually.")
                    % facts
                )
        elif days < rule.min_gap_days:
            message = _("%(other)s is booked on %(date)s, %(days)d days apart; keep at least %(gap)d days.") % {
                **facts,
                "gap": rule.min_gap_days,
            }
            if rule.enforcement == Enforcement.BLOCK:
                raise BookingError(message)
            warnings.append(message)
    return warnings


def create_appointment(**fields: Any) -> Appointment:
    try:
        with transaction.atomic():
            return Appointment.objects.create(created_by=fields.pop("actor"), **fields)
    except IntegrityError as exc:
        if fields["session_number"] is None:
            raise
        # The one-booking-per-session constraint (the checks above keep the others).
        raise BookingError(
            _("Session %(number)s of this plan is already booked.") % {"number": fields["session_number"]}
        ) from exc


def claim_slots(appointment: Appointment) -> None:
    """One claim per 5 minutes for the practitioner and for the room; the database
    refuses a slot that another booked appointment holds (ADR 0009). The claims are
    written in one global order so concurrent bookings cannot deadlock."""
    resources = [(ResourceKind.PRACTITIONER, appointment.practitioner_id)]
    if appointment.room_id is not None:
        resources.append((ResourceKind.ROOM, appointment.room_id))
    claims = [
        SlotClaim(resource_kind=kind, resource_id=resource_id, slot_start=slot, appointment=appointment)
        for kind, resource_id in sorted(resources)
        for slot in appointment.slot_starts()
    ]
    try:
        with transaction.atomic():
            SlotClaim.objects.bulk_create(claims)
    except IntegrityError as exc:
        raise BookingError(taken_message(appointment)) from exc


def taken_message(appointment: Appointment) -> str:
    slots = list(appointment.slot_starts())
    taken = SlotClaim.objects.filter(slot_start__in=slots).exclude(appointment=appointment)
    practitioner = taken.filter(resource_kind=ResourceKind.PRACTITIONER, resource_id=appointment.practitioner_id)
    room = taken.filter(resource_kind=ResourceKind.ROOM, resource_id=appointment.room_id or 0)
    if practitioner.exists() and room.exists():
        return _("Both %(name)s and the room are already booked at that time.") % {"name": appointment.practitioner}
    if practitioner.exists():
        return _("%(name)s is already booked at that time.") % {"name": appointment.practitioner}
    if room.exists():
        return _("The room is already booked at that time.")
    return _("The time was just booked by someone else; please choose the time again.")


@transaction.atomic
def cancel_appointment(*, actor: User, appointment: Appointment, request: HttpRequest | None = None) -> Appointment:
    """Cancel a booked appointment and free its practitioner's and room's slots. Not
    once its treatment session has started: that session is signed or stopped instead."""
    from skinchart.sessions.models import SessionStatus, TreatmentSession  # sessions build on scheduling

    if TreatmentSession.objects.filter(
        appointment=appointment, status__in=[SessionStatus.IN_PROGRESS, SessionStatus.SIGNED]
    ).exists():
        raise BookingError(_("The session of this appointment has started; stop or sign it instead."))
    cancelled = Appointment.objects.filter(pk=appointment.pk, status=AppointmentStatus.BOOKED).update(
        status=AppointmentStatus.CANCELLED, cancelled_by=actor, cancelled_at=timezone.now()
    )
    if cancelled != 1:  # a conditional update: two cancels at once cancel once
        raise BookingError(_("The appointment is already cancelled."))
    appointment.refresh_from_db(fields=["status", "cancelled_by", "cancelled_at"])
    SlotClaim.objects.filter(appointment=appointment).delete()
    record(
        action="scheduling.appointment_cancelled",
        actor=actor,
        request=request,
        client=appointment.client,
        target=appointment,
        kind=appointment.kind,
        start=appointment.start.isoformat(),
    )
    return appointment
