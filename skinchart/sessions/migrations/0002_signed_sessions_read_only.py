"""Install the triggers that make signed sessions and their sealed product lines
read-only (see skinchart/journal/db_guards.py)."""

from django.db import migrations

from skinchart.journal.db_guards import install_guards


def install(apps, schema_editor):  # type: ignore[no-untyped-def]
    install_guards(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("treatment_sessions", "0001_initial"),
        ("journal", "0002_append_only_guards"),
    ]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
