"""`gmassist worker`: a Celery worker that runs jobs (needs CELERY_BROKER_URL)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Run a Celery worker for long jobs; start as many as needed, on any machine."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--concurrency", type=int, default=None)
        parser.add_argument(
            "--beat",
            action="store_true",
            help="also run the schedule of recurring jobs (give it to exactly one worker)",
        )

    def handle(self, *args, concurrency: int | None, beat: bool, **options) -> None:
        if not settings.CELERY_BROKER_URL:
            raise CommandError(
                "CELERY_BROKER_URL is not set: without a broker jobs run in-process, "
                "no worker is needed (e.g. CELERY_BROKER_URL=redis://127.0.0.1:6379/0)"
            )
        from gmassist.celery_app import app

        argv = ["worker", "--loglevel=INFO"]
        if concurrency:
            argv.append(f"--concurrency={concurrency}")
        if beat:
            # beat keeps when it last sent each entry in a file of its own
            schedule_file = settings.DATA_DIR / "celerybeat-schedule"
            argv += ["--beat", f"--schedule={schedule_file}"]
        app.worker_main(argv)
