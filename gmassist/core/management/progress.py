"""Running a job from a command with a progress bar, in-process or on Celery, until it ends."""

from __future__ import annotations

import time
from typing import Any, TextIO

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from gmassist.core.models import Job, User

# how often a job queued on Celery is read back for its progress (seconds)
POLL_INTERVAL = 0.5


def console_for(stdout: TextIO) -> Console:
    """A rich console on a command's stdout; wide when it is not a terminal (pipes, tests)."""
    is_tty = hasattr(stdout, "isatty") and stdout.isatty()
    return Console(file=stdout, soft_wrap=True, width=None if is_tty else 200)


def run_job_with_progress(
    *,
    kind: str,
    params: dict[str, Any],
    by: User | None,
    console: Console,
    description: str,
) -> Job:
    """Submit a job and wait for it to finish, drawing a progress bar (0-100%) as it goes.

    In-process the job reports to the bar directly; when it is queued on Celery
    (CELERY_BROKER_URL set) its Job row is read every POLL_INTERVAL seconds instead.
    Returns the finished Job (succeeded or failed).
    """
    from gmassist.core.services import job_submit

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, disable=not console.is_terminal) as bar:
        task = bar.add_task(description, total=100)

        def listener(percent: int, message: str) -> None:
            bar.update(task, completed=percent, description=message or description)

        job = job_submit(kind=kind, params=params, by=by, wait=True, listener=listener)
        while not job.is_finished:
            time.sleep(POLL_INTERVAL)
            job.refresh_from_db()
            listener(job.progress, job.message)
        listener(job.progress, job.message)
    return job
