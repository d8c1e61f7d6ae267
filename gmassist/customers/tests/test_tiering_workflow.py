"""The tiering workflow: the stored policy, the re-tiering proposal, approving it, the job and
the command."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from gmassist.core.choices import ProposalStatus
from gmassist.core.models import Proposal
from gmassist.core.permissions import SYSTEM
from gmassist.core.services import proposal_approve
from gmassist.customers.models import CustomerPolicy, GroupCustomer, MonthlyRevenue, TierHistory
from gmassist.customers.selectors import tiering_policy_current
from gmassist.customers.services import RETIER, retier_customers, tiering_policy_save
from gmassist.customers.tests.factories import make_book

AS_OF = dt.date(2026, 5, 15)  # revenue of 2025-05..2026-04


def revenue(customer: GroupCustomer, monthly: int, months: int = 12) -> None:
    for k in range(months):
        index = 2026 * 12 + 3 - k  # 2026-04 backwards
        MonthlyRevenue.objects.create(
            customer=customer,
            month=dt.date(index // 12, index % 12 + 1, 1),
            amount=Decimal(monthly),
        )


@pytest.fixture
def book(cast):
    customers = make_book(cast)
    revenue(customers["C1"], 9000)  # 90% of the revenue: A
    revenue(customers["C2"], 700)  # the next 7%: B
    revenue(customers["C3"], 300)  # the rest: C
    return customers


def test_the_default_policy_is_current_until_one_is_saved(db):
    current = tiering_policy_current()
    assert current.record is None
    assert current.policy.a_revenue_share == 0.8


def test_a_saved_policy_becomes_current(cast):
    record = tiering_policy_save(text="[contribution]\na_revenue_share = 0.7\n", by=cast.gm)
    current = tiering_policy_current()
    assert current.record == record
    assert current.policy.a_revenue_share == 0.7
    assert current.policy.b_revenue_share == 0.15


def test_a_bad_policy_is_refused_naming_the_key(cast):
    with pytest.raises(ValidationError) as error:
        tiering_policy_save(text='[scale]\nlarge = "big"\n', by=cast.gm)
    assert error.value.message_dict == {"toml": ["scale.large: must be a number, got 'big'"]}
    assert CustomerPolicy.objects.count() == 0


@pytest.mark.parametrize("who", ["hr", "head", "account_manager", "employee"])
def test_only_the_gms_office_saves_the_policy(cast, who):
    with pytest.raises(PermissionDenied):
        tiering_policy_save(text="", by=getattr(cast, who))
    assert CustomerPolicy.objects.count() == 0


def test_retiering_proposes_every_change_with_its_reasons(book):
    proposal = retier_customers(by=SYSTEM, as_of=AS_OF)
    assert proposal.kind == RETIER
    assert proposal.payload["month"] == "2026-04"
    changes = {c["code"]: (c["from"], c["to"]) for c in proposal.payload["changes"]}
    assert changes == {"C1": ("", "A"), "C2": ("", "B"), "C3": ("", "C")}
    first = proposal.payload["changes"][0]
    assert first["reasons"][0] == {
        "template": "top %(share)s of revenue: %(revenue)s a year (rank %(rank)s of %(count)s)",
        "params": {"share": "80%", "revenue": "108,000", "rank": "1", "count": "3"},
    }
    assert {
        "template": "strategic industry: %(industry)s",
        "params": {"industry": "Telecom"},
    } in first["reasons"]
    assert GroupCustomer.objects.exclude(tier="").count() == 0  # nothing changed yet


def test_approving_applies_the_tiers_and_writes_the_history(book, cast):
    proposal = retier_customers(by=cast.assistant, as_of=AS_OF)
    proposal_approve(proposal=proposal, by=cast.gm)
    assert dict(GroupCustomer.objects.values_list("code", "tier")) == {
        "C1": "A",
        "C2": "B",
        "C3": "C",
    }
    history = TierHistory.objects.get(customer=book["C1"])
    assert (history.from_tier, history.to_tier, history.proposal, history.by) == (
        "",
        "A",
        proposal,
        cast.gm,
    )
    assert Proposal.objects.get(pk=proposal.pk).result == {"applied": 3, "skipped": 0}


def test_a_second_run_with_nothing_changed_proposes_nothing(book, cast):
    proposal_approve(proposal=retier_customers(by=SYSTEM, as_of=AS_OF), by=cast.gm)
    assert retier_customers(by=SYSTEM, as_of=AS_OF) is None
    assert Proposal.objects.filter(kind=RETIER).count() == 1


def test_a_run_while_the_same_proposal_is_open_returns_it(book):
    first = retier_customers(by=SYSTEM, as_of=AS_OF)
    assert retier_customers(by=SYSTEM, as_of=AS_OF) == first
    assert Proposal.objects.filter(kind=RETIER).count() == 1


def test_a_run_with_other_changes_replaces_the_open_proposal(book):
    first = retier_customers(by=SYSTEM, as_of=AS_OF)
    GroupCustomer.objects.filter(code="C3").update(tier="C")
    second = retier_customers(by=SYSTEM, as_of=AS_OF)
    first.refresh_from_db()
    assert first.status == ProposalStatus.WITHDRAWN
    assert second.status == ProposalStatus.OPEN
    assert [c["code"] for c in second.payload["changes"]] == ["C1", "C2"]


def test_a_customer_whose_tier_moved_meanwhile_is_skipped(book, cast):
    proposal = retier_customers(by=SYSTEM, as_of=AS_OF)
    GroupCustomer.objects.filter(code="C2").update(tier="A")
    proposal_approve(proposal=proposal, by=cast.gm)
    assert GroupCustomer.objects.get(code="C2").tier == "A"
    assert Proposal.objects.get(pk=proposal.pk).result == {"applied": 2, "skipped": 1}


@pytest.mark.parametrize("who", ["hr", "head", "account_manager"])
def test_only_the_gms_office_proposes_a_retiering(book, cast, who):
    with pytest.raises(PermissionDenied):
        retier_customers(by=getattr(cast, who), as_of=AS_OF)
    assert Proposal.objects.count() == 0


def test_the_assistant_may_not_approve_a_retiering(book, cast):
    proposal = retier_customers(by=SYSTEM, as_of=AS_OF)
    with pytest.raises(PermissionDenied):
        proposal_approve(proposal=proposal, by=cast.assistant)
    assert GroupCustomer.objects.exclude(tier="").count() == 0


def test_the_command_runs_the_job_and_prints_the_proposal(book):
    out = StringIO()
    call_command("customers", "tier", "--as-of", AS_OF.isoformat(), "--json", stdout=out)
    result = json.loads(out.getvalue())
    proposal = Proposal.objects.get(kind=RETIER)
    assert result == {"proposal_id": proposal.pk, "changes": 3}


def test_the_command_says_when_nothing_changes(book, cast):
    proposal_approve(proposal=retier_customers(by=SYSTEM, as_of=AS_OF), by=cast.gm)
    out = StringIO()
    call_command("customers", "tier", "--as-of", AS_OF.isoformat(), stdout=out)
    assert out.getvalue() == "No customer changes tier: nothing to propose.\n"


def test_the_command_refuses_a_bad_date(book):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="as_of '2026-13-01' is not a date"):
        call_command("customers", "tier", "--as-of", "2026-13-01", stdout=StringIO())
