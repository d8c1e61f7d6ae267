"""Service-channel routing: the rules, the engine on a hand-checked case, the proposal."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from gmassist.core.models import Proposal
from gmassist.core.permissions import SYSTEM
from gmassist.core.services import proposal_approve
from gmassist.customers.engine.channels import (
    ChannelRules,
    ChannelSpec,
    RouteCustomer,
    RulesError,
    plan_channels,
    rules_from_toml,
    rules_to_toml,
)
from gmassist.customers.models import CustomerPolicy, GroupCustomer, ManagerHistory
from gmassist.customers.reasons import Reason
from gmassist.customers.services import REROUTE, channel_rules_save, route_customers
from gmassist.customers.tests.factories import make_book


def test_the_rules_round_trip_through_toml():
    rules = ChannelRules(tiers=("B", "C"), max_contacts_12m=7)
    assert rules_from_toml(rules_to_toml(rules)) == rules


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[eligibility]\ntiers = ["D"]\n', "eligibility.tiers: a tier is A, B or C, got 'D'"),
        ("[channels.fax]\ncapacity = 3\n", "channels.fax: unknown channel"),
        ("[channels.branch]\ncapacity = 2.5\n", "channels.branch.capacity: must be a whole"),
        ('[eligibility]\nmax_products = "two"\n', "eligibility.max_products: must be a number"),
        ("[oops", "toml: not valid TOML"),
    ],
)
def test_bad_rules_name_the_key(text, message):
    with pytest.raises(RulesError, match=message.replace("[", r"\[")):
        rules_from_toml(text)


def test_the_simplest_go_to_the_cheapest_channel_with_room():
    rules = ChannelRules(
        channels={"call_centre": ChannelSpec(2, 100.0), "branch": ChannelSpec(5, 400.0)},
        am_unit_cost=1000.0,
    )
    customers = [
        RouteCustomer("busy", "C", "account_manager", 1000, contacts_12m=3),
        RouteCustomer("quiet", "C", "account_manager", 5000, contacts_12m=0),
        RouteCustomer("quieter", "C", "account_manager", 2000, contacts_12m=0),
        RouteCustomer("big", "A", "account_manager", 900_000),
        RouteCustomer("already", "C", "call_centre"),
        RouteCustomer("angry", "C", "account_manager", 100, complaints_12m=1),
    ]
    plan = plan_channels(customers, rules)
    assert [(m.customer_id, m.to_channel) for m in plan.moves] == [
        ("quieter", "call_centre"),
        ("quiet", "branch"),
        ("busy", "branch"),
    ]
    assert plan.eligible == 3
    assert plan.customers_before == {"account_manager": 5, "call_centre": 1, "branch": 0}
    assert plan.customers_after == {"account_manager": 2, "call_centre": 2, "branch": 2}
    assert (plan.am_workload_before, plan.am_workload_after) == (9, 6)
    assert (plan.cost_before, plan.cost_after) == (9100.0, 7000.0)
    assert plan.moves[1].why == Reason(
        "tier %(tier)s, %(revenue)s a year; in 12 months: contacts %(contacts)s, "
        "complaints %(complaints)s; products: %(products)s. The branch serves it for "
        "%(channel_cost)s instead of %(manager_cost)s a year",
        {
            "tier": "C",
            "revenue": "5,000",
            "contacts": 0,
            "complaints": 0,
            "products": 0,
            "channel_cost": "400",
            "manager_cost": "1,000",
        },
    )
    assert str(plan.moves[0].why) == (
        "tier C, 2,000 a year; in 12 months: contacts 0, complaints 0; products: 0. "
        "The call centre serves it for 100 instead of 1,000 a year"
    )


@pytest.fixture
def book(cast):
    customers = make_book(cast)
    GroupCustomer.objects.update(tier="C")
    GroupCustomer.objects.filter(code="C1").update(tier="A")
    return customers


def test_the_proposal_routes_the_simple_customers_and_approving_applies_it(book, cast):
    proposal = route_customers(by=SYSTEM, as_of=dt.date(2026, 5, 1))
    p = proposal.payload
    assert proposal.kind == REROUTE
    assert [(m["code"], m["to_channel"]) for m in p["moves"]] == [
        ("C2", "call_centre"),
        ("C3", "call_centre"),
    ]
    assert (p["am_workload_before"], p["am_workload_after"]) == (7, 5)
    assert (p["cost_before"], p["cost_after"]) == (21000.0, 16600.0)
    assert p["moves"][0]["why"]["params"]["channel_cost"] == "800"
    proposal_approve(proposal=proposal, by=cast.gm)
    assert dict(GroupCustomer.objects.values_list("code", "service_channel")) == {
        "C1": "account_manager",
        "C2": "call_centre",
        "C3": "call_centre",
    }
    assert GroupCustomer.objects.get(code="C2").account_manager is None
    assert ManagerHistory.objects.filter(to_manager__isnull=True).count() == 1  # C2 had one
    assert route_customers(by=SYSTEM, as_of=dt.date(2026, 5, 1)) is None


def test_the_proposal_page_shows_why_each_customer_moves_in_words(client, book, cast):
    proposal = route_customers(by=SYSTEM, as_of=dt.date(2026, 5, 1))
    why = proposal.payload["moves"][0]["why"]
    client.force_login(cast.gm)
    html = client.get(f"/proposals/{proposal.pk}/").content.decode()
    assert why["template"] % why["params"] in html
    assert "%(tier)s" not in html


def test_saving_rules_needs_the_gms_office_and_valid_toml(cast):
    with pytest.raises(PermissionDenied):
        channel_rules_save(text="", by=cast.head)
    with pytest.raises(ValidationError) as error:
        channel_rules_save(text="[eligibility]\nmax_products = -1\n", by=cast.gm)
    assert error.value.message_dict == {
        "toml": ["eligibility.max_products: must be a number of at least 0, got -1"]
    }
    assert CustomerPolicy.objects.count() == 0
    channel_rules_save(text='[eligibility]\ntiers = ["A"]\n', by=cast.gm)
    assert CustomerPolicy.objects.get().kind == "channels"


def test_stricter_saved_rules_leave_nothing_to_propose(book, cast):
    channel_rules_save(text='[eligibility]\ntiers = ["B"]\n', by=cast.gm)
    assert route_customers(by=SYSTEM, as_of=dt.date(2026, 5, 1)) is None
    assert Proposal.objects.count() == 0


def test_the_command_prints_the_plan(book):
    out = StringIO()
    call_command("customers", "route", "--as-of", "2026-05-01", "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert (result["moves"], result["am_workload_after"]) == (2, 5)
