"""Leaving-risk scores for the usual cast, for the talent pages and API tests.

Two model runs (September and October 2026) of a company whose yearly leaving rate is 12%
(medium risk from 12%, high from 24%); in October: Emma (E004, Sales East) 0.40 and Oscar
(E005, R&D) 0.30 are at high risk, Hank (E003, Sales) 0.18 and Harriet (E002, HQ) 0.12 medium,
Alice (E006, Sales) 0.08 and Grace (E001, HQ) 0.05 low. Nine-box (performance,
potential): Hank high-high, Oscar medium-high, Emma medium-medium, Alice low-low; Grace (no
review) and Harriet (no potential) are unplaced.
"""

from __future__ import annotations

import datetime as dt

import pytest

from gmassist.org.models import Employee, Review
from gmassist.talent.models import RiskModelRun, RiskScore

SEPTEMBER, OCTOBER = dt.date(2026, 9, 30), dt.date(2026, 10, 31)
RISK = {  # employee no. -> (September, October)
    "E001": (0.04, 0.05),
    "E002": (0.10, 0.12),
    "E003": (0.15, 0.18),
    "E004": (0.35, 0.40),
    "E005": (0.28, 0.30),
    "E006": (0.09, 0.08),
}
EMMA_REASONS = [
    {"feature": "compa_ratio", "value": 0.76, "effect": 0.8},
    {"feature": "months_since_promotion", "value": 40.2, "effect": 0.5},
    {"feature": "manager_changes_12m", "value": 2, "effect": 0.2},
]
RESPONSE = {
    "compa_ratio": -4.0,
    "months_since_raise": 0.02,
    "months_since_promotion": 0.03,
    "grade": -0.1,
}
# A cheap development programme (500): with it the plan has four lines worth their cost (Oscar,
# Emma, Hank, Alice); with the default menu only Oscar's and Emma's 3% raises are worth theirs.
# Grace (the GM) and Harriet (HR) are never lines: they decide the plan.
DEVELOPMENT_MENU = "development_cost = 500.0\n"
CALIBRATION = [
    {"low": 0.0, "high": 0.1, "count": 50, "mean_predicted": 0.05, "observed_rate": 0.06},
    {"low": 0.1, "high": 0.2, "count": 30, "mean_predicted": 0.14, "observed_rate": 0.12},
    {"low": 0.2, "high": 1.0, "count": 20, "mean_predicted": 0.31, "observed_rate": 0.35},
]


@pytest.fixture
def scored(skilled):
    for no, potential in [("E003", 3), ("E005", 3), ("E006", 1)]:
        Review.objects.filter(employee__employee_no=no).update(potential=potential)
    people = {e.employee_no: e for e in Employee.objects.all()}
    for month, index in ((SEPTEMBER, 0), (OCTOBER, 1)):
        run = RiskModelRun.objects.create(
            as_of=month,
            version="leaving-1",
            backtest_auc=0.71,
            backtest_auc_low=0.62,
            backtest_auc_high=0.80,
            backtest_month=dt.date(2025, 10, 31),
            backtest_train_rows=900,
            backtest_test_rows=100,
            backtest_leavers=12,
            calibration=CALIBRATION,
            base_rate=0.12,
            risk_medium_from=0.12,
            risk_high_from=0.24,
            train_rows=1000,
            train_leavers=80,
            response=RESPONSE,
            scored=len(RISK),
        )
        for no, risks in RISK.items():
            RiskScore.objects.create(
                run=run,
                employee=people[no],
                as_of=month,
                probability=risks[index],
                reasons=EMMA_REASONS if no == "E004" else [],
                features={"months_since_raise": 14.0, "months_since_promotion": 40.0},
                model_version="leaving-1",
                model_auc=0.71,
            )
    return skilled


HISTORY_MONTHS = ["2026-08-31", "2026-09-30", "2026-10-31"]
EMMA_HISTORY = [0.10, 0.20, 0.40]  # low, medium, high in the bands of 12% and 24%


def give_emma_a_history() -> None:
    """The October run's model on Emma's last three month-ends, as a run stores it: the months
    on the run, one probability per month on her score."""
    run = RiskModelRun.objects.get(as_of=OCTOBER)
    run.history_months = HISTORY_MONTHS
    run.save(update_fields=["history_months"])
    RiskScore.objects.filter(run=run, employee__employee_no="E004").update(history=EMMA_HISTORY)
