"""Booking treatment sessions: the plan must be ready, the reflection period over
(REG-3, DST-safe), and the course interval and spacing rules are warnings that need
a stated reason (PRODUCT.md §2 steps 4 and 11)."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.utils import timezone, translation

from skinchart.accounts.models import Role, User
from skinchart.accounts.tests.factories import UserFactory
from skinchart.catalogue.models import DefinitionVersion, Treatment
from skinchart.clients.models import Client
from skinchart.clients.tests.factories import ClientFactory
from skinchart.consultations.models import PlanStatus, TreatmentPlan
from skinchart.scheduling.actions import BookingError, BookingNeedsReason
from skinchart.scheduling.models import Appointment, AppointmentKind, AppointmentStatus, Room
from skinchart.scheduling.tests.conftest import Documents, elapsed, local
from skinchart.scheduling.tests.factories import approve_for_treatment, inform, make_plan

pytestmark = pytest.mark.django_db

Book = Callable[..., Appointment]
HOUR = dt.timedelta(hours=1)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def plan(client_record: Client, doctor: User, documents: Documents) -> TreatmentPlan:
    return make_plan(client=client_record, doctor=doctor, version=documents.definition)


@pytest.fixture
def book_session(book: Book, plan: TreatmentPlan) -> Book:
    """A one-hour session of the plan at `start` (session 1 unless told), "now" being
    `now` (default: a day before)."""

    def call(start: dt.datetime, **fields: object) -> Appointment:
        defaults = {
            "kind": AppointmentKind.SESSION,
            "plan": plan,
            "session_number": 1,
            "end": elapsed(start, hours=1),
            "now": start - 24 * HOUR,
        }
        return book(start=start, **{**defaults, **fields})

    return call


def edited_version(documents: Documents, edit: Callable[[dict[str, Any]], None]) -> DefinitionVersion:
    """A draft version 2 of the shipped definition, edited."""
    content = copy.deepcopy(documents.definition.content)
    assert content["methods"][1]["key"] == "microinjection"
    edit(content)
    version: DefinitionVersion = DefinitionVersion.objects.create(
        treatment=documents.definition.treatment,
        number=2,
        revised_on=dt.date(2030, 1, 1),
        content=content,
        content_hash="0" * 64,
    )
    return version


# --- the reflection period (REG-3) --------------------------------------------------------

INFORMED = local(2030, 6, 5, 10, 0)


@pytest.fixture
def informed(client_record: Client, doctor: User, documents: Documents) -> dt.datetime:
    inform(client=client_record, guide_version=documents.guide, by=doctor, at=INFORMED)
    return INFORMED


def test_a_micro_injection_session_before_48_hours_is_refused(book_session: Book, informed: dt.datetime) -> None:
    with pytest.raises(BookingError, match=r"reflection period for Micro-injections ends 07\.06\.2030 10:00"):
        book_session(elapsed(informed, hours=47, minutes=55))
    assert Appointment.objects.count() == 0


def test_a_micro_injection_session_at_48_hours_is_allowed(book_session: Book, informed: dt.datetime) -> None:
    appointment = book_session(elapsed(informed, hours=48))

    assert appointment.status == AppointmentStatus.BOOKED
    assert appointment.treatment == appointment.plan.treatment  # type: ignore[union-attr]
    assert appointment.warnings == []


@pytest.mark.parametrize(
    ("informed_at", "refused", "allowed"),
    [
        # Autumn: 25.10.2026 has 25 hours; 48 elapsed hours end at 11:00, the calendar at 12:00.
        (local(2026, 10, 23, 12), local(2026, 10, 25, 11, 55), local(2026, 10, 25, 12)),
        # Spring: 29.03.2026 has 23 hours; the calendar ends at 12:00, 48 elapsed hours at 13:00.
        (local(2026, 3, 27, 12), local(2026, 3, 29, 12, 55), local(2026, 3, 29, 13)),
        (local(2027, 10, 29, 9, 30), local(2027, 10, 31, 9, 25), local(2027, 10, 31, 9, 30)),
        (local(2027, 3, 26, 9, 30), local(2027, 3, 28, 10, 25), local(2027, 3, 28, 10, 30)),
    ],
    ids=["autumn-2026", "spring-2026", "autumn-2027", "spring-2027"],
)
def test_the_reflection_period_is_safe_across_the_dst_change(
    book_session: Book,
    client_record: Client,
    doctor: User,
    documents: Documents,
    informed_at: dt.datetime,
    refused: dt.datetime,
    allowed: dt.datetime,
) -> None:
    inform(client=client_record, guide_version=documents.guide, by=doctor, at=informed_at)
    earliest = allowed.strftime("%d.%m.%Y %H:%M")

    with pytest.raises(BookingError, match=f"ends {earliest}"):
        book_session(refused, now=informed_at)
    appointment = book_session(allowed, now=informed_at)

    assert timezone.localtime(appointment.start) == allowed


def test_a_session_needs_the_oral_information_first(book_session: Book) -> None:
    with pytest.raises(BookingError, match="Record the oral information"):
        book_session(local(2030, 6, 10, 10))


def test_microneedling_may_be_booked_on_the_day_of_the_information(
    book: Book, client_record: Client, doctor: User, documents: Documents, informed: dt.datetime
) -> None:
    plan = make_plan(client=client_record, doctor=doctor, version=documents.definition, methods=("microneedling",))

    appointment = book(
        kind=AppointmentKind.SESSION, plan=plan, start=informed + HOUR, end=informed + 2 * HOUR, now=informed
    )

    assert timezone.localdate(appointment.start) == timezone.localdate(informed)


def test_a_method_without_same_day_waits_for_the_next_calendar_day(
    book: Book, client_record: Client, doctor: User, documents: Documents
) -> None:
    version = edited_version(documents, lambda content: content["methods"][0].update(same_day_allowed=False))
    plan = make_plan(client=client_record, doctor=doctor, version=version, methods=("microneedling",))
    informed_at = local(2030, 6, 5, 22)
    inform(client=client_record, guide_version=documents.guide, by=doctor, at=informed_at)
    session = {"kind": AppointmentKind.SESSION, "plan": plan, "now": informed_at}

    with pytest.raises(BookingError, match="Microneedling may not be done on the day the client was informed"):
        book(start=local(2030, 6, 5, 23), end=local(2030, 6, 5, 23, 30), **session)
    appointment = book(start=local(2030, 6, 6, 0, 30), end=local(2030, 6, 6, 1), **session)

    assert appointment.plan == plan


def test_a_plan_with_both_methods_waits_for_the_micro_injections(
    book: Book, client_record: Client, doctor: User, documents: Documents, informed: dt.datetime
) -> None:
    plan = make_plan(
        client=client_record, doctor=doctor, version=documents.definition, methods=("microneedling", "microinjection")
    )

    with pytest.raises(BookingError, match="Micro-injections"):
        book(kind=AppointmentKind.SESSION, plan=plan, start=informed + HOUR, end=informed + 2 * HOUR, now=informed)


# --- readiness: the doctor's assessment, the plan --------------------------------------


def test_a_pending_doctor_review_blocks_every_session_booking(
    book: Book, client_record: Client, doctor: User, documents: Documents, informed: dt.datetime
) -> None:
    plan = make_plan(client=client_record, doctor=doctor, version=documents.definition, needs_doctor=True)
    start = local(2030, 6, 10, 10)

    with pytest.raises(BookingError, match="A doctor must assess the client first"):
        book(kind=AppointmentKind.SESSION, plan=plan, start=start, end=start + HOUR, now=informed)
    approve_for_treatment(plan, doctor)
    appointment = book(kind=AppointmentKind.SESSION, plan=plan, start=start, end=start + HOUR, now=informed)

    assert appointment.plan == plan


def test_a_withdrawn_plan_cannot_be_booked(book_session: Book, plan: TreatmentPlan, informed: dt.datetime) -> None:
    plan.status = PlanStatus.WITHDRAWN
    plan.save(update_fields=["status"])

    with pytest.raises(BookingError, match="not active"):
        book_session(local(2030, 6, 10, 10))


def test_another_clients_plan_is_refused(book_session: Book, informed: dt.datetime) -> None:
    with pytest.raises(BookingError, match="belongs to another client"):
        book_session(local(2030, 6, 10, 10), client=ClientFactory())


def test_a_session_needs_a_room(book_session: Book, informed: dt.datetime) -> None:
    with pytest.raises(BookingError, match="needs a treatment plan and a room"):
        book_session(local(2030, 6, 10, 10), room=None)


def test_a_cosmetologist_may_perform_a_session_where_the_definition_allows(
    book_session: Book, informed: dt.datetime
) -> None:
    cosmetologist = UserFactory(roles=[Role.COSMETOLOGIST])

    appointment = book_session(local(2030, 6, 10, 10), practitioner=cosmetologist)

    assert appointment.practitioner == cosmetologist


def test_the_practitioner_must_hold_a_performer_role_of_every_planned_method(
    book: Book, client_record: Client, doctor: User, documents: Documents, informed: dt.datetime
) -> None:
    version = edited_version(documents, lambda content: content["methods"][1].update(performer_roles=["doctor"]))
    plan = make_plan(client=client_record, doctor=doctor, version=version)
    nurse = UserFactory(roles=[Role.NURSE], first_name="Nina", last_name="Nurse")
    start = local(2030, 6, 10, 10)

    with pytest.raises(BookingError, match="Nina Nurse may not perform Micro-injections"):
        book(kind=AppointmentKind.SESSION, plan=plan, practitioner=nurse, start=start, end=start + HOUR, now=informed)


def test_a_session_number_is_booked_once(book_session: Book, informed: dt.datetime) -> None:
    book_session(local(2030, 6, 10, 10), session_number=1)

    with pytest.raises(BookingError, match="Session 1 of this plan is already booked"):
        book_session(local(2030, 6, 24, 10), session_number=1)
    with pytest.raises(BookingError, match="sessions 1 to 3"):
        book_session(local(2030, 6, 24, 10), session_number=4)


# --- the course interval (warn and record the reason) ----------------------------------


def test_a_session_too_soon_after_the_previous_one_needs_a_reason(book_session: Book, informed: dt.datetime) -> None:
    book_session(local(2030, 6, 10, 10), session_number=1)

    with pytest.raises(BookingNeedsReason) as raised:
        book_session(local(2030, 6, 20, 10), session_number=2)
    assert raised.value.warnings == [
        "10 days after the previous session on 10.06.2030 10:00; the plan says 14 to 21 days."
    ]
    assert Appointment.objects.count() == 1


def test_with_a_reason_the_session_is_booked_and_the_warning_kept(book_session: Book, informed: dt.datetime) -> None:
    book_session(local(2030, 6, 10, 10), session_number=1)

    appointment = book_session(
        local(2030, 7, 10, 10), session_number=2, override_reason="  Client travels in between.  "
    )

    assert appointment.warnings == [
        "30 days after the previous session on 10.06.2030 10:00; the plan says 14 to 21 days."
    ]
    assert appointment.override_reason == "Client travels in between."


def test_a_session_inside_the_window_needs_no_reason(book_session: Book, informed: dt.datetime) -> None:
    book_session(local(2030, 6, 10, 10), session_number=1)

    appointment = book_session(local(2030, 6, 24, 9), session_number=2)

    assert appointment.warnings == []
    assert appointment.override_reason == ""


def test_a_session_booked_before_an_earlier_booked_one_checks_the_next_interval(
    book_session: Book, informed: dt.datetime
) -> None:
    book_session(local(2030, 6, 24, 10), session_number=2)

    with pytest.raises(BookingNeedsReason, match="4 days before the next session on 24.06.2030 10:00"):
        book_session(local(2030, 6, 20, 10), session_number=1)


def test_the_interval_counts_local_calendar_days_across_the_dst_change(
    book: Book, client_record: Client, doctor: User, documents: Documents
) -> None:
    plan = make_plan(client=client_record, doctor=doctor, version=documents.definition, interval=(14, 14))
    inform(client=client_record, guide_version=documents.guide, by=doctor, at=local(2027, 10, 1, 10))
    first = local(2027, 10, 20, 10)
    book(kind=AppointmentKind.SESSION, plan=plan, start=first, end=first + HOUR, now=first - HOUR)

    # 14 calendar days later is 14 × 24 + 1 elapsed hours (the clocks go back on 31.10).
    second = local(2027, 11, 3, 10)
    appointment = book(
        kind=AppointmentKind.SESSION, plan=plan, session_number=2, start=second, end=second + HOUR, now=first
    )

    assert appointment.warnings == []


def test_a_cancelled_session_does_not_count_for_the_interval(
    book_session: Book, doctor: User, informed: dt.datetime
) -> None:
    from skinchart.scheduling.actions import cancel_appointment

    first = book_session(local(2030, 6, 10, 10), session_number=1)
    cancel_appointment(actor=doctor, appointment=first)

    appointment = book_session(local(2030, 6, 14, 10), session_number=1)

    assert appointment.warnings == []


# --- spacing to other treatments --------------------------------------------------------


@pytest.fixture
def peel_session(client_record: Client, doctor: User, documents: Documents, other_room: Room) -> Appointment:
    """A chemical peel already booked for the client on 10.06.2030 (written directly:
    the peel has no definition in the shipped catalogue)."""
    peel = Treatment.objects.create(code="chemical_peel", category="chemical_peel")
    plan = make_plan(client=client_record, doctor=doctor, version=documents.definition, treatment=peel)
    start = local(2030, 6, 10, 14)
    appointment: Appointment = Appointment.objects.create(
        client=client_record,
        site=other_room.site,
        practitioner=UserFactory(roles=[Role.NURSE]),
        room=other_room,
        kind=AppointmentKind.SESSION,
        treatment=peel,
        plan=plan,
        start=start,
        end=start + HOUR,
        created_by=doctor,
    )
    return appointment


def test_another_treatment_within_the_review_window_needs_a_reason(
    book_session: Book, peel_session: Appointment, informed: dt.datetime
) -> None:
    with pytest.raises(BookingNeedsReason) as raised:
        book_session(local(2030, 6, 17, 10))

    assert raised.value.warnings == [
        "Chemical peel is booked on 10.06.2030 14:00, 7 days apart: plan the order and timing individually."
    ]


def test_another_treatment_outside_the_review_window_is_fine(
    book_session: Book, peel_session: Appointment, informed: dt.datetime
) -> None:
    appointment = book_session(local(2030, 6, 25, 10))

    assert appointment.warnings == []


def test_spacing_also_looks_at_treatments_booked_after(
    book_session: Book, peel_session: Appointment, informed: dt.datetime
) -> None:
    with pytest.raises(BookingNeedsReason, match="Chemical peel is booked on 10.06.2030 14:00, 3 days apart"):
        book_session(local(2030, 6, 7, 10))


def spaced_version(documents: Documents, enforcement: str) -> DefinitionVersion:
    """A draft definition keeping 14 days from a chemical peel."""

    def keep_14_days(content: dict[str, Any]) -> None:
        peel = next(rule for rule in content["spacing"] if rule["other"] == "chemical_peel")
        peel.update(min_gap_days=14, enforcement=enforcement)

    return edited_version(documents, keep_14_days)


@pytest.mark.parametrize("enforcement", ["warn", "block"])
def test_a_fixed_gap_is_kept_as_the_rule_says(
    book: Book,
    client_record: Client,
    doctor: User,
    documents: Documents,
    peel_session: Appointment,
    informed: dt.datetime,
    enforcement: str,
) -> None:
    plan = make_plan(client=client_record, doctor=doctor, version=spaced_version(documents, enforcement))
    start = local(2030, 6, 20, 10)
    message = "Chemical peel is booked on 10.06.2030 14:00, 10 days apart; keep at least 14 days."
    expected = {"warn": BookingNeedsReason, "block": BookingError}[enforcement]

    with pytest.raises(expected, match=message) as raised:
        book(kind=AppointmentKind.SESSION, plan=plan, start=start, end=start + HOUR, now=informed)

    assert type(raised.value) is expected
