from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from skinchart.accounts.actions import create_staff_member
from skinchart.accounts.models import Role, User


class Command(BaseCommand):
    help = "Create a staff account (e.g. the first administrator) and print its one-time password."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", action="append", choices=Role.values, required=True)
        parser.add_argument("--first-name", required=True)
        parser.add_argument("--last-name", required=True)
        parser.add_argument("--email", required=True)
        parser.add_argument("--authorisation-id", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        if User.objects.filter(username__iexact=options["username"]).exists():
            raise CommandError("That username is taken.")
        data = {
            "username": options["username"],
            "first_name": options["first_name"],
            "last_name": options["last_name"],
            "email": options["email"],
            "authorisation_id": options["authorisation_id"],
        }
        user, password = create_staff_member(actor=None, data=data, roles=options["role"], sites=[])
        self.stdout.write(f"One-time password for {user.username}: {password}")
        self.stdout.write("It must be changed at the first sign-in, where the authenticator app is set up too.")
