"""`gmassist office ...`: the command of the office app. Each part that has actions keeps them
in its own cli.py, which defines `ACTIONS`: {action name: (add_arguments, run)}, where
`add_arguments(subparser)` declares the action's options and `run(command, **options)` runs
it. This command only puts them together: `today`, `tasks`, `triage`, `documents`, `schedule`."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandParser
from django.utils.module_loading import module_has_submodule


def _part_actions() -> dict[str, tuple[Any, Any, str]]:
    """{action: (add_arguments, run, help)} of every part's cli.py, in the parts' order."""
    config = apps.get_app_config("office")
    actions: dict[str, tuple[Any, Any, str]] = {}
    for part in config.parts:
        package = import_module(f"{config.name}.{part}")
        if not module_has_submodule(package, "cli"):
            continue
        cli = import_module(f"{package.__name__}.cli")
        for name, (add_arguments, run) in cli.ACTIONS.items():
            actions[name] = (add_arguments, run, (cli.__doc__ or "").strip().splitlines()[0])
    return actions


class Command(BaseCommand):
    help = "The GM's office: today's matters, triage, delegated tasks, documents, schedule."

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="action", required=True)
        for name, (add_arguments, _run, help_text) in _part_actions().items():
            add_arguments(subparsers.add_parser(name, help=help_text))

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        _add, run, _help = _part_actions()[action]
        run(self, **options)
