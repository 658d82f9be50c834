"""Database triggers that make the journal and the audit log append-only, and approved
controlled documents immutable, so that not even raw SQL through the application's
connection can change history (REG-20, REG-30, REG-8).

Signed journal entries refuse UPDATE and DELETE; drafts stay editable. Audit events
refuse both always. Approved treatment-definition and client-guide versions refuse both, as do signed
treatment sessions and their sealed product lines.
Each app's migration installs the guards of its tables; `removed_guards` exists only
for the retention purge (later) and for tests that must simulate tampering.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db.backends.base.base import BaseDatabaseWrapper

MESSAGE_SIGNED_UPDATE = "journal: a signed entry is read-only"
MESSAGE_SIGNED_DELETE = "journal: a signed entry cannot be deleted"
MESSAGE_AUDIT = "audit: the log is append-only"
MESSAGE_APPROVED = "documents: an approved version is read-only"
MESSAGE_SESSION = "sessions: a signed session is read-only"

# (trigger name, table, event, condition or "", message)
GUARDS = [
    ("journal_entry_signed_no_update", "journal_entry", "UPDATE", "OLD.status = 'signed'", MESSAGE_SIGNED_UPDATE),
    ("journal_entry_signed_no_delete", "journal_entry", "DELETE", "OLD.status = 'signed'", MESSAGE_SIGNED_DELETE),
    ("audit_event_no_update", "audit_auditevent", "UPDATE", "", MESSAGE_AUDIT),
    ("audit_event_no_delete", "audit_auditevent", "DELETE", "", MESSAGE_AUDIT),
    (
        "catalogue_def_approved_no_update",
        "catalogue_definitionversion",
        "UPDATE",
        "OLD.status = 'approved'",
        MESSAGE_APPROVED,
    ),
    (
        "catalogue_def_approved_no_delete",
        "catalogue_definitionversion",
        "DELETE",
        "OLD.status = 'approved'",
        MESSAGE_APPROVED,
    ),
    ("guides_version_approved_no_update", "guides_guideversion", "UPDATE", "OLD.status = 'approved'", MESSAGE_APPROVED),
    ("guides_version_approved_no_delete", "guides_guideversion", "DELETE", "OLD.status = 'approved'", MESSAGE_APPROVED),
    (
        "tsessions_signed_no_update",
        "treatment_sessions_treatmentsession",
        "UPDATE",
        "OLD.status IN ('signed', 'stopped')",
        MESSAGE_SESSION,
    ),
    (
        "tsessions_signed_no_delete",
        "treatment_sessions_treatmentsession",
        "DELETE",
        "OLD.status IN ('signed', 'in_progress', 'stopped')",
        MESSAGE_SESSION,
    ),
    ("tsessions_sealed_use_no_update", "treatment_sessions_productuse", "UPDATE", "OLD.sealed", MESSAGE_SESSION),
    ("tsessions_sealed_use_no_delete", "treatment_sessions_productuse", "DELETE", "OLD.sealed", MESSAGE_SESSION),
]

# Rows that may not be added to, or moved into, a closed parent: (trigger name, table,
# parent table, foreign-key column, closed statuses, message). A product line cannot be
# inserted into a signed or stopped session. PostgreSQL allows no subquery in a trigger's
# WHEN, so there a function reads the parent's status.
PARENT_GUARDS = [
    (
        "tsessions_use_closed_session",
        "treatment_sessions_productuse",
        "treatment_sessions_treatmentsession",
        "session_id",
        ("signed", "stopped"),
        MESSAGE_SESSION,
    ),
]

POSTGRES_PARENT_FUNCTION = """
CREATE OR REPLACE FUNCTION skinchart_refuse_closed_parent() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    parent_status text;
BEGIN
    EXECUTE format('SELECT status FROM %I WHERE id = $1', TG_ARGV[0])
        INTO parent_status USING (to_jsonb(NEW) ->> TG_ARGV[1])::bigint;
    IF parent_status = ANY (string_to_array(TG_ARGV[2], ',')) THEN
        RAISE EXCEPTION '%', TG_ARGV[3] USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$;
"""

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION skinchart_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'integrity_constraint_violation';
END
$$;
"""


def install_statements(vendor: str, tables: set[str] | None = None) -> list[str]:
    """The CREATE statements for the guards on `tables` (default: all); each app's
    migration installs the guards of the tables that exist by then."""
    statements = [POSTGRES_FUNCTION, POSTGRES_PARENT_FUNCTION] if vendor == "postgresql" else []
    for name, table, event, condition, message in GUARDS:
        if tables is not None and table not in tables:
            continue
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
    for name, table, parent, column, closed, message in PARENT_GUARDS:
        if tables is not None and table not in tables:
            continue
        if vendor == "postgresql":
            statements.append(
                f"CREATE TRIGGER {name} BEFORE INSERT OR UPDATE ON {table} FOR EACH ROW "
                f"EXECUTE FUNCTION skinchart_refuse_closed_parent('{parent}', '{column}', '{','.join(closed)}', "
                f"'{message}');"
            )
        else:
            statuses = ", ".join(f"'{status}'" for status in closed)
            for event in ("INSERT", "UPDATE"):
                # Constants of this module only, never input.
                when = f"WHEN (SELECT status FROM {parent} WHERE id = NEW.{column}) IN ({statuses}) "  # noqa: S608
                statements.append(
                    f"CREATE TRIGGER IF NOT EXISTS {name}_{event.lower()} BEFORE {event} ON {table} FOR EACH ROW "
                    f"{when}"
                    f"BEGIN SELECT RAISE(ABORT, '{message}'); END;"
                )
    return statements


def remove_statements(vendor: str, tables: set[str] | None = None) -> list[str]:
    guards = [g[:2] for g in GUARDS if tables is None or g[1] in tables]
    parents = [g[:2] for g in PARENT_GUARDS if tables is None or g[1] in tables]
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {name} ON {table};" for name, table in guards + parents]
    names = [name for name, _ in guards] + [f"{name}_{event}" for name, _ in parents for event in ("insert", "update")]
    return [f"DROP TRIGGER IF EXISTS {name};" for name in names]


def _existing_tables(connection: BaseDatabaseWrapper) -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


def install_guards(connection: BaseDatabaseWrapper) -> None:
    tables = _existing_tables(connection)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # CREATE TRIGGER has no IF NOT EXISTS there
            for statement in remove_statements("postgresql", tables):
                cursor.execute(statement)
        for statement in install_statements(connection.vendor, tables):
            cursor.execute(statement)


def remove_guards(connection: BaseDatabaseWrapper) -> None:
    tables = _existing_tables(connection)
    with connection.cursor() as cursor:
        for statement in remove_statements(connection.vendor, tables):
            cursor.execute(statement)


@contextmanager
def removed_guards(connection: BaseDatabaseWrapper) -> Iterator[None]:
    remove_guards(connection)
    try:
        yield
    finally:
        install_guards(connection)
