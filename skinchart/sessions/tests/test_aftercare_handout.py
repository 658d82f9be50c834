"""The client's aftercare handout (PDF) and calendar file (.ics) after a signed session:
real local dates across DST changes, the language, who may fetch them, and the audit."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from icalendar import Calendar
from pypdf import PdfReader

from skinchart.accounts.models import User
from skinchart.audit.models import AuditEvent
from skinchart.clients.models import Client
from skinchart.sessions import actions
from skinchart.sessions.handout import AdviceLine, Handout, handout_context, handout_ics
from skinchart.sessions.models import TreatmentSession
from skinchart.sessions.tests.setup import Ready, complete_checklist, ready_session

pytestmark = pytest.mark.django_db

CPH = ZoneInfo("Europe/Copenhagen")
SignIn = Callable[[User], HttpClient]


@pytest.fixture
def ready(doctor: User, nurse: User, client_record: Client) -> Ready:
    return ready_session(doctor=doctor, nurse=nurse, client=client_record)


@pytest.fixture
def signed(ready: Ready) -> TreatmentSession:
    session = actions.start_session(actor=ready.nurse, session=ready.session)
    complete_checklist(ready)
    actions.sign_session(actor=ready.nurse, session=session)
    return TreatmentSession.objects.select_related(
        "client", "plan", "performer", "site", "definition_version", "treatment"
    ).get(pk=session.pk)


def as_if_ended_at(session: TreatmentSession, ended_at: dt.datetime) -> TreatmentSession:
    """The signed session (unsaved: signed rows are read-only) with the aftercare that
    signing at `ended_at` stores — `sign_session` itself uses the real clock."""
    session.aftercare = actions.aftercare_json(session, ended_at)
    session.ended_at = ended_at
    return session


def advice(handout: Handout, key: str) -> AdviceLine:
    return next(line for line in handout.advice if line.key == key)


def ics_events(data: bytes) -> dict[str, Any]:
    calendar = Calendar.from_ical(data)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def local_date_of(session: TreatmentSession, key: str, field: str = "ends_at") -> dt.datetime:
    item = next(i for i in session.aftercare["advice"] if i["key"] == key)
    return dt.datetime.fromisoformat(item[field]).astimezone(CPH)


# --- the dates across DST ----------------------------------------------------------


def test_the_handout_dates_hold_across_the_autumn_change(signed: TreatmentSession) -> None:
    # Saturday 24.10.2026 14:30; summer time ends Sunday 25.10.2026 at 03:00.
    ended_at = dt.datetime(2026, 10, 24, 14, 30, tzinfo=CPH)
    session = as_if_ended_at(signed, ended_at)

    handout = handout_context(session, "da")

    makeup = advice(handout, "no_makeup")
    assert makeup.ends_at == dt.datetime(2026, 10, 25, 13, 30, tzinfo=CPH)  # 24 elapsed hours
    assert makeup.ends_at.astimezone(dt.UTC) - ended_at.astimezone(dt.UTC) == dt.timedelta(hours=24)
    assert makeup.ends_at.utcoffset() == dt.timedelta(hours=1)  # winter time by then
    assert "søndag 25.10.2026" in makeup.when and "13:30" in makeup.when
    sun = advice(handout, "no_direct_sun")
    assert (sun.ends_at.date(), sun.ends_at.strftime("%H:%M")) == (dt.date(2026, 10, 31), "14:30")  # 7 calendar days
    assert "lørdag 31.10.2026" in sun.when and "14:30" in sun.when
    assert sun.kind == "avoid"
    spf = advice(handout, "spf30")
    assert (spf.ends_at.date(), spf.ends_at.strftime("%H:%M")) == (dt.date(2026, 11, 24), "14:30")
    assert spf.kind == "do"
    cleanser = advice(handout, "mild_cleanser_moisturiser")
    assert cleanser.starts_later and cleanser.ends_at is None
    assert cleanser.starts_at == dt.datetime(2026, 10, 25, 13, 30, tzinfo=CPH)
    assert "søndag 25.10.2026" in cleanser.when
    assert cleanser.text == "Brug mild rens og fugtcreme."
    assert handout.session_when.startswith("lørdag 24.10.2026")


def test_the_calendar_file_has_the_same_times_in_copenhagen_time(signed: TreatmentSession) -> None:
    session = as_if_ended_at(signed, dt.datetime(2026, 10, 24, 14, 30, tzinfo=CPH))

    data = handout_ics(session, "da")

    calendar = Calendar.from_ical(data)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Copenhagen"]
    assert calendar.walk("VALARM") == []
    events = ics_events(data)
    code = session.code
    starts = {uid: event.start for uid, event in events.items()}
    for start in starts.values():
        assert isinstance(start, dt.datetime)  # timed entries, never all-day
        assert str(start.tzinfo) == "Europe/Copenhagen"
    assert starts[f"{code}-no_makeup-end@skinchart"] == dt.datetime(2026, 10, 25, 13, 30, tzinfo=CPH)
    assert starts[f"{code}-mild_cleanser_moisturiser-start@skinchart"] == dt.datetime(2026, 10, 25, 13, 30, tzinfo=CPH)
    sun = starts[f"{code}-no_direct_sun-end@skinchart"]
    assert (sun.date(), sun.hour, sun.minute) == (dt.date(2026, 10, 31), 14, 30)
    spf = starts[f"{code}-spf30-end@skinchart"]
    assert (spf.date(), spf.hour, spf.minute) == (dt.date(2026, 11, 24), 14, 30)
    # Session 2 of 3 may be from 14 days later: an entry that morning.
    assert starts[f"{code}-next_session@skinchart"] == dt.datetime(2026, 11, 7, 9, 0, tzinfo=CPH)
    sun_event = events[f"{code}-no_direct_sun-end@skinchart"]
    assert "Undgå direkte sol." in str(sun_event["SUMMARY"])
    assert "DTSTAMP" in sun_event
    for event in events.values():  # no health details beyond the aftercare
        assert "Mesoterapi" not in str(event["SUMMARY"]) + str(event["DESCRIPTION"])


def test_the_handout_dates_hold_across_the_spring_change(signed: TreatmentSession) -> None:
    # Saturday 28.03.2026 14:30; summer time starts Sunday 29.03.2026 at 02:00.
    ended_at = dt.datetime(2026, 3, 28, 14, 30, tzinfo=CPH)
    session = as_if_ended_at(signed, ended_at)

    handout = handout_context(session, "en")

    makeup = advice(handout, "no_makeup")
    assert makeup.ends_at == dt.datetime(2026, 3, 29, 15, 30, tzinfo=CPH)  # 24 elapsed hours, one skipped
    assert "Sunday 29.03.2026 at 15:30" in makeup.when
    sun = advice(handout, "no_direct_sun")
    assert sun.ends_at == dt.datetime(2026, 4, 4, 14, 30, tzinfo=CPH)
    assert sun.when == "Until Saturday 04.04.2026 at 14:30"
    assert sun.sentence == "Until Saturday 04.04.2026 at 14:30: Avoid direct sun."
    assert advice(handout, "spf30").ends_at == dt.datetime(2026, 4, 28, 14, 30, tzinfo=CPH)
    starts = {uid: event.start for uid, event in ics_events(handout_ics(session, "en")).items()}
    assert starts[f"{session.code}-no_makeup-end@skinchart"] == dt.datetime(2026, 3, 29, 15, 30, tzinfo=CPH)
    assert starts[f"{session.code}-no_direct_sun-end@skinchart"] == dt.datetime(2026, 4, 4, 14, 30, tzinfo=CPH)


def test_the_handout_reads_the_times_stored_at_signing(signed: TreatmentSession) -> None:
    handout = handout_context(signed, "da")

    stored = local_date_of(signed, "no_direct_sun")
    assert advice(handout, "no_direct_sun").ends_at == stored
    assert [line.key for line in handout.advice] == [i["key"] for i in signed.aftercare["advice"]]
    reaction = next(r for r in handout.reactions if r.key == "peeling")
    gone_by = dt.datetime.fromisoformat(signed.aftercare["reactions"][-1]["usually_gone_by"]).astimezone(CPH)
    assert reaction.gone_by == gone_by
    assert gone_by.strftime("%d.%m.%Y") in reaction.window
    assert "+45 55 66 43 43" in handout.call_line
    assert handout.session_number == 1 and handout.sessions_total == 3
    assert handout.performer == str(signed.performer)
    assert handout.treatment == "Mesoterapi"


# --- over HTTP ---------------------------------------------------------------------------


def pdf_url(session: TreatmentSession, **query: str) -> str:
    url = reverse("treatment_sessions:aftercare_pdf", kwargs={"code": session.code})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def ics_url(session: TreatmentSession) -> str:
    return reverse("treatment_sessions:aftercare_ics", kwargs={"code": session.code})


def test_the_pdf_lists_the_dates_in_danish_and_the_clinic_phone(signed: TreatmentSession, sign_in: SignIn) -> None:
    response = sign_in(signed.performer).get(pdf_url(signed))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert "no-store" in response["Cache-Control"]
    text = pdf_text(response.content)
    sun_end = local_date_of(signed, "no_direct_sun")
    with translation.override("da"):
        weekday = date_format(sun_end, "l")
    assert f"{weekday} {sun_end:%d.%m.%Y}" in text
    assert f"{local_date_of(signed, 'spf30'):%d.%m.%Y}" in text
    assert "Undgå direkte sol." in text
    assert "Brug ikke makeup." in text
    assert "+45 55 66 43 43" in text
    assert "Dyrehavegårdsvej 2" in text  # the clinic's contact block
    assert "Søren Østergaard" in text  # the footer
    assert "1 / " in text  # page numbers


def test_the_pdf_is_in_english_when_asked(signed: TreatmentSession, sign_in: SignIn) -> None:
    response = sign_in(signed.performer).get(pdf_url(signed, lang="en"))

    text = pdf_text(response.content)
    sun_end = local_date_of(signed, "no_direct_sun")
    with translation.override("en"):
        weekday = date_format(sun_end, "l")
    assert f"Until {weekday} {sun_end:%d.%m.%Y} at {sun_end:%H:%M}" in text
    assert "Avoid direct sun." in text
    assert "Call O'Skin Clinic on +45 55 66 43 43." in text
    assert "Undgå direkte sol." not in text


def test_the_handout_defaults_to_the_clients_language(signed: TreatmentSession, sign_in: SignIn) -> None:
    Client.objects.filter(pk=signed.client_id).update(preferred_language="en")

    text = pdf_text(sign_in(signed.performer).get(pdf_url(signed)).content)

    assert "Avoid direct sun." in text


def test_printing_the_handout_is_audited(signed: TreatmentSession, sign_in: SignIn) -> None:
    sign_in(signed.performer).get(pdf_url(signed, lang="en"))

    printed = AuditEvent.objects.get(action="session.aftercare_printed")
    assert (printed.actor, printed.client_id, printed.target_id) == (
        signed.performer,
        signed.client_id,
        str(signed.code),
    )
    assert printed.data == {"language": "en", "format": "pdf"}
    assert AuditEvent.objects.filter(
        action="session.aftercare_viewed", client=signed.client, target_id=str(signed.code)
    ).exists()


def test_the_calendar_file_downloads_the_same_each_time(signed: TreatmentSession, sign_in: SignIn) -> None:
    http = sign_in(signed.performer)

    first, second = http.get(ics_url(signed)), http.get(ics_url(signed))

    assert first.status_code == 200
    assert first["Content-Type"] == "text/calendar; charset=utf-8"
    assert first["Content-Disposition"].startswith("attachment;")
    assert "no-store" in first["Cache-Control"]
    assert first.content == second.content  # stable UIDs and DTSTAMP: re-importing updates, never duplicates
    events = ics_events(first.content)
    sun = events[f"{signed.code}-no_direct_sun-end@skinchart"].start
    assert sun == local_date_of(signed, "no_direct_sun").replace(second=0, microsecond=0)
    assert AuditEvent.objects.filter(action="session.aftercare_calendar_exported", client=signed.client).count() == 2


def test_an_unsigned_session_has_no_handout(ready: Ready, sign_in: SignIn) -> None:
    http = sign_in(ready.nurse)

    pdf, ics = http.get(pdf_url(ready.session)), http.get(ics_url(ready.session))

    assert (pdf.status_code, ics.status_code) == (409, 409)
    assert not AuditEvent.objects.filter(action="session.aftercare_printed").exists()


def test_an_unknown_session_is_not_found(signed: TreatmentSession, sign_in: SignIn) -> None:
    url = reverse("treatment_sessions:aftercare_pdf", kwargs={"code": uuid4()})

    assert sign_in(signed.performer).get(url).status_code == 404


def test_the_handout_is_only_fetched(signed: TreatmentSession, sign_in: SignIn) -> None:
    assert sign_in(signed.performer).post(pdf_url(signed)).status_code == 405


def test_reception_gets_no_handout(signed: TreatmentSession, reception: User, sign_in: SignIn) -> None:
    http = sign_in(reception)

    assert http.get(pdf_url(signed)).status_code == 403
    assert not AuditEvent.objects.filter(action="session.aftercare_printed").exists()


@pytest.mark.parametrize("persona", ["cosmetologist", "doctor"])
def test_clinical_staff_without_a_care_relation_are_asked_for_a_reason(
    persona: str, signed: TreatmentSession, make_persona: Callable[[str], User], doctor: User, sign_in: SignIn
) -> None:
    http = sign_in({"doctor": doctor}.get(persona) or make_persona(persona))  # the plan's doctor has no relation
    break_glass = reverse("journal:break-glass", kwargs={"code": signed.client.code})

    responses = [http.get(pdf_url(signed)), http.get(ics_url(signed))]

    assert [r.status_code for r in responses] == [302, 302]
    assert all(r["Location"].startswith(break_glass) for r in responses)
    assert not AuditEvent.objects.filter(action="session.aftercare_printed").exists()


@pytest.mark.parametrize("persona", ["reception", "admin", "outsider"])
def test_staff_without_clinical_access_are_refused(
    persona: str, signed: TreatmentSession, make_persona: Callable[[str], User], sign_in: SignIn
) -> None:
    http = sign_in(make_persona(persona))

    assert [http.get(pdf_url(signed)).status_code, http.get(ics_url(signed)).status_code] == [403, 403]


def test_signing_in_is_required(signed: TreatmentSession) -> None:
    response = HttpClient().get(pdf_url(signed))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
