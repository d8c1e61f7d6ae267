"""`gmassist jobs`: recent jobs, one job's detail, or watch a job to the end."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from gmassist.core.management.output import command_console
from gmassist.core.management.progress import progress_bar, wait_for_job
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
            with progress_bar(console, job.kind) as update:
                job = wait_for_job(job, update)
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
            ("tries", str(job.attempts)),
            ("worker", job.worker),
            ("last heartbeat", str(job.heartbeat_at or "")),
            ("error", job.error),
            ("result", json.dumps(job.result, ensure_ascii=False, indent=1)[:4000]),
        ]:
            table.add_row(label, value)
        console.print(table)
