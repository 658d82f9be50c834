from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from skinchart.accounts.models import User
from skinchart.demo.totp import current_demo_code


class Command(BaseCommand):
    help = "Print the current authenticator code of a demo user (DEMO_MODE only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE:
            raise CommandError("Refusing: DEMO_MODE is off.")
        user = User.objects.filter(username=options["username"]).first()
        code = current_demo_code(user) if user else ""
        if not code:
            raise CommandError("No demo authenticator for that user.")
        self.stdout.write(code)
