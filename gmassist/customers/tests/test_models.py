"""The customers tables keep their rules in the database, with sentences people can read."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from gmassist.customers.models import (
    GroupCustomer,
    ManagerHistory,
    MonthlyRevenue,
    ServiceContact,
    TierHistory,
)
from gmassist.customers.tests.factories import make_book


@pytest.fixture
def book(cast):
    return make_book(cast)


def rejected(obj) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        obj.save()


def test_a_new_customer_is_untiered_active_and_served_by_an_account_manager(book):
    customer = GroupCustomer.objects.get(code="C3")
    assert (customer.tier, customer.status, customer.service_channel, customer.products) == (
        "",
        "active",
        "account_manager",
        [],
    )
    assert str(customer) == "Crane (C3)"


def test_the_database_rejects_a_contract_that_ends_before_it_starts(book):
    customer = book["C1"]
    customer.contract_start, customer.contract_end = dt.date(2025, 2, 1), dt.date(2025, 1, 1)
    rejected(customer)
    with pytest.raises(ValidationError) as caught:
        customer.full_clean()
    assert "A contract cannot end before it starts." in str(caught.value)


def test_the_database_rejects_an_unknown_tier_and_a_duplicate_code(book):
    rejected(GroupCustomer(code="C9", name="X", tier="D"))
    rejected(GroupCustomer(code="C1", name="Again"))


def test_a_month_of_revenue_is_its_first_day_and_there_is_one_per_customer(book):
    rejected(MonthlyRevenue(customer=book["C1"], month=dt.date(2025, 1, 15), amount=1))
    MonthlyRevenue.objects.create(customer=book["C1"], month=dt.date(2025, 1, 1), amount=-5)
    rejected(MonthlyRevenue(customer=book["C1"], month=dt.date(2025, 1, 1), amount=1))
    with pytest.raises(ValidationError) as caught:
        MonthlyRevenue(customer=book["C2"], month=dt.date(2025, 1, 2), amount=1).full_clean()
    assert "A month is stored as its first day." in str(caught.value)


def test_satisfaction_is_from_1_to_5(book):
    contact = ServiceContact(
        customer=book["C1"], date=dt.date(2025, 1, 1), channel="branch", kind="visit"
    )
    contact.satisfaction = 6
    rejected(contact)
    contact.satisfaction = 5
    contact.save()


def test_a_history_entry_must_change_something(book):
    now = timezone.now()
    rejected(TierHistory(customer=book["C1"], from_tier="A", to_tier="A", at=now))
    manager = book["C1"].account_manager
    rejected(ManagerHistory(customer=book["C1"], from_manager=manager, to_manager=manager, at=now))
    rejected(ManagerHistory(customer=book["C1"], at=now))
    TierHistory.objects.create(customer=book["C1"], from_tier="", to_tier="A", at=now)
