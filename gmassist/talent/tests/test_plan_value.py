"""An incentive plan worth its cost: the deciders are never its lines (the GM's case is decided
outside the application; nobody decides their own case), and the plan says plainly what it
spends of its budget and why, in English and Chinese.

The usual cast, scored (scored.py): Grace (E001) is the GM, Harriet (E002) HR, Hank (E003) the
head of Sales (Emma, Hank himself and Alice).
"""

from __future__ import annotations

import pytest
from django.utils import translation

from gmassist.core.services import OUTSIDE_DECISION, OWN_CASE, subject_conflict
from gmassist.org.models import Employee
from gmassist.talent import presenters, services
from gmassist.talent.engine import incentive_plan
from gmassist.talent.models import RiskScore
from gmassist.talent.services import incentive_plan_create, plan_deciders
from gmassist.talent.tests.scored import DEVELOPMENT_MENU, RESPONSE

NOTHING_WORTH_IT = "raise_enabled = false\npromotion_enabled = false\ndevelopment_enabled = false\n"


def _ids(*numbers: str) -> set[int]:
    return set(Employee.objects.filter(employee_no__in=numbers).values_list("pk", flat=True))


def _lines(plan) -> list[str]:
    return sorted(plan.lines.values_list("employee__employee_no", flat=True))


def _left_out(plan) -> list[tuple[str, str]]:
    return [(p["employee_no"], p["reason"]) for p in plan.summary["left_out"]]


def test_the_rule_is_the_decision_rules_own(scored):
    (gm,) = _ids("E001")
    (hr,) = _ids("E002")
    assert subject_conflict(subjects={gm}, by=scored.hr) == OUTSIDE_DECISION
    assert subject_conflict(subjects={hr}, by=scored.hr) == OWN_CASE
    assert subject_conflict(subjects={hr}, by=scored.gm) == ""


def test_the_gm_and_hr_are_never_lines_of_the_assistants_plan(scored):
    # with a programme of 500, a development programme is worth its cost for the GM too (her
    # 40 months since a promotion): the GM reported being given one
    plan = incentive_plan_create(
        budget=30000, by=scored.assistant, menu_toml=DEVELOPMENT_MENU, time_limit=5
    )
    assert _lines(plan) == ["E003", "E004", "E005", "E006"]
    assert _left_out(plan) == [("E001", OUTSIDE_DECISION), ("E002", OWN_CASE)]
    grace = Employee.objects.select_related("position").get(employee_no="E001")
    row = services.plan_row(
        employee=grace,
        score=RiskScore.objects.filter(employee=grace).latest("as_of"),
        value=40000.0,
        bands=services.grade_bands(),
    )
    menu = incentive_plan.menu_from_toml(DEVELOPMENT_MENU)
    assert [o.actions[-1]["instrument"] for o in
            incentive_plan.person_options(row, 0, menu, RESPONSE)] == ["development"]  # fmt: skip
    assert plan_deciders(by=scored.assistant) == {
        **dict.fromkeys(_ids("E001"), OUTSIDE_DECISION),
        **dict.fromkeys(_ids("E002"), OWN_CASE),
    }


def test_the_maker_of_a_plan_is_never_its_line(scored):
    # the head sees Sales only: himself (left out), Emma and Alice
    plan = incentive_plan_create(
        budget=30000, by=scored.head, menu_toml=DEVELOPMENT_MENU, time_limit=5
    )
    assert _lines(plan) == ["E004", "E006"]
    assert _left_out(plan) == [("E003", OWN_CASE)]


def test_hr_is_a_candidate_when_hr_may_not_approve_plans(scored, monkeypatch):
    monkeypatch.setattr(services, "_hr_may_approve_plans", lambda: False)
    plan = incentive_plan_create(
        budget=30000, by=scored.gm, menu_toml=DEVELOPMENT_MENU, time_limit=5
    )
    assert "E002" in _lines(plan)
    assert _left_out(plan) == [("E001", OUTSIDE_DECISION)]


def test_the_plan_page_says_who_was_left_out_and_why_in_chinese(client, scored):
    plan = incentive_plan_create(budget=30000, by=scored.hr, time_limit=5)
    client.force_login(scored.gm)
    html = client.get(
        f"/talent/plans/{plan.pk}/", headers={"accept-language": "zh-hans"}
    ).content.decode()
    assert "Grace Manager (E001): 在系统之外决定" in html
    assert "Harriet Ross (E002): 任何人都不决定自己的事" in html
    assert "在 30,000 的预算中只花 5,580：其他措施都不值得其成本。" in html


@pytest.mark.parametrize(
    ("budget", "menu", "english", "chinese"),
    [
        (
            30000,
            "",
            "Spend 5,580 of the 30,000 budget: no other action is worth its cost.",
            "在 30,000 的预算中只花 5,580：其他措施都不值得其成本。",
        ),
        (
            30000,
            NOTHING_WORTH_IT,
            "Spend nothing of the 30,000 budget: no action is worth its cost.",
            "30,000 的预算一分不花：没有任何措施值得其成本。",
        ),
        (
            # four programmes (2,000) are worth more than any plan with a raise that fits
            3000,
            DEVELOPMENT_MENU,
            "Spend 2,000 of the 3,000 budget. The budget is the limit: spending 7,580 would "
            "be worth it, for a net value of 7,865.",
            "在 3,000 的预算中花费 2,000。预算是限制：花费 7,580 仍然值得，净值可达 7,865。",
        ),
    ],
)
def test_the_plan_says_what_it_spends_and_why(scored, budget, menu, english, chinese):
    plan = incentive_plan_create(budget=budget, by=scored.gm, menu_toml=menu, time_limit=5)
    with translation.override("en"):
        assert presenters.plan_spending_note(plan.summary, budget=plan.budget) == english
    with translation.override("zh-hans"):
        assert presenters.plan_spending_note(plan.summary, budget=plan.budget) == chinese
    assert plan.summary["total_cost"] <= budget
    assert all(line.effect > float(line.cost) for line in plan.lines.all())


def test_a_plan_made_before_plans_said_so_has_no_note(scored):
    assert presenters.plan_spending_note({"total_cost": 10}, budget=100) == ""


def test_the_plan_command_says_what_it_spends_who_was_left_out_and_each_lines_return(scored):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("talent", "plan", "--budget", "30000", "--user", "gm", stdout=out)
    text = out.getvalue()
    assert "net value 1,336, return 1.24" in text
    assert "Spend 5,580 of the 30,000 budget: no other action is worth its cost." in text
    assert (
        "Left out of the candidates (they decide the plan): Grace Manager (E001): decided "
        "outside the application; Harriet Ross (E002): nobody decides their own case"
    ) in text
    assert "Net" in text and "Return" in text
