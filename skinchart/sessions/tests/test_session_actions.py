"""The session's actions after the start: products and batches, the checklist, signing
(journal, aftercare, stock, plan progress), stopping, and the signed session's
immutability — in the action layer and in the database (REG-15, REG-16, REG-20)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone, translation

from skinchart.accounts.models import Role, User
from skinchart.accounts.tests.factories import UserFactory
from skinchart.clients.models import Client
from skinchart.consultations.models import PlanStatus, TreatmentPlan
from skinchart.journal.db_guards import MESSAGE_SESSION
from skinchart.journal.models import Entry, EntryKind, EntryStatus
from skinchart.products.models import Batch, Product
from skinchart.sessions import actions
from skinchart.sessions.actions import SessionError
from skinchart.sessions.models import ProductUse, SessionStatus, TreatmentSession
from skinchart.sessions.tests.setup import (
    AREA,
    NO_CHANGES,
    Ready,
    complete_checklist,
    fresh,
    product_batch,
    ready_session,
    signed_session,
    start,
)

pytestmark = pytest.mark.django_db

SessionAction = Callable[[User, Ready], object]


@pytest.fixture
def ready(doctor: User, nurse: User, client_record: Client) -> Ready:
    return ready_session(doctor=doctor, nurse=nurse, client=client_record)


@pytest.fixture
def started(ready: Ready) -> Ready:
    start(ready)
    return ready


def add(ready: Ready, batch: Batch | None = None, quantity: object = "1") -> ProductUse:
    return actions.add_product(
        actor=ready.nurse, session=fresh(ready.session), batch=batch or ready.batch, quantity=quantity, area=AREA
    )


def lots_recorded(ready: Ready) -> list[str]:
    return list(ProductUse.objects.filter(session=ready.session).values_list("batch__lot", flat=True))


# --- products and batches (REG-16) --------------------------------------------------------


def test_a_batch_that_expired_yesterday_is_refused(started: Ready) -> None:
    expired = product_batch(expires_on=timezone.localdate() - dt.timedelta(days=1), lot="LOT-OLD")

    with pytest.raises(SessionError, match="LOT-OLD"):
        add(started, expired)

    assert lots_recorded(started) == []


def test_a_batch_that_expires_today_may_still_be_used(started: Ready) -> None:
    last_day = product_batch(expires_on=timezone.localdate(), lot="LOT-LAST-DAY")

    add(started, last_day)

    assert lots_recorded(started) == ["LOT-LAST-DAY"]


@pytest.mark.parametrize(
    "retire",
    [
        pytest.param(lambda batch: Product.objects.filter(pk=batch.product_id).update(active=False), id="product"),
        pytest.param(lambda batch: Batch.objects.filter(pk=batch.pk).update(active=False), id="batch"),
    ],
)
def test_a_batch_no_longer_in_use_is_refused(started: Ready, retire: Callable[[Batch], object]) -> None:
    retire(started.batch)

    with pytest.raises(SessionError, match=started.batch.lot):
        add(started)

    assert lots_recorded(started) == []


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("0", "more than 0"),
        ("-1", "more than 0"),
        ("-0,5", "more than 0"),
        ("1000,01", "at most 1000"),
        ("1e9", "at most 1000"),
        ("NaN", "more than 0"),
        ("sNaN", "more than 0"),
        ("Infinity", "more than 0"),
        ("-Infinity", "more than 0"),
        ("0,001", "two decimals"),
        ("abc", "as a number"),
        ("", "as a number"),
        ("2,5 ml", "as a number"),
        ("2,5,0", "as a number"),
    ],
)
def test_a_quantity_that_is_not_a_positive_amount_is_refused(started: Ready, quantity: str, message: str) -> None:
    with translation.override("en"), pytest.raises(SessionError, match=message):
        add(started, quantity=quantity)

    assert lots_recorded(started) == []


@pytest.mark.parametrize(
    ("quantity", "stored"),
    [("2,5", Decimal("2.50")), ("2.5", Decimal("2.50")), (" 3 ", Decimal("3.00")), ("0,01", Decimal("0.01"))]
    + [("1000", Decimal("1000.00")), (Decimal("1.25"), Decimal("1.25"))],
)
def test_a_quantity_with_a_comma_or_a_point_is_stored_exactly(
    started: Ready, quantity: object, stored: Decimal
) -> None:
    use = add(started, quantity=quantity)

    assert ProductUse.objects.get(pk=use.pk).quantity == stored


def test_a_product_line_may_be_taken_back_before_signing(started: Ready) -> None:
    use = add(started)

    actions.remove_product(actor=started.nurse, session=fresh(started.session), use=use)

    assert lots_recorded(started) == []


# --- checklist ----------------------------------------------------------------------------


def test_signing_refuses_an_incomplete_checklist_and_says_what_is_missing(started: Ready) -> None:
    with translation.override("en"), pytest.raises(SessionError) as refused:
        actions.sign_session(actor=started.nurse, session=fresh(started.session))

    missing = str(refused.value)
    for expected in [
        "Not marked as done: Cleanse and disinfect",
        "Not marked as done: Microneedling or micro-injections",
        "Not marked as done: Soothing, protective cream",
        "Record the product applied",
        f"Give the method's settings for {AREA}",
    ]:
        assert expected in missing
    assert "Numbing cream" not in missing
    assert "Mild chemical peel" not in missing
    assert fresh(started.session).status == SessionStatus.IN_PROGRESS
    assert not Entry.objects.filter(client=started.client, kind=EntryKind.SESSION).exists()


IF_PLANNED = [
    pytest.param("numbing_cream", "numbing_cream", "Numbing cream", id="numbing cream"),
    pytest.param("mild_peel", "peel", "Mild chemical peel", id="mild peel"),
]


@pytest.mark.parametrize(("agreed", "step"), [("numbing_cream", "numbing_cream"), ("mild_peel", "peel")])
def test_a_step_the_plan_did_not_agree_cannot_be_recorded(
    doctor: User, nurse: User, client_record: Client, agreed: str, step: str
) -> None:
    ready = ready_session(doctor=doctor, nurse=nurse, client=client_record, **{agreed: False})
    session = start(ready)

    with translation.override("en"), pytest.raises(SessionError, match=step):
        actions.record_checklist(actor=nurse, session=session, done=["cleanse", step], area_settings={})

    assert fresh(session).steps_done == {}


@pytest.mark.parametrize(("agreed", "step", "name"), IF_PLANNED)
def test_a_step_the_plan_agreed_must_be_done_before_signing(
    doctor: User, nurse: User, client_record: Client, agreed: str, step: str, name: str
) -> None:
    ready = ready_session(doctor=doctor, nurse=nurse, client=client_record, **{agreed: True})
    session = start(ready)
    complete_checklist(ready)
    done = [key for key in fresh(session).steps_done if key != step]
    actions.record_checklist(actor=nurse, session=session, done=done, area_settings={AREA: "0,5 mm"})

    with translation.override("en"), pytest.raises(SessionError) as refused:
        actions.sign_session(actor=nurse, session=fresh(session))

    assert str(refused.value).endswith(f"Not marked as done: {name}")


@pytest.mark.parametrize(
    "act",
    [
        pytest.param(
            lambda actor, ready: actions.record_checklist(
                actor=actor, session=ready.session, done=["cleanse"], area_settings={AREA: "0,5 mm"}
            ),
            id="record_checklist",
        ),
        pytest.param(
            lambda actor, ready: actions.add_product(
                actor=actor, session=ready.session, batch=ready.batch, quantity="1"
            ),
            id="add_product",
        ),
        pytest.param(lambda actor, ready: actions.sign_session(actor=actor, session=ready.session), id="sign_session"),
    ],
)
@pytest.mark.parametrize("who", ["doctor", "another nurse"])
def test_only_the_performer_may_record_or_sign(started: Ready, who: str, act: SessionAction) -> None:
    complete_checklist(started)
    actor = {"doctor": started.doctor, "another nurse": UserFactory(roles=[Role.NURSE])}[who]
    before = fresh(started.session)

    with pytest.raises(SessionError):
        act(actor, started)

    after = fresh(started.session)
    assert (after.status, after.steps_done, after.performer_id) == (
        SessionStatus.IN_PROGRESS,
        before.steps_done,
        started.nurse.pk,
    )
    assert lots_recorded(started) == [started.batch.lot]


# --- signing: journal, aftercare, stock, plan -------------------------------------------------


def test_the_signed_session_is_journaled_with_products_areas_performer_and_responsible_doctor(ready: Ready) -> None:
    session = signed_session(ready, quantity="2,5")

    entry = Entry.objects.get(pk=session.entry_id)
    assert (entry.kind, entry.status, entry.author, entry.on_behalf_of) == (
        EntryKind.SESSION,
        EntryStatus.SIGNED,
        ready.nurse,
        ready.doctor,
    )
    assert entry.content["products"] == [
        {
            "product": "Meso Glow HA",
            "manufacturer": "Dermica",
            "contains_hyaluronic_acid": True,
            "lot": ready.batch.lot,
            "expires_on": ready.batch.expires_on.isoformat(),
            "quantity": "2.50",
            "unit": "ml",
            "area": AREA,
        }
    ]
    assert entry.content["areas"] == [{"area": AREA, "method": "microinjection", "settings": "0,5 mm"}]
    assert (entry.content["performer"], entry.content["responsible_doctor"]) == (ready.nurse.pk, ready.doctor.pk)
    assert entry.content["consent"] == str(session.consent.code)
    assert entry.content["reconfirmation"] == NO_CHANGES
    for text in [ready.batch.lot, ready.batch.expires_on.strftime("%d.%m.%Y"), "0,5 mm", str(ready.doctor)]:
        assert text in entry.text


def test_signing_journals_the_aftercare_given(ready: Ready) -> None:
    session = signed_session(ready)

    aftercare = Entry.objects.get(pk=session.aftercare_entry_id)
    assert (aftercare.kind, aftercare.status, aftercare.content["session"]) == (
        EntryKind.INFORMATION,
        EntryStatus.SIGNED,
        str(session.code),
    )
    assert aftercare.content["aftercare"] == session.aftercare
    assert {item["key"] for item in session.aftercare["advice"]} >= {"no_makeup", "spf30", "no_direct_sun"}


def test_a_doctor_who_performs_is_the_responsible_doctor_and_acts_for_no_one(
    doctor: User, client_record: Client
) -> None:
    ready = ready_session(doctor=doctor, nurse=doctor, client=client_record)

    session = signed_session(ready)

    assert session.responsible_doctor == doctor
    assert Entry.objects.get(pk=session.entry_id).on_behalf_of is None


@pytest.mark.parametrize(("sessions", "status"), [(1, PlanStatus.COMPLETED), (3, PlanStatus.ACTIVE)])
def test_the_plan_is_completed_by_signing_its_last_session(
    doctor: User, nurse: User, client_record: Client, sessions: int, status: str
) -> None:
    ready = ready_session(doctor=doctor, nurse=nurse, client=client_record, sessions=sessions)

    signed_session(ready)

    assert TreatmentPlan.objects.get(pk=ready.plan.pk).status == status


@pytest.mark.parametrize(("stock", "left"), [(Decimal("10.00"), Decimal("7.50")), (None, None)])
def test_signing_takes_the_quantity_from_a_counted_stock(ready: Ready, stock: Decimal | None, left: Decimal) -> None:
    ready.batch = product_batch(lot="LOT-COUNTED", stock=stock)

    signed_session(ready, quantity="2,5")

    assert Batch.objects.get(pk=ready.batch.pk).stock == left


# --- stopping ----------------------------------------------------------------------------------


def test_stopping_a_started_session_journals_it_with_what_was_applied(started: Ready) -> None:
    add(started, quantity="1,5")

    session = actions.stop_session(
        actor=started.nurse, session=fresh(started.session), reason="Klienten fik det dårligt."
    )

    assert (session.status, session.stop_reason) == (SessionStatus.STOPPED, "Klienten fik det dårligt.")
    entry = Entry.objects.get(client=started.client, kind=EntryKind.SESSION)
    assert entry.content == {
        "session": str(session.code),
        "stopped": True,
        "reason": "Klienten fik det dårligt.",
        "products": [{"lot": started.batch.lot, "quantity": "1.50"}],
    }
    assert list(ProductUse.objects.filter(session=session).values_list("sealed", flat=True)) == [True]


def test_stopping_a_session_that_never_started_writes_no_journal_entry(ready: Ready) -> None:
    session = actions.stop_session(actor=ready.nurse, session=ready.session, reason="Klienten udeblev.")

    assert session.status == SessionStatus.STOPPED
    assert not Entry.objects.filter(client=ready.client, kind=EntryKind.SESSION).exists()


# --- a signed session cannot change (REG-20) -----------------------------------------------------


@pytest.fixture
def signed(ready: Ready) -> TreatmentSession:
    return signed_session(ready)


def raw(statement: str, pk: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, [pk])


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda pk: TreatmentSession.objects.filter(pk=pk).update(notes="x"), id="update"),
        pytest.param(
            lambda pk: TreatmentSession.objects.filter(pk=pk).update(status=SessionStatus.STOPPED), id="unsign"
        ),
        # Raw SQL: the ORM's delete would stop at the PROTECTed product lines first.
        pytest.param(lambda pk: raw("DELETE FROM treatment_sessions_treatmentsession WHERE id = %s", pk), id="delete"),
    ],
)
def test_the_database_refuses_to_change_a_signed_session(
    append_only_guards: None, signed: TreatmentSession, change: Callable[[int], object]
) -> None:
    with pytest.raises(DatabaseError, match=MESSAGE_SESSION), transaction.atomic():
        change(signed.pk)

    row = TreatmentSession.objects.get(pk=signed.pk)
    assert (row.status, row.notes) == (SessionStatus.SIGNED, "Rolig behandling.")


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda pk: ProductUse.objects.filter(pk=pk).update(quantity=Decimal("9")), id="update"),
        pytest.param(lambda pk: raw("DELETE FROM treatment_sessions_productuse WHERE id = %s", pk), id="delete"),
    ],
)
def test_the_database_refuses_to_change_a_sealed_product_line(
    append_only_guards: None, signed: TreatmentSession, change: Callable[[int], object]
) -> None:
    use = ProductUse.objects.get(session=signed)

    with pytest.raises(DatabaseError, match=MESSAGE_SESSION), transaction.atomic():
        change(use.pk)

    assert ProductUse.objects.get(pk=use.pk).quantity == Decimal("2.50")


def test_the_database_still_lets_a_session_in_progress_change(append_only_guards: None, started: Ready) -> None:
    use = add(started)

    TreatmentSession.objects.filter(pk=started.session.pk).update(notes="Kladde.")
    ProductUse.objects.filter(pk=use.pk).update(quantity=Decimal("2"))

    assert fresh(started.session).notes == "Kladde."
    assert ProductUse.objects.get(pk=use.pk).quantity == Decimal("2.00")


@pytest.mark.parametrize(
    "act",
    [
        pytest.param(
            lambda ready: actions.record_checklist(
                actor=ready.nurse, session=ready.session, done=["cleanse"], area_settings={AREA: "1 mm"}
            ),
            id="record_checklist",
        ),
        pytest.param(
            lambda ready: actions.add_product(
                actor=ready.nurse, session=ready.session, batch=ready.batch, quantity="1"
            ),
            id="add_product",
        ),
        pytest.param(
            lambda ready: actions.remove_product(
                actor=ready.nurse, session=ready.session, use=ProductUse.objects.get(session=ready.session)
            ),
            id="remove_product",
        ),
        pytest.param(lambda ready: actions.sign_session(actor=ready.nurse, session=ready.session), id="sign_again"),
        pytest.param(
            lambda ready: actions.reconfirm_health(actor=ready.nurse, session=ready.session, answers=NO_CHANGES),
            id="reconfirm_health",
        ),
        pytest.param(
            lambda ready: actions.override_guide_gate(actor=ready.doctor, session=ready.session, reason="Ny version."),
            id="override_guide_gate",
        ),
        pytest.param(lambda ready: actions.start_session(actor=ready.nurse, session=ready.session), id="start_again"),
        pytest.param(
            lambda ready: actions.stop_session(actor=ready.nurse, session=ready.session, reason="Fortrudt."), id="stop"
        ),
    ],
)
def test_no_action_changes_a_signed_session(
    ready: Ready, signed: TreatmentSession, act: Callable[[Ready], object]
) -> None:
    before = TreatmentSession.objects.values().get(pk=signed.pk)
    uses_before = list(ProductUse.objects.filter(session=signed).values())

    with pytest.raises(SessionError):
        act(ready)

    assert TreatmentSession.objects.values().get(pk=signed.pk) == before
    assert list(ProductUse.objects.filter(session=signed).values()) == uses_before
