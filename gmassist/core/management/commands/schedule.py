"""`gmassist schedule [--run-due]`: the recurring jobs, when they last ran and when they are due."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from rich.table import Table

from gmassist.core.choices import JobStatus
from gmassist.core.management.output import command_console
from gmassist.core.management.progress import run_job_with_progress
from gmassist.core.models import Job
from gmassist.core.permissions import SYSTEM
from gmassist.core.selectors import recurring_job_states
from gmassist.core.services import recurring_jobs_submit_due


class Command(BaseCommand):
    help = (
        "List the recurring jobs (re-tiering, churn and leaving-risk scores, reminders, surveys) "
        "with their last run and next slot; with --run-due, run the ones that are due now "
        "(for cron on a machine without Celery, e.g. every 15 minutes)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--run-due", action="store_true", help="run every job that is due, one after another"
        )
        parser.add_argument("--json", action="store_true", help="print JSON instead of a table")

    def handle(self, *args, run_due: bool, json: bool, **options) -> None:
        console = command_console(self.stdout)
        if run_due:
            self._run_due(console, as_json=json)
            return
        states = recurring_job_states()
        if json:
            self.stdout.write(_dumps([_state_json(state) for state in states]))
            return
        table = Table("job", "when (cron)", "what", "last run", "status", "next", "due")
        for state in states:
            last = state.last_job
            table.add_row(
                state.job.kind,
                state.job.cron(),
                state.job.summary,
                _when(last.created_at) if last else "never",
                last.status if last else "",
                _when(state.next_slot),
                "yes" if state.due else "",
            )
        console.print(table)

    def _run_due(self, console, *, as_json: bool) -> None:
        def run(kind: str) -> Job:
            return run_job_with_progress(
                kind=kind, params={}, by=SYSTEM, console=console, description=kind
            )

        jobs = recurring_jobs_submit_due(submit=run)
        if as_json:
            self.stdout.write(
                _dumps([{"id": j.pk, "kind": j.kind, "status": j.status} for j in jobs])
            )
        elif not jobs:
            console.print("Nothing is due.")
        else:
            for job in jobs:
                console.print(f"#{job.pk} {job.kind}: {job.status} {job.message}")
        failed = [job for job in jobs if job.status == JobStatus.FAILED]
        if failed:
            raise CommandError(
                "; ".join(f"job #{job.pk} {job.kind} failed: {job.error}" for job in failed)
            )


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _state_json(state) -> dict:
    last = state.last_job
    return {
        "kind": state.job.kind,
        "cron": state.job.cron(),
        "summary": state.job.summary,
        "last_job": None if last is None else {"id": last.pk, "status": last.status},
        "last_run": None if last is None else last.created_at.isoformat(),
        "next": state.next_slot.isoformat(),
        "due": state.due,
    }


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
