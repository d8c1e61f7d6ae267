"""`gmassist voice recruiting agencies|requisitions`: the recruiting part of the voice command.

Without `--user` the command reads everything, as the GM would (whoever runs it holds the
database); with `--user USERNAME` it shows what that user may see, as the pages do.
"""

from __future__ import annotations

import json
from typing import Any

from django.utils import timezone
from rich.table import Table as RichTable

from gmassist.core.management.output import command_console
from gmassist.core.management.users import user_by_username
from gmassist.voice.recruiting import selectors
from gmassist.voice.recruiting.choices import RequisitionStatus, Urgency


def add_recruiting_arguments(actions) -> None:
    """Add `recruiting` and its sub-actions to the voice command's sub-parsers."""
    recruiting = actions.add_parser(
        "recruiting", help="recruiting contacts: agencies and their results, requisitions"
    )
    recruiting_actions = recruiting.add_subparsers(dest="recruiting_action", required=True)
    agencies = recruiting_actions.add_parser(
        "agencies",
        help="every agency with its results: sent, interview and hire rates, median days to "
        "hire, fees, guarantee breaches",
    )
    requisitions = recruiting_actions.add_parser(
        "requisitions", help="requisitions with their candidates, time to fill and overdue days"
    )
    requisitions.add_argument("--status", choices=RequisitionStatus.values, help="only these")
    requisitions.add_argument("--urgency", choices=Urgency.values, help="only these")
    requisitions.add_argument(
        "--overdue", action="store_true", help="only open ones past their target date"
    )
    for parser in (agencies, requisitions):
        parser.add_argument("--json", dest="as_json", action="store_true", help="print JSON")
        parser.add_argument("--user", help="show what this user may see (default: everything)")


def _reader(username: str | None) -> Any:
    # without --user the system (SYSTEM) reads, which sees everything
    return user_by_username(username)


def run_recruiting(command, *, recruiting_action: str, **options: Any) -> None:
    if recruiting_action == "agencies":
        _agencies(command, **options)
    elif recruiting_action == "requisitions":
        _requisitions(command, **options)


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _agencies(command, *, as_json: bool, user: str | None, **_options: Any) -> None:
    reader = _reader(user)
    rows = selectors.agency_performance_for(user=reader)
    agencies = selectors.agencies_visible(user=reader).in_bulk()
    out = [
        {
            "id": row.agency_id,
            "name": row.name,
            "kind": agencies[row.agency_id].kind,
            "status": agencies[row.agency_id].status,
            "specialities": agencies[row.agency_id].specialities,
            "fee_percent": str(agencies[row.agency_id].fee_percent),
            "guarantee_days": agencies[row.agency_id].guarantee_days,
            "sent": row.sent,
            "interviewed": row.interviewed,
            "hires": row.hires,
            "interview_rate": row.interview_rate,
            "hire_rate": row.hire_rate,
            "median_days_to_hire": row.median_days_to_hire,
            "fee_cost": None if row.fee_cost is None else str(row.fee_cost),
            "guarantee_breaches": row.guarantee_breaches,
        }
        for row in rows
    ]
    if as_json:
        command.stdout.write(json.dumps(out, ensure_ascii=False))
        return
    table = RichTable(title=f"Recruiting agencies: {len(out)}")
    for name in ("agency", "kind", "fee", "sent", "interviews", "hires", "hire rate",
                 "days to hire", "fees paid", "breaches"):  # fmt: skip
        table.add_column(name, justify="left" if name in ("agency", "kind") else "right")
    for row in out:
        table.add_row(
            row["name"],
            row["kind"],
            f"{row['fee_percent']}%",
            str(row["sent"]),
            _rate(row["interview_rate"]),
            str(row["hires"]),
            _rate(row["hire_rate"]),
            "—" if row["median_days_to_hire"] is None else f"{row['median_days_to_hire']:.0f}",
            "—" if row["fee_cost"] is None else row["fee_cost"],
            str(row["guarantee_breaches"]),
        )
    command_console(command.stdout).print(table)


def _requisitions(
    command,
    *,
    as_json: bool,
    user: str | None,
    status: str | None,
    urgency: str | None,
    overdue: bool,
    **_options: Any,
) -> None:
    reader = _reader(user)
    today = timezone.localdate()
    queryset = selectors.requisition_list(
        user=reader, today=today, status=status, urgency=urgency, overdue=overdue, sort="code"
    )
    out = []
    for r in queryset:
        is_open = r.status == RequisitionStatus.OPEN
        late = (today - r.target_date).days if is_open else 0
        out.append(
            {
                "code": r.code,
                "position": r.position.title,
                "department": r.department.name,
                "headcount": r.headcount,
                "urgency": r.urgency,
                "status": r.status,
                "opened_on": r.opened_on.isoformat(),
                "target_date": r.target_date.isoformat(),
                "closed_on": r.closed_on.isoformat() if r.closed_on else None,
                "days_to_fill": (r.closed_on - r.opened_on).days
                if r.status == RequisitionStatus.FILLED and r.closed_on
                else None,
                "overdue_days": late if late > 0 else None,
                "candidates": r.candidate_count,
                "hired": r.hired_count,
                "shared_with": r.share_count,
            }
        )
    if as_json:
        command.stdout.write(json.dumps(out, ensure_ascii=False))
        return
    table = RichTable(title=f"Requisitions: {len(out)}")
    for name in ("code", "position", "department", "count", "urgency", "target", "status",
                 "candidates", "hired", "days late"):  # fmt: skip
        table.add_column(name)
    for row in out:
        table.add_row(
            row["code"],
            row["position"],
            row["department"],
            str(row["headcount"]),
            row["urgency"],
            row["target_date"],
            row["status"],
            str(row["candidates"]),
            str(row["hired"]),
            "" if row["overdue_days"] is None else str(row["overdue_days"]),
        )
    command_console(command.stdout).print(table)
