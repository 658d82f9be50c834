"""A plan's course: sessions done, the next session's window and booking, maintenance
after the last session, and the plan page that shows it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from uuid import uuid4

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from skinchart.accounts.models import User
from skinchart.clients.models import Client
from skinchart.scheduling.models import Appointment
from skinchart.sessions import actions
from skinchart.sessions.models import TreatmentSession
from skinchart.sessions.progress import Window, local_day, plan_progress
from skinchart.sessions.tests.setup import Ready, book_today, complete_checklist, informed_plan, ready_session

pytestmark = pytest.mark.django_db

SignIn = Callable[[User], HttpClient]


@pytest.fixture
def ready(doctor: User, nurse: User, client_record: Client) -> Ready:
    return ready_session(doctor=doctor, nurse=nurse, client=client_record)


def sign(ready: Ready, *, number: int = 1) -> TreatmentSession:
    """Ready's session as session `number` of the plan, started and signed now. It starts
    as session 1 (a later one needs the earlier ones signed, which the tests add after)
    and is renumbered while in progress."""
    session = actions.start_session(actor=ready.nurse, session=TreatmentSession.objects.get(pk=ready.session.pk))
    if number != 1:
        TreatmentSession.objects.filter(pk=ready.session.pk).update(session_number=number)
        Appointment.objects.filter(pk=ready.session.appointment_id).update(session_number=number)
        session.refresh_from_db()
    complete_checklist(ready)
    return actions.sign_session(actor=ready.nurse, session=session)


def signed_earlier(session: TreatmentSession, *, number: int, days: int) -> TreatmentSession:
    """A copy of the signed `session` as session `number`, signed `days` earlier, with
    its own appointment (written at the model level: the flow has its own tests)."""
    shift = dt.timedelta(days=days)
    appointment = Appointment.objects.get(pk=session.appointment_id)
    appointment.pk, appointment.code, appointment.session_number = None, uuid4(), number
    appointment.start, appointment.end = appointment.start - shift, appointment.end - shift
    appointment.save(force_insert=True)
    copy = TreatmentSession.objects.get(pk=session.pk)
    copy.pk, copy.code, copy.appointment, copy.session_number = None, uuid4(), appointment, number
    for field in ("opened_at", "started_at", "ended_at", "signed_at"):
        setattr(copy, field, getattr(copy, field) - shift)
    copy.save(force_insert=True)
    return copy


def test_a_new_plan_waits_for_its_first_session(doctor: User, nurse: User, client_record: Client) -> None:
    plan = informed_plan(doctor=doctor, nurse=nurse, client=client_record)
    day = plan.first_session_on

    progress = plan_progress(plan, today=day)

    assert (progress.done, progress.total, progress.complete) == (0, 3, False)
    assert progress.next_number == 1
    assert progress.next_window == Window(day, day)
    assert (progress.next_booked, progress.overdue, progress.proposed_next) == (False, False, day)
    assert progress.maintenance_window is None


def test_an_unbooked_first_session_is_overdue_after_its_date(doctor: User, nurse: User, client_record: Client) -> None:
    plan = informed_plan(doctor=doctor, nurse=nurse, client=client_record)
    later = plan.first_session_on + dt.timedelta(days=3)

    progress = plan_progress(plan, today=later)

    assert progress.overdue is True
    assert progress.proposed_next == later  # a first session keeps no interval: as soon as possible


def test_a_booked_first_session_is_not_overdue(ready: Ready) -> None:
    progress = plan_progress(ready.plan, today=ready.plan.first_session_on + dt.timedelta(days=3))

    assert progress.next_booked is True
    assert progress.next_appointment == ready.session.appointment
    assert progress.overdue is False


def test_after_one_session_the_next_is_due_two_to_three_weeks_later(ready: Ready) -> None:
    session = sign(ready)
    day = local_day(session.ended_at)

    progress = plan_progress(ready.plan, today=day)

    assert (progress.done, progress.total) == (1, 3)
    assert [(s.session_number, s.performer) for s in progress.signed] == [(1, ready.nurse)]
    assert progress.next_number == 2
    assert progress.next_window == Window(day + dt.timedelta(days=14), day + dt.timedelta(days=21))
    assert progress.proposed_next == day + dt.timedelta(days=14)
    assert (progress.next_booked, progress.overdue) == (False, False)


def test_within_the_window_today_is_proposed_and_after_it_the_session_is_overdue(ready: Ready) -> None:
    day = local_day(sign(ready).ended_at)

    within = plan_progress(ready.plan, today=day + dt.timedelta(days=17))
    after = plan_progress(ready.plan, today=day + dt.timedelta(days=22))

    assert (within.proposed_next, within.overdue) == (day + dt.timedelta(days=17), False)
    assert (after.proposed_next, after.overdue) == (None, True)


def test_a_booked_next_session_is_not_overdue(ready: Ready) -> None:
    day = local_day(sign(ready).ended_at)
    book_today(ready.plan, ready.nurse, ready.site, number=2)

    progress = plan_progress(ready.plan, today=day + dt.timedelta(days=30))

    assert progress.next_booked is True
    assert progress.overdue is False


def test_a_complete_course_gives_the_maintenance_window(ready: Ready) -> None:
    last = sign(ready, number=3)
    signed_earlier(last, number=1, days=30)
    signed_earlier(last, number=2, days=15)
    day = local_day(last.ended_at)

    progress = plan_progress(ready.plan, today=day)

    assert (progress.done, progress.complete, progress.next_number, progress.next_window) == (3, True, None, None)
    assert [s.session_number for s in progress.signed] == [1, 2, 3]
    assert progress.maintenance_window == Window(day + dt.timedelta(days=42), day + dt.timedelta(days=84))
    assert progress.overdue is False


def test_progress_takes_two_queries_whatever_the_number_of_sessions(ready: Ready) -> None:
    last = sign(ready, number=3)
    with CaptureQueriesContext(connection) as one:
        plan_progress(ready.plan)
    signed_earlier(last, number=1, days=30)
    with CaptureQueriesContext(connection) as three:
        plan_progress(ready.plan)

    assert len(one.captured_queries) == 2
    assert len(three.captured_queries) == 2


# --- the plan page -------------------------------------------------------------------------


def plan_url(ready: Ready) -> str:
    return reverse("consultations:plan", kwargs={"code": ready.plan.code})


def test_the_plan_page_shows_the_course_progress(ready: Ready, sign_in: SignIn) -> None:
    session = sign(ready)
    day = local_day(session.ended_at)

    page = sign_in(ready.nurse).get(plan_url(ready), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "1 of 3 sessions completed" in page
    assert "Session 2 is due between " in page
    assert f"{day + dt.timedelta(days=14):%d.%m.%Y} and {day + dt.timedelta(days=21):%d.%m.%Y}" in page
    assert f"Proposed next session: <strong>{day + dt.timedelta(days=14):%d.%m.%Y}</strong>" in page
    assert f'href="{session.get_absolute_url()}"' in page
    assert reverse("treatment_sessions:aftercare_pdf", kwargs={"code": session.code}) in page
    assert reverse("treatment_sessions:aftercare_ics", kwargs={"code": session.code}) in page


def test_the_plan_page_in_danish_shows_the_window_dates(ready: Ready, sign_in: SignIn) -> None:
    day = local_day(sign(ready).ended_at)

    response = sign_in(ready.nurse).get(plan_url(ready))

    assert response.status_code == 200
    assert response.context["progress"].done == 1
    page = response.content.decode()
    assert f"{day + dt.timedelta(days=14):%d.%m.%Y}" in page
    assert f"{day + dt.timedelta(days=21):%d.%m.%Y}" in page


def test_the_plan_page_shows_maintenance_after_the_course(ready: Ready, sign_in: SignIn) -> None:
    last = sign(ready, number=3)
    signed_earlier(last, number=1, days=30)
    signed_earlier(last, number=2, days=15)
    day = local_day(last.ended_at)

    page = sign_in(ready.nurse).get(plan_url(ready), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "3 of 3 sessions completed" in page
    assert "The course is complete." in page
    assert f"Maintenance is due between {day + dt.timedelta(days=42):%d.%m.%Y} and" in page


def test_the_plan_page_takes_as_many_queries_for_three_sessions_as_for_one(
    doctor: User, nurse: User, client_record: Client, sign_in: SignIn
) -> None:
    ready = ready_session(doctor=doctor, nurse=nurse, client=client_record, sessions=5)
    last = sign(ready, number=3)
    http = sign_in(ready.nurse)
    http.get(plan_url(ready))  # warm up the login session
    with CaptureQueriesContext(connection) as one:
        assert http.get(plan_url(ready)).context["progress"].done == 1
    signed_earlier(last, number=1, days=30)
    signed_earlier(last, number=2, days=15)
    with CaptureQueriesContext(connection) as three:
        assert http.get(plan_url(ready)).context["progress"].done == 3

    assert len(three.captured_queries) == len(one.captured_queries)
