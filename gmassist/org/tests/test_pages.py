"""The organisation pages: directory, department tree and employee page, per role."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gmassist.core.choices import AuditAction
from gmassist.core.models import AuditEntry
from gmassist.org.models import EmployeeSkill, Review, Separation, Skill

DIRECTORY = reverse("org:directory")
TREE = reverse("org:departments")


def employee_url(cast, no: str) -> str:
    from gmassist.org.models import Employee

    return reverse("org:employee", args=[Employee.objects.get(employee_no=no).pk])


def numbers_on(response) -> list[str]:
    return [row.employee_no for row in response.context["rows"]]


# --- directory -------------------------------------------------------------------------------


def test_the_directory_asks_for_a_login(client, cast):
    response = client.get(DIRECTORY)
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/org/employees/"


def test_the_gm_sees_everyone_sorted_by_name(client, cast):
    client.force_login(cast.gm)
    response = client.get(DIRECTORY)
    assert response.status_code == 200
    assert numbers_on(response) == ["E006", "E004", "E001", "E003", "E002", "E005"]
    assert 'id="directory-search"' in response.content.decode()


def test_a_department_head_sees_only_their_subtree(client, cast):
    client.force_login(cast.head)
    response = client.get(DIRECTORY)
    assert numbers_on(response) == ["E006", "E004", "E003"]


@pytest.mark.parametrize("role", ["employee", "account_manager"])
def test_roles_that_see_only_themselves_have_no_directory(client, cast, role):
    client.force_login(getattr(cast, role))
    assert client.get(DIRECTORY).status_code == 403


def test_search_filters_and_sort_go_through_the_selector(client, cast):
    client.force_login(cast.gm)
    assert numbers_on(client.get(DIRECTORY, {"search": "emma"})) == ["E004"]
    by_department = client.get(DIRECTORY, {"department": cast.sales.pk, "sort": "-employee_no"})
    assert numbers_on(by_department) == ["E006", "E004", "E003"]
    by_position = client.get(DIRECTORY, {"position": cast.engineer.pk, "sort": "employee_no"})
    assert numbers_on(by_position) == ["E001", "E002", "E005"]


def test_a_left_employee_is_found_by_status(client, cast):
    from gmassist.org.models import Employee

    Employee.objects.filter(employee_no="E005").update(status="left", leave_date="2025-06-30")
    client.force_login(cast.gm)
    assert numbers_on(client.get(DIRECTORY, {"status": "left"})) == ["E005"]


def test_an_unknown_sort_falls_back_to_the_default(client, cast):
    client.force_login(cast.gm)
    response = client.get(DIRECTORY, {"sort": "base_pay"})
    assert response.context["sort"] == "name"
    assert numbers_on(response)[0] == "E006"


def test_a_bad_filter_shows_the_error_next_to_the_field_and_no_rows(client, cast):
    client.force_login(cast.head)
    response = client.get(DIRECTORY, {"department": cast.rnd.pk, "status": "asleep"})
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"department", "status"}
    assert response.context["rows"] == []
    assert 'data-testid="error-department"' in response.content.decode()


def test_pages_of_fifty_rows(client, cast):
    from gmassist.org.models import Employee

    Employee.objects.bulk_create(
        Employee(
            employee_no=f"X{i:03d}",
            full_name=f"Extra {i:03d}",
            department=cast.rnd,
            hire_date=dt.date(2021, 1, 1),
        )
        for i in range(60)
    )
    client.force_login(cast.gm)
    first = client.get(DIRECTORY, {"sort": "employee_no"})
    second = client.get(DIRECTORY, {"sort": "employee_no", "page": 2})
    assert len(first.context["rows"]) == 50
    assert numbers_on(second)[:2] == ["X044", "X045"]
    assert len(second.context["rows"]) == 16
    assert "page=2" in first.context["page_links"]["next"]


def test_htmx_gets_only_the_results_with_the_sort_kept_in_the_form(client, cast):
    client.force_login(cast.gm)
    response = client.get(DIRECTORY, {"sort": "-hire_date"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="list-results"')
    assert "<html" not in body
    assert 'id="list-sort" value="-hire_date" hx-swap-oob="true"' in body
    assert "HX-Request" in response["Vary"]


def test_a_history_restore_gets_the_whole_page(client, cast):
    client.force_login(cast.gm)
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    assert "<html" in client.get(DIRECTORY, headers=headers).content.decode()


def test_column_headers_toggle_the_sort(client, cast):
    client.force_login(cast.gm)
    headers = client.get(DIRECTORY, {"sort": "name"}).context["headers"]
    name = next(h for h in headers if h.get("key") == "name")
    number = next(h for h in headers if h.get("key") == "employee_no")
    assert (name["direction"], name["url"]) == ("ascending", "?sort=-name")
    assert (number["direction"], number["url"]) == ("", "?sort=employee_no")


def test_the_export_holds_exactly_the_filtered_rows_in_the_import_columns(client, cast):
    client.force_login(cast.gm)
    response = client.get(DIRECTORY, {"department": cast.sales.pk, "export": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "employee_no", "full_name", "family_name", "given_name", "email", "department",
        "position", "manager", "hire_date", "leave_date", "separation_type", "leave_reason",
        "regretted", "birth_date", "gender", "location", "employment_type", "status", "base_pay",
        "paid_leave_days",
    ]  # fmt: skip
    assert rows[1:] == [
        ["E003", "Hank Head", "", "", "", "SALES", "SAL-2", "E001", "2020-01-01", "", "", "",
         "", "", "", "", "full_time", "active", "100000", ""],
        ["E004", "Emma Employee", "", "", "", "SALES-E", "SAL-2", "E003", "2020-01-01", "", "",
         "", "", "", "", "", "full_time", "active", "100000", ""],
        ["E006", "Alice Account", "", "", "", "SALES", "SAL-2", "E003", "2020-01-01", "", "", "",
         "", "", "", "", "full_time", "active", "100000", ""],
    ]  # fmt: skip


def test_the_directory_export_imports_back_unchanged_with_no_mapping(client, cast, tmp_path):
    from gmassist.core.imports import import_file
    from gmassist.core.permissions import SYSTEM

    client.force_login(cast.hr)
    for fmt in ("csv", "xlsx"):
        exported = tmp_path / f"directory.{fmt}"
        exported.write_bytes(client.get(DIRECTORY, {"export": fmt}).content)

        report = import_file(
            entity="employees", path=exported, mapping=None, by=SYSTEM, dry_run=False
        )

        assert report.counts["employees"] == {"created": 0, "updated": 0, "unchanged": 6}
        assert report.proposals == []


def test_the_directory_export_is_a_read_of_the_pay_in_it(client, cast):
    from gmassist.core.choices import AuditAction
    from gmassist.core.models import AuditEntry

    client.force_login(cast.head)
    client.get(DIRECTORY, {"export": "csv"})

    [entry] = AuditEntry.objects.filter(action=AuditAction.READ_PAY)
    assert entry.actor == cast.head


def test_the_xlsx_export_keeps_dates_typed(client, cast):
    client.force_login(cast.head)
    response = client.get(DIRECTORY, {"search": "E00", "sort": "employee_no", "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert [row[0] for row in rows] == ["employee_no", "E003", "E004", "E006"]
    assert rows[1][8] == dt.datetime(2020, 1, 1)  # hire_date


def test_the_directory_offers_export_only_to_roles_allowed(client, cast):
    client.force_login(cast.gm)
    assert client.get(DIRECTORY).context["export_links"]["csv"] == "?export=csv"


def test_the_directory_makes_the_same_queries_whatever_the_rows(
    client, cast, django_assert_num_queries
):
    client.force_login(cast.gm)
    client.get(DIRECTORY)  # warm the session and the company row
    # session, user with their employee record (top bar name), count, page, the departments and
    # positions the filters offer, and the saved views of the page
    with django_assert_num_queries(7):
        client.get(DIRECTORY)
    with django_assert_num_queries(10):
        # + the department and position the form looks up, and the department's subtree
        client.get(DIRECTORY, {"department": cast.sales.pk, "position": cast.salesperson.pk})


def test_the_directory_query_count_does_not_grow_with_the_rows(
    client, cast, django_assert_num_queries
):
    from gmassist.org.models import Employee

    Employee.objects.bulk_create(
        Employee(
            employee_no=f"X{i:03d}",
            full_name=f"Extra {i:03d}",
            department=cast.rnd,
            position=cast.engineer,
            manager=cast.gm.employee,
            hire_date=dt.date(2021, 1, 1),
        )
        for i in range(80)
    )
    client.force_login(cast.head)
    client.get(DIRECTORY)
    with django_assert_num_queries(8):  # + the head's subtree, read once for the whole page
        client.get(DIRECTORY)
    client.force_login(cast.gm)
    client.get(DIRECTORY)
    with django_assert_num_queries(7):
        client.get(DIRECTORY)


# --- department tree -------------------------------------------------------------------------


def tree_names(nodes) -> list:
    return [(n["department"].name, n["headcount"], tree_names(n["children"])) for n in nodes]


def test_the_gm_sees_the_whole_tree_with_headcounts_and_heads(client, cast):
    client.force_login(cast.gm)
    response = client.get(TREE)
    assert tree_names(response.context["roots"]) == [
        ("Headquarters", 2, [("R&D", 1, []), ("Sales", 2, [("Sales East", 1, [])])])
    ]
    assert response.context["roots"][0]["total"] == 6
    assert "Hank Head" in response.content.decode()


def test_a_head_sees_their_subtree_as_the_tree(client, cast):
    client.force_login(cast.head)
    roots = client.get(TREE).context["roots"]
    assert tree_names(roots) == [("Sales", 2, [("Sales East", 1, [])])]


def test_the_tree_needs_a_login_and_a_role_that_sees_people(client, cast):
    assert client.get(TREE).status_code == 302
    client.force_login(cast.employee)
    assert client.get(TREE).status_code == 403


def test_the_tree_is_one_query(client, cast, django_assert_num_queries):
    client.force_login(cast.gm)
    client.get(TREE)
    # session, user with their employee record (top bar name), departments with headcount and head
    with django_assert_num_queries(3):
        client.get(TREE)


# --- employee page ---------------------------------------------------------------------------


@pytest.fixture
def history(cast):
    emma = cast.employee.employee
    skill = Skill.objects.create(code="NEG", name="Negotiation")
    EmployeeSkill.objects.create(employee=emma, skill=skill, level=4)
    Review.objects.create(employee=emma, period="2025", rating=4, reviewer=cast.head.employee)
    Separation.objects.create(
        employee=cast.outsider.employee, date=dt.date(2019, 5, 1), separation_type="voluntary"
    )
    return emma


def test_the_gm_sees_pay_reviews_and_skills_and_the_pay_read_is_audited(client, cast, history):
    client.force_login(cast.gm)
    response = client.get(employee_url(cast, "E004"))
    body = response.content.decode()
    assert response.status_code == 200
    assert response.context["pay"]["base_pay"] == 100000
    assert 'data-testid="employee-pay"' in body
    assert "Negotiation" in body and "2025" in body
    assert AuditEntry.objects.filter(action=AuditAction.READ_PAY, actor=cast.gm).count() == 1


def test_a_head_sees_the_manager_link_and_reports_in_scope(client, cast):
    client.force_login(cast.head)
    response = client.get(employee_url(cast, "E003"))
    assert [e.employee_no for e in response.context["reports"]] == ["E006", "E004"]
    assert response.context["manager_visible"] is False  # the GM is above the head's subtree
    emma = client.get(employee_url(cast, "E004"))
    assert emma.context["manager_visible"] is True


def test_an_employee_sees_their_own_page_without_the_pay_of_anyone_else(client, cast, history):
    client.force_login(cast.employee)
    own = client.get(employee_url(cast, "E004"))
    assert own.status_code == 200
    assert own.context["pay"]["base_pay"] == 100000
    assert [r.period for r in own.context["reviews"]] == ["2025"]
    assert AuditEntry.objects.count() == 0  # one's own pay is not an audited read


@pytest.mark.parametrize(("role", "number"), [("employee", "E005"), ("head", "E005")])
def test_an_employee_out_of_scope_is_a_404_and_leaves_no_trace(client, cast, role, number):
    client.force_login(getattr(cast, role))
    response = client.get(employee_url(cast, number))
    assert response.status_code == 404
    assert "Oscar" not in response.content.decode()
    assert AuditEntry.objects.count() == 0


def test_separations_show_to_roles_that_see_the_person(client, cast, history):
    client.force_login(cast.hr)
    response = client.get(employee_url(cast, "E005"))
    assert [s.separation_type for s in response.context["separations"]] == ["voluntary"]


def test_the_employee_page_needs_a_login_and_an_existing_number(client, cast):
    url = employee_url(cast, "E004")
    assert client.get(url).status_code == 302
    client.force_login(cast.gm)
    assert client.get(reverse("org:employee", args=[999999])).status_code == 404
