"""`gmassist office tasks [list|remind]`: the delegated tasks, and their reminders and escalation.

`gmassist office tasks [--user U] [--overdue] [--json]` lists the tasks (without --user every
task, as the system sees them; with it what that user may see, as the pages do);
`gmassist office tasks remind` runs the reminders and escalation now (as the daily job does;
running it twice does nothing the second time).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandError
from django.utils import timezone
from rich.table import Table as RichTable

from gmassist.core.choices import JobStatus
from gmassist.core.management.output import command_console
from gmassist.core.management.progress import run_job_with_progress
from gmassist.core.management.users import user_by_username
from gmassist.core.permissions import SYSTEM
from gmassist.office.tasks import selectors
from gmassist.office.tasks.choices import TaskStatus


def add_tasks_arguments(parser) -> None:
    parser.add_argument(
        "what",
        nargs="?",
        choices=("list", "remind"),
        default="list",
        help="list the tasks (default), or remind: run the reminders and escalation now",
    )
    parser.add_argument("--user", help="show what this user may see (default: everything)")
    parser.add_argument(
        "--overdue", action="store_true", help="only open tasks past their due date"
    )
    parser.add_argument("--status", choices=TaskStatus.values, help="only tasks in this status")
    parser.add_argument("--json", dest="as_json", action="store_true", help="print JSON")


def run_tasks(command, *, what: str = "list", **options: Any) -> None:
    if what == "remind":
        _remind(command)
    else:
        _list(command, **options)


def _row(task, today) -> dict[str, Any]:
    return {
        "id": task.pk,
        "title": task.title,
        "owner": str(task.owner),
        "delegated_by": None if task.delegated_by is None else str(task.delegated_by),
        "due_on": None if task.due_on is None else task.due_on.isoformat(),
        "priority": task.priority,
        "status": task.status,
        "days_late": task.days_late(today),
        "escalation": task.escalation,
        "about": task.about,
    }


def _list(
    command, *, user: str | None, overdue: bool, status: str | None, as_json: bool, **_options
) -> None:
    reader = user_by_username(user)
    today = timezone.localdate()
    tasks = selectors.task_list(
        user=reader, today=today, overdue=overdue, status=status or "", sort="due"
    )
    rows = [_row(task, today) for task in tasks]
    if as_json:
        command.stdout.write(json.dumps(rows, ensure_ascii=False))
        return
    console = command_console(command.stdout)
    table = RichTable(title=f"{len(rows)} task(s)")
    for column in ("id", "title", "owner", "due", "priority", "status", "late", "escalation"):
        table.add_column(column, justify="right" if column in ("id", "late") else "left")
    for row in rows:
        table.add_row(
            str(row["id"]),
            row["title"],
            row["owner"],
            row["due_on"] or "—",
            row["priority"],
            row["status"],
            str(row["days_late"]) if row["days_late"] else "",
            row["escalation"] if row["escalation"] != "none" else "",
        )
    console.print(table)


def _remind(command) -> None:
    console = command_console(command.stdout)
    job = run_job_with_progress(
        kind="office.tasks_follow_up",
        params={},
        by=SYSTEM,
        console=console,
        description="Task reminders and escalation",
    )
    if job.status != JobStatus.SUCCEEDED:
        raise CommandError(job.error or job.message)
    result = job.result
    command.stdout.write(
        f"Sent {result['reminders']} reminder(s) and {result['due_notices']} due-date notice(s); "
        f"escalated {result['to_heads']} task(s) to a head and {result['to_gm']} to the GM's desk."
    )


ACTIONS = {"tasks": (add_tasks_arguments, run_tasks)}
