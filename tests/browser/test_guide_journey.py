"""A client guide in a real browser (Danish): a doctor approves a new version after
re-entering password and code; a nurse sends that version to a client by link; the
link opens without login; the client's journal shows the written information given,
naming the version (REG-4, REG-8, REG-9)."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from skinchart.accounts.models import Role, User
from skinchart.accounts.tests.factories import PASSWORD, SiteFactory, UserFactory
from skinchart.catalogue.tests.shipped import approve_shipped_catalogue
from skinchart.clients.models import Client
from skinchart.guides.actions import save_guide_draft
from skinchart.guides.models import GuideVersion, InformationRecord
from skinchart.journal.models import CareAssignment, Entry, EntryKind

from .helpers import assert_no_csp_errors, current_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LogIn = Callable[[str, User], None]
NEW_TEXT = "Mesoterapi giver huden fugt og glød. Denne tekst er ny i version 2."


def guide_with_a_new_draft(doctor: User) -> GuideVersion:
    """Version 1 of the shipped guide in force; version 2 written and awaiting approval."""
    today = timezone.localdate()
    approve_shipped_catalogue(doctor, review_by=today + dt.timedelta(days=700))
    v1 = GuideVersion.objects.get(number=1)
    sections = [{**s, "body": {**s["body"], "da": NEW_TEXT}} if s["key"] == "about" else s for s in v1.sections]
    return save_guide_draft(actor=doctor, guide=v1.guide, title=v1.title, sections=sections, revised_on=today)


def sign_in_a_while_ago(page: Page) -> None:
    """Age the browser's login session past REAUTH_MAX_AGE (its last password + code)."""
    cookie = next(c for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    session = SessionStore(session_key=cookie["value"])
    session["reauth_at"] = time.time() - settings.REAUTH_MAX_AGE - 60
    session.save()


def test_doctor_approves_nurse_sends_link_journal_records_it(
    page: Page,
    live_server: LiveServer,
    client_record: Client,
    log_in: LogIn,
    console_errors: list[str],
    screenshot_dir: Path,
) -> None:
    site = SiteFactory()
    doctor: User = UserFactory(roles=[Role.DOCTOR])
    nurse: User = UserFactory(roles=[Role.NURSE])
    nurse.sites.add(site)
    CareAssignment.objects.create(client=client_record, practitioner=nurse, assigned_by=doctor)
    draft = guide_with_a_new_draft(doctor)

    # The doctor signed in a while ago (longer than REAUTH_MAX_AGE), sees the draft
    # waiting on the overview and opens it.
    log_in(live_server.url, doctor)
    sign_in_a_while_ago(page)
    draft_link = page.locator(f'#attention a[href$="{draft.get_absolute_url()}"]')
    expect(draft_link).to_have_count(1)
    draft_link.click()
    expect(page.locator("#section-about")).to_contain_text(NEW_TEXT)
    page.locator('a.button.primary[href$="/approve/"]').click()

    # Approving needs password and a fresh code, then the approval form.
    expect(page).to_have_url(re.compile(r"/accounts/reauth/"))
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_token").fill(current_totp(doctor, steps_ahead=1))
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/guides/versions/{draft.code}/approve/"))
    expect(page.locator("#id_in_force_from")).to_have_value(timezone.localdate().strftime("%d.%m.%Y"))
    page.locator("#id_confirm").check()
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/guides/versions/{draft.code}/$"))
    expect(page.locator(".document-status .lifecycle-in_force")).to_have_count(1)
    page.screenshot(path=str(screenshot_dir / "guide-approved.png"), full_page=True)
    draft.refresh_from_db()
    assert (draft.status, draft.approved_by) == ("approved", doctor)
    page.locator("header form.inline button[type=submit]").first.click()  # sign out

    # The nurse sends the version in force to the client by link.
    log_in(live_server.url, nurse)
    page.goto(live_server.url + client_record.get_absolute_url())
    page.locator(f'nav.tabs a[href$="/clients/{client_record.code}/information/"]').click()
    expect(page.locator("#id_version option")).to_have_count(1)
    expect(page.locator("#id_version option")).to_have_attribute("value", str(draft.code))
    page.locator('input[name=channel][value="link"]').check()
    page.locator("#give button[type=submit]").click()
    link_field = page.locator("#link-url")
    expect(link_field).to_be_visible()
    url = link_field.input_value()
    assert url.startswith(live_server.url + "/g/")
    page.screenshot(path=str(screenshot_dir / "guide-link-sent.png"), full_page=True)

    # The client opens the link without any login.
    client_page = page.context.browser.new_context(locale="da-DK").new_page()  # type: ignore[union-attr]
    client_page.goto(url)
    expect(client_page.locator("#section-about")).to_contain_text(NEW_TEXT)
    expect(client_page.locator(".guide-control")).to_contain_text("Version 2")
    client_page.screenshot(path=str(screenshot_dir / "guide-client-view.png"), full_page=True)
    client_page.context.close()

    # The journal shows the written information given, with that version.
    page.locator(f'nav.tabs a[href$="/clients/{client_record.code}/journal/"]').click()
    entry = Entry.objects.get(client=client_record, kind=EntryKind.INFORMATION)
    row = page.locator(f'a[href$="{entry.get_absolute_url()}"]')
    expect(row).to_have_count(1)
    expect(page.locator("main")).to_contain_text("version 2")
    assert entry.content["guide_version"] == str(draft.code)
    assert InformationRecord.objects.get(client=client_record).link is not None
    assert_no_csp_errors(console_errors)
