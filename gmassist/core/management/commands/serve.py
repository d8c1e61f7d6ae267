"""`gmassist serve`: the web application on gunicorn (one process by default, more at scale),
and, without a broker, the job worker beside it."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from gmassist.lib.env import env_int

# A view marks a request whose access-log line would tie a person to an anonymous act (an
# anonymous submission, a reply with a reply code) by setting this key in the WSGI environ
# (`request.META`, which is the environ; `mark_anonymous_act`); its line is then not written.
# See gmassist/core/anonymity.py.
SKIP_ACCESS_LOG = "gmassist.skip_access_log"


def access_logger_class():
    """gunicorn's logger, minus the access lines of requests marked SKIP_ACCESS_LOG."""
    from gunicorn.glogging import Logger

    class PrivateRequestsLogger(Logger):
        def access(self, resp, req, environ, request_time) -> None:
            if environ.get(SKIP_ACCESS_LOG):
                return
            super().access(resp, req, environ, request_time)

    return PrivateRequestsLogger


def start_job_worker() -> subprocess.Popen:
    """Start the job worker beside the web server, kept running by core.supervisor (started
    again when it dies). Jobs run there, not in a web worker that gunicorn may kill (a timeout,
    a restart) in the middle of a job."""
    worker = [sys.executable, "-m", "gmassist.cli", "worker"]
    if settings.GMASSIST_RUN_SCHEDULE:
        # no cron to configure: the worker also starts the recurring jobs when they are due
        worker.append("--schedule")
    return subprocess.Popen([sys.executable, "-m", "gmassist.core.supervisor", "--", *worker])


def stop_job_worker(supervisor: subprocess.Popen, timeout: float = 20.0) -> None:
    """Stop the supervisor and its worker (whose job, if any, goes back to the queue)."""
    if supervisor.poll() is not None:
        return
    supervisor.terminate()
    try:
        supervisor.wait(timeout)
    except subprocess.TimeoutExpired:
        supervisor.kill()


class Command(BaseCommand):
    help = (
        "Serve the web application with gunicorn on http://HOST:PORT (PORT from the environment)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=env_int("PORT", 8000))
        parser.add_argument(
            "--workers",
            type=int,
            default=env_int("WEB_WORKERS", 1),
            help="gunicorn worker processes (WEB_WORKERS); more than 1 needs PostgreSQL",
        )
        parser.add_argument("--threads", type=int, default=env_int("WEB_THREADS", 8))
        parser.add_argument("--no-access-log", action="store_true", help="log no request lines")
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="start no job worker beside the web server (run `gmassist worker` elsewhere); "
            "with CELERY_BROKER_URL none is started anyway, Celery workers run the jobs",
        )

    def handle(
        self,
        *args,
        host: str,
        port: int,
        workers: int,
        threads: int,
        no_access_log: bool,
        no_worker: bool,
        **options,
    ) -> None:
        from gunicorn.app.base import BaseApplication

        from gmassist.wsgi import application

        class Server(BaseApplication):
            def load_config(self) -> None:
                self.cfg.set("bind", f"{host}:{port}")
                self.cfg.set("workers", workers)
                self.cfg.set("threads", threads)
                self.cfg.set("worker_class", "gthread")
                if not no_access_log:
                    self.cfg.set("accesslog", "-")
                    self.cfg.set("logger_class", access_logger_class())

            def load(self):
                return application

        # Started before gunicorn forks its web workers (never both at once); gunicorn forks
        # them from this process and a leaving web worker unwinds through this code, so only
        # this process stops the job worker.
        supervisor = None
        if not no_worker and not settings.CELERY_BROKER_URL:
            supervisor = start_job_worker()
        serve_pid = os.getpid()
        try:
            call_command("collectstatic", interactive=False, verbosity=0)
            self.stdout.write(f"GM Assistant on http://{host}:{port}/  (Ctrl+C to stop)")
            Server().run()
        finally:
            if supervisor is not None and os.getpid() == serve_pid:
                stop_job_worker(supervisor)
