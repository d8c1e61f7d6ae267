"""The Celery application; workers start with `celery -A gmassist.celery_app worker`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gmassist.settings")

app = Celery("gmassist")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
