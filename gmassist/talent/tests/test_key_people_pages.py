"""The key-people page per role: scores, scope, filters, sorting, export, the audit entry,
queries.

The `skilled` cast (see conftest): the company's average yearly pay is 110,000 (the six current
employees; the one who left does not count), the yardstick of the replacement component.
Oscar: rated 3 -> 0.35 x 0.5; the only holder of 5G core -> 0.35 x 1; 6 months x 110,000 / 12
= 55,000 -> 0.15 x 55,000 / 165,000; score 0.575, irreplaceable.
Emma: rated 5 and 1 -> 0.35 x 0.5; potential 2 -> 0.15 x 0.5; Billing with 2 others -> 0.35 / 3;
5 months x 76,000 / 12 = 31,666.67 -> 0.15 x 31,666.67 / 141,666.67; score 0.4002.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from conftest import nav_pages
from gmassist.core.choices import AuditAction
from gmassist.core.models import AuditEntry

PAGE = reverse("talent:key_people")
BY_SCORE = ["E005", "E004", "E003", "E006", "E002", "E001"]


def numbers_on(response) -> list[str]:
    return [row["employee_no"] for row in response.context["rows"]]


def pay_reads():
    return AuditEntry.objects.filter(action=AuditAction.READ_PAY)


def test_the_page_asks_for_a_login(client, skilled):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/talent/key-people/"
    assert pay_reads().count() == 0


def test_the_gm_sees_everyone_by_score_with_its_parts_and_reasons(client, skilled):
    client.force_login(skilled.gm)
    response = client.get(PAGE)
    assert response.status_code == 200
    assert numbers_on(response) == BY_SCORE
    rows = {row["employee_no"]: row for row in response.context["rows"]}
    oscar, emma = rows["E005"], rows["E004"]
    assert oscar["score"] == round(0.35 * 0.5 + 0.35 + 0.15 * 55000 / 165000, 4) == 0.575
    assert (oscar["scarcity"], oscar["others_holding"], oscar["irreplaceable"]) == (1.0, 0, True)
    assert oscar["replacement_cost"] == 55000.0
    assert oscar["top_reason"] == "holds 5G core network at level 5; nobody else does"
    cost = 76000 * 5 / 12
    expected = 0.35 * 0.5 + 0.15 * 0.5 + 0.35 / 3 + 0.15 * cost / (cost + 110000)
    assert emma["score"] == round(expected, 4) == 0.4002
    assert (emma["performance"], emma["potential"], emma["others_holding"]) == (3.0, 2, 2)
    assert emma["reasons"][:2] == [
        "rated 5 and 1 in the last two reviews",
        "holds Billing at level 4; only 2 other people do",
    ]
    assert not emma["irreplaceable"]
    assert [d["department_code"] for d in response.context["by_department"]] == ["RND"]
    html = response.content.decode()
    assert html.count('data-testid="key-irreplaceable"') == 1
    assert 'data-testid="key-department"' in html and "Oscar Outsider" in html


def test_reading_the_page_is_audited_once_summarising_whose_pay(client, skilled):
    client.force_login(skilled.gm)
    client.get(PAGE)
    [entry] = pay_reads()
    assert (entry.actor, entry.target_type) == (skilled.gm, "talent.key_people")
    assert entry.target_repr == "Key people: 5 people"
    assert entry.changes["employee_nos"] == ["E002", "E003", "E004", "E005", "E006"]
    assert entry.changes["filters"] == {}


def test_a_department_head_sees_their_subtree_with_company_wide_scarcity(client, skilled):
    client.force_login(skilled.head)
    response = client.get(PAGE)
    assert numbers_on(response) == ["E004", "E003", "E006"]
    # Oscar, out of the head's sight, still counts as another holder of Billing
    assert response.context["rows"][0]["others_holding"] == 2
    assert response.context["by_department"] == []
    assert 'data-testid="key-irreplaceable-none"' in response.content.decode()
    [entry] = pay_reads()
    assert entry.changes["employee_nos"] == ["E004", "E006"]


@pytest.mark.parametrize("role", ["employee", "outsider", "account_manager"])
def test_roles_that_see_only_their_own_pay_have_no_key_people(client, skilled, role):
    client.force_login(getattr(skilled, role))
    assert client.get(PAGE).status_code == 403
    assert client.get(PAGE, {"export": "csv"}).status_code == 403
    assert pay_reads().count() == 0


def test_filters_by_department_subtree_and_irreplaceable(client, skilled):
    client.force_login(skilled.hr)
    assert numbers_on(client.get(PAGE, {"department": skilled.sales.pk})) == [
        "E004",
        "E003",
        "E006",
    ]
    assert numbers_on(client.get(PAGE, {"irreplaceable": "on"})) == ["E005"]
    both = {"department": skilled.sales.pk, "irreplaceable": "on"}
    assert numbers_on(client.get(PAGE, both)) == []
    assert pay_reads().first().changes["filters"] == {"department_id": skilled.sales.pk}


def test_sorting_by_replacement_cost_and_by_name(client, skilled):
    client.force_login(skilled.gm)
    assert numbers_on(client.get(PAGE, {"sort": "-replacement_cost"})) == [
        "E001",
        "E005",
        "E006",
        "E002",
        "E003",
        "E004",
    ]
    by_name = numbers_on(client.get(PAGE, {"sort": "name"}))
    assert by_name == ["E006", "E004", "E001", "E003", "E002", "E005"]
    # an unknown sort falls back to the score
    assert numbers_on(client.get(PAGE, {"sort": "salary"})) == BY_SCORE


@pytest.mark.parametrize("params", [{"department": "abc"}, {"department": "999999"}])
def test_bad_filters_are_form_errors_and_read_no_pay(client, skilled, params):
    client.force_login(skilled.gm)
    response = client.get(PAGE, params)
    assert response.status_code == 200
    assert response.context["page_obj"] is None
    assert response.context["form"].errors
    assert pay_reads().count() == 0


def test_a_head_cannot_filter_on_a_department_outside_their_subtree(client, skilled):
    client.force_login(skilled.head)
    response = client.get(PAGE, {"department": skilled.rnd.pk})
    assert "department" in response.context["form"].errors
    assert pay_reads().count() == 0


def test_the_htmx_partial_swaps_the_results_and_the_summary(client, skilled):
    client.force_login(skilled.gm)
    response = client.get(PAGE, {"irreplaceable": "on"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="list-results"')
    assert 'id="key-summary" data-testid="key-summary" hx-swap-oob="true"' in html


def test_pagination(client, skilled, settings):
    from gmassist.talent.views import KeyPeoplePage

    client.force_login(skilled.gm)
    KeyPeoplePage.paginate_by, before = 4, KeyPeoplePage.paginate_by
    try:
        assert numbers_on(client.get(PAGE, {"page": 2})) == ["E002", "E001"]
    finally:
        KeyPeoplePage.paginate_by = before


def test_the_csv_export_has_exactly_the_filtered_rows_and_is_audited(client, skilled):
    client.force_login(skilled.head)
    response = client.get(PAGE, {"export": "csv"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r["employee_no"], r["score"], r["irreplaceable"]) for r in rows] == [
        ("E004", "0.4002", "False"),
        ("E003", "0.3037", "False"),
        ("E006", "0.2524", "False"),
    ]
    assert rows[0]["replacement_cost"] == "31666.67"
    assert rows[0]["reasons"].startswith("rated 5 and 1 in the last two reviews; ")
    assert pay_reads().count() == 1


def test_the_reasons_are_in_chinese_for_a_chinese_reader(client, skilled):
    client.force_login(skilled.gm)
    response = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="zh-hans")
    oscar = response.context["rows"][0]
    assert oscar["top_reason"] != "holds 5G core network at level 5; nobody else does"
    assert "5G core network" in oscar["top_reason"]


@pytest.mark.parametrize(
    ("role", "visible"),
    [("gm", True), ("hr", True), ("assistant", True), ("head", True), ("employee", False)],
)
def test_the_navigation_shows_key_people_to_roles_that_see_pay(client, skilled, role, visible):
    assert ("talent.key_people" in nav_pages(getattr(skilled, role))) is visible


def test_the_page_query_count_does_not_grow_with_the_rows(
    client, skilled, django_assert_num_queries
):
    from conftest import make_employee
    from gmassist.org.models import EmployeeSkill, Review, Skill

    client.force_login(skilled.gm)
    with django_assert_num_queries(10):
        client.get(PAGE)
    billing = Skill.objects.get(code="BIL")
    for i in range(30):
        extra = make_employee(f"X{i:03d}", f"Extra {i}", skilled.sales, skilled.salesperson)
        Review.objects.create(employee=extra, period="2025", rating=3, potential=2)
        EmployeeSkill.objects.create(employee=extra, skill=billing, level=4)
    with django_assert_num_queries(10):
        client.get(PAGE, {"page": 1})
    client.force_login(skilled.head)
    # + the head's subtree, the chosen department checked, and the departments below it
    with django_assert_num_queries(13):
        client.get(PAGE, {"department": skilled.sales.pk})
