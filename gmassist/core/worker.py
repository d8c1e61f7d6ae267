"""The embedded job worker: a process that polls the jobs table and runs queued jobs, one at a
time, when no broker is configured. `gmassist serve` starts one beside the web server and starts
it again if it dies; more can run anywhere the database is reachable (they never take the same
job). It also recovers the jobs whose worker was lost (core.jobs.recover_stale_jobs) and, with
`schedule` (the one `gmassist serve` starts), queues the recurring jobs when they are due, so
the embedded default needs no cron (core.schedule).
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connections

from gmassist.core.jobs import WorkerStopping, job_run_next, worker_name
from gmassist.core.models import Job

logger = logging.getLogger(__name__)

# how often a worker with `schedule` looks for due recurring jobs: slots are on the hour, so a
# minute late is on time, and the look is one small query per kind
SCHEDULE_LOOK_SECONDS = 60


class Worker:
    """Runs queued jobs until stopped. SIGTERM or SIGINT stops it: at once when idle; in the
    middle of a job, the job's transaction is rolled back and the job is queued again."""

    def __init__(self, *, say: Callable[[str], None] = logger.info, schedule: bool = False):
        self.say = say
        self.schedule = schedule
        self.stopping = threading.Event()
        self._in_job = False

    def _on_signal(self, signum, frame) -> None:
        self.say(f"job worker {worker_name()}: {signal.Signals(signum).name}, stopping")
        self.stopping.set()
        if self._in_job:
            raise WorkerStopping(signal.Signals(signum).name)

    def run(self, *, burst: bool = False) -> int:
        """Poll for jobs every GMASSIST_JOB_POLL_SECONDS until stopped (or, with `burst`, until
        no job is queued); returns how many jobs it ran."""
        from gmassist.core.services import jobs_recover_stale, recurring_jobs_submit_due

        previous = {
            signum: signal.signal(signum, self._on_signal)
            for signum in (signal.SIGTERM, signal.SIGINT)
        }
        self.say(f"job worker {worker_name()} started; polling every {_poll()} s")
        ran = 0
        next_recovery = next_schedule = 0.0
        try:
            while not self.stopping.is_set():
                # as Django does around a request: drop a connection past its age or broken
                close_old_connections()
                try:
                    if time.monotonic() >= next_recovery:
                        for job in jobs_recover_stale():
                            self.say(f"job #{job.pk} {job.kind} lost its worker: {job.status}")
                        next_recovery = time.monotonic() + settings.GMASSIST_JOB_STALE_SECONDS / 2
                    if self.schedule and time.monotonic() >= next_schedule:
                        for due in recurring_jobs_submit_due():
                            self.say(f"job #{due.pk} {due.kind}: due, queued")
                        next_schedule = time.monotonic() + SCHEDULE_LOOK_SECONDS
                    job = self._run_next()
                except DatabaseError as exc:  # e.g. SQLite busy for longer than its timeout
                    logger.warning("job worker: %s; trying again", exc)
                    connections.close_all()
                    job = None
                if job is not None:
                    ran += 1
                    self.say(f"job #{job.pk} {job.kind}: {job.status} {job.error}".rstrip())
                    continue
                if burst:
                    break
                self.stopping.wait(_poll())
        except WorkerStopping:
            self.say("job worker stopped in the middle of a job; it is queued again")
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            connections.close_all()
        return ran

    def _run_next(self) -> Job | None:
        self._in_job = True
        try:
            return job_run_next()
        finally:
            self._in_job = False


def _poll() -> int:
    return settings.GMASSIST_JOB_POLL_SECONDS
