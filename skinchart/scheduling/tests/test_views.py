"""The day view, the booking form and cancelling, over HTTP."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.conf import settings
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from skinchart.accounts.models import Role, Site, User
from skinchart.accounts.tests.factories import UserFactory
from skinchart.audit.models import AuditEvent
from skinchart.clients.models import Client
from skinchart.clients.tests.factories import ClientFactory
from skinchart.consultations.models import TreatmentPlan
from skinchart.journal.models import CareAssignment
from skinchart.scheduling.actions import book_appointment
from skinchart.scheduling.models import Appointment, AppointmentKind, AppointmentStatus, Room, SlotClaim
from skinchart.scheduling.tests.conftest import Documents, future_day, local
from skinchart.scheduling.tests.factories import inform, make_plan

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)
SignIn = Callable[[User], HttpClient]


def english(http: HttpClient) -> HttpClient:
    http.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return http


def day_url(day: dt.date, **codes: object) -> str:
    query = "".join(f"&{key}={value}" for key, value in codes.items())
    return f"/scheduling/day/?date={day:%d.%m.%Y}{query}"


def book_url(client: Client, plan: TreatmentPlan | None = None, session: int | None = None) -> str:
    query = f"?plan={plan.code}&session={session}" if plan is not None else ""
    return f"/clients/{client.code}/appointments/new/{query}"


def appointment_at(
    start: dt.datetime, *, practitioner: User, room: Room, client: Client | None = None, minutes: int = 30
) -> Appointment:
    """A pre-consultation booked with `now` just before it (dates of any year)."""
    return book_appointment(
        actor=practitioner,
        client=client or ClientFactory(),
        site=room.site,
        practitioner=practitioner,
        room=room,
        start=start,
        end=start.astimezone(dt.UTC) + dt.timedelta(minutes=minutes),
        kind=AppointmentKind.PRE_CONSULTATION,
        now=start,
    )


# --- the day view ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "inside", "outside"),
    [
        (
            dt.date(2027, 6, 9),
            [local(2027, 6, 9, 0, 0), local(2027, 6, 9, 10), local(2027, 6, 9, 23, 30)],
            [local(2027, 6, 8, 23, 30), local(2027, 6, 10, 0, 0)],
        ),
        (  # 25 hours: the clocks go back at 03:00
            dt.date(2027, 10, 31),
            [local(2027, 10, 31, 0, 30), local(2027, 10, 31, 2, 30), local(2027, 10, 31, 23, 30)],
            [local(2027, 10, 30, 23, 30), local(2027, 11, 1, 0, 0)],
        ),
        (  # 23 hours: the clocks go forward at 02:00
            dt.date(2027, 3, 28),
            [local(2027, 3, 28, 0, 0), local(2027, 3, 28, 3, 0), local(2027, 3, 28, 23, 30)],
            [local(2027, 3, 27, 23, 30), local(2027, 3, 29, 0, 0)],
        ),
    ],
    ids=["ordinary-day", "autumn-dst-day", "spring-dst-day"],
)
def test_the_day_view_shows_exactly_the_appointments_of_that_local_day(
    sign_in: SignIn, doctor: User, room: Room, day: dt.date, inside: list[dt.datetime], outside: list[dt.datetime]
) -> None:
    shown = [appointment_at(start, practitioner=doctor, room=room) for start in inside]
    hidden = [appointment_at(start, practitioner=doctor, room=room) for start in outside]

    response = sign_in(doctor).get(day_url(day))

    assert response.status_code == 200
    assert [a.code for a in response.context["appointments"]] == [a.code for a in shown]
    body = response.content.decode()
    assert all(a.client.full_name in body for a in shown)
    assert not any(a.client.full_name in body for a in hidden)


def test_the_day_view_of_a_room_shows_only_that_room(sign_in: SignIn, reception: User, room: Room) -> None:
    other_room = Room.objects.create(site=room.site, name="Room 2")
    nurse = UserFactory(roles=[Role.NURSE])
    here = appointment_at(local(2027, 6, 9, 10), practitioner=nurse, room=room)
    there = appointment_at(local(2027, 6, 9, 10), practitioner=UserFactory(roles=[Role.DOCTOR]), room=other_room)

    response = sign_in(reception).get(day_url(dt.date(2027, 6, 9), room=room.code))

    assert [a.code for a in response.context["appointments"]] == [here.code]
    assert there.client.full_name not in response.content.decode()


def test_the_day_view_shows_a_practitioners_own_day_by_default_and_everyones_on_request(
    sign_in: SignIn, doctor: User, room: Room, other_room: Room
) -> None:
    today = timezone.localdate()
    nurse = UserFactory(roles=[Role.NURSE])
    start = timezone.make_aware(dt.datetime.combine(today, dt.time(23, 30)))
    own = appointment_at(start, practitioner=doctor, room=room)
    theirs = appointment_at(start, practitioner=nurse, room=other_room)
    http = sign_in(doctor)

    by_default = http.get("/scheduling/day/")
    everyone = http.get(f"/scheduling/day/?date={today:%d.%m.%Y}&practitioner=&room=")

    assert [a.code for a in by_default.context["appointments"]] == [own.code]
    assert {a.code for a in everyone.context["appointments"]} == {own.code, theirs.code}


def test_reception_sees_everyones_day_by_default(sign_in: SignIn, reception: User, doctor: User, room: Room) -> None:
    start = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(23, 30)))
    appointment = appointment_at(start, practitioner=doctor, room=room)

    response = sign_in(reception).get("/scheduling/day/")

    assert [a.code for a in response.context["appointments"]] == [appointment.code]


@pytest.mark.parametrize(
    "query",
    [
        "date=31.02.2027",
        "date=yesterday",
        "date=01.01.9999",
        "date=01.01.0001",
        "practitioner=not-a-uuid",
        "practitioner=00000000-0000-0000-0000-000000000000",
        "room=12345",
        "date=%00",
    ],
)
def test_bad_choices_show_a_form_error_and_the_default_day(sign_in: SignIn, doctor: User, query: str) -> None:
    response = english(sign_in(doctor)).get(f"/scheduling/day/?{query}")

    assert response.status_code == 200
    assert response.context["form"].errors
    assert response.context["date"] == timezone.localdate()
    assert 'class="errorlist' in response.content.decode()


def test_the_day_view_needs_a_role_that_sees_clients(sign_in: SignIn, admin_user: User) -> None:
    assert sign_in(admin_user).get("/scheduling/day/").status_code == 403


def test_the_day_view_makes_the_same_number_of_queries_for_1_and_10_appointments(
    sign_in: SignIn, reception: User, site: Site
) -> None:
    day = dt.date(2027, 6, 9)
    http = sign_in(reception)
    rooms = [Room.objects.create(site=site, name=f"Room {n}") for n in range(10)]
    practitioners = [UserFactory(roles=[Role.NURSE]) for _ in range(10)]
    appointment_at(local(2027, 6, 9, 9), practitioner=practitioners[0], room=rooms[0])
    http.get(day_url(day))  # warm up the session

    with CaptureQueriesContext(connection) as one:
        assert len(http.get(day_url(day, practitioner="", room="")).context["appointments"]) == 1
    for n in range(1, 10):
        appointment_at(local(2027, 6, 9, 9 + n), practitioner=practitioners[n], room=rooms[n])
    with CaptureQueriesContext(connection) as ten:
        assert len(http.get(day_url(day, practitioner="", room="")).context["appointments"]) == 10

    assert len(ten.captured_queries) == len(one.captured_queries)


# --- booking a pre-consultation ------------------------------------------------------------


def test_reception_books_a_pre_consultation(
    sign_in: SignIn, reception: User, nurse: User, client_record: Client, room: Room
) -> None:
    day = future_day(5)
    data = {
        "date": f"{day:%d.%m.%Y}",
        "time": "10:15",
        "duration": "45",
        "practitioner": str(nurse.code),
        "room": str(room.code),
    }

    response = sign_in(reception).post(book_url(client_record), data)

    assert response.status_code == 302
    assert response["Location"] == client_record.get_absolute_url()
    appointment = Appointment.objects.get()
    assert appointment.kind == AppointmentKind.PRE_CONSULTATION
    assert timezone.localtime(appointment.start).strftime("%d.%m.%Y %H:%M") == f"{day:%d.%m.%Y} 10:15"
    assert appointment.end - appointment.start == dt.timedelta(minutes=45)
    assert (appointment.created_by, appointment.practitioner, appointment.site) == (reception, nurse, room.site)


def test_the_booking_form_offers_45_minutes_and_only_doctors_and_nurses_for_a_pre_consultation(
    sign_in: SignIn, reception: User, nurse: User, client_record: Client
) -> None:
    cosmetologist = UserFactory(roles=[Role.COSMETOLOGIST])

    response = sign_in(reception).get(book_url(client_record))

    form = response.context["form"]
    assert response.status_code == 200
    assert form["duration"].value() == 45
    assert nurse in form.fields["practitioner"].queryset
    assert cosmetologist not in form.fields["practitioner"].queryset
    assert "session_number" not in form.fields


def test_a_taken_time_is_refused_with_the_reason(
    sign_in: SignIn, reception: User, nurse: User, client_record: Client, room: Room
) -> None:
    day = future_day(5)
    appointment_at(timezone.make_aware(dt.datetime.combine(day, dt.time(10))), practitioner=nurse, room=room)
    data = {"date": f"{day:%d.%m.%Y}", "time": "10:15", "duration": "45", "practitioner": str(nurse.code)}

    response = english(sign_in(reception)).post(book_url(client_record), data)

    assert response.status_code == 422
    assert f"{nurse.get_full_name()} is already booked at that time." in response.content.decode()
    assert Appointment.objects.filter(client=client_record).count() == 0


def test_a_time_off_the_grid_is_refused(sign_in: SignIn, reception: User, nurse: User, client_record: Client) -> None:
    data = {"date": f"{future_day(5):%d.%m.%Y}", "time": "10:12", "duration": "45", "practitioner": str(nurse.code)}

    response = english(sign_in(reception)).post(book_url(client_record), data)

    assert response.status_code == 422
    assert "whole 5 minutes" in response.content.decode()


def test_an_administrator_cannot_book(sign_in: SignIn, admin_user: User, client_record: Client) -> None:
    assert sign_in(admin_user).get(book_url(client_record)).status_code == 403


# --- booking a session ----------------------------------------------------------------------


@pytest.fixture
def plan(client_record: Client, doctor: User, documents: Documents) -> TreatmentPlan:
    """A ready micro-injection plan; the client was informed three days ago."""
    inform(client=client_record, guide_version=documents.guide, by=doctor, at=timezone.now() - 72 * HOUR)
    return make_plan(client=client_record, doctor=doctor, version=documents.definition)


def cared_for(user: User, client: Client) -> User:
    CareAssignment.objects.create(client=client, practitioner=user, assigned_by=user)
    return user


def session_data(day: dt.date, practitioner: User, room: Room, **more: str) -> dict[str, str]:
    return {
        "date": f"{day:%d.%m.%Y}",
        "time": "10:00",
        "duration": "60",
        "practitioner": str(practitioner.code),
        "room": str(room.code),
        "session_number": "2",
        **more,
    }


def test_a_nurse_books_a_session_of_the_plan(
    sign_in: SignIn, nurse: User, client_record: Client, plan: TreatmentPlan, room: Room
) -> None:
    http = sign_in(cared_for(nurse, client_record))

    form_page = http.get(book_url(client_record, plan, session=2))
    response = http.post(book_url(client_record, plan, session=2), session_data(future_day(3), nurse, room))

    assert form_page.status_code == 200
    assert form_page.context["form"]["duration"].value() == 60
    assert form_page.context["form"]["session_number"].value() == "2"
    assert response.status_code == 302
    assert response["Location"] == plan.get_absolute_url()
    appointment = Appointment.objects.get()
    assert (appointment.kind, appointment.plan, appointment.session_number) == (AppointmentKind.SESSION, plan, 2)
    assert AuditEvent.objects.filter(action="scheduling.session_booking", client=client_record).exists()


def test_a_session_outside_the_interval_shows_the_warning_and_books_with_a_reason(
    sign_in: SignIn, nurse: User, doctor: User, client_record: Client, plan: TreatmentPlan, room: Room
) -> None:
    first = timezone.make_aware(dt.datetime.combine(future_day(3), dt.time(10)))
    book_appointment(
        actor=doctor,
        client=client_record,
        site=room.site,
        practitioner=doctor,
        room=room,
        start=first,
        end=first + HOUR,
        kind=AppointmentKind.SESSION,
        plan=plan,
        session_number=1,
    )
    http = english(sign_in(cared_for(nurse, client_record)))
    url = book_url(client_record, plan, session=2)

    warned = http.post(url, session_data(future_day(8), nurse, room))
    booked = http.post(url, session_data(future_day(8), nurse, room, override_reason="The client travels."))

    assert warned.status_code == 422
    assert warned.context["warnings"] == [
        f"5 days after the previous session on {first:%d.%m.%Y} 10:00; the plan says 14 to 21 days."
    ]
    assert "5 days after the previous session" in warned.content.decode()
    assert booked.status_code == 302
    appointment = Appointment.objects.get(session_number=2)
    assert appointment.warnings == warned.context["warnings"]
    assert appointment.override_reason == "The client travels."


@pytest.mark.parametrize("persona", ["reception", "admin_user"])
def test_only_clinical_staff_book_sessions(
    request: pytest.FixtureRequest, sign_in: SignIn, persona: str, client_record: Client, plan: TreatmentPlan
) -> None:
    user = cared_for(request.getfixturevalue(persona), client_record)

    response = sign_in(user).get(book_url(client_record, plan, session=1))

    assert response.status_code == 403


def test_a_plan_of_another_client_is_not_found(
    sign_in: SignIn, nurse: User, client_record: Client, plan: TreatmentPlan
) -> None:
    other = cared_for(nurse, ClientFactory())

    response = sign_in(cared_for(nurse, client_record)).get(book_url(other, plan))

    assert response.status_code == 404


def test_a_malformed_plan_code_is_not_found(sign_in: SignIn, nurse: User, client_record: Client) -> None:
    response = sign_in(cared_for(nurse, client_record)).get(f"{book_url(client_record)}?plan=nonsense")

    assert response.status_code == 404


# --- cancelling -----------------------------------------------------------------------------


@pytest.fixture
def appointment(nurse: User, client_record: Client, room: Room) -> Appointment:
    start = timezone.make_aware(dt.datetime.combine(future_day(4), dt.time(9)))
    return appointment_at(start, practitioner=nurse, room=room, client=client_record)


def test_reception_cancels_an_appointment(sign_in: SignIn, reception: User, appointment: Appointment) -> None:
    response = sign_in(reception).post(f"/appointments/{appointment.code}/cancel/")

    assert response.status_code == 302
    assert response["Location"] == appointment.client.get_absolute_url()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert appointment.cancelled_by == reception
    assert SlotClaim.objects.count() == 0


def test_cancelling_twice_says_so_and_changes_nothing(
    sign_in: SignIn, reception: User, appointment: Appointment
) -> None:
    http = english(sign_in(reception))
    http.post(f"/appointments/{appointment.code}/cancel/")

    response = http.post(f"/appointments/{appointment.code}/cancel/", follow=True)

    assert "The appointment is already cancelled." in [str(m) for m in response.context["messages"]]


def test_an_administrator_cannot_cancel(sign_in: SignIn, admin_user: User, appointment: Appointment) -> None:
    response = sign_in(admin_user).post(f"/appointments/{appointment.code}/cancel/")

    assert response.status_code == 403
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


def test_cancelling_needs_a_post(sign_in: SignIn, reception: User, appointment: Appointment) -> None:
    assert sign_in(reception).get(f"/appointments/{appointment.code}/cancel/").status_code == 405


def test_an_unknown_appointment_is_not_found(sign_in: SignIn, reception: User) -> None:
    assert sign_in(reception).post("/appointments/00000000-0000-0000-0000-000000000000/cancel/").status_code == 404


# --- the client's upcoming appointments ------------------------------------------------------


def test_upcoming_for_lists_the_clients_booked_appointments_that_have_not_ended(
    client_record: Client, nurse: User, room: Room, appointment: Appointment
) -> None:
    past = appointment_at(local(2020, 1, 6, 10), practitioner=nurse, room=room, client=client_record)
    later = appointment_at(
        timezone.make_aware(dt.datetime.combine(future_day(9), dt.time(9))),
        practitioner=nurse,
        room=room,
        client=client_record,
    )
    Appointment.objects.filter(pk=later.pk).update(
        status=AppointmentStatus.CANCELLED, cancelled_by=nurse, cancelled_at=timezone.now()
    )

    upcoming = list(Appointment.objects.upcoming_for(client_record))

    assert upcoming == [appointment]
    assert past not in upcoming


def test_the_client_appointments_include_renders_a_cancel_button(
    client_record: Client, appointment: Appointment
) -> None:
    html = render_to_string(
        "scheduling/_client_appointments.html",
        {"appointments": Appointment.objects.upcoming_for(client_record), "can_cancel": True},
    )

    assert f'action="/appointments/{appointment.code}/cancel/"' in html
    assert "<caption>" in html
