"""The customers and account-manager endpoints: success, not logged in (401), wrong scope
(403/404), bad input (422), pinned query counts."""

from __future__ import annotations

import pytest

from conftest import assert_problem
from gmassist.customers.models import AccountManager, GroupCustomer, ServiceContact
from gmassist.customers.tests.test_pages_customers import make_revenue_book

CUSTOMERS = "/api/customers"
MANAGERS = "/api/customers/managers"


@pytest.fixture
def book(cast):
    return make_revenue_book(cast)


def alice():
    return AccountManager.objects.get(employee__employee_no="E006")


def oscar():
    return AccountManager.objects.get(employee__employee_no="E005")


# --- customers -------------------------------------------------------------------------------


def test_the_gm_lists_customers_a_page_at_a_time(client, cast, book):
    client.force_login(cast.gm)
    response = client.get(CUSTOMERS, {"sort": "-revenue", "page_size": 2})
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["page"], body["page_size"]) == (3, 1, 2)
    first = body["items"][0]
    assert first["code"] == "C1"
    assert first["revenue_12m"] == 12000.0
    assert first["tier"] == "A"
    assert first["industry"] == {
        "id": book["C1"].industry_id,
        "code": "TEL",
        "name": "Telecom",
        "strategic": True,
    }
    assert first["account_manager"] == {
        "id": alice().pk,
        "employee_id": alice().employee_id,
        "employee_no": "E006",
        "full_name": "Alice Account",
    }
    assert [item["code"] for item in body["items"]] == ["C1", "C2"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"tier": "B"}, ["C2"]),
        ({"search": "acm"}, ["C1"]),
        ({"region": "East"}, ["C1"]),
        ({"unassigned": "true"}, ["C3"]),
        ({"status": "active", "sort": "-code"}, ["C3", "C2", "C1"]),
    ],
)
def test_filters_and_sort(client, cast, book, params, expected):
    client.force_login(cast.gm)
    body = client.get(CUSTOMERS, params).json()
    assert [item["code"] for item in body["items"]] == expected


def test_an_account_manager_lists_only_their_book(client, cast, book):
    client.force_login(cast.account_manager)
    body = client.get(CUSTOMERS).json()
    assert [item["code"] for item in body["items"]] == ["C1"]


def test_filtering_on_a_manager_one_cannot_see_is_a_422(client, cast, book):
    client.force_login(cast.account_manager)
    problem = assert_problem(client.get(CUSTOMERS, {"manager_id": oscar().pk}), 422)
    assert [e["field"] for e in problem["errors"]] == ["manager_id"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"tier": "D"}, "tier"),
        ({"sort": "size"}, "sort"),
        ({"status": "asleep"}, "status"),
        ({"industry_id": "0"}, "industry_id"),
        ({"page_size": "1000"}, "page_size"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(client, cast, book, params, field):
    client.force_login(cast.gm)
    problem = assert_problem(client.get(CUSTOMERS, params), 422)
    assert [e["field"] for e in problem["errors"]] == [field]


@pytest.mark.parametrize("role", ["hr", "employee"])
def test_roles_without_customers_get_a_403(client, cast, book, role):
    client.force_login(getattr(cast, role))
    assert_problem(client.get(CUSTOMERS), 403)


@pytest.mark.parametrize("url", [CUSTOMERS, f"{CUSTOMERS}/1", MANAGERS, f"{MANAGERS}/1"])
def test_every_read_needs_a_login(client, book, url):
    assert_problem(client.get(url), 401)


def test_the_customer_detail_has_revenue_contacts_and_history(client, cast, book):
    client.force_login(cast.gm)
    response = client.get(f"{CUSTOMERS}/{book['C1'].pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == "C1"
    assert body["revenue_12m"] == 12000.0
    assert len(body["revenue_months"]) == 24
    assert body["revenue_months"][-1] == {"month": "2025-12-01", "amount": 1000.0}
    assert body["revenue_months"][0] == {"month": "2024-01-01", "amount": 0.0}
    visit, complaint = ServiceContact.objects.filter(customer=book["C1"]).order_by("-date")
    assert body["contacts"] == [
        {
            "id": visit.pk,
            "date": "2025-05-09",
            "channel": "account_manager",
            "kind": "visit",
            "satisfaction": 5,
            "resolved": False,
            "summary": "",
        },
        {
            "id": complaint.pk,
            "date": "2025-03-02",
            "channel": "call_centre",
            "kind": "complaint",
            "satisfaction": 2,
            "resolved": True,
            "summary": "",
        },
    ]
    assert (body["tier_history"], body["manager_history"]) == ([], [])


@pytest.mark.parametrize(
    ("role", "code"), [("account_manager", "C2"), ("head", "C3"), ("hr", "C1")]
)
def test_a_customer_out_of_scope_is_a_404(client, cast, book, role, code):
    client.force_login(getattr(cast, role))
    problem = assert_problem(client.get(f"{CUSTOMERS}/{book[code].pk}"), 404)
    assert book[code].name not in problem["detail"]


def test_an_id_out_of_range_is_a_422(client, cast, book):
    client.force_login(cast.gm)
    assert_problem(client.get(f"{CUSTOMERS}/0"), 422)


def test_the_customer_list_reads_a_fixed_number_of_queries(
    client, cast, book, django_assert_num_queries
):
    client.force_login(cast.gm)
    client.get(CUSTOMERS)
    # session, user, latest revenue month, count, rows
    with django_assert_num_queries(5):
        client.get(CUSTOMERS)
    for n in range(4, 30):
        GroupCustomer.objects.create(
            code=f"C{n}", name=f"More {n}", account_manager=alice(), tier="C"
        )
    with django_assert_num_queries(5):
        body = client.get(CUSTOMERS).json()
    assert body["count"] == 29


# --- account managers ------------------------------------------------------------------------


def test_the_gm_lists_the_managers_with_their_books(client, cast, book):
    client.force_login(cast.gm)
    body = client.get(MANAGERS, {"sort": "-workload"}).json()
    assert body["count"] == 2
    assert body["items"][0] == {
        "id": alice().pk,
        "employee_id": alice().employee_id,
        "employee_no": "E006",
        "full_name": "Alice Account",
        "department": {"id": cast.sales.pk, "code": "SALES", "name": "Sales"},
        "region": "East",
        "capacity": 20,
        "customer_count": 1,
        "workload": 5,
        "utilisation": 0.25,
        "book_revenue_12m": 12000.0,
    }


def test_the_manager_list_is_for_roles_that_see_many_books(client, cast, book):
    client.force_login(cast.account_manager)
    assert_problem(client.get(MANAGERS), 403)
    client.force_login(cast.head)
    body = client.get(MANAGERS).json()
    assert [item["employee_no"] for item in body["items"]] == ["E006"]


def test_bad_manager_filters_are_a_422(client, cast, book):
    client.force_login(cast.gm)
    problem = assert_problem(client.get(MANAGERS, {"sort": "salary"}), 422)
    assert [e["field"] for e in problem["errors"]] == ["sort"]


def test_an_account_manager_reads_their_own_detail_only(client, cast, book):
    client.force_login(cast.account_manager)
    body = client.get(f"{MANAGERS}/{alice().pk}").json()
    assert body["workload_by_tier"] == {"A": 5, "B": 0, "C": 0, "": 0}
    assert_problem(client.get(f"{MANAGERS}/{oscar().pk}"), 404)


def test_the_manager_list_reads_a_fixed_number_of_queries(
    client, cast, book, django_assert_num_queries
):
    client.force_login(cast.gm)
    client.get(MANAGERS)
    # session, user, latest revenue month, count, rows
    with django_assert_num_queries(5):
        client.get(MANAGERS)


def test_the_manager_detail_has_the_grades_for_whoever_may_read_them(client, cast, book):
    client.force_login(cast.head)
    body = client.get(f"{MANAGERS}/{alice().pk}").json()
    assert set(body["grades"]) == {
        "post",
        "salary",
        "assessment",
        "training",
        "composite",
        "assessment_parts",
        "to_raise",
        "to_raise_details",
    }
    assert (body["grades"]["post"], body["grades"]["salary"]) == (1.67, 2.5)
    assert body["grades"]["to_raise"]["post"] == [
        "a promotion to position grade 3 raises it to 2.50"
    ]
    assert body["grades"]["to_raise_details"]["post"] == [
        {
            "text": "a promotion to position grade 3 raises it to 2.50",
            "template": "a promotion to position grade %(grade)s raises it to %(value)s",
            "params": {"grade": 3, "value": "2.50"},
        }
    ]
