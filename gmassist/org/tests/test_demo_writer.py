"""The demo company in the database: the `demo` and `demo-logins` commands and the writer."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError
from django.test import RequestFactory

from gmassist.core.choices import JobStatus, Role
from gmassist.core.models import Company, Job, Proposal, User
from gmassist.core.services import proposal_approve
from gmassist.org.demo.company import DEMO_USERS
from gmassist.org.demo.users import PROPOSAL_COMPA_RATIO
from gmassist.org.models import (
    Department,
    Employee,
    EmployeeSkill,
    PayChange,
    Position,
    Review,
    Separation,
    Skill,
)

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def organisation_only(monkeypatch):
    """These tests are about the organisation; the other apps' parts of the demo are tested in
    their apps (and the extension mechanism in test_demo_extensions.py)."""
    from gmassist.org.demo import extensions

    monkeypatch.setattr(extensions, "_EXTENSIONS", {})


AS_OF = "2026-11-24"  # a fixed day, so that the exact numbers do not change with the calendar


def demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, *(() if "--as-of" in args else ("--as-of", AS_OF)), stdout=out)
    return out.getvalue()


def logins() -> str:
    out = StringIO()
    call_command("demo-logins", stdout=out)
    return out.getvalue()


def test_it_builds_tier_s_with_its_exact_counts_as_a_job():
    output = demo("--tier", "S", "--seed", "1")
    assert "as of 2026-11-24 (history 2023-11..2026-10)" in output
    assert "500 employees now and 206 who left, 35 departments, 3 open pay proposals" in output
    assert Employee.objects.count() == 706
    assert Employee.objects.exclude(status="left").count() == 500
    assert Department.objects.count() == 35
    assert Position.objects.count() == 57
    assert Skill.objects.count() == 40
    assert PayChange.objects.count() == 2652
    assert Review.objects.count() == 2648
    assert Separation.objects.count() == 206
    assert EmployeeSkill.objects.count() == 2253
    company = Company.get()
    assert (company.name, company.currency, company.is_demo) == (
        "Demo Company 演示公司",
        "CNY",
        True,
    )
    assert (company.demo_tier, company.demo_seed) == ("S", 1)
    job = Job.objects.get()
    assert (job.kind, job.status, job.progress) == ("org.demo", JobStatus.SUCCEEDED, 100)
    assert job.result["counts"]["employees"] == 706
    assert (job.result["as_of"], job.result["months"]) == ("2026-11-24", "2023-11..2026-10")


def test_the_rows_hold_together():
    demo("--tier", "S", "--seed", "1")
    assert not Department.objects.filter(head__isnull=True).exists()
    assert Department.objects.filter(parent__isnull=True).count() == 1
    gm = Department.objects.get(parent__isnull=True).head
    assert gm.manager is None
    assert gm.position.code == "GEN-8"
    # everyone else has a manager: their department's head, or the parent department's head
    for employee in Employee.objects.exclude(status="left").select_related(
        "department__head", "department__parent__head"
    ):
        department = employee.department
        if employee.pk == gm.pk:
            continue
        expected = department.head if department.head_id != employee.pk else None
        expected = expected or department.parent.head
        assert employee.manager_id == expected.pk
    left = Employee.objects.filter(status="left")
    assert left.count() == Separation.objects.count()
    assert not left.filter(leave_date__isnull=True).exists()
    assert not Separation.objects.exclude(employee__status="left").exists()
    assert not PayChange.objects.filter(previous_base_pay__lt=0).exists()
    first = Employee.objects.get(employee_no="E000001")
    assert first.hire_date < dt.date(2023, 11, 1)
    assert Review.objects.filter(period="2025-H1").exclude(reviewer=None).count() == 451
    assert not Employee.objects.filter(hire_date__gt=dt.date(2026, 10, 31)).exists()


def test_rebuilding_replaces_the_demo_data():
    demo("--tier", "S", "--seed", "1")
    first = sorted(Employee.objects.values_list("full_name", flat=True))
    demo("--tier", "S", "--seed", "2")
    assert Company.get().demo_seed == 2
    assert Employee.objects.filter(status__in=["active", "on_leave"]).count() == 500
    assert sorted(Employee.objects.values_list("full_name", flat=True)) != first
    assert User.objects.filter(username="gm").count() == 1
    assert Job.objects.filter(status=JobStatus.SUCCEEDED).count() == 2
    # the first build's proposals went with its people
    assert not Proposal.objects.filter(subject_employee=None).exists()
    assert Proposal.objects.count() == len(Proposal.objects.filter(status="open"))


def test_the_same_as_of_builds_the_same_company_and_another_day_shifts_it():
    demo("--tier", "S", "--seed", "1")
    first = sorted(Employee.objects.values_list("employee_no", "hire_date", "base_pay"))
    demo("--tier", "S", "--seed", "1")
    assert sorted(Employee.objects.values_list("employee_no", "hire_date", "base_pay")) == first
    demo("--tier", "S", "--seed", "1", "--as-of", "2027-11-24")
    assert Employee.objects.exclude(status="left").count() == 500
    moved = Employee.objects.get(employee_no="E000001").hire_date - first[0][1]
    assert moved.days in (365, 366)


def test_the_demo_head_leaves_open_pay_proposals_that_hr_may_partly_approve():
    demo("--tier", "S", "--seed", "1")
    head = User.objects.get(username="head")
    proposals = list(Proposal.objects.order_by("pk"))
    assert len(proposals) == 3
    assert {p.status for p in proposals} == {"open"}
    assert {p.proposed_by_id for p in proposals} == {head.pk}
    department = head.employee.headed_departments.get()
    assert {p.subject_employee.department_id for p in proposals} == {department.pk}
    assert [p.cost for p in proposals] == [20000, 17300, 11500]
    for proposal in proposals:
        assert proposal.payload["effective_date"] == "2026-12-01"
        assert "of the midpoint" in proposal.rationale
        labels = [e["label"] for e in proposal.evidence]
        assert "last ratings" in labels
        assert labels.count("compa-ratio (pay / band midpoint)") == 1
        assert any(label.startswith("months since") for label in labels)
        position = proposal.subject_employee.position
        far_below = Decimal(str(PROPOSAL_COMPA_RATIO)) * position.band_mid
        assert proposal.subject_employee.base_pay < far_below
    hr = User.objects.get(username="hr")
    limit = Company.get().hr_approval_limit
    cheaper = [p for p in proposals if p.cost < limit]
    assert len(cheaper) == 2
    for proposal in cheaper:
        proposal_approve(proposal=proposal, by=hr)
    employee = Employee.objects.get(pk=cheaper[0].subject_employee_id)
    assert employee.base_pay == Decimal(cheaper[0].payload["new_base_pay"])
    [dearer] = [p for p in proposals if p.cost >= limit]
    with pytest.raises(PermissionDenied, match="the GM decides it"):
        proposal_approve(proposal=dearer, by=hr)


def test_it_refuses_to_overwrite_real_data_without_force(cast):
    before = Employee.objects.count()
    with pytest.raises(CommandError, match=r"not demo data.*--force"):
        demo("--tier", "S", "--seed", "1")
    assert Employee.objects.count() == before == 6
    assert not Company.get().is_demo
    assert not Job.objects.exists()


def test_force_replaces_real_data(cast):
    demo("--tier", "S", "--seed", "1", "--force")
    assert Employee.objects.count() == 706
    assert not Employee.objects.filter(employee_no="E004").exists()
    assert Company.get().is_demo


def test_if_empty_does_nothing_when_there_are_employees(cast):
    output = demo("--if-empty", "--tier", "S", "--seed", "1")
    assert "not built" in output
    assert Employee.objects.count() == 6
    assert not Job.objects.exists()


def test_if_empty_builds_into_an_empty_database():
    demo("--if-empty", "--tier", "S", "--seed", "1")
    assert Employee.objects.count() == 706


def test_the_demo_logins_work_and_fit_their_roles():
    demo("--tier", "S", "--seed", "1")
    users = {}
    for username, password, role, _description in DEMO_USERS:
        # as the login page does it: with the request (the login throttle needs its address)
        user = authenticate(RequestFactory().post("/login/"), username=username, password=password)
        assert user is not None, username
        assert user.role == role
        assert user.employee is not None
        assert user.employee.status == "active"
        users[role] = user
    head = users[Role.DEPT_HEAD].employee
    department = head.headed_departments.get()
    assert users[Role.ACCOUNT_MANAGER].employee.department == department
    assert users[Role.EMPLOYEE].employee.department == department
    assert users[Role.EMPLOYEE].employee.manager == head
    assert department.employees.filter(status="active").count() == 19
    assert users[Role.GM].employee.headed_departments.get().parent is None
    assert users[Role.HR].employee.headed_departments.get().code == "HR"
    output = logins()
    for username, password, _role, _description in DEMO_USERS:
        assert username in output
        assert password in output


def test_demo_logins_shows_no_password_for_a_real_company(cast):
    output = logins()
    assert "not a demo company" in output
    assert "demo-2026" not in output


def test_the_command_is_named_demo_logins():
    assert get_commands()["demo-logins"] == "gmassist.org"
