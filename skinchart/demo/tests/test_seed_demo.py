from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client as HttpClient

from skinchart.accounts.models import Registration, Role, Site, User
from skinchart.clients.models import Client
from skinchart.demo.clinic import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_seed_demo_refuses_without_demo_mode(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEMO_MODE = False
    with pytest.raises(CommandError):
        call_command("seed_demo")


def test_seed_demo_creates_the_clinic_once(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEMO_MODE = True
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    site = Site.objects.get()
    assert (site.name, site.city, site.phone, site.email) == (
        "O'Skin Clinic",
        "Kolding",
        "+4555664343",
        "info@oskin.dk",
    )
    assert set(User.objects.values_list("username", flat=True)) == {
        "doctor",
        "nurse",
        "cosmetologist",
        "reception",
        "admin",
    }
    assert Client.objects.count() == 50
    assert Registration.objects.filter(practitioner__username="nurse", supervising_doctor__username="doctor").exists()
    assert User.objects.get(username="doctor").has_role(Role.DOCTOR)


def test_the_demo_doctor_signs_in_with_the_code_shown_in_demo_mode(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEMO_MODE = True
    call_command("seed_demo", stdout=io.StringIO())
    http = HttpClient()
    http.post("/accounts/login/", {"username": "doctor", "password": DEMO_PASSWORD})
    code = http.get("/accounts/login/code/").context["demo_code"]
    assert http.post("/accounts/login/code/", {"token": code}).status_code == 302
    assert http.get("/clients/").status_code == 200


def test_no_code_is_shown_outside_demo_mode(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEMO_MODE = True
    call_command("seed_demo", stdout=io.StringIO())
    settings.DEMO_MODE = False
    http = HttpClient()
    http.post("/accounts/login/", {"username": "doctor", "password": DEMO_PASSWORD})
    assert http.get("/accounts/login/code/").context["demo_code"] == ""


def test_the_demo_has_a_session_today_that_waits_only_for_the_checks_of_the_day(settings) -> None:  # type: ignore[no-untyped-def]
    from skinchart.scheduling.models import Appointment
    from skinchart.sessions.actions import open_session
    from skinchart.sessions.gates import evaluate_gates

    settings.DEMO_MODE = True
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    appointment = Appointment.objects.get(kind="session")
    nurse = User.objects.get(username="nurse")
    session = open_session(actor=nurse, appointment=appointment)

    failing = [gate.key for gate in evaluate_gates(session, performer=nurse).failing]

    assert failing == ["reconfirmation", "photo"]
