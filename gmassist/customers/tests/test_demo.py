"""The demo company's group customers: generated deterministically, churn driven by the planted
causes, written with the organisation."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command

from gmassist.core.models import User
from gmassist.customers.demo_causes import CHURN_FACTORS
from gmassist.customers.demo_generator import MONTHS, generate_customers, month_starts
from gmassist.customers.models import (
    AccountManager,
    CustomerPolicy,
    GroupCustomer,
    ManagerHistory,
    MonthlyRevenue,
    TierHistory,
)

AS_OF = dt.date(2026, 11, 24)
CITIES = np.array(["Beijing", "Shanghai", "Shenzhen", "Chengdu", "Wuhan", "Shenyang",
                   "Chongqing", "Xi'an"] * 10)  # fmt: skip


def make(seed: int = 1, n: int = 2000):
    return generate_customers(
        seed=seed,
        n_customers=n,
        as_of=AS_OF,
        candidate_people=np.arange(100, 180),
        candidate_cities=CITIES,
        must_manage=177,
    )


def test_the_same_seed_gives_the_same_customers():
    a, b = make(), make()
    assert np.array_equal(a.revenue, b.revenue)
    assert list(a.customers["tier"]) == list(b.customers["tier"])
    assert np.array_equal(a.contacts["customer"], b.contacts["customer"])
    assert not np.array_equal(a.revenue, make(seed=2).revenue)


def test_the_window_is_the_24_complete_months_before_as_of():
    starts = month_starts(AS_OF)
    assert len(starts) == MONTHS
    assert str(starts[0]) == "2024-11-01"
    assert str(starts[-1]) == "2026-10-01"


def test_the_demo_account_manager_is_one_of_20_managers_in_every_region():
    demo = make()
    assert len(demo.managers["person"]) == 20
    assert 177 in demo.managers["person"]
    assert len(set(demo.managers["region"])) == 8


def test_a_churned_customer_has_no_revenue_from_its_churn_month_on():
    demo = make()
    churn = demo.customers["churn_month"]
    lost = np.nonzero(churn >= 0)[0]
    assert len(lost) > 100
    for i in lost:
        assert demo.revenue[i, churn[i] :].sum() == 0
        assert demo.customers["status"][i] == "lost"


def test_every_planted_cause_pushed_some_churners():
    stats = make().factor_stats
    assert set(stats) == set(CHURN_FACTORS)
    assert all(count > 0 for count in stats.values()), stats


def test_capacity_covers_the_first_books_with_headroom():
    demo = make()
    tiers = demo.customers["tier"]
    workload = np.select([tiers == "A", tiers == "B"], [5, 2], 1)
    served = demo.customers["manager"] >= 0
    assert demo.managers["capacity"].sum() > workload[served].sum()


def test_revenue_is_concentrated_like_real_books():
    revenue = np.sort(make().revenue.sum(axis=1))[::-1]
    top_fifth = revenue[: len(revenue) // 5].sum() / revenue.sum()
    assert top_fifth > 0.7


@pytest.mark.django_db
def test_the_demo_command_writes_the_customers_with_the_am_users_book():
    call_command(
        "demo", "--tier", "S", "--seed", "1", "--as-of", AS_OF.isoformat(), stdout=StringIO()
    )
    assert GroupCustomer.objects.count() == 2000
    assert AccountManager.objects.count() == 20
    am = User.objects.get(username="am")
    manager = AccountManager.objects.get(employee=am.employee)
    assert manager.customers.count() > 20
    lost = GroupCustomer.objects.filter(status="lost")
    assert lost.exists()
    assert (
        not MonthlyRevenue.objects.filter(customer__in=lost, month__gt=lost.first().contract_end)
        .filter(customer=lost.first())
        .exists()
    )
    assert TierHistory.objects.count() == 2000
    assert ManagerHistory.objects.filter(from_manager__isnull=False).exists()
    assert CustomerPolicy.objects.filter(kind="tiering").count() == 1
