"""What every benchmark script shares: a throwaway database, Django set up against
it, the migrate-and-refuse-real-data step, sizes and percentiles."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(database_url: str | None) -> Path:
    """Point the settings at the bench database; returns the temp dir (VAR_DIR, SQLite file)."""
    tmp = Path(tempfile.mkdtemp(prefix="skinchart-bench-"))
    os.environ["VAR_DIR"] = str(tmp)
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{tmp / 'bench.sqlite3'}"
    # DEBUG stays off (no query logging in the timings), so a throwaway key is needed.
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret-" + "x" * 40)
    os.environ.setdefault("PHOTO_KEYS", "bench:" + "A" * 43 + "=")  # 32 zero bytes: benchmarks only
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skinchart.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # For rendering pages through Django's test client over plain HTTP.
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("SECURE_COOKIES", "false")
    os.environ.setdefault("STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage")
    (tmp / "static").mkdir()  # STATIC_ROOT, which whitenoise looks for
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    return tmp


def run_in_throwaway_database(args: argparse.Namespace, run: Callable[[argparse.Namespace], int]) -> int:
    """Set up Django on `args.database_url` (or a temp SQLite file), run, clean up."""
    tmp = setup_django(args.database_url)
    try:
        return run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if args.keep and not args.database_url:
            print(f"kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def migrate_empty_database() -> bool:
    """Migrate; False (with a message) when the database already holds clients."""
    from django.core.management import call_command
    from django.db import connection

    from skinchart.clients.models import Client

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    print(f"migrate: {time.perf_counter() - started:.1f} s")
    if Client.objects.exists():
        print("refusing: the database already holds clients; use an empty, throwaway database", file=sys.stderr)
        return False
    return True


def db_size(table: str) -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        name = Path(str(connection.settings_dict["NAME"]))
        total = sum(p.stat().st_size for p in name.parent.glob(name.name + "*"))
        return f"{total / 1e6:.1f} MB (SQLite file {name})"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_total_relation_size(%s), pg_indexes_size(%s), pg_database_size(current_database())",
                [table, table],
            )
            size, indexes, database = cursor.fetchone()
        return f"{table} {size / 1e6:.1f} MB (indexes {indexes / 1e6:.1f} MB); database {database / 1e6:.1f} MB"
    return "unknown"


def percentile(sorted_values: list[float], fraction: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]
