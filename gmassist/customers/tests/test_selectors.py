"""Customers visible to a user and their trailing-12-month revenue for the tiering engine."""

import datetime as dt
from decimal import Decimal

from gmassist.customers.engine.tiering import CustomerRecord, tier_customers
from gmassist.customers.models import GroupCustomer, MonthlyRevenue
from gmassist.customers.selectors import customer_revenue_records, customers_visible
from gmassist.customers.tests.factories import make_book


def _revenue(customer, year, month, amount):
    MonthlyRevenue.objects.create(
        customer=customer, month=dt.date(year, month, 1), amount=Decimal(amount)
    )


def test_customers_visible_is_scoped(cast):
    make_book(cast)
    assert [c.code for c in customers_visible(user=cast.account_manager)] == ["C1"]
    assert [c.code for c in customers_visible(user=cast.gm)] == ["C1", "C2", "C3"]
    assert list(customers_visible(user=cast.hr)) == []


def test_trailing_revenue_sums_the_12_months_to_as_of_and_the_12_before(
    cast, django_assert_num_queries
):
    book = make_book(cast)
    _revenue(book["C1"], 2025, 3, "100")  # as-of month: counts
    _revenue(book["C1"], 2024, 4, "50")  # 12th month back: counts
    _revenue(book["C1"], 2024, 3, "7")  # 13th month back: previous year
    _revenue(book["C1"], 2023, 4, "3")  # 24th month back: previous year
    _revenue(book["C1"], 2023, 3, "1000")  # too old
    _revenue(book["C1"], 2025, 4, "1000")  # after as-of
    _revenue(book["C2"], 2025, 1, "-20")  # returns
    GroupCustomer.objects.create(code="C4", name="Gone", status="lost")

    with django_assert_num_queries(1):
        records = customer_revenue_records(user=cast.gm, as_of=dt.date(2025, 3, 31))

    assert records == [
        CustomerRecord(book["C1"].pk, 150.0, 10.0, 500.0, "Telecom"),
        CustomerRecord(book["C2"].pk, -20.0, 0.0, 0.0, ""),
        CustomerRecord(book["C3"].pk, 0.0, 0.0, 0.0, ""),
    ]
    assert len(tier_customers(records)) == 3
    mine = customer_revenue_records(user=cast.account_manager, as_of=dt.date(2025, 3, 1))
    assert [r.customer_id for r in mine] == [book["C1"].pk]
