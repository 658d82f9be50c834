"""Fixtures of the scheduling tests: the shipped catalogue approved, a site with rooms,
a booking helper, and a database that concurrent threads can really share."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connections
from django.db.utils import load_backend
from django.utils import timezone

from skinchart.accounts.models import Site, User
from skinchart.accounts.tests.factories import SiteFactory
from skinchart.catalogue.actions import approve_version, import_catalogue
from skinchart.catalogue.loader import read_catalogue
from skinchart.catalogue.models import DefinitionVersion
from skinchart.clients.models import Client
from skinchart.guides.models import GuideVersion
from skinchart.scheduling.actions import book_appointment
from skinchart.scheduling.models import Appointment, AppointmentKind, Room
from skinchart.scheduling.tests.factories import RoomFactory


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """A wall-clock time in the clinic's time zone (Europe/Copenhagen)."""
    return timezone.make_aware(dt.datetime(year, month, day, hour, minute))  # noqa: DTZ001


def elapsed(start: dt.datetime, *, hours: int = 0, minutes: int = 0) -> dt.datetime:
    """`start` plus elapsed time (counted in UTC, not on the wall clock)."""
    return start.astimezone(dt.UTC) + dt.timedelta(hours=hours, minutes=minutes)


def future_day(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


@dataclass
class Documents:
    definition: DefinitionVersion
    guide: GuideVersion


@pytest.fixture
def documents(doctor: User) -> Documents:
    """The shipped mesotherapy definition and client guide, version 1 of each approved."""
    root = Path(settings.CATALOGUE_DIR)
    import_catalogue(actor=None, documents=read_catalogue(root), source_root=str(root))
    today = timezone.localdate()
    approved = []
    for model in (DefinitionVersion, GuideVersion):
        version = model.objects.get(number=1)
        approved.append(
            approve_version(
                actor=doctor, version=version, in_force_from=today, review_by=today + dt.timedelta(days=700)
            )
        )
    return Documents(definition=approved[0], guide=approved[1])


@pytest.fixture
def site(db: None) -> Site:
    return SiteFactory(name="O'Skin Clinic Kolding")


@pytest.fixture
def room(site: Site) -> Room:
    return RoomFactory(site=site, name="Room 1")


@pytest.fixture
def other_room(site: Site) -> Room:
    return RoomFactory(site=site, name="Room 2")


@pytest.fixture
def book(doctor: User, client_record: Client, site: Site, room: Room) -> Callable[..., Appointment]:
    """book_appointment with the doctor, the client, the site and room 1 as defaults."""

    def call(**fields: Any) -> Appointment:
        defaults: dict[str, Any] = {
            "actor": doctor,
            "client": client_record,
            "site": site,
            "practitioner": doctor,
            "room": room,
            "kind": AppointmentKind.PRE_CONSULTATION,
        }
        if fields.get("kind") == AppointmentKind.SESSION:
            defaults["session_number"] = 1
        return book_appointment(**{**defaults, **fields})

    return call


@pytest.fixture
def concurrent_database(transactional_db: None, tmp_path: Path) -> Iterator[None]:
    """A database that threads share as web processes do.

    On SQLite the test database lives in memory with a shared cache, where a second
    writer fails at once ("database table is locked") instead of waiting on the busy
    timeout as with the real database file (WAL, IMMEDIATE transactions). So the
    database is copied to a file and every connection — this thread's and each new
    thread's — is pointed at it until the test ends. PostgreSQL needs nothing."""
    memory = connections["default"]
    if memory.vendor != "sqlite" or not memory.is_in_memory_db():  # type: ignore[attr-defined]
        yield
        return
    memory.ensure_connection()
    path = tmp_path / "concurrency.sqlite3"
    with sqlite3.connect(path) as target:
        memory.connection.backup(target)  # type: ignore[union-attr]
        target.execute("PRAGMA journal_mode=WAL")
    target.close()
    shared = connections.settings["default"]  # every new thread's connection is made from this
    name = shared["NAME"]
    shared["NAME"] = str(path)
    connections["default"] = load_backend(shared["ENGINE"]).DatabaseWrapper(shared, "default")
    try:
        yield
    finally:
        connections["default"].close()
        shared["NAME"] = name
        connections["default"] = memory
