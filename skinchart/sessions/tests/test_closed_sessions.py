"""A signed or stopped session is closed: the database refuses a product line added to
it or moved into it, and its booking can no longer be cancelled."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction

from skinchart.accounts.models import User
from skinchart.clients.models import Client
from skinchart.scheduling.actions import BookingError, cancel_appointment
from skinchart.scheduling.models import AppointmentStatus
from skinchart.sessions import actions
from skinchart.sessions.models import ProductUse, SessionStatus, TreatmentSession
from skinchart.sessions.tests.setup import Ready, complete_checklist, product_batch, ready_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(doctor: User, nurse: User, client_record: Client, append_only_guards: None) -> Ready:
    ready = ready_session(doctor=doctor, nurse=nurse, client=client_record)
    actions.start_session(actor=nurse, session=ready.session)
    complete_checklist(ready)
    actions.sign_session(actor=nurse, session=TreatmentSession.objects.get(pk=ready.session.pk))
    return ready


def test_no_product_line_can_be_inserted_into_a_signed_session(signed: Ready) -> None:
    other = product_batch(lot="LATE-1")
    with pytest.raises(DatabaseError), transaction.atomic():
        ProductUse.objects.create(session=signed.session, batch=other, quantity=1, recorded_by=signed.nurse)
    assert ProductUse.objects.filter(session=signed.session).count() == 1


def test_a_stopped_session_cannot_be_reopened_or_given_products(
    doctor: User, nurse: User, client_record: Client, append_only_guards: None
) -> None:
    ready = ready_session(doctor=doctor, nurse=nurse, client=client_record)
    actions.start_session(actor=nurse, session=ready.session)
    stopped = actions.stop_session(actor=nurse, session=ready.session, reason="Klienten fik det dårligt.")
    assert stopped.appointment.status == AppointmentStatus.CANCELLED  # the number can be booked again

    with pytest.raises(DatabaseError), transaction.atomic():
        TreatmentSession.objects.filter(pk=stopped.pk).update(status=SessionStatus.IN_PROGRESS)
    with pytest.raises(DatabaseError), transaction.atomic():
        ProductUse.objects.create(session=stopped, batch=ready.batch, quantity=1, recorded_by=nurse)


def test_the_booking_of_a_signed_session_cannot_be_cancelled(signed: Ready) -> None:
    with pytest.raises(BookingError):
        cancel_appointment(actor=signed.nurse, appointment=signed.session.appointment)
    signed.session.appointment.refresh_from_db()
    assert signed.session.appointment.status == AppointmentStatus.BOOKED
