"""`gmassist serve`: the web application on gunicorn (one process by default, more at scale),
and, without a broker, the job worker beside it."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from gmassist.lib.env import env_int

logger = logging.getLogger(__name__)

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


class WorkerSupervisor:
    """Keeps one job worker process (`gmassist worker`) running beside the web server: jobs run
    there, not in a web worker that gunicorn may kill (a timeout, a restart) in the middle of a
    job. When the worker dies (a crash, kill -9) another is started, sooner if the last one ran
    for a while; the new one recovers the job the dead one held (core.jobs)."""

    RESTART_DELAY = 1.0  # seconds before starting again a worker that died
    MAX_RESTART_DELAY = 30.0  # ...doubling while workers keep dying within a minute

    def __init__(self, argv: list[str] | None = None, *, say=print):
        self.argv = argv or [sys.executable, "-m", "gmassist.cli", "worker"]
        self.say = say
        self.process: subprocess.Popen | None = None
        self._stopping = threading.Event()
        # gunicorn forks its web workers from this process, and a web worker leaving unwinds
        # through serve's code: only the process that started the job worker may stop it
        self._owner = os.getpid()
        self._thread = threading.Thread(target=self._keep_running, name="job-worker", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _keep_running(self) -> None:
        delay = self.RESTART_DELAY
        while not self._stopping.is_set():
            started = time.monotonic()
            self.process = subprocess.Popen(self.argv)
            self.say(f"job worker started (pid {self.process.pid})")
            # gunicorn's arbiter reaps every child it sees end, so the code may read 0 here
            code = self.process.wait()
            if self._stopping.is_set():
                return
            quick = time.monotonic() - started < 60
            if not quick:
                delay = self.RESTART_DELAY
            self.say(f"job worker (pid {self.process.pid}) ended ({code}); again in {delay:g} s")
            self._stopping.wait(delay)
            if quick:
                delay = min(delay * 2, self.MAX_RESTART_DELAY)

    def stop(self, timeout: float = 15.0) -> None:
        """Stop the worker: SIGTERM (its job, if any, goes back to the queue), then SIGKILL."""
        if os.getpid() != self._owner:
            return
        self._stopping.set()
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()


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

        call_command("collectstatic", interactive=False, verbosity=0)

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

        supervisor = None
        if not no_worker and not settings.CELERY_BROKER_URL:
            supervisor = WorkerSupervisor(say=self._say)
            supervisor.start()
        self.stdout.write(f"GM Assistant on http://{host}:{port}/  (Ctrl+C to stop)")
        try:
            Server().run()
        finally:
            if supervisor is not None:
                supervisor.stop()

    def _say(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()
