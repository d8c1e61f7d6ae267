"""The usual cast for tests: a GM, an assistant, HR, a department head, an employee of that
department, an employee of another department, and an account manager."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from hypothesis import settings as hypothesis_settings

from gmassist.core.choices import Role
from gmassist.core.models import User
from gmassist.org.models import Department, Employee, Position

# fixtures shared across apps and the browser tests, kept next to the data they describe; and
# the time per app, printed at the end of a run
pytest_plugins = ["gmassist.talent.tests.scored", "tests.app_times"]

# No per-example deadline: on a shared 2-core machine a 200 ms deadline measures the machine's
# load, not the code (property tests failed with DeadlineExceeded at 312 ms under load).
hypothesis_settings.register_profile("gmassist", deadline=None)
hypothesis_settings.load_profile("gmassist")


@dataclass
class Cast:
    hq: Department
    sales: Department
    sales_east: Department
    rnd: Department
    engineer: Position
    salesperson: Position
    gm: User
    assistant: User
    hr: User
    head: User  # heads Sales (and so Sales East below it)
    employee: User  # in Sales East
    outsider: User  # in R&D
    account_manager: User  # in Sales


def make_employee(no: str, name: str, department: Department, position: Position, **extra):
    defaults = {"hire_date": dt.date(2020, 1, 1), "base_pay": Decimal("100000")}
    defaults.update(extra)
    return Employee.objects.create(
        employee_no=no, full_name=name, department=department, position=position, **defaults
    )


def nav_pages(user: User) -> list[str]:
    """The keys of every page in `user`'s navigation, section by section (the top row shows one
    link per section; a section's pages show on its own pages)."""
    from django.test import RequestFactory

    from gmassist.core.templatetags.workspace import navigation

    sections = navigation({"request": RequestFactory().get("/"), "user": user})
    return [page["key"] for section in sections for page in section["pages"]]


PROBLEM = "application/problem+json"


def assert_problem(response, status: int) -> dict:
    """Assert that `response` is an RFC 9457 problem (`application/problem+json`) with HTTP
    status `status` and every member the API's problems carry; returns its body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert set(body) >= {"type", "title", "status", "detail", "instance"}
    return body


def make_user(username: str, role: str, employee: Employee | None = None) -> User:
    user = User(username=username, role=role, employee=employee)
    user.set_password("pass-" + username)
    user.save()
    return user


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashing costs ~0.3 s per user; tests check logins, not the hash's strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _jobs_run_eagerly(settings):
    # No worker process runs beside the tests: a submitted job runs in the test's own process,
    # through the same code as in a worker, once its transaction commits (never, in a test with
    # the `db` fixture, which then runs it with job_run). The fault tests start real workers.
    settings.GMASSIST_JOBS_EAGER = True


@pytest.fixture
def cast(db) -> Cast:
    hq = Department.objects.create(code="HQ", name="Headquarters")
    sales = Department.objects.create(code="SALES", name="Sales", parent=hq)
    sales_east = Department.objects.create(code="SALES-E", name="Sales East", parent=sales)
    rnd = Department.objects.create(code="RND", name="R&D", parent=hq)
    engineer = Position.objects.create(
        code="ENG-3",
        title="Engineer",
        job_family="Engineering",
        grade=3,
        band_min=Decimal("90000"),
        band_mid=Decimal("110000"),
        band_max=Decimal("130000"),
        currency="CNY",
    )
    salesperson = Position.objects.create(
        code="SAL-2",
        title="Sales representative",
        job_family="Sales",
        grade=2,
        band_min=Decimal("80000"),
        band_mid=Decimal("100000"),
        band_max=Decimal("120000"),
        currency="CNY",
    )
    gm_emp = make_employee("E001", "Grace Manager", hq, engineer)
    hr_emp = make_employee("E002", "Harriet Ross", hq, engineer)
    head_emp = make_employee("E003", "Hank Head", sales, salesperson, manager=gm_emp)
    emp = make_employee("E004", "Emma Employee", sales_east, salesperson, manager=head_emp)
    out_emp = make_employee("E005", "Oscar Outsider", rnd, engineer, manager=gm_emp)
    am_emp = make_employee("E006", "Alice Account", sales, salesperson, manager=head_emp)
    sales.head = head_emp
    sales.save()
    return Cast(
        hq=hq,
        sales=sales,
        sales_east=sales_east,
        rnd=rnd,
        engineer=engineer,
        salesperson=salesperson,
        gm=make_user("gm", Role.GM, gm_emp),
        assistant=make_user("assistant", Role.ASSISTANT),
        hr=make_user("hr", Role.HR, hr_emp),
        head=make_user("head", Role.DEPT_HEAD, head_emp),
        employee=make_user("employee", Role.EMPLOYEE, emp),
        outsider=make_user("outsider", Role.EMPLOYEE, out_emp),
        account_manager=make_user("am", Role.ACCOUNT_MANAGER, am_emp),
    )
