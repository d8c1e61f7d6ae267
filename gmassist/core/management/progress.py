"""Running a job from a command with a progress bar, in-process or on Celery, until it ends."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from gmassist.core.models import Job

# how often a job queued on Celery is read back for its progress (seconds)
POLL_INTERVAL = 0.5


@contextmanager
def progress_bar(console: Console, description: str) -> Iterator[Callable[[int, str], None]]:
    """A 0-100% bar on `console`; yields `update(percent, message)`. Hidden off a terminal."""
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
    )
    with Progress(
        *columns, TimeElapsedColumn(), console=console, disable=not console.is_terminal
    ) as bar:
        task = bar.add_task(description, total=100)

        def update(percent: int, message: str) -> None:
            bar.update(task, completed=percent, description=message or description)

        yield update


def wait_for_job(job: Job, update: Callable[[int, str], None]) -> Job:
    """Read `job` back every POLL_INTERVAL seconds, feeding `update`, until it has finished."""
    while not job.is_finished:
        update(job.progress, job.message)
        time.sleep(POLL_INTERVAL)
        job.refresh_from_db()
    update(job.progress, job.message)
    return job


def run_job_with_progress(
    *,
    kind: str,
    params: dict[str, Any],
    by: Any,
    console: Console,
    description: str,
) -> Job:
    """Submit a job and wait for it to finish, drawing a progress bar (0-100%) as it goes.

    In-process the job reports to the bar directly; when it is queued on Celery
    (CELERY_BROKER_URL set) its Job row is read every POLL_INTERVAL seconds instead.
    Returns the finished Job (succeeded or failed).
    """
    from gmassist.core.services import job_submit

    with progress_bar(console, description) as update:
        job = job_submit(kind=kind, params=params, by=by, wait=True, listener=update)
        return wait_for_job(job, update)
