"""The customers' sources of Today (office.today.registry): A-tier customers at high churn risk
(the `customer_list` churn bands, on the latest score the reader may see) or without an account
manager, and the account managers whose workload is over their capacity
(`account_manager_list(over_capacity=True)`). Registered when the customers' urls.py is
imported."""

from __future__ import annotations

from typing import Any

from django.db.models import DateTimeField, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from gmassist.customers import selectors
from gmassist.customers.choices import CustomerStatus, Tier
from gmassist.customers.models import ChurnScore, ManagerHistory, TierHistory
from gmassist.office.today.registry import (
    TodayAction,
    TodayItem,
    TodaySource,
    Weight,
    register_today_source,
)

# A lost customer is no longer a matter for today: it is in the churn analysis.
_SERVED = (CustomerStatus.ACTIVE, CustomerStatus.DORMANT)


def _latest(history: Any, **match: Any) -> Subquery:
    return Subquery(
        history.filter(**match).order_by("-at").values("at")[:1], output_field=DateTimeField()
    )


def key_customers_at_risk(*, user: Any) -> tuple[list[Any], set[int]]:
    """The A-tier customers `user` may see that are at high churn risk or have no account
    manager (each once, by code), and the ids of those at high risk."""
    at_risk = selectors.customer_list(user=user, tier=Tier.A, churn="high").filter(
        status__in=_SERVED
    )
    unassigned = selectors.customer_list(user=user, tier=Tier.A, unassigned=True).filter(
        status__in=_SERVED
    )
    risky_ids = set(at_risk.values_list("pk", flat=True))
    ids = risky_ids | set(unassigned.values_list("pk", flat=True))
    customers = (
        selectors.customer_list(user=user, tier=Tier.A)
        .filter(pk__in=sorted(ids))
        .annotate(
            # when it last lost its manager or became A-tier: how long it has gone unserved
            unserved_since=Coalesce(
                Greatest(
                    _latest(ManagerHistory.objects, customer=OuterRef("pk")),
                    _latest(TierHistory.objects, customer=OuterRef("pk"), to_tier=Tier.A),
                ),
                _latest(ManagerHistory.objects, customer=OuterRef("pk")),
                _latest(TierHistory.objects, customer=OuterRef("pk"), to_tier=Tier.A),
                "created_at",
            ),
            # when its latest score the reader may see (customer_list's churn_risk) was made
            scored_at=Subquery(
                selectors.scoped(ChurnScore.objects, user)
                .filter(customer=OuterRef("pk"))
                .order_by("-run__as_of", "-run_id")
                .values("run__created_at")[:1],
                output_field=DateTimeField(),
            ),
        )
    )
    return list(customers), risky_ids


def _why(customer: Any, at_risk: bool) -> str:
    risk = {"risk": round((customer.churn_risk or 0) * 100)}
    if at_risk and customer.account_manager_id is None:
        return gettext("A-tier, churn risk %(risk)s%%, and no account manager") % risk
    if at_risk:
        return gettext("A-tier at high churn risk (%(risk)s%%)") % risk
    return gettext("A-tier without an account manager")


def customer_items(user: Any) -> list[TodayItem]:
    customers, risky_ids = key_customers_at_risk(user=user)
    items = []
    for customer in customers:
        at_risk = customer.pk in risky_ids
        url = reverse("customers:customer", args=[customer.pk])
        manager = (
            str(customer.account_manager)
            if customer.account_manager_id
            else gettext("no account manager")
        )
        items.append(
            TodayItem(
                key=f"customers.groupcustomer:{customer.pk}",
                title=str(customer),
                why=_why(customer, at_risk),
                url=url,
                # at risk: since it was scored so; unserved: since it lost its manager
                since=customer.scored_at if at_risk else customer.unserved_since,
                weight=Weight.CRITICAL,
                action=TodayAction(kind="open", label=pgettext("a line of Today", "Open"), url=url),
                about=f"customers.groupcustomer:{customer.pk}",
                detail=gettext("%(industry)s · %(region)s · %(manager)s")
                % {
                    "industry": customer.industry or "—",
                    "region": customer.region or "—",
                    "manager": manager,
                },
            )
        )
    return items


def customer_count(user: Any) -> int:
    customers, _risky = key_customers_at_risk(user=user)
    return len(customers)


def managers_over_capacity(*, user: Any) -> Any:
    """The account managers `user` may see whose workload is over their capacity, the most
    loaded first, with `overloaded_since`: when they were last given a customer."""
    return selectors.account_manager_list(
        user=user, over_capacity=True, sort="-utilisation"
    ).annotate(
        overloaded_since=Coalesce(
            _latest(ManagerHistory.objects, to_manager=OuterRef("pk")), "created_at"
        )
    )


def manager_items(user: Any) -> list[TodayItem]:
    items = []
    for manager in managers_over_capacity(user=user):
        url = reverse("customers:manager", args=[manager.pk])
        items.append(
            TodayItem(
                key=f"customers.accountmanager:{manager.pk}",
                title=str(manager),
                why=gettext(
                    "Workload %(workload)s units over a capacity of %(capacity)s (%(share)s%%)"
                )
                % {
                    "workload": manager.workload,
                    "capacity": manager.capacity,
                    "share": round((manager.utilisation or 0) * 100),
                },
                url=url,
                since=manager.overloaded_since,
                weight=Weight.HIGH,
                action=TodayAction(kind="open", label=pgettext("a line of Today", "Open"), url=url),
                about=f"customers.accountmanager:{manager.pk}",
                detail=gettext("%(department)s · %(customers)s customers")
                % {
                    "department": manager.employee.department.name,
                    "customers": manager.customer_count,
                },
            )
        )
    return items


def manager_count(user: Any) -> int:
    return selectors.account_manager_list(user=user, over_capacity=True).count()


register_today_source(
    TodaySource(
        key="customers.key_customers",
        title=_("A-tier customers at risk"),
        order=60,
        items=customer_items,
        count=customer_count,
        url="/customers/?tier=A&churn=high",
    )
)
register_today_source(
    TodaySource(
        key="customers.managers",
        title=_("Account managers over capacity"),
        order=65,
        items=manager_items,
        count=manager_count,
        url="/customers/managers/?sort=-utilisation",
    )
)
