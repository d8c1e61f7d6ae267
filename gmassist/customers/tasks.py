"""Scheduled customers work on Celery beat (when CELERY_BROKER_URL is set): re-tiering and the
churn scores on the 1st of every month at 03:00, each as a job run by the system.

Found by the Celery app's `autodiscover_tasks()`, which adds the schedule below to
`beat_schedule` before beat reads it. Without Celery, cron does the same:
`0 3 1 * * gmassist customers tier && gmassist customers churn`.
"""

from celery import shared_task
from celery.schedules import crontab

from gmassist.celery_app import app

MONTHLY_JOBS = ("customers.tier", "customers.churn")


@shared_task(name="gmassist.customers.monthly")
def customers_monthly() -> None:
    """Submit this month's customers jobs; each runs on a worker like any other job."""
    from gmassist.core.services import job_submit

    for kind in MONTHLY_JOBS:
        job_submit(kind=kind, params={}, by=None)


app.conf.beat_schedule = {
    **(app.conf.beat_schedule or {}),
    "customers-monthly": {
        "task": "gmassist.customers.monthly",
        "schedule": crontab(minute=0, hour=3, day_of_month=1),
    },
}
