"""The front door in a real browser: two-step sign-in, HTMX client search, the client page.

Runs against pytest-django's live server in Danish (browser locale da-DK). The site's
own .po files may not be compiled yet, so Danish is checked through `<html lang>` and
strings that come from Django's own Danish catalogue.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from skinchart.accounts.models import User
from skinchart.accounts.tests.factories import PASSWORD
from skinchart.clients.models import Client
from skinchart.journal.models import CareAssignment

from .helpers import current_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FULL_CPR_FORMS = ("1506851234", "150685-1234", "150685 1234")  # client_record's CPR


def assert_no_csp_errors(console_errors: list[str]) -> None:
    csp = [text for text in console_errors if "content security policy" in text.lower()]
    assert not csp, f"the page broke its own Content Security Policy: {csp}"


def test_doctor_signs_in_and_finds_a_client(
    page: Page,
    live_server: LiveServer,
    doctor: User,
    client_record: Client,
    console_errors: list[str],
    screenshot_dir: Path,
) -> None:
    # The site root sends an anonymous visitor to the sign-in page, in Danish.
    response = page.goto(live_server.url + "/")
    assert response is not None
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    csp_header = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in csp_header, "the CSP check below only means something if a CSP is sent"
    expect(page.locator("html[lang=da]")).to_have_count(1)
    expect(page.locator("label[for=id_password]")).to_contain_text("Adgangskode")  # Django's own catalogue

    # An empty submit is refused with Django's Danish "required" message.
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#id_username_error")).to_have_text("Dette felt er påkrævet.")

    # Step 1: username and password.
    page.locator("#id_username").fill(doctor.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()

    # Step 2: the authenticator code.
    expect(page).to_have_url(re.compile(r"/accounts/login/code/"))
    expect(page.locator("html[lang=da]")).to_have_count(1)
    page.locator("#id_token").fill(current_totp(doctor))
    page.locator("main form button[type=submit]").click()

    # A doctor lands on the overview, and goes to the client list from the menu.
    expect(page.get_by_role("heading", level=1)).to_have_text("Oversigt")
    page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Klienter").click()
    expect(page).to_have_url(re.compile(r"/clients/$"))
    search = page.locator("#id_q")
    expect(search).to_be_visible()

    # Typing searches through HTMX: a partial response swapped into #results.
    with page.expect_response(
        lambda r: "/clients/" in r.url and "q=" in r.url and r.request.headers.get("hx-request") == "true"
    ) as search_response:
        search.press_sequentially("søren", delay=30)
    assert search_response.value.status == 200
    hit = page.locator("#results").get_by_role("link", name="Søren Østergaard")
    expect(hit).to_be_visible()
    expect(page).to_have_url(re.compile(r"/clients/\?q=s%C3%B8ren$"))  # hx-push-url

    hit.click()
    expect(page).to_have_url(re.compile(rf"/clients/{client_record.code}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Søren Østergaard")
    expect(page.locator("#cpr-value .cpr-masked")).to_have_text("150685-xxxx")
    main_text = page.locator("main").inner_text()
    for full in FULL_CPR_FORMS:
        assert full not in main_text
        assert full not in page.content()
    expect(page.locator("html[lang=da]")).to_have_count(1)

    shot = screenshot_dir / "client_detail_doctor.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 0
    assert_no_csp_errors(console_errors)


def test_journal_link_for_doctor_but_not_for_reception(
    page: Page,
    live_server: LiveServer,
    doctor: User,
    reception: User,
    client_record: Client,
    log_in: Callable[[str, User], None],
    console_errors: list[str],
) -> None:
    CareAssignment.objects.create(client=client_record, practitioner=doctor, assigned_by=doctor)
    client_url = live_server.url + client_record.get_absolute_url()
    clinical_links = page.locator(f'main a[href$="/clients/{client_record.code}/journal/"]')

    log_in(live_server.url, doctor)
    page.goto(client_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Søren Østergaard")
    expect(clinical_links).to_have_count(1)
    expect(clinical_links).to_contain_text("Journal")
    clinical_links.click()
    expect(page).to_have_url(re.compile(r"/journal/$"))
    expect(page.locator("ol.timeline")).to_be_visible()

    # Sign out, then in again as reception.
    page.locator('header form[action$="/accounts/logout/"] button[type=submit]').click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    log_in(live_server.url, reception)
    page.goto(client_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Søren Østergaard")
    expect(page.locator("#cpr-value .cpr-masked")).to_have_text("150685-xxxx")
    expect(clinical_links).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text("Journal")

    assert_no_csp_errors(console_errors)
