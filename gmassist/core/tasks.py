"""Celery tasks: the one task that runs any job on a worker, and the schedule's heartbeat.

A job's task is acknowledged when it ends (acks_late) and handed back to the broker when the
pool process running it dies (reject_on_worker_lost), so a worker killed in the middle of a job
gets it delivered again; that delivery takes the job over once its heartbeat has stopped
(core.jobs.job_run_or_take_over). When the whole worker is lost, the broker keeps its task
unacknowledged until its visibility timeout; meanwhile every worker's recovery thread (started
when the worker is ready) queues the stale job again and sends it anew.
"""

from __future__ import annotations

import logging
import threading

from celery import shared_task
from celery.schedules import crontab
from celery.signals import worker_ready, worker_shutting_down
from django.conf import settings
from django.db import connections

from gmassist.celery_app import app
from gmassist.core.jobs import job_run_or_take_over

logger = logging.getLogger(__name__)

# Celery beat (`gmassist beat`) looks for due recurring jobs this often; the jobs' own slots are
# declared in each app's jobs.py (core.schedule).
SCHEDULE_CHECK = crontab(minute="*/15")


@shared_task(name="gmassist.run_job", acks_late=True, reject_on_worker_lost=True)
def run_job(job_id: int) -> None:
    """Run job `job_id` on this worker; a job that has ended, or that a live worker is running,
    is left alone; a running job whose worker was lost is taken over."""
    job_run_or_take_over(job_id)


@shared_task(name="gmassist.submit_due_jobs")
def submit_due_jobs() -> list[int]:
    """Queue every recurring job that is due now; returns their ids."""
    from gmassist.core.services import recurring_jobs_submit_due

    return [job.pk for job in recurring_jobs_submit_due()]


app.conf.beat_schedule = {
    **(app.conf.beat_schedule or {}),
    "recurring-jobs": {"task": "gmassist.submit_due_jobs", "schedule": SCHEDULE_CHECK},
}


_recovery_stop = threading.Event()


def recover_stale_jobs_forever(stop: threading.Event) -> None:
    """Every half stale period until `stop`: queue again (and send anew) the jobs whose worker
    was lost. Its database connection is closed between passes."""
    from gmassist.core.services import jobs_recover_stale

    while True:
        try:
            jobs_recover_stale()
        except Exception:  # the database or the broker away for a while: try again next pass
            logger.exception("recovering stale jobs failed")
        finally:
            connections.close_all()
        if stop.wait(settings.GMASSIST_JOB_STALE_SECONDS / 2):
            return


@worker_ready.connect
def _start_recovery(**kwargs) -> None:
    _recovery_stop.clear()
    threading.Thread(
        target=recover_stale_jobs_forever,
        args=(_recovery_stop,),
        name="gmassist-job-recovery",
        daemon=True,
    ).start()


@worker_shutting_down.connect
def _stop_recovery(**kwargs) -> None:
    _recovery_stop.set()
