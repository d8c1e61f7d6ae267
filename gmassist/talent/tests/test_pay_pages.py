"""The pay-review page per role: scope, filters, sorting, export, the audit entry, queries."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from conftest import nav_pages
from gmassist.core.choices import AuditAction
from gmassist.core.models import AuditEntry

PAGE = reverse("talent:pay_review")


def numbers_on(response) -> list[str]:
    return [row["employee_no"] for row in response.context["rows"]]


def pay_reads():
    return AuditEntry.objects.filter(action=AuditAction.READ_PAY)


def test_the_pay_review_asks_for_a_login(client, paid):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/talent/pay/"
    assert pay_reads().count() == 0


def test_the_gm_sees_everyone_with_compa_ratio_rating_and_flags(client, paid):
    client.force_login(paid.gm)
    response = client.get(PAGE, {"sort": "employee_no"})
    assert response.status_code == 200
    rows = {row["employee_no"]: row for row in response.context["rows"]}
    assert list(rows) == ["E001", "E002", "E003", "E004", "E005", "E006"]
    assert [rows[no]["compa_ratio"] for no in rows] == [1.3636, 0.9, 1.0, 0.76, 1.0, 1.25]
    assert [rows[no]["last_rating"] for no in rows] == [None, 3, 4, 5, 3, 2]
    assert rows["E004"]["flags"] == ["below_band", "high_rated_paid_low"]
    assert rows["E006"]["flags"] == ["above_band", "low_rated_paid_high"]
    summary = response.context["summary"]
    assert (summary["below_band"], summary["cost_to_band_min"]) == (1, 4000.0)
    assert (summary["above_band"], summary["over_band_max"]) == (2, 25000.0)
    html = response.content.decode()
    assert "Rated high, paid low" in html
    assert 'id="pay-chart-compa"' in html
    assert 'data-testid="pay-gaps"' in html


def test_reading_the_pay_review_is_audited_once_summarising_whose_pay(client, paid):
    client.force_login(paid.gm)
    client.get(PAGE)
    [entry] = pay_reads()
    assert entry.actor == paid.gm
    assert entry.target_type == "talent.pay_review"
    # the GM's own pay is not someone else's
    assert entry.changes == {
        "people": 5,
        "departments": {"HQ": 1, "RND": 1, "SALES": 2, "SALES-E": 1},
        "filters": {},
        "employee_nos": ["E002", "E003", "E004", "E005", "E006"],
        "employee_nos_cut": False,
    }


def test_a_department_head_sees_only_their_subtree(client, paid):
    client.force_login(paid.head)
    response = client.get(PAGE, {"sort": "employee_no"})
    assert numbers_on(response) == ["E003", "E004", "E006"]
    [entry] = pay_reads()
    assert entry.changes["employee_nos"] == ["E004", "E006"]


@pytest.mark.parametrize("role", ["employee", "outsider", "account_manager"])
def test_roles_that_see_only_their_own_pay_have_no_pay_review(client, paid, role):
    client.force_login(getattr(paid, role))
    assert client.get(PAGE).status_code == 403
    assert client.get(PAGE, {"export": "csv"}).status_code == 403
    assert pay_reads().count() == 0


def test_filters_by_department_subtree_flag_and_position(client, paid):
    client.force_login(paid.hr)
    by_department = client.get(PAGE, {"department": paid.sales.pk, "sort": "employee_no"})
    assert numbers_on(by_department) == ["E003", "E004", "E006"]
    assert numbers_on(client.get(PAGE, {"flag": "above_band", "sort": "employee_no"})) == [
        "E001",
        "E006",
    ]
    assert numbers_on(client.get(PAGE, {"flag": "high_rated_paid_low"})) == ["E004"]
    by_position = client.get(PAGE, {"position": paid.engineer.pk, "sort": "-compa_ratio"})
    assert numbers_on(by_position) == ["E001", "E005", "E002"]
    assert pay_reads().count() == 4
    assert pay_reads().first().changes["filters"] == {"position_id": paid.engineer.pk}


def test_sorting_by_compa_ratio_puts_the_lowest_first(client, paid):
    client.force_login(paid.gm)
    assert numbers_on(client.get(PAGE, {"sort": "compa_ratio"})) == [
        "E004",
        "E002",
        "E003",
        "E005",
        "E006",
        "E001",
    ]


@pytest.mark.parametrize(
    "params", [{"department": "abc"}, {"flag": "underpaid"}, {"position": "999999"}]
)
def test_bad_filters_are_form_errors_and_read_no_pay(client, paid, params):
    client.force_login(paid.gm)
    response = client.get(PAGE, params)
    assert response.status_code == 200
    assert response.context["page_obj"] is None
    assert response.context["form"].errors
    assert pay_reads().count() == 0


def test_a_head_cannot_filter_on_a_department_outside_their_subtree(client, paid):
    client.force_login(paid.head)
    response = client.get(PAGE, {"department": paid.rnd.pk})
    assert "department" in response.context["form"].errors
    assert pay_reads().count() == 0


def test_the_htmx_partial_swaps_the_results_and_the_summary(client, paid):
    client.force_login(paid.gm)
    response = client.get(PAGE, {"flag": "below_band"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="list-results"')
    assert 'id="pay-summary" data-testid="pay-summary" hx-swap-oob="true"' in html


def test_the_csv_export_has_exactly_the_filtered_rows_and_is_audited(client, paid):
    client.force_login(paid.head)
    response = client.get(PAGE, {"export": "csv", "sort": "employee_no"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r["employee_no"], r["compa_ratio"], r["flags"]) for r in rows] == [
        ("E003", "1.0", ""),
        ("E004", "0.76", "below_band high_rated_paid_low"),
        ("E006", "1.25", "above_band low_rated_paid_high"),
    ]
    assert rows[1]["to_band_min"] == "4000.0"
    assert pay_reads().count() == 1


def test_the_xlsx_export(client, paid):
    client.force_login(paid.gm)
    response = client.get(PAGE, {"export": "xlsx", "flag": "below_band"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][:3] == ("employee_no", "full_name", "department")
    assert [row[0] for row in values[1:]] == ["E004"]


def test_the_gap_table_says_too_few_to_compare(client, paid):
    client.force_login(paid.gm)
    response = client.get(PAGE)
    gaps = response.context["gaps"]
    assert [(g.position, g.status, g.n) for g in gaps] == [
        ("Engineer", "too_few", 2),
        ("Sales representative", "too_few", 3),
    ]
    assert response.content.decode().count('data-testid="pay-gap-too-few"') == 2


@pytest.mark.parametrize(
    ("role", "visible"),
    [("gm", True), ("hr", True), ("assistant", True), ("head", True), ("employee", False)],
)
def test_the_navigation_shows_the_pay_review_to_roles_that_see_pay(client, paid, role, visible):
    assert ("talent.pay_review" in nav_pages(getattr(paid, role))) is visible


def test_the_page_query_count_does_not_grow_with_the_rows(client, paid, django_assert_num_queries):
    from conftest import make_employee

    client.force_login(paid.gm)
    with django_assert_num_queries(7):
        client.get(PAGE)
    for i in range(30):
        make_employee(f"X{i:03d}", f"Extra {i}", paid.sales, paid.salesperson)
    with django_assert_num_queries(7):
        client.get(PAGE, {"page": 2})
    client.force_login(paid.head)
    # + the head's subtree, the chosen department checked, and the departments below it
    with django_assert_num_queries(10):
        client.get(PAGE, {"department": paid.sales.pk})
