"""Reinstall the guards: stopped sessions are read-only too, and no product line can be
added to or moved into a signed or stopped session (see skinchart/journal/db_guards.py)."""

from django.db import migrations

from skinchart.journal.db_guards import install_guards, remove_guards


def reinstall(apps, schema_editor):  # type: ignore[no-untyped-def]
    remove_guards(schema_editor.connection)
    install_guards(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("treatment_sessions", "0002_signed_sessions_read_only")]

    operations = [migrations.RunPython(reinstall, migrations.RunPython.noop)]
