"""A small book of group customers on top of the usual cast, for the data-layer tests."""

from __future__ import annotations

from gmassist.customers.models import AccountManager, GroupCustomer, Industry
from gmassist.org.models import Employee


def make_book(cast) -> dict[str, GroupCustomer]:
    """C1 served by Alice (E006, Sales), C2 by Oscar (E005, R&D), C3 by nobody."""
    telecom = Industry.objects.create(code="TEL", name="Telecom", strategic=True)
    alice = AccountManager.objects.create(
        employee=Employee.objects.get(employee_no="E006"), region="East", capacity=20
    )
    oscar = AccountManager.objects.create(
        employee=Employee.objects.get(employee_no="E005"), region="West", capacity=10
    )
    return {
        "C1": GroupCustomer.objects.create(
            code="C1", name="Acme", industry=telecom, account_manager=alice, scale=500
        ),
        "C2": GroupCustomer.objects.create(code="C2", name="Bolt", account_manager=oscar),
        "C3": GroupCustomer.objects.create(code="C3", name="Crane"),
    }
