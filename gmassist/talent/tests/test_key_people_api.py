"""GET /api/talent/key-people: success, not logged in (401), not allowed (403, nothing read),
out of scope (422), bad input (422), pinned query counts. Numbers: see test_key_people_pages."""

from __future__ import annotations

import pytest

from conftest import assert_problem
from gmassist.core.choices import AuditAction
from gmassist.core.models import AuditEntry

URL = "/api/talent/key-people"


def pay_reads():
    return AuditEntry.objects.filter(action=AuditAction.READ_PAY)


def numbers(body) -> list[str]:
    return [item["employee_no"] for item in body["items"]]


def test_the_gm_lists_the_key_people_a_page_at_a_time(client, skilled):
    client.force_login(skilled.gm)
    response = client.get(URL, {"page_size": 2})
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["page"], body["page_size"]) == (6, 1, 2)
    assert numbers(body) == ["E005", "E004"]
    oscar = body["items"][0]
    assert oscar["score"] == 0.575
    assert (oscar["scarcity"], oscar["scarce_skill"], oscar["others_holding"]) == (
        1.0,
        "5G core network",
        0,
    )
    assert (oscar["replacement_months"], oscar["replacement_cost"]) == (6, 55000.0)
    assert oscar["irreplaceable"] is True
    assert oscar["irreplaceable_skills"] == ["5G core network"]
    assert oscar["reasons"][0] == oscar["top_reason"]
    assert body["items"][1]["last_ratings"] == [5, 1]
    [entry] = pay_reads()
    assert entry.target_type == "talent.key_people"


def test_filters_and_sorting(client, skilled):
    client.force_login(skilled.hr)
    assert numbers(client.get(URL, {"irreplaceable": "true"}).json()) == ["E005"]
    sales = client.get(URL, {"department_id": skilled.sales.pk, "sort": "name"}).json()
    assert numbers(sales) == ["E006", "E004", "E003"]
    by_cost = client.get(URL, {"sort": "replacement_cost"}).json()
    assert numbers(by_cost)[:2] == ["E004", "E003"]


def test_a_department_head_sees_only_their_subtree(client, skilled):
    client.force_login(skilled.head)
    assert numbers(client.get(URL).json()) == ["E004", "E003", "E006"]
    [entry] = pay_reads()
    assert entry.changes["employee_nos"] == ["E004", "E006"]


def test_a_head_filtering_on_a_department_they_cannot_see_gets_a_422(client, skilled):
    client.force_login(skilled.head)
    problem = assert_problem(client.get(URL, {"department_id": skilled.rnd.pk}), 422)
    assert [e["field"] for e in problem["errors"]] == ["department_id"]
    assert pay_reads().count() == 0


@pytest.mark.parametrize("role", ["employee", "outsider", "account_manager"])
def test_roles_that_see_only_their_own_pay_get_a_403(client, skilled, role):
    client.force_login(getattr(skilled, role))
    assert_problem(client.get(URL), 403)
    assert pay_reads().count() == 0


def test_the_key_people_need_a_login(client, skilled):
    assert assert_problem(client.get(URL), 401)["status"] == 401
    assert pay_reads().count() == 0


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"sort": "salary"}, "sort"),
        ({"irreplaceable": "maybe"}, "irreplaceable"),
        ({"department_id": "x"}, "department_id"),
        ({"department_id": 0}, "department_id"),
        ({"page_size": 500}, "page_size"),
    ],
)
def test_bad_input_is_a_422(client, skilled, params, field):
    client.force_login(skilled.gm)
    problem = assert_problem(client.get(URL, params), 422)
    assert [e["field"] for e in problem["errors"]] == [field]
    assert pay_reads().count() == 0


# session + user, (a head's subtree), then people, reviews, skills, skill totals, the average
# pay and the audit entry
@pytest.mark.parametrize(("role", "queries"), [("gm", 8), ("head", 9)])
def test_the_list_costs_the_same_queries_for_any_page_size(
    client, skilled, django_assert_num_queries, role, queries
):
    client.force_login(getattr(skilled, role))
    for size in (1, 3):
        with django_assert_num_queries(queries):
            response = client.get(URL, {"page_size": size})
        assert len(response.json()["items"]) == size
