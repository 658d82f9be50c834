"""Database triggers that make the journal and the audit log append-only, so that not
even raw SQL through the application's connection can change history (REG-20, REG-30).

Signed journal entries refuse UPDATE and DELETE; drafts stay editable. Audit events
refuse both always. The migration installs the guards; `removed_guards` exists only for
the retention purge (later) and for tests that must simulate tampering.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db.backends.base.base import BaseDatabaseWrapper

MESSAGE_SIGNED_UPDATE = "journal: a signed entry is read-only"
MESSAGE_SIGNED_DELETE = "journal: a signed entry cannot be deleted"
MESSAGE_AUDIT = "audit: the log is append-only"

# (trigger name, table, event, condition or "", message)
GUARDS = [
    ("journal_entry_signed_no_update", "journal_entry", "UPDATE", "OLD.status = 'signed'", MESSAGE_SIGNED_UPDATE),
    ("journal_entry_signed_no_delete", "journal_entry", "DELETE", "OLD.status = 'signed'", MESSAGE_SIGNED_DELETE),
    ("audit_event_no_update", "audit_auditevent", "UPDATE", "", MESSAGE_AUDIT),
    ("audit_event_no_delete", "audit_auditevent", "DELETE", "", MESSAGE_AUDIT),
]

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION skinchart_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'integrity_constraint_violation';
END
$$;
"""


def install_statements(vendor: str) -> list[str]:
    statements = [POSTGRES_FUNCTION] if vendor == "postgresql" else []
    for name, table, event, condition, message in GUARDS:
        if vendor == "postgresql":
            when = f"WHEN ({condition}) " if condition else ""
            statements.append(
                f"CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW {when}"
                f"EXECUTE FUNCTION skinchart_refuse_change('{message}');"
            )
        else:
            when = f"WHEN {condition} " if condition else ""
            statements.append(
                f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE {event} ON {table} FOR EACH ROW {when}"
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END;"
            )
    return statements


def remove_statements(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {name} ON {table};" for name, table, *_ in GUARDS]
    return [f"DROP TRIGGER IF EXISTS {name};" for name, *_ in GUARDS]


def install_guards(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # CREATE TRIGGER has no IF NOT EXISTS there
            for statement in remove_statements("postgresql"):
                cursor.execute(statement)
        for statement in install_statements(connection.vendor):
            cursor.execute(statement)


def remove_guards(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for statement in remove_statements(connection.vendor):
            cursor.execute(statement)


@contextmanager
def removed_guards(connection: BaseDatabaseWrapper) -> Iterator[None]:
    remove_guards(connection)
    try:
        yield
    finally:
        install_guards(connection)
