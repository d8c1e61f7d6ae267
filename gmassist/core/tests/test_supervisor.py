"""The supervisor that keeps `gmassist serve`'s job worker running: real processes, no Django."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]


def _started(log: Path) -> list[int]:
    text = log.read_text() if log.exists() else ""
    return [int(pid) for pid in re.findall(r"job worker started \(pid (\d+)\)", text)]


def _wait_for(check, within: float = 10.0):
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("not in time")


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state == "Z"


def _supervisor(log: Path, command: list[str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "gmassist.core.supervisor", "--", *command],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def test_it_starts_its_command_again_when_it_is_killed_and_stops_it_on_sigterm(tmp_path):
    log = tmp_path / "supervisor.log"
    supervisor = _supervisor(log, SLEEPER)
    try:
        [first] = _wait_for(lambda: _started(log))
        os.kill(first, signal.SIGKILL)
        second = _wait_for(lambda: _started(log)[1:])[0]
        assert second != first and not _gone(second)
        assert f"job worker (pid {first}) ended (-9); again in 1 s" in log.read_text()

        supervisor.send_signal(signal.SIGTERM)

        assert supervisor.wait(10) == 0
        assert _gone(second)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(supervisor.pid, signal.SIGKILL)
        supervisor.wait()


def test_it_stops_its_command_when_the_process_that_started_it_ends(tmp_path):
    log = tmp_path / "supervisor.log"
    # a parent that starts the supervisor, then dies at once (as serve killed with SIGKILL)
    starter = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import subprocess, sys, time; subprocess.Popen([sys.executable, '-m',"
            f" 'gmassist.core.supervisor', '--', *{SLEEPER!r}], stdout=open({str(log)!r}, 'w'));"
            " time.sleep(120)",
        ],
        start_new_session=True,
    )
    try:
        [worker] = _wait_for(lambda: _started(log))
        os.kill(starter.pid, signal.SIGKILL)
        starter.wait()

        _wait_for(lambda: _gone(worker))
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(starter.pid, signal.SIGKILL)


def test_it_refuses_to_start_without_a_command():
    result = subprocess.run(
        [sys.executable, "-m", "gmassist.core.supervisor"], capture_output=True, text=True
    )
    assert (result.returncode, result.stderr) == (
        2,
        "usage: python -m gmassist.core.supervisor -- COMMAND [ARG ...]\n",
    )
