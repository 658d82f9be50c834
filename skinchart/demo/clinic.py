"""The demo clinic: O'Skin Clinic, Kolding, its staff and about 50 fictitious clients."""

from __future__ import annotations

import datetime as dt
import random
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
    return {"staff": len(users), "clients_created": created_clients, "documents_approved": approved}


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
