"""Who sees which group customers (DESIGN.md "Who sees what"), through `restrict`."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from gmassist.core.choices import Action
from gmassist.core.permissions import user_can
from gmassist.customers.models import (
    AccountManager,
    GroupCustomer,
    ManagerHistory,
    MonthlyRevenue,
    ServiceContact,
    TierHistory,
)
from gmassist.customers.tests.factories import make_book

ALL = {"C1", "C2", "C3"}
SEEN = {
    "gm": ALL,
    "assistant": ALL,
    "hr": set(),
    "head": {"C1"},  # Alice is in Sales, which Hank heads
    "employee": set(),
    "outsider": set(),  # Oscar serves C2 but logs in as an employee, not an account manager
    "account_manager": {"C1"},
}


def codes(model, user, action=Action.VIEW, path="customer__code"):
    return set(model.objects.restrict(user, action).values_list(path, flat=True))


@pytest.fixture
def book(cast):
    return make_book(cast)


@pytest.mark.parametrize(("role", "expected"), SEEN.items())
def test_each_role_sees_the_customers_design_allows(cast, book, role, expected):
    assert codes(GroupCustomer, getattr(cast, role), path="code") == expected


@pytest.mark.parametrize(("role", "expected"), SEEN.items())
def test_revenue_contacts_and_history_follow_their_customer(cast, book, role, expected):
    now = timezone.now()
    for customer in book.values():
        MonthlyRevenue.objects.create(customer=customer, month=dt.date(2025, 1, 1), amount=1)
        ServiceContact.objects.create(
            customer=customer, date=dt.date(2025, 1, 2), channel="call_centre", kind="inquiry"
        )
        TierHistory.objects.create(customer=customer, from_tier="", to_tier="B", at=now)
        ManagerHistory.objects.create(
            customer=customer, to_manager=AccountManager.objects.first(), at=now
        )
    user = getattr(cast, role)
    for model in (MonthlyRevenue, ServiceContact, TierHistory, ManagerHistory):
        assert codes(model, user) == expected, model.__name__


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("gm", ALL),
        ("assistant", ALL),
        ("hr", set()),
        ("head", set()),  # read only
        ("employee", set()),
        ("account_manager", {"C1"}),
    ],
)
def test_only_the_gms_office_and_the_own_manager_may_change_a_customer(cast, book, role, expected):
    assert codes(GroupCustomer, getattr(cast, role), Action.CHANGE, path="code") == expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("gm", {"E005", "E006"}),
        ("assistant", {"E005", "E006"}),
        ("hr", set()),
        ("head", {"E006"}),
        ("employee", set()),
        ("account_manager", {"E006"}),
    ],
)
def test_account_managers_are_seen_like_their_books(cast, book, role, expected):
    seen = codes(AccountManager, getattr(cast, role), path="employee__employee_no")
    assert seen == expected


@pytest.mark.parametrize("role", ["gm", "assistant"])
def test_only_the_gms_office_may_import_customers(cast, book, role):
    assert codes(GroupCustomer, getattr(cast, role), Action.IMPORT, path="code") == ALL


@pytest.mark.parametrize("role", ["hr", "head", "employee", "account_manager"])
def test_nobody_else_may_import_customers(cast, book, role):
    assert codes(GroupCustomer, getattr(cast, role), Action.IMPORT, path="code") == set()


def test_an_anonymous_user_sees_no_customer(cast, book):
    assert codes(GroupCustomer, AnonymousUser(), path="code") == set()


def test_user_can_follows_the_same_rule(cast, book):
    assert user_can(cast.account_manager, Action.CHANGE, book["C1"])
    assert not user_can(cast.account_manager, Action.VIEW, book["C2"])
    assert not user_can(cast.head, Action.CHANGE, book["C1"])
    assert user_can(cast.head, Action.VIEW, book["C1"])
    assert MonthlyRevenue.objects.restrict(cast.hr).count() == 0
