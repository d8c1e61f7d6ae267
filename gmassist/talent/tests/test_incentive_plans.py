"""Incentive plans on the demo company: made within the budget, approved into proposals."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from gmassist.core.choices import ProposalStatus
from gmassist.core.models import Proposal, User
from gmassist.core.permissions import SYSTEM
from gmassist.core.services import proposal_approve, proposals_apply_due
from gmassist.org.choices import PayChangeReason
from gmassist.org.demo.generator import generate
from gmassist.org.demo.writer import demo_company_write
from gmassist.org.models import Employee, PayChange
from gmassist.org.services import PROMOTION, next_grade_position, promotion_propose
from gmassist.talent.choices import PlanLineStatus, PlanStatus
from gmassist.talent.models import IncentivePlan
from gmassist.talent.services import PlanError, incentive_plan_approve, incentive_plan_create

AS_OF = dt.date(2026, 11, 1)


@pytest.fixture
def demo(db):
    # the organisation and its leaving-risk scores; the other apps' demo data is not needed
    demo_company_write(company=generate(seed=1, tier="S", as_of=AS_OF), only=("talent",))


def _user(name: str) -> User:
    return User.objects.get(username=name)


def test_a_plan_stays_within_its_budget_and_is_saved_as_a_draft(demo):
    plan = incentive_plan_create(budget=200000, by=_user("hr"), time_limit=10)
    assert plan.status == PlanStatus.DRAFT
    assert plan.total_cost <= Decimal(200000)
    assert sum(line.cost for line in plan.lines.all()) == plan.total_cost
    assert plan.summary["total_effect"] >= plan.summary["greedy_effect"]
    assert [p["budget"] for p in plan.summary["curve"]] == [50000, 100000, 150000, 200000,
                                                           300000, 400000]  # fmt: skip
    assert Proposal.objects.filter(status=ProposalStatus.OPEN).count() == 3  # the demo's own


def test_an_employee_cannot_make_a_plan_and_nothing_is_saved(demo):
    with pytest.raises(PermissionDenied):
        incentive_plan_create(budget=1000, by=_user("employee"))
    assert IncentivePlan.objects.count() == 0


def test_a_bad_menu_says_which_key(demo):
    with pytest.raises(PlanError, match="raise_step"):
        incentive_plan_create(budget=1000, by=_user("gm"), menu_toml="raise_step = -1")


def test_approving_chosen_lines_applies_their_pay_changes_and_promotions(demo):
    gm = _user("gm")
    plan = incentive_plan_create(budget=300000, by=_user("hr"), time_limit=10)
    lines = list(plan.lines.all())
    pay_lines = [
        line
        for line in lines
        if any(a["instrument"] in ("raise", "promotion") for a in line.actions)
    ][:3]
    before = {
        line.employee_id: Employee.objects.get(pk=line.employee_id).base_pay for line in pay_lines
    }
    counts = incentive_plan_approve(plan=plan, by=gm, line_ids=[line.pk for line in pay_lines])
    assert counts == {"approved": 3, "proposed": 0}
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PARTLY_APPROVED if len(lines) > 3 else PlanStatus.APPROVED
    # effective on the plan's day, after today: scheduled, and the pay is as it was until then
    assert plan.effective_date > timezone.localdate()
    for line in pay_lines:
        line.refresh_from_db()
        assert (line.status, line.proposal.status) == (
            PlanLineStatus.APPROVED,
            ProposalStatus.SCHEDULED,
        )
        assert Employee.objects.get(pk=line.employee_id).base_pay == before[line.employee_id]

    applied = proposals_apply_due(today=plan.effective_date)

    assert sorted(applied["applied"]) == sorted(line.proposal_id for line in pay_lines)
    for line in pay_lines:
        line.refresh_from_db()
        assert line.proposal.status == ProposalStatus.APPLIED
        employee = Employee.objects.get(pk=line.employee_id)
        (action,) = [a for a in line.actions if a["instrument"] in ("raise", "promotion")]
        if action["instrument"] == "raise":
            expected = before[line.employee_id] + Decimal(str(action["amount"]))
            assert employee.base_pay == expected.quantize(Decimal("0.01"))
        else:
            assert employee.base_pay == Decimal(str(action["new_base_pay"])).quantize(
                Decimal("0.01")
            )
        change = PayChange.objects.get(employee=employee, effective_date=plan.effective_date)
        assert change.proposal_id == line.proposal_id


def test_hr_cannot_approve_its_own_plan_so_the_lines_wait_for_the_gm(demo):
    hr = _user("hr")
    plan = incentive_plan_create(budget=100000, by=hr, time_limit=10)
    counts = incentive_plan_approve(plan=plan, by=hr)
    # every line is a proposal HR made (a pay change, a promotion, or the extras of a line
    # without either): only the GM decides a proposal they made themselves
    assert counts == {"approved": 0, "proposed": plan.lines.count()}
    assert plan.lines.filter(status=PlanLineStatus.PROPOSED).count() == plan.lines.count()
    assert Proposal.objects.filter(status=ProposalStatus.OPEN, proposed_by=hr).count() == (
        plan.lines.count()
    )


def test_a_department_head_cannot_approve_a_plan_and_nothing_changes(demo):
    plan = incentive_plan_create(budget=100000, by=_user("gm"), time_limit=10)
    with pytest.raises(PermissionDenied):
        incentive_plan_approve(plan=plan, by=_user("head"))
    assert plan.lines.exclude(status=PlanLineStatus.PLANNED).count() == 0
    assert Proposal.objects.count() == 3


def test_a_promotion_moves_to_the_next_grade_at_least_at_its_minimum(demo):
    gm = _user("gm")
    employee = Employee.objects.filter(position__grade=2, base_pay__isnull=False).first()
    target = next_grade_position(employee.position)
    proposal = promotion_propose(
        employee=employee,
        new_base_pay=Decimal(1),  # raised to the band minimum
        effective_date=dt.date(2026, 12, 1),
        rationale="test",
        by=_user("hr"),
    )
    assert proposal.kind == PROMOTION
    assert Decimal(proposal.payload["new_base_pay"]) == target.band_min
    proposal_approve(proposal=proposal, by=gm)
    employee.refresh_from_db()
    assert employee.position == target
    assert employee.base_pay == target.band_min
    change = PayChange.objects.get(employee=employee, effective_date=dt.date(2026, 12, 1))
    assert change.reason == PayChangeReason.PROMOTION


def test_a_promotion_to_a_position_that_is_not_the_next_grade_is_refused(demo):
    employee = Employee.objects.filter(position__grade=2).first()
    with pytest.raises(ValidationError, match="not the next grade"):
        promotion_propose(
            employee=employee,
            new_base_pay=Decimal(500000),
            effective_date=dt.date(2026, 12, 1),
            rationale="test",
            by=SYSTEM,
            new_position=employee.position,
        )


def test_the_plan_command_prints_the_plan_as_json(demo):
    out = StringIO()
    call_command("talent", "plan", "--budget", "50000", "--user", "gm", "--json", stdout=out)
    result = json.loads(out.getvalue())
    plan = IncentivePlan.objects.get(pk=result["plan_id"])
    assert result["total_cost"] == float(plan.total_cost) <= 50000
    assert len(result["lines"]) == plan.lines.count()


def test_the_plan_command_refuses_an_employee_and_a_negative_budget(demo):
    with pytest.raises(CommandError, match="may not make incentive plans"):
        call_command("talent", "plan", "--budget", "1000", "--user", "employee", stdout=StringIO())
    with pytest.raises(CommandError, match="0 or more"):
        call_command("talent", "plan", "--budget", "-5", stdout=StringIO())
    assert IncentivePlan.objects.count() == 0
