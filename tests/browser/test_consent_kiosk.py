"""Written consent on the clinic's tablet in a real browser (Danish): the nurse hands the
tablet over; the kiosk shows only the consent; staff pages cannot be reached; the client
types a name and draws a signature; the nurse unlocks with the password."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from skinchart.accounts.models import Role, User
from skinchart.accounts.tests.factories import PASSWORD, UserFactory
from skinchart.catalogue.models import DefinitionVersion
from skinchart.catalogue.tests.shipped import NO_TO_EVERY_QUESTION, approve_shipped_catalogue
from skinchart.clients.models import Client
from skinchart.consent.models import Consent
from skinchart.consultations.actions import make_plan, record_consultation
from skinchart.guides.actions import give_oral_information, give_written_information
from skinchart.guides.models import GuideVersion
from skinchart.journal.models import CareAssignment

from .helpers import assert_no_csp_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_client_signs_on_the_kiosk_and_cannot_reach_staff_pages(
    page: Page,
    live_server: LiveServer,
    client_record: Client,
    log_in: Callable[..., None],
    console_errors: list[str],
    screenshot_dir: Path,
) -> None:
    doctor: User = UserFactory(roles=[Role.DOCTOR])
    nurse: User = UserFactory(roles=[Role.NURSE])
    CareAssignment.objects.create(client=client_record, practitioner=nurse, assigned_by=doctor)
    approve_shipped_catalogue(doctor)
    today = timezone.localdate()
    consultation = record_consultation(
        actor=nurse,
        client=client_record,
        definition_version=DefinitionVersion.objects.get(),
        methods=["microneedling"],
        answers=NO_TO_EVERY_QUESTION,
        skin_assessment="Rolig hud.",
        wishes="Glød.",
    )
    give_written_information(
        actor=nurse, client=client_record, version=GuideVersion.objects.get(), channel="handed_over"
    )
    give_oral_information(actor=nurse, client=client_record, treatment=consultation.treatment)
    plan = make_plan(
        actor=nurse,
        consultation=consultation,
        areas=[{"area": "Kinder", "method": "microneedling"}],
        sessions=3,
        interval_min_days=14,
        interval_max_days=21,
        maintenance_min_days=None,
        maintenance_max_days=None,
        mild_peel=False,
        numbing_cream=False,
        first_session_on=today + dt.timedelta(days=1),
    )

    log_in(live_server.url, nurse)
    page.goto(live_server.url + f"/plans/{plan.code}/consent/")
    page.locator(f'form[action$="/plans/{plan.code}/consent/kiosk/"] button[type=submit]').click()
    expect(page).to_have_url(re.compile(r"/kiosk/$"))
    expect(page.locator("header nav")).to_have_count(0)  # no staff menu on the kiosk

    # The client tries the staff pages: every one leads back to the consent.
    for path in ["/clients/", client_record.get_absolute_url(), f"/clients/{client_record.code}/journal/", "/"]:
        page.goto(live_server.url + path)
        expect(page).to_have_url(re.compile(r"/kiosk/$"))

    page.locator("#id_name").fill("Søren Østergaard")
    pad = page.locator("#signature-pad")
    box = pad.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 20, box["y"] + 20)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 20 + step * 25, box["y"] + 20 + (step % 3) * 20)
    page.mouse.up()
    page.screenshot(path=str(screenshot_dir / "kiosk-signing.png"), full_page=True)
    page.locator("#kiosk-form button[type=submit]").click()
    expect(page.locator("#kiosk-done")).to_be_visible()
    consent = Consent.objects.get()
    assert consent.signer_name == "Søren Østergaard"
    assert sum(len(stroke) for stroke in consent.signature) >= 5

    # Still locked until the nurse unlocks with the password.
    page.goto(live_server.url + "/clients/")
    expect(page).to_have_url(re.compile(r"/kiosk/$"))
    page.locator(".kiosk-staff a").click()
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/plans/{plan.code}/consent/$"))
    expect(page.locator("#consents li")).to_have_count(1)
    page.goto(live_server.url + "/clients/")
    expect(page).to_have_url(re.compile(r"/clients/$"))
    assert_no_csp_errors(console_errors)
