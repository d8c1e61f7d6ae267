"""The permission domains are an enum, and the policy agrees with it and with what the apps
declare, checked when the application starts (CoreConfig.ready)."""

import pytest
from django.apps import apps

from gmassist.core.choices import Action, Role
from gmassist.core.permissions import (
    ALL,
    POLICY,
    SYSTEM,
    Domain,
    PolicyError,
    Scope,
    declared_domains,
    policy_problems,
    reach,
)
from gmassist.core.proposals import ProposalKind, register_proposal_kind
from gmassist.core.views_lib import NavItem, register_nav


def test_it_agrees_as_shipped():
    assert policy_problems() == []


def test_it_has_one_policy_entry_per_domain():
    assert set(POLICY) == set(Domain)
    assert all(type(key) is Domain for key in POLICY)


def test_every_declared_domain_is_an_enum_member():
    declared = declared_domains()
    assert {what.split()[0] for what, _domain in declared} >= {"model", "proposal", "import"}
    assert [what for what, domain in declared if type(domain) is not Domain] == []


def test_it_reports_a_domain_missing_from_the_policy(monkeypatch):
    monkeypatch.delitem(POLICY, Domain.AUDIT)
    assert policy_problems() == ["POLICY has no entry for domain 'audit'"]


def test_it_reports_a_typed_in_policy_key(monkeypatch):
    monkeypatch.setitem(POLICY, "audits", {Role.GM: {Action.VIEW: ALL}})
    assert policy_problems() == ["POLICY key 'audits' is not a Domain member"]


def test_it_reports_an_unknown_role_action_or_reach(monkeypatch):
    monkeypatch.setitem(POLICY, Domain.AUDIT, {"boss": {"peek": "most"}})
    assert policy_problems() == [
        "POLICY['audit'] names an unknown role 'boss'",
        "POLICY['audit']['boss'] names unknown action 'peek'",
        "POLICY['audit']['boss']['peek'] is 'most', not a Reach",
    ]


def test_start_up_stops_when_they_disagree(monkeypatch):
    monkeypatch.delitem(POLICY, Domain.JOBS)
    with pytest.raises(PolicyError, match="no entry for domain 'jobs'"):
        apps.get_app_config("core").ready()


def test_a_model_scope_with_a_typed_in_domain_is_refused():
    with pytest.raises(TypeError, match="'people' is not a Domain member"):
        Scope(domain="people", employee="pk")


def test_a_proposal_kind_with_a_typed_in_domain_is_refused():
    kind = ProposalKind(
        kind="test.typed_domain",
        label="typed",
        validate=dict,
        apply=lambda proposal, by: {},
        subjects=lambda payload: set(),
        domain="customers",
    )
    with pytest.raises(TypeError, match="'customers' is not a Domain"):
        register_proposal_kind(kind)


def test_a_navigation_item_with_a_typed_in_domain_is_refused():
    with pytest.raises(TypeError, match="'people' is not a Domain"):
        register_nav(NavItem("test.typed", "Typed", "home", "people", Action.VIEW))


def test_reach_refuses_an_unknown_domain_instead_of_answering_nothing(cast):
    with pytest.raises(ValueError, match="'peple' is not a valid Domain"):
        reach(cast.gm, "peple", Action.VIEW)


def test_the_system_reaches_everything_and_nobody_nothing():
    assert {reach(SYSTEM, domain, Action.APPROVE) for domain in Domain} == {ALL}
    assert {reach(None, domain, Action.VIEW) for domain in Domain} == {None}
