"""Editing a plan's lines before approval: changing an action's amount or dropping the line,
on the plan page (a form per line, no JavaScript) and through the API (PATCH and DELETE
/api/talent/plans/{id}/lines/{line_id}). Each path: success (the line is priced again and the
plan's totals follow, audited), no login, wrong scope or role (nothing changed), bad input.

The plan (scored.py, DEVELOPMENT_MENU, made by HR within 30,000): Oscar (E005) a 3% raise
(3,300) and a development programme (500), Emma (E004) the same (2,280 + 500), Hank (E003) and
Alice (E006) a programme each: 7,580 in all.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from conftest import assert_problem
from gmassist.core.choices import AuditAction
from gmassist.core.models import AuditEntry
from gmassist.org.models import Employee
from gmassist.talent.choices import PlanLineStatus
from gmassist.talent.engine import incentive_plan
from gmassist.talent.models import IncentivePlan, IncentivePlanLine
from gmassist.talent.services import incentive_plan_approve, incentive_plan_create
from gmassist.talent.tests.scored import DEVELOPMENT_MENU, RESPONSE

PLANS = "/api/talent/plans"
RAISE = {"instrument": "raise", "share": 0.03, "amount": 2280.0}


@pytest.fixture
def plan(scored) -> IncentivePlan:
    return incentive_plan_create(
        budget=30000, by=scored.hr, time_limit=5, menu_toml=DEVELOPMENT_MENU
    )


def _line(plan: IncentivePlan, employee_no: str) -> IncentivePlanLine:
    return plan.lines.get(employee__employee_no=employee_no)


def _state(plan: IncentivePlan) -> list:
    """Everything an edit may change, to check that a refused one changed nothing."""
    plan.refresh_from_db()
    lines = list(
        plan.lines.order_by("pk").values_list("pk", "actions", "cost", "effect", "risk_after")
    )
    return [plan.total_cost, plan.total_effect, plan.summary, lines]


def _patch(client, plan, line, body):
    return client.patch(
        f"{PLANS}/{plan.pk}/lines/{line.pk}", json.dumps(body), content_type="application/json"
    )


def _edits():
    return AuditEntry.objects.filter(target_type="talent.incentiveplanline").exclude(
        action=AuditAction.READ_PAY
    )


def test_the_plan_is_as_the_docstring_says(plan):
    assert {
        line.employee.employee_no: (line.actions, line.cost)
        for line in plan.lines.select_related("employee")
    } == {
        "E005": (
            [
                {"instrument": "raise", "share": 0.03, "amount": 3300.0},
                {"instrument": "development", "amount": 500.0},
            ],
            Decimal("3800.00"),
        ),
        "E004": (
            [
                {"instrument": "raise", "share": 0.03, "amount": 2280.0},
                {"instrument": "development", "amount": 500.0},
            ],
            Decimal("2780.00"),
        ),
        "E003": ([{"instrument": "development", "amount": 500.0}], Decimal("500.00")),
        "E006": ([{"instrument": "development", "amount": 500.0}], Decimal("500.00")),
    }
    assert plan.total_cost == Decimal("7580.00")


# --- the API -------------------------------------------------------------------------------


def test_patching_an_amount_prices_the_line_again_and_the_totals_follow(client, scored, plan):
    line = _line(plan, "E005")
    before_effect = line.effect
    client.force_login(scored.gm)

    response = _patch(client, plan, line, {"instrument": "raise", "amount": 6600})

    assert response.status_code == 200, response.content
    body = response.json()
    expected = incentive_plan.evaluate_actions(
        line.inputs,
        [
            {"instrument": "raise", "share": 0.06, "amount": 6600.0},
            {"instrument": "development", "amount": 500.0},
        ],
        incentive_plan.menu_from_toml(DEVELOPMENT_MENU),
        RESPONSE,
    )
    assert body["line"]["actions"][0] == {"instrument": "raise", "share": 0.06, "amount": 6600.0}
    assert body["line"]["cost"] == 7100
    assert body["line"]["effect"] == round(expected.effect, 2) > before_effect
    assert body["line"]["net"] == round(round(expected.effect, 2) - 7100, 2)
    assert body["plan"]["total_cost"] == 7580 + 3300
    line.refresh_from_db()
    plan.refresh_from_db()
    assert line.cost == Decimal("7100.00")
    assert line.risk_after == round(expected.risk_after, 6)
    assert plan.total_cost == Decimal("10880.00")
    assert plan.total_effect == round(sum(x.effect for x in plan.lines.all()), 2)
    assert plan.summary["edited"] is True
    assert body["plan"]["spending_note"].startswith("Edited by hand: spends 10,880 of the 30,000")
    (entry,) = _edits()
    assert entry.action == AuditAction.UPDATE
    assert (entry.actor, entry.target_id) == (scored.gm, str(line.pk))
    assert entry.changes["before"]["cost"] == 3800
    assert entry.changes["after"]["cost"] == 7100


def test_a_line_of_one_action_needs_no_instrument(client, scored, plan):
    line = _line(plan, "E003")
    client.force_login(scored.assistant)
    response = _patch(client, plan, line, {"amount": 800})
    assert response.status_code == 200, response.content
    assert response.json()["line"]["actions"] == [{"instrument": "development", "amount": 800.0}]
    # the programme's effect does not depend on its cost: the net value falls by 300
    line_before = response.json()["line"]
    assert line_before["net"] == round(line.effect - 800, 2)


def test_patching_without_a_login_is_a_401_and_changes_nothing(client, plan):
    before = _state(plan)
    assert_problem(_patch(client, plan, _line(plan, "E003"), {"amount": 800}), 401)
    assert _state(plan) == before
    assert not _edits().exists()


@pytest.mark.parametrize(("who", "status"), [("head", 404), ("employee", 403), ("am", 403)])
def test_patching_out_of_scope_or_role_changes_nothing(client, scored, plan, who, status):
    # the head may make plans but not see HR's; an employee and an account manager may not
    user = {"head": scored.head, "employee": scored.employee, "am": scored.account_manager}[who]
    before = _state(plan)
    client.force_login(user)
    assert_problem(_patch(client, plan, _line(plan, "E003"), {"amount": 800}), status)
    assert_problem(client.delete(f"{PLANS}/{plan.pk}/lines/{_line(plan, 'E003').pk}"), status)
    assert _state(plan) == before
    assert not _edits().exists()


def test_a_line_of_another_plan_is_a_404(client, scored, plan):
    other = incentive_plan_create(budget=1000, by=scored.gm, time_limit=5)
    client.force_login(scored.gm)
    before = _state(plan)
    response = client.patch(
        f"{PLANS}/{other.pk}/lines/{_line(plan, 'E003').pk}",
        json.dumps({"amount": 800}),
        content_type="application/json",
    )
    assert_problem(response, 404)
    assert _state(plan) == before


@pytest.mark.parametrize(
    ("employee_no", "body", "field"),
    [
        ("E003", {"amount": 0}, "amount"),
        ("E003", {"amount": -5}, "amount"),
        ("E003", {"amount": "lots"}, "amount"),
        ("E003", {}, "amount"),
        ("E003", {"amount": 800, "instrument": "colour"}, "instrument"),
        ("E005", {"amount": 800}, "instrument"),  # two actions: say which
        ("E003", {"amount": 800, "instrument": "bonus"}, "amount"),  # not on the line
        # 110,000 + 25,000 is above the band maximum of 130,000
        ("E005", {"amount": 25000, "instrument": "raise"}, "amount"),
        # 7,580 - 500 + 29,000 is over the budget of 30,000
        ("E006", {"amount": 29000}, "amount"),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_changes_nothing(
    client, scored, plan, employee_no, body, field
):
    before = _state(plan)
    client.force_login(scored.gm)
    problem = assert_problem(_patch(client, plan, _line(plan, employee_no), body), 422)
    assert field in [error["field"] for error in problem["errors"]], problem
    assert _state(plan) == before
    assert not _edits().exists()


def test_the_band_maximum_and_the_budget_say_why(client, scored, plan):
    client.force_login(scored.gm)
    raise_problem = _patch(
        client, plan, _line(plan, "E005"), {"amount": 25000, "instrument": "raise"}
    )
    assert "above the band maximum 130,000.00" in raise_problem.json()["errors"][0]["message"]
    budget_problem = _patch(client, plan, _line(plan, "E006"), {"amount": 29000})
    assert "over its budget of 30,000" in budget_problem.json()["errors"][0]["message"]


def test_an_approved_line_cannot_be_changed_or_dropped(client, scored, plan):
    line = _line(plan, "E006")
    incentive_plan_approve(plan=plan, by=scored.gm, line_ids=[line.pk])
    line.refresh_from_db()
    assert line.status == PlanLineStatus.APPROVED
    before = _state(plan)
    client.force_login(scored.gm)
    problem = assert_problem(_patch(client, plan, line, {"amount": 800}), 422)
    assert "only a planned line may be changed" in problem["errors"][0]["message"]
    assert_problem(client.delete(f"{PLANS}/{plan.pk}/lines/{line.pk}"), 422)
    assert _state(plan) == before


def _heads_plan_with_own_line(scored) -> IncentivePlan:
    """A plan of the head's with a line about the head himself (as a plan made before the
    deciders were left out could have) and one about Emma, both without the engine's row."""
    plan = IncentivePlan.objects.create(
        budget=Decimal("20000"),
        as_of=dt.date(2026, 10, 31),
        effective_date=dt.date(2026, 12, 1),
        created_by=scored.head,
        menu=incentive_plan.DEFAULT_MENU.as_dict(),
        total_cost=Decimal("4560"),
        total_effect=3000.0,
    )
    for number in ("E003", "E004"):
        IncentivePlanLine.objects.create(
            plan=plan,
            employee=Employee.objects.get(employee_no=number),
            actions=[RAISE],
            cost=Decimal("2280"),
            effect=1500.0,
            value=31666.67,
            risk_before=0.4,
            risk_after=0.35,
        )
    return plan


def test_nobody_changes_their_own_line(client, scored):
    plan = _heads_plan_with_own_line(scored)
    before = _state(plan)
    client.force_login(scored.head)
    own = _line(plan, "E003")
    problem = assert_problem(_patch(client, plan, own, {"amount": 3000}), 403)
    assert "nobody decides their own case" in problem["detail"]
    assert_problem(client.delete(f"{PLANS}/{plan.pk}/lines/{own.pk}"), 403)
    assert (
        client.post(f"/talent/plans/{plan.pk}/lines/{own.pk}/", {"do": "drop"}).status_code == 403
    )
    assert _state(plan) == before


def test_a_line_saved_without_the_engines_row_is_priced_from_the_data_now(client, scored):
    plan = _heads_plan_with_own_line(scored)
    client.force_login(scored.head)
    emma = _line(plan, "E004")
    response = _patch(client, plan, emma, {"amount": 4560})
    assert response.status_code == 200, response.content
    emma.refresh_from_db()
    # Emma: 76,000 at a midpoint of 100,000, 14 months since her raise; a 6% raise moves the
    # log-odds by -4 x 4,560 / 100,000 - 0.02 x 14 = -0.4624 from her planned risk of 0.4
    logit = -0.4054651081081644 - 0.4624
    assert emma.risk_after == round(1 / (1 + 2.718281828459045**-logit), 6)
    assert emma.actions == [{"instrument": "raise", "share": 0.06, "amount": 4560.0}]
    assert emma.inputs["base_pay"] == 76000.0


def test_deleting_a_line_drops_it_and_the_totals_follow(client, scored, plan):
    line = _line(plan, "E004")
    client.force_login(scored.hr)
    response = client.delete(f"{PLANS}/{plan.pk}/lines/{line.pk}")
    assert response.status_code == 200, response.content
    assert response.json()["total_cost"] == 7580 - 2780
    assert not IncentivePlanLine.objects.filter(pk=line.pk).exists()
    plan.refresh_from_db()
    assert plan.total_cost == Decimal("4800.00")
    assert plan.summary["people"] == 3
    (entry,) = _edits()
    assert (entry.action, entry.target_id, entry.changes["cost"]) == (
        AuditAction.DELETE,
        str(line.pk),
        2780,
    )


def test_deleting_without_a_login_or_an_unknown_line_changes_nothing(client, scored, plan):
    before = _state(plan)
    assert_problem(client.delete(f"{PLANS}/{plan.pk}/lines/{_line(plan, 'E004').pk}"), 401)
    client.force_login(scored.gm)
    assert_problem(client.delete(f"{PLANS}/{plan.pk}/lines/999999"), 404)
    assert_problem(client.delete(f"{PLANS}/{plan.pk}/lines/0"), 422)
    assert _state(plan) == before


# --- the page ------------------------------------------------------------------------------


def _page_url(plan, line) -> str:
    return f"/talent/plans/{plan.pk}/lines/{line.pk}/"


def test_the_plan_page_has_a_form_per_planned_line(client, scored, plan):
    client.force_login(scored.gm)
    html = client.get(f"/talent/plans/{plan.pk}/").content.decode()
    assert html.count('data-testid="plan-line-form"') == 4
    assert html.count('data-testid="plan-line-amount"') == 6  # two lines have two actions
    assert f'action="{_page_url(plan, _line(plan, "E003"))}"' in html
    assert 'data-testid="plan-net"' in html and 'data-testid="plan-return"' in html


def test_the_page_form_changes_an_amount_and_comes_back_to_the_plan(client, scored, plan):
    line = _line(plan, "E005")
    client.force_login(scored.gm)
    response = client.post(
        _page_url(plan, line), {"amount_raise": "6,600", "amount_development": "500"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/talent/plans/{plan.pk}/"
    line.refresh_from_db()
    assert (line.cost, line.actions[0]["amount"], line.actions[1]["amount"]) == (
        Decimal("7100.00"),
        6600.0,
        500.0,
    )
    page = client.get(response["Location"]).content.decode()
    assert "Edited by hand: spends 10,880 of the 30,000 budget" in page
    assert 'data-testid="plan-total-cost">10,880<' in page
    assert _edits().get().action == AuditAction.UPDATE


def test_the_page_form_drops_a_line(client, scored, plan):
    line = _line(plan, "E006")
    client.force_login(scored.assistant)
    response = client.post(_page_url(plan, line), {"do": "drop"})
    assert response.status_code == 302
    assert not IncentivePlanLine.objects.filter(pk=line.pk).exists()
    plan.refresh_from_db()
    assert plan.total_cost == Decimal("7080.00")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"amount_development": "lots"}, "is not a number"),
        ({"amount_development": "-3"}, "more than 0"),
        ({"amount_development": "29000"}, "over its budget"),
    ],
)
def test_bad_page_input_re_shows_the_plan_with_the_reason(client, scored, plan, data, message):
    before = _state(plan)
    client.force_login(scored.gm)
    response = client.post(_page_url(plan, _line(plan, "E006")), data)
    assert response.status_code == 422
    assert message in response.context["error"]
    assert 'data-testid="plan-error"' in response.content.decode()
    assert _state(plan) == before


def test_the_page_form_without_a_login_or_out_of_scope_changes_nothing(client, scored, plan):
    line = _line(plan, "E006")
    before = _state(plan)
    response = client.post(_page_url(plan, line), {"do": "drop"})
    assert response.status_code == 302 and "/login" in response["Location"]
    client.force_login(scored.head)
    assert client.post(_page_url(plan, line), {"do": "drop"}).status_code == 404
    client.force_login(scored.employee)
    assert client.post(_page_url(plan, line), {"do": "drop"}).status_code == 403
    client.force_login(scored.gm)
    assert client.get(_page_url(plan, line)).status_code == 405
    assert _state(plan) == before
    assert not _edits().exists()
