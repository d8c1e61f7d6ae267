"""The churn worklist is the customer list: each customer's latest churn risk, sortable with the
riskiest first, filtered to a band, exported, and seen only for the customers one may see."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from gmassist.customers.models import ChurnRun, ChurnScore
from gmassist.customers.tests.test_pages_customers import make_revenue_book


@pytest.fixture
def scored(cast):
    book = make_revenue_book(cast)
    old = ChurnRun.objects.create(
        as_of=dt.date(2025, 11, 1), horizon_months=3, snapshots=100, churners=9, backtest={}
    )
    run = ChurnRun.objects.create(
        as_of=dt.date(2025, 12, 1), horizon_months=3, snapshots=100, churners=9, backtest={}
    )
    ChurnScore.objects.create(run=old, customer=book["C1"], risk=0.05)
    ChurnScore.objects.create(run=run, customer=book["C1"], risk=0.62)  # the latest counts
    ChurnScore.objects.create(run=run, customer=book["C2"], risk=0.12)
    return book  # C3 is not scored


def _rows(response) -> list[tuple[str, float | None]]:
    return [(row.code, row.churn_risk) for row in response.context["rows"]]


def test_the_riskiest_customers_come_first_and_the_unscored_last(client, cast, scored):
    client.force_login(cast.gm)

    response = client.get("/customers/?sort=-churn")

    assert _rows(response) == [("C1", 0.62), ("C2", 0.12), ("C3", None)]
    body = response.content.decode()
    assert '<td class="num" data-testid="customers-churn">62%</td>' in body
    assert '<td class="num" data-testid="customers-churn">—</td>' in body


def test_the_high_band_is_the_worklist(client, cast, scored):
    client.force_login(cast.gm)

    assert _rows(client.get("/customers/?churn=high")) == [("C1", 0.62)]
    assert _rows(client.get("/customers/?churn=medium")) == [("C2", 0.12)]


def test_an_unknown_band_is_a_form_error_next_to_the_filter_and_lists_nothing(client, cast, scored):
    client.force_login(cast.gm)

    response = client.get("/customers/?churn=doomed")

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["churn"]
    assert response.context["rows"] == []


def test_the_export_carries_the_churn_risk(client, cast, scored):
    client.force_login(cast.gm)

    response = client.get("/customers/?export=csv&sort=-churn")

    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r["code"], r["churn_risk"]) for r in rows] == [
        ("C1", "0.62"),
        ("C2", "0.12"),
        ("C3", ""),
    ]


def test_an_account_manager_sees_the_risk_of_their_own_book_only(client, cast, scored):
    client.force_login(cast.account_manager)

    assert _rows(client.get("/customers/?sort=-churn")) == [("C1", 0.62)]


def test_nobody_logged_in_is_sent_to_log_in(client, scored):
    response = client.get("/customers/?sort=-churn")
    assert response.status_code == 302
