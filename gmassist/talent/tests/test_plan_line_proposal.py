"""A plan line is one decision: a raise (or promotion) with extras is one incentive proposal
whose cost is the whole line, so HR decides it only below HR's limit, and approving it writes
the pay change and grants the extras together."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from gmassist.core.choices import AuditAction, ProposalStatus
from gmassist.core.models import AuditEntry, Company
from gmassist.core.services import proposal_approve
from gmassist.org.models import Employee, PayChange
from gmassist.talent.choices import PlanLineStatus
from gmassist.talent.models import IncentivePlan, IncentivePlanLine
from gmassist.talent.services import INCENTIVE, incentive_plan_approve

RAISE = {"instrument": "raise", "share": 0.05, "amount": 5000.0}
BONUS = {"instrument": "bonus", "amount": 4000.0}


def _plan_with_one_line(cast, actions: list[dict]) -> IncentivePlanLine:
    plan = IncentivePlan.objects.create(
        budget=Decimal("50000"),
        as_of=dt.date(2025, 12, 31),
        effective_date=dt.date(2026, 1, 1),
        created_by=cast.assistant,
    )
    return IncentivePlanLine.objects.create(
        plan=plan,
        employee=Employee.objects.get(employee_no="E004"),
        actions=actions,
        cost=Decimal("9000"),
        effect=1.0,
        value=10.0,
        risk_before=0.4,
        risk_after=0.3,
    )


def _hr_limit(amount: str) -> None:
    Company.objects.filter(pk=Company.get().pk).update(hr_approval_limit=Decimal(amount))


def test_a_raise_with_a_bonus_is_one_proposal_costing_the_whole_line(cast):
    line = _plan_with_one_line(cast, [RAISE, BONUS])

    incentive_plan_approve(plan=line.plan, by=cast.gm)

    line.refresh_from_db()
    proposal = line.proposal
    assert (proposal.kind, proposal.cost, proposal.status) == (
        INCENTIVE,
        Decimal("9000.00"),
        ProposalStatus.APPLIED,
    )
    assert proposal.payload["actions"] == [BONUS]
    assert proposal.payload["pay"]["payload"]["new_base_pay"] == "105000.00"


def test_hr_may_not_approve_a_line_whose_raise_and_bonus_together_pass_its_limit(cast):
    _hr_limit("6000")  # the raise alone (5,000) and the bonus alone (4,000) are below it
    line = _plan_with_one_line(cast, [RAISE, BONUS])

    counts = incentive_plan_approve(plan=line.plan, by=cast.hr)

    assert counts == {"approved": 0, "proposed": 1}
    line.refresh_from_db()
    assert (line.status, line.proposal.status) == (PlanLineStatus.PROPOSED, ProposalStatus.OPEN)
    assert Employee.objects.get(employee_no="E004").base_pay == Decimal("100000.00")
    assert not PayChange.objects.exists()


def test_the_gm_approving_it_writes_the_raise_and_grants_the_bonus(cast):
    _hr_limit("6000")
    line = _plan_with_one_line(cast, [RAISE, BONUS])
    incentive_plan_approve(plan=line.plan, by=cast.hr)
    line.refresh_from_db()

    proposal = proposal_approve(proposal=line.proposal, by=cast.gm)

    line.refresh_from_db()
    assert line.status == PlanLineStatus.APPROVED
    assert Employee.objects.get(employee_no="E004").base_pay == Decimal("105000.00")
    [change] = PayChange.objects.all()
    assert (change.base_pay, change.previous_base_pay, change.proposal_id) == (
        Decimal("105000.00"),
        Decimal("100000.00"),
        proposal.pk,
    )
    proposal.refresh_from_db()
    assert proposal.result["granted"] == [BONUS]
    assert (proposal.result["cost"], proposal.result["pay"]["new_base_pay"]) == (
        "9000.00",
        "105000.00",
    )
    pay_entry = AuditEntry.objects.get(action=AuditAction.UPDATE, target_type="org.employee")
    assert pay_entry.changes["base_pay"] == ["100000.00", "105000.00"]


def test_a_line_of_a_raise_alone_stays_a_pay_change(cast):
    line = _plan_with_one_line(cast, [RAISE])

    incentive_plan_approve(plan=line.plan, by=cast.gm)

    line.refresh_from_db()
    assert (line.proposal.kind, line.proposal.cost) == ("org.pay_change", Decimal("5000.00"))


def test_a_pay_action_about_someone_else_is_refused_at_approval(cast):
    _hr_limit("6000")
    line = _plan_with_one_line(cast, [RAISE, BONUS])
    incentive_plan_approve(plan=line.plan, by=cast.hr)
    line.refresh_from_db()
    proposal = line.proposal
    other = Employee.objects.get(employee_no="E005")
    proposal.payload["pay"]["payload"]["employee_id"] = other.pk
    proposal.save(update_fields=["payload"])

    with pytest.raises(ValidationError, match="about someone else"):
        proposal_approve(proposal=proposal, by=cast.gm)
    assert Employee.objects.get(employee_no="E005").base_pay == other.base_pay
    assert not PayChange.objects.exists()


def test_its_page_shows_the_raise_and_each_extra(client, cast):
    _hr_limit("6000")
    line = _plan_with_one_line(cast, [RAISE, BONUS])
    incentive_plan_approve(plan=line.plan, by=cast.hr)
    line.refresh_from_db()
    client.force_login(cast.gm)

    response = client.get(f"/proposals/{line.proposal_id}/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "Base pay 100,000 → 105,000 CNY a year from 2026-01-01" in body
    assert '<li data-testid="incentive-extra">One-time bonus 4,000</li>' in body
    assert (
        "Raise and incentives for Emma Employee: base pay 100,000 → 105,000, with extras"
        " (9,000 CNY)"
    ) in body


def test_its_page_is_refused_to_the_employee_it_is_about(client, cast):
    _hr_limit("6000")
    line = _plan_with_one_line(cast, [RAISE, BONUS])
    incentive_plan_approve(plan=line.plan, by=cast.hr)
    line.refresh_from_db()
    client.force_login(cast.employee)

    assert client.get(f"/proposals/{line.proposal_id}/").status_code == 404
