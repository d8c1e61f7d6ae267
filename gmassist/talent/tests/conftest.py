"""Pay for the usual cast: every flag of the pay review appears once or more."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gmassist.core.models import Company
from gmassist.org.models import Employee, Review

# employee no. -> (yearly base pay, gender, latest rating or None)
PAY = {
    "E001": (150000, "male", None),  # engineer, 1.36, above band by 20,000
    "E002": (99000, "female", 3),  # engineer, 0.90
    "E003": (100000, "male", 4),  # sales rep, 1.00
    "E004": (76000, "female", 5),  # sales rep, 0.76, below by 4,000, rated high paid low
    "E005": (110000, "male", 3),  # engineer, 1.00
    "E006": (125000, "female", 2),  # sales rep, 1.25, above by 5,000, rated low paid high
}


@pytest.fixture
def paid(cast):
    Company.get()  # created once, not by the first page
    for no, (pay, gender, rating) in PAY.items():
        employee = Employee.objects.get(employee_no=no)
        employee.base_pay = Decimal(pay)
        employee.gender = gender
        employee.save()
        if rating is not None:
            Review.objects.create(employee=employee, period="2025", rating=rating)
    # an older review does not count: the latest one does
    Review.objects.create(
        employee=Employee.objects.get(employee_no="E004"), period="2024", rating=1
    )
    return cast
