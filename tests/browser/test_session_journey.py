"""A treatment session in a real browser, in Danish, on a tablet-sized screen: the start
is blocked because today's photo of the area is missing; the nurse takes the photo on
the page; the session starts; the checklist with product and batch is filled in; the
session is signed; the aftercare handout (PDF) lists the dates."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader
from pytest_django.live_server_helper import LiveServer

from skinchart.accounts.models import Role, User
from skinchart.accounts.tests.factories import UserFactory
from skinchart.catalogue.aftercare import after
from skinchart.clients.models import Client
from skinchart.photos.models import Photo
from skinchart.photos.tests import images
from skinchart.sessions.models import SessionStatus, TreatmentSession
from skinchart.sessions.tests.setup import ready_session

from .helpers import assert_no_csp_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_session_blocked_for_the_photo_then_taken_checked_signed_and_handed_out(
    page: Page,
    live_server: LiveServer,
    client_record: Client,
    log_in: Callable[..., None],
    console_errors: list[str],
    screenshot_dir: Path,
    settings: object,
    tmp_path: Path,
) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]
    settings.STORAGES = {  # type: ignore[attr-defined]
        **settings.STORAGES,  # type: ignore[attr-defined]
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    doctor: User = UserFactory(roles=[Role.DOCTOR])
    nurse: User = UserFactory(roles=[Role.NURSE])
    ready = ready_session(doctor=doctor, nurse=nurse, client=client_record)
    Photo.objects.all().delete()  # the client came in without today's photo being taken
    page.set_viewport_size({"width": 810, "height": 1080})

    log_in(live_server.url, nurse)
    page.goto(live_server.url + ready.session.get_absolute_url())
    expect(page.locator("h1")).to_contain_text("Behandling 1 af 3")
    expect(page.locator("#gate-photo")).to_have_attribute("data-ok", "false")
    page.locator("#start-session").click()
    expect(page.locator(".messages, [role=alert]").first).to_be_visible()
    expect(page.locator("#gate-photo")).to_contain_text("Tag et foto")
    assert TreatmentSession.objects.get().status == SessionStatus.PREPARING

    photo_jpeg = tmp_path / "kinder.jpg"
    photo_jpeg.write_bytes(images.jpeg())
    photo_form = page.locator("section#photo form")
    photo_form.locator('input[type="file"]').set_input_files(str(photo_jpeg))
    photo_form.locator('button[type="submit"]').click()
    expect(page.locator("#gate-photo")).to_have_attribute("data-ok", "true")
    expect(page.locator(".gates .failing")).to_have_count(0)

    page.locator("#start-session").click()
    expect(page.locator("#session-status")).to_have_text("I gang")
    checklist = page.locator("section#checklist form")
    for box in checklist.locator('input[type="checkbox"]').all():
        box.check()
    checklist.get_by_label(re.compile("Kinder")).fill("0,5 mm nåledybde")
    checklist.locator('button[type="submit"]').click()
    products = page.locator("section#products form")
    batch = products.get_by_label("Produkt og batch")
    option = batch.locator("option", has_text="LOT-2026-A").get_attribute("value")
    batch.select_option(value=option)
    products.get_by_label("Mængde").fill("2,5")
    products.locator('button[type="submit"]').click()
    expect(page.locator("#product-uses")).to_contain_text("LOT-2026-A")
    page.screenshot(path=str(screenshot_dir / "session-in-progress.png"), full_page=True)

    page.locator("#sign-session").click()
    expect(page.locator("#session-status")).to_have_text("Underskrevet")
    session = TreatmentSession.objects.get()
    assert session.status == SessionStatus.SIGNED and session.ended_at is not None

    handout = page.request.get(live_server.url + page.locator("#aftercare-pdf").get_attribute("href"))
    assert handout.status == 200
    assert handout.headers["content-type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(handout.body())).pages)
    no_sun_until = timezone.localtime(after(session.ended_at, "7d"))
    spf_until = timezone.localtime(after(session.ended_at, "1mo"))
    assert no_sun_until.strftime("%d.%m.%Y") in text
    assert spf_until.strftime("%d.%m.%Y") in text
    assert "solfaktor" in text.lower()
    page.screenshot(path=str(screenshot_dir / "session-signed.png"), full_page=True)
    assert_no_csp_errors(console_errors)
