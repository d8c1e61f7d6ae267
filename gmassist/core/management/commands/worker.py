"""`gmassist worker`: run jobs. Without a broker, the embedded worker polling the jobs table
(`gmassist serve` starts one); with CELERY_BROKER_URL, a Celery worker."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Run long jobs. Without CELERY_BROKER_URL: poll the jobs table and run queued jobs one at "
        "a time (`gmassist serve` starts one such worker). With it: a Celery worker. Start as "
        "many as needed, on any machine that reaches the database (and the broker)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--concurrency", type=int, default=None, help="Celery pool processes (with a broker)"
        )
        parser.add_argument(
            "--beat",
            action="store_true",
            help="also run the schedule of recurring jobs (give it to exactly one worker)",
        )
        parser.add_argument(
            "--burst",
            action="store_true",
            help="without a broker: run the queued jobs, then exit",
        )
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="without a broker: also start the recurring jobs when they are due (what "
            "`gmassist schedule --run-due` does from cron), looking once a minute",
        )

    def handle(
        self, *args, concurrency: int | None, beat: bool, burst: bool, schedule: bool, **options
    ) -> None:
        if not settings.CELERY_BROKER_URL:
            if concurrency or beat:
                raise CommandError(
                    "--concurrency and --beat need CELERY_BROKER_URL; without a broker a worker "
                    "runs one job at a time (start more workers for more), and cron runs "
                    "`gmassist schedule --run-due`"
                )
            from gmassist.core.worker import Worker

            Worker(say=self._say, schedule=schedule).run(burst=burst)
            return
        if burst or schedule:
            raise CommandError(
                "--burst and --schedule are for the worker without a broker; with Celery, "
                "--beat starts the recurring jobs"
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

    def _say(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()
