"""Long work as jobs: one registry of handlers, one runner, and jobs that outlive their worker.

A handler is a plain function `handler(ctx: JobContext, **params) -> dict`; it reports progress
through `ctx.progress(percent, message)` and returns a JSON-able result. `job_submit` (in
`services.py`) records the job as queued; a worker then claims and runs it here: the embedded
worker process (`gmassist worker` without a broker, started by `gmassist serve`), a Celery
worker when `CELERY_BROKER_URL` is set, or the submitting process itself (the CLI waiting for
its job, and GMASSIST_JOBS_EAGER for tests). They all run it through `_execute`.

A job survives the loss of its worker (kill -9, a machine gone): while it runs, a heartbeat
thread records that it is alive every GMASSIST_JOB_HEARTBEAT_SECONDS. A running job that has
not beaten for GMASSIST_JOB_STALE_SECONDS is queued again, or failed with its reason once it has
had GMASSIST_JOB_MAX_TRIES tries (`recover_stale_jobs`). Running a job again is safe: an import
writes all or nothing, so a killed one wrote nothing. A worker holds its job by the job's try
number: one whose job was taken over cannot write over the new run (its writes are fenced).

A job runs with no request, so it runs in the language of the user who started it (the
system's, `LANGUAGE_CODE`, for a job with no user): its messages and results are in it.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

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


class JobLost(Exception):
    """This worker no longer holds its job: it was taken over (its heartbeat had stopped for
    too long) or failed meanwhile. The handler stops; its transaction is rolled back."""


class WorkerStopping(BaseException):
    """Raised in a worker's main thread when it is asked to stop (SIGTERM, Ctrl+C) in the middle
    of a job: the job's transaction is rolled back and the job goes back to the queue."""


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


def worker_name() -> str:
    """This process as the jobs table names it: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


@dataclass
class JobContext:
    """Given to a handler: the job, and a way to report progress."""

    job: Job
    listener: ProgressListener | None = None
    _last_write: float = field(default=0.0)
    # set by the heartbeat when another worker has taken the job over
    lost: threading.Event = field(default_factory=threading.Event)

    @property
    def actor(self) -> Any:
        """Who the job acts for: the user who started it, or `SYSTEM` for a job the schedule,
        the demo or the CLI started (no user)."""
        from gmassist.core.permissions import SYSTEM

        return self.job.created_by if self.job.created_by_id is not None else SYSTEM

    def progress(self, percent: float, message: str = "") -> None:
        """Report `percent` done (0-100) with a short message; cheap to call often.

        Raises JobLost when the job has been taken from this worker, so that the handler stops.
        """
        if self.lost.is_set():
            raise JobLost(self.job.pk)
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
        # therefore report most progress before they open their write transaction, and the
        # heartbeat thread keeps the job alive meanwhile.
        if not transaction.get_connection().in_atomic_block:
            written = _held(self.job).update(
                progress=value, message=self.job.message, heartbeat_at=timezone.now()
            )
            if not written and _taken_from(self.job):
                self.lost.set()
                raise JobLost(self.job.pk)


# --- running ---------------------------------------------------------------------------------


def job_run(job_id: int, *, listener: ProgressListener | None = None) -> Job:
    """Claim job `job_id` if it is queued and run it to its end, recording success or failure;
    a job that is running elsewhere or has ended is left alone. Returns the job as it is then.
    It runs in the language of the user who submitted it (LANGUAGE_CODE without one).
    """
    job = _claim(job_id)
    if job is None:
        job = Job.objects.select_related("created_by").get(pk=job_id)
        logger.info("job %s is %s, not queued: skipped", job.pk, job.status)
        return job
    return _execute(job, listener)


def job_run_next() -> Job | None:
    """Claim the oldest queued job and run it to its end (the embedded worker); None when no job
    is queued. Workers side by side never claim the same job."""
    job = _claim(None)
    return None if job is None else _execute(job, None)


def job_run_or_take_over(job_id: int) -> Job:
    """Run job `job_id` for a task that may be a delivery again (Celery): a queued job is run;
    a running one is watched for up to one stale period. If its heartbeat has stopped, its
    worker was lost (killed while running this very task, say): the job is taken over (queued
    again and run here) or failed after its tries. If it beats, a live worker has it and it is
    left alone."""
    job = Job.objects.get(pk=job_id)
    if job.status == JobStatus.RUNNING and _wait_until_stale(job):
        recovered = _recover(job, now=timezone.now())
        if recovered is not None and recovered.status != JobStatus.QUEUED:
            return recovered
    return job_run(job_id)


def _claim(job_id: int | None) -> Job | None:
    """Mark a queued job (`job_id`, or the oldest one) running for this worker, one try more.

    On PostgreSQL the oldest queued job is taken with SELECT ... FOR UPDATE SKIP LOCKED, so that
    workers polling together each take a different one at once. On SQLite a conditional UPDATE
    (status still queued) makes the claim atomic; the candidate is read first without a write
    lock, so that an idle worker's polling never takes the database's one write lock.
    """
    queued = Job.objects.filter(status=JobStatus.QUEUED).select_related("created_by")
    if job_id is not None:
        queued = queued.filter(pk=job_id)
    queued = queued.order_by("created_at", "id")
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            job = queued.select_for_update(skip_locked=True, of=("self",)).first()
            claim = None if job is None else _take(job)
    else:
        job = queued.first()
        claim = None if job is None else _take(job)
    if job is None or claim is None:
        return None
    for name, value in claim.items():
        setattr(job, name, value)
    return job


def _take(job: Job) -> dict[str, Any] | None:
    """Write the claim of a queued job; the changes, or None if another worker was first."""
    now = timezone.now()
    with translation.override(_job_language(job)):
        claim = {
            "status": JobStatus.RUNNING,
            "attempts": job.attempts + 1,
            "started_at": now,
            "heartbeat_at": now,
            "worker": worker_name(),
            "message": gettext("Started"),
        }
    if not Job.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(**claim):
        return None
    return claim


def _job_language(job: Job) -> str:
    user = job.created_by
    return (getattr(user, "language", "") if user is not None else "") or settings.LANGUAGE_CODE


def _execute(job: Job, listener: ProgressListener | None) -> Job:
    """Run a job this worker has claimed, with its heartbeat, and record how it ended."""
    with translation.override(_job_language(job)):
        handler = _HANDLERS.get(job.kind)
        ctx = JobContext(job=job, listener=listener)
        heartbeat = _Heartbeat(ctx)
        heartbeat.start()
        try:
            if handler is None:
                raise JobError(gettext("no handler for job kind %(kind)r") % {"kind": job.kind})
            result = handler(ctx, **job.params)
        except JobLost:
            logger.warning("job %s was taken from this worker (%s): stopped", job.pk, job.worker)
            job.refresh_from_db()
        except JobError as exc:
            _finish(job, JobStatus.FAILED, error=str(exc), result=exc.result)
        except WorkerStopping:
            _give_back(job)
            raise
        except Exception as exc:  # a crash is recorded on the job, and logged with its traceback
            logger.exception("job %s (%s) crashed", job.pk, job.kind)
            _finish(job, JobStatus.FAILED, error=f"{type(exc).__name__}: {exc}", result={})
        except BaseException:
            # Ctrl+C in the CLI that waits for its job: the person stopped it, it is not retried
            _finish(job, JobStatus.FAILED, error=gettext("Interrupted"), result={})
            raise
        else:
            _finish(job, JobStatus.SUCCEEDED, error="", result=result or {})
        finally:
            heartbeat.stop()
    return job


def _held(job: Job):
    """The job's row while this worker still holds it (running, at this worker's try)."""
    return Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, attempts=job.attempts)


def _taken_from(job: Job) -> bool:
    """True when the job's row shows that another try (or recovery) has replaced this one. A row
    this connection cannot see (created in a transaction not yet committed) is not taken."""
    row = Job.objects.filter(pk=job.pk).values("status", "attempts").first()
    return row is not None and (row["status"], row["attempts"]) != (JobStatus.RUNNING, job.attempts)


def _finish(job: Job, status: str, *, error: str, result: dict[str, Any]) -> None:
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    job.status = status
    # A job's result and error are bounded (settings.JOB_RESULT_MAX_BYTES), so that no job can
    # store what a page or `GET /api/jobs` would then have to send: a result over the bound is
    # replaced by a note of its size (handlers keep theirs small, e.g. an import's report).
    job.error = error[:5000]
    size = len(json.dumps(result, cls=DjangoJSONEncoder, ensure_ascii=False).encode())
    if size > settings.JOB_RESULT_MAX_BYTES:
        logger.warning("job %s: result of %s bytes not kept", job.pk, size)
        result = {"truncated": True, "bytes": size}
    job.result = result
    job.finished_at = timezone.now()
    if status == JobStatus.SUCCEEDED:
        job.progress = 100
        job.message = gettext("Done")
    else:
        job.message = gettext("Failed")
    fields = ["status", "error", "result", "finished_at", "progress", "message"]
    if not _held(job).update(**{name: getattr(job, name) for name in fields}):
        logger.warning("job %s was taken from this worker: its end (%s) is lost", job.pk, status)
        job.refresh_from_db()
    _forget_beats(job.pk)


def _give_back(job: Job) -> None:
    """Put a job this worker was asked to stop in the middle of back in the queue; the try it
    lost does not count."""
    try:
        _held(job).update(
            status=JobStatus.QUEUED,
            attempts=max(0, job.attempts - 1),
            heartbeat_at=None,
            worker="",
            message=gettext("Queued again: its worker was stopped"),
        )
    except Exception:  # the connection may be broken by the interruption; the heartbeat is not
        logger.exception("job %s could not be given back; it is recovered once stale", job.pk)


# --- the heartbeat ---------------------------------------------------------------------------
#
# On PostgreSQL the heartbeat is the job row's heartbeat_at, written by the heartbeat thread on
# its own connection. SQLite has one writer at a time, and an import holds the write lock for
# its whole all-or-nothing write: there the thread touches a file beside the database instead
# (SQLite's database is on this machine, so every process that uses it sees the file), and
# heartbeat_at is written with each progress report outside a transaction. A job's last beat is
# the later of the two.


def _beats_in_files() -> bool:
    return connection.vendor == "sqlite"


def job_beat_file(job_id: int) -> Path:
    """Where a job beats on SQLite: a file beside the database, touched by its heartbeat."""
    database = Path(str(connection.settings_dict["NAME"]))
    return database.with_name(database.name + "-heartbeats") / str(job_id)


def _forget_beats(job_id: int) -> None:
    if _beats_in_files():
        job_beat_file(job_id).unlink(missing_ok=True)


def _last_beat(job: Job) -> dt.datetime | None:
    """When `job` (as read) last showed that it is alive; None if it never did."""
    beats = [job.heartbeat_at] if job.heartbeat_at else []
    if _beats_in_files():
        try:
            mtime = job_beat_file(job.pk).stat().st_mtime
        except FileNotFoundError:
            pass
        else:
            beats.append(dt.datetime.fromtimestamp(mtime, tz=dt.UTC))
    return max(beats, default=None)


def _beat(job: Job) -> bool:
    """Record that `job` is alive; False when it is no longer this worker's."""
    if _beats_in_files():
        path = job_beat_file(job.pk)
        path.parent.mkdir(exist_ok=True)
        path.touch()
        return not _taken_from(job)
    return bool(_held(job).update(heartbeat_at=timezone.now())) or not _taken_from(job)


class _Heartbeat(threading.Thread):
    """Beats for one running job until stopped, on its own database connection."""

    def __init__(self, ctx: JobContext):
        super().__init__(name=f"job-{ctx.job.pk}-heartbeat", daemon=True)
        self.ctx = ctx
        self._stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self._stopped.wait(settings.GMASSIST_JOB_HEARTBEAT_SECONDS):
                try:
                    if not _beat(self.ctx.job):
                        self.ctx.lost.set()
                        return
                except Exception:  # a database hiccup: the next beat tries again
                    logger.exception("job %s: heartbeat failed", self.ctx.job.pk)
        finally:
            connections.close_all()  # this thread's own connections

    def stop(self) -> None:
        self._stopped.set()
        self.join(timeout=settings.GMASSIST_JOB_HEARTBEAT_SECONDS + 5)


# --- recovery --------------------------------------------------------------------------------


def _stale_since(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(seconds=settings.GMASSIST_JOB_STALE_SECONDS)


def job_is_stale(job: Job, *, now: dt.datetime | None = None) -> bool:
    """True when `job` is running but has not beaten for GMASSIST_JOB_STALE_SECONDS."""
    if job.status != JobStatus.RUNNING:
        return False
    last = _last_beat(job)
    return last is None or last < _stale_since(now or timezone.now())


def recover_stale_jobs(*, now: dt.datetime | None = None) -> list[Job]:
    """Queue again every running job whose heartbeat stopped (its worker was lost), or fail it
    with its reason when it has had GMASSIST_JOB_MAX_TRIES tries. Returns those jobs as they
    are now (queued or failed). Safe to call from many workers at once: each job is recovered
    by one of them."""
    now = now or timezone.now()
    quiet = Job.objects.filter(status=JobStatus.RUNNING).filter(
        Q(heartbeat_at__lt=_stale_since(now)) | Q(heartbeat_at__isnull=True)
    )
    recovered = []
    for job in quiet.select_related("created_by").order_by("created_at", "id"):
        if job_is_stale(job, now=now):
            job = _recover(job, now=now)
            if job is not None:
                recovered.append(job)
    return recovered


# at most this many queued jobs are sent again per pass, oldest first
RESEND_BATCH = 1000


def queued_jobs_to_resend(*, now: dt.datetime | None = None) -> list[int]:
    """The ids of the queued jobs whose broker message may be lost (a broker restarted without
    its data, or away when the job was submitted): queued for GMASSIST_JOB_RESEND_SECONDS with
    no worker taking them. Each is marked as sent now, so that it is sent again once per such
    period and by one worker only; a job delivered twice runs once (the second delivery finds
    it taken or done)."""
    now = now or timezone.now()
    since = now - dt.timedelta(seconds=settings.GMASSIST_JOB_RESEND_SECONDS)
    waiting = Job.objects.filter(status=JobStatus.QUEUED, updated_at__lt=since)
    resend = []
    for pk, updated_at in waiting.order_by("updated_at", "id").values_list("pk", "updated_at")[
        :RESEND_BATCH
    ]:
        # the row as it was read: still queued, not marked by another worker meanwhile
        marked = Job.objects.filter(pk=pk, status=JobStatus.QUEUED, updated_at=updated_at)
        if marked.update(updated_at=now):
            resend.append(pk)
    if resend:
        logger.warning(
            "%d queued job(s) waited %s s or more without a worker: sent again (%s)",
            len(resend),
            settings.GMASSIST_JOB_RESEND_SECONDS,
            ", ".join(map(str, resend[:20])),
        )
    return resend


def _recover(job: Job, *, now: dt.datetime) -> Job | None:
    """Queue a stale job again, or fail it after its tries; None if another worker changed it
    first (it beat, ended, or was recovered by someone else)."""
    tries = settings.GMASSIST_JOB_MAX_TRIES
    with translation.override(_job_language(job)):
        if job.attempts < tries:
            changes = {
                "status": JobStatus.QUEUED,
                "heartbeat_at": None,
                "worker": "",
                "message": gettext("Queued again: its worker stopped"),
                "updated_at": now,  # queued since now (queued_jobs_to_resend)
            }
        else:
            error = ngettext(
                "Its worker stopped while it ran (no heartbeat for %(seconds)d seconds), in its"
                " only try; it is not tried again.",
                "Its worker stopped while it ran (no heartbeat for %(seconds)d seconds), in each"
                " of its %(tries)d tries; it is not tried again.",
                job.attempts,
            ) % {"seconds": settings.GMASSIST_JOB_STALE_SECONDS, "tries": job.attempts}
            changes = {
                "status": JobStatus.FAILED,
                "error": error,
                "message": gettext("Failed"),
                "finished_at": now,
                "heartbeat_at": None,
            }
    # the row as it was read: still running, at the same try, with the same beat
    if not _held(job).filter(heartbeat_at=job.heartbeat_at).update(**changes):
        return None
    logger.warning(
        "job %s (%s) lost its worker (%s) at try %s: %s",
        job.pk,
        job.kind,
        job.worker,
        job.attempts,
        changes["status"],
    )
    _forget_beats(job.pk)
    for name, value in changes.items():
        setattr(job, name, value)
    return job


def _wait_until_stale(job: Job) -> bool:
    """Watch a running job for up to one stale period: True as soon as it is stale, False when
    it beats again or ends (a live worker has it)."""
    first = _last_beat(job)
    period = settings.GMASSIST_JOB_STALE_SECONDS + settings.GMASSIST_JOB_HEARTBEAT_SECONDS
    deadline = time.monotonic() + period
    while True:
        if job_is_stale(job):
            return True
        if job.status != JobStatus.RUNNING or _last_beat(job) != first:
            return False
        if time.monotonic() > deadline:
            return False
        time.sleep(min(1.0, settings.GMASSIST_JOB_HEARTBEAT_SECONDS / 2))
        job.refresh_from_db()
