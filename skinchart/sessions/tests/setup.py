"""Test set-up for treatment sessions: a client for whom every gate holds, built through
the real actions of the earlier steps (pre-consultation, information, plan, consent),
with the times moved back as the reflection period needs.

`ready_session()` gives a session opened from today's booking, re-confirmed and
photographed, that `start_session` accepts; each gate test breaks one thing of it.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from skinchart.accounts.models import Registration, Site, TreatmentCategory, User
from skinchart.accounts.tests.factories import SiteFactory
from skinchart.catalogue.actions import approve_version
from skinchart.catalogue.models import DefinitionVersion, Treatment
from skinchart.catalogue.tests.shipped import NO_TO_EVERY_QUESTION, approve_shipped_catalogue
from skinchart.clients.models import Client
from skinchart.consent.actions import give_treatment_consent
from skinchart.consultations.actions import make_plan, record_consultation
from skinchart.consultations.models import Consultation, TreatmentPlan
from skinchart.guides.actions import give_oral_information, give_written_information, save_guide_draft
from skinchart.guides.models import GuideVersion, InformationRecord
from skinchart.journal.models import CareAssignment
from skinchart.lib.dates import start_of_local_day
from skinchart.photos.models import Photo, PhotoContext
from skinchart.products.models import Batch, Product
from skinchart.scheduling.models import Appointment, AppointmentKind, Room
from skinchart.sessions import actions
from skinchart.sessions.models import TreatmentSession

AREA = "Kinder"
NO_CHANGES = {
    "pregnant": "no",
    "breastfeeding": "no",
    "active_skin_infection_in_area": "no",
    "active_herpes_in_area": "no",
}
INFORMED_DAYS_AGO = 3


@dataclass
class Ready:
    site: Site
    doctor: User
    nurse: User
    client: Client
    plan: TreatmentPlan
    session: TreatmentSession
    batch: Batch


def register(practitioner: User, site: Site, *, doctor: User | None = None, **fields: Any) -> Registration:
    return Registration.objects.create(
        practitioner=practitioner,
        treatment_category=TreatmentCategory.NON_PERMANENT_FILLER,
        site=site,
        valid_from=fields.pop("valid_from", dt.date(2025, 1, 1)),
        supervising_doctor=doctor,
        **fields,
    )


def this_slot() -> dt.datetime:
    """Now, down to the 5-minute grid: always today, whatever the time of day."""
    now = timezone.now().astimezone(dt.UTC)
    return now.replace(minute=now.minute - now.minute % 5, second=0, microsecond=0)


def take_photo(client: Client, by: User, *, area: str = AREA, when: dt.datetime | None = None, **fields: Any) -> Photo:
    """A photo row (the gate reads rows; the pipeline has its own tests). By default
    taken a minute ago, but never before midnight: a test that runs at 00:00 still
    has today's photo."""
    if when is None:
        when = max(timezone.now() - dt.timedelta(minutes=1), start_of_local_day(timezone.localdate()) or timezone.now())
    photo: Photo = Photo.objects.create(
        client=client,
        area=area,
        angle=fields.pop("angle", "front"),
        context=fields.pop("context", PhotoContext.BEFORE_SESSION),
        taken_at=when,
        taken_by=by,
        sha256_original="0" * 64,
        original_bytes=1,
        width=1,
        height=1,
        key_id="test",
        original_path="x",
        display_path="x",
        thumb_path="x",
        **fields,
    )
    return photo


def informed_plan(
    *,
    doctor: User,
    nurse: User,
    client: Client,
    method: str = "microinjection",
    informed_days_ago: int = INFORMED_DAYS_AGO,
    **plan: Any,
) -> TreatmentPlan:
    """Pre-consultation, written then oral information and a plan, all
    `informed_days_ago` days ago, and the consent given (now) after the reflection period."""
    if not DefinitionVersion.objects.exists():
        approve_shipped_catalogue(doctor)
    CareAssignment.objects.get_or_create(client=client, practitioner=nurse, defaults={"assigned_by": doctor})
    consultation = record_consultation(
        actor=nurse,
        client=client,
        definition_version=DefinitionVersion.objects.get(number=1),
        methods=[method],
        answers=NO_TO_EVERY_QUESTION,
        skin_assessment="Tør hud på kinderne.",
        wishes="Mere glød.",
    )
    give_written_information(
        actor=nurse, client=client, version=GuideVersion.objects.get(number=1), channel="handed_over"
    )
    give_oral_information(actor=nurse, client=client, treatment=consultation.treatment)
    then = timezone.now() - dt.timedelta(days=informed_days_ago)
    InformationRecord.objects.filter(client=client).update(given_at=then)
    Consultation.objects.filter(pk=consultation.pk).update(performed_at=then)
    consultation.refresh_from_db()
    made = make_plan(
        actor=nurse,
        consultation=consultation,
        areas=plan.pop("areas", [{"area": AREA, "method": method}]),
        sessions=plan.pop("sessions", 3),
        interval_min_days=14,
        interval_max_days=21,
        maintenance_min_days=42,
        maintenance_max_days=84,
        mild_peel=plan.pop("mild_peel", False),
        numbing_cream=plan.pop("numbing_cream", False),
        first_session_on=timezone.localdate(),
    )
    made = TreatmentPlan.objects.get(pk=made.pk)
    give_treatment_consent(actor=nurse, plan=made, mode="oral", discussed="Forløb, bivirkninger og resultater.")
    return made


def book_today(plan: TreatmentPlan, practitioner: User, site: Site, *, number: int = 1) -> Appointment:
    """Today's session appointment, written at the model level (booking has its own
    tests; a booking cannot lie in the past, and a test may run at 23:59)."""
    start = this_slot()
    appointment: Appointment = Appointment.objects.create(
        client=plan.client,
        site=site,
        practitioner=practitioner,
        room=Room.objects.get_or_create(site=site, name="Behandlingsrum 1")[0],
        kind=AppointmentKind.SESSION,
        treatment=plan.treatment,
        plan=plan,
        session_number=number,
        start=start,
        end=start + dt.timedelta(minutes=60),
        created_by=practitioner,
    )
    return appointment


def product_batch(*, expires_on: dt.date | None = None, lot: str = "LOT-2026-A", stock: Decimal | None = None) -> Batch:
    product, _ = Product.objects.get_or_create(
        name="Meso Glow HA", manufacturer="Dermica", defaults={"contains_hyaluronic_acid": True}
    )
    batch: Batch = Batch.objects.create(
        product=product,
        lot=lot,
        expires_on=expires_on or timezone.localdate() + dt.timedelta(days=180),
        stock=stock,
    )
    return batch


def ready_session(
    *,
    doctor: User,
    nurse: User,
    client: Client,
    method: str = "microinjection",
    informed_days_ago: int = INFORMED_DAYS_AGO,
    **plan: Any,
) -> Ready:
    """Everything in place for `nurse` to start session 1 of a plan today."""
    site = SiteFactory()
    register(doctor, site)
    register(nurse, site, doctor=doctor)
    made = informed_plan(
        doctor=doctor, nurse=nurse, client=client, method=method, informed_days_ago=informed_days_ago, **plan
    )
    appointment = book_today(made, nurse, site)
    session = actions.open_session(actor=nurse, appointment=appointment)
    actions.reconfirm_health(actor=nurse, session=session, answers=NO_CHANGES)
    for area in dict.fromkeys(a["area"] for a in made.areas):
        take_photo(client, nurse, area=area)
    session.refresh_from_db()
    return Ready(
        site=site, doctor=doctor, nurse=nurse, client=client, plan=made, session=session, batch=product_batch()
    )


def complete_checklist(ready: Ready, *, quantity: str = "2.5") -> None:
    """The started session's checklist done, with one product line."""
    session = TreatmentSession.objects.get(pk=ready.session.pk)
    done = [s.key for s in actions.planned_steps(session) if s.kind not in ("photo", "product", "note")]
    actions.record_checklist(
        actor=ready.nurse,
        session=session,
        done=done,
        area_settings={a["area"]: "0,5 mm" for a in session.plan.areas},
        notes="Rolig behandling.",
    )
    actions.add_product(actor=ready.nurse, session=session, batch=ready.batch, quantity=quantity, area=AREA)


def fresh(session: TreatmentSession) -> TreatmentSession:
    """The session as the database has it now (the gates read the row, not a stale copy)."""
    return TreatmentSession.objects.get(pk=session.pk)


def start(ready: Ready, **kwargs: Any) -> TreatmentSession:
    """Start the ready session as its nurse."""
    return actions.start_session(actor=ready.nurse, session=fresh(ready.session), **kwargs)


def signed_session(ready: Ready, *, quantity: str = "2.5") -> TreatmentSession:
    """The ready session started, its checklist done with one product line, and signed."""
    start(ready)
    complete_checklist(ready, quantity=quantity)
    return actions.sign_session(actor=ready.nurse, session=fresh(ready.session))


def approve_new_guide_version(doctor: User) -> GuideVersion:
    """A revised guide approved by the doctor and in force from today."""
    current = GuideVersion.objects.get(number=1)
    sections = copy.deepcopy(current.sections)
    sections[0]["body"]["da"] += " Revideret."
    today = timezone.localdate()
    draft = save_guide_draft(
        actor=doctor, guide=current.guide, title=current.title, sections=sections, revised_on=today
    )
    approved: GuideVersion = approve_version(
        actor=doctor, version=draft, in_force_from=today, review_by=today + dt.timedelta(days=730)
    )
    return approved


def book_chemical_peel(ready: Ready, *, days_away: int = 3) -> Appointment:
    """A chemical peel booked for the client `days_away` days after today's session.
    The shipped catalogue has no peel definition, so its treatment, plan and booking
    are rows (borrowing the one definition version there is); mesotherapy's spacing
    rule for it warns with no fixed gap: plan within SPACING_REVIEW_DAYS individually."""
    peel = Treatment.objects.create(code="chemical_peel", category=TreatmentCategory.CHEMICAL_PEEL)
    plan = TreatmentPlan.objects.create(
        client=ready.client,
        consultation=ready.plan.consultation,
        treatment=peel,
        definition_version=ready.plan.definition_version,
        areas=[{"area": AREA, "method": "peel"}],
        sessions=1,
        interval_min_days=14,
        interval_max_days=21,
        first_session_on=timezone.localdate() + dt.timedelta(days=days_away),
        created_by=ready.nurse,
    )
    ours = Appointment.objects.get(pk=ready.session.appointment_id)
    appointment: Appointment = Appointment.objects.create(
        client=ready.client,
        site=ready.site,
        practitioner=ready.nurse,
        room=ours.room,
        kind=AppointmentKind.SESSION,
        treatment=peel,
        plan=plan,
        session_number=1,
        start=ours.start + dt.timedelta(days=days_away),
        end=ours.end + dt.timedelta(days=days_away),
        created_by=ready.nurse,
    )
    return appointment
