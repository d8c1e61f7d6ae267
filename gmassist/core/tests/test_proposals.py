"""Proposals: propose, approve (applies in one transaction), reject, withdraw, and their audit."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gmassist.core.choices import AuditAction, ProposalStatus
from gmassist.core.models import AuditEntry, Company, Proposal
from gmassist.core.services import proposal_approve, proposal_reject, proposal_withdraw
from gmassist.org.models import Employee, PayChange
from gmassist.org.services import pay_change_propose


@pytest.fixture
def emma(cast):
    return Employee.objects.get(employee_no="E004")


def propose_raise(emma, by, new_pay="108000"):
    return pay_change_propose(
        employee=emma,
        new_base_pay=Decimal(new_pay),
        effective_date=dt.date(2026, 1, 1),
        rationale="Below band midpoint after a strong year",
        by=by,
    )


def test_a_proposal_changes_nothing_until_approved(cast, emma):
    proposal = propose_raise(emma, cast.head)
    emma.refresh_from_db()
    assert proposal.status == ProposalStatus.OPEN
    assert proposal.cost == Decimal("8000.00")
    assert emma.base_pay == Decimal("100000.00")
    assert PayChange.objects.count() == 0


def test_approving_writes_the_pay_history_and_the_new_base_pay(cast, emma):
    proposal = propose_raise(emma, cast.head)
    proposal = proposal_approve(proposal=proposal, by=cast.gm, comment="ok")
    emma.refresh_from_db()
    change = PayChange.objects.get()
    assert proposal.status == ProposalStatus.APPLIED
    assert proposal.decided_by == cast.gm
    assert proposal.applied_at is not None
    assert emma.base_pay == Decimal("108000.00")
    assert (change.base_pay, change.previous_base_pay) == (Decimal("108000"), Decimal("100000"))
    assert change.effective_date == dt.date(2026, 1, 1)
    assert change.proposal == proposal


def test_approval_is_audited_with_who_and_what(cast, emma):
    proposal = propose_raise(emma, cast.head)
    proposal_approve(proposal=proposal, by=cast.gm)
    actions = list(
        AuditEntry.objects.order_by("id").values_list("action", "actor__username", "target_type")
    )
    assert actions == [
        (AuditAction.PROPOSE, "head", "core.proposal"),
        (AuditAction.UPDATE, "gm", "org.employee"),
        (AuditAction.APPROVE, "gm", "core.proposal"),
        (AuditAction.APPLY, "gm", "core.proposal"),
    ]


def test_rejecting_keeps_the_record_and_changes_nothing(cast, emma):
    proposal = propose_raise(emma, cast.head)
    proposal = proposal_reject(proposal=proposal, by=cast.gm, comment="Not this year")
    emma.refresh_from_db()
    assert proposal.status == ProposalStatus.REJECTED
    assert proposal.decision_comment == "Not this year"
    assert emma.base_pay == Decimal("100000.00")
    assert Proposal.objects.count() == 1
    assert AuditEntry.objects.filter(action=AuditAction.REJECT).count() == 1


def test_a_rejection_needs_a_reason(cast, emma):
    proposal = propose_raise(emma, cast.head)
    with pytest.raises(ValidationError):
        proposal_reject(proposal=proposal, by=cast.gm, comment="  ")


def test_a_decided_proposal_cannot_be_decided_again(cast, emma):
    proposal = propose_raise(emma, cast.head)
    proposal_approve(proposal=proposal, by=cast.gm)
    with pytest.raises(ValidationError, match="already"):
        proposal_approve(proposal=proposal, by=cast.gm)
    assert PayChange.objects.count() == 1


def test_hr_approves_below_the_gms_limit(cast, emma):
    proposal = propose_raise(emma, cast.head)  # costs 8,000 a year; the default limit is 20,000
    proposal = proposal_approve(proposal=proposal, by=cast.hr)
    assert proposal.status == ProposalStatus.APPLIED


def test_hr_may_not_approve_at_or_above_the_gms_limit(cast, emma):
    company = Company.get()
    company.hr_approval_limit = Decimal("8000")
    company.save()
    proposal = propose_raise(emma, cast.head)
    with pytest.raises(PermissionDenied, match="the GM decides it"):
        proposal_approve(proposal=proposal, by=cast.hr)
    proposal.refresh_from_db()
    emma.refresh_from_db()
    assert proposal.status == ProposalStatus.OPEN
    assert emma.base_pay == Decimal("100000.00")


@pytest.mark.parametrize("role", ["head", "assistant", "employee", "account_manager"])
def test_roles_without_approval_rights_cannot_approve(cast, emma, role):
    proposal = propose_raise(emma, cast.gm)
    with pytest.raises(PermissionDenied):
        proposal_approve(proposal=proposal, by=getattr(cast, role))
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.OPEN
    assert PayChange.objects.count() == 0


def test_hr_may_not_approve_their_own_proposal(cast, emma):
    proposal = propose_raise(emma, cast.hr)
    with pytest.raises(PermissionDenied, match="themselves"):
        proposal_approve(proposal=proposal, by=cast.hr)


def test_a_department_head_proposes_only_for_their_own_people(cast):
    oscar = Employee.objects.get(employee_no="E005")  # in R&D, not under Sales
    with pytest.raises(PermissionDenied):
        propose_raise(oscar, cast.head)
    assert Proposal.objects.count() == 0


def test_an_employee_cannot_propose(cast, emma):
    with pytest.raises(PermissionDenied):
        propose_raise(emma, cast.employee)


def test_a_bad_payload_is_refused_with_the_field_named(cast, emma):
    with pytest.raises(ValidationError) as excinfo:
        propose_raise(emma, cast.head, new_pay="-5")
    assert excinfo.value.message_dict == {"new_base_pay": ["must be more than zero"]}


def test_approval_revalidates_against_the_data_as_it_is_then(cast, emma):
    proposal = propose_raise(emma, cast.head)
    emma.status = "left"
    emma.leave_date = dt.date(2025, 12, 31)
    emma.save()
    with pytest.raises(ValidationError, match="has left"):
        proposal_approve(proposal=proposal, by=cast.gm)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.OPEN
    assert PayChange.objects.count() == 0


def test_only_the_proposer_withdraws(cast, emma):
    proposal = propose_raise(emma, cast.head)
    with pytest.raises(PermissionDenied):
        proposal_withdraw(proposal=proposal, by=cast.hr)
    proposal = proposal_withdraw(proposal=proposal, by=cast.head)
    assert proposal.status == ProposalStatus.WITHDRAWN


def test_a_proposal_title_and_its_evidence_read_in_the_readers_language(client, cast, emma):
    proposal = propose_raise(emma, cast.head)
    assert proposal.display_title == "Pay change for Emma Employee: 100,000 → 108,000 CNY (+8.0%)"
    cast.gm.language = "zh-hans"
    cast.gm.save()
    client.force_login(cast.gm)
    page = client.get(f"/proposals/{proposal.pk}/").content.decode()
    assert "Emma Employee 的薪酬调整：100,000 → 108,000 CNY（+8.0%）" in page
    assert "当前基本工资" in page
