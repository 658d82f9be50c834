"""Writing the journal. Every part of Skinchart records its entries through
`record_entry`; nothing writes `Entry` rows any other way.

All functions take the acting user, run in one transaction and write their audit event.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from skinchart.accounts.models import Role
from skinchart.audit.log import record
from skinchart.journal.models import (
    BreakGlass,
    CareAssignment,
    ClientJournal,
    CorrectionKind,
    Entry,
    EntryKind,
    EntryStatus,
)
from skinchart.lib.canonical import chain_hash
from skinchart.lib.dates import add_years

# An event may be recorded a little ahead of the server clock (clock skew), never more.
FUTURE_TOLERANCE = dt.timedelta(minutes=5)


class JournalError(Exception):
    """A journal rule was broken; the message is for the user."""


def _locked_journal(client: Any) -> ClientJournal:
    """The client's journal head, locked for this transaction (PostgreSQL row lock;
    SQLite serialises writers with IMMEDIATE transactions)."""
    ClientJournal.objects.get_or_create(client=client)
    return ClientJournal.objects.select_for_update().get(client=client)


def _validate(*, actor: Any, text: str, occurred_at: dt.datetime, on_behalf_of: Any) -> None:
    if not text.strip():
        raise JournalError(_("An entry needs text."))
    if timezone.is_naive(occurred_at):
        raise JournalError(_("The time of the event needs a time zone."))
    if occurred_at > timezone.now() + FUTURE_TOLERANCE:
        raise JournalError(_("The time of the event cannot be in the future."))
    if on_behalf_of is not None and (not on_behalf_of.is_active or not on_behalf_of.has_role(Role.DOCTOR)):
        raise JournalError(_("'On behalf of' must name an active doctor."))
    if on_behalf_of is not None and on_behalf_of == actor:
        raise JournalError(_("You cannot act on your own behalf."))


def _sign(entry: Entry, journal: ClientJournal) -> None:
    now = timezone.now()
    entry.status = EntryStatus.SIGNED
    entry.signed_at = now
    entry.seq = journal.last_seq + 1
    entry.prev_hash = journal.last_hash
    entry.hash = chain_hash(entry.prev_hash, entry.chain_payload())
    entry.save(update_fields=["status", "signed_at", "seq", "prev_hash", "hash"])
    journal.last_seq = entry.seq
    journal.last_hash = entry.hash
    journal.last_entry_at = now
    # REG-21: kept at least ten years from the latest entry, pushed by each new one.
    journal.retention_until = add_years(timezone.localdate(now), settings.JOURNAL_RETENTION_YEARS)
    journal.save(update_fields=["last_seq", "last_hash", "last_entry_at", "retention_until"])


@transaction.atomic
def record_entry(
    *,
    actor: Any,
    client: Any,
    kind: str,
    text: str,
    content: dict[str, Any] | None = None,
    occurred_at: dt.datetime | None = None,
    on_behalf_of: Any = None,
    site: Any = None,
    subject: models.Model | None = None,
    sign: bool = True,
    request: HttpRequest | None = None,
) -> Entry:
    """Write one journal entry for `client`, authored by `actor` (always the signed-in
    user — nothing from the request can name another author). Signed at once unless
    `sign=False` (a draft the author may still edit)."""
    occurred_at = occurred_at or timezone.now()
    _validate(actor=actor, text=text, occurred_at=occurred_at, on_behalf_of=on_behalf_of)
    journal = _locked_journal(client)
    entry = Entry.objects.create(
        client=client,
        kind=kind,
        author=actor,
        author_roles=",".join(sorted(actor.role_set)),
        on_behalf_of=on_behalf_of,
        site=site,
        occurred_at=occurred_at,
        text=text.strip(),
        content=content or {},
        subject_type=subject._meta.label_lower if subject is not None else "",
        subject_id=str(getattr(subject, "code", getattr(subject, "pk", ""))) if subject is not None else "",
    )
    if sign:
        _sign(entry, journal)
    record(
        action="journal.entry_signed" if sign else "journal.draft_saved",
        actor=actor,
        request=request,
        client=client,
        target=entry,
        on_behalf_of=on_behalf_of,
        kind=kind,
    )
    return entry


def _own_draft(actor: Any, entry: Entry) -> None:
    if entry.is_signed:
        raise JournalError(_("A signed entry cannot be changed. Write a correction instead."))
    if entry.author_id != actor.pk:
        raise JournalError(_("Only the author can change or sign a draft."))


@transaction.atomic
def update_draft(
    *,
    actor: Any,
    entry: Entry,
    text: str,
    occurred_at: dt.datetime,
    on_behalf_of: Any = None,
    request: HttpRequest | None = None,
) -> Entry:
    entry = Entry.objects.select_for_update().get(pk=entry.pk)
    _own_draft(actor, entry)
    _validate(actor=actor, text=text, occurred_at=occurred_at, on_behalf_of=on_behalf_of)
    entry.text, entry.occurred_at, entry.on_behalf_of = text.strip(), occurred_at, on_behalf_of
    entry.save(update_fields=["text", "occurred_at", "on_behalf_of"])
    record(action="journal.draft_saved", actor=actor, request=request, client=entry.client, target=entry)
    return entry


@transaction.atomic
def sign_entry(*, actor: Any, entry: Entry, request: HttpRequest | None = None) -> Entry:
    journal = _locked_journal(entry.client)
    entry = Entry.objects.select_for_update().get(pk=entry.pk)
    _own_draft(actor, entry)
    _sign(entry, journal)
    record(action="journal.entry_signed", actor=actor, request=request, client=entry.client, target=entry)
    return entry


@transaction.atomic
def correct_entry(
    *,
    actor: Any,
    original: Entry,
    correction_kind: str,
    reason: str,
    text: str,
    request: HttpRequest | None = None,
) -> Entry:
    """A correction is a new, signed entry pointing to the original, which stays
    readable and is shown marked (REG-20, REG-23). Nothing of the original changes."""
    if not original.is_signed:
        raise JournalError(_("A draft is edited, not corrected."))
    if correction_kind not in CorrectionKind.values:
        raise JournalError(_("Choose the kind of correction."))
    if not reason.strip():
        raise JournalError(_("Give the reason for the correction."))
    if correction_kind != CorrectionKind.ENTERED_IN_ERROR and not text.strip():
        raise JournalError(_("Write the corrected or added text."))
    journal = _locked_journal(original.client)
    entry = Entry.objects.create(
        client=original.client,
        kind=EntryKind.CORRECTION,
        author=actor,
        author_roles=",".join(sorted(actor.role_set)),
        occurred_at=timezone.now(),
        text=text.strip() or _("Entered in error."),
        content={"original_kind": original.kind},
        corrects=original,
        correction_kind=correction_kind,
        correction_reason=reason.strip(),
    )
    _sign(entry, journal)
    record(
        action="journal.entry_corrected",
        actor=actor,
        request=request,
        client=original.client,
        target=entry,
        original=str(original.code),
        correction_kind=correction_kind,
    )
    return entry


@transaction.atomic
def break_glass(*, actor: Any, client: Any, reason: str, request: HttpRequest | None = None) -> BreakGlass:
    """Open a client's record without a care relation, for a stated reason, for a
    limited time; listed for the responsible doctor's review."""
    if len(reason.strip()) < 10:
        raise JournalError(_("Describe the reason in a sentence (at least 10 characters)."))
    access = BreakGlass.objects.create(
        client=client,
        user=actor,
        reason=reason.strip(),
        expires_at=timezone.now() + dt.timedelta(minutes=settings.BREAK_GLASS_MINUTES),
    )
    record(action="journal.break_glass", actor=actor, request=request, client=client, target=access)
    return access


@transaction.atomic
def review_break_glass(*, actor: Any, access: BreakGlass, note: str, request: HttpRequest | None = None) -> None:
    if access.user_id == actor.pk:
        raise JournalError(_("Someone else must review your own break-glass access."))
    access.reviewed_by, access.reviewed_at, access.review_note = actor, timezone.now(), note.strip()
    access.save(update_fields=["reviewed_by", "reviewed_at", "review_note"])
    record(action="journal.break_glass_reviewed", actor=actor, request=request, client=access.client, target=access)


@transaction.atomic
def assign_practitioner(
    *, actor: Any, client: Any, practitioner: Any, request: HttpRequest | None = None
) -> CareAssignment:
    assignment = CareAssignment.objects.create(client=client, practitioner=practitioner, assigned_by=actor)
    record(
        action="journal.practitioner_assigned",
        actor=actor,
        request=request,
        client=client,
        practitioner=str(practitioner.code),
    )
    return assignment


@transaction.atomic
def set_legal_hold(*, actor: Any, client: Any, hold: bool, reason: str, request: HttpRequest | None = None) -> None:
    journal = _locked_journal(client)
    journal.legal_hold, journal.legal_hold_reason = hold, reason.strip()
    journal.save(update_fields=["legal_hold", "legal_hold_reason"])
    record(
        action="journal.legal_hold_set" if hold else "journal.legal_hold_lifted",
        actor=actor,
        request=request,
        client=client,
    )
