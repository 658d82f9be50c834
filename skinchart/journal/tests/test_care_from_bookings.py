"""A booked appointment gives the practitioner a care relation only when someone else
booked it and it is at most a day ahead: break-glass cannot be bypassed by booking
oneself, or by a booking months ahead (REG-28, ADR 0007)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from skinchart.accounts.models import User
from skinchart.accounts.tests.factories import SiteFactory
from skinchart.clients.models import Client
from skinchart.journal.care import care_relation
from skinchart.scheduling.models import Appointment, AppointmentKind

pytestmark = pytest.mark.django_db


def booking(client: Client, practitioner: User, by: User, *, days_ahead: float) -> Appointment:
    start = timezone.now() + dt.timedelta(days=days_ahead)
    appointment: Appointment = Appointment.objects.create(
        client=client,
        site=SiteFactory(),
        practitioner=practitioner,
        kind=AppointmentKind.PRE_CONSULTATION,
        start=start,
        end=start + dt.timedelta(minutes=30),
        created_by=by,
    )
    return appointment


def test_a_booking_by_reception_for_today_gives_a_care_relation(
    nurse: User, reception: User, client_record: Client
) -> None:
    assert care_relation(nurse, client_record) == ""
    booking(client_record, nurse, reception, days_ahead=0.1)
    assert care_relation(nurse, client_record) == "care"


@pytest.mark.parametrize(("days_ahead", "booked_by_self"), [(150, False), (0.1, True)])
def test_a_booking_far_ahead_or_by_oneself_gives_none(
    nurse: User, reception: User, client_record: Client, days_ahead: float, booked_by_self: bool
) -> None:
    booking(client_record, nurse, nurse if booked_by_self else reception, days_ahead=days_ahead)
    assert care_relation(nurse, client_record) == ""
