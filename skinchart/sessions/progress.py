"""A treatment plan's course: how many sessions are done, when the next one is due and
whether it is booked, and — once the course is complete — the maintenance window
(PRODUCT.md §2 step 11).

Windows are local calendar days (Europe/Copenhagen) counted from the local date of the
last signed session, like the booking's interval warnings. Two queries whatever the
number of sessions: the plan's sessions, and the booking of the next one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from skinchart.consultations.models import PlanStatus, TreatmentPlan
from skinchart.scheduling.models import Appointment, AppointmentKind
from skinchart.sessions.models import SessionStatus, TreatmentSession


@dataclass(frozen=True)
class Window:
    """From `earliest` to `latest`, both local dates included."""

    earliest: dt.date
    latest: dt.date


@dataclass(frozen=True)
class Progress:
    total: int
    sessions: tuple[TreatmentSession, ...]  # every session of the plan, by number
    signed: tuple[TreatmentSession, ...]  # the signed ones, in the order they ended
    next_number: int | None  # None: the course is complete, or the plan withdrawn
    next_window: Window | None
    next_appointment: Appointment | None  # the booking of the next session, if any
    maintenance_window: Window | None  # after the last session of a complete course
    today: dt.date

    @property
    def done(self) -> int:
        return len(self.signed)

    @property
    def complete(self) -> bool:
        return self.done >= self.total

    @property
    def last_signed(self) -> TreatmentSession | None:
        return self.signed[-1] if self.signed else None

    @property
    def next_booked(self) -> bool:
        return self.next_appointment is not None

    @property
    def overdue(self) -> bool:
        """The next session's window has passed and it is not booked."""
        return self.next_window is not None and self.today > self.next_window.latest and not self.next_booked

    @property
    def proposed_next(self) -> dt.date | None:
        """The date to propose for the next session: the window's first day, or today
        once that has passed and the window is still open. The first session has no
        interval to keep, so it is proposed for today when its date has passed."""
        window = self.next_window
        if window is None:
            return None
        if self.today <= window.earliest:
            return window.earliest
        if self.today <= window.latest or not self.signed:
            return self.today
        return None


def local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def next_session_window(plan: TreatmentPlan, last_day: dt.date) -> Window:
    """The window for the session after one on `last_day`."""
    return Window(
        last_day + dt.timedelta(days=plan.interval_min_days),
        last_day + dt.timedelta(days=plan.interval_max_days),
    )


def maintenance_window(plan: TreatmentPlan, last_day: dt.date) -> Window | None:
    """When maintenance is due after a course ending on `last_day`, if the plan sets it."""
    if plan.maintenance_min_days is None or plan.maintenance_max_days is None:
        return None
    return Window(
        last_day + dt.timedelta(days=plan.maintenance_min_days),
        last_day + dt.timedelta(days=plan.maintenance_max_days),
    )


def plan_progress(plan: TreatmentPlan, *, today: dt.date | None = None) -> Progress:
    today = today or timezone.localdate()
    sessions = tuple(
        TreatmentSession.objects.filter(plan=plan)
        .select_related("performer")
        .order_by("session_number", "opened_at", "pk")
    )
    signed = tuple(sorted((s for s in sessions if s.is_signed), key=lambda s: (s.ended_at, s.session_number)))
    numbers_done = {s.session_number for s in signed}
    remaining = [n for n in range(1, plan.sessions + 1) if n not in numbers_done]
    complete = len(signed) >= plan.sessions
    last_day = local_day(signed[-1].ended_at) if signed and signed[-1].ended_at else None
    next_number = remaining[0] if remaining and not complete and plan.status != PlanStatus.WITHDRAWN else None
    next_window: Window | None = None
    next_appointment: Appointment | None = None
    if next_number is not None:
        if last_day is None:
            next_window = Window(plan.first_session_on, plan.first_session_on)
        else:
            next_window = next_session_window(plan, last_day)
        next_appointment = (
            Appointment.objects.booked()
            .filter(plan=plan, kind=AppointmentKind.SESSION, session_number=next_number)
            .exclude(treatment_session__status=SessionStatus.STOPPED)
            .select_related("practitioner")
            .first()
        )
    return Progress(
        total=plan.sessions,
        sessions=sessions,
        signed=signed,
        next_number=next_number,
        next_window=next_window,
        next_appointment=next_appointment,
        maintenance_window=maintenance_window(plan, last_day) if complete and last_day is not None else None,
        today=today,
    )


def proposed_dates(plan: TreatmentPlan, progress: Progress) -> list[dt.date | None]:
    """Per session number of the plan: the local date it was signed on, or the date to
    propose — the next one's from its window, each later one the shortest interval on."""
    signed = {s.session_number: local_day(s.ended_at) for s in progress.signed if s.ended_at is not None}
    following = progress.proposed_next or (progress.next_window.earliest if progress.next_window else None)
    dates: list[dt.date | None] = []
    for number, default in enumerate(plan.proposed_dates(), start=1):
        if number in signed:
            dates.append(signed[number])
        elif following is not None and progress.next_number is not None and number >= progress.next_number:
            dates.append(following + dt.timedelta(days=plan.interval_min_days * (number - progress.next_number)))
        else:
            dates.append(default)
    return dates
