"""The pay-review endpoints: success, not logged in (401), not allowed (403, nothing read),
out of scope (422 for a filter the user cannot see), bad input (422), pinned query counts."""

from __future__ import annotations

import pytest

from conftest import assert_problem
from gmassist.core.choices import AuditAction
from gmassist.core.models import AuditEntry

REVIEW = "/api/talent/pay-review"
GAPS = "/api/talent/pay-gaps"


def pay_reads():
    return AuditEntry.objects.filter(action=AuditAction.READ_PAY)


def test_the_gm_lists_the_pay_review_a_page_at_a_time(client, paid):
    client.force_login(paid.gm)
    response = client.get(REVIEW, {"sort": "compa_ratio", "page_size": 2})
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["page"], body["page_size"]) == (6, 1, 2)
    first = body["items"][0]
    assert first["employee_no"] == "E004"
    assert first["compa_ratio"] == 0.76
    assert first["base_pay"] == 76000.0
    assert first["to_band_min"] == 4000.0
    assert first["last_rating"] == 5
    assert first["flags"] == ["below_band", "high_rated_paid_low"]
    assert [item["employee_no"] for item in body["items"]] == ["E004", "E002"]
    assert pay_reads().count() == 1


def test_filters_by_flag_department_and_position(client, paid):
    client.force_login(paid.hr)
    above = client.get(REVIEW, {"flag": "above_band", "sort": "employee_no"}).json()
    assert [item["employee_no"] for item in above["items"]] == ["E001", "E006"]
    sales = client.get(REVIEW, {"department_id": paid.sales.pk, "sort": "-employee_no"}).json()
    assert [item["employee_no"] for item in sales["items"]] == ["E006", "E004", "E003"]
    engineers = client.get(REVIEW, {"position_id": paid.engineer.pk}).json()
    assert engineers["count"] == 3


def test_a_department_head_sees_only_their_subtree(client, paid):
    client.force_login(paid.head)
    body = client.get(REVIEW, {"sort": "employee_no"}).json()
    assert [item["employee_no"] for item in body["items"]] == ["E003", "E004", "E006"]
    [entry] = pay_reads()
    assert entry.changes["employee_nos"] == ["E004", "E006"]


def test_a_head_filtering_on_a_department_they_cannot_see_gets_a_422(client, paid):
    client.force_login(paid.head)
    problem = assert_problem(client.get(REVIEW, {"department_id": paid.rnd.pk}), 422)
    assert [e["field"] for e in problem["errors"]] == ["department_id"]
    assert pay_reads().count() == 0


@pytest.mark.parametrize("url", [REVIEW, GAPS])
@pytest.mark.parametrize("role", ["employee", "outsider", "account_manager"])
def test_roles_that_see_only_their_own_pay_get_a_403_and_nothing_is_read(client, paid, url, role):
    client.force_login(getattr(paid, role))
    assert_problem(client.get(url), 403)
    assert pay_reads().count() == 0


@pytest.mark.parametrize("url", [REVIEW, GAPS])
def test_the_pay_review_needs_a_login(client, paid, url):
    problem = assert_problem(client.get(url), 401)
    assert problem["status"] == 401
    assert pay_reads().count() == 0


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"flag": "underpaid"}, "flag"),
        ({"sort": "salary"}, "sort"),
        ({"department_id": "x"}, "department_id"),
        ({"position_id": 0}, "position_id"),
        ({"page_size": 500}, "page_size"),
    ],
)
def test_bad_input_is_a_422(client, paid, params, field):
    client.force_login(paid.gm)
    problem = assert_problem(client.get(REVIEW, params), 422)
    assert [e["field"] for e in problem["errors"]] == [field]
    assert pay_reads().count() == 0


def test_the_pay_gaps_say_too_few_to_compare(client, paid):
    client.force_login(paid.gm)
    response = client.get(GAPS)
    assert response.status_code == 200
    body = response.json()
    assert (body["min_group"], body["min_per_gender"]) == (10, 3)
    assert [(g["position"], g["status"], g["n"], g["adjusted_gap_pct"]) for g in body["gaps"]] == [
        ("Engineer", "too_few", 2, None),
        ("Sales representative", "too_few", 3, None),
    ]
    assert pay_reads().count() == 1


def test_a_gap_large_enough_to_compare_has_its_cost(client, paid):
    from conftest import make_employee
    from gmassist.org.models import Review

    # six women at 90,000 and six men at 100,000 join Oscar (a man at 110,000) in R&D, all
    # hired the same day and rated 3: the gap is 0.9 / 1.1^(1/7) - 1 = -11.22%, and raising the
    # six women to the men's geometric mean costs 540,000 x (1.1^(1/7) / 0.9 - 1) a year
    for i in range(12):
        female = i < 6
        employee = make_employee(
            f"G{i:02d}",
            f"Gap {i}",
            paid.rnd,
            paid.engineer,
            base_pay=90000 if female else 100000,
            gender="female" if female else "male",
        )
        Review.objects.create(employee=employee, period="2025", rating=3)
    client.force_login(paid.gm)
    body = client.get(GAPS, {"department_id": paid.rnd.pk}).json()
    [gap] = body["gaps"]
    assert (gap["status"], gap["n"], gap["n_female"], gap["n_male"]) == ("compared", 13, 6, 7)
    assert gap["lower_paid"] == "female"
    assert gap["adjusted_gap_pct"] == gap["raw_gap_pct"] == -11.22
    assert gap["cost_to_close"] == round(540000 * (1.1 ** (1 / 7) / 0.9 - 1), 2)
    assert len(gap["employee_ids"]) == 13


# session + user, (a head's subtree), then the pay query and its audit entry
@pytest.mark.parametrize(("role", "queries"), [("gm", 4), ("head", 5)])
def test_the_list_costs_the_same_queries_for_any_page_size(
    client, paid, django_assert_num_queries, role, queries
):
    client.force_login(getattr(paid, role))
    for size in (1, 3):
        with django_assert_num_queries(queries):
            response = client.get(REVIEW, {"page_size": size})
        assert len(response.json()["items"]) == size
