from __future__ import annotations

import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from skinchart.journal.verify import verify_all


class Command(BaseCommand):
    help = "Check the hash chain of every client's journal (or one client's). Exits 1 on the first break."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--client", type=uuid.UUID, help="the client's UUID")

    def handle(self, *args: Any, **options: Any) -> None:
        client = str(options["client"]) if options["client"] else None
        for broken in verify_all(client):
            raise CommandError(
                f"Journal of client {broken.client_code} is broken at entry {broken.entry_code or '-'} "
                f"(number {broken.seq}): {broken.problem}.",
                returncode=1,
            )
        self.stdout.write("Journal intact.")
