"""`gmassist import ENTITY FILE [--mapping MAP.toml] [--dry-run] [--user USERNAME]`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.markup import escape
from rich.table import Table

from gmassist.core.choices import JobStatus
from gmassist.core.imports import registered_entities
from gmassist.core.management.output import command_console
from gmassist.core.management.progress import run_job_with_progress
from gmassist.core.management.users import user_by_username


class Command(BaseCommand):
    help = (
        "Import a CSV or XLSX file of an entity, all or nothing; with --dry-run, only say what "
        "would change. Without --mapping the columns must be the canonical ones (as exported)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("entity", help=f"one of: {', '.join(registered_entities())}")
        parser.add_argument("file", type=Path, help="the CSV or XLSX file")
        parser.add_argument("--mapping", type=Path, help="a TOML column mapping")
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
        parser.add_argument("--user", help="import as this user (default: the system)")

    def handle(self, *args: Any, **options: Any) -> None:
        console = command_console(self.stdout)
        entity = options["entity"]
        if entity not in registered_entities():
            raise CommandError(f"unknown entity {entity!r}; use {', '.join(registered_entities())}")
        path: Path = options["file"].resolve()
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        mapping_text = None
        if options["mapping"]:
            try:
                mapping_text = options["mapping"].read_text(encoding="utf-8-sig")
            except OSError as exc:
                raise CommandError(f"cannot read the mapping: {exc}") from exc
        user = user_by_username(options["user"])
        job = run_job_with_progress(
            kind="core.import",
            params={
                "entity": entity,
                "path": str(path),
                "mapping": mapping_text,
                "dry_run": options["dry_run"],
            },
            by=user,
            console=console,
            description=f"Importing {path.name}",
        )
        result = job.result or {}
        if result.get("counts"):
            console.print(_counts_table(result))
        if result.get("warnings"):
            console.print(_problems_table("Warnings", result["warnings"]))
        for note in result.get("proposals") or []:
            console.print(note["message"])
        if result.get("errors"):
            console.print(_problems_table("Errors", result["errors"]))
        if job.status != JobStatus.SUCCEEDED:
            raise CommandError(f"import failed, nothing was written: {job.error}")
        done = "checked (dry run, nothing written)" if options["dry_run"] else "imported"
        console.print(f"{result.get('rows', 0):,} rows {done}.")


def _counts_table(result: dict[str, Any]) -> Table:
    title = "Would change (dry run)" if result.get("dry_run") else "Changes"
    table = Table(title=title)
    for column in ("", "created", "updated", "unchanged"):
        table.add_column(column, justify="left" if not column else "right")
    for name, counts in result["counts"].items():
        table.add_row(
            name.replace("_", " "),
            *(f"{counts.get(k, 0):,}" for k in ("created", "updated", "unchanged")),
        )
    return table


def _problems_table(title: str, problems: list[dict[str, Any]]) -> Table:
    table = Table(title=f"{title} ({len(problems):,})")
    for column in ("row", "column", "value", "reason"):
        table.add_column(column, justify="right" if column == "row" else "left")
    for problem in problems:
        row = problem.get("row")
        table.add_row(
            "file" if row is None else str(row),
            escape(problem.get("column", "")),
            escape(problem.get("value", "")),
            escape(problem.get("reason", "")),
        )
    return table
