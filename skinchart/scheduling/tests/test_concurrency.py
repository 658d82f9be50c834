"""No double booking under concurrent requests: the database's unique constraint on
slot claims decides (ADR 0009), on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import pytest
from django.db import connections
from django.utils import timezone

from skinchart.accounts.models import Role, Site, User
from skinchart.accounts.tests.factories import SiteFactory, UserFactory
from skinchart.clients.tests.factories import ClientFactory
from skinchart.scheduling.actions import BookingError, BookingNeedsReason, book_appointment
from skinchart.scheduling.models import Appointment, AppointmentKind, AppointmentStatus, SlotClaim
from skinchart.scheduling.tests.factories import RoomFactory

ATTEMPTS = 20


def run_at_once(attempt: Callable[[int], object], count: int) -> list[object]:
    """Run `attempt(i)` in `count` threads released together; each thread has its own
    database connection (closed at its end). Returns each outcome or exception."""
    outcomes: list[object] = [None] * count
    start = threading.Barrier(count)

    def worker(index: int) -> None:
        try:
            start.wait()
            outcomes[index] = attempt(index)
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test looks at
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_attempts_to_book_one_slot_give_exactly_one_booking(concurrent_database: None) -> None:
    site: Site = SiteFactory()
    room = RoomFactory(site=site)
    practitioner: User = UserFactory(roles=[Role.NURSE])
    receptionists = [UserFactory(roles=[Role.RECEPTION]) for _ in range(ATTEMPTS)]
    clients = [ClientFactory() for _ in range(ATTEMPTS)]
    start = timezone.make_aware(dt.datetime.combine(timezone.localdate() + dt.timedelta(days=7), dt.time(10)))

    def attempt(index: int) -> object:
        return book_appointment(
            actor=receptionists[index],
            client=clients[index],
            site=site,
            practitioner=practitioner,
            room=room,
            start=start,
            end=start + dt.timedelta(minutes=45),
            kind=AppointmentKind.PRE_CONSULTATION,
        )

    outcomes = run_at_once(attempt, ATTEMPTS)

    booked = [outcome for outcome in outcomes if isinstance(outcome, Appointment)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, BookingError)]
    assert len(booked) == 1, outcomes
    assert len(refused) == ATTEMPTS - 1, outcomes
    assert not any(isinstance(error, BookingNeedsReason) for error in refused), refused
    assert Appointment.objects.filter(status=AppointmentStatus.BOOKED).count() == 1
    assert Appointment.objects.count() == 1
    assert SlotClaim.objects.count() == 2 * 9
