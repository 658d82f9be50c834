"""Sessions that used given batches, through the real session actions (the recall
reads ProductUse rows, which only a started session has)."""

from __future__ import annotations

from decimal import Decimal

from skinchart.accounts.models import User
from skinchart.clients.models import Client
from skinchart.products.models import Batch
from skinchart.sessions import actions
from skinchart.sessions.models import TreatmentSession
from skinchart.sessions.tests.setup import AREA, ready_session


def treat(
    *,
    doctor: User,
    nurse: User,
    client: Client,
    uses: list[tuple[Batch, str]],
    area: str = AREA,
    sign: bool = False,
    stop: bool = False,
) -> TreatmentSession:
    """Start session 1 of a new plan for `client` and record each (batch, quantity) on
    `area`; then sign or stop it if asked, else leave it in progress."""
    ready = ready_session(doctor=doctor, nurse=nurse, client=client, areas=[{"area": area, "method": "microinjection"}])
    # ready_session brings a batch with a fixed lot (unique per product); these tests
    # bring their own, so it goes before the next client's ready_session needs it.
    ready.batch.delete()
    session = actions.start_session(actor=nurse, session=ready.session)
    for batch, quantity in uses:
        actions.add_product(actor=nurse, session=session, batch=batch, quantity=Decimal(quantity), area=area)
    if sign:
        done = [s.key for s in actions.planned_steps(session) if s.kind not in ("photo", "product", "note")]
        session = actions.record_checklist(
            actor=nurse, session=session, done=done, area_settings={area: "0,5 mm"}, notes="Rolig behandling."
        )
        session = actions.sign_session(actor=nurse, session=session)
    elif stop:
        session = actions.stop_session(actor=nurse, session=session, reason="Klienten fik det dårligt.")
    return TreatmentSession.objects.get(pk=session.pk)
