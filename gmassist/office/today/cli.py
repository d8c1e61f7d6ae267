"""`gmassist office today --user USERNAME [--json]`: what that user's Today shows, ranked, with
the same counts as the page, the badge and the API."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from rich.table import Table as RichTable

from gmassist.core.management.output import command_console
from gmassist.core.management.users import user_by_username
from gmassist.office.today.presenters import section_out
from gmassist.office.today.selectors import today_for, today_reach


def add_today_arguments(parser: Any) -> None:
    # Today is always someone's: there is no "everything" view of it to fall back to
    parser.add_argument("--user", required=True, help="whose Today to show (a username)")
    parser.add_argument(
        "--json", dest="as_json", action="store_true", help="print it as JSON (the API's shape)"
    )


def run_today(command: Any, *, user: str, as_json: bool = False, **_options: Any) -> None:
    reader = user_by_username(user)
    how_far = today_reach(reader)
    if how_far is None:
        raise CommandError(
            f"{user!r} has no Today (it is for the GM's office and department heads); "
            "their home page is their inbox"
        )
    now = timezone.now()
    sections = [section_out(section, now=now) for section in today_for(user=reader)]
    total = sum(section["count"] for section in sections)
    if as_json:
        body = {"count": total, "reach": how_far, "sections": sections}
        command.stdout.write(json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
        return
    console = command_console(command.stdout)
    table = RichTable(title=f"Today for {user}: {total} matters ({how_far})")
    for column in ("section", "weight", "age (days)", "title", "why", "action", "url"):
        table.add_column(column, justify="right" if column == "age (days)" else "left")
    for section in sections:
        for item in section["items"]:
            table.add_row(
                f"{section['title']} ({section['count']})",
                item["weight"],
                str(item["age_days"]),
                item["title"],
                item["why"],
                item["action"]["kind"] if item["action"] else "",
                item["url"],
            )
    console.print(table)
    clear = [section["title"] for section in sections if not section["count"]]
    if clear:
        console.print("Clear: " + ", ".join(clear))


ACTIONS = {"today": (add_today_arguments, run_today)}
