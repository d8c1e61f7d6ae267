"""The account-manager list and page per role: books, workload against capacity, scope."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from gmassist.core.choices import AuditAction
from gmassist.core.models import AuditEntry
from gmassist.customers.models import AccountManager, GroupCustomer
from gmassist.customers.tests.test_pages_customers import (
    make_revenue_book,
    queries_of_a_plain_page,
)
from gmassist.org.models import Employee

LIST = reverse("customers:managers")
MINE = reverse("customers:my_manager_page")


@pytest.fixture
def book(cast):
    return make_revenue_book(cast)


def alice():
    return AccountManager.objects.get(employee__employee_no="E006")


def oscar():
    return AccountManager.objects.get(employee__employee_no="E005")


def test_the_gm_sees_each_managers_book_workload_and_revenue(client, cast, book):
    client.force_login(cast.gm)
    response = client.get(LIST)
    assert response.status_code == 200
    rows = [
        (
            m.employee.employee_no,
            m.customer_count,
            m.workload,
            m.capacity,
            m.utilisation,
            m.book_revenue_12m,
        )
        for m in response.context["rows"]
    ]
    assert rows == [
        ("E006", 1, 5, 20, 0.25, Decimal("12000")),  # Alice: C1, tier A
        ("E005", 1, 2, 10, 0.2, Decimal("500")),  # Oscar: C2, tier B
    ]


def test_lost_customers_and_other_channels_do_not_count_in_the_workload(client, cast, book):
    GroupCustomer.objects.create(
        code="C9", name="Gone", tier="A", status="lost", account_manager=alice()
    )
    GroupCustomer.objects.create(
        code="C8", name="Routed", tier="C", service_channel="call_centre", account_manager=alice()
    )
    GroupCustomer.objects.create(code="C7", name="New", account_manager=alice())  # untiered: 1
    client.force_login(cast.gm)
    [row] = client.get(LIST, {"search": "alice"}).context["rows"]
    assert (row.customer_count, row.workload) == (4, 6)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"sort": "-workload"}, ["E006", "E005"]),
        ({"sort": "utilisation"}, ["E005", "E006"]),
        ({"region": "West"}, ["E005"]),
        ({"search": "E00"}, ["E006", "E005"]),
        ({"over_capacity": "on"}, []),
    ],
)
def test_filters_and_sorting(client, cast, book, params, expected):
    client.force_login(cast.gm)
    rows = client.get(LIST, params).context["rows"]
    assert [m.employee.employee_no for m in rows] == expected


def test_over_capacity_lists_the_managers_above_their_capacity(client, cast, book):
    AccountManager.objects.filter(pk=oscar().pk).update(capacity=1)
    client.force_login(cast.gm)
    rows = client.get(LIST, {"over_capacity": "on"}).context["rows"]
    assert [m.employee.employee_no for m in rows] == ["E005"]


def test_a_department_head_sees_the_managers_of_their_subtree(client, cast, book):
    client.force_login(cast.head)
    rows = client.get(LIST).context["rows"]
    assert [m.employee.employee_no for m in rows] == ["E006"]


@pytest.mark.parametrize("role", ["account_manager", "hr", "employee"])
def test_the_list_is_refused_to_roles_that_see_one_book_or_none(client, cast, book, role):
    client.force_login(getattr(cast, role))
    assert client.get(LIST).status_code == 403


def test_the_list_asks_for_a_login(client, book):
    assert client.get(LIST).status_code == 302


def test_the_export_has_the_books(client, cast, book):
    client.force_login(cast.gm)
    response = client.get(LIST, {"export": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [
        (r["employee_no"], r["customers"], r["workload"], r["book_revenue_12m"]) for r in rows
    ] == [
        ("E006", "1", "5", "12000"),
        ("E005", "1", "2", "500"),
    ]


def test_the_list_reads_a_fixed_number_of_queries(client, cast, book, django_assert_num_queries):
    client.force_login(cast.gm)
    plain = queries_of_a_plain_page(client)
    client.get(LIST)
    # regions, latest revenue month, count, company, rows
    with django_assert_num_queries(plain + 5):
        client.get(LIST)
    for n in range(3, 12):
        employee = Employee.objects.create(
            employee_no=f"M{n}",
            full_name=f"Manager {n}",
            department=cast.sales,
            position=cast.salesperson,
            hire_date=dt.date(2020, 1, 1),
        )
        AccountManager.objects.create(employee=employee, region="East")
    with django_assert_num_queries(plain + 5):
        response = client.get(LIST)
    assert len(response.context["rows"]) == 11


# --- the manager page ------------------------------------------------------------------------


def page(manager) -> str:
    return reverse("customers:manager", args=[manager.pk])


def test_the_manager_page_shows_the_book_and_the_workload(client, cast, book):
    client.force_login(cast.gm)
    response = client.get(page(alice()))
    assert response.status_code == 200
    context = response.context
    assert [c.code for c in context["book"]] == ["C1"]
    assert context["workload_by_tier"] == {"A": 5, "B": 0, "C": 0, "": 0}
    assert context["manager"].workload == 5
    html = response.content.decode()
    assert 'id="manager-chart-workload"' in html
    assert "5 / 20" in html


def test_an_account_manager_sees_their_own_page_only(client, cast, book):
    client.force_login(cast.account_manager)
    assert client.get(page(alice())).status_code == 200
    response = client.get(page(oscar()))
    assert response.status_code == 404
    assert "Oscar" not in response.content.decode()


def test_my_book_takes_an_account_manager_to_their_page(client, cast, book):
    client.force_login(cast.account_manager)
    response = client.get(MINE)
    assert response.status_code == 302
    assert response["Location"] == page(alice())
    html = client.get(reverse("customers:list")).content.decode()
    assert 'data-testid="subnav-customers.my_page"' in html
    assert 'data-testid="subnav-customers.managers"' not in html


def test_my_book_is_not_found_for_someone_who_is_not_an_account_manager(client, cast, book):
    client.force_login(cast.gm)
    assert client.get(MINE).status_code == 404
    client.force_login(cast.hr)
    assert client.get(MINE).status_code == 404


@pytest.mark.parametrize(("role", "status"), [("head", 200), ("hr", 404), ("employee", 404)])
def test_the_manager_page_follows_the_scope(client, cast, book, role, status):
    client.force_login(getattr(cast, role))
    assert client.get(page(alice())).status_code == status
    assert client.get(page(oscar())).status_code == 404


def test_nobody_logged_in_is_sent_to_the_login(client, book):
    assert client.get(page(alice())).status_code == 302
    assert client.get(MINE).status_code == 302


# --- grades ----------------------------------------------------------------------------------


@time_machine.travel(dt.datetime(2026, 1, 15, 9, 0, tzinfo=dt.UTC), tick=False)
def test_the_manager_page_shows_the_four_grades_and_what_would_raise_them(client, cast, book):
    client.force_login(cast.gm)
    response = client.get(page(alice()))
    grades = response.context["grades"]
    # position grade 2 of 6; pay at the band midpoint; satisfaction 3.5 in 2025, nothing else
    assert (grades.post, grades.salary, grades.assessment, grades.training) == (
        1.67,
        2.5,
        3.5,
        0.0,
    )
    assert grades.composite == 2.63
    rows = response.context["grade_rows"]
    assert [(r["key"], r["weight"]) for r in rows] == [
        ("post", 20),
        ("salary", 15),
        ("assessment", 55),
        ("training", 10),
    ]
    assert rows[0]["to_raise"] == ["a promotion to position grade 3 raises it to 2.50"]
    html = response.content.decode()
    assert 'data-testid="manager-composite">2.63<' in html
    # reading another person's grades reads their pay: audited
    [entry] = AuditEntry.objects.filter(action=AuditAction.READ_PAY)
    assert (entry.actor, entry.target_id) == (cast.gm, str(alice().employee_id))


def test_a_manager_reads_their_own_grades_without_an_audit_entry(client, cast, book):
    client.force_login(cast.account_manager)
    response = client.get(page(alice()))
    assert response.context["grades"] is not None
    assert AuditEntry.objects.filter(action=AuditAction.READ_PAY).count() == 0
