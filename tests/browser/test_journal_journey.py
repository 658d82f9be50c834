"""The journal in a real browser: a nurse writes, signs and corrects a note; a nurse
without a care relation must state a reason (break-glass) before the journal opens.

Runs in Danish (browser locale da-DK). The journal's Danish translations may not be
compiled yet, so elements are found by id, `name=`, URL and data, never by their text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from skinchart.accounts.models import Role, User
from skinchart.accounts.tests.factories import UserFactory
from skinchart.audit.models import AuditEvent
from skinchart.clients.models import Client
from skinchart.journal.models import BreakGlass, CareAssignment, CorrectionKind, Entry, EntryKind, EntryStatus

from .helpers import assert_no_csp_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTE = "Huden er rolig. Ingen rødme."
REASON = "Forkert område angivet i notatet."
CORRECTED = "Huden er rolig på venstre kind. Ingen rødme."
BREAK_GLASS_REASON = "Klienten ringer med akut hævelse efter behandling."

LogIn = Callable[[str, User], None]


def new_nurse() -> User:
    nurse: User = UserFactory(roles=[Role.NURSE])
    return nurse


def test_nurse_writes_signs_and_corrects_a_note(
    page: Page,
    live_server: LiveServer,
    client_record: Client,
    log_in: LogIn,
    console_errors: list[str],
    screenshot_dir: Path,
) -> None:
    nurse = new_nurse()
    doctor: User = UserFactory(roles=[Role.DOCTOR])
    CareAssignment.objects.create(client=client_record, practitioner=nurse, assigned_by=doctor)
    code = client_record.code
    timeline_path = f"/clients/{code}/journal/"

    log_in(live_server.url, nurse)

    # From the client page, the Journal tab opens the (empty) timeline.
    page.goto(live_server.url + client_record.get_absolute_url())
    journal_tab = page.locator(f'nav.tabs a[href$="{timeline_path}"]')
    expect(journal_tab).to_have_count(1)
    with page.expect_navigation() as navigation:
        journal_tab.click()
    response = navigation.value
    assert response is not None and response.status == 200
    assert "script-src 'self'" in response.headers.get("content-security-policy", ""), "no CSP sent"
    expect(page).to_have_url(re.compile(rf"{re.escape(timeline_path)}$"))
    expect(page.locator("html[lang=da]")).to_have_count(1)
    expect(page.locator("ol.timeline > li.entry")).to_have_count(0)

    # A new note, signed at once.
    page.locator(f'main a[href$="{timeline_path}notes/new/"]').click()
    expect(page).to_have_url(re.compile(rf"{re.escape(timeline_path)}notes/new/$"))
    expect(page.locator("#id_occurred_on")).not_to_have_value("")  # prefilled with now
    expect(page.locator("#id_occurred_time")).not_to_have_value("")
    page.locator("#id_text").fill(NOTE)
    page.locator('main form button[name=sign][value="1"]').click()

    expect(page).to_have_url(re.compile(rf"{re.escape(timeline_path)}$"))
    original = Entry.objects.get(client=client_record)
    assert original.status == EntryStatus.SIGNED
    assert original.kind == EntryKind.CLINICAL_NOTE
    assert original.author == nurse
    original_row = page.locator(f"ol.timeline > li#entry-{original.code}")
    expect(original_row).to_be_visible()
    expect(original_row.locator(".entry-text")).to_have_text(NOTE)
    expect(original_row).not_to_have_class(re.compile(r"\b(corrected|draft)\b"))

    # She opens the entry and corrects it as an amendment.
    entry_path = f"/journal/entries/{original.code}/"
    original_row.locator(f'a[href$="{entry_path}"]').click()
    expect(page).to_have_url(re.compile(rf"{re.escape(entry_path)}$"))
    expect(page.locator(f"main article#entry-{original.code} .entry-text")).to_have_text(NOTE)
    page.locator(f'main a[href$="{entry_path}correct/"]').click()
    expect(page).to_have_url(re.compile(rf"{re.escape(entry_path)}correct/$"))
    page.locator(f'input[name=correction_kind][value="{CorrectionKind.AMENDMENT}"]').check()
    page.locator("#id_reason").fill(REASON)
    page.locator("#id_text").fill(CORRECTED)
    page.locator("main form[method=post] button[type=submit]").click()

    # The correction's own page: the original, readable and marked, with the correction below.
    correction = Entry.objects.get(client=client_record, corrects__isnull=False)
    expect(page).to_have_url(re.compile(rf"/journal/entries/{correction.code}/$"))
    articles = page.locator("main article.entry")
    expect(articles).to_have_count(2)
    expect(articles.nth(0)).to_have_id(f"entry-{original.code}")
    expect(articles.nth(0)).to_have_class(re.compile(r"\bcorrected\b"))
    expect(articles.nth(0).locator(".entry-text")).to_have_text(NOTE)
    expect(articles.nth(1)).to_have_id(f"entry-{correction.code}")
    expect(articles.nth(1)).not_to_have_class(re.compile(r"\bcorrected\b"))
    expect(articles.nth(1).locator(".entry-text")).to_have_text(CORRECTED)
    expect(articles.nth(1)).to_contain_text(REASON)

    # Back on the timeline: both, the original marked, the correction (newer) on top.
    page.locator(f'main a[href$="{timeline_path}"]').first.click()
    expect(page).to_have_url(re.compile(rf"{re.escape(timeline_path)}$"))
    rows = page.locator("ol.timeline > li.entry")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_have_id(f"entry-{correction.code}")
    expect(rows.nth(0)).not_to_have_class(re.compile(r"\bcorrected\b"))
    expect(rows.nth(0).locator(".entry-text")).to_have_text(CORRECTED)
    expect(rows.nth(1)).to_have_id(f"entry-{original.code}")
    expect(rows.nth(1)).to_have_class(re.compile(r"\bcorrected\b"))
    expect(rows.nth(1).locator(".entry-text")).to_have_text(NOTE)

    # The database agrees: two signed entries, the correction points to the unchanged original.
    assert Entry.objects.filter(client=client_record).count() == 2
    assert Entry.objects.filter(client=client_record, status=EntryStatus.SIGNED).count() == 2
    correction.refresh_from_db()
    original.refresh_from_db()
    assert correction.corrects_id == original.pk
    assert correction.kind == EntryKind.CORRECTION
    assert correction.correction_kind == CorrectionKind.AMENDMENT
    assert correction.correction_reason == REASON
    assert correction.text == CORRECTED
    assert correction.author == nurse
    assert original.text == NOTE
    assert original.status == EntryStatus.SIGNED
    assert (original.seq, correction.seq) == (1, 2)
    assert correction.prev_hash == original.hash

    shot = screenshot_dir / "journal_timeline_corrected.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 0
    assert_no_csp_errors(console_errors)


def test_nurse_without_care_relation_must_break_the_glass(
    page: Page,
    live_server: LiveServer,
    client_record: Client,
    log_in: LogIn,
    console_errors: list[str],
) -> None:
    nurse = new_nurse()
    code = client_record.code
    timeline_path = f"/clients/{code}/journal/"
    break_glass_path = f"/clients/{code}/break-glass/"

    log_in(live_server.url, nurse)
    page.goto(live_server.url + timeline_path)

    # No care relation: sent to state a reason, with the journal as the way back.
    expect(page).to_have_url(re.compile(rf"{re.escape(break_glass_path)}\?next="))
    expect(page.locator("main input[name=next]")).to_have_value(timeline_path)
    expect(page.locator("ol.timeline")).to_have_count(0)

    # Too short a reason is refused and opens nothing.
    page.locator("#id_reason").fill("akut")
    page.locator("main form[method=post] button[type=submit]").click()
    expect(page).to_have_url(re.compile(re.escape(break_glass_path)))
    expect(page.locator("#id_reason_error")).to_be_visible()
    assert not BreakGlass.objects.filter(user=nurse).exists()

    # A real reason opens the journal.
    page.locator("#id_reason").fill(BREAK_GLASS_REASON)
    page.locator("main form[method=post] button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"{re.escape(timeline_path)}$"))
    expect(page.locator("ol.timeline")).to_be_visible()
    expect(page.locator(f'main a[href$="{timeline_path}notes/new/"]')).to_be_visible()

    access = BreakGlass.objects.get(user=nurse, client=client_record)
    assert access.reason == BREAK_GLASS_REASON
    assert access.reviewed_at is None
    events = AuditEvent.objects.filter(action="journal.break_glass", actor=nurse, client=client_record)
    assert events.count() == 1
    assert (events.get().target_type, events.get().target_id) == ("journal.breakglass", str(access.code))

    assert_no_csp_errors(console_errors)
