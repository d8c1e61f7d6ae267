"""Transactions (invoice lines) have no key of their own: they are aggregated into
MonthlyRevenue per customer and month, and the file's total *replaces* the stored amount of
every (customer, month) it holds, so importing the same file twice changes nothing (a file
should hold whole months). A line is a return when its invoice number starts with "C" or its
quantity or amount is negative; it counts negative. Lines without a customer id are counted
and skipped with one warning. A customer not in the database is an error, or is created when
the mapping says `create_missing_customers = true` in [options]."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gmassist.core.imports import (
    DATE,
    DECIMAL,
    NAME,
    REF,
    TEXT,
    Column,
    ImportContext,
    ParsedRow,
    Plan,
    count,
    money,
    text_or_empty,
)
from gmassist.customers.importers.common import customer_code, customer_ids
from gmassist.customers.importers.customers import CUSTOMER_DEFAULTS
from gmassist.customers.models import GroupCustomer, MonthlyRevenue
from gmassist.lib.bulk import bulk_upsert

TRANSACTION_COLUMNS = (
    Column("invoice", TEXT, max_length=60),
    Column("customer", REF),
    Column("date_time", DATE),
    Column("quantity", DECIMAL),
    Column("unit_price", DECIMAL),
    Column("amount", DECIMAL),
    Column("customer_name", NAME, max_length=200),
    Column("region", NAME, max_length=100),
)


def is_return(invoice: str | None, quantity: Decimal | None, amount: Decimal | None) -> bool:
    """A cancellation: invoice number starting with "C", or a negative quantity or amount."""
    return bool(
        (invoice and invoice[:1] in "Cc")
        or (quantity is not None and quantity < 0)
        or (amount is not None and amount < 0)
    )


def plan_transactions(ctx: ImportContext) -> Plan:
    codes = customer_ids()
    _check_columns(ctx)
    lines = _MonthlyTotals(ctx, codes)
    for row in ctx.rows:
        lines.add(row)
    lines.warn_skipped()
    to_write, revenue_counts = _compare_with_stored(lines.totals, codes)
    new_customers = lines.new_customers

    def write() -> None:
        _write_totals(codes, new_customers, to_write)

    return Plan(
        counts={
            "transactions": {
                "lines": lines.lines,
                "returns": lines.returns,
                "skipped": lines.skipped,
            },
            "monthly_revenue": revenue_counts,
            "customers": count(created=len(new_customers)),
        },
        write=write,
    )


def _check_columns(ctx: ImportContext) -> None:
    """Whole-file errors: no amount (nor quantity and unit price), no customer column."""
    if not ctx.has("amount") and not (ctx.has("quantity") and ctx.has("unit_price")):
        ctx.error(None, "amount", _("the file needs an amount, or a quantity and a unit price"))
    if not ctx.has("customer"):
        ctx.error(None, "customer", _("the file has no column for the customer id"))


class _MonthlyTotals:
    """The lines of a file summed per (customer code, month): `totals` in the currency of
    the amounts (Decimals, not rounded yet), with the lines counted, returns negative."""

    def __init__(self, ctx: ImportContext, codes: dict[str, int]):
        self.ctx = ctx
        self.codes = codes  # stored customers: code -> id
        self.create_missing = ctx.mapping.options.create_missing_customers
        self.totals: dict[tuple[str, dt.date], Decimal] = {}
        self.new_customers: dict[str, dict[str, Any]] = {}  # code -> name and region
        self.lines = self.returns = self.skipped = 0

    def add(self, row: ParsedRow) -> None:
        """Add one line (or report why it cannot be added; a line with no customer id is
        only counted as skipped)."""
        values = row.values
        raw_customer = values.get("customer")
        if not raw_customer:
            self.skipped += 1
            return
        code = customer_code(raw_customer)
        date = values.get("date_time")
        if date is None:
            self.ctx.error(row, "date_time", _("the date is required"))
        amount = self._amount(row)
        if amount is None or not self._known_customer(row, code) or date is None:
            return
        self.lines += 1
        if is_return(values.get("invoice"), values.get("quantity"), amount):
            self.returns += 1
            amount = -abs(amount)
        month = date.replace(day=1)
        self.totals[(code, month)] = self.totals.get((code, month), Decimal(0)) + amount

    def _amount(self, row: ParsedRow) -> Decimal | None:
        """The line's amount: as given, else quantity x unit price (None, with a row error,
        when neither)."""
        values = row.values
        amount = values.get("amount")
        if amount is not None:
            return amount
        quantity, price = values.get("quantity"), values.get("unit_price")
        if quantity is None or price is None:
            name = "quantity" if quantity is None else "unit_price"
            self.ctx.error(row, name, _("a line needs an amount, or a quantity and a unit price"))
            return None
        return quantity * price

    def _known_customer(self, row: ParsedRow, code: str) -> bool:
        """Whether the line's customer exists or is created (`create_missing`); a row error
        otherwise."""
        if code in self.codes or code in self.new_customers:
            return True
        if self.create_missing:
            values = row.values
            name = values.get("customer_name") or code
            self.new_customers[code] = {"name": name, "region": text_or_empty(values.get("region"))}
            return True
        self.ctx.error(
            row,
            "customer",
            _(
                "no customer with this code (set create_missing_customers = true"
                " in [options] to create it)"
            ),
        )
        return False

    def warn_skipped(self) -> None:
        """One warning for all the lines without a customer id."""
        if not self.skipped:
            return
        reason = ngettext(
            "%(count)d line has no customer id and was skipped",
            "%(count)d lines have no customer id and were skipped",
            self.skipped,
        )
        self.ctx.warning(None, "customer", reason % {"count": self.skipped}, value="")


def _compare_with_stored(
    totals: dict[tuple[str, dt.date], Decimal], codes: dict[str, int]
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The monthly revenue rows to write (customer code, month, amount rounded to cents) and
    the counts: a total equal to the stored amount is unchanged and not written."""
    customer_ids = {code: codes.get(code) for code, _month in totals}
    existing = {
        (r["customer_id"], r["month"]): r["amount"]
        for r in MonthlyRevenue.objects.filter(
            customer_id__in=[pk for pk in customer_ids.values() if pk is not None],
            month__in=sorted({month for _code, month in totals}),
        ).values("customer_id", "month", "amount")
    }
    to_write: list[dict[str, Any]] = []
    created = updated = unchanged = 0
    for (code, month), total in totals.items():
        amount = money(total)
        pk = customer_ids[code]
        stored = existing.get((pk, month)) if pk is not None else None
        if stored is None:
            created += 1
        elif stored == amount:
            unchanged += 1
            continue
        else:
            updated += 1
        to_write.append({"code": code, "month": month, "amount": amount})
    return to_write, count(created, updated, unchanged)


def _write_totals(
    codes: dict[str, int], new_customers: dict[str, dict[str, Any]], to_write: list[dict[str, Any]]
) -> None:
    """Create the new customers, then write the monthly revenue over what is stored."""
    ids = codes
    if new_customers:
        bulk_upsert(
            GroupCustomer,
            [
                {**CUSTOMER_DEFAULTS, "code": code, "name": row["name"], "region": row["region"]}
                for code, row in new_customers.items()
            ],
            unique_fields=["code"],
            update_fields=["name"],
        )
        ids = customer_ids()
    bulk_upsert(
        MonthlyRevenue,
        [
            {"customer_id": ids[r["code"]], "month": r["month"], "amount": r["amount"]}
            for r in to_write
        ],
        unique_fields=["customer_id", "month"],
        update_fields=["amount"],
    )


def export_transactions(queryset: QuerySet) -> Iterator[list[Any]]:
    """Monthly revenue as one line per customer and month (dated the 1st): importing it back
    as transactions gives the same monthly revenue."""
    rows = queryset.order_by("customer__code", "month").values_list(
        "customer__code", "month", "amount", "customer__name", "customer__region"
    )
    for code, month, amount, name, region in rows.iterator(chunk_size=10000):
        yield ["", code, month, None, None, amount, name, region]
