"""The journal endpoints: a client's timeline (paged, filtered, access-logged, behind
the care relation) and writing a clinical note (authored by the caller, always)."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from skinchart.accounts.actions import issue_api_token
from skinchart.accounts.models import Role, User
from skinchart.accounts.tests.factories import UserFactory
from skinchart.audit.models import AuditEvent, Outcome
from skinchart.clients.models import Client
from skinchart.clients.tests.factories import ClientFactory
from skinchart.journal.actions import break_glass, correct_entry, record_entry
from skinchart.journal.models import CareAssignment, CorrectionKind, Entry, EntryKind, EntryStatus

pytestmark = pytest.mark.django_db

CPH = ZoneInfo("Europe/Copenhagen")
PAGE_SIZE = settings.JOURNAL_PAGE_SIZE
PROPERTY_SETTINGS = hypothesis_settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def bearer(user: User) -> HttpClient:
    _, plain = issue_api_token(actor=None, user=user)
    return HttpClient(headers={"Authorization": f"Bearer {plain}"})


def cares_for(user: User, client: Client) -> None:
    CareAssignment.objects.create(client=client, practitioner=user, assigned_by=user)


def journal_url(client: Client) -> str:
    return f"/api/v1/clients/{client.code}/journal"


def notes_url(client: Client) -> str:
    return f"/api/v1/clients/{client.code}/notes"


def post_note(http: HttpClient, client: Client, body: Any) -> Any:
    return http.post(notes_url(client), json.dumps(body), content_type="application/json")


def ago(**delta: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(**delta)


def codes(response: Any) -> list[str]:
    return [item["code"] for item in response.json()["items"]]


@pytest.fixture
def client_(db: None) -> Client:
    client: Client = ClientFactory()
    return client


@pytest.fixture
def colleague(db: None) -> User:
    """A nurse who also cares for the client and writes in the journal."""
    user: User = UserFactory(roles=[Role.NURSE], first_name="Nina", last_name="Nørgaard")
    return user


@pytest.fixture
def api(doctor: User, client_: Client, colleague: User) -> HttpClient:
    """The doctor's bearer token; the doctor and the colleague both care for the client."""
    cares_for(doctor, client_)
    cares_for(colleague, client_)
    return bearer(doctor)


def write(author: User, client: Client, text: str = "Seen.", **kwargs: Any) -> Entry:
    kwargs.setdefault("kind", EntryKind.CLINICAL_NOTE)
    return record_entry(actor=author, client=client, text=text, **kwargs)


# --- Reading the timeline ----------------------------------------------------------------


def test_it_lists_signed_entries_newest_first_by_the_time_of_the_event(
    api: HttpClient, client_: Client, colleague: User
) -> None:
    old = write(colleague, client_, "Old.", occurred_at=ago(days=3))
    new = write(colleague, client_, "New.", occurred_at=ago(hours=1))
    middle = write(colleague, client_, "Written late.", occurred_at=ago(days=2))

    response = api.get(journal_url(client_))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert codes(response) == [str(new.code), str(middle.code), str(old.code)]
    assert {k: response.json()[k] for k in ("count", "page", "pages")} == {"count": 3, "page": 1, "pages": 1}


def test_it_shows_every_fact_of_an_entry(api: HttpClient, client_: Client, doctor: User, colleague: User) -> None:
    original = write(colleague, client_, "Filler 1 ml.", on_behalf_of=doctor, occurred_at=ago(hours=2))
    correction = correct_entry(
        actor=colleague,
        original=original,
        correction_kind=CorrectionKind.AMENDMENT,
        reason="Wrong amount.",
        text="Filler 0.5 ml.",
    )
    original.refresh_from_db()
    correction.refresh_from_db()

    items = {item["code"]: item for item in api.get(journal_url(client_)).json()["items"]}

    assert items[str(original.code)] == {
        "code": str(original.code),
        "kind": "clinical_note",
        "status": "signed",
        "occurred_at": original.occurred_at.isoformat(),
        "recorded_at": original.recorded_at.isoformat(),
        "signed_at": original.signed_at.isoformat(),  # type: ignore[union-attr]
        "author": {"code": str(colleague.code), "name": "Nina Nørgaard"},
        "on_behalf_of": {"code": str(doctor.code), "name": str(doctor)},
        "text": "Filler 1 ml.",
        "content": {},
        "corrects": None,
        "correction_kind": None,
        "correction_reason": None,
        "is_corrected": True,
        "seq": 1,
        "hash": original.hash,
    }
    row = items[str(correction.code)]
    assert (row["kind"], row["corrects"], row["correction_kind"]) == ("correction", str(original.code), "amendment")
    assert (row["correction_reason"], row["text"], row["is_corrected"]) == ("Wrong amount.", "Filler 0.5 ml.", False)
    assert (row["seq"], row["hash"], row["on_behalf_of"]) == (2, correction.hash, None)
    assert row["content"] == {"original_kind": "clinical_note"}


def test_it_works_with_the_browser_session_too(
    doctor: User, client_: Client, colleague: User, sign_in: Callable[[User], HttpClient]
) -> None:
    cares_for(doctor, client_)
    entry = write(colleague, client_)

    response = sign_in(doctor).get(journal_url(client_))

    assert response.status_code == 200
    assert codes(response) == [str(entry.code)]
    assert AuditEvent.objects.get(action="journal.viewed").via == "api"


def test_it_shows_the_callers_own_drafts_but_never_other_peoples(
    api: HttpClient, client_: Client, doctor: User, colleague: User
) -> None:
    signed = write(colleague, client_, "Signed.", occurred_at=ago(hours=3))
    write(colleague, client_, "The colleague's draft.", sign=False, occurred_at=ago(hours=2))
    mine = write(doctor, client_, "My draft.", sign=False, occurred_at=ago(hours=1))

    response = api.get(journal_url(client_))

    assert codes(response) == [str(mine.code), str(signed.code)]
    assert response.json()["count"] == 2
    draft = response.json()["items"][0]
    assert (draft["status"], draft["seq"], draft["hash"], draft["signed_at"]) == ("draft", None, None, None)
    assert "The colleague's draft." not in response.content.decode()


def test_it_shows_only_this_clients_entries(api: HttpClient, client_: Client, colleague: User) -> None:
    other = ClientFactory()
    mine = write(colleague, client_)
    write(colleague, other)

    assert codes(api.get(journal_url(client_))) == [str(mine.code)]


def test_it_pages_the_timeline(api: HttpClient, client_: Client, colleague: User) -> None:
    n = PAGE_SIZE + 5
    entries = [write(colleague, client_, f"Note {i}.", occurred_at=ago(hours=n - i)) for i in range(n)]
    newest_first = [str(e.code) for e in reversed(entries)]

    first = api.get(journal_url(client_)).json()
    second = api.get(journal_url(client_), {"page": 2}).json()
    beyond = api.get(journal_url(client_), {"page": 3}).json()

    assert (first["count"], first["page"], first["pages"]) == (n, 1, 2)
    assert [i["code"] for i in first["items"]] == newest_first[:PAGE_SIZE]
    assert (second["count"], second["page"], second["pages"]) == (n, 2, 2)
    assert [i["code"] for i in second["items"]] == newest_first[PAGE_SIZE:]
    assert (beyond["count"], beyond["page"], beyond["pages"], beyond["items"]) == (n, 3, 2, [])


def test_it_answers_an_empty_journal_with_one_empty_page(api: HttpClient, client_: Client) -> None:
    assert api.get(journal_url(client_)).json() == {"count": 0, "page": 1, "pages": 1, "items": []}


def test_it_answers_a_page_far_beyond_the_end_with_an_empty_page(api: HttpClient, client_: Client) -> None:
    write(UserFactory(roles=[Role.NURSE]), client_)

    response = api.get(journal_url(client_), {"page": 10**30})

    assert response.status_code == 200
    assert response.json()["items"] == []


@pytest.mark.parametrize(
    "query",
    [
        {"page": 0},
        {"page": -1},
        {"page": "two"},
        {"kind": "gossip"},
        {"from": "10.03.2025"},
        {"to": "2025-02-30"},
        {"from": "2025-03-11", "to": "2025-03-10"},
    ],
)
def test_it_refuses_invalid_paging_or_filters_with_a_json_422(
    api: HttpClient, client_: Client, query: dict[str, Any]
) -> None:
    response = api.get(journal_url(client_), query)

    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["errors"]


def test_it_filters_by_kind(api: HttpClient, client_: Client, colleague: User) -> None:
    write(colleague, client_, kind=EntryKind.CLINICAL_NOTE)
    event = write(colleague, client_, "Bruising.", kind=EntryKind.ADVERSE_EVENT)

    response = api.get(journal_url(client_), {"kind": "adverse_event"})

    assert codes(response) == [str(event.code)]
    assert response.json()["count"] == 1


def test_it_filters_by_days_in_the_clinics_time_zone_both_days_included(
    api: HttpClient, client_: Client, colleague: User
) -> None:
    late = write(colleague, client_, "Late.", occurred_at=dt.datetime(2025, 3, 10, 23, 30, tzinfo=CPH))
    early = write(colleague, client_, "Early.", occurred_at=dt.datetime(2025, 3, 11, 0, 30, tzinfo=CPH))
    write(colleague, client_, "Before.", occurred_at=dt.datetime(2025, 3, 9, 23, 59, tzinfo=CPH))
    write(colleague, client_, "After.", occurred_at=dt.datetime(2025, 3, 12, 0, 0, tzinfo=CPH))

    assert codes(api.get(journal_url(client_), {"from": "2025-03-11", "to": "2025-03-11"})) == [str(early.code)]
    assert codes(api.get(journal_url(client_), {"from": "2025-03-10", "to": "2025-03-10"})) == [str(late.code)]
    both = api.get(journal_url(client_), {"from": "2025-03-10", "to": "2025-03-11"})
    assert codes(both) == [str(early.code), str(late.code)]
    assert api.get(journal_url(client_), {"from": "2025-03-11"}).json()["count"] == 2
    assert api.get(journal_url(client_), {"to": "2025-03-10"}).json()["count"] == 2


def test_it_takes_the_extreme_days_as_no_bound(api: HttpClient, client_: Client, colleague: User) -> None:
    write(colleague, client_)

    response = api.get(journal_url(client_), {"from": "0001-01-01", "to": "9999-12-31"})

    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_it_combines_the_filters(api: HttpClient, client_: Client, colleague: User) -> None:
    day = dt.datetime(2025, 5, 5, 12, 0, tzinfo=CPH)
    wanted = write(colleague, client_, kind=EntryKind.SESSION, occurred_at=day)
    write(colleague, client_, kind=EntryKind.CLINICAL_NOTE, occurred_at=day)
    write(colleague, client_, kind=EntryKind.SESSION, occurred_at=day + dt.timedelta(days=1))

    response = api.get(journal_url(client_), {"kind": "session", "from": "2025-05-05", "to": "2025-05-05"})

    assert codes(response) == [str(wanted.code)]


@PROPERTY_SETTINGS
@given(
    page=st.integers(min_value=-5, max_value=10**20),
    kind=st.sampled_from([None, *EntryKind.values]),
    date_from=st.none() | st.dates(),
    date_to=st.none() | st.dates(),
)
def test_it_answers_any_paging_and_filters_without_a_server_error(
    api: HttpClient, client_: Client, page: int, kind: str | None, date_from: Any, date_to: Any
) -> None:
    query = {"page": page, "kind": kind, "from": date_from, "to": date_to}

    response = api.get(journal_url(client_), {k: str(v) for k, v in query.items() if v is not None})

    assert response.status_code in (200, 422)
    assert response["Content-Type"].startswith("application/json")


# --- Access: capability, care relation, break-glass, the access log ----------------------


def test_each_read_writes_exactly_one_access_event(api: HttpClient, client_: Client, doctor: User) -> None:
    api.get(journal_url(client_), REMOTE_ADDR="198.51.100.7")

    event = AuditEvent.objects.get(action="journal.viewed")
    assert (event.actor, event.actor_roles, event.client) == (doctor, "doctor", client_)
    assert (event.source_ip, event.outcome, event.via) == ("198.51.100.7", Outcome.SUCCESS, "api")
    assert event.data == {"relation": "care"}

    api.get(journal_url(client_), {"page": 2})
    assert AuditEvent.objects.filter(action="journal.viewed").count() == 2


def test_without_a_care_relation_it_answers_403_break_glass_required_and_logs_the_denial(
    client_: Client, colleague: User
) -> None:
    write(colleague, client_, "Private.")
    stranger = UserFactory(roles=[Role.DOCTOR])

    response = bearer(stranger).get(journal_url(client_))

    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["break_glass_required"] is True
    assert body["detail"]
    assert body["break_glass_url"] == f"/clients/{client_.code}/break-glass/"
    assert "Private." not in response.content.decode()
    event = AuditEvent.objects.get(action="journal.viewed")
    assert (event.actor, event.client, event.outcome, event.via) == (stranger, client_, Outcome.DENIED, "api")
    assert event.data == {"reason": "no_care_relation"}


def test_with_an_active_break_glass_access_it_answers(client_: Client, colleague: User) -> None:
    entry = write(colleague, client_)
    stranger = UserFactory(roles=[Role.DOCTOR])
    break_glass(actor=stranger, client=client_, reason="The client called with an acute reaction.")

    response = bearer(stranger).get(journal_url(client_))

    assert codes(response) == [str(entry.code)]
    assert AuditEvent.objects.get(action="journal.viewed").data == {"relation": "break_glass"}


@pytest.mark.parametrize("role", [Role.RECEPTION, Role.ADMIN])
def test_a_role_without_clinical_access_gets_403_even_with_a_care_relation(
    client_: Client, colleague: User, role: str
) -> None:
    write(colleague, client_, "Private.")
    user = UserFactory(roles=[role])
    cares_for(user, client_)
    http = bearer(user)

    read = http.get(journal_url(client_))
    written = post_note(http, client_, {"text": "Hello."})

    for response in (read, written):
        assert response.status_code == 403
        assert response["Content-Type"].startswith("application/json")
        assert response.json().get("break_glass_required") is not True
    assert "Private." not in read.content.decode()
    assert Entry.objects.count() == 1


def test_it_answers_401_without_credentials(client_: Client) -> None:
    assert HttpClient().get(journal_url(client_)).status_code == 401
    assert post_note(HttpClient(), client_, {"text": "Hello."}).status_code == 401


def test_it_answers_404_json_for_an_unknown_client(api: HttpClient) -> None:
    response = api.get("/api/v1/clients/00000000-0000-4000-8000-000000000000/journal")

    assert response.status_code == 404
    assert response.json()["detail"]


def test_it_reads_in_a_constant_number_of_queries(
    api: HttpClient, doctor: User, colleague: User, client_: Client
) -> None:
    def fill(client: Client, n: int) -> None:
        for i in range(n):
            entry = write(
                colleague, client, f"Note {i}.", on_behalf_of=doctor if i % 2 else None, occurred_at=ago(hours=n - i)
            )
            if i % 5 == 0:
                correct_entry(
                    actor=colleague, original=entry, correction_kind=CorrectionKind.ADDENDUM, reason="More.", text="+"
                )
        write(doctor, client, "Own draft.", sign=False)

    few, many = client_, ClientFactory()
    cares_for(doctor, many)
    fill(few, 10)
    fill(many, 60)

    def queries(client: Client, page: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = api.get(journal_url(client), {"page": page})
        assert response.status_code == 200
        assert response.json()["items"]
        return len(captured)

    assert queries(few, 1) == queries(many, 1) == queries(many, 2) == queries(many, 3)


# --- Writing a note ----------------------------------------------------------------------


def test_it_writes_a_signed_note_authored_by_the_caller(api: HttpClient, client_: Client, doctor: User) -> None:
    response = post_note(api, client_, {"text": "  Consultation, no findings.  "})

    assert response.status_code == 201
    entry = Entry.objects.get()
    assert response.json()["code"] == str(entry.code)
    assert (entry.author, entry.client, entry.kind, entry.status) == (doctor, client_, "clinical_note", "signed")
    assert (entry.text, entry.seq, entry.on_behalf_of) == ("Consultation, no findings.", 1, None)
    body = response.json()
    assert body["author"] == {"code": str(doctor.code), "name": str(doctor)}
    assert (body["status"], body["seq"], body["hash"], body["is_corrected"]) == ("signed", 1, entry.hash, False)
    assert abs(entry.occurred_at - timezone.now()) < dt.timedelta(minutes=1)
    assert AuditEvent.objects.filter(action="journal.entry_signed", actor=doctor, via="api").count() == 1
    assert AuditEvent.objects.filter(action="journal.note_submitted", client=client_, via="api").count() == 1


def test_the_author_cannot_be_forged_through_the_body(
    api: HttpClient, client_: Client, doctor: User, colleague: User
) -> None:
    other_client = ClientFactory()
    forged = {
        "text": "Who wrote this?",
        "author": str(colleague.code),
        "author_id": colleague.pk,
        "author_roles": "nurse",
        "actor": str(colleague.code),
        "on_behalf": str(colleague.code),
        "kind": "adverse_event",
        "status": "draft",
        "client": str(other_client.code),
        "seq": 99,
        "hash": "0" * 64,
    }

    response = post_note(api, client_, forged)

    assert response.status_code == 201
    entry = Entry.objects.get()
    assert (entry.author, entry.author_roles, entry.on_behalf_of) == (doctor, "doctor", None)
    assert (entry.client, entry.kind, entry.status, entry.seq) == (client_, "clinical_note", "signed", 1)
    assert response.json()["author"]["code"] == str(doctor.code)
    assert AuditEvent.objects.get(action="journal.entry_signed").actor == doctor


def test_it_saves_a_draft_only_its_author_sees(api: HttpClient, client_: Client, colleague: User) -> None:
    response = post_note(api, client_, {"text": "Half done.", "sign": False})

    assert response.status_code == 201
    assert (response.json()["status"], response.json()["seq"], response.json()["hash"]) == ("draft", None, None)
    assert Entry.objects.get().status == EntryStatus.DRAFT
    assert codes(api.get(journal_url(client_))) == [response.json()["code"]]
    assert codes(bearer(colleague).get(journal_url(client_))) == []


def test_it_takes_the_time_of_the_event_with_its_zone(api: HttpClient, client_: Client) -> None:
    response = post_note(api, client_, {"text": "Seen.", "occurred_at": "2025-03-10T09:15:00+01:00"})

    assert response.status_code == 201
    assert Entry.objects.get().occurred_at == dt.datetime(2025, 3, 10, 8, 15, tzinfo=dt.UTC)
    assert response.json()["occurred_at"] == "2025-03-10T08:15:00+00:00"


def test_it_writes_on_behalf_of_a_doctor(client_: Client, doctor: User, colleague: User) -> None:
    cares_for(colleague, client_)

    response = post_note(bearer(colleague), client_, {"text": "Filler.", "on_behalf_of": str(doctor.code)})

    assert response.status_code == 201
    entry = Entry.objects.get()
    assert (entry.author, entry.on_behalf_of) == (colleague, doctor)
    assert response.json()["on_behalf_of"] == {"code": str(doctor.code), "name": str(doctor)}


@pytest.mark.parametrize("who", ["unknown", "nurse", "self", "inactive doctor"])
def test_it_refuses_on_behalf_of_anyone_but_another_active_doctor(
    api: HttpClient, client_: Client, doctor: User, colleague: User, who: str
) -> None:
    code = {
        "unknown": "00000000-0000-4000-8000-000000000000",
        "nurse": str(colleague.code),
        "self": str(doctor.code),
        "inactive doctor": str(UserFactory(roles=[Role.DOCTOR], is_active=False).code),
    }[who]

    response = post_note(api, client_, {"text": "Seen.", "on_behalf_of": code})

    assert response.status_code == 422
    assert response.json()["detail"]
    assert response.json()["errors"]
    assert not Entry.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": "a\x00b"}, "text"),
        ({"text": "Seen.", "on_behalf_of": "\x00"}, "on_behalf_of"),
        ({"text": "x" * 20001}, "text"),
        ({}, "text"),
        ({"text": 42}, "text"),
        ({"text": "Seen.", "occurred_at": "2025-03-10T09:15:00"}, "occurred_at"),  # naive
        ({"text": "Seen.", "occurred_at": "10.03.2025 09:15"}, "occurred_at"),
        ({"text": "Seen.", "occurred_at": "0001-01-01T00:30:00+01:00"}, "occurred_at"),  # before year 1 in UTC
        ({"text": "Seen.", "on_behalf_of": "not-a-uuid"}, "on_behalf_of"),
        ({"text": "Seen.", "sign": "perhaps"}, "sign"),
    ],
)
def test_it_refuses_invalid_notes_with_a_json_422_and_stores_nothing(
    api: HttpClient, client_: Client, body: dict[str, Any], field: str
) -> None:
    response = post_note(api, client_, body)

    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/json")
    errors = response.json()["errors"]
    assert any(field in location for location in errors) or "request" in errors, errors
    assert not Entry.objects.exists()


@PROPERTY_SETTINGS
@given(at=st.datetimes(timezones=st.timezones()) | st.datetimes())
def test_it_answers_any_time_of_the_event_without_a_server_error(api: HttpClient, client_: Client, at: Any) -> None:
    response = post_note(api, client_, {"text": "Seen.", "occurred_at": at.isoformat()})

    assert response.status_code in (201, 422)
    assert response["Content-Type"].startswith("application/json")
    if response.status_code == 201:
        assert at.tzinfo is not None and at.utcoffset() is not None
        # Compared as the fixed offset that was sent: Python never finds a wall-clock
        # time that occurs twice (a DST fold) equal to a time in another zone.
        sent = dt.datetime.fromisoformat(at.isoformat())
        assert Entry.objects.get(code=response.json()["code"]).occurred_at == sent


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_it_refuses_a_note_without_text(api: HttpClient, client_: Client, text: str) -> None:
    response = post_note(api, client_, {"text": text})

    assert response.status_code == 422
    assert response.json()["detail"]
    assert not Entry.objects.exists()


def test_it_refuses_a_time_of_the_event_in_the_future(api: HttpClient, client_: Client) -> None:
    tomorrow = (timezone.now() + dt.timedelta(days=1)).isoformat()

    response = post_note(api, client_, {"text": "Seen.", "occurred_at": tomorrow})

    assert response.status_code == 422
    assert response.json()["detail"]
    assert response.json()["errors"]
    assert not Entry.objects.exists()


def test_it_refuses_a_lone_surrogate_in_the_text(api: HttpClient, client_: Client) -> None:
    raw = json.dumps({"text": "a\ud800b"})

    response = api.post(notes_url(client_), raw, content_type="application/json")

    assert response.status_code == 422
    assert not Entry.objects.exists()


def test_without_a_care_relation_writing_answers_403_break_glass_required(client_: Client) -> None:
    stranger = UserFactory(roles=[Role.DOCTOR])

    response = post_note(bearer(stranger), client_, {"text": "Seen."})

    assert response.status_code == 403
    assert response.json()["break_glass_required"] is True
    assert not Entry.objects.exists()
    event = AuditEvent.objects.get(action="journal.note_submitted")
    assert (event.actor, event.client, event.outcome) == (stranger, client_, Outcome.DENIED)


def _verified_session(user: User) -> HttpClient:
    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(user)
    session = http.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    now = time.time()
    session.update({"auth_at": now, "last_seen": now, "reauth_at": now})
    session.save()
    return http


def test_a_session_must_send_its_csrf_token_to_write(doctor: User, client_: Client) -> None:
    cares_for(doctor, client_)
    http = _verified_session(doctor)

    refused = post_note(http, client_, {"text": "Seen."})
    assert http.get(reverse("journal:timeline", kwargs={"code": client_.code})).status_code == 200
    csrf = http.cookies[settings.CSRF_COOKIE_NAME].value
    accepted = http.post(
        notes_url(client_),
        json.dumps({"text": "Seen."}),
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )

    assert refused.status_code == 403
    assert accepted.status_code == 201
    assert Entry.objects.get().author == doctor


def test_the_openapi_document_has_the_journal_paths(db: None) -> None:
    paths = HttpClient().get("/api/v1/openapi.json").json()["paths"]

    assert set(paths["/api/v1/clients/{code}/journal"]) == {"get"}
    assert set(paths["/api/v1/clients/{code}/notes"]) == {"post"}
    parameters = {p["name"] for p in paths["/api/v1/clients/{code}/journal"]["get"]["parameters"]}
    assert parameters == {"code", "page", "kind", "from", "to"}


def test_a_refusal_for_a_missing_capability_is_in_the_access_log(sign_in, reception, client_record) -> None:  # type: ignore[no-untyped-def]
    from skinchart.audit.models import AuditEvent

    response = sign_in(reception).get(f"/api/v1/clients/{client_record.code}/journal")
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="api.denied", actor=reception, outcome="denied").count() == 1
