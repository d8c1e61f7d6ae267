"""`make test`: lint, type-check, then the whole suite on SQLite and on PostgreSQL when reachable,
the two side by side on a machine with two cores or more (one after the other on one core).

The type checker is mypy, configured in pyproject.toml ([tool.mypy]: the engines and
gmassist/lib, strict). The summary gives each step's time and the suite's time per app on each
database (wall-clock and CPU seconds, from tests/app_times.py).

PostgreSQL is taken from DATABASE_URL when it names one, else the local server
(postgres://postgres@127.0.0.1:5432/test) is used when it answers. The summary says plainly
which databases the suite ran on.

Run side by side, each suite has a data folder of its own (GMASSIST_DATA_DIR: uploads, the
generated secret key) and the PostgreSQL run writes its browser screenshots outside docs/
(GMASSIST_SCREENSHOT_DIR); each line of their output starts with the database's name.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

LOCAL_POSTGRES = "postgres://postgres@127.0.0.1:5432/test"


def _answers(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5432), 2):
            return True
    except OSError:
        return False


_elapsed: dict[str, float] = {}  # step title -> seconds


def _run(title: str, command: list[str], env: dict[str, str]) -> bool:
    print(f"\n=== {title} ===", flush=True)
    started = time.perf_counter()
    ok = subprocess.call(command, env=env) == 0
    _elapsed[title] = time.perf_counter() - started
    return ok


def _run_side_by_side(suites: list[tuple[str, list[str], dict[str, str]]]) -> list[bool]:
    """Run the commands of `suites` ((title, command, env)) at once, each line of their output
    printed as it comes with the suite's name in front; whether each passed, in their order."""
    print_lock = threading.Lock()
    started = time.perf_counter()

    def relay(name: str, stream) -> None:
        for line in stream:
            with print_lock:
                sys.stdout.write(f"[{name}] {line}")
                sys.stdout.flush()

    running = []
    for title, command, env in suites:
        print(f"\n=== {title} (side by side) ===", flush=True)
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
        )
        name = title.removeprefix("tests on ").split(" ")[0]
        relay_thread = threading.Thread(target=relay, args=(name, process.stdout), daemon=True)
        relay_thread.start()
        running.append((title, process, relay_thread))
    passed = []
    for title, process, relay_thread in running:
        passed.append(process.wait() == 0)
        relay_thread.join()
        _elapsed[title] = time.perf_counter() - started
    return passed


def _times_table(runs: dict[str, Path]) -> list[str]:
    """The time per app of each database's run side by side (wall / CPU seconds)."""
    times = {
        name: json.loads(path.read_text(encoding="utf-8"))
        for name, path in runs.items()
        if path.exists()
    }
    if not times:
        return []
    apps = sorted(
        {app for run in times.values() for app in run},
        key=lambda app: -sum(run.get(app, {}).get("wall", 0.0) for run in times.values()),
    )
    header = f"{'app':<12}" + "".join(f" {name + ' wall/cpu s':>24}" for name in times)
    lines = [header]
    for app in [*apps, "total"]:
        cells = []
        for run in times.values():
            if app == "total":
                wall = sum(t["wall"] for t in run.values())
                cpu = sum(t["cpu"] for t in run.values())
            else:
                wall, cpu = run.get(app, {}).get("wall", 0.0), run.get(app, {}).get("cpu", 0.0)
            cells.append(f" {f'{wall:.0f} / {cpu:.0f}':>24}")
        lines.append(f"{app:<12}" + "".join(cells))
    return lines


def main() -> int:
    python = sys.executable
    base_env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}
    }
    results: list[tuple[str, bool]] = []
    started = time.perf_counter()

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

    scratch = Path(tempfile.mkdtemp(prefix="gmassist-test-times-"))
    runs = {"SQLite": scratch / "sqlite.json", "PostgreSQL": scratch / "postgresql.json"}

    def pytest(database: str) -> list[str]:
        return [python, "-m", "pytest", "--app-times-json", str(runs[database]), *sys.argv[1:]]

    sqlite_env = {**base_env}
    suites: list[tuple[str, str, list[str], dict[str, str]]] = [
        ("tests on SQLite", "tests on SQLite", pytest("SQLite"), sqlite_env)
    ]
    pg_url = os.environ.get("DATABASE_URL", "")
    if not pg_url.startswith(("postgres://", "postgresql://")):
        pg_url = LOCAL_POSTGRES
    if _answers(pg_url):
        pg_env = {**base_env, "DATABASE_URL": pg_url}
        suites.append(
            ("tests on PostgreSQL", f"tests on PostgreSQL ({pg_url})", pytest("PostgreSQL"), pg_env)
        )
    else:
        print(f"\nPostgreSQL at {pg_url} does not answer: the suite ran on SQLite only.")

    if len(suites) > 1 and (os.cpu_count() or 1) >= 2:
        for name, (_result, _title, _command, env) in zip(
            ("sqlite", "postgresql"), suites, strict=True
        ):
            env["GMASSIST_DATA_DIR"] = str(scratch / f"data-{name}")
        suites[1][3]["GMASSIST_SCREENSHOT_DIR"] = str(scratch / "screenshots-postgresql")
        (scratch / "screenshots-postgresql").mkdir()
        passed = _run_side_by_side(
            [(title, command, env) for _result, title, command, env in suites]
        )
        for (result, title, _command, _env), ok in zip(suites, passed, strict=True):
            _elapsed[result] = _elapsed.pop(title)
            results.append((result, ok))
    else:
        for result, title, command, env in suites:
            ok = _run(title, command, env)
            _elapsed[result] = _elapsed.pop(title)
            results.append((result, ok))

    lines = _times_table(runs)
    shutil.rmtree(scratch, ignore_errors=True)
    if lines:
        print("\n=== time per app ===")
        print("\n".join(lines))
    print("\n=== summary ===")
    for (name, ok), seconds in zip(results, _elapsed.values(), strict=True):
        print(f"{'ok  ' if ok else 'FAIL'} {name:<22} {seconds:>7.0f} s")
    print(f"     {'total (wall)':<22} {time.perf_counter() - started:>7.0f} s")
    return 0 if all(ok for _name, ok in results) else 1


if __name__ == "__main__":
    sys.exit(main())
