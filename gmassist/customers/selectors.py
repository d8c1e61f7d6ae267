"""Reads of group customers, always scoped to the requesting user."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from gmassist.core.choices import Action
from gmassist.customers.choices import CustomerStatus
from gmassist.customers.engine.tiering import CustomerRecord
from gmassist.customers.models import GroupCustomer

if TYPE_CHECKING:
    from gmassist.core.models import User


def customers_visible(*, user: User | None, action: str = Action.VIEW) -> QuerySet[GroupCustomer]:
    """The customers `user` may see (or change, export: `action`), with industry and manager."""
    return (
        GroupCustomer.objects.restrict(user, action)
        .select_related("industry", "account_manager__employee")
        .order_by("code")
    )


def _months_back(month: dt.date, count: int) -> dt.date:
    """The first day of the month `count` months before `month`'s."""
    index = month.year * 12 + month.month - 1 - count
    return dt.date(index // 12, index % 12 + 1, 1)


def customer_revenue_records(
    *, user: User | None, as_of: dt.date, include_lost: bool = False
) -> list[CustomerRecord]:
    """Each visible customer's revenue in the 12 months up to and including `as_of`'s month and
    in the 12 before, with scale and industry name: the input of `engine.tiering.tier_customers`.

    One query (two filtered sums over the revenue rows); money in the company's currency as
    floats, customers with no revenue at 0. Lost customers are left out unless `include_lost`.
    """
    end = as_of.replace(day=1)
    start, prev_start = _months_back(end, 11), _months_back(end, 23)
    zero = Value(Decimal(0), output_field=DecimalField(max_digits=18, decimal_places=2))
    customers = customers_visible(user=user)
    if not include_lost:
        customers = customers.exclude(status=CustomerStatus.LOST)
    rows = (
        customers.order_by()
        .annotate(
            revenue_12m=Coalesce(
                Sum(
                    "revenue__amount", filter=Q(revenue__month__gte=start, revenue__month__lte=end)
                ),
                zero,
            ),
            revenue_prev_12m=Coalesce(
                Sum(
                    "revenue__amount",
                    filter=Q(revenue__month__gte=prev_start, revenue__month__lt=start),
                ),
                zero,
            ),
        )
        .values_list("id", "revenue_12m", "revenue_prev_12m", "scale", "industry__name")
        .order_by("code")
    )
    return [
        CustomerRecord(
            customer_id=pk,
            revenue_12m=float(revenue),
            revenue_prev_12m=float(previous),
            scale=float(scale or 0),
            industry=industry or "",
        )
        for pk, revenue, previous, scale, industry in rows
    ]
