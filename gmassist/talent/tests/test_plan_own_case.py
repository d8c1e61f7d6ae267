"""Approving an incentive plan decides each line under the one rule: nobody approves their own
line, and the GM's own line waits for a decision taken outside the application."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gmassist.core.choices import ProposalStatus
from gmassist.core.models import Proposal
from gmassist.core.services import proposal_approve, proposal_needs_outside_decision
from gmassist.org.models import Employee
from gmassist.talent.choices import PlanLineStatus
from gmassist.talent.models import IncentivePlan, IncentivePlanLine
from gmassist.talent.services import INCENTIVE, incentive_plan_approve

RAISE = {"instrument": "raise", "share": 0.03, "amount": 3000.0}
BONUS = {"instrument": "bonus", "amount": 4000.0}


def _line(plan: IncentivePlan, employee_no: str, actions: list[dict]) -> IncentivePlanLine:
    return IncentivePlanLine.objects.create(
        plan=plan,
        employee=Employee.objects.get(employee_no=employee_no),
        actions=actions,
        cost=Decimal(str(sum(a["amount"] for a in actions))),
        effect=1.0,
        value=10.0,
        risk_before=0.4,
        risk_after=0.3,
    )


def _plan(cast, hr_actions: list[dict]) -> IncentivePlan:
    """The assistant's plan: HR's own line, Emma's raise and the GM's bonus."""
    plan = IncentivePlan.objects.create(
        budget=Decimal("50000"),
        as_of=dt.date(2025, 12, 31),
        effective_date=dt.date(2026, 1, 1),
        created_by=cast.assistant,
    )
    _line(plan, "E002", hr_actions)  # HR
    _line(plan, "E004", [RAISE])  # Emma
    _line(plan, "E001", [BONUS])  # the GM
    return plan


def _line_of(plan: IncentivePlan, employee_no: str) -> IncentivePlanLine:
    return plan.lines.select_related("proposal").get(employee__employee_no=employee_no)


def _pay(employee_no: str) -> Decimal:
    return Employee.objects.get(employee_no=employee_no).base_pay


@pytest.mark.parametrize("hr_actions", [[RAISE], [BONUS], [RAISE, BONUS]])
def test_hr_approving_a_plan_leaves_its_own_line_for_the_gm(cast, hr_actions):
    plan = _plan(cast, hr_actions)

    counts = incentive_plan_approve(plan=plan, by=cast.hr)

    assert counts == {"approved": 1, "proposed": 2}
    own = _line_of(plan, "E002")
    assert own.status == PlanLineStatus.PROPOSED
    assert own.proposal.status == ProposalStatus.OPEN
    assert own.proposal.decided_by is None
    assert _pay("E002") == Decimal("100000.00")
    assert _line_of(plan, "E004").status == PlanLineStatus.APPROVED
    assert _pay("E004") == Decimal("103000.00")


def test_the_gm_then_approves_hrs_line_and_the_line_is_granted(cast):
    plan = _plan(cast, [BONUS])
    incentive_plan_approve(plan=plan, by=cast.hr)
    own = _line_of(plan, "E002")
    assert own.proposal.kind == INCENTIVE

    proposal_approve(proposal=own.proposal, by=cast.gm)

    own.refresh_from_db()
    assert own.status == PlanLineStatus.APPROVED
    assert own.proposal.status == ProposalStatus.APPLIED


def test_the_gms_own_line_waits_for_an_outside_decision_whoever_approves_the_plan(cast):
    plan = _plan(cast, [RAISE])

    counts = incentive_plan_approve(plan=plan, by=cast.gm)

    assert counts == {"approved": 2, "proposed": 1}
    gms = _line_of(plan, "E001")
    assert gms.status == PlanLineStatus.PROPOSED
    assert proposal_needs_outside_decision(proposal=gms.proposal)
    assert gms.proposal.status == ProposalStatus.OPEN


def test_hr_approving_through_the_api_leaves_its_own_line_open(client, cast):
    plan = _plan(cast, [RAISE])
    client.force_login(cast.hr)

    response = client.post(
        f"/api/talent/plans/{plan.pk}/approve", {}, content_type="application/json"
    )

    assert response.status_code == 200, response.content
    assert (response.json()["approved"], response.json()["proposed"]) == (1, 2)
    assert _line_of(plan, "E002").proposal.status == ProposalStatus.OPEN
    assert _pay("E002") == Decimal("100000.00")


def test_hr_approving_on_the_plan_page_leaves_its_own_line_open(client, cast):
    plan = _plan(cast, [RAISE])
    client.force_login(cast.hr)

    response = client.post(f"/talent/plans/{plan.pk}/", {"which": "all"})

    assert response.status_code == 302
    assert _line_of(plan, "E002").status == PlanLineStatus.PROPOSED
    assert _pay("E002") == Decimal("100000.00")
    assert Proposal.objects.filter(status=ProposalStatus.OPEN).count() == 2
