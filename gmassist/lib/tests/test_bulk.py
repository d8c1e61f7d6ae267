"""Bulk writes on the natural key: values that COPY's text format must escape come back whole."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gmassist.lib.bulk import INSERT, UPDATE, UPSERT, bulk_upsert
from gmassist.org.models import Department, Employee

TRICKY = "back\\slash\ttab\nnew line\r\\N 张伟"


@pytest.mark.django_db
def test_it_writes_text_that_needs_escaping_unchanged():
    bulk_upsert(
        Department,
        [
            {"code": "D1", "name": TRICKY, "parent_id": None, "head_id": None},
            {"code": "D2", "name": "plain", "parent_id": None, "head_id": None},
        ],
        unique_fields=["code"],
        update_fields=["name"],
        mode=INSERT,
    )

    assert dict(Department.objects.values_list("code", "name")) == {"D1": TRICKY, "D2": "plain"}


@pytest.mark.django_db
def test_it_writes_dates_numbers_nulls_and_json_and_updates_on_the_key():
    bulk_upsert(
        Department,
        [{"code": "D1", "name": "One", "parent_id": None, "head_id": None}],
        unique_fields=["code"],
        update_fields=["name"],
        mode=UPSERT,
    )
    department_id = Department.objects.get().pk
    row = {
        "employee_no": "E1",
        "full_name": "Ann Lee",
        "family_name": "Lee",
        "given_name": "Ann",
        "email": "",
        "department_id": department_id,
        "position_id": None,
        "manager_id": None,
        "hire_date": dt.date(2020, 3, 1),
        "leave_date": None,
        "birth_date": None,
        "gender": "female",
        "location": "",
        "employment_type": "full_time",
        "status": "active",
        "base_pay": Decimal("1234.50"),
        "paid_leave_days": Decimal("12.5"),
        "custom": {"note": 'say "hi"\t\\ 你好\n', "score": 3.5},
    }
    fields = [c for c in row if c != "employee_no"]
    bulk_upsert(Employee, [row], unique_fields=["employee_no"], update_fields=fields, mode=INSERT)
    bulk_upsert(
        Employee,
        [{**row, "base_pay": Decimal("2000.00"), "custom": {}}],
        unique_fields=["employee_no"],
        update_fields=fields,
        mode=UPDATE,
    )

    stored = Employee.objects.values(*row).get()
    assert stored == {**row, "base_pay": Decimal("2000.00"), "custom": {}}
    bulk_upsert(Employee, [row], unique_fields=["employee_no"], update_fields=fields, mode=UPDATE)
    assert Employee.objects.values(*row).get() == row
