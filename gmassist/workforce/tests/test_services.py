"""The workforce services and command on the cast's small company."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from gmassist.core.models import AuditEntry
from gmassist.org.models import Employee
from gmassist.workforce import selectors, services
from gmassist.workforce.models import Backtest, Plan, PlanLine


@pytest.fixture
def history(cast):
    """The cast's people hired in January 2022; one left in June 2022, one in March 2024."""
    Employee.objects.update(hire_date=dt.date(2022, 1, 10))
    Employee.objects.filter(pk=cast.employee.employee.pk).update(leave_date=dt.date(2024, 3, 1))
    Employee.objects.filter(pk=cast.outsider.employee.pk).update(leave_date=dt.date(2022, 6, 1))
    return cast


def test_a_backtest_is_recorded_and_audited(history):
    backtest = services.backtest_run(as_of=dt.date(2023, 12, 31), horizon=4, by=history.hr)
    company = backtest.result["company"]
    people = Employee.objects.exclude(leave_date__lte=dt.date(2023, 12, 31)).count()
    assert company["people"] == people
    # nobody is hired after as_of and one leaves in its first quarter: carrying forward is
    # one person off in each of the four quarters
    assert company["carry_forward"]["mae"] == 1.0
    assert company["carry_forward"]["mape"] == round(100 / (people - 1), 2)
    assert AuditEntry.objects.filter(target_type="workforce.backtest").count() == 1


def test_a_backtest_too_early_says_why_and_records_nothing(history):
    with pytest.raises(ValidationError, match="less than a year of history"):
        services.backtest_run(as_of=dt.date(2022, 6, 30), horizon=4, by=history.hr)
    assert Backtest.objects.count() == 0


def test_an_employee_may_not_run_a_backtest(history):
    with pytest.raises(PermissionDenied):
        services.backtest_run(as_of=dt.date(2023, 12, 31), horizon=4, by=history.employee)
    assert Backtest.objects.count() == 0


def test_the_backtest_command_prints_the_issues_json(history):
    out = StringIO()
    call_command(
        "workforce", "backtest", "--as-of", "2023-12-31", "--horizon", "4", "--json", stdout=out
    )
    body = json.loads(out.getvalue())
    assert body["as_of"] == "2023-12-31" and body["horizon"] == 4
    assert set(body["company"]) >= {"model", "carry_forward", "trailing_rate"}
    assert set(body["departments"][0]) >= {
        "name",
        "people",
        "model",
        "carry_forward",
        "trailing_rate",
    }


def test_the_backtest_command_refuses_a_bad_date(history):
    with pytest.raises(CommandError, match="is not a date"):
        call_command("workforce", "backtest", "--as-of", "31/12/2023")


def test_a_plan_version_follows_the_previous_one(history):
    first = services.plan_build(
        name="2025",
        as_of=dt.date(2024, 12, 31),
        horizon=4,
        growth_percent=0,
        runs=50,
        by=history.hr,
    )
    second = services.plan_build(
        name="2025",
        as_of=dt.date(2024, 12, 31),
        horizon=4,
        growth_percent=10,
        runs=50,
        by=history.hr,
    )
    assert (first.version, second.version, second.previous_id) == (1, 2, first.pk)
    line = PlanLine.objects.filter(plan=second).first()
    assert len(line.demand) == len(line.supply) == len(line.gap_low) == 4


def test_a_head_sees_only_the_lines_of_their_subtree(history):
    plan = services.plan_build(
        name="2025",
        as_of=dt.date(2024, 12, 31),
        horizon=2,
        growth_percent=0,
        runs=20,
        by=history.hr,
    )
    names = {line.department.name for line in selectors.plan_lines(user=history.head, plan=plan)}
    assert names and names <= {"Sales", "Sales East"}
    assert selectors.plan_lines(user=history.employee, plan=plan).count() == 0


def test_a_line_for_an_unknown_department_is_refused_and_nothing_saved(history):
    with pytest.raises(ValidationError, match="no department named 'Nowhere'"):
        services.plan_build(
            name="x", as_of=dt.date(2024, 12, 31), runs=10, by=history.hr,
            lines=[{"department": "Nowhere", "method": "target", "targets": [3]}],
        )  # fmt: skip
    assert Plan.objects.count() == 0


def test_a_trusted_risk_model_gives_the_voluntary_leaving_of_the_plan(history):
    from gmassist.talent.models import RiskModelRun, RiskScore

    run = RiskModelRun.objects.create(
        as_of=dt.date(2024, 11, 30), version="t", backtest_auc=0.75, backtest_leavers=40
    )
    for employee in Employee.objects.filter(leave_date__isnull=True):
        RiskScore.objects.create(
            run=run, employee=employee, as_of=run.as_of, probability=1.0, model_version="t"
        )
    plan = services.plan_build(
        name="risk", as_of=dt.date(2024, 12, 31), horizon=2, growth_percent=0, runs=20,
        by=history.hr,
    )  # fmt: skip
    assert plan.supply_source == "risk_model"
    assert plan.summary["risk_run"] == "risk run of 2024-11-30 (backtest AUC 0.75)"
    # everyone is certain to leave within the year: a quarter's chance is 1, nobody stays
    assert plan.summary["company"]["supply"] == [0.0, 0.0]


def test_an_untrusted_risk_model_leaves_the_plan_to_the_survival_model(history):
    from gmassist.talent.models import RiskModelRun

    RiskModelRun.objects.create(
        as_of=dt.date(2024, 11, 30), version="t", backtest_auc=0.55, backtest_leavers=40
    )
    plan = services.plan_build(
        name="risk", as_of=dt.date(2024, 12, 31), horizon=2, growth_percent=0, runs=20,
        by=history.hr,
    )  # fmt: skip
    assert plan.supply_source == "survival"


def test_a_plan_before_anyone_was_hired_says_so_and_saves_nothing(history):
    with pytest.raises(ValidationError, match="nobody was on the books on 2000-01-01"):
        services.plan_build(name="x", as_of=dt.date(2000, 1, 1), runs=10, by=history.hr)
    assert Plan.objects.count() == 0
