"""Scoped reads of the organisation, and the audited pay selector."""

from decimal import Decimal

from gmassist.core.choices import AuditAction
from gmassist.core.models import AuditEntry
from gmassist.org.models import Employee
from gmassist.org.selectors import employee_pay, employees_visible, headcount_by_department


def test_reading_another_persons_pay_is_audited(cast):
    emma = Employee.objects.get(employee_no="E004")
    pay = employee_pay(user=cast.head, employee=emma)
    entry = AuditEntry.objects.get()
    assert pay["base_pay"] == Decimal("100000.00")
    assert pay["compa_ratio"] == Decimal("1.000")
    assert (entry.action, entry.actor, entry.target_id) == (
        AuditAction.READ_PAY,
        cast.head,
        str(emma.pk),
    )


def test_reading_ones_own_pay_is_not_audited(cast):
    pay = employee_pay(user=cast.employee, employee=cast.employee.employee)
    assert pay["base_pay"] == Decimal("100000.00")
    assert AuditEntry.objects.count() == 0


def test_pay_out_of_scope_is_none_and_leaves_no_trace(cast):
    oscar = Employee.objects.get(employee_no="E005")
    assert employee_pay(user=cast.head, employee=oscar) is None
    assert employee_pay(user=cast.employee, employee=oscar) is None
    assert AuditEntry.objects.count() == 0


def test_the_directory_selector_does_not_load_pay(cast):
    employee = employees_visible(user=cast.gm).get(employee_no="E004")
    assert "base_pay" in employee.get_deferred_fields()


def test_headcount_by_department_counts_active_people_in_scope(cast):
    Employee.objects.filter(employee_no="E006").update(status="left", leave_date="2025-06-30")
    assert headcount_by_department(user=cast.head) == [
        {"code": "SALES", "name": "Sales", "headcount": 1},
        {"code": "SALES-E", "name": "Sales East", "headcount": 1},
    ]
