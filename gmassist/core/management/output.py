"""Console output of commands: rich tables that do not squeeze when written to a pipe or file."""

from __future__ import annotations

from typing import TextIO

from rich.console import Console


def command_console(stdout: TextIO) -> Console:
    """A rich console on a command's stdout; wide when it is not a terminal (pipes, tests, CI)."""
    is_tty = hasattr(stdout, "isatty") and stdout.isatty()
    return Console(file=stdout, soft_wrap=True, width=None if is_tty else 200)
