"""How fast is a client's journal timeline when the journal holds a million entries?

    .venv/bin/python bench/journal_timeline.py [--entries 1000000] [--per-client 50] [--big 1000]
                                               [--database-url URL] [--repeat 20] [--seed 2026]
                                               [--batch-size 5000] [--analyze] [--explain] [--no-render] [--keep]

Builds a throwaway SQLite database in a temporary directory (or uses --database-url,
e.g. postgresql://user:pw@localhost/skinchart_bench, which must be an empty database you
can throw away: the script migrates it and refuses to run if it already holds clients;
signed entries and audit events cannot be deleted, so drop that database afterwards).

It bulk-creates N signed entries (deterministic seed) over many clients (~50 each) plus
one long-standing client with 1,000 entries, whose rows are spread over the whole table
as years of use would leave them. The rows are what `record_entry` would have written:
signed, seq 1…n per client, each hash chained over `Entry.chain_payload()` with
`chain_hash`, the ClientJournal heads matching; a few corrections and drafts. (It bypasses
`record_entry` for speed; the DB triggers forbid updating signed rows, so rows go in
already signed.) Then, for the big client, it times the timeline as the page builds it
(first, middle and last page, a kind filter, a date filter), the whole HTML page through
Django's test client as a signed-in doctor with a care relation, and the JSON API. It
prints figures and SQL queries per page; it asserts nothing but the chains it built.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from harness import db_size, migrate_empty_database, percentile, run_in_throwaway_database

KIND_WEIGHTS = {
    "clinical_note": 30,
    "session": 20,
    "photo": 10,
    "consultation": 8,
    "consent": 8,
    "message": 8,
    "screening": 6,
    "information": 6,
    "doctor_assessment": 3,
    "adverse_event": 1,
}
CORRECTION_SHARE = 0.03
DRAFT_SHARE = 0.01
SENTENCES = [
    "Klienten møder til aftalt kontrol.",
    "Ingen tegn på infektion eller hæmatom.",
    "Behandlet glabella og panderynker med 20 enheder.",
    "Let rødme efter behandlingen, forventeligt.",
    "Informeret om bivirkninger og forholdsregler.",
    "Samtykke gennemgået og underskrevet.",
    "Klienten er tilfreds med resultatet.",
    "Aftalt ny tid om tre måneder.",
    "Tidligere behandlet i udlandet, ukendt præparat.",
    "Anamnese: ingen allergier, ingen blodfortyndende medicin.",
    "Hyaluronsyre 1 ml i læberne, lineær teknik.",
    "Let ødem dag to, aftaget ved kontrol.",
    "Foto taget før og efter, samme lys og vinkel.",
    "Drøftet forventninger; realistisk mål aftalt.",
    "Kløe ved injektionsstedet, ordineret kold kompres.",
    "Lægen har vurderet og godkendt behandlingsplanen.",
]
AREAS = ["glabella", "forehead", "crow's feet", "lips", "nasolabial folds", "chin", "jawline", "cheeks"]
STAFF = [
    # username, first, last, roles
    ("bench-doctor", "Birgitte", "Bench", ["doctor"]),
    ("doctor-2", "Henrik", "Holm", ["doctor"]),
    ("doctor-3", "Anne", "Dahl", ["doctor"]),
    ("nurse-1", "Mette", "Nielsen", ["nurse"]),
    ("nurse-2", "Lone", "Jensen", ["nurse"]),
    ("nurse-3", "Signe", "Skov", ["nurse"]),
    ("nurse-4", "Ida", "Lund", ["nurse"]),
    ("cosmetologist-1", "Julie", "Bach", ["cosmetologist"]),
    ("cosmetologist-2", "Freja", "Kjær", ["cosmetologist"]),
    ("cosmetologist-3", "Sofie", "Friis", ["cosmetologist"]),
]


# --- Generating a consistent journal -------------------------------------------------


class Staff:
    def __init__(self, users: list[Any]) -> None:
        self.users = users
        self.ids = [u.pk for u in users]
        self.roles = {u.pk: ",".join(sorted(u.role_set)) for u in users}
        self.doctors = [u.pk for u in users if "doctor" in u.role_set]
        self.helpers = [u.pk for u in users if "doctor" not in u.role_set]


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _text(rng: random.Random) -> str:
    return " ".join(rng.sample(SENTENCES, rng.randint(1, 6)))


def _specs(
    rng: random.Random, n: int, staff: Staff, now: dt.datetime, *, years: float, own_drafts_by: int | None = None
) -> list[dict[str, Any]]:
    """`n` entries of one client as dicts, in signing order (drafts anywhere): what each
    entry is, without ids, seq or hashes (those come when it is built)."""
    kinds = list(KIND_WEIGHTS)
    weights = list(KIND_WEIGHTS.values())
    n_corrections = int(n * CORRECTION_SHARE)
    n_drafts = int(n * DRAFT_SHARE)
    span = dt.timedelta(days=365 * years)
    start = now - span
    base: list[dict[str, Any]] = []
    for _ in range(n - n_corrections - n_drafts):
        occurred = start + span * rng.random() * 0.999
        recorded = min(now, occurred + dt.timedelta(minutes=rng.uniform(1, 360)))
        signed = min(now, recorded + dt.timedelta(seconds=rng.uniform(0, 120)))
        author = rng.choice(staff.ids)
        kind = rng.choices(kinds, weights)[0]
        content: dict[str, Any] = {}
        if kind in ("session", "photo"):
            content = {"area": rng.choice(AREAS), "units": rng.randint(4, 40)}
        base.append(
            {
                "code": _uuid(rng),
                "kind": kind,
                "author": author,
                "on_behalf_of": rng.choice(staff.doctors) if author in staff.helpers and rng.random() < 0.5 else None,
                "occurred_at": occurred,
                "recorded_at": recorded,
                "signed_at": signed,
                "text": _text(rng),
                "content": content,
                "corrects": None,
            }
        )
    base.sort(key=lambda s: s["signed_at"])
    corrections = []
    for target in rng.sample(base, min(n_corrections, len(base))):
        at = min(now, target["signed_at"] + dt.timedelta(days=rng.uniform(0.01, 30)))
        if at <= target["signed_at"]:
            at = target["signed_at"] + dt.timedelta(microseconds=1)
        kind = rng.choice(["amendment", "entered_in_error", "addendum"])
        corrections.append(
            {
                "code": _uuid(rng),
                "kind": "correction",
                "author": target["author"],
                "on_behalf_of": None,
                "occurred_at": at,
                "recorded_at": at,
                "signed_at": at,
                "text": "Entered in error." if kind == "entered_in_error" else _text(rng),
                "content": {"original_kind": target["kind"]},
                "corrects": target,
                "correction_kind": kind,
                "correction_reason": "Forkert område noteret.",
            }
        )
    ordered = sorted(base + corrections, key=lambda s: s["signed_at"])
    drafts: list[dict[str, Any]] = []
    for i in range(n_drafts):
        occurred = now - dt.timedelta(hours=rng.uniform(1, 72))
        author = own_drafts_by if own_drafts_by is not None and i % 2 == 0 else rng.choice(staff.ids)
        drafts.append(
            {
                "code": _uuid(rng),
                "kind": "clinical_note",
                "author": author,
                "on_behalf_of": None,
                "occurred_at": occurred,
                "recorded_at": occurred,
                "signed_at": None,
                "text": _text(rng),
                "content": {},
                "corrects": None,
            }
        )
    for draft in drafts:
        ordered.insert(rng.randrange(len(ordered) + 1), draft)
    return ordered


class Chain:
    """Builds one client's entries in signing order, as `actions._sign` would chain them."""

    def __init__(self, client_id: int, staff: Staff) -> None:
        from skinchart.journal.models import GENESIS_HASH

        self.client_id = client_id
        self.staff = staff
        self.seq = 0
        self.last_hash = GENESIS_HASH
        self.last_signed_at: dt.datetime | None = None

    def build(self, spec: dict[str, Any], entry_id: int) -> Any:
        from skinchart.journal.models import Entry, EntryStatus
        from skinchart.lib.canonical import chain_hash

        target = spec["corrects"]
        entry = Entry(
            id=entry_id,
            code=spec["code"],
            client_id=self.client_id,
            kind=spec["kind"],
            status=EntryStatus.DRAFT,
            author_id=spec["author"],
            author_roles=self.staff.roles[spec["author"]],
            on_behalf_of_id=spec["on_behalf_of"],
            site_id=None,
            occurred_at=spec["occurred_at"],
            recorded_at=spec["recorded_at"],
            text=spec["text"],
            content=spec["content"],
            subject_type="",
            subject_id="",
            corrects_id=target["id"] if target is not None else None,
            correction_kind=spec.get("correction_kind", ""),
            correction_reason=spec.get("correction_reason", ""),
            prev_hash="",
            hash="",
        )
        spec["id"] = entry_id
        if spec["signed_at"] is not None:
            entry.status = EntryStatus.SIGNED
            entry.signed_at = spec["signed_at"]
            entry.seq = self.seq + 1
            entry.prev_hash = self.last_hash
            entry.hash = chain_hash(entry.prev_hash, entry.chain_payload())
            self.seq, self.last_hash, self.last_signed_at = entry.seq, entry.hash, entry.signed_at
        return entry

    def journal(self) -> Any:
        from django.conf import settings
        from django.utils import timezone

        from skinchart.journal.models import ClientJournal
        from skinchart.lib.dates import add_years

        retention = None
        if self.last_signed_at is not None:
            retention = add_years(timezone.localdate(self.last_signed_at), settings.JOURNAL_RETENTION_YEARS)
        return ClientJournal(
            client_id=self.client_id,
            last_seq=self.seq,
            last_hash=self.last_hash,
            last_entry_at=self.last_signed_at,
            retention_until=retention,
        )


def _make_staff() -> tuple[Staff, Any]:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from skinchart.accounts.models import StaffRole, User

    users = []
    for username, first, last, roles in STAFF:
        user = User.objects.create_user(username=username, password=None, first_name=first, last_name=last)
        StaffRole.objects.bulk_create([StaffRole(user=user, role=role) for role in roles])
        users.append(User.objects.get(pk=user.pk))  # fresh: role_set
    doctor = users[0]
    TOTPDevice.objects.create(user=doctor, name="bench", confirmed=True)
    return Staff(users), doctor


def _entry_counts(rng: random.Random, total: int, per_client: int) -> list[int]:
    """Entries per (small) client: around `per_client`, summing to `total`."""
    n_clients = max(1, round(total / per_client))
    counts = [rng.randint(max(1, per_client // 2), max(1, per_client * 3 // 2)) for _ in range(n_clients)]
    diff = total - sum(counts)
    step = 1 if diff > 0 else -1
    while diff:
        i = rng.randrange(n_clients)
        if counts[i] + step >= 1:
            counts[i] += step
            diff -= step
    return counts


def _generate(args: argparse.Namespace) -> tuple[Any, Any, dict[str, float]]:
    """Clients, journals and entries; returns (big client, doctor, timings)."""
    from django.core.management.color import no_style
    from django.db import connection, transaction
    from django.utils import timezone

    from skinchart.clients.models import Client, search_key
    from skinchart.journal.models import CareAssignment, ClientJournal, Entry

    rng = random.Random(args.seed)
    now = timezone.now()
    staff, doctor = _make_staff()
    counts = _entry_counts(rng, max(0, args.entries - args.big), args.per_client)
    n_small = len(counts)
    big_id = n_small // 2 + 1  # in the middle of the client ids
    client_ids = [i for i in range(1, n_small + 2) if i != big_id]

    names = [("Søren", "Østergaard"), ("Mette", "Nielsen"), ("Anne", "Jensen"), ("Ida", "Holm"), ("Bodil", "Ærø")]
    timings = {"build": 0.0, "insert": 0.0}
    started = time.perf_counter()
    clients = []
    for cid in range(1, n_small + 2):
        first, last = names[cid % len(names)]
        if cid == big_id:
            first, last = "Ingeborg", "Langtidskunde"
        client = Client(
            id=cid,
            code=_uuid(rng),
            first_name=first,
            last_name=last,
            date_of_birth=dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 55)),
            name_key=search_key(f"{first} {last}"),
        )
        clients.append(client)
    timings["build"] += time.perf_counter() - started
    started = time.perf_counter()
    with transaction.atomic():
        Client.objects.bulk_create(clients, batch_size=args.batch_size)
    timings["insert"] += time.perf_counter() - started
    big_client = next(c for c in clients if c.id == big_id)
    del clients

    # The big client: specs now, built a slice per batch so its rows spread over the table.
    started = time.perf_counter()
    big_chain = Chain(big_id, staff)
    big_specs = _specs(rng, args.big, staff, now, years=8, own_drafts_by=doctor.pk)
    timings["build"] += time.perf_counter() - started
    clients_per_batch = max(1, args.batch_size // args.per_client)
    n_batches = max(1, -(-n_small // clients_per_batch))
    next_id = 1
    built = 0
    report_every = max(1, n_batches // 10)
    for b in range(n_batches):
        started = time.perf_counter()
        rows: list[Any] = []
        journals = []
        for cid, n in zip(
            client_ids[b * clients_per_batch : (b + 1) * clients_per_batch],
            counts[b * clients_per_batch : (b + 1) * clients_per_batch],
            strict=True,
        ):
            chain = Chain(cid, staff)
            for spec in _specs(rng, n, staff, now, years=rng.uniform(0.2, 6)):
                rows.append(chain.build(spec, next_id))
                next_id += 1
            journals.append(chain.journal())
        for spec in big_specs[b * len(big_specs) // n_batches : (b + 1) * len(big_specs) // n_batches]:
            rows.append(big_chain.build(spec, next_id))
            next_id += 1
        timings["build"] += time.perf_counter() - started
        started = time.perf_counter()
        with transaction.atomic():
            Entry.objects.bulk_create(rows, batch_size=args.batch_size)
            ClientJournal.objects.bulk_create(journals)
        timings["insert"] += time.perf_counter() - started
        built += len(rows)
        if (b + 1) % report_every == 0 or b + 1 == n_batches:
            print(f"  … {built:,} entries ({b + 1}/{n_batches} batches)", flush=True)
    with transaction.atomic():
        big_chain.journal().save()
        CareAssignment.objects.create(client=big_client, practitioner=doctor, assigned_by=doctor)
        if connection.vendor == "postgresql":  # the ids were given explicitly
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), [Client, Entry]):
                    cursor.execute(statement)
    return big_client, doctor, timings


def _check_chains(big_client: Any, samples: int) -> None:
    """What `verify_journal` checks, for the big client and a few others."""
    from skinchart.journal.models import ClientJournal
    from skinchart.journal.verify import verify_client

    journals = [ClientJournal.objects.select_related("client").get(client=big_client)]
    journals += list(ClientJournal.objects.select_related("client").order_by("?")[:samples])
    for journal in journals:
        broken = verify_client(journal)
        if broken is not None:
            raise SystemExit(f"bench bug: the generated chain is broken: {broken}")
    print(f"hash chains verified: the big client and {len(journals) - 1} others")


# --- Timing --------------------------------------------------------------------------


def _timeline_page(client: Any, user: Any, query: dict[str, str]) -> tuple[int, int]:
    """What `journal.views.timeline` queries for one page (without the access check)."""
    from django.conf import settings
    from django.core.paginator import Paginator

    from skinchart.journal.forms import TimelineFilterForm
    from skinchart.journal.models import Entry

    filters = TimelineFilterForm(query)
    entries = Entry.objects.filter(client=client).visible_to(user)
    if filters.is_valid():
        entries = entries.filtered(**filters.cleaned_data)
    page = Paginator(entries.for_timeline(), settings.JOURNAL_PAGE_SIZE).get_page(query.get("page"))
    rows: list[Any] = list(page)
    for row in rows:  # what the template touches
        _ = (row.author.get_full_name(), row.on_behalf_of, row.corrects_id and row.corrects.code, row.is_corrected)
    return page.paginator.num_pages, len(rows)


def _signed_in(doctor: Any) -> Any:
    """Django's test client, signed in with both factors, as conftest's sign_in does it."""
    from django.test import Client as HttpClient
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    http = HttpClient()
    http.force_login(doctor)
    session = http.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=doctor).persistent_id
    now = time.time()
    session.update({"auth_at": now, "last_seen": now, "reauth_at": now})
    session.save()
    return http


def _time(run: Callable[[], Any], repeat: int) -> tuple[list[float], int, Any]:
    """Milliseconds per run (after one warm-up), SQL queries of one run, its result."""
    from django.db import connection

    count = 0

    def counting(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    # Not CaptureQueriesContext: each request's request_started signal empties queries_log.
    with connection.execute_wrapper(counting):
        result = run()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        run()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return times, count, result


def _scenarios(big_client: Any, doctor: Any) -> Iterator[tuple[str, dict[str, str]]]:
    from django.conf import settings
    from django.db.models import Q

    from skinchart.journal.models import Entry, EntryStatus

    visible = Entry.objects.filter(client=big_client).filter(Q(status=EntryStatus.SIGNED) | Q(author=doctor)).count()
    pages = max(1, -(-visible // settings.JOURNAL_PAGE_SIZE))
    first = Entry.objects.filter(client=big_client).order_by("occurred_at").values_list("occurred_at", flat=True)[0]
    month_start = (
        first + (Entry.objects.filter(client=big_client).latest("occurred_at").occurred_at - first) / 2
    ).date()
    month_end = month_start + dt.timedelta(days=30)
    yield "first page", {}
    yield f"middle page ({pages // 2 + 1})", {"page": str(pages // 2 + 1)}
    yield f"last page ({pages})", {"page": str(pages)}
    yield "kind = session", {"kind": "session"}
    yield "kind = adverse_event (rare)", {"kind": "adverse_event"}
    yield "30-day date range", {"date_from": f"{month_start:%d.%m.%Y}", "date_to": f"{month_end:%d.%m.%Y}"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--entries", type=int, default=1_000_000, help="entries in all (the big client's included)")
    parser.add_argument("--per-client", type=int, default=50, help="entries per ordinary client, on average")
    parser.add_argument("--big", type=int, default=1_000, help="entries of the one long-standing client")
    parser.add_argument("--database-url", default=None, help="default: a throwaway SQLite file in a temp dir")
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per scenario (after one warm-up)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--batch-size", type=int, default=5_000)
    parser.add_argument("--analyze", action="store_true", help="run ANALYZE before timing (Django never does)")
    parser.add_argument("--explain", action="store_true", help="print the first page's SQL and plan")
    parser.add_argument("--no-render", action="store_true", help="time only the queries, not the HTML page and API")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file afterwards")
    args = parser.parse_args()

    return run_in_throwaway_database(args, _run)


def _run(args: argparse.Namespace) -> int:
    from django.db import connection

    from skinchart.clients.models import Client

    if not migrate_empty_database():
        return 2

    started = time.perf_counter()
    big_client, doctor, timings = _generate(args)
    total = time.perf_counter() - started
    from skinchart.journal.models import Entry

    n_entries = Entry.objects.count()
    print(
        f"generated {n_entries:,} entries over {Client.objects.count():,} clients: build (objects, hashes) "
        f"{timings['build']:.1f} s, bulk_create {timings['insert']:.1f} s, total {total:.1f} s"
    )
    _check_chains(big_client, samples=20)
    if args.analyze:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print("ANALYZE done")
    print(f"database size: {db_size('journal_entry')}")
    print(f"big client: {Entry.objects.filter(client=big_client).count():,} entries (drafts included)")
    print()

    rows = []
    http = api = None
    if not args.no_render:
        from django.test import Client as HttpClient

        from skinchart.accounts.actions import issue_api_token

        http = _signed_in(doctor)
        _, token = issue_api_token(actor=None, user=doctor)
        api = HttpClient(headers={"Authorization": f"Bearer {token}"})
    for name, query in _scenarios(big_client, doctor):
        times, queries, (_pages, shown) = _time(
            functools.partial(_timeline_page, big_client, doctor, query), args.repeat
        )
        rows.append((f"{name}: queries", shown, queries, times))
        if args.explain and not query:
            from skinchart.journal.models import EntryStatus

            qs = Entry.objects.filter(client=big_client, status=EntryStatus.SIGNED).for_timeline()[:25]
            print(f"-- {name}\n{qs.query}\n{qs.explain()}\n")
        if http is not None and api is not None:
            url = f"/clients/{big_client.code}/journal/"
            times, queries, response = _time(functools.partial(http.get, url, query), args.repeat)
            if response.status_code != 200:
                raise SystemExit(f"the page answered {response.status_code}")
            rows.append((f"{name}: HTML page", shown, queries, times))
            api_query = {k.removeprefix("date_"): v for k, v in query.items()}
            for key in ("from", "to"):  # the API takes ISO days
                if key in api_query:
                    day, month, year = (int(part) for part in api_query[key].split("."))
                    api_query[key] = dt.date(year, month, day).isoformat()
            url = f"/api/v1/clients/{big_client.code}/journal"
            times, queries, response = _time(functools.partial(api.get, url, api_query), args.repeat)
            if response.status_code != 200 or len(response.json()["items"]) != shown:
                raise SystemExit(f"the API answered {response.status_code}: {response.content[:200]!r}")
            rows.append((f"{name}: JSON API", shown, queries, times))

    header = f"{'scenario':<44} {'rows':>5} {'SQL':>4} {'median ms':>10} {'p95 ms':>8} {'max ms':>8}"
    print(header)
    print("-" * len(header))
    for name, shown, queries, times in rows:
        median, p95, worst = statistics.median(times), percentile(times, 0.95), times[-1]
        print(f"{name:<44} {shown:>5} {queries:>4} {median:>10.2f} {p95:>8.2f} {worst:>8.2f}")
    print(
        f"\n{args.repeat} timed runs per scenario after one warm-up. 'queries' = the timeline's own SQL "
        "(count + page); 'HTML page' = GET /clients/<code>/journal/ through Django's test client as a signed-in "
        "doctor with a care relation (session, access check, access-log insert, template); 'JSON API' = "
        "GET /api/v1/clients/<code>/journal with a bearer token. 'SQL' = queries of one run."
    )
    if args.database_url and not args.keep:
        print("\nthe bench data stays (signed entries cannot be deleted): drop that database now.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
