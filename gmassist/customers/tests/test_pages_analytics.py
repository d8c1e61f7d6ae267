"""The analytics page and the churn parts of the customer page: scoped figures, charts, the
backtest, refreshing the scores as a job."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from gmassist.core.models import Job
from gmassist.customers.models import ChurnRun, ChurnScore
from gmassist.customers.tests.test_pages_customers import make_revenue_book

PAGE = reverse("customers:analytics")
JANUARY_2026 = dt.datetime(2026, 1, 15, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def book(cast):
    return make_revenue_book(cast)


def make_churn_run(customer) -> ChurnRun:
    run = ChurnRun.objects.create(
        as_of=dt.date(2025, 12, 1),
        horizon_months=3,
        snapshots=1200,
        churners=90,
        backtest={
            "auc": 0.8123,
            "cut": "2025-06",
            "n_train": 900,
            "n_test": 300,
            "calibration": [
                {
                    "low": 0,
                    "high": 0.2,
                    "count": 200,
                    "mean_predicted": 0.08,
                    "observed_rate": 0.06,
                },
                {"low": 0.2, "high": 1, "count": 100, "mean_predicted": 0.4, "observed_rate": 0.45},
                {"low": 1, "high": 1, "count": 0, "mean_predicted": 0, "observed_rate": 0},
            ],
        },
    )
    ChurnScore.objects.create(
        run=run,
        customer=customer,
        risk=0.62,
        reasons=[
            {
                "feature": "revenue_trend",
                "label": "revenue trend",
                "value": -0.4,
                "effect": 1.2,
                "text": "revenue fell 40% over 6 months",
            }
        ],
    )
    return run


@time_machine.travel(JANUARY_2026, tick=False)
def test_the_gm_sees_revenue_by_tier_concentration_and_arpu(client, cast, book):
    client.force_login(cast.gm)
    response = client.get(PAGE)
    assert response.status_code == 200
    data = response.context["analytics"]
    assert (data["month"], data["total"], data["customers"]) == ("2025-12", 12500.0, 3)
    assert data["arpu_monthly"] == 520.83  # 12,500 / 2 paying customers / 12 months
    assert data["concentration"]["top_share"] == 1.0
    assert data["concentration"]["hhi"] == 9232.0  # 96² + 4²
    tiers = response.context["groups"][0]
    assert [(r["tier"], r["revenue_12m"]) for r in tiers["rows"]] == [
        ("A", 12000.0),
        ("B", 500.0),
        ("C", 0.0),
    ]
    assert tiers["chart"]["datasets"][0]["data"] == [12000.0, 500.0, 0.0]
    curve = response.context["chart_pareto"]["datasets"][0]["data"]
    assert (curve[0], curve[-1]) == ({"x": 0.0, "y": 0.0}, {"x": 1.0, "y": 1.0})
    # a third of the customers (the largest, C1) make 96% of the revenue, two thirds all of it
    assert (curve[17], curve[34]) == ({"x": 0.34, "y": 0.96}, {"x": 0.68, "y": 1.0})
    html = response.content.decode()
    for chart in ("analytics-chart-pareto", "analytics-chart-tier", "analytics-chart-industry"):
        assert f'id="{chart}"' in html
    assert 'data-testid="analytics-churn-none"' in html


@time_machine.travel(JANUARY_2026, tick=False)
def test_an_account_manager_sees_the_figures_of_their_own_book(client, cast, book):
    client.force_login(cast.account_manager)
    data = client.get(PAGE).context["analytics"]
    assert (data["total"], data["customers"]) == (12000.0, 1)
    assert data["concentration"]["hhi"] == 10000.0


@time_machine.travel(JANUARY_2026, tick=False)
def test_the_fallers_list_the_customers_whose_revenue_fell(client, cast, book):
    from gmassist.customers.models import MonthlyRevenue

    MonthlyRevenue.objects.create(customer=book["C3"], month=dt.date(2024, 3, 1), amount=800)
    client.force_login(cast.gm)
    response = client.get(PAGE)
    [faller] = response.context["analytics"]["fallers"]
    assert (faller["code"], faller["fall"], faller["fall_share"]) == ("C3", 800.0, 1.0)
    assert 'data-testid="analytics-faller"' in response.content.decode()


def test_the_backtest_shows_its_auc_and_calibration(client, cast, book):
    make_churn_run(book["C1"])
    client.force_login(cast.gm)
    response = client.get(PAGE)
    assert response.context["backtest"]["backtest"]["auc"] == 0.8123
    points = response.context["chart_calibration"]["datasets"][0]["data"]
    assert points == [{"x": 0.08, "y": 0.06}, {"x": 0.4, "y": 0.45}]
    assert 'data-testid="analytics-auc">0.812<' in response.content.decode()


def test_the_model_is_the_gms_offices_and_scores_follow_the_customer(client, cast, book):
    make_churn_run(book["C1"])
    client.force_login(cast.account_manager)
    assert client.get(PAGE).context["backtest"] is None
    churn = client.get(reverse("customers:customer", args=[book["C1"].pk])).context["churn"]
    assert (churn["risk"], churn["level"], churn["horizon_months"]) == (0.62, "high", 3)
    assert [r["text"] for r in churn["reasons"]] == ["revenue fell 40% over 6 months"]


def test_the_customer_page_shows_the_churn_risk_with_reasons(client, cast, book):
    make_churn_run(book["C1"])
    client.force_login(cast.gm)
    html = client.get(reverse("customers:customer", args=[book["C1"].pk])).content.decode()
    assert 'data-testid="customer-churn-risk">62%<' in html
    assert "revenue fell 40% over 6 months" in html
    body = client.get(f"/api/customers/{book['C1'].pk}").json()
    assert body["churn"]["risk"] == 0.62
    assert body["churn"]["level"] == "high"
    assert body["churn"]["reasons"][0]["effect"] == 1.2


def test_refreshing_the_churn_scores_is_a_job_of_the_gms_office(client, cast, book):
    client.force_login(cast.head)
    assert client.post(PAGE).status_code == 403
    assert Job.objects.count() == 0
    client.force_login(cast.gm)
    response = client.post(PAGE)
    job = Job.objects.get()
    assert job.kind == "customers.churn"
    assert response["Location"] == reverse("job", args=[job.pk])


@pytest.mark.parametrize("role", ["hr", "employee"])
def test_roles_without_customers_are_refused(client, cast, book, role):
    client.force_login(getattr(cast, role))
    assert client.get(PAGE).status_code == 403


def test_the_page_asks_for_a_login(client, book):
    assert client.get(PAGE).status_code == 302


@time_machine.travel(dt.datetime(2026, 1, 15, 9, 0), tick=False)
def test_the_analytics_page_sums_the_revenue_rows_once_for_figures_and_curve(client, cast, book):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(cast.gm)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(PAGE)
    assert response.status_code == 200
    revenue_sums = [
        q["sql"] for q in queries if "SUM(" in q["sql"] and "customers_monthlyrevenue" in q["sql"]
    ]
    assert len(revenue_sums) == 1
    assert response.context["chart_pareto"]["datasets"][0]["data"][-1] == {"x": 1.0, "y": 1.0}
