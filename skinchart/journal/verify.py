"""Re-compute every client's hash chain and report the first entry that differs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from skinchart.journal.models import GENESIS_HASH, ClientJournal, Entry, EntryStatus
from skinchart.lib.canonical import chain_hash


@dataclass(frozen=True)
class Break:
    client_code: str
    entry_code: str
    seq: int | None
    problem: str


def verify_client(journal: ClientJournal) -> Break | None:
    previous = GENESIS_HASH
    expected_seq = 1
    entries = Entry.objects.filter(client_id=journal.client_id, status=EntryStatus.SIGNED).order_by("seq")
    client_code = str(journal.client.code)
    for entry in entries.iterator(chunk_size=500):
        if entry.seq != expected_seq:
            return Break(client_code, str(entry.code), entry.seq, f"sequence gap: expected {expected_seq}")
        if entry.prev_hash != previous:
            return Break(client_code, str(entry.code), entry.seq, "link to the previous entry is broken")
        if chain_hash(previous, entry.chain_payload()) != entry.hash:
            return Break(client_code, str(entry.code), entry.seq, "content does not match its hash")
        previous, expected_seq = entry.hash, expected_seq + 1
    if journal.last_hash != previous or journal.last_seq != expected_seq - 1:
        return Break(client_code, "", journal.last_seq, "entries are missing at the end of the chain")
    return None


def verify_all(client_code: str | None = None) -> Iterator[Break]:
    journals = ClientJournal.objects.select_related("client").order_by("pk")
    if client_code:
        journals = journals.filter(client__code=client_code)
    for journal in journals.iterator(chunk_size=200):
        broken = verify_client(journal)
        if broken is not None:
            yield broken
