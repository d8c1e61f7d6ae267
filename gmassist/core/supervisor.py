"""Keeps one process running beside `gmassist serve`: the job worker, started again when it dies.

    python -m gmassist.core.supervisor -- COMMAND [ARG ...]

`gmassist serve` starts this before gunicorn starts its web workers, so the web processes are
never forked while it forks the worker. It imports nothing of Django, so it costs little. It
starts COMMAND; when COMMAND ends (a crash, kill -9) it starts it again after RESTART_DELAY
seconds, doubling up to MAX_RESTART_DELAY while it keeps dying within a minute. On SIGTERM or
SIGINT, or when the process that started it ends, it stops COMMAND (SIGTERM, then SIGKILL after
STOP_TIMEOUT seconds) and exits.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable

RESTART_DELAY = 1.0
MAX_RESTART_DELAY = 30.0
STOP_TIMEOUT = 15.0
LOOK_EVERY = 0.2  # seconds between looks at the child and at the parent


def supervise(argv: list[str], *, say: Callable[[str], None]) -> int:
    """Keep `argv` running until asked to stop; returns the exit code for this process."""
    parent = os.getppid()
    stopping = False

    def stop(signum, frame) -> None:
        nonlocal stopping
        stopping = True

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stop)

    def must_stop() -> bool:
        return stopping or os.getppid() != parent  # the parent ended: this process was orphaned

    delay = RESTART_DELAY
    child: subprocess.Popen | None = None
    while not must_stop():
        started = time.monotonic()
        child = subprocess.Popen(argv)
        say(f"job worker started (pid {child.pid})")
        while child.poll() is None and not must_stop():
            time.sleep(LOOK_EVERY)
        if must_stop():
            break
        quick = time.monotonic() - started < 60
        if not quick:
            delay = RESTART_DELAY
        say(f"job worker (pid {child.pid}) ended ({child.returncode}); again in {delay:g} s")
        until = time.monotonic() + delay
        while time.monotonic() < until and not must_stop():
            time.sleep(LOOK_EVERY)
        if quick:
            delay = min(delay * 2, MAX_RESTART_DELAY)
    if child is not None and child.poll() is None:
        child.terminate()  # the worker puts the job it runs back in the queue
        try:
            child.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    return 0


def main(argv: list[str]) -> int:
    if not argv or argv[0] != "--" or len(argv) < 2:
        print("usage: python -m gmassist.core.supervisor -- COMMAND [ARG ...]", file=sys.stderr)
        return 2

    def say(line: str) -> None:
        print(line, flush=True)

    return supervise(argv[1:], say=say)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
