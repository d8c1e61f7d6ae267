"""The workforce pages and endpoints: success, no login, wrong scope (nothing changed), bad
input."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from conftest import assert_problem
from gmassist.core.models import Proposal
from gmassist.core.services import proposal_approve
from gmassist.org.models import Employee
from gmassist.voice.recruiting.models import Requisition
from gmassist.workforce import services
from gmassist.workforce.models import Backtest, Plan, Scenario

TODAY = dt.datetime(2025, 1, 10, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def plan(cast):
    """The cast hired in 2022 (one left in June 2022); Sales is to have 4 salespeople and
    Sales East 3 from the first quarter of 2025 on."""
    Employee.objects.update(hire_date=dt.date(2022, 1, 10))
    Employee.objects.filter(pk=cast.outsider.employee.pk).update(leave_date=dt.date(2022, 6, 1))
    with time_machine.travel(TODAY, tick=False):
        return services.plan_build(
            name="2025",
            as_of=dt.date(2024, 12, 31),
            horizon=4,
            runs=200,
            lines=[
                {"department": "Sales", "job_family": "Sales", "method": "target", "targets": [4]},
                {
                    "department": "Sales East",
                    "job_family": "Sales",
                    "method": "target",
                    "targets": [3],
                },
            ],
            by=cast.hr,
        )


PAGES = ["/workforce/", "/workforce/plans/{pk}/", "/workforce/plans/{pk}/scenarios/",
         "/workforce/backtest/"]  # fmt: skip


def test_hr_sees_the_plan_with_a_row_per_quarter(client, cast, plan):
    client.force_login(cast.hr)
    response = client.get(f"/workforce/plans/{plan.pk}/")
    assert response.status_code == 200
    assert [row["quarter"] for row in response.context["rows"]] == [
        "2025Q1", "2025Q2", "2025Q3", "2025Q4"
    ]  # fmt: skip
    assert response.context["rows"][0]["demand"] == 4 + 3 + 2  # HQ's two engineers stay as they are
    gaps = {(g["department"], g["job_family"]) for g in response.context["gaps"]}
    assert ("Sales", "Sales") in gaps and ("Sales East", "Sales") in gaps


def test_the_pages_ask_for_a_login(client, plan):
    for page in PAGES:
        assert client.get(page.format(pk=plan.pk)).status_code == 302
    assert_problem(client.get("/api/workforce/plans"), 401)
    assert_problem(client.get(f"/api/workforce/plans/{plan.pk}/gaps"), 401)


def test_an_employee_sees_no_plan(client, cast, plan):
    client.force_login(cast.employee)
    for page in PAGES:
        assert client.get(page.format(pk=plan.pk)).status_code in (403, 404)
    assert_problem(client.get("/api/workforce/plans"), 403)


def test_a_head_sees_only_the_lines_of_their_subtree(client, cast, plan):
    client.force_login(cast.head)
    body = client.get(f"/api/workforce/plans/{plan.pk}").json()
    assert sorted(line["department"] for line in body["lines"]) == ["Sales", "Sales East"]
    assert body["company"]["demand"] == [7, 7, 7, 7]  # their lines' sum, not the company's
    assert client.get(f"/workforce/plans/{plan.pk}/").status_code == 200
    # the company-wide pages are not theirs
    assert client.get(f"/workforce/plans/{plan.pk}/scenarios/").status_code == 403
    assert client.get("/workforce/backtest/").status_code == 403


def test_a_head_may_not_run_a_backtest_and_nothing_changes(client, cast, plan):
    client.force_login(cast.head)
    assert (
        client.post("/workforce/backtest/", {"as_of": "2023-12-31", "horizon": 4}).status_code
        == 403
    )
    assert_problem(
        client.post(
            "/api/workforce/backtest", {"as_of": "2023-12-31"}, content_type="application/json"
        ),
        403,
    )
    assert Backtest.objects.count() == 0


def test_hr_runs_a_backtest_from_the_page(client, cast, plan):
    client.force_login(cast.hr)
    response = client.post("/workforce/backtest/", {"as_of": "2023-12-31", "horizon": 4})
    assert response.status_code == 302
    page = client.get("/workforce/backtest/")
    assert page.context["result"]["as_of"] == "2023-12-31"
    assert client.get("/api/workforce/backtest").json()["horizon"] == 4


def test_a_backtest_too_early_is_a_400_that_says_why(client, cast, plan):
    client.force_login(cast.hr)
    response = client.post("/workforce/backtest/", {"as_of": "2022-03-31", "horizon": 4})
    assert response.status_code == 400
    assert "less than a year of history" in response.content.decode()
    assert Backtest.objects.count() == 0


def test_a_bad_date_is_a_422(client, cast):
    client.force_login(cast.hr)
    body = assert_problem(
        client.post("/api/workforce/backtest", {"as_of": "soon"}, content_type="application/json"),
        422,
    )
    assert body["errors"][0]["field"] == "as_of"


def test_an_employee_may_not_build_a_plan_and_nothing_changes(client, cast, plan):
    client.force_login(cast.employee)
    payload = {"name": "x", "as_of": "2024-12-31", "runs": 20}
    assert_problem(
        client.post("/api/workforce/plans", payload, content_type="application/json"), 403
    )
    assert Plan.objects.count() == 1


def test_hr_builds_a_new_version_through_the_api(client, cast, plan):
    client.force_login(cast.hr)
    payload = {"name": "2025", "as_of": "2024-12-31", "horizon": 2, "runs": 20}
    response = client.post("/api/workforce/plans", payload, content_type="application/json")
    assert response.status_code == 201
    assert (response.json()["version"], Plan.objects.count()) == (2, 2)


def test_a_hiring_freeze_keeps_the_head_count_at_the_supply(client, cast, plan):
    client.force_login(cast.hr)
    response = client.post(
        f"/workforce/plans/{plan.pk}/scenarios/", {"name": "Freeze", "kind": "hiring_freeze"}
    )
    assert response.status_code == 302
    scenario = Scenario.objects.get()
    assert scenario.result["hires_needed"] == [0.0, 0.0, 0.0, 0.0]
    assert scenario.result["head_count"] == scenario.result["supply"]
    # what the plan would have hired is left unfilled
    assert scenario.result["unfilled"] == plan.summary["company"]["hires_needed"]
    page = client.get(f"/workforce/plans/{plan.pk}/scenarios/")
    assert [name for name, _ in page.context["columns"]] == ["As planned", "Freeze"]


def test_a_scenario_without_its_percent_is_a_400_and_saves_nothing(client, cast, plan):
    client.force_login(cast.hr)
    response = client.post(
        f"/workforce/plans/{plan.pk}/scenarios/", {"name": "Up", "kind": "leaving_up"}
    )
    assert response.status_code == 400
    assert Scenario.objects.count() == 0


def test_the_recruitment_plan_becomes_proposals_and_an_approved_one_opens_a_requisition(
    client, cast, plan
):
    client.force_login(cast.hr)
    with time_machine.travel(TODAY, tick=False):
        assert client.post(f"/workforce/plans/{plan.pk}/").status_code == 302
        proposals = list(Proposal.objects.filter(kind=services.REQUISITIONS).order_by("title"))
        assert Requisition.objects.count() == 0  # nothing opens until approved
        by_department = {p.payload["line_id"]: p for p in proposals}
        assert len(by_department) == 2
        sales = next(p for p in proposals if p.department_id == cast.sales.pk)
        assert sales.payload["count"] == 2  # 4 wanted, 2 there
        assert sales.payload["needed_by"] == "2025-03-31"  # the first quarter's end
        proposal_approve(proposal=sales, by=cast.gm)
    requisition = Requisition.objects.get()
    assert (requisition.department, requisition.position, requisition.headcount) == (
        cast.sales, cast.salesperson, 2
    )  # fmt: skip


def test_a_head_may_not_propose_for_another_department(client, cast, plan):
    client.force_login(cast.employee)
    assert client.post(f"/workforce/plans/{plan.pk}/").status_code in (403, 404)
    assert Proposal.objects.count() == 0
