"""The analytics, tiering-policy and run endpoints: success, 401, 403 with nothing changed,
422 naming the field."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine

from conftest import assert_problem
from gmassist.core.models import Job
from gmassist.customers.models import CustomerPolicy
from gmassist.customers.selectors import tiering_policy_current
from gmassist.customers.tests.test_pages_customers import make_revenue_book

ANALYTICS = "/api/customers/analytics"
POLICY = "/api/customers/tiering-policy"
RUNS = "/api/customers/runs"


@pytest.fixture
def book(cast):
    return make_revenue_book(cast)


def put(client, body):
    return client.put(POLICY, json.dumps(body), content_type="application/json")


@time_machine.travel(dt.datetime(2026, 1, 15, 9, 0, tzinfo=dt.UTC), tick=False)
def test_analytics_are_scoped_to_the_user(client, cast, book):
    client.force_login(cast.gm)
    body = client.get(ANALYTICS).json()
    assert (body["month"], body["total"], body["customers"]) == ("2025-12", 12500.0, 3)
    assert body["concentration"]["hhi"] == 9232.0
    assert body["pareto"][-1] == {"x": 1.0, "y": 1.0}
    assert body["churn_backtest"] is None
    client.force_login(cast.account_manager)
    assert client.get(ANALYTICS).json()["total"] == 12000.0


@pytest.mark.parametrize("url", [ANALYTICS, POLICY])
def test_reads_need_a_login_and_a_role_that_sees_customers(client, cast, book, url):
    assert_problem(client.get(url), 401)
    client.force_login(cast.hr)
    assert_problem(client.get(url), 403)


def test_the_policy_reads_as_toml_and_fields(client, cast):
    client.force_login(cast.account_manager)
    body = client.get(POLICY).json()
    assert body["policy"]["a_revenue_share"] == 0.8
    assert body["policy"]["strategic_industries"] == []
    assert "[contribution]" in body["toml"]
    assert body["saved_at"] is None


def test_putting_toml_saves_a_version(client, cast):
    client.force_login(cast.gm)
    response = put(client, {"toml": "[scale]\nlarge = 2000\nmedium = 200\n"})
    assert response.status_code == 200
    assert response.json()["policy"]["scale_large"] == 2000
    assert tiering_policy_current().policy.scale_medium == 200


def test_putting_fields_saves_a_version(client, cast):
    client.force_login(cast.assistant)
    response = put(client, {"policy": {"a_revenue_share": 0.7, "strategic_industries": ["Tel"]}})
    assert response.status_code == 200
    policy = tiering_policy_current().policy
    assert (policy.a_revenue_share, policy.strategic_industries) == (0.7, ("Tel",))


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"toml": '[scale]\nlarge = "big"\n'}, "toml", "scale.large: must be a number, got 'big'"),
        (
            {"policy": {"scale_medium": 5000}},
            "policy.scale_medium",
            "must not exceed scale.large (1000), got 5000.0",
        ),
        ({"toml": "", "policy": {}}, "toml", "Send either toml or policy, not both."),
        ({"policy": {"scale_giant": 1}}, "policy.scale_giant", "Extra inputs are not permitted"),
    ],
)
def test_a_bad_policy_is_a_422_naming_the_field_and_saves_nothing(
    client, cast, body, field, message
):
    client.force_login(cast.gm)
    problem = assert_problem(put(client, body), 422)
    assert [(e["field"], e["message"]) for e in problem["errors"]] == [(field, message)]
    assert CustomerPolicy.objects.count() == 0


@pytest.mark.parametrize("role", ["account_manager", "head", "hr"])
def test_only_the_gms_office_changes_the_policy(client, cast, role):
    client.force_login(getattr(cast, role))
    assert_problem(put(client, {"toml": "[scale]\nlarge = 2000\n"}), 403)
    assert CustomerPolicy.objects.count() == 0


def test_putting_the_policy_needs_a_login(client, cast):
    assert_problem(put(client, {"toml": ""}), 401)
    assert CustomerPolicy.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "kind", "body", "params"),
    [
        ("tier", "customers.tier", None, {}),
        ("route", "customers.route", None, {}),
        ("churn", "customers.churn", None, {}),
        (
            "match",
            "customers.match",
            {"region_rule": "penalty", "max_changes": 5},
            {
                "region_rule": "penalty",
                "region_penalty": 2.0,
                "change_penalty": 1.0,
                "max_changes": 5,
                "time_limit_s": 30.0,
            },
        ),
    ],
)
def test_starting_a_run_returns_its_job(client, cast, book, name, kind, body, params):
    client.force_login(cast.gm)
    response = client.post(
        f"{RUNS}/{name}", json.dumps(body or {}), content_type="application/json"
    )
    assert response.status_code == 202, response.content
    job = Job.objects.get()
    assert response.json()["id"] == job.pk
    assert (job.kind, job.params, job.status) == (kind, params, "queued")


@pytest.mark.parametrize("name", ["tier", "match", "route", "churn"])
@pytest.mark.parametrize("role", ["account_manager", "head", "hr"])
def test_runs_are_refused_to_other_roles_and_start_nothing(client, cast, book, name, role):
    client.force_login(getattr(cast, role))
    response = client.post(f"{RUNS}/{name}", "{}", content_type="application/json")
    assert_problem(response, 403)
    assert Job.objects.count() == 0


@pytest.mark.parametrize("name", ["tier", "match", "route", "churn"])
def test_runs_need_a_login(client, book, name):
    assert_problem(client.post(f"{RUNS}/{name}", "{}", content_type="application/json"), 401)
    assert Job.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"region_rule": "soft"}, "region_rule"),
        ({"max_changes": -1}, "max_changes"),
        ({"time_limit_s": 0}, "time_limit_s"),
        ({"speed": "fast"}, "speed"),
    ],
)
def test_bad_match_options_are_a_422_and_start_nothing(client, cast, book, body, field):
    client.force_login(cast.gm)
    response = client.post(f"{RUNS}/match", json.dumps(body), content_type="application/json")
    problem = assert_problem(response, 422)
    assert [e["field"] for e in problem["errors"]] == [field]
    assert Job.objects.count() == 0


RULES = "/api/customers/channel-rules"


def put_rules(client, body):
    return client.put(RULES, json.dumps(body), content_type="application/json")


def test_the_channel_rules_read_as_toml_until_the_gm_saves_new_ones(client, cast):
    from gmassist.customers.engine.channels import ChannelRules, rules_to_toml

    client.force_login(cast.gm)
    body = client.get(RULES).json()
    assert body == {"toml": rules_to_toml(ChannelRules()), "saved_at": None, "saved_by_id": None}
    text = body["toml"].replace("capacity = 300", "capacity = 40", 1)
    response = put_rules(client, {"toml": text})
    assert response.status_code == 200
    assert (response.json()["toml"], response.json()["saved_by_id"]) == (text, cast.gm.pk)
    assert CustomerPolicy.objects.get(kind="channels").toml == text


def test_bad_channel_rules_are_a_422_naming_the_key_and_save_nothing(client, cast):
    client.force_login(cast.gm)
    problem = assert_problem(put_rules(client, {"toml": "[channels.branch]\ncapacity = -1\n"}), 422)
    assert [(e["field"], e["message"]) for e in problem["errors"]] == [
        ("toml", "channels.branch.capacity: must be a number of at least 0, got -1")
    ]
    assert_problem(put_rules(client, {"rules": "x"}), 422)
    assert CustomerPolicy.objects.count() == 0


@pytest.mark.parametrize("role", ["account_manager", "head", "hr", "employee"])
def test_only_the_gms_office_reads_and_changes_the_channel_rules(client, cast, role):
    client.force_login(getattr(cast, role))
    assert_problem(client.get(RULES), 403)
    assert_problem(put_rules(client, {"toml": "[channels.branch]\ncapacity = 1\n"}), 403)
    assert CustomerPolicy.objects.count() == 0


def test_the_channel_rules_need_a_login(client, cast):
    assert_problem(client.get(RULES), 401)
    assert_problem(put_rules(client, {"toml": ""}), 401)
    assert CustomerPolicy.objects.count() == 0
