"""The customers' write endpoints: log a service contact, change it, change a customer's details.

Every endpoint: success (with its audit entry), not logged in (401), out of scope (404) or not
allowed (403) with nothing changed, bad input (422 naming the field); the same services, so
the same checks as the pages and the imports.
"""

from __future__ import annotations

import pytest

from conftest import assert_problem
from gmassist.core.models import AuditEntry
from gmassist.customers.models import GroupCustomer, Industry, ServiceContact
from gmassist.customers.tests.factories import make_book

JSON = "application/json"
COMPLAINT = {
    "date": "2026-11-10",
    "channel": "account_manager",
    "kind": "complaint",
    "satisfaction": 2,
    "summary": "Invoices for October arrived twice.",
}


@pytest.fixture
def book(cast) -> dict[str, GroupCustomer]:
    return make_book(cast)


@pytest.fixture
def complaint(book) -> ServiceContact:
    return ServiceContact.objects.create(
        customer=book["C1"],
        date="2026-11-10",
        channel="account_manager",
        kind="complaint",
        satisfaction=2,
    )


def error_fields(response) -> list[str]:
    return sorted(str(e["field"]) for e in assert_problem(response, 422)["errors"])


def _contacts_url(customer: GroupCustomer) -> str:
    return f"/api/customers/{customer.pk}/contacts"


# --- POST /api/customers/{id}/contacts -------------------------------------------------------


def test_an_account_manager_logs_a_complaint_of_their_customer(client, cast, book):
    client.force_login(cast.account_manager)

    response = client.post(_contacts_url(book["C1"]), COMPLAINT, content_type=JSON)

    assert response.status_code == 201
    contact = ServiceContact.objects.get()
    assert response.json() == {
        "id": contact.pk,
        "date": "2026-11-10",
        "channel": "account_manager",
        "kind": "complaint",
        "satisfaction": 2,
        "resolved": False,
        "summary": "Invoices for October arrived twice.",
    }
    entry = AuditEntry.objects.get(target_type="customers.servicecontact")
    assert (entry.action, entry.actor, entry.changes["kind"]) == (
        "create",
        cast.account_manager,
        "complaint",
    )
    detail = client.get(f"/api/customers/{book['C1'].pk}").json()
    assert [c["id"] for c in detail["contacts"]] == [contact.pk]


def test_logging_a_contact_needs_a_login(client, book):
    assert_problem(client.post(_contacts_url(book["C1"]), COMPLAINT, content_type=JSON), 401)
    assert not ServiceContact.objects.exists()


@pytest.mark.parametrize(
    ("who", "code", "status"),
    [("account_manager", "C2", 404), ("hr", "C1", 404), ("head", "C1", 403)],
)
def test_a_contact_out_of_one_s_book_is_refused_and_nothing_is_written(
    client, cast, book, who, code, status
):
    client.force_login(getattr(cast, who))

    assert_problem(client.post(_contacts_url(book[code]), COMPLAINT, content_type=JSON), status)

    assert not ServiceContact.objects.exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"satisfaction": 7}, "satisfaction"),
        ({"kind": "party"}, "kind"),
        ({"date": "2026-02-30"}, "date"),
        ({"tier": "A"}, "tier"),
    ],
)
def test_bad_contact_input_is_a_422_naming_the_field(client, cast, book, changes, field):
    client.force_login(cast.account_manager)

    response = client.post(_contacts_url(book["C1"]), {**COMPLAINT, **changes}, content_type=JSON)

    assert error_fields(response) == [field]
    assert not ServiceContact.objects.exists()


def test_a_second_contact_of_the_same_day_channel_and_kind_is_a_422_on_kind(
    client, cast, book, complaint
):
    client.force_login(cast.gm)

    response = client.post(_contacts_url(book["C1"]), COMPLAINT, content_type=JSON)

    assert error_fields(response) == ["kind"]
    complaint.refresh_from_db()
    assert (complaint.summary, ServiceContact.objects.count()) == ("", 1)


# --- PATCH /api/customers/contacts/{id} ------------------------------------------------------


def test_an_account_manager_marks_their_complaint_resolved(client, cast, complaint):
    client.force_login(cast.account_manager)

    response = client.patch(
        f"/api/customers/contacts/{complaint.pk}",
        {"resolved": True, "satisfaction": 4},
        content_type=JSON,
    )

    assert response.status_code == 200
    assert (response.json()["resolved"], response.json()["satisfaction"]) == (True, 4)
    entry = AuditEntry.objects.get()
    assert entry.changes == {"satisfaction": [2, 4], "resolved": [False, True]}


def test_changing_a_contact_needs_a_login(client, complaint):
    response = client.patch(
        f"/api/customers/contacts/{complaint.pk}", {"resolved": True}, content_type=JSON
    )
    assert_problem(response, 401)
    complaint.refresh_from_db()
    assert complaint.resolved is False


@pytest.mark.parametrize(("who", "status"), [("head", 403), ("outsider", 404), ("hr", 404)])
def test_a_contact_out_of_one_s_book_cannot_be_changed(client, cast, complaint, who, status):
    client.force_login(getattr(cast, who))

    response = client.patch(
        f"/api/customers/contacts/{complaint.pk}", {"resolved": True}, content_type=JSON
    )

    assert_problem(response, status)
    complaint.refresh_from_db()
    assert complaint.resolved is False
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"satisfaction": 0}, "satisfaction"),
        ({"kind": "visit"}, "kind"),
        ({"resolved": "maybe"}, "resolved"),
    ],
)
def test_bad_contact_changes_are_a_422_naming_the_field(client, cast, complaint, payload, field):
    client.force_login(cast.account_manager)

    response = client.patch(f"/api/customers/contacts/{complaint.pk}", payload, content_type=JSON)

    assert error_fields(response) == [field]
    complaint.refresh_from_db()
    assert (complaint.satisfaction, complaint.kind) == (2, "complaint")


# --- PATCH /api/customers/{id} ---------------------------------------------------------------


def test_an_account_manager_corrects_who_to_call(client, cast, book):
    client.force_login(cast.account_manager)
    acme = book["C1"]

    response = client.patch(
        f"/api/customers/{acme.pk}",
        {"contact_name": "Li Wei", "contact_email": "li.wei@acme.example", "scale": 650},
        content_type=JSON,
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["contact_name"], body["contact_email"], body["scale"]) == (
        "Li Wei",
        "li.wei@acme.example",
        650,
    )
    entry = AuditEntry.objects.get()
    assert entry.changes == {
        "scale": [500, 650],
        "contact_name": ["", "Li Wei"],
        "contact_email": ["", "li.wei@acme.example"],
    }


def test_the_gm_moves_a_customer_to_another_industry_by_id(client, cast, book):
    finance = Industry.objects.create(code="FIN", name="Finance")
    client.force_login(cast.gm)

    response = client.patch(
        f"/api/customers/{book['C2'].pk}",
        {"industry_id": finance.pk, "products": ["5G-CORE", "SD-WAN"]},
        content_type=JSON,
    )

    assert response.status_code == 200
    assert response.json()["industry"]["code"] == "FIN"
    bolt = GroupCustomer.objects.get(code="C2")
    assert (bolt.industry, bolt.products) == (finance, ["5G-CORE", "SD-WAN"])
    assert AuditEntry.objects.get().changes == {
        "industry": [None, finance.pk],
        "products": ["", "5G-CORE; SD-WAN"],
    }


def test_changing_a_customer_needs_a_login(client, book):
    response = client.patch(f"/api/customers/{book['C1'].pk}", {"name": "X"}, content_type=JSON)
    assert_problem(response, 401)
    assert GroupCustomer.objects.get(code="C1").name == "Acme"


@pytest.mark.parametrize(
    ("who", "code", "status"),
    [("account_manager", "C2", 404), ("head", "C1", 403), ("employee", "C1", 404)],
)
def test_a_customer_out_of_one_s_book_cannot_be_changed(client, cast, book, who, code, status):
    client.force_login(getattr(cast, who))

    response = client.patch(f"/api/customers/{book[code].pk}", {"name": "X"}, content_type=JSON)

    assert_problem(response, status)
    assert GroupCustomer.objects.get(code=code).name == book[code].name
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"contact_email": "li.wei at acme"}, "contact_email"),
        ({"contract_start": "2026-06-01", "contract_end": "2026-01-01"}, "contract_end"),
        ({"name": None}, "name"),
        ({"industry_id": 999}, "industry_id"),
        ({"tier": "A"}, "tier"),
        ({"account_manager_id": 1}, "account_manager_id"),
        ({"service_channel": "partner"}, "service_channel"),
        ({"scale": -1}, "scale"),
    ],
)
def test_bad_customer_input_is_a_422_naming_the_field(client, cast, book, payload, field):
    client.force_login(cast.gm)

    response = client.patch(f"/api/customers/{book['C1'].pk}", payload, content_type=JSON)

    assert error_fields(response) == [field]
    acme = GroupCustomer.objects.get(code="C1")
    assert (acme.name, acme.contact_email, acme.tier, acme.contract_end) == ("Acme", "", "", None)
    assert not AuditEntry.objects.exists()


def test_the_write_endpoints_are_in_the_openapi_document(client):
    paths = client.get("/api/openapi.json").json()["paths"]

    assert set(paths["/api/customers/{customer_id}/contacts"]) == {"post"}
    assert set(paths["/api/customers/contacts/{contact_id}"]) == {"patch"}
    assert set(paths["/api/customers/{customer_id}"]) == {"get", "patch"}
    responses = paths["/api/customers/{customer_id}"]["patch"]["responses"]
    assert {"200", "401", "403", "404", "422"} <= set(responses)
