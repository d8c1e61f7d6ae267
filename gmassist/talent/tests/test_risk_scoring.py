"""Scoring the demo company's leaving risk from the database: the job, the history, the CLI."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError

from gmassist.core.models import User
from gmassist.org.choices import EmployeeStatus
from gmassist.org.demo.generator import generate
from gmassist.org.demo.writer import demo_company_write
from gmassist.org.models import Employee
from gmassist.talent.engine import leaving
from gmassist.talent.engine.demo_history import demo_history
from gmassist.talent.models import RiskModelRun, RiskScore
from gmassist.talent.services import last_month_end, risk_scores_compute

AS_OF = dt.date(2026, 11, 1)


@pytest.fixture
def demo(db):
    company = generate(seed=1, tier="S", as_of=AS_OF)
    demo_company_write(company=company, only=("talent",))  # it scores 2026-10-31
    return company


def test_last_month_end_is_the_day_itself_at_a_month_end():
    assert last_month_end(dt.date(2026, 10, 31)) == dt.date(2026, 10, 31)
    assert last_month_end(dt.date(2026, 11, 1)) == dt.date(2026, 10, 31)
    assert last_month_end(dt.date(2026, 3, 15)) == dt.date(2026, 2, 28)


def test_the_demo_is_scored_as_the_pure_engine_scores_it(demo):
    run = RiskModelRun.objects.get()
    assert run.as_of == dt.date(2026, 10, 31)
    history = demo_history(demo)
    table = leaving.snapshot_table(history, leaving.snapshot_days(history, end=run.as_of))
    fitted = leaving.fit_leaving_model(table)
    assert run.backtest_auc == round(fitted.backtest.auc, 6)
    on_books = int((table["snapshot"] == run.as_of).sum())
    assert run.scored == on_books == RiskScore.objects.filter(as_of=run.as_of).count()
    score = RiskScore.objects.order_by("-probability").first()
    assert score.model_auc == run.backtest_auc
    assert score.reasons and set(score.reasons[0]) == {"feature", "value", "effect"}


def test_scoring_a_month_twice_replaces_it_and_keeps_other_months(demo):
    hr = User.objects.get(username="hr")
    risk_scores_compute(as_of=dt.date(2026, 9, 30), by=hr)
    risk_scores_compute(as_of=dt.date(2026, 9, 30), by=hr)
    assert sorted(RiskModelRun.objects.values_list("as_of", flat=True)) == [
        dt.date(2026, 9, 30),
        dt.date(2026, 10, 31),
    ]
    assert RiskScore.objects.filter(as_of=dt.date(2026, 9, 30)).count() == (
        RiskModelRun.objects.get(as_of=dt.date(2026, 9, 30)).scored
    )


def test_a_role_that_does_not_see_everyone_cannot_score_and_nothing_changes(demo):
    before = RiskScore.objects.count()
    for username in ("head", "employee", "am"):
        with pytest.raises(PermissionDenied):
            risk_scores_compute(as_of=dt.date(2026, 9, 30), by=User.objects.get(username=username))
    assert RiskScore.objects.count() == before
    assert RiskModelRun.objects.count() == 1


def test_the_score_command_prints_the_run_as_json(demo):
    out = StringIO()
    call_command("talent", "score", "--as-of", "2026-10-31", "--user", "gm", "--json", stdout=out)
    result = json.loads(out.getvalue())
    run = RiskModelRun.objects.get(as_of=dt.date(2026, 10, 31))
    assert result["scored"] == run.scored
    assert result["backtest_auc"] == run.backtest_auc
    assert (result["backtest_auc_low"], result["backtest_auc_high"]) == (
        run.backtest_auc_low,
        run.backtest_auc_high,
    )
    assert (result["backtest_test_rows"], result["backtest_leavers"]) == (483, 73)
    assert result["base_rate"] == 0.15
    assert result["bands"] == {"medium_from": 0.15, "high_from": 0.3}
    assert result["band_counts"] == {"low": 285, "medium": 130, "high": 85}


def test_the_score_command_refuses_an_employee_and_a_bad_date(demo):
    with pytest.raises(CommandError, match="may not score"):
        call_command("talent", "score", "--user", "employee", stdout=StringIO())
    with pytest.raises(CommandError, match="not a date"):
        call_command("talent", "score", "--as-of", "31/10/2026", stdout=StringIO())


def test_only_people_on_the_books_at_the_month_end_are_scored(demo):
    scored = set(RiskScore.objects.values_list("employee_id", flat=True))
    left_before = set(
        Employee.objects.filter(
            status=EmployeeStatus.LEFT, leave_date__lte=dt.date(2026, 10, 31)
        ).values_list("pk", flat=True)
    )
    assert scored and not scored & left_before


def test_the_run_keeps_the_backtest_interval_the_base_rate_and_the_bands(demo):
    run = RiskModelRun.objects.get()
    history = demo_history(demo)
    table = leaving.snapshot_table(history, leaving.snapshot_days(history, end=run.as_of))
    fitted = leaving.fit_leaving_model(table)
    assert (run.backtest_auc_low, run.backtest_auc_high) == (
        round(fitted.backtest.auc_low, 6),
        round(fitted.backtest.auc_high, 6),
    )
    assert (run.backtest_test_rows, run.backtest_leavers) == (483, 73)
    assert run.base_rate == round(73 / 483, 6)
    assert (run.risk_medium_from, run.risk_high_from) == (0.15, 0.3)
    assert run.recalibration == {
        "intercept": round(fitted.recalibration.intercept, 6),
        "slope": round(fitted.recalibration.slope, 6),
    }
    assert len(run.calibration_after) == len(run.calibration_after) > 0


def test_each_score_keeps_the_persons_risk_at_every_month_end(demo):
    run = RiskModelRun.objects.get()
    assert (len(run.history_months), run.history_months[-1]) == (33, "2026-10-31")
    score = RiskScore.objects.order_by("-probability").first()
    assert len(score.history) == 33
    assert score.history[-1] == round(score.probability, 4)


def test_a_later_run_takes_over_the_history_and_the_earlier_scores_stay(demo):
    hr = User.objects.get(username="hr")
    earlier = risk_scores_compute(as_of=dt.date(2026, 9, 30), by=hr)
    assert not RiskScore.objects.filter(run=earlier).exclude(history=[]).exists()
    assert RiskScore.objects.filter(as_of=dt.date(2026, 10, 31)).exclude(history=[]).exists()
    later = risk_scores_compute(as_of=dt.date(2026, 10, 31), by=hr)
    assert RiskScore.objects.filter(run=earlier).count() == earlier.scored
    assert not RiskScore.objects.exclude(run=later).exclude(history=[]).exists()


def test_the_score_command_says_the_backtest_with_its_interval_and_the_bands(demo):
    out = StringIO()
    call_command("talent", "score", "--as-of", "2026-10-31", "--user", "gm", stdout=out)
    text = out.getvalue()
    run = RiskModelRun.objects.get(as_of=dt.date(2026, 10, 31))
    assert (
        f"Backtest: ROC AUC {run.backtest_auc:.2f} (95% CI {run.backtest_auc_low:.2f}-"
        f"{run.backtest_auc_high:.2f}) on 483 people, 73 leavers, trained on what was known by "
        "2025-10-31"
    ) in text
    assert (
        "Yearly voluntary leaving rate 15%; bands: medium from 15%, high from 30% within 12 "
        "months; 85 high, 130 medium, 285 low"
    ) in text
