"""The catalogues customers refer to: industries (by code or unique name, created when a
customer file names a new one) and account managers (employees, by employee number)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gmassist.core.imports import (
    BOOL,
    INT,
    NAME,
    REF,
    CatalogueLookup,
    Column,
    ImportContext,
    Plan,
    given_values,
    merge_rows,
    out_of_range_reason,
    save_rows,
    text_or_empty,
)
from gmassist.customers.models import AccountManager, Industry
from gmassist.lib.bulk import bulk_upsert, ids_by_key
from gmassist.org.models import Employee

# --- industries ------------------------------------------------------------------------------

INDUSTRY_COLUMNS = (
    Column("code", max_length=40),
    Column("name", NAME, max_length=200),
    Column("strategic", BOOL),
)


def plan_industries(ctx: ImportContext) -> Plan:
    existing = {r["code"]: r for r in Industry.objects.values("code", "name", "strategic")}
    incoming = []
    for row in ctx.rows:
        code = row.values.get("code")
        if not code:
            ctx.error(row, "code", _("the code is required"))
            continue
        given = given_values(row, {"name": "name", "strategic": "strategic"})
        if "strategic" in given and given["strategic"] is None:
            given["strategic"] = False
        incoming.append((row, code, {"code": code, **given}))
    new_rows, changed_rows, counts = merge_rows(
        ctx,
        needs=gettext_noop("a new industry needs %(field)s"),
        existing=existing,
        incoming=incoming,
        defaults={"name": None, "strategic": False},
        required={"name": "name"},
    )

    def write() -> None:
        save_rows(Industry, new_rows, changed_rows, ["code"], ["name", "strategic"])

    return Plan(counts={"industries": counts}, write=write)


def export_industries(queryset: QuerySet) -> Iterator[list[Any]]:
    for row in queryset.order_by("code").values_list("code", "name", "strategic").iterator(2000):
        yield list(row)


# --- account managers ------------------------------------------------------------------------

ACCOUNT_MANAGER_COLUMNS = (
    Column("employee", REF),
    Column("region", NAME, max_length=100),
    Column("capacity", INT),
)


def plan_account_managers(ctx: ImportContext) -> Plan:
    numbers = ids_by_key(Employee, ["employee_no"])
    existing = {
        r["employee_id"]: r
        for r in AccountManager.objects.values("employee_id", "region", "capacity")
    }
    incoming = []
    for row in ctx.rows:
        number = row.values.get("employee")
        if not number:
            ctx.error(row, "employee", _("the employee number is required"))
            continue
        employee = numbers.get(number)
        if employee is None:
            ctx.error(row, "employee", _("no employee with this employee number"))
            continue
        given = given_values(row, {"region": "region", "capacity": "capacity"})
        if "region" in given:
            given["region"] = text_or_empty(given["region"])
        if given.get("capacity") is not None and not 0 <= given["capacity"] <= 1_000_000:
            ctx.error(row, "capacity", out_of_range_reason(0, 1_000_000))
        if "capacity" in given and given["capacity"] is None:
            del given["capacity"]
        incoming.append((row, employee, {"employee_id": employee, **given}))
    new_rows, changed_rows, counts = merge_rows(
        ctx,
        needs=gettext_noop("a new account manager needs %(field)s"),
        existing=existing,
        incoming=incoming,
        defaults={"region": "", "capacity": AccountManager._meta.get_field("capacity").default},
        required={},
    )

    def write() -> None:
        save_rows(AccountManager, new_rows, changed_rows, ["employee_id"], ["region", "capacity"])

    return Plan(counts={"account_managers": counts}, write=write)


def export_account_managers(queryset: QuerySet) -> Iterator[list[Any]]:
    rows = queryset.order_by("employee__employee_no").values_list(
        "employee__employee_no", "region", "capacity"
    )
    for row in rows.iterator(chunk_size=2000):
        yield list(row)


def industry_lookup() -> CatalogueLookup:
    """The stored industries, to find one by code or unique name (or plan a new one)."""
    return CatalogueLookup(
        list(Industry.objects.values_list("id", "code", "name")),
        ambiguous=gettext_noop("%(count)d industries are named %(value)r: give the code"),
        max_length=40,
    )


def create_industries(industries: CatalogueLookup) -> dict[str, int]:
    """Create the industries planned by `industries`; every code -> id."""
    if industries.new:
        bulk_upsert(
            Industry,
            [{"code": c, "name": n[:200], "strategic": False} for c, n in industries.new.items()],
            unique_fields=["code"],
            update_fields=["name"],
        )
    return ids_by_key(Industry, ["code"])
