"""The demo clinic: O'Skin Clinic, Kolding, its staff and about 50 fictitious clients."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from skinchart.accounts.models import Registration, Role, Site, StaffRole, TreatmentCategory, User
from skinchart.catalogue.actions import approve_version, default_review_by, import_catalogue
from skinchart.catalogue.loader import read_catalogue
from skinchart.catalogue.models import DefinitionVersion, DocumentStatus
from skinchart.clients.models import Client
from skinchart.demo.totp import demo_key_hex
from skinchart.guides.models import GuideVersion
from skinchart.journal.actions import record_entry
from skinchart.journal.models import CareAssignment, EntryKind
from skinchart.products.models import Batch, Product, Unit
from skinchart.scheduling.models import Room

DEMO_PASSWORD = "demo-Kolding-2026"  # noqa: S105 — demo mode only, printed on purpose

# From the clinic's mesotherapy guide; the SOR-ID is a placeholder until the clinic's
# own is entered by an administrator.
OSKIN = {
    "name": "O'Skin Clinic",
    "sor_id": "DEMO-SOR-0001",
    "address": "Dyrehavegårdsvej 2",
    "postal_code": "6000",
    "city": "Kolding",
    "phone": "+4555664343",
    "email": "info@oskin.dk",
    "website": "oskinclinic.dk",
}

STAFF = [
    ("doctor", "Karen", "Lund", [Role.DOCTOR], "DEMO-L1001"),
    ("nurse", "Mette", "Holm", [Role.NURSE], "DEMO-S2001"),
    ("cosmetologist", "Sofie", "Berg", [Role.COSMETOLOGIST], ""),
    ("reception", "Lars", "Kjær", [Role.RECEPTION], ""),
    ("admin", "Anders", "Møller", [Role.ADMIN], ""),
]

FIRST_NAMES = [
    "Anne",
    "Kirsten",
    "Mette",
    "Hanne",
    "Camilla",
    "Louise",
    "Maria",
    "Julie",
    "Ida",
    "Emma",
    "Freja",
    "Sofie",
    "Line",
    "Pernille",
    "Helle",
    "Søren",
    "Mads",
    "Jens",
    "Peter",
    "Rasmus",
    "Anders",
    "Mikkel",
    "Frederik",
    "Christian",
    "Martin",
    "Åse",
    "Bodil",
    "Gitte",
    "Lærke",
    "Nanna",
]
LAST_NAMES = [
    "Nielsen",
    "Jensen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Petersen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
    "Poulsen",
    "Johansen",
    "Møller",
    "Mortensen",
    "Østergaard",
    "Damgaard",
    "Bækgaard",
]
STREETS = ["Jernbanegade", "Låsbygade", "Haderslevvej", "Vejlevej", "Skovvangen", "Fjordvej"]

CLIENT_COUNT = 50

# A few signed notes so the demo journal is not empty (written by the demo nurse).
DEMO_NOTES = [
    ["Ønsker bedre fugtbalance og færre fine linjer omkring øjnene.", "Huden er rolig efter behandlingen."],
    ["Spørger til mesoterapi på læberne; tidligere filler for 2 år siden."],
    ["Let rødme dagen efter, som forventet. Ingen tegn på infektion."],
]


def demo_cpr(birth: dt.date, serial: int) -> str:
    """A CPR number that agrees with the birth date (7th digit per century)."""
    yy = birth.year % 100
    seventh = 4 if birth.year >= 2000 else serial % 4
    return f"{birth:%d%m}{yy:02d}{seventh}{serial % 1000:03d}"


@transaction.atomic
def seed() -> dict[str, int]:
    site, _ = Site.objects.update_or_create(sor_id=OSKIN["sor_id"], defaults=OSKIN)
    users: dict[str, User] = {}
    for username, first, last, roles, authorisation in STAFF:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@oskin.example",
                "authorisation_id": authorisation,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        for role in roles:
            StaffRole.objects.get_or_create(user=user, role=role)
        user.sites.add(site)
        TOTPDevice.objects.get_or_create(
            user=user, name="demo authenticator", defaults={"key": demo_key_hex(username), "confirmed": True}
        )
        users[username] = user
    doctor = users["doctor"]
    start = dt.date(2025, 10, 1)
    for username, category in [
        ("doctor", TreatmentCategory.NON_PERMANENT_FILLER),
        ("doctor", TreatmentCategory.MICRONEEDLING),
        ("nurse", TreatmentCategory.NON_PERMANENT_FILLER),
        ("nurse", TreatmentCategory.MICRONEEDLING),
        ("cosmetologist", TreatmentCategory.MICRONEEDLING),
        ("cosmetologist", TreatmentCategory.NON_PERMANENT_FILLER),
    ]:
        Registration.objects.get_or_create(
            practitioner=users[username],
            treatment_category=category,
            site=site,
            defaults={"valid_from": start, "supervising_doctor": None if username == "doctor" else doctor},
        )
    for room in ("Behandlingsrum 1", "Behandlingsrum 2", "Konsultationsrum"):
        Room.objects.get_or_create(site=site, name=room)
    practitioners = [users["doctor"], users["nurse"], users["cosmetologist"]]
    created_clients = _seed_clients(users["reception"], practitioners)
    approved = _seed_catalogue(doctor)
    _seed_products()
    course = _seed_treatment_course(users, site)
    return {
        "staff": len(users),
        "clients_created": created_clients,
        "documents_approved": approved,
        "courses_created": course,
    }


def _seed_products() -> None:
    """Two mesococktails with batches in date, and one expired batch (a session refuses it)."""
    today = timezone.localdate()
    for name, manufacturer, batches in [
        ("Hydra Meso HA", "Dermica Labs", [("HM-2611-A", 240), ("HM-2604-B", -10)]),
        ("Glow Cocktail", "Aesthetica Nordic", [("GC-7731", 400)]),
    ]:
        product, _ = Product.objects.get_or_create(
            name=name, manufacturer=manufacturer, defaults={"contains_hyaluronic_acid": True, "unit": Unit.ML}
        )
        for lot, days in batches:
            Batch.objects.get_or_create(
                product=product,
                lot=lot,
                defaults={"expires_on": today + dt.timedelta(days=days), "stock": Decimal("20.00")},
            )


def _seed_treatment_course(users: dict[str, User], site: Site) -> int:
    """The first demo client's mesotherapy course, ready for session 1 today: the
    pre-consultation, the written and oral information and the consent three days ago,
    and today's booking with the nurse. Created once; returns 1 when it was."""
    from skinchart.consent.actions import give_treatment_consent
    from skinchart.consultations.actions import make_plan, record_consultation
    from skinchart.consultations.models import Consultation, TreatmentPlan
    from skinchart.guides.actions import give_oral_information, give_written_information
    from skinchart.guides.models import InformationRecord
    from skinchart.scheduling.actions import claim_slots
    from skinchart.scheduling.models import Appointment, AppointmentKind

    client = Client.objects.filter(email="demo.client00@example.org").first()
    if client is None or TreatmentPlan.objects.filter(client=client).exists():
        return 0
    nurse = users["nurse"]
    version = DefinitionVersion.objects.filter(status=DocumentStatus.APPROVED).order_by("-number").first()
    if version is None:
        return 0
    guide = GuideVersion.objects.filter(guide__treatment=version.treatment).in_force_on(timezone.localdate()).first()
    if guide is None:
        return 0
    answers = {q.key: False if q.answer == "yes_no" else "" for q in version.definition.questions}
    consultation = record_consultation(
        actor=nurse,
        client=client,
        definition_version=version,
        methods=["microinjection"],
        answers=answers,
        skin_assessment="Let dehydreret hud på kinderne, fine linjer ved øjnene.",
        wishes="Mere glød og fugt i huden.",
        site=site,
    )
    give_written_information(actor=nurse, client=client, version=guide, channel="handed_over")
    give_oral_information(actor=nurse, client=client, treatment=version.treatment)
    # Demo data: the visit was three days ago, so the reflection period is over today.
    then = timezone.now() - dt.timedelta(days=3)
    InformationRecord.objects.filter(client=client).update(given_at=then)
    Consultation.objects.filter(pk=consultation.pk).update(performed_at=then)
    consultation.refresh_from_db()
    plan = make_plan(
        actor=nurse,
        consultation=consultation,
        areas=[{"area": "Kinder", "method": "microinjection"}],
        sessions=3,
        interval_min_days=14,
        interval_max_days=21,
        maintenance_min_days=42,
        maintenance_max_days=84,
        mild_peel=False,
        numbing_cream=True,
        first_session_on=timezone.localdate(),
    )
    plan = TreatmentPlan.objects.get(pk=plan.pk)
    give_treatment_consent(actor=nurse, plan=plan, mode="oral", discussed="Forløb, bivirkninger og resultater.")
    # Today's booking at the current 5-minute slot (written directly: a booking in the
    # past is refused, and the demo is usually started during the day).
    now = timezone.now().astimezone(dt.UTC)
    start = now.replace(minute=now.minute - now.minute % 5, second=0, microsecond=0)
    appointment = Appointment.objects.create(
        client=client,
        site=site,
        practitioner=nurse,
        room=Room.objects.filter(site=site).order_by("name").first(),
        kind=AppointmentKind.SESSION,
        treatment=plan.treatment,
        plan=plan,
        session_number=1,
        start=start,
        end=start + dt.timedelta(minutes=60),
        created_by=users["reception"],
    )
    claim_slots(appointment)
    return 1


def _seed_catalogue(doctor: User) -> int:
    """The shipped catalogue, approved by the demo doctor (in a real clinic the doctor
    reads and approves each draft in Skinchart, after re-entering password and code)."""
    documents = read_catalogue(Path(settings.CATALOGUE_DIR))
    import_catalogue(actor=None, documents=documents, source_root=str(settings.CATALOGUE_DIR))
    today = timezone.localdate()
    approved = 0
    for model in (DefinitionVersion, GuideVersion):
        for draft in model.objects.filter(status=DocumentStatus.DRAFT):
            review_by = draft.review_by if draft.review_by and draft.review_by > today else default_review_by(today)
            approve_version(actor=doctor, version=draft, in_force_from=today, review_by=review_by)
            approved += 1
    return approved


def _seed_clients(actor: User, practitioners: list[User]) -> int:
    rng = random.Random(6000)  # noqa: S311 — fictitious data, same every time
    created = 0
    for number in range(CLIENT_COUNT):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 55))
        phone = f"+452{rng.randrange(0, 10_000_000):07d}"
        client = Client(
            first_name=first,
            last_name=last,
            date_of_birth=birth,
            cpr=demo_cpr(birth, 100 + number) if number % 3 == 0 else None,
            phone=phone,
            email=f"demo.client{number:02d}@example.org",
            address=f"{rng.choice(STREETS)} {rng.randrange(1, 120)}",
            postal_code="6000",
            city="Kolding",
            created_by=actor,
        )
        client.refresh_name_key()
        if not Client.objects.filter(email=client.email).exists():
            client.save()
            created += 1
            for practitioner in practitioners:
                CareAssignment.objects.create(client=client, practitioner=practitioner, assigned_by=actor)
            if number < len(DEMO_NOTES):
                for text in DEMO_NOTES[number]:
                    record_entry(actor=practitioners[1], client=client, kind=EntryKind.CLINICAL_NOTE, text=text)
    return created
