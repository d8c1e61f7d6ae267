"""Scoped reads of the organisation, and the audited pay selector."""

from decimal import Decimal

import pytest

from gmassist.core.choices import AuditAction
from gmassist.core.models import AuditEntry
from gmassist.org.models import Employee
from gmassist.org.selectors import (
    employee_directory,
    employee_pay,
    employees_visible,
    headcount_by_department,
)


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


def numbers(qs):
    return [e.employee_no for e in qs]


def test_the_directory_searches_number_prefix_name_and_email(cast):
    assert numbers(employee_directory(user=cast.gm, search="E00")) == [
        "E006",
        "E004",
        "E001",
        "E003",
        "E002",
        "E005",
    ]
    assert numbers(employee_directory(user=cast.gm, search=" emma ")) == ["E004"]


def test_the_directory_filters_a_department_with_everything_below_it(cast):
    qs = employee_directory(user=cast.gm, department_id=cast.sales.pk, sort="employee_no")
    assert numbers(qs) == ["E003", "E004", "E006"]


def test_the_directory_never_shows_more_than_the_user_may_see(cast):
    assert numbers(employee_directory(user=cast.head, department_id=cast.rnd.pk)) == []
    assert numbers(employee_directory(user=cast.employee)) == ["E004"]


def test_the_directory_sorts_both_ways_and_refuses_unknown_sorts(cast):
    assert numbers(employee_directory(user=cast.gm, sort="-employee_no"))[:2] == ["E006", "E005"]
    with pytest.raises(ValueError, match="unknown sort 'salary'"):
        employee_directory(user=cast.gm, sort="salary")


def test_the_directory_filters_by_status_and_position(cast):
    Employee.objects.filter(employee_no="E006").update(status="left", leave_date="2025-06-30")
    active_sales = employee_directory(
        user=cast.gm, status="active", position_id=cast.salesperson.pk, sort="employee_no"
    )
    assert numbers(active_sales) == ["E003", "E004"]


def test_the_department_filter_offers_the_upper_levels_in_tree_order(cast):
    from gmassist.org.models import Department
    from gmassist.org.selectors import department_filter_choices

    deep = Department.objects.create(code="SALES-E-1", name="East team 1", parent=cast.sales_east)
    assert department_filter_choices(user=cast.gm) == [
        (cast.hq.pk, "Headquarters"),
        (cast.rnd.pk, "\u2003R&D"),
        (cast.sales.pk, "\u2003Sales"),
    ]
    assert department_filter_choices(user=cast.gm, selected_id=deep.pk)[-1] == (
        deep.pk,
        "\u2003\u2003\u2003East team 1",
    )
    assert department_filter_choices(user=cast.head) == [
        (cast.sales.pk, "Sales"),
        (cast.sales_east.pk, "\u2003Sales East"),
    ]
