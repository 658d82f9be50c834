"""book_appointment and cancel_appointment: the hard refusals, the slot claims, and
what a booking records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
from django.utils import timezone, translation

from skinchart.accounts.models import Role, Site, User
from skinchart.accounts.tests.factories import SiteFactory, UserFactory
from skinchart.audit.models import AuditEvent
from skinchart.clients.models import Client
from skinchart.scheduling.actions import BookingError, cancel_appointment
from skinchart.scheduling.models import Appointment, AppointmentStatus, ResourceKind, Room, SlotClaim
from skinchart.scheduling.tests.conftest import elapsed, future_day
from skinchart.scheduling.tests.factories import RoomFactory

pytestmark = pytest.mark.django_db

Book = Callable[..., Appointment]


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


DAY = future_day(10)


def test_a_booking_claims_every_5_minutes_of_the_practitioner_and_the_room(
    book: Book, doctor: User, room: Room
) -> None:
    appointment = book(start=at(DAY, 10), end=at(DAY, 10, 45))

    claims = SlotClaim.objects.filter(appointment=appointment)
    assert appointment.status == AppointmentStatus.BOOKED
    assert claims.filter(resource_kind=ResourceKind.PRACTITIONER, resource_id=doctor.pk).count() == 9
    assert claims.filter(resource_kind=ResourceKind.ROOM, resource_id=room.pk).count() == 9
    assert AuditEvent.objects.filter(action="scheduling.appointment_booked", target_id=str(appointment.code)).exists()


def test_a_pre_consultation_may_be_booked_without_a_room(book: Book) -> None:
    appointment = book(room=None, start=at(DAY, 9), end=at(DAY, 9, 45))

    assert appointment.room is None
    assert appointment.claims.count() == 9


def test_an_overlapping_booking_of_the_room_with_another_practitioner_is_refused(book: Book) -> None:
    book(start=at(DAY, 10), end=at(DAY, 11))
    nurse = UserFactory(roles=[Role.NURSE], first_name="Nina", last_name="Nurse")

    with pytest.raises(BookingError, match="The room is already booked at that time"):
        book(practitioner=nurse, start=at(DAY, 10, 30), end=at(DAY, 11, 30))
    assert Appointment.objects.count() == 1
    assert SlotClaim.objects.filter(resource_id=nurse.pk, resource_kind=ResourceKind.PRACTITIONER).count() == 0


def test_an_overlapping_booking_of_the_practitioner_in_another_room_is_refused(
    book: Book, doctor: User, other_room: Room
) -> None:
    book(start=at(DAY, 10), end=at(DAY, 11))

    with pytest.raises(BookingError, match=f"{doctor} is already booked at that time"):
        book(room=other_room, start=at(DAY, 9, 30), end=at(DAY, 10, 5))


def test_a_booking_inside_another_names_both_the_practitioner_and_the_room(book: Book) -> None:
    book(start=at(DAY, 10), end=at(DAY, 12))

    with pytest.raises(BookingError, match="Both .* and the room are already booked"):
        book(start=at(DAY, 10, 30), end=at(DAY, 11))


def test_adjacent_appointments_are_allowed(book: Book) -> None:
    first = book(start=at(DAY, 10), end=at(DAY, 11))
    second = book(start=first.end, end=at(DAY, 12))

    assert second.start == first.end
    assert Appointment.objects.booked().count() == 2


def test_cancelling_frees_the_slots(book: Book, doctor: User) -> None:
    first = book(start=at(DAY, 10), end=at(DAY, 11))

    cancel_appointment(actor=doctor, appointment=first)
    again = book(start=at(DAY, 10), end=at(DAY, 11))

    first.refresh_from_db()
    assert first.status == AppointmentStatus.CANCELLED
    assert first.cancelled_by == doctor
    assert first.claims.count() == 0
    assert again.claims.count() == 24
    assert AuditEvent.objects.filter(action="scheduling.appointment_cancelled", target_id=str(first.code)).exists()


def test_a_cancelled_appointment_cannot_be_cancelled_again(book: Book, doctor: User) -> None:
    appointment = book(start=at(DAY, 10), end=at(DAY, 11))
    cancel_appointment(actor=doctor, appointment=appointment)

    with pytest.raises(BookingError, match="already cancelled"):
        cancel_appointment(actor=doctor, appointment=appointment)


# --- hard refusals ------------------------------------------------------------------------

NAIVE = dt.datetime.combine(DAY, dt.time(10))  # noqa: DTZ001 - the point of the test


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (NAIVE, NAIVE + dt.timedelta(hours=1), "need a time zone"),
        (at(DAY, 10, 2), at(DAY, 11), "whole 5 minutes"),
        (at(DAY, 10), at(DAY, 10, 59), "whole 5 minutes"),
        (at(DAY, 10), at(DAY, 10), "end after it starts"),
        (at(DAY, 11), at(DAY, 10), "end after it starts"),
        (at(DAY, 8), at(DAY, 16, 5), "at most 8 hours"),
        (
            at(timezone.localdate() - dt.timedelta(days=1), 10),
            at(timezone.localdate() - dt.timedelta(days=1), 11),
            "passed",
        ),
    ],
    ids=["naive", "start-off-grid", "end-off-grid", "empty", "reversed", "over-8-hours", "past"],
)
def test_times_are_checked(book: Book, start: dt.datetime, end: dt.datetime, message: str) -> None:
    with pytest.raises(BookingError, match=message):
        book(start=start, end=end)
    assert Appointment.objects.count() == 0


def test_eight_hours_on_the_grid_are_allowed(book: Book) -> None:
    appointment = book(start=at(DAY, 8), end=at(DAY, 16))

    assert appointment.claims.count() == 2 * 96


def test_a_start_a_few_minutes_ago_is_allowed_for_clock_skew(book: Book) -> None:
    now = at(DAY, 10, 3)

    appointment = book(start=at(DAY, 10), end=at(DAY, 10, 30), now=now)

    assert appointment.start == at(DAY, 10)


@pytest.mark.parametrize(
    ("roles", "active"),
    [([Role.RECEPTION], True), ([Role.ADMIN], True), ([Role.COSMETOLOGIST], True), ([Role.NURSE], False)],
    ids=["reception", "admin", "cosmetologist-for-a-pre-consultation", "inactive-nurse"],
)
def test_the_practitioner_must_be_active_clinical_staff_allowed_to_do_it(
    book: Book, roles: list[str], active: bool
) -> None:
    practitioner = UserFactory(roles=roles, is_active=active)

    with pytest.raises(BookingError, match="cannot take this kind of appointment"):
        book(practitioner=practitioner, start=at(DAY, 10), end=at(DAY, 11))


def test_a_room_of_another_site_is_refused(book: Book) -> None:
    elsewhere = RoomFactory(site=SiteFactory(name="Other clinic"))

    with pytest.raises(BookingError, match="not in use at this site"):
        book(room=elsewhere, start=at(DAY, 10), end=at(DAY, 11))


def test_a_room_out_of_use_is_refused(book: Book, site: Site) -> None:
    closed = RoomFactory(site=site, active=False)

    with pytest.raises(BookingError, match="not in use at this site"):
        book(room=closed, start=at(DAY, 10), end=at(DAY, 11))


def test_a_session_needs_a_plan(book: Book) -> None:
    with pytest.raises(BookingError, match="needs a treatment plan and a room"):
        book(kind="session", start=at(DAY, 10), end=at(DAY, 11))


def test_a_booking_across_the_autumn_dst_change_keeps_its_elapsed_length(
    book: Book, client_record: Client, doctor: User
) -> None:
    # 02:00-03:00 local happens twice on 31 October 2027: 01:30 CEST to 02:30 CET is two hours.
    start = timezone.make_aware(dt.datetime(2027, 10, 31, 1, 30))  # noqa: DTZ001
    appointment = book(start=start, end=elapsed(start, hours=2), now=start)

    assert appointment.claims.filter(resource_kind=ResourceKind.PRACTITIONER).count() == 24
    assert timezone.localtime(appointment.end).strftime("%H:%M %Z") == "02:30 CET"
