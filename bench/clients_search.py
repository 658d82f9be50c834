"""How fast is the client search with many clients?

    .venv/bin/python bench/clients_search.py [--clients 100000] [--database-url URL]
                                             [--repeat 20] [--seed 2026] [--analyze] [--explain]

Builds a throwaway SQLite database in a temporary directory (or uses --database-url,
e.g. postgresql://user:pw@localhost/skinchart_bench, which must be a database you can
throw away: the script migrates it and refuses to run if it already holds clients),
bulk-creates N fictitious Danish clients (deterministic seed), then times
`list(Client.objects.search(q)[:50])` for realistic queries, as the client list view
does. It prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time

from harness import db_size, migrate_empty_database, percentile, run_in_throwaway_database

# --- Fictitious Danish people -------------------------------------------------------
# Weights roughly follow Danmarks Statistik's name counts: a few surnames are very
# common (Nielsen and Jensen are each ~4% of the population), then a long tail.
LAST_NAMES = {
    "Nielsen": 244,
    "Jensen": 239,
    "Hansen": 194,
    "Andersen": 155,
    "Pedersen": 153,
    "Christensen": 113,
    "Larsen": 110,
    "Sørensen": 105,
    "Rasmussen": 89,
    "Jørgensen": 86,
    "Petersen": 83,
    "Madsen": 61,
    "Kristensen": 59,
    "Olsen": 53,
    "Thomsen": 46,
    "Christiansen": 42,
    "Poulsen": 36,
    "Johansen": 35,
    "Møller": 34,
    "Mortensen": 33,
    "Knudsen": 27,
    "Jakobsen": 26,
    "Mikkelsen": 24,
    "Olesen": 23,
    "Frederiksen": 22,
    "Laursen": 22,
    "Henriksen": 21,
    "Lund": 21,
    "Schmidt": 18,
    "Eriksen": 17,
    "Holm": 17,
    "Kristiansen": 16,
    "Clausen": 16,
    "Simonsen": 15,
    "Svendsen": 15,
    "Andreasen": 15,
    "Iversen": 13,
    "Jeppesen": 13,
    "Mogensen": 12,
    "Jacobsen": 12,
    "Nissen": 12,
    "Lauridsen": 12,
    "Jespersen": 12,
    "Vestergaard": 11,
    "Østergaard": 11,
    "Søndergaard": 10,
    "Kjær": 10,
    "Dahl": 9,
    "Bech": 8,
    "Nørgaard": 8,
    "Skov": 8,
    "Bach": 8,
    "Winther": 7,
    "Ahmed": 6,
    "Ali": 6,
    "Nguyen": 5,
    "Yilmaz": 4,
    "Kaya": 3,
    "Kowalski": 3,
    "Bækgaard": 3,
    "Damgaard": 6,
    "Kjærgaard": 5,
    "Friis": 5,
    "Krog": 5,
    "Lindberg": 4,
    "Brandt": 5,
}
# The long tail: compound surnames, each rare (together about a third of all clients).
TAIL_PREFIXES = [
    "Skov",
    "Lind",
    "Bjerg",
    "Dal",
    "Holm",
    "Vester",
    "Nør",
    "Sønder",
    "Øster",
    "Kirke",
    "Mølle",
    "Bæk",
    "Strand",
    "Eng",
    "Hede",
    "Ager",
    "Birk",
    "Ege",
    "Fjord",
    "Mose",
    "Å",
    "Ris",
    "Sand",
]
TAIL_SUFFIXES = ["gaard", "holm", "bjerg", "dal", "lund", "strup", "rup", "sted", "bæk", "høj", "skov", "by"]
FIRST_NAMES = {
    "Anne": 45,
    "Kirsten": 40,
    "Mette": 39,
    "Hanne": 36,
    "Helle": 33,
    "Susanne": 31,
    "Lene": 30,
    "Maria": 30,
    "Marianne": 29,
    "Lone": 27,
    "Camilla": 25,
    "Louise": 25,
    "Pia": 24,
    "Charlotte": 24,
    "Tina": 22,
    "Gitte": 21,
    "Julie": 20,
    "Ida": 19,
    "Emma": 18,
    "Sofie": 18,
    "Freja": 14,
    "Line": 16,
    "Pernille": 17,
    "Lærke": 9,
    "Åse": 3,
    "Bodil": 8,
    "Nanna": 9,
    "Karen": 20,
    "Inge": 18,
    "Birgitte": 19,
    "Signe": 12,
    "Cecilie": 12,
    "Peter": 40,
    "Jens": 38,
    "Michael": 36,
    "Lars": 35,
    "Henrik": 34,
    "Søren": 32,
    "Thomas": 31,
    "Jan": 28,
    "Niels": 27,
    "Morten": 25,
    "Rasmus": 22,
    "Mads": 21,
    "Anders": 23,
    "Martin": 24,
    "Christian": 24,
    "Frederik": 16,
    "Mikkel": 15,
    "Jørgen": 18,
    "Bjørn": 6,
    "Kåre": 2,
    "Ole": 20,
    "Hans": 25,
    "Jesper": 19,
    "Kasper": 15,
    "Mohammad": 5,
}
MIDDLE_NAMES = ["Marie", "Louise", "Sofie", "Kristine", "Emil", "Valdemar", "Johan", "Aksel", "Bøgh", "Juul"]
STREETS = [
    "Jernbanegade",
    "Låsbygade",
    "Haderslevvej",
    "Vejlevej",
    "Skovvangen",
    "Fjordvej",
    "Nørregade",
    "Søndergade",
    "Østergade",
    "Vestergade",
    "Kongensgade",
    "Ågade",
    "Bøgevej",
    "Kærvej",
    "Strandvejen",
]
CITIES = [
    ("6000", "Kolding"),
    ("7100", "Vejle"),
    ("7000", "Fredericia"),
    ("6100", "Haderslev"),
    ("8000", "Aarhus C"),
    ("5000", "Odense C"),
    ("2100", "København Ø"),
    ("6500", "Vojens"),
    ("6630", "Rødding"),
    ("7300", "Jelling"),
    ("6200", "Aabenraa"),
    ("6400", "Sønderborg"),
]
EMAIL_DOMAINS = ["gmail.com", "hotmail.com", "outlook.dk", "live.dk", "yahoo.dk", "mail.dk", "icloud.com", "jubii.dk"]
ASCII_FOLD = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "é": "e", "ü": "u"})

# Clients planted at fixed positions so every query kind has a known answer.
PLANTED = [
    # first, last, birth, cpr, phone, email
    ("Ingeborg", "Thygesen-Rosenkilde", dt.date(1962, 3, 9), "0903624118", "+4528731190", "ingeborg@rosenkilde.dk"),
    ("Søren", "Østergaard", dt.date(1985, 6, 15), "1506851234", "+4520123456", "soeren.oestergaard@gmail.com"),
    ("Bodil", "Ærø", dt.date(1971, 11, 2), "0211712286", "+4531415926", "bodil.aeroe@mail.dk"),
]

QUERIES = [
    ("common last name", "nielsen"),
    ("common first + last name", "anne jensen"),
    ("first name, 3 letters", "met"),
    ("rare full name", "Ingeborg Thygesen"),
    ("name with æøå", "Søren Østergaard"),
    ("phone typed 20 12 34 56", "20 12 34 56"),
    ("phone with +45", "+45 31 41 59 26"),
    ("email prefix (with @)", "mette.nielsen@"),
    ("email local part, no @", "mette.nielsen"),
    ("full CPR", "150685-1234"),
    ("no match", "zyxwvuq"),
]


def _weighted(rng: random.Random, table: dict[str, int], k: int) -> list[str]:
    return rng.choices(list(table), weights=list(table.values()), k=k)


def _cpr_for(rng: random.Random, birth: dt.date, taken: set[str]) -> str:
    yy = birth.year % 100
    while True:
        seventh = 4 if birth.year >= 2000 else rng.randrange(0, 4)
        cpr = f"{birth:%d%m}{yy:02d}{seventh}{rng.randrange(0, 1000):03d}"
        if cpr not in taken:
            taken.add(cpr)
            return cpr


def _generate(n: int, seed: int) -> list[object]:
    from skinchart.clients.models import Client, search_key

    rng = random.Random(seed)
    tail = [p + s for p in TAIL_PREFIXES for s in TAIL_SUFFIXES]
    lasts = _weighted(rng, LAST_NAMES, n)
    firsts = _weighted(rng, FIRST_NAMES, n)
    planted_at = {(i + 1) * n // (len(PLANTED) + 1): row for i, row in enumerate(PLANTED)}
    taken_cpr = {row[3] for row in PLANTED}
    taken_phone = {row[4] for row in PLANTED}
    clients = []
    for i in range(n):
        if i in planted_at:
            first, last, birth, cpr, phone, email = planted_at[i]
            postal, city = CITIES[0]
        else:
            first, last = firsts[i], lasts[i]
            if rng.random() < 0.33:
                last = rng.choice(tail)
            if rng.random() < 0.15:
                first = f"{first} {rng.choice(MIDDLE_NAMES)}"
            if rng.random() < 0.15:
                last = f"{rng.choice(tail)} {last}"
            birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 67))
            cpr = _cpr_for(rng, birth, taken_cpr) if i % 3 == 0 else None
            phone = ""
            if rng.random() < 0.95:
                while not phone or phone in taken_phone:
                    phone = f"+45{rng.choice('2345678')}{rng.randrange(0, 10_000_000):07d}"
                taken_phone.add(phone)
            email = ""
            if rng.random() < 0.7:
                local = f"{first.split()[0]}.{last.split()[-1]}".lower().translate(ASCII_FOLD)
                if rng.random() < 0.5:
                    local += str(rng.randrange(1, 100))
                email = f"{local}@{rng.choice(EMAIL_DOMAINS)}"
            postal, city = rng.choice(CITIES)
        client = Client(
            first_name=first,
            last_name=last,
            date_of_birth=birth,
            cpr=cpr,
            phone=phone,
            email=email,
            address=f"{rng.choice(STREETS)} {rng.randrange(1, 160)}",
            postal_code=postal,
            city=city,
        )
        client.name_key = search_key(f"{first} {last}")  # as Client.refresh_name_key does
        clients.append(client)
    return clients


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--database-url", default=None, help="default: a throwaway SQLite file in a temp dir")
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per query (after one warm-up)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--batch-size", type=int, default=5_000)
    parser.add_argument("--analyze", action="store_true", help="run ANALYZE before timing (Django never does)")
    parser.add_argument("--explain", action="store_true", help="print each query's SQL and plan")
    parser.add_argument("--keep", action="store_true", help="keep the clients (and the SQLite file) afterwards")
    args = parser.parse_args()

    return run_in_throwaway_database(args, _run)


def _run(args: argparse.Namespace) -> int:
    from django.db import connection, transaction

    from skinchart.clients.models import Client

    if not migrate_empty_database():
        return 2

    started = time.perf_counter()
    clients = _generate(args.clients, args.seed)
    built = time.perf_counter() - started
    started = time.perf_counter()
    with transaction.atomic():
        for start in range(0, len(clients), args.batch_size):
            Client.objects.bulk_create(clients[start : start + args.batch_size])
    inserted = time.perf_counter() - started
    del clients
    print(
        f"generated {args.clients:,} clients: build {built:.1f} s, bulk_create {inserted:.1f} s "
        f"(batches of {args.batch_size:,}), total {built + inserted:.1f} s"
    )
    if args.analyze:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print("ANALYZE done")
    print(f"database size: {db_size('clients_client')}")
    print()

    rows = []
    for kind, query in QUERIES:
        qs = Client.objects.search(query)[:50]
        found = len(list(qs))  # warm-up (page cache, statement cache)
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            result = list(Client.objects.search(query)[:50])
            times.append((time.perf_counter() - t0) * 1000)
        assert len(result) == found  # noqa: S101 — deterministic; a mismatch means the bench is broken
        total = Client.objects.search(query).count()
        times.sort()
        rows.append((kind, query, found, total, statistics.median(times), percentile(times, 0.95), times[-1]))
        if args.explain:
            print(f"-- {kind}: {query!r}\n{qs.query}\n{qs.explain()}\n")

    header = (
        f"{'query kind':<28} {'query':<20} {'returned':>8} {'total':>7} {'median ms':>10} {'p95 ms':>8} {'max ms':>8}"
    )
    print(header)
    print("-" * len(header))
    for kind, query, found, total, median, p95, worst in rows:
        flag = "  <-- slow" if median > 50 else ""
        print(f"{kind:<28} {query!r:<20} {found:>8} {total:>7} {median:>10.2f} {p95:>8.2f} {worst:>8.2f}{flag}")
    print(
        f"\n{args.repeat} timed runs per query after one warm-up; 'returned' = rows of [:50], "
        "'total' = count() of all matches."
    )

    if not args.keep and args.database_url:
        Client.objects.all().delete()
    return 0


if __name__ == "__main__":
    sys.exit(main())
