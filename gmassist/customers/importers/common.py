"""What the group-customer imports share: a customer's code as a file writes it, and finding
a customer by it."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

from gmassist.core.imports import ImportContext, ParsedRow
from gmassist.customers.models import GroupCustomer
from gmassist.lib import normalize
from gmassist.lib.bulk import ids_by_key

FLOAT_ID = re.compile(r"^(-?\d+)\.0*$")


def customer_code(value: Any) -> str:
    """A customer id as a code: trimmed, "17850.0" read as "17850"."""
    text = normalize.clean_text(value)
    match = FLOAT_ID.match(text)
    return match.group(1) if match else text


def customer_ids() -> dict[str, int]:
    """Every stored customer: code -> id."""
    return ids_by_key(GroupCustomer, ["code"])


def resolve_customer(ctx: ImportContext, row: ParsedRow, codes: dict[str, int]) -> int | None:
    """The id of the customer `row` names (by code, `codes`: code -> id); None, with a row
    error, when it names none or an unknown one."""
    value = row.values.get("customer")
    if not value:
        ctx.error(row, "customer", _("the customer is required"))
        return None
    pk = codes.get(customer_code(value))
    if pk is None:
        ctx.error(row, "customer", _("no customer with this code"))
    return pk
