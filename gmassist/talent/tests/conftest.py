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


@pytest.fixture
def skilled(paid):
    """Skills and potential for the paid cast (see test_key_people_pages for the numbers).

    5G core network: Oscar (R&D) at 5, the only current holder at 4+ (someone who left also
    held it at 5: they do not count); Hank at 3 (below expert). Billing: Emma and Alice (Sales)
    and Oscar at 4 each. Emma's latest review has potential 2.
    """
    import datetime as dt

    from conftest import make_employee
    from gmassist.org.choices import EmployeeStatus
    from gmassist.org.models import EmployeeSkill, Skill

    core = Skill.objects.create(code="5GC", name="5G core network")
    billing = Skill.objects.create(code="BIL", name="Billing")
    people = {e.employee_no: e for e in Employee.objects.all()}
    gone = make_employee(
        "E099",
        "Gone Away",
        paid.rnd,
        paid.engineer,
        base_pay=Decimal("200000"),
        status=EmployeeStatus.LEFT,
        leave_date=dt.date(2024, 6, 30),
    )
    for employee, skill, level in [
        (people["E005"], core, 5),
        (people["E003"], core, 3),
        (people["E004"], billing, 4),
        (people["E006"], billing, 4),
        (people["E005"], billing, 4),
        (gone, core, 5),
    ]:
        EmployeeSkill.objects.create(employee=employee, skill=skill, level=level)
    Review.objects.filter(employee=people["E004"], period="2025").update(potential=2)
    return paid
