"""The matching workflow: the problem from the database, the re-matching proposal, approving
it, the job and the command."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from gmassist.core.models import Proposal
from gmassist.core.permissions import SYSTEM
from gmassist.core.services import proposal_approve
from gmassist.customers.models import AccountManager, GroupCustomer, ManagerHistory
from gmassist.customers.presenters import reason_texts
from gmassist.customers.selectors import matching_problem
from gmassist.customers.services import REASSIGN, MatchOptions, match_customers
from gmassist.customers.tests.factories import make_book
from gmassist.org.models import Review


@pytest.fixture
def book(cast):
    customers = make_book(cast)
    GroupCustomer.objects.filter(code="C1").update(tier="A")
    GroupCustomer.objects.filter(code="C2").update(tier="B")
    GroupCustomer.objects.filter(code="C3").update(tier="C")
    AccountManager.objects.update(region="")
    oscar = AccountManager.objects.get(employee__employee_no="E005")
    Review.objects.create(employee=oscar.employee, period="2025", rating=5)
    return customers


def managers():
    return {m.employee.employee_no: m.pk for m in AccountManager.objects.select_related("employee")}


def test_the_problem_has_every_served_customer_and_graded_manager(book):
    customers, mgrs, grades = matching_problem()
    ids = managers()
    assert [(c.tier, c.current_manager) for c in customers] == [
        ("A", ids["E006"]),
        ("B", ids["E005"]),
        ("C", None),
    ]
    # Alice: post 1.67, salary 2.5 → 0.71; Oscar: post 2.5, salary 1.36, assessment 5 → 3.45
    assert {m.manager_id: m.grade for m in mgrs} == {ids["E006"]: 0.71, ids["E005"]: 3.45}
    assert grades[ids["E005"]].assessment == 5.0


def test_a_lost_or_rerouted_customer_is_not_matched(book):
    GroupCustomer.objects.filter(code="C2").update(status="lost")
    GroupCustomer.objects.filter(code="C3").update(service_channel="call_centre")
    customers, _mgrs, _grades = matching_problem()
    assert [c.tier for c in customers] == ["A"]


def test_the_proposal_moves_the_important_customer_to_the_better_manager(book):
    proposal = match_customers(by=SYSTEM)
    ids = managers()
    p = proposal.payload
    assert proposal.kind == REASSIGN
    assert [(m["code"], m["from"], m["to"]) for m in p["moves"]] == [
        ("C1", ids["E006"], ids["E005"]),
        ("C3", None, ids["E005"]),
    ]
    assert p["moves"][0]["why"] == [
        {
            "template": "a better-graded manager: %(to_grade)s instead of %(from_grade)s",
            "params": {"to_grade": "3.45", "from_grade": "0.71"},
        }
    ]
    assert reason_texts(p["moves"][1]["why"]) == [
        "had no account manager",
        "Oscar Outsider has grade 3.45",
    ]
    assert p["optimal"] is True
    # 10 × 3.45 + 3 × 3.45 + 1 × 3.45 - one change
    assert p["objective"] == 47.3
    assert p["objective_parts"] == {"value": 48.3, "region_penalty": 0.0, "change_penalty": 1.0}
    assert p["objective_before"] == 17.45  # 10 × 0.71 + 3 × 3.45
    assert {w["name"]: (w["capacity"], w["before"], w["after"]) for w in p["workload"]} == {
        "Alice Account": (20, 5, 0),
        "Oscar Outsider": (10, 2, 8),
    }
    assert GroupCustomer.objects.get(code="C1").account_manager_id == ids["E006"]


def test_approving_moves_the_customers_and_writes_the_history(book, cast):
    proposal = match_customers(by=cast.assistant)
    proposal_approve(proposal=proposal, by=cast.gm)
    ids = managers()
    assert dict(GroupCustomer.objects.values_list("code", "account_manager_id")) == {
        "C1": ids["E005"],
        "C2": ids["E005"],
        "C3": ids["E005"],
    }
    history = ManagerHistory.objects.get(customer__code="C1")
    assert (history.from_manager_id, history.to_manager_id, history.by) == (
        ids["E006"],
        ids["E005"],
        cast.gm,
    )
    assert match_customers(by=SYSTEM) is None  # nothing left to improve


def test_capacity_is_never_exceeded(book):
    AccountManager.objects.filter(employee__employee_no="E005").update(capacity=6)
    p = match_customers(by=SYSTEM).payload
    assert all(w["after"] <= w["capacity"] for w in p["workload"])
    assert {w["name"]: w["after"] for w in p["workload"]} == {
        "Alice Account": 2,  # B
        "Oscar Outsider": 6,  # A and C: 10 × 3.45 + 1 × 3.45 beats A alone
    }


def test_the_hard_region_rule_is_never_broken(book):
    AccountManager.objects.filter(employee__employee_no="E005").update(region="West")
    AccountManager.objects.filter(employee__employee_no="E006").update(region="East")
    GroupCustomer.objects.update(region="East")
    hard = match_customers(by=SYSTEM, options=MatchOptions(region_rule="hard")).payload
    alice = managers()["E006"]
    assert {m["code"]: m["to"] for m in hard["moves"]} == {"C2": alice, "C3": alice}
    assert reason_texts(hard["moves"][0]["why"]) == [
        "current manager Oscar Outsider is outside the region East",
        "Alice Account has grade 0.71",
    ]
    # penalised: the grade difference outweighs a penalty of 2 per customer
    soft = match_customers(by=SYSTEM, options=MatchOptions(region_rule="penalty")).payload
    assert {m["code"] for m in soft["moves"]} == {"C1", "C3"}
    assert soft["objective_parts"]["region_penalty"] == 6.0


def test_a_change_cap_that_cannot_be_met_is_refused(book):
    AccountManager.objects.filter(employee__employee_no="E006").update(capacity=0)
    with pytest.raises(ValidationError, match="no assignment keeps to at most 0 changes"):
        match_customers(by=SYSTEM, options=MatchOptions(max_changes=0))
    assert Proposal.objects.count() == 0


def test_bad_options_name_the_field():
    with pytest.raises(ValidationError) as error:
        MatchOptions(region_rule="soft", time_limit_s=0)
    assert set(error.value.message_dict) == {"region_rule", "time_limit_s"}


@pytest.mark.parametrize("who", ["hr", "head", "account_manager"])
def test_only_the_gms_office_proposes_a_rematching(book, cast, who):
    with pytest.raises(PermissionDenied):
        match_customers(by=getattr(cast, who))
    assert Proposal.objects.count() == 0


def test_the_command_prints_the_result_as_json(book):
    out = StringIO()
    call_command("customers", "match", "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert result["proposal_id"] == Proposal.objects.get(kind=REASSIGN).pk
    assert (result["moves"], result["optimal"], result["objective"]) == (2, True, 47.3)


def test_the_command_summarises_the_proposal(book):
    out = StringIO()
    call_command("customers", "match", "--region-rule", "penalty", stdout=out)
    assert out.getvalue().startswith("Proposal #")
    assert "2 customers move.\nObjective 17.4 -> 47.3" in out.getvalue()


@pytest.mark.django_db
def test_a_move_naming_a_customer_or_manager_that_is_gone_is_refused_by_name():
    from django.core.exceptions import ValidationError

    from gmassist.customers.services import reassign_validate, retier_validate

    with pytest.raises(ValidationError) as refused:
        reassign_validate({"moves": [{"customer_id": 999999, "to": None}]})
    assert refused.value.message_dict == {"moves": ["no customers with ids 999999"]}
    with pytest.raises(ValidationError) as refused:
        retier_validate({"changes": [{"customer_id": 999998, "to": "A"}]})
    assert refused.value.message_dict == {"changes": ["no customers with ids 999998"]}
