"""`gmassist office documents [--user U] [--json]`: the documents awaiting a decision and those
in flight, with whom each waits for and since when."""

from __future__ import annotations

import json
from typing import Any

from django.utils import timezone
from rich.table import Table

from gmassist.core.management.output import command_console
from gmassist.core.management.users import user_by_username
from gmassist.core.permissions import is_system
from gmassist.office.documents import selectors
from gmassist.office.documents.choices import StepStatus
from gmassist.office.documents.models import Document


def add_arguments(parser: Any) -> None:
    parser.add_argument(
        "--user",
        help="what waits for this user (as approver or deputy) and what they may see in "
        "flight (default: every document in flight, as the system)",
    )
    parser.add_argument("--json", dest="as_json", action="store_true", help="print JSON")


def _row(document: Document, now: Any) -> dict[str, Any]:
    open_steps = [step for step in document.steps.all() if step.status == StepStatus.OPEN]
    since = min((step.opened_at for step in open_steps if step.opened_at), default=None)
    return {
        "id": document.pk,
        "title": document.title,
        "kind": document.kind,
        "status": document.status,
        "author": str(document.author),
        "waiting_for": [str(step.approver) for step in open_steps],
        "waiting_days": (now - since).days if since else None,
        "url": document.get_absolute_url(),
    }


def _rows(queryset: Any, now: Any) -> list[dict[str, Any]]:
    documents = queryset.prefetch_related("steps__approver__employee")
    return [_row(document, now) for document in documents]


def run(command: Any, *, user: str | None = None, as_json: bool = False, **_: Any) -> None:
    actor = user_by_username(user)
    now = timezone.now()
    awaiting = [] if is_system(actor) else _rows(selectors.documents_awaiting(user=actor), now)
    in_flight = _rows(selectors.documents_in_flight(user=actor), now)
    if as_json:
        command.stdout.write(
            json.dumps({"awaiting": awaiting, "in_flight": in_flight}, ensure_ascii=False)
        )
        return
    console = command_console(command.stdout)
    for title, rows in (("Awaiting your decision", awaiting), ("In flight", in_flight)):
        if title.startswith("Awaiting") and is_system(actor):
            continue
        table = Table(title=f"{title} ({len(rows)})")
        for column in ("#", "Document", "Status", "Author", "Waiting for", "Days"):
            table.add_column(column)
        for row in rows:
            table.add_row(
                str(row["id"]),
                row["title"],
                row["status"],
                row["author"],
                ", ".join(row["waiting_for"]) or "—",
                "—" if row["waiting_days"] is None else str(row["waiting_days"]),
            )
        console.print(table)


ACTIONS = {"documents": (add_arguments, run)}
