from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from skinchart.accounts.actions import issue_api_token
from skinchart.accounts.models import User


class Command(BaseCommand):
    help = "Issue a personal API token for USERNAME. It is printed once and stored only as a hash."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--label", default="", help="What the token is for, e.g. 'booking sync'.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError("No active user with that username.")
        token, plain = issue_api_token(actor=None, user=user, label=options["label"])
        self.stdout.write(plain)
        self.stderr.write(f"Token {token.prefix}… issued for {user.username}. It will not be shown again.")
