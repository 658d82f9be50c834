"""The journal: authorship, signing, append-only (app and database), corrections,
hash chain, access log, care relation and break-glass, timeline, retention."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from skinchart.accounts.models import Role, User
from skinchart.accounts.tests.factories import UserFactory
from skinchart.audit.models import AuditEvent
from skinchart.clients.models import Client
from skinchart.journal import actions
from skinchart.journal.db_guards import removed_guards
from skinchart.journal.models import BreakGlass, CareAssignment, ClientJournal, Entry, EntryKind, EntryStatus

pytestmark = pytest.mark.django_db

NOTE = {"text": "Huden er rolig.", "occurred_on": "20.11.2026", "occurred_time": "10:15", "sign": "1"}


@pytest.fixture
def cared_for(client_record: Client, nurse: User, doctor: User) -> Client:
    for practitioner in (nurse, doctor):
        CareAssignment.objects.create(client=client_record, practitioner=practitioner, assigned_by=doctor)
    return client_record


def note(actor: User, client: Client, text: str = "Seen today.", *, sign: bool = True) -> Entry:
    return actions.record_entry(actor=actor, client=client, kind=EntryKind.CLINICAL_NOTE, text=text, sign=sign)


def test_the_author_is_the_signed_in_user_whatever_the_form_says(
    sign_in: Callable[[User], HttpClient], nurse: User, doctor: User, cared_for: Client
) -> None:
    sign_in(nurse).post(
        f"/clients/{cared_for.code}/journal/notes/new/", {**NOTE, "author": doctor.pk, "author_id": doctor.pk}
    )
    entry = Entry.objects.get()
    assert entry.author == nurse
    assert entry.author_roles == "nurse"
    assert entry.is_signed


def test_a_helper_can_write_on_behalf_of_the_responsible_doctor(
    sign_in: Callable[[User], HttpClient], nurse: User, doctor: User, cared_for: Client
) -> None:
    sign_in(nurse).post(f"/clients/{cared_for.code}/journal/notes/new/", {**NOTE, "on_behalf_of": doctor.pk})
    assert Entry.objects.get().on_behalf_of == doctor


def test_a_draft_is_editable_by_its_author_until_signed(
    sign_in: Callable[[User], HttpClient], nurse: User, cared_for: Client
) -> None:
    http = sign_in(nurse)
    http.post(f"/clients/{cared_for.code}/journal/notes/new/", {**NOTE, "sign": "0"})
    draft = Entry.objects.get()
    http.post(f"/journal/entries/{draft.code}/edit/", {**NOTE, "text": "Huden er rolig. Let rødme.", "sign": "1"})
    draft.refresh_from_db()
    assert (draft.text, draft.status) == ("Huden er rolig. Let rødme.", EntryStatus.SIGNED)


def test_the_application_refuses_to_change_a_signed_entry(nurse: User, cared_for: Client) -> None:
    entry = note(nurse, cared_for)
    with pytest.raises(actions.JournalError):
        actions.update_draft(actor=nurse, entry=entry, text="changed", occurred_at=timezone.now())
    with pytest.raises(actions.JournalError):
        actions.sign_entry(actor=nurse, entry=entry)


def test_someone_elses_draft_is_invisible_and_cannot_be_signed(
    sign_in: Callable[[User], HttpClient], nurse: User, doctor: User, cared_for: Client
) -> None:
    draft = note(nurse, cared_for, sign=False)
    http = sign_in(doctor)
    assert http.get(f"/journal/entries/{draft.code}/").status_code == 404
    assert http.post(f"/journal/entries/{draft.code}/sign/").status_code == 404
    assert draft.text not in http.get(f"/clients/{cared_for.code}/journal/").content.decode()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE journal_entry SET text = 'rewritten' WHERE code = %s",
        "DELETE FROM journal_entry WHERE code = %s",
    ],
)
def test_the_database_refuses_raw_sql_changes_to_a_signed_entry(
    statement: str, append_only_guards: None, nurse: User, cared_for: Client
) -> None:
    entry = note(nurse, cared_for, "Original text.")
    code = entry.code.hex if connection.vendor == "sqlite" else str(entry.code)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, [code])
    assert Entry.objects.get(pk=entry.pk).text == "Original text."


def test_the_database_still_lets_a_draft_be_edited(append_only_guards: None, nurse: User, cared_for: Client) -> None:
    draft = note(nurse, cared_for, sign=False)
    code = draft.code.hex if connection.vendor == "sqlite" else str(draft.code)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE journal_entry SET text = 'edited' WHERE code = %s", [code])
    assert Entry.objects.get(pk=draft.pk).text == "edited"


@pytest.mark.parametrize("statement", ["UPDATE audit_auditevent SET action = 'x'", "DELETE FROM audit_auditevent"])
def test_the_database_refuses_raw_sql_changes_to_the_audit_log(
    statement: str, append_only_guards: None, nurse: User, cared_for: Client
) -> None:
    note(nurse, cared_for)
    before = AuditEvent.objects.count()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert AuditEvent.objects.count() == before


def test_a_correction_keeps_the_original_readable_and_marked(
    sign_in: Callable[[User], HttpClient], nurse: User, cared_for: Client
) -> None:
    original = note(nurse, cared_for, "Rødme i 3 dage.")
    http = sign_in(nurse)
    response = http.post(
        f"/journal/entries/{original.code}/correct/",
        {"correction_kind": "amendment", "reason": "Wrong number of days", "text": "Rødme i 2 dage."},
    )
    correction = Entry.objects.get(corrects=original)
    timeline = http.get(f"/clients/{cared_for.code}/journal/").content.decode()
    history = http.get(f"/journal/entries/{original.code}/").content.decode()
    assert response["Location"] == f"/journal/entries/{correction.code}/"
    assert Entry.objects.get(pk=original.pk).text == "Rødme i 3 dage."
    assert f'class="entry corrected corrected-amendment" id="entry-{original.code}"' in timeline
    assert "Rødme i 2 dage." in timeline
    assert "Rødme i 3 dage." in history and "Wrong number of days" in history
    assert (correction.correction_kind, correction.is_signed) == ("amendment", True)


def test_entered_in_error_needs_a_reason(sign_in: Callable[[User], HttpClient], nurse: User, cared_for: Client) -> None:
    original = note(nurse, cared_for)
    response = sign_in(nurse).post(
        f"/journal/entries/{original.code}/correct/", {"correction_kind": "entered_in_error", "reason": "", "text": ""}
    )
    assert response.status_code == 422
    assert not Entry.objects.filter(corrects=original).exists()


def test_signed_entries_form_a_hash_chain_per_client(nurse: User, cared_for: Client) -> None:
    first, second = note(nurse, cared_for, "one"), note(nurse, cared_for, "two")
    journal = ClientJournal.objects.get(client=cared_for)
    assert (first.seq, second.seq) == (1, 2)
    assert second.prev_hash == first.hash
    assert journal.last_hash == second.hash


def test_verify_journal_passes_on_intact_data(nurse: User, cared_for: Client) -> None:
    note(nurse, cared_for, "one")
    note(nurse, cared_for, "two")
    out = io.StringIO()
    call_command("verify_journal", stdout=out)
    assert "intact" in out.getvalue()


def test_verify_journal_names_the_first_entry_changed_behind_its_back(nurse: User, cared_for: Client) -> None:
    note(nurse, cared_for, "one")
    tampered = note(nurse, cared_for, "two")
    note(nurse, cared_for, "three")
    code = tampered.code.hex if connection.vendor == "sqlite" else str(tampered.code)
    with removed_guards(connection), connection.cursor() as cursor:
        cursor.execute("UPDATE journal_entry SET text = 'twice' WHERE code = %s", [code])
    with pytest.raises(CommandError) as failure:
        call_command("verify_journal", "--client", str(cared_for.code))
    assert str(tampered.code) in str(failure.value)
    assert failure.value.returncode == 1


def test_every_view_of_a_client_page_writes_exactly_one_complete_access_event(
    sign_in: Callable[[User], HttpClient], nurse: User, cared_for: Client
) -> None:
    http = sign_in(nurse)
    for url in (f"/clients/{cared_for.code}/", f"/clients/{cared_for.code}/journal/"):
        before = AuditEvent.objects.count()
        http.get(url, REMOTE_ADDR="192.0.2.44")
        event = AuditEvent.objects.latest("at")
        assert AuditEvent.objects.count() == before + 1
        assert (event.actor, event.actor_roles, event.client, event.outcome) == (nurse, "nurse", cared_for, "success")
        assert (event.source_ip, event.via) == ("192.0.2.44", "web")
        assert event.action in ("client.viewed", "journal.viewed")


def test_viewing_an_entry_is_logged_with_the_entry(
    sign_in: Callable[[User], HttpClient], nurse: User, cared_for: Client
) -> None:
    entry = note(nurse, cared_for)
    sign_in(nurse).get(f"/journal/entries/{entry.code}/")
    event = AuditEvent.objects.get(action="journal.entry_viewed")
    assert (event.target_type, event.target_id, event.client) == ("journal.entry", str(entry.code), cared_for)


def test_without_a_care_relation_the_journal_needs_a_stated_reason(
    sign_in: Callable[[User], HttpClient], client_record: Client, doctor: User
) -> None:
    stranger = UserFactory(roles=[Role.NURSE])
    http = sign_in(stranger)
    journal_url = f"/clients/{client_record.code}/journal/"
    refused = http.get(journal_url)
    assert refused.status_code == 302
    assert refused["Location"].startswith(f"/clients/{client_record.code}/break-glass/")
    assert AuditEvent.objects.filter(action="journal.viewed", outcome="denied", actor=stranger).count() == 1
    http.post(
        f"/clients/{client_record.code}/break-glass/", {"reason": "Client called about a reaction", "next": journal_url}
    )
    assert http.get(journal_url).status_code == 200
    access = BreakGlass.objects.get(user=stranger)
    assert access.reason == "Client called about a reaction"
    assert AuditEvent.objects.filter(action="journal.break_glass", actor=stranger, client=client_record).exists()
    review_page = sign_in(doctor).get("/journal/break-glass/").content.decode()
    assert "Client called about a reaction" in review_page


def test_break_glass_expires(sign_in: Callable[[User], HttpClient], client_record: Client) -> None:
    stranger = UserFactory(roles=[Role.NURSE])
    BreakGlass.objects.create(
        client=client_record, user=stranger, reason="Earlier today", expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert sign_in(stranger).get(f"/clients/{client_record.code}/journal/").status_code == 302


def test_a_reason_is_required_for_break_glass(sign_in: Callable[[User], HttpClient], client_record: Client) -> None:
    stranger = UserFactory(roles=[Role.NURSE])
    response = sign_in(stranger).post(f"/clients/{client_record.code}/break-glass/", {"reason": "x"})
    assert response.status_code == 422
    assert not BreakGlass.objects.exists()


def test_contact_data_needs_no_care_relation(sign_in: Callable[[User], HttpClient], client_record: Client) -> None:
    stranger = UserFactory(roles=[Role.NURSE])
    assert sign_in(stranger).get(f"/clients/{client_record.code}/").status_code == 200


def test_the_timeline_runs_a_constant_number_of_queries(
    sign_in: Callable[[User], HttpClient], nurse: User, cared_for: Client
) -> None:
    http = sign_in(nurse)
    url = f"/clients/{cared_for.code}/journal/"
    for n in range(10):
        note(nurse, cared_for, f"note {n}")
    with CaptureQueriesContext(connection) as ten:
        http.get(url)
    first = Entry.objects.filter(client=cared_for).order_by("seq").first()
    actions.correct_entry(actor=nurse, original=first, correction_kind="addendum", reason="more", text="added")
    for n in range(490):
        note(nurse, cared_for, f"note {n}")
    with CaptureQueriesContext(connection) as five_hundred:
        http.get(url)
    assert len(ten) == len(five_hundred)


def test_the_timeline_filters_by_kind_and_period(
    sign_in: Callable[[User], HttpClient], nurse: User, cared_for: Client
) -> None:
    old = actions.record_entry(
        actor=nurse,
        client=cared_for,
        kind=EntryKind.CLINICAL_NOTE,
        text="Last year",
        occurred_at=dt.datetime(2025, 6, 1, 10, 0, tzinfo=dt.UTC),
    )
    recent = note(nurse, cared_for, "This week")
    http = sign_in(nurse)
    page = http.get(f"/clients/{cared_for.code}/journal/", {"date_from": "01.01.2026"}).context["page"]
    assert list(page) == [recent]
    assert list(http.get(f"/clients/{cared_for.code}/journal/", {"kind": "consent"}).context["page"]) == []
    assert old in list(http.get(f"/clients/{cared_for.code}/journal/", {"kind": "clinical_note"}).context["page"])


def test_retention_runs_ten_years_from_the_latest_entry(nurse: User, cared_for: Client) -> None:
    note(nurse, cared_for)
    journal = ClientJournal.objects.get(client=cared_for)
    today = timezone.localdate()
    assert journal.retention_until == today.replace(year=today.year + 10)


def test_a_legal_hold_is_recorded(doctor: User, cared_for: Client) -> None:
    actions.set_legal_hold(actor=doctor, client=cared_for, hold=True, reason="Complaint pending")
    journal = ClientJournal.objects.get(client=cared_for)
    assert (journal.legal_hold, journal.legal_hold_reason) == (True, "Complaint pending")
    assert AuditEvent.objects.filter(action="journal.legal_hold_set", client=cared_for).exists()


def test_an_event_cannot_be_recorded_in_the_future(nurse: User, cared_for: Client) -> None:
    with pytest.raises(actions.JournalError):
        actions.record_entry(
            actor=nurse,
            client=cared_for,
            kind=EntryKind.CLINICAL_NOTE,
            text="Tomorrow",
            occurred_at=timezone.now() + dt.timedelta(days=1),
        )


def test_registering_a_client_gives_the_clinician_a_care_relation(
    sign_in: Callable[[User], HttpClient], nurse: User
) -> None:
    http = sign_in(nurse)
    http.post(
        "/clients/new/",
        {"first_name": "Ny", "last_name": "Klient", "date_of_birth": "01.01.1990", "preferred_language": "da"},
    )
    client = Client.objects.get(first_name="Ny")
    assert http.get(f"/clients/{client.code}/journal/").status_code == 200


def test_the_orm_cannot_delete_or_overwrite_a_signed_entry(
    append_only_guards: None, nurse: User, cared_for: Client
) -> None:
    entry = note(nurse, cared_for, "Kept.")
    with pytest.raises(DatabaseError), transaction.atomic():
        entry.delete()
    entry.text = "Overwritten."
    with pytest.raises(DatabaseError), transaction.atomic():
        entry.save()
    assert Entry.objects.get(pk=entry.pk).text == "Kept."


def test_an_impossible_event_date_is_a_form_error_not_a_server_error(
    sign_in: Callable[[User], HttpClient], nurse: User, cared_for: Client
) -> None:
    response = sign_in(nurse).post(
        f"/clients/{cared_for.code}/journal/notes/new/", {**NOTE, "occurred_on": "01.01.0001"}
    )
    assert response.status_code == 422
    assert "occurred_on" in response.context["form"].errors
    assert not Entry.objects.exists()
