"""`make test`: lint, type-check, then the whole suite on SQLite, then again on PostgreSQL when
reachable.

The type checker is mypy, configured in pyproject.toml ([tool.mypy]: the engines and
gmassist/lib, strict).

PostgreSQL is taken from DATABASE_URL when it names one, else the local server
(postgres://postgres@127.0.0.1:5432/test) is used when it answers. The summary says plainly
which databases the suite ran on.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from urllib.parse import urlsplit

LOCAL_POSTGRES = "postgres://postgres@127.0.0.1:5432/test"


def _answers(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5432), 2):
            return True
    except OSError:
        return False


def _run(title: str, command: list[str], env: dict[str, str]) -> bool:
    print(f"\n=== {title} ===", flush=True)
    return subprocess.call(command, env=env) == 0


def main() -> int:
    python = sys.executable
    base_env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}
    }
    results: list[tuple[str, bool]] = []

    results.append(
        ("ruff check", _run("ruff check", [python, "-m", "ruff", "check", "."], base_env))
    )
    results.append(
        (
            "ruff format --check",
            _run("ruff format", [python, "-m", "ruff", "format", "--check", "."], base_env),
        )
    )

    results.append(("mypy", _run("mypy (engines, lib)", [python, "-m", "mypy"], base_env)))

    pytest = [python, "-m", "pytest", *sys.argv[1:]]
    results.append(("tests on SQLite", _run("tests on SQLite", pytest, base_env)))

    pg_url = os.environ.get("DATABASE_URL", "")
    if not pg_url.startswith(("postgres://", "postgresql://")):
        pg_url = LOCAL_POSTGRES
    if _answers(pg_url):
        pg_env = {**base_env, "DATABASE_URL": pg_url}
        results.append(
            ("tests on PostgreSQL", _run(f"tests on PostgreSQL ({pg_url})", pytest, pg_env))
        )
    else:
        print(f"\nPostgreSQL at {pg_url} does not answer: the suite ran on SQLite only.")

    print("\n=== summary ===")
    for name, ok in results:
        print(f"{'ok  ' if ok else 'FAIL'} {name}")
    return 0 if all(ok for _name, ok in results) else 1


if __name__ == "__main__":
    sys.exit(main())
