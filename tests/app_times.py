"""A pytest plugin (loaded by the root conftest): the suite's time per app, printed at the end.

Each test's setup, call and teardown are summed under its app: gmassist/<app>/... is <app>,
tests/browser/... is "browser", the rest of tests/ is "tests". Two times are kept: wall-clock
seconds, and the CPU seconds of the pytest process (what a test costs whatever else the machine
is doing; a subprocess's or a browser's CPU is not in it). `--app-times-json PATH` also writes
the table as JSON, for tests/run_suites.py to put the SQLite and PostgreSQL runs side by side.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass
class AppTime:
    tests: int = 0
    wall: float = 0.0  # seconds
    cpu: float = 0.0  # seconds of this process


_times: dict[str, AppTime] = {}


def app_of(nodeid: str) -> str:
    """The app a test belongs to, from its node id ("gmassist/voice/tests/x.py::t" -> "voice")."""
    parts = nodeid.split("::", 1)[0].split("/")
    if parts[0] == "gmassist" and len(parts) > 2:
        return parts[1]
    if parts[0] == "tests" and len(parts) > 2 and parts[1] == "browser":
        return "browser"
    return parts[0].removesuffix(".py")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--app-times-json",
        metavar="PATH",
        default=None,
        help="also write the time per app as JSON to PATH",
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    wall, cpu = time.perf_counter(), time.process_time()
    yield
    entry = _times.setdefault(app_of(item.nodeid), AppTime())
    entry.tests += 1
    entry.wall += time.perf_counter() - wall
    entry.cpu += time.process_time() - cpu


def table(times: dict[str, AppTime]) -> list[str]:
    """The lines of the table, slowest app first, with a total."""
    total = AppTime(
        sum(t.tests for t in times.values()),
        sum(t.wall for t in times.values()),
        sum(t.cpu for t in times.values()),
    )
    lines = [f"{'app':<12} {'tests':>6} {'wall s':>8} {'cpu s':>8} {'share':>6}"]
    for app, t in sorted(times.items(), key=lambda kv: (-kv[1].wall, kv[0])):
        share = t.wall / total.wall if total.wall else 0.0
        lines.append(f"{app:<12} {t.tests:>6} {t.wall:>8.1f} {t.cpu:>8.1f} {share:>6.0%}")
    lines.append(f"{'total':<12} {total.tests:>6} {total.wall:>8.1f} {total.cpu:>8.1f}")
    return lines


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    if not _times:
        return
    terminalreporter.write_sep("-", "time per app")
    for line in table(_times):
        terminalreporter.write_line(line)
    path = config.getoption("--app-times-json")
    if path:
        data = {app: vars(t) for app, t in _times.items()}
        Path(path).write_text(json.dumps(data, indent=1), encoding="utf-8")
