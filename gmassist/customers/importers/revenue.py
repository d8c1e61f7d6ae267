"""Monthly revenue: one amount per customer and month, the month written as 2024-03, 2024/3,
202403, 2024年3月 or its first day. `plan_revenue` checks a file row by row; large files are
streamed chunk by chunk by `revenue_stream.RevenueStream`, with the same checks and messages."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gmassist.core.imports import (
    DECIMAL,
    REF,
    TEXT,
    Column,
    ImportContext,
    Plan,
    explain,
    merge_rows,
    money,
    save_rows,
)
from gmassist.customers.importers.common import customer_ids, resolve_customer
from gmassist.customers.models import MonthlyRevenue
from gmassist.lib import normalize

REVENUE_COLUMNS = (
    Column("customer", REF),
    Column("month", TEXT),
    Column("amount", DECIMAL),
)
_YEAR_MONTH = re.compile(r"^(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*月?|(\d{2}))$")


def parse_month(value: Any, *, today: dt.date, slash_order: str = "mdy") -> dt.date:
    """The first day of a month given as 2024-03, 2024/3, 202403, 2024年3月 or as the date of
    its first day (a date on another day is an error: it would hide a file of daily amounts)."""
    if isinstance(value, dt.date):
        date = value.date() if isinstance(value, dt.datetime) else value
    else:
        text = normalize.clean_text(value)
        if match := _YEAR_MONTH.match(text):
            year, month = int(match.group(1)), int(match.group(2) or match.group(3))
            if not 1 <= month <= 12:
                raise normalize.Problem(
                    gettext_noop("not a month: %(value)r (use e.g. 2024-03)"), value=text
                )
            return dt.date(year, month, 1)
        try:
            date = normalize.parse_date(text, today=today, slash_order=slash_order)
        except ValueError:
            raise normalize.Problem(
                gettext_noop("not a month: %(value)r (use e.g. 2024-03)"), value=text
            ) from None
    if date.day != 1:
        raise normalize.Problem(
            gettext_noop("a month is written as 2024-03 or as its first day, not %(value)s"),
            value=date.isoformat(),
        )
    return date


def plan_revenue(ctx: ImportContext) -> Plan:
    codes = customer_ids()
    existing = {
        (r["customer_id"], r["month"]): r
        for r in MonthlyRevenue.objects.values("customer_id", "month", "amount")
    }
    incoming = []
    seen: dict[tuple[int, dt.date], int] = {}
    for row in ctx.rows:
        customer = resolve_customer(ctx, row, codes)
        raw = row.values.get("month")
        month = None
        if not raw:
            ctx.error(row, "month", _("the month is required"))
        else:
            try:
                month = parse_month(
                    raw, today=ctx.today, slash_order=ctx.mapping.options.date_order
                )
            except ValueError as exc:
                ctx.error(row, "month", explain(exc))
        if customer is None or month is None:
            continue
        if (customer, month) in seen:  # "2024-03" and "2024-03-01" are the same month
            reason = _("duplicate %(key)s: also on row %(row)d")
            ctx.error(
                row, "month", reason % {"key": "customer + month", "row": seen[(customer, month)]}
            )
            continue
        seen[(customer, month)] = row.number
        given = {}
        if "amount" in row.values:
            given["amount"] = money(row.values["amount"])
        incoming.append(
            (row, (customer, month), {"customer_id": customer, "month": month, **given})
        )
    new_rows, changed_rows, counts = merge_rows(
        ctx,
        needs=gettext_noop("a new monthly revenue needs %(field)s"),
        existing=existing,
        incoming=incoming,
        defaults={"amount": None},
        required={"amount": "amount"},
    )

    def write() -> None:
        save_rows(MonthlyRevenue, new_rows, changed_rows, ["customer_id", "month"], ["amount"])

    return Plan(counts={"monthly_revenue": counts}, write=write)


def export_revenue(queryset: QuerySet) -> Iterator[list[Any]]:
    rows = queryset.order_by("customer__code", "month").values_list(
        "customer__code", "month", "amount"
    )
    for code, month, amount in rows.iterator(chunk_size=10000):
        yield [code, month.strftime("%Y-%m"), amount]
