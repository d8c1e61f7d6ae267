"""`gmassist export ENTITY --format csv|xlsx -o FILE [--user USERNAME]`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from gmassist.core.imports import export_entity, registered_entities
from gmassist.core.management.users import user_by_username


class Command(BaseCommand):
    help = (
        "Export an entity to CSV (UTF-8 with BOM) or XLSX with its canonical columns, "
        "so that the file imports back unchanged."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("entity", help=f"one of: {', '.join(registered_entities())}")
        parser.add_argument("--format", choices=["csv", "xlsx"], help="default: from -o's suffix")
        parser.add_argument("-o", "--output", type=Path, required=True, help="the file to write")
        parser.add_argument("--user", help="export what this user may export (default: all)")

    def handle(self, *args: Any, **options: Any) -> None:
        entity = options["entity"]
        if entity not in registered_entities():
            raise CommandError(f"unknown entity {entity!r}; use {', '.join(registered_entities())}")
        output: Path = options["output"]
        fmt = options["format"] or output.suffix.lstrip(".").lower()
        if fmt not in ("csv", "xlsx"):
            raise CommandError("say --format csv or --format xlsx")
        user = user_by_username(options["user"])
        try:
            count = export_entity(entity=entity, fmt=fmt, out=output, user=user)
        except (OSError, PermissionDenied) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{count:,} rows written to {output}")
