from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from skinchart.accounts.actions import revoke_api_token
from skinchart.accounts.models import ApiToken


class Command(BaseCommand):
    help = "Revoke an API token by its prefix (the 8 characters after 'sc_'), or list tokens with --list."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("prefix", nargs="?")
        parser.add_argument("--list", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"]:
            for token in ApiToken.objects.select_related("user"):
                state = "revoked" if token.revoked_at else "active"
                self.stdout.write(f"{token.prefix}  {token.user.username:<16} {state:<8} {token.label}")
            return
        active = ApiToken.objects.filter(prefix=options["prefix"] or "", revoked_at__isnull=True).first()
        if active is None:
            raise CommandError("No active token with that prefix.")
        revoke_api_token(actor=None, token=active)
        self.stdout.write(f"Token {active.prefix}… revoked.")
