"""Retention: churn snapshots, the churn model on the demo's planted causes, the stored scores
and who reads them, revenue analytics, and `evaluate-churn`."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from decimal import Decimal
from io import StringIO

import numpy as np
import pandas as pd
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from gmassist.core.permissions import SYSTEM
from gmassist.customers.demo import write_demo
from gmassist.customers.demo_generator import churn_history, generate_customers
from gmassist.customers.engine.analytics import concentration, revenue_summary
from gmassist.customers.engine.churn import (
    MISSING_TEMPLATES,
    REASON_TEMPLATES,
    TARGET,
    ChurnHistory,
    churn_months,
    snapshots,
)
from gmassist.customers.models import ChurnRun, ChurnScore, GroupCustomer, MonthlyRevenue
from gmassist.customers.selectors import churn_backtest, customer_churn, revenue_analytics
from gmassist.customers.services import churn_scores_refresh
from gmassist.customers.tests.factories import make_book
from gmassist.lib.risk_model import fit_risk_model, prepare_table, top_reasons
from gmassist.org.models import Employee

AS_OF = dt.date(2026, 11, 24)
CITIES = np.array(["Beijing", "Shanghai", "Shenzhen", "Chengdu", "Wuhan", "Shenyang",
                   "Chongqing", "Xi'an"] * 10)  # fmt: skip
PLANTED = {
    "revenue_trend",
    "months_to_renewal",
    "unresolved_6m",
    "satisfaction_6m",
    "manager_changed_6m",
}


def one_customer_history(revenue: list[float]) -> ChurnHistory:
    return ChurnHistory(
        customer_ids=np.array([7]),
        revenue=np.array([revenue], dtype=float),
        renewal_month=np.array([3]),  # renews every April
        first_month_of_year=0,  # month 0 is a January
        contact_customer=np.array([0, 0]),
        contact_month=np.array([5, 6]),
        contact_complaint=np.array([1.0, 0.0]),
        contact_unresolved=np.array([1.0, 1.0]),
        contact_satisfaction=np.array([2.0, 0.0]),
        change_customer=np.array([0]),
        change_month=np.array([4]),
    )


def test_churn_is_the_month_after_the_last_revenue():
    first, churn = churn_months(np.array([[0, 5, 5, 0, 0], [1, 1, 1, 1, 1], [0, 0, 0, 0, 0]]))
    assert first.tolist() == [1, 0, -1]
    assert churn.tolist() == [3, -1, -1]


def test_a_hand_checked_snapshot():
    # 10 a month for 6 months, 8 a month for 3, then it stops: churns in month 9
    history = one_customer_history([10] * 6 + [8] * 3 + [0] * 3)
    rows = snapshots(history, horizon=3)
    assert rows["month"].tolist() == [6, 7, 8]
    row = rows.iloc[0]  # the end of month 6 (a July): months 4-6 against 1-3
    assert row["revenue_trend"] == pytest.approx(-2 / 30)
    assert row["months_to_renewal"] == 9  # the next April
    assert (row["contacts_6m"], row["complaints_6m"], row["unresolved_6m"]) == (2, 1, 2)
    assert row["satisfaction_6m"] == 2.0
    assert row["manager_changed_6m"] == 1.0
    assert rows[TARGET].tolist() == [1, 1, 1]  # month 9 is within 3 months of 6, 7 and 8
    assert snapshots(history, labelled=False).empty  # it is gone by the last month


@pytest.fixture(scope="module")
def demo():
    return generate_customers(
        seed=1,
        n_customers=2000,
        as_of=AS_OF,
        candidate_people=np.arange(80),
        candidate_cities=CITIES,
    )


def test_the_models_reasons_across_churners_include_every_planted_cause(demo):
    rows = snapshots(churn_history(demo)).drop(columns=["month"])
    prepared = prepare_table(rows, target=TARGET, positive=1, id_column="customer_id")
    model = fit_risk_model(prepared)
    churners = rows[rows[TARGET] == 1]
    counts = Counter(r.feature for row in top_reasons(model, churners, k=3) for r in row)
    found = {feature for feature, count in counts.items() if count >= 0.05 * len(churners)}
    assert found >= PLANTED, counts


def test_concentration_by_hand():
    result = concentration(np.array([50.0, 30.0, 20.0, 0.0, -5.0]), top=2)
    assert result == {"top_share": 0.8, "hhi": 3800.0, "customers": 5}  # 50² + 30² + 20²


def test_revenue_summary_by_hand():
    frame = pd.DataFrame(
        {
            "customer_id": [1, 2, 3],
            "revenue_12m": [1200.0, 240.0, 0.0],
            "revenue_prev_12m": [600.0, 480.0, 120.0],
            "tier": ["A", "C", "C"],
            "industry": ["Energy", "Energy", ""],
            "region": ["East", "West", "West"],
        }
    )
    summary = revenue_summary(frame)
    assert summary["arpu_monthly"] == 60.0  # 1,440 / 2 paying / 12
    assert summary["by_tier"] == [
        {"tier": "A", "customers": 1, "paying": 1, "revenue_12m": 1200.0, "share": 0.833333,
         "arpu_monthly": 100.0},
        {"tier": "C", "customers": 2, "paying": 1, "revenue_12m": 240.0, "share": 0.166667,
         "arpu_monthly": 20.0},
    ]  # fmt: skip
    assert [(f["customer_id"], f["fall"], f["fall_share"]) for f in summary["fallers"]] == [
        (2, 240.0, 0.5),
        (3, 120.0, 1.0),
    ]


@pytest.fixture
def written(cast):
    """300 generated customers served by the cast's sales people, written to the database."""
    people = list(Employee.objects.order_by("employee_no"))
    demo = generate_customers(
        seed=3,
        n_customers=300,
        as_of=AS_OF,
        candidate_people=np.arange(len(people)),
        candidate_cities=np.array(["Shanghai"] * len(people)),
        must_manage=5,  # E006, the cast's account manager
        n_managers=2,
    )
    write_demo(demo, employee_pk=np.array([p.pk for p in people]))
    return demo


def test_refreshing_scores_every_customer_on_the_books(written, cast):
    run = churn_scores_refresh(by=cast.gm, as_of=AS_OF)
    on_books = GroupCustomer.objects.filter(status="active").count()
    assert run.as_of == dt.date(2026, 10, 1)
    assert run.scores.count() == on_books
    assert run.churners == int(snapshots(churn_history(written))[TARGET].sum())
    assert set(run.backtest) == {"auc", "cut", "n_train", "n_test", "calibration"}
    assert run.backtest["cut"] == "2026-05-01"
    score = ChurnScore.objects.filter(run=run).order_by("-risk").first()
    assert len(score.reasons) == 3
    assert set(score.reasons[0]) == {
        "feature",
        "label",
        "value",
        "effect",
        "text",
        "template",
        "params",
    }
    for reason in score.reasons:
        assert reason["text"] == reason["template"] % reason["params"]
        assert reason["template"] in (
            *REASON_TEMPLATES.values(),
            *MISSING_TEMPLATES.values(),
            "the account manager changed in the last 6 months",
            "the account manager did not change in the last 6 months",
        )


def test_an_account_manager_reads_the_churn_of_their_own_customers_only(written, cast):
    churn_scores_refresh(by=SYSTEM, as_of=AS_OF)
    mine = GroupCustomer.objects.filter(
        account_manager__employee=cast.account_manager.employee, status="active"
    ).first()
    other = GroupCustomer.objects.exclude(account_manager__employee=cast.account_manager.employee)
    result = customer_churn(user=cast.account_manager, customer=mine)
    assert result["as_of"] == dt.date(2026, 10, 1)
    assert len(result["history"]) == 1
    assert customer_churn(user=cast.account_manager, customer=other.first()) is None
    assert customer_churn(user=cast.employee, customer=mine) is None


def test_the_backtest_is_the_gms_offices(written, cast):
    churn_scores_refresh(by=SYSTEM, as_of=AS_OF)
    assert churn_backtest(user=cast.assistant)["horizon_months"] == 3
    assert churn_backtest(user=cast.head) is None
    assert churn_backtest(user=cast.account_manager) is None


def test_too_little_history_is_refused(cast):
    make_book(cast)
    with pytest.raises(ValidationError, match="at least 10 are needed"):
        churn_scores_refresh(by=SYSTEM, as_of=AS_OF)
    assert ChurnRun.objects.count() == 0


def test_only_the_gms_office_refreshes_the_scores(written, cast):
    with pytest.raises(PermissionDenied):
        churn_scores_refresh(by=cast.head, as_of=AS_OF)
    assert ChurnRun.objects.count() == 0


def test_revenue_analytics_are_scoped(cast):
    customers = make_book(cast)
    for code, amount in (("C1", 900), ("C2", 100), ("C3", 50)):
        MonthlyRevenue.objects.create(
            customer=customers[code], month=dt.date(2026, 3, 1), amount=Decimal(amount)
        )
    everyone = revenue_analytics(user=cast.gm, as_of=dt.date(2026, 5, 1))
    own = revenue_analytics(user=cast.account_manager, as_of=dt.date(2026, 5, 1))
    assert (everyone["customers"], everyone["total"]) == (3, 1050.0)
    assert (own["customers"], own["total"]) == (1, 900.0)
    assert revenue_analytics(user=cast.employee, as_of=dt.date(2026, 5, 1))["customers"] == 0


@pytest.fixture
def labelled_file(tmp_path, demo):
    rows = snapshots(churn_history(demo), months=[12]).drop(columns=["month"])
    rows[TARGET] = rows[TARGET].map({1: "yes", 0: "no"})
    path = tmp_path / "customers.csv"
    rows.to_csv(path, index=False)
    return path, len(rows)


def test_evaluate_churn_prints_the_auc_as_json(labelled_file):
    path, n = labelled_file
    out = StringIO()
    call_command(
        "customers", "evaluate-churn", str(path), "--target", TARGET, "--positive", "yes",
        "--id", "customer_id", "--repeats", "2", "--json", stdout=out,
    )  # fmt: skip
    result = json.loads(out.getvalue())
    assert set(result) == {"auc_mean", "auc_std", "n"}
    assert result["n"] == n


def test_evaluate_churn_prints_the_auc_line(labelled_file):
    path, _n = labelled_file
    out = StringIO()
    call_command(
        "customers", "evaluate-churn", str(path), "--target", TARGET, "--positive", "yes",
        "--folds", "3", "--repeats", "1", stdout=out,
    )  # fmt: skip
    assert re.search(r"^ROC AUC 0\.\d{3} ± 0\.\d{3}$", out.getvalue(), re.MULTILINE)


def test_evaluate_churn_refuses_a_missing_column(labelled_file):
    from django.core.management.base import CommandError

    path, _n = labelled_file
    with pytest.raises(CommandError, match="no target column 'left'"):
        call_command(
            "customers", "evaluate-churn", str(path), "--target", "left", "--positive", "1",
            stdout=StringIO(),
        )  # fmt: skip
