"""The list pages sliced: grouped with counts, sums and a chart, narrowed to a group, with the
columns the user chose, and exports that follow what is shown."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from gmassist.core.choices import AuditAction
from gmassist.core.models import AuditEntry
from gmassist.customers.tests.test_pages_customers import make_revenue_book
from gmassist.org.models import Employee
from gmassist.org.services import pay_change_propose

DIRECTORY = reverse("org:directory")
CUSTOMERS = reverse("customers:list")
PROPOSALS = reverse("proposals")
AUDIT = reverse("audit-log")
FEEDBACK = reverse("voice:feedback_queue")


def groups_on(response) -> list[tuple[str, int]]:
    return [(row["group"].label, row["group"].count) for row in response.context["group_rows"]]


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


# --- grouping --------------------------------------------------------------------------------


def test_the_grouped_directory_shows_counts_a_chart_and_a_link_per_group(client, cast):
    client.force_login(cast.head)
    response = client.get(DIRECTORY, {"group": "department", "status": "active"})
    assert response.status_code == 200
    assert groups_on(response) == [("Sales", 2), ("Sales East", 1)]
    assert response.context["group_chart"] == {
        "labels": ["Sales", "Sales East"],
        "counts": [2, 1],
        "links": [
            f"?status=active&where.department={cast.sales.pk}",
            f"?status=active&where.department={cast.sales_east.pk}",
        ],
        "label": "Rows",
    }
    html = response.content.decode()
    assert 'data-testid="directory-group-table"' in html
    assert 'id="list-group-chart-data"' in html
    assert "chart.umd.min.js" in html and "list_groups.js" in html
    assert response.context["rows"] == []  # the groups, not the rows
    assert 'data-testid="group-total">3<' in html


def test_a_group_link_opens_exactly_its_rows(client, cast):
    client.force_login(cast.head)
    response = client.get(DIRECTORY, {"where.department": cast.sales.pk})
    assert sorted(row.employee_no for row in response.context["rows"]) == ["E003", "E006"]
    [chip] = response.context["where_chips"]
    assert (str(chip["label"]), chip["value"]) == ("Department", "Sales")
    assert chip["groups_url"] == "?group=department"
    assert chip["remove_url"] == "?"
    # the filters keep the group: it travels in the controls' hidden field
    assert (
        f'<input type="hidden" name="where.department" value="{cast.sales.pk}">'
        in response.content.decode()
    )


def test_a_group_outside_the_users_scope_shows_nothing(client, cast):
    client.force_login(cast.head)
    response = client.get(DIRECTORY, {"where.department": cast.rnd.pk})
    assert response.status_code == 200
    assert list(response.context["rows"]) == []
    assert "Oscar" not in response.content.decode()


def test_a_grouping_or_group_the_page_does_not_offer_is_a_bad_request(client, cast):
    client.force_login(cast.gm)
    assert client.get(DIRECTORY, {"group": "base_pay"}).status_code == 400
    assert client.get(DIRECTORY, {"where.base_pay": "100000"}).status_code == 400
    assert client.get(DIRECTORY, {"where.department": "sales"}).status_code == 400
    assert client.get(DIRECTORY, {"where.status": "retired"}).status_code == 400


def test_grouping_needs_a_login_and_the_pages_role(client, cast):
    response = client.get(DIRECTORY, {"group": "department"})
    assert response.status_code == 302
    client.force_login(cast.employee)
    assert client.get(DIRECTORY, {"group": "department"}).status_code == 403


def test_the_grouped_customers_sum_revenue_and_count_only_the_managers_book(client, cast):
    make_revenue_book(cast)
    client.force_login(cast.gm)
    response = client.get(CUSTOMERS, {"group": "tier"})
    assert [(row["group"].label, row["group"].count, row["sums"]) for row in response.context[
        "group_rows"
    ]] == [
        ("Tier A", 1, [Decimal("12000")]),
        ("Tier B", 1, [Decimal("500")]),
        ("Tier C", 1, [Decimal("0")]),
    ]  # fmt: skip
    assert response.context["group_totals"] == [Decimal("12500")]
    assert "12,500" in response.content.decode()
    client.force_login(cast.account_manager)
    response = client.get(CUSTOMERS, {"group": "manager"})
    assert groups_on(response) == [("Alice Account", 1)]


def test_the_grouped_audit_log_counts_actions(client, cast):
    for action in ("update", "update", "delete"):
        AuditEntry.objects.create(actor=cast.hr, action=action, target_type="org.employee")
    client.force_login(cast.gm)
    response = client.get(AUDIT, {"group": "action"})
    assert groups_on(response) == [("Updated", 2), ("Deleted", 1)]
    response = client.get(AUDIT, {"group": "actor"})
    assert groups_on(response) == [("Harriet Ross", 3)]


def test_a_grouped_list_of_pay_proposals_with_their_cost_is_an_audited_pay_read(client, cast):
    pay_change_propose(
        employee=cast.employee.employee,
        new_base_pay=Decimal("110000"),
        effective_date=dt.date(2026, 1, 1),
        rationale="below the band midpoint",
        by=cast.head,
    )
    client.force_login(cast.hr)
    response = client.get(PROPOSALS, {"group": "kind"})
    [row] = response.context["group_rows"]
    assert (row["group"].count, row["sums"]) == (1, [Decimal("10000")])
    [entry] = AuditEntry.objects.filter(actor=cast.hr, action=AuditAction.READ_PAY)
    assert entry.changes["employee_nos"] == ["E004"]


def test_a_grouped_directory_reads_no_pay(client, cast):
    client.force_login(cast.gm)
    client.get(DIRECTORY, {"group": "department"})
    assert not AuditEntry.objects.filter(action=AuditAction.READ_PAY).exists()


def test_a_grouped_list_makes_the_same_queries_whatever_the_rows(
    client, cast, django_assert_num_queries
):
    client.force_login(cast.gm)
    client.get(DIRECTORY, {"group": "manager"})  # warm the session and the company row
    # session, user with their employee record, the departments and positions the filters
    # offer, the groups (one query, counted in the database), the saved views of the page
    with django_assert_num_queries(6):
        client.get(DIRECTORY, {"group": "manager"})
    Employee.objects.bulk_create(
        Employee(
            employee_no=f"X{i:03d}",
            full_name=f"Extra {i:03d}",
            department=cast.rnd,
            position=cast.engineer,
            manager=cast.outsider.employee if i % 2 else cast.gm.employee,
            hire_date=dt.date(2021, 1, 1),
        )
        for i in range(80)
    )
    with django_assert_num_queries(6):
        response = client.get(DIRECTORY, {"group": "manager"})
    assert groups_on(response)[0] == ("Grace Manager", 42)
    # narrowed to a group: + the group's name and the department's subtree of the filter
    with django_assert_num_queries(8):
        client.get(DIRECTORY, {"where.manager": cast.gm.employee.pk})


# --- chosen columns and exports --------------------------------------------------------------


def test_the_chosen_columns_are_the_ones_shown(client, cast):
    client.force_login(cast.gm)
    response = client.get(DIRECTORY, {"cols": "1", "col": ["location", "status"]})
    assert [str(h["label"]) for h in response.context["headers"]] == [
        "Employee no.",
        "Name",
        "Location",
        "Status",
    ]
    row = response.content.decode().split('data-testid="directory-row"')[1].split("</tr>")[0]
    assert row.count("<td") == 4
    default = client.get(DIRECTORY)
    assert [str(h["label"]) for h in default.context["headers"]] == [
        "Employee no.",
        "Name",
        "Department",
        "Position",
        "Manager",
        "Hire date",
        "Status",
    ]


def test_columns_sent_without_being_chosen_change_nothing(client, cast):
    client.force_login(cast.gm)
    response = client.get(
        DIRECTORY, {"col": ["location"], "search": "", "status": ""}, HTTP_HX_REQUEST="true"
    )
    assert "Location" not in [str(h["label"]) for h in response.context["headers"]]
    # the address pushed is the canonical one
    assert response["HX-Push-Url"] == DIRECTORY


def test_an_export_follows_the_chosen_columns_and_the_group(client, cast):
    make_revenue_book(cast)
    client.force_login(cast.gm)
    response = client.get(
        CUSTOMERS, {"export": "csv", "cols": "1", "col": ["tier", "revenue"], "where.tier": "A"}
    )
    rows = csv_rows(response)
    assert rows[0] == [
        "code",
        "name",
        "scale",
        "contract_start",
        "contract_end",
        "tier",
        "service_channel",
        "revenue_12m",
    ]
    assert [row[0] for row in rows[1:]] == ["C1"]


def test_the_directory_export_keeps_the_employees_import_columns_whatever_is_shown(
    client, cast, tmp_path
):
    from gmassist.core.imports import entity_spec, import_file
    from gmassist.core.permissions import SYSTEM

    client.force_login(cast.hr)
    response = client.get(
        DIRECTORY,
        {"export": "csv", "cols": "1", "col": ["status"], "where.department": cast.sales.pk},
    )
    rows = csv_rows(response)
    assert rows[0] == [column.name for column in entity_spec("employees").columns]
    assert sorted(row[0] for row in rows[1:]) == ["E003", "E006"]
    exported = tmp_path / "sales.csv"
    exported.write_bytes(response.content)
    report = import_file(entity="employees", path=exported, mapping=None, by=SYSTEM, dry_run=False)
    assert report.counts["employees"] == {"created": 0, "updated": 0, "unchanged": 2}


def test_the_audit_export_leaves_out_the_hidden_columns(client, cast):
    AuditEntry.objects.create(actor=cast.hr, action="update", target_type="org.employee")
    client.force_login(cast.gm)
    response = client.get(AUDIT, {"export": "csv", "cols": "1", "col": ["action"]})
    assert csv_rows(response)[0] == ["at", "action"]


@pytest.mark.parametrize(
    ("url", "group"),
    [
        (DIRECTORY, "employment_type"),
        (CUSTOMERS, "churn"),
        (FEEDBACK, "owner"),
        (PROPOSALS, "proposer"),
        (reverse("proposals-history"), "status"),
        (AUDIT, "day"),
    ],
)
def test_every_sliced_list_groups_in_chinese(client, cast, url, group):
    client.force_login(cast.gm)
    client.cookies["django_language"] = "zh-hans"
    response = client.get(url, {"group": group}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    html = response.content.decode()
    assert "分组依据" in html and "已保存的视图" in html
