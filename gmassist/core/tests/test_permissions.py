"""The role matrix of DESIGN.md "Who sees what", through the one rule `restrict(user, action)`."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser

from gmassist.core.choices import Action
from gmassist.core.models import AuditEntry, Job, User
from gmassist.core.permissions import user_can
from gmassist.org.models import Department, Employee, PayChange, Position, Review

ALL_EMPLOYEES = {"E001", "E002", "E003", "E004", "E005", "E006"}
SALES_SUBTREE = {"E003", "E004", "E006"}

EMPLOYEES_SEEN = {
    "gm": ALL_EMPLOYEES,
    "assistant": ALL_EMPLOYEES,
    "hr": ALL_EMPLOYEES,
    "head": SALES_SUBTREE,
    "employee": {"E004"},
    "outsider": {"E005"},
    "account_manager": {"E006"},
}


def visible_numbers(model, user, action=Action.VIEW, path="employee_no"):
    return set(model.objects.restrict(user, action).values_list(path, flat=True))


@pytest.mark.parametrize(("role", "expected"), EMPLOYEES_SEEN.items())
def test_each_role_sees_the_employees_design_allows(cast, role, expected):
    assert visible_numbers(Employee, getattr(cast, role)) == expected


@pytest.mark.parametrize(("role", "expected"), EMPLOYEES_SEEN.items())
def test_pay_is_visible_to_exactly_the_same_people(cast, role, expected):
    assert visible_numbers(Employee, getattr(cast, role), Action.VIEW_PAY) == expected


@pytest.mark.parametrize(("role", "expected"), EMPLOYEES_SEEN.items())
def test_reviews_follow_their_employee(cast, role, expected):
    for employee in Employee.objects.all():
        Review.objects.create(employee=employee, period="2025", rating=3)
    seen = visible_numbers(Review, getattr(cast, role), path="employee__employee_no")
    assert seen == expected


@pytest.mark.parametrize(("role", "expected"), EMPLOYEES_SEEN.items())
def test_pay_history_follows_its_employee(cast, role, expected):
    for employee in Employee.objects.all():
        PayChange.objects.create(employee=employee, effective_date=dt.date(2025, 1, 1), base_pay=1)
    seen = visible_numbers(PayChange, getattr(cast, role), path="employee__employee_no")
    assert seen == expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("gm", ALL_EMPLOYEES),
        ("assistant", ALL_EMPLOYEES),
        ("hr", ALL_EMPLOYEES),
        ("head", set()),
        ("employee", set()),
        ("account_manager", set()),
    ],
)
def test_only_the_gms_office_and_hr_may_change_people(cast, role, expected):
    assert visible_numbers(Employee, getattr(cast, role), Action.CHANGE) == expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("gm", {"HQ", "SALES", "SALES-E", "RND"}),
        ("hr", {"HQ", "SALES", "SALES-E", "RND"}),
        ("head", {"SALES", "SALES-E"}),
        ("employee", set()),
    ],
)
def test_departments_are_seen_down_the_headed_subtree(cast, role, expected):
    assert visible_numbers(Department, getattr(cast, role), path="code") == expected


@pytest.mark.parametrize("role", ["gm", "assistant", "hr", "head", "employee", "account_manager"])
def test_every_role_reads_the_position_catalogue(cast, role):
    assert visible_numbers(Position, getattr(cast, role), path="code") == {"ENG-3", "SAL-2"}


@pytest.mark.parametrize(
    ("role", "count"),
    [("gm", 1), ("assistant", 0), ("hr", 0), ("head", 0), ("employee", 0)],
)
def test_only_the_gm_reads_the_audit_log(cast, role, count):
    AuditEntry.objects.create(action="create", target_type="org.employee", target_id="1")
    assert AuditEntry.objects.restrict(getattr(cast, role)).count() == count


def test_a_user_sees_their_own_jobs_and_the_gms_office_sees_all(cast):
    Job.objects.create(kind="x", created_by=cast.hr)
    Job.objects.create(kind="x", created_by=cast.employee)
    assert Job.objects.restrict(cast.employee).count() == 1
    assert Job.objects.restrict(cast.hr).count() == 1
    assert Job.objects.restrict(cast.assistant).count() == 2
    assert Job.objects.restrict(cast.gm).count() == 2


def test_anonymous_and_inactive_users_see_nothing(cast):
    cast.hr.is_active = False
    cast.hr.save()
    assert Employee.objects.restrict(AnonymousUser()).count() == 0
    assert Employee.objects.restrict(cast.hr).count() == 0
    assert Position.objects.restrict(None).count() == 0


def test_a_superuser_counts_as_the_gm(cast):
    root = User.objects.create_superuser("root", password="x", role="employee")
    assert Employee.objects.restrict(root).count() == 6


def test_a_head_of_a_department_without_a_subtree_still_sees_their_own_record(cast):
    cast.sales.head = None
    cast.sales.save()
    assert visible_numbers(Employee, cast.head) == {"E003"}


def test_user_can_applies_the_same_rule_to_one_object(cast):
    emma = Employee.objects.get(employee_no="E004")
    oscar = Employee.objects.get(employee_no="E005")
    assert user_can(cast.head, Action.VIEW, emma) is True
    assert user_can(cast.head, Action.VIEW, oscar) is False
    assert user_can(cast.employee, Action.VIEW, emma) is True
    assert user_can(cast.employee, Action.CHANGE, emma) is False
