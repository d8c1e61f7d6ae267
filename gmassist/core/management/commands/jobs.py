"""`gmassist jobs`: recent jobs, one job's detail, or watch a job to the end."""

from __future__ import annotations

import json
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from gmassist.core.management.output import command_console
from gmassist.core.models import Job


class Command(BaseCommand):
    help = "List recent jobs; with an id, show one job; with --watch, follow it to the end."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("job_id", nargs="?", type=int)
        parser.add_argument("--limit", type=int, default=20)
        parser.add_argument("--watch", action="store_true", help="follow the job's progress")

    def handle(self, *args, job_id: int | None, limit: int, watch: bool, **options) -> None:
        console = command_console(self.stdout)
        if job_id is None:
            self._list(console, limit)
            return
        job = Job.objects.filter(pk=job_id).select_related("created_by").first()
        if job is None:
            raise CommandError(f"no job #{job_id}")
        if watch:
            job = self._watch(console, job)
        self._detail(console, job)
        if job.status == "failed":
            raise CommandError(f"job #{job.pk} failed: {job.error}")

    def _list(self, console: Console, limit: int) -> None:
        table = Table("id", "kind", "status", "progress", "message", "started by", "created")
        for job in Job.objects.select_related("created_by")[:limit]:
            table.add_row(
                str(job.pk),
                job.kind,
                job.status,
                f"{job.progress}%",
                job.message,
                str(job.created_by or "system"),
                f"{job.created_at:%Y-%m-%d %H:%M:%S}",
            )
        console.print(table if table.row_count else "No jobs yet.")

    def _detail(self, console: Console, job: Job) -> None:
        table = Table(show_header=False)
        for label, value in [
            ("job", f"#{job.pk} {job.kind}"),
            ("status", job.status),
            ("progress", f"{job.progress}% {job.message}"),
            ("parameters", json.dumps(job.params, ensure_ascii=False)),
            ("started by", str(job.created_by or "system")),
            ("started", str(job.started_at or "")),
            ("finished", str(job.finished_at or "")),
            ("error", job.error),
            ("result", json.dumps(job.result, ensure_ascii=False, indent=1)[:4000]),
        ]:
            table.add_row(label, value)
        console.print(table)

    def _watch(self, console: Console, job: Job) -> Job:
        columns = [
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
        ]
        with Progress(*columns, TimeElapsedColumn(), console=console) as bar:
            task = bar.add_task(job.kind, total=100)
            while not job.is_finished:
                bar.update(task, completed=job.progress, description=job.message or job.kind)
                time.sleep(0.5)
                job.refresh_from_db()
            bar.update(task, completed=job.progress, description=job.message)
        return job
