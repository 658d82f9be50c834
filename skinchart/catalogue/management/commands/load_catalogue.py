"""manage.py load_catalogue [PATH]: treatment definitions and client guides from TOML
files into draft versions (a doctor approves them in Skinchart)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from skinchart.catalogue.actions import DocumentError, import_catalogue
from skinchart.catalogue.definition import json_schema
from skinchart.catalogue.loader import CatalogueError, read_catalogue


class Command(BaseCommand):
    help = "Load treatment definitions and client guides (TOML) as draft versions; unchanged files change nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", help="a .toml file or a directory (default: CATALOGUE_DIR)")
        parser.add_argument("--schema", action="store_true", help="print the definition JSON Schema and stop")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["schema"]:
            self.stdout.write(json.dumps(json_schema(), indent=2, ensure_ascii=False))
            return
        root = Path(options["path"] or settings.CATALOGUE_DIR)
        try:
            documents = read_catalogue(root)
            result = import_catalogue(
                actor=None, documents=documents, source_root=str(root if root.is_dir() else root.parent)
            )
        except (CatalogueError, DocumentError) as exc:
            raise CommandError(f"Nothing was loaded. {exc}") from exc
        for line in result.created:
            self.stdout.write(f"new draft: {line}")
        for line in result.updated:
            self.stdout.write(f"draft updated: {line}")
        for line in result.unchanged:
            self.stdout.write(f"unchanged: {line}")
        if result.changed:
            self.stdout.write("A doctor must approve each draft in Skinchart before it is used.")
