"""The group customers: code, name, industry (by code or unique name, created when missing),
scale, region, contract, products (one cell, codes separated by ";" or ","), status, tier,
service channel, account manager (by employee number), and who to call there (contact person,
phone, e-mail, address)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gmassist.core.imports import (
    CHOICE,
    DATE,
    INT,
    NAME,
    REF,
    TEXT,
    CatalogueLookup,
    Column,
    ImportContext,
    ParsedRow,
    Plan,
    column_choices,
    count,
    given_values,
    merge_rows,
    save_rows,
    text_or_empty,
)
from gmassist.customers.choices import CustomerStatus, ServiceChannel, Tier
from gmassist.customers.importers.catalogue import create_industries, industry_lookup
from gmassist.customers.importers.common import customer_code
from gmassist.customers.models import AccountManager, GroupCustomer
from gmassist.lib import normalize

PRODUCT_SEPARATOR = ";"

CUSTOMER_COLUMNS = (
    Column("code", max_length=40),
    Column("name", NAME, max_length=200),
    Column("industry", REF),
    Column("scale", INT),
    Column("region", NAME, max_length=100),
    Column("contract_start", DATE),
    Column("contract_end", DATE),
    Column("products", TEXT),
    Column("status", CHOICE, choices=column_choices(CustomerStatus)),
    Column("tier", CHOICE, choices=column_choices(Tier)),
    Column("service_channel", CHOICE, choices=column_choices(ServiceChannel)),
    Column("account_manager", REF),
    Column("contact_name", NAME, max_length=200),
    Column("contact_phone", max_length=50),
    Column("contact_email", max_length=254),
    Column("address", max_length=300),
)
# the contact columns, stored as "" when the cell is empty
CONTACT_FIELDS = ("contact_name", "contact_phone", "contact_email", "address")
_CUSTOMER_FIELDS = [
    "name",
    "industry_id",
    "scale",
    "region",
    "contract_start",
    "contract_end",
    "products",
    "status",
    "tier",
    "service_channel",
    "account_manager_id",
    *CONTACT_FIELDS,
]
CUSTOMER_DEFAULTS = {  # the columns of a new customer the file does not give
    "name": None,
    "industry_id": None,
    "scale": None,
    "region": "",
    "contract_start": None,
    "contract_end": None,
    "products": [],
    "status": CustomerStatus.ACTIVE.value,
    "tier": "",
    "service_channel": ServiceChannel.ACCOUNT_MANAGER.value,
    "account_manager_id": None,
    **dict.fromkeys(CONTACT_FIELDS, ""),
}


def _products(value: str | None) -> list[str]:
    if not value:
        return []
    parts = (normalize.clean_name(p) for p in re.split(r"[;,]", value))
    return list(dict.fromkeys(p for p in parts if p))  # in order, without repeats


# the columns a customer row gives as they are: field -> attname
_GIVEN_AS_IS = {
    "name": "name",
    "scale": "scale",
    "contract_start": "contract_start",
    "contract_end": "contract_end",
    "status": "status",
    "tier": "tier",
    "service_channel": "service_channel",
}


def plan_customers(ctx: ImportContext) -> Plan:
    existing = {r["code"]: r for r in GroupCustomer.objects.values("code", *_CUSTOMER_FIELDS)}
    industries = industry_lookup()
    managers = dict(AccountManager.objects.values_list("employee__employee_no", "id"))
    incoming = []
    for row in ctx.rows:
        code = row.values.get("code")
        if not code:
            ctx.error(row, "code", _("the code is required"))
            continue
        code = customer_code(code)
        given = _customer_given(ctx, row)
        if "industry" in row.values:
            given["industry_id"] = _industry_id(ctx, row, industries)
        if "account_manager" in row.values:
            given["account_manager_id"] = _account_manager_id(ctx, row, managers)
        merged = {**CUSTOMER_DEFAULTS, **existing.get(code, {}), **given}
        start, end = merged["contract_start"], merged["contract_end"]
        if start and end and end < start:
            ctx.error(row, "contract_end", _("the contract cannot end before it starts"))
        incoming.append((row, code, {"code": code, **given}))
    new_rows, changed_rows, counts = merge_rows(
        ctx,
        needs=gettext_noop("a new customer needs %(field)s"),
        existing=existing,
        incoming=incoming,
        defaults=CUSTOMER_DEFAULTS,
        required={"name": "name"},
    )

    def write() -> None:
        industry_ids = create_industries(industries)
        for row in (*new_rows, *changed_rows):
            if isinstance(row["industry_id"], str):
                row["industry_id"] = industry_ids[row["industry_id"]]
        save_rows(GroupCustomer, new_rows, changed_rows, ["code"], _CUSTOMER_FIELDS)

    return Plan(
        counts={"customers": counts, "industries": count(created=len(industries.new))},
        write=write,
    )


def _customer_given(ctx: ImportContext, row: ParsedRow) -> dict[str, Any]:
    """The columns `row` gives other than its references, as stored (an empty status, tier
    or service channel is the default one); a scale out of range is an error."""
    values = row.values
    given = given_values(row, _GIVEN_AS_IS)
    for name, default in (("status", CustomerStatus.ACTIVE), ("tier", "")):
        if name in given and given[name] is None:
            given[name] = str(default)
    if "service_channel" in given and given["service_channel"] is None:
        given["service_channel"] = ServiceChannel.ACCOUNT_MANAGER.value
    for name in ("region", *CONTACT_FIELDS):
        if name in values:
            given[name] = text_or_empty(values[name])
    if given.get("contact_email") and not normalize.looks_like_email(given["contact_email"]):
        ctx.error(row, "contact_email", _("not an e-mail address"))
    if "products" in values:
        given["products"] = _products(values["products"])
    if given.get("scale") is not None and not 0 <= given["scale"] <= 2_147_483_647:
        ctx.error(row, "scale", _("must not be negative"))
    return given


def _industry_id(ctx: ImportContext, row: ParsedRow, industries: CatalogueLookup) -> Any:
    """The industry's id, or the code of one to create (a str), or None (empty, or an
    ambiguous name: a row error)."""
    value = row.values["industry"]
    if not value:
        return None
    try:
        pk, new_code = industries.resolve(value)
    except ValueError as exc:
        ctx.error(row, "industry", str(exc))
        return None
    return pk if pk is not None else new_code


def _account_manager_id(ctx: ImportContext, row: ParsedRow, managers: dict[str, int]) -> int | None:
    """The account manager's id (`managers`: employee number -> id); None when empty, or
    with a row error when the employee is no account manager."""
    number = row.values["account_manager"]
    if not number:
        return None
    pk = managers.get(number)
    if pk is None:
        ctx.error(row, "account_manager", _("no account manager with this employee number"))
    return pk


def export_customers(queryset: QuerySet) -> Iterator[list[Any]]:
    rows = queryset.order_by("code").values_list(
        "code",
        "name",
        "industry__code",
        "scale",
        "region",
        "contract_start",
        "contract_end",
        "products",
        "status",
        "tier",
        "service_channel",
        "account_manager__employee__employee_no",
        *CONTACT_FIELDS,
    )
    for row in rows.iterator(chunk_size=5000):
        values = list(row)
        values[7] = PRODUCT_SEPARATOR.join(values[7] or [])
        yield values
