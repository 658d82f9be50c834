"""Install the triggers that make signed journal entries and audit events unchangeable
(see skinchart/journal/db_guards.py)."""

from django.db import migrations

from skinchart.journal.db_guards import install_guards, remove_guards


def install(apps, schema_editor):  # type: ignore[no-untyped-def]
    install_guards(schema_editor.connection)


def remove(apps, schema_editor):  # type: ignore[no-untyped-def]
    remove_guards(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("journal", "0001_initial"),
        ("audit", "0002_auditevent_on_behalf_of"),
    ]

    operations = [migrations.RunPython(install, remove)]
