"""Long work as jobs: one registry of handlers, one runner, in-process or on Celery workers.

A handler is a plain function `handler(ctx: JobContext, **params) -> dict`; it reports progress
through `ctx.progress(percent, message)` and returns a JSON-able result. `job_submit` (in
`services.py`) records the job and runs it here, in a thread, or on a Celery worker when
`CELERY_BROKER_URL` is set. Running a job twice is safe: a job that is not queued is left alone.
A job runs with no request, so it runs in the language of the user who started it (the
system's, `LANGUAGE_CODE`, for a job with no user): its messages and results are in it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from gmassist.core.choices import JobStatus
from gmassist.core.models import Job

logger = logging.getLogger(__name__)

JobHandler = Callable[..., dict]
ProgressListener = Callable[[int, str], None]

_HANDLERS: dict[str, JobHandler] = {}

# Progress is written to the database at most this often (seconds), so that a tight loop that
# reports every row does not turn into a write per row.
PROGRESS_WRITE_INTERVAL = 0.5


class JobError(Exception):
    """A job failed for a reason its user should read (bad input, not a crash)."""

    def __init__(self, message: str, result: dict | None = None):
        super().__init__(message)
        self.result = result or {}


def job_handler(kind: str) -> Callable[[JobHandler], JobHandler]:
    """Register `handler` as the code that runs jobs of `kind` (e.g. "org.import")."""

    def register(handler: JobHandler) -> JobHandler:
        if kind in _HANDLERS and _HANDLERS[kind] is not handler:
            raise ValueError(f"job kind {kind!r} is registered twice")
        _HANDLERS[kind] = handler
        return handler

    return register


def registered_job_kinds() -> list[str]:
    return sorted(_HANDLERS)


@dataclass
class JobContext:
    """Given to a handler: the job, and a way to report progress."""

    job: Job
    listener: ProgressListener | None = None
    _last_write: float = field(default=0.0)

    @property
    def actor(self) -> Any:
        """Who the job acts for: the user who started it, or `SYSTEM` for a job the schedule,
        the demo or the CLI started (no user)."""
        from gmassist.core.permissions import SYSTEM

        return self.job.created_by if self.job.created_by_id is not None else SYSTEM

    def progress(self, percent: float, message: str = "") -> None:
        """Report `percent` done (0-100) with a short message; cheap to call often."""
        value = max(0, min(100, int(percent)))
        if self.listener is not None:
            self.listener(value, message)
        now = time.monotonic()
        if now - self._last_write < PROGRESS_WRITE_INTERVAL and value < 100:
            return
        self._last_write = now
        self.job.progress = value
        self.job.message = message[:300]
        # Inside an all-or-nothing transaction this write stays invisible until commit; handlers
        # therefore report most progress before they open their write transaction.
        if not transaction.get_connection().in_atomic_block:
            Job.objects.filter(pk=self.job.pk).update(progress=value, message=self.job.message)


def job_run(job_id: int, *, listener: ProgressListener | None = None) -> Job:
    """Run a queued job to the end, recording success or failure; a non-queued job is skipped.

    It runs in the language of the user who submitted it (LANGUAGE_CODE without one).
    """
    job = Job.objects.select_related("created_by").get(pk=job_id)
    with translation.override(_job_language(job)):
        return _run(job, listener)


def _job_language(job: Job) -> str:
    user = job.created_by
    return (getattr(user, "language", "") if user is not None else "") or settings.LANGUAGE_CODE


def _run(job: Job, listener: ProgressListener | None) -> Job:
    claim = {
        "status": JobStatus.RUNNING,
        "started_at": timezone.now(),
        "message": gettext("Started"),
    }
    claimed = Job.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(**claim)
    if not claimed:
        job.refresh_from_db()
        logger.info("job %s is %s, not queued: skipped", job.pk, job.status)
        return job
    for name, value in claim.items():
        setattr(job, name, value)
    handler = _HANDLERS.get(job.kind)
    ctx = JobContext(job=job, listener=listener)
    try:
        if handler is None:
            raise JobError(gettext("no handler for job kind %(kind)r") % {"kind": job.kind})
        result = handler(ctx, **job.params)
    except JobError as exc:
        _finish(job, JobStatus.FAILED, error=str(exc), result=exc.result)
    except Exception as exc:  # a crash is recorded on the job, and logged with its traceback
        logger.exception("job %s (%s) crashed", job.pk, job.kind)
        _finish(job, JobStatus.FAILED, error=f"{type(exc).__name__}: {exc}", result={})
    else:
        _finish(job, JobStatus.SUCCEEDED, error="", result=result or {})
    return job


def _finish(job: Job, status: str, *, error: str, result: dict[str, Any]) -> None:
    job.status = status
    job.error = error
    job.result = result
    job.finished_at = timezone.now()
    if status == JobStatus.SUCCEEDED:
        job.progress = 100
        job.message = gettext("Done")
    else:
        job.message = gettext("Failed")
    job.save(update_fields=["status", "error", "result", "finished_at", "progress", "message"])
