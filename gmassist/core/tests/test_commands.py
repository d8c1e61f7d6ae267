"""The CLI commands of core: users, proposals, jobs."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from conftest import make_employee
from gmassist.core.models import Job, User
from gmassist.org.models import Employee
from gmassist.org.services import pay_change_propose


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_users_add_links_a_login_to_an_employee(cast, monkeypatch):
    make_employee("E007", "Olga New", cast.rnd, cast.engineer)
    monkeypatch.setenv("NEW_PASSWORD", "a long enough secret")
    output = run(
        "users",
        "add",
        "olga",
        "--role",
        "hr",
        "--employee",
        "E007",
        "--password-env",
        "NEW_PASSWORD",
    )
    user = User.objects.get(username="olga")
    assert "Added olga (HR)." in output
    assert (user.role, user.employee.employee_no) == ("hr", "E007")
    assert user.check_password("a long enough secret")


def test_users_add_refuses_an_unknown_employee(cast, monkeypatch):
    monkeypatch.setenv("NEW_PASSWORD", "x")
    with pytest.raises(CommandError, match="no employee with number 'E999'"):
        run(
            "users",
            "add",
            "nobody",
            "--role",
            "hr",
            "--employee",
            "E999",
            "--password-env",
            "NEW_PASSWORD",
        )
    assert not User.objects.filter(username="nobody").exists()


def test_users_set_role_changes_the_role(cast):
    run("users", "set-role", "employee", "dept_head")
    assert User.objects.get(username="employee").role == "dept_head"


def _proposal(cast):
    emma = Employee.objects.get(employee_no="E004")
    return pay_change_propose(
        employee=emma,
        new_base_pay=Decimal("105000"),
        effective_date=dt.date(2026, 1, 1),
        rationale="Market",
        by=cast.head,
    )


def test_proposals_approve_as_the_gm_applies_it(cast):
    proposal = _proposal(cast)
    output = run("proposals", "approve", str(proposal.pk), "--user", "gm")
    assert f"Proposal #{proposal.pk}: Approved and applied." in output
    assert Employee.objects.get(employee_no="E004").base_pay == Decimal("105000.00")


def test_proposals_approve_as_an_employee_fails_and_changes_nothing(cast):
    proposal = _proposal(cast)
    with pytest.raises(CommandError, match="not approved: your role may not decide"):
        run("proposals", "approve", str(proposal.pk), "--user", "employee")
    assert Employee.objects.get(employee_no="E004").base_pay == Decimal("100000.00")


def test_proposals_list_shows_open_ones(cast):
    proposal = _proposal(cast)
    output = run("proposals", "list", "--status", "open")
    assert f"{proposal.pk}" in output and "Emma Employee" in output


def test_jobs_lists_and_shows_a_job(db):
    job = Job.objects.create(kind="org.import", status="succeeded", progress=100, message="Done")
    assert "org.import" in run("jobs")
    assert "100% Done" in run("jobs", str(job.pk))


def test_jobs_reports_a_failed_job_with_a_non_zero_exit(db):
    job = Job.objects.create(kind="org.import", status="failed", error="row 2: bad date")
    with pytest.raises(CommandError, match="row 2: bad date"):
        run("jobs", str(job.pk))


def test_jobs_shows_a_jobs_tries_and_worker(db):
    job = Job.objects.create(kind="org.import", status="running", attempts=2, worker="w1:42")
    output = run("jobs", str(job.pk))
    assert "│ tries          │ 2" in output and "│ worker         │ w1:42" in output


def test_worker_without_a_broker_runs_the_queued_jobs_and_with_burst_exits(
    transactional_db, settings
):
    settings.CELERY_BROKER_URL = ""
    job = Job.objects.create(kind="test.nothing-registered")

    output = run("worker", "--burst")

    job.refresh_from_db()
    assert (job.status, job.attempts) == ("failed", 1)
    assert f"job #{job.pk} test.nothing-registered: failed no handler" in output


@pytest.mark.parametrize(
    ("broker", "args", "message"),
    [
        ("", ["--concurrency", "2"], "--concurrency and --beat need CELERY_BROKER_URL"),
        ("", ["--beat"], "--concurrency and --beat need CELERY_BROKER_URL"),
        ("redis://127.0.0.1:6379/12", ["--burst"], "--burst and --schedule are for the worker"),
        ("redis://127.0.0.1:6379/12", ["--schedule"], "with Celery, --beat starts the recurring"),
    ],
)
def test_worker_refuses_options_of_the_other_kind_of_worker(settings, broker, args, message):
    settings.CELERY_BROKER_URL = broker
    with pytest.raises(CommandError, match=message):
        run("worker", *args)
