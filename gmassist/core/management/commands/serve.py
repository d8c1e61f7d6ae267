"""`gmassist serve`: the web application on gunicorn (one process by default, more at scale)."""

from __future__ import annotations

import os

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from gmassist.lib.env import env_int


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

    def handle(
        self,
        *args,
        host: str,
        port: int,
        workers: int,
        threads: int,
        no_access_log: bool,
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

            def load(self):
                return application

        self.stdout.write(f"GM Assistant on http://{host}:{port}/  (Ctrl+C to stop)")
        Server().run()
