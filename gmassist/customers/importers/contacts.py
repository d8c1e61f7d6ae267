"""Service contacts: a customer's calls, visits and tickets, keyed by (customer, date,
channel, kind), with a satisfaction score, whether it was resolved and a summary."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gmassist.core.imports import (
    BOOL,
    CHOICE,
    DATE,
    INT,
    REF,
    TEXT,
    Column,
    ImportContext,
    Plan,
    column_choices,
    given_values,
    merge_rows,
    out_of_range_reason,
    save_rows,
    text_or_empty,
)
from gmassist.customers.choices import ContactKind, ServiceChannel
from gmassist.customers.importers.common import customer_ids, resolve_customer
from gmassist.customers.models import ServiceContact

SUMMARY_MAX_LENGTH = 2000  # characters: a note of what was said, not a document

CONTACT_COLUMNS = (
    Column("customer", REF),
    Column("date", DATE),
    Column("channel", CHOICE, choices=column_choices(ServiceChannel)),
    Column("kind", CHOICE, choices=column_choices(ContactKind)),
    Column("satisfaction", INT),
    Column("resolved", BOOL),
    Column("summary", TEXT, max_length=SUMMARY_MAX_LENGTH),
)


def plan_contacts(ctx: ImportContext) -> Plan:
    codes = customer_ids()
    existing = {
        (r["customer_id"], r["date"], r["channel"], r["kind"]): r
        for r in ServiceContact.objects.values(
            "customer_id", "date", "channel", "kind", "satisfaction", "resolved", "summary"
        )
    }
    incoming = []
    seen: dict[tuple, int] = {}
    for row in ctx.rows:
        customer = resolve_customer(ctx, row, codes)
        key_values = [row.values.get(name) for name in ("date", "channel", "kind")]
        for name, value in zip(("date", "channel", "kind"), key_values, strict=True):
            if not value:
                ctx.error(row, name, _("%(field)s is required") % {"field": name})
        if customer is None or not all(key_values):
            continue
        key = (customer, *key_values)
        if key in seen:  # "17850" and "17850.0" are the same customer
            reason = _("duplicate %(key)s: also on row %(row)d")
            ctx.error(
                row, "kind", reason % {"key": "customer + date + channel + kind", "row": seen[key]}
            )
            continue
        seen[key] = row.number
        given = given_values(
            row, {"satisfaction": "satisfaction", "resolved": "resolved", "summary": "summary"}
        )
        if given.get("satisfaction") is not None and not 1 <= given["satisfaction"] <= 5:
            ctx.error(row, "satisfaction", out_of_range_reason(1, 5))
        if "resolved" in given and given["resolved"] is None:
            given["resolved"] = False
        if "summary" in given:
            given["summary"] = text_or_empty(given["summary"])
        date, channel, kind = key_values
        incoming.append(
            (
                row,
                key,
                {"customer_id": customer, "date": date, "channel": channel, "kind": kind, **given},
            )
        )
    new_rows, changed_rows, counts = merge_rows(
        ctx,
        needs=gettext_noop("a new service contact needs %(field)s"),
        existing=existing,
        incoming=incoming,
        defaults={"satisfaction": None, "resolved": False, "summary": ""},
        required={},
    )

    def write() -> None:
        save_rows(
            ServiceContact,
            new_rows,
            changed_rows,
            ["customer_id", "date", "channel", "kind"],
            ["satisfaction", "resolved", "summary"],
        )

    return Plan(counts={"service_contacts": counts}, write=write)


def export_contacts(queryset: QuerySet) -> Iterator[list[Any]]:
    rows = queryset.order_by("customer__code", "date", "channel", "kind").values_list(
        "customer__code", "date", "channel", "kind", "satisfaction", "resolved", "summary"
    )
    for row in rows.iterator(chunk_size=10000):
        yield list(row)
