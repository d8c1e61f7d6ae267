"""Celery tasks: the one task that runs any job on a worker."""

from celery import shared_task

from gmassist.core.jobs import job_run


@shared_task(name="gmassist.run_job", acks_late=True)
def run_job(job_id: int) -> None:
    """Run job `job_id` on this worker; a job already started or finished is left alone."""
    job_run(job_id)
