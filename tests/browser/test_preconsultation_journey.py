"""The whole pre-consultation in a real browser, in Danish: the nurse fills in the
health questionnaire with a keloid answer → the screening sends it to a doctor → the
doctor approves, signed → the nurse gives the oral information and makes a plan with
three proposed sessions → the three sessions are booked (REG-2, REG-4, PRODUCT.md §3)."""

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
from skinchart.accounts.tests.factories import SiteFactory, UserFactory
from skinchart.catalogue.tests.shipped import approve_shipped_catalogue
from skinchart.clients.models import Client
from skinchart.consultations.models import Consultation, DoctorAssessment, TreatmentPlan
from skinchart.guides.actions import give_written_information
from skinchart.guides.models import GuideVersion
from skinchart.journal.models import CareAssignment, Entry, EntryKind
from skinchart.scheduling.models import Appointment, Room

from .helpers import assert_no_csp_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LogIn = Callable[..., None]
NO = [
    "pregnant",
    "breastfeeding",
    "active_skin_infection_in_area",
    "chronic_urticaria",
    "active_herpes_in_area",
    "blood_thinners",
    "fish_oil",
    "vitamin_e",
]


def sign_out(page: Page) -> None:
    page.locator("header form.inline button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_keloid_answer_doctor_approves_plan_three_sessions_booked(
    page: Page,
    live_server: LiveServer,
    client_record: Client,
    log_in: LogIn,
    console_errors: list[str],
    screenshot_dir: Path,
) -> None:
    site = SiteFactory()
    Room.objects.create(site=site, name="Behandlingsrum 1")
    doctor: User = UserFactory(roles=[Role.DOCTOR])
    nurse: User = UserFactory(roles=[Role.NURSE])
    nurse.sites.add(site)
    CareAssignment.objects.create(client=client_record, practitioner=nurse, assigned_by=doctor)
    CareAssignment.objects.create(client=client_record, practitioner=doctor, assigned_by=doctor)
    today = timezone.localdate()
    approve_shipped_catalogue(doctor, review_by=today.replace(year=today.year + 2))
    # The written guide went to the client before the visit.
    give_written_information(
        actor=nurse, client=client_record, version=GuideVersion.objects.get(), channel="handed_over"
    )

    # The nurse fills in the questionnaire with the client: keloid tendency, yes.
    log_in(live_server.url, nurse)
    page.goto(live_server.url + client_record.get_absolute_url())
    page.locator(f'nav.tabs a[href$="/clients/{client_record.code}/consultations/"]').click()
    page.locator('a.button.primary[href*="/consultations/new/?treatment=mesotherapy"]').click()
    page.locator('input[name=methods][value="microneedling"]').check()
    for key in NO:
        page.locator(f'input[name="q_{key}"][value="no"]').check()
    page.locator('input[name="q_keloid_tendency"][value="yes"]').check()
    page.locator("#id_skin_assessment").fill("Fine linjer på kinderne, let dehydreret hud.")
    page.locator("#id_wishes").fill("Mere glød og fugt.")
    page.screenshot(path=str(screenshot_dir / "consultation-form.png"), full_page=True)
    page.locator("main form button[type=submit].primary").click()
    expect(page.locator("#screening .outcome-doctor_review").first).to_be_visible()
    expect(page.locator("#assessment .alert")).to_be_visible()
    consultation = Consultation.objects.get(client=client_record)
    expect(page.locator('#plan a.button.primary[href$="/plan/"]')).to_have_count(0)  # no plan before the doctor
    sign_out(page)

    # The doctor finds the client on the work list and approves, signed.
    log_in(live_server.url, doctor)
    page.locator('#attention a[href$="/consultations/assessments/"]').click()
    page.locator(f'a[href$="{consultation.get_absolute_url()}"]').click()
    page.locator(f'a.button.primary[href$="/consultations/{consultation.code}/assess/"]').click()
    page.locator('input[name=decision][value="approved"]').check()
    page.locator("#id_reason").fill("Ingen tegn på keloid i området; ar fra tidligere sår er flade.")
    page.locator("main form button[type=submit].primary").click()
    expect(page.locator("#assessment .badge")).to_be_visible()
    assert DoctorAssessment.objects.get(consultation=consultation).decision == "approved"
    sign_out(page)

    # The nurse gives the oral information and makes the plan: three sessions proposed.
    log_in(live_server.url, nurse, second_time=True)
    page.goto(live_server.url + consultation.get_absolute_url())
    page.locator(f'form[action$="/consultations/{consultation.code}/oral-information/"] button[type=submit]').click()
    expect(page.locator("#information li")).to_have_count(2)
    page.locator('#plan a.button.primary[href$="/plan/"]').click()
    page.locator("#id_area_0").fill("Kinder")
    page.locator("#id_method_0").select_option("microneedling")
    first = today + dt.timedelta(days=1)
    page.locator("#id_first_session_on").fill(first.strftime("%d.%m.%Y"))
    page.locator("main form button[type=submit].primary").click()
    plan = TreatmentPlan.objects.get(client=client_record)
    expect(page).to_have_url(re.compile(rf"/plans/{plan.code}/$"))
    rows = page.locator("#sessions tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(2)).to_contain_text((first + dt.timedelta(days=28)).strftime("%d.%m.%Y"))

    # The three sessions are booked at 10:00 on the proposed days.
    for number in (1, 2, 3):
        page.locator(f'#sessions a.button[href*="session={number}"]').click()
        expect(page.locator("#id_session_number")).to_have_value(str(number))
        page.locator("#id_time").fill("10:00")
        page.locator("#id_room").select_option(label=f"Behandlingsrum 1 ({site.name})")
        page.locator("main form button[type=submit]").first.click()
        expect(page).to_have_url(re.compile(rf"/plans/{plan.code}/$"))
    page.screenshot(path=str(screenshot_dir / "plan-booked.png"), full_page=True)
    booked = Appointment.objects.filter(plan=plan, status="booked").order_by("start")
    assert [timezone.localdate(a.start) for a in booked] == plan.proposed_dates()
    assert Entry.objects.filter(client=client_record, kind=EntryKind.DOCTOR_ASSESSMENT).count() == 1
    assert_no_csp_errors(console_errors)
