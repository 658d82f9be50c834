from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from skinchart.demo.clinic import DEMO_PASSWORD, STAFF, seed


class Command(BaseCommand):
    help = "Create the demo clinic (O'Skin Clinic, Kolding): staff, registrations, ~50 clients. Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE:
            raise CommandError("Refusing: DEMO_MODE is off. The demo clinic has known passwords.")
        result = seed()
        self.stdout.write(f"Demo clinic ready ({result['clients_created']} new clients).")
        self.stdout.write("")
        port = os.environ.get("PORT", "8000")
        self.stdout.write(f"Sign in at http://127.0.0.1:{port}/ with one of these users:")
        for username, first, last, roles, _ in STAFF:
            self.stdout.write(f"  {username:<14} {first} {last} ({', '.join(str(r.label) for r in roles)})")
        self.stdout.write(f"Password for all of them: {DEMO_PASSWORD}")
        self.stdout.write(
            "Second step: demo mode shows the current 6-digit code on the code page, or run\n"
            "  .venv/bin/python manage.py demo_code doctor"
        )
