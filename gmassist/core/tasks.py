"""Celery tasks: the one task that runs any job on a worker, and the schedule's heartbeat."""

from celery import shared_task
from celery.schedules import crontab

from gmassist.celery_app import app
from gmassist.core.jobs import job_run

# Celery beat (`gmassist beat`) looks for due recurring jobs this often; the jobs' own slots are
# declared in each app's jobs.py (core.schedule).
SCHEDULE_CHECK = crontab(minute="*/15")


@shared_task(name="gmassist.run_job", acks_late=True)
def run_job(job_id: int) -> None:
    """Run job `job_id` on this worker; a job already started or finished is left alone."""
    job_run(job_id)


@shared_task(name="gmassist.submit_due_jobs")
def submit_due_jobs() -> list[int]:
    """Queue every recurring job that is due now; returns their ids."""
    from gmassist.core.services import recurring_jobs_submit_due

    return [job.pk for job in recurring_jobs_submit_due()]


app.conf.beat_schedule = {
    **(app.conf.beat_schedule or {}),
    "recurring-jobs": {"task": "gmassist.submit_due_jobs", "schedule": SCHEDULE_CHECK},
}
