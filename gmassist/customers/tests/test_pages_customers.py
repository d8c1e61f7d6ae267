"""The customer list and the customer page per role: scope, filters, sorting, export, queries."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gmassist.customers.models import (
    AccountManager,
    GroupCustomer,
    ManagerHistory,
    MonthlyRevenue,
    ServiceContact,
    TierHistory,
)
from gmassist.customers.tests.factories import make_book

LIST = reverse("customers:list")


def make_revenue_book(cast) -> dict[str, GroupCustomer]:
    """make_book's C1 (Alice, East, Telecom), C2 (Oscar, West), C3 (nobody), tiered A, B, C,
    with revenue: C1 1,000 a month through 2025, C2 500 in 2025-06 and 300 in 2024-06 (before
    the window), C3 none; and two contacts of C1."""
    book = make_book(cast)
    for code, tier, region in (("C1", "A", "East"), ("C2", "B", "West"), ("C3", "C", "")):
        GroupCustomer.objects.filter(code=code).update(tier=tier, region=region)
        book[code].refresh_from_db()
    for month in range(1, 13):
        MonthlyRevenue.objects.create(
            customer=book["C1"], month=dt.date(2025, month, 1), amount=Decimal("1000")
        )
    MonthlyRevenue.objects.create(customer=book["C2"], month=dt.date(2025, 6, 1), amount=500)
    MonthlyRevenue.objects.create(customer=book["C2"], month=dt.date(2024, 6, 1), amount=300)
    ServiceContact.objects.create(
        customer=book["C1"],
        date=dt.date(2025, 3, 2),
        channel="call_centre",
        kind="complaint",
        satisfaction=2,
        resolved=True,
    )
    ServiceContact.objects.create(
        customer=book["C1"],
        date=dt.date(2025, 5, 9),
        channel="account_manager",
        kind="visit",
        satisfaction=5,
    )
    return book


@pytest.fixture
def book(cast):
    return make_revenue_book(cast)


def codes_on(response) -> list[str]:
    return [row.code for row in response.context["rows"]]


def test_the_customer_list_asks_for_a_login(client, book):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/customers/"


def test_the_gm_sees_every_customer_with_trailing_12_month_revenue(client, cast, book):
    client.force_login(cast.gm)
    response = client.get(LIST)
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(r.code, r.tier, r.revenue_12m) for r in rows] == [
        ("C1", "A", Decimal("12000")),
        ("C2", "B", Decimal("500")),
        ("C3", "C", Decimal("0")),
    ]
    assert response.context["window"] == (dt.date(2025, 1, 1), dt.date(2025, 12, 1))
    html = response.content.decode()
    assert "12,000" in html
    assert 'data-testid="tab-managers"' in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"tier": "A"}, ["C1"]),
        ({"tier": "C"}, ["C3"]),
        ({"search": "c2"}, ["C2"]),
        ({"search": "cra"}, ["C3"]),
        ({"region": "West"}, ["C2"]),
        ({"status": "active"}, ["C1", "C2", "C3"]),
        ({"status": "lost"}, []),
        ({"channel": "call_centre"}, []),
        ({"sort": "-revenue"}, ["C1", "C2", "C3"]),
        ({"sort": "revenue"}, ["C3", "C2", "C1"]),
        ({"sort": "-manager"}, ["C2", "C1", "C3"]),
    ],
)
def test_filters_search_and_sorting(client, cast, book, params, expected):
    client.force_login(cast.gm)
    assert codes_on(client.get(LIST, params)) == expected


def test_filters_by_industry_and_manager(client, cast, book):
    client.force_login(cast.gm)
    industry = book["C1"].industry
    assert codes_on(client.get(LIST, {"industry": industry.pk})) == ["C1"]
    oscar = AccountManager.objects.get(employee__employee_no="E005")
    assert codes_on(client.get(LIST, {"manager": oscar.pk})) == ["C2"]


@pytest.mark.parametrize("role", ["account_manager", "head"])
def test_an_account_manager_and_their_head_see_only_that_book(client, cast, book, role):
    client.force_login(getattr(cast, role))
    response = client.get(LIST)
    assert codes_on(response) == ["C1"]
    # the filter offers only what the user sees
    assert [r for r, _ in response.context["form"].fields["region"].choices] == ["", "East"]


@pytest.mark.parametrize("role", ["hr", "employee", "outsider"])
def test_roles_without_customers_are_refused(client, cast, book, role):
    client.force_login(getattr(cast, role))
    assert client.get(LIST).status_code == 403
    assert client.get(LIST, {"export": "csv"}).status_code == 403


@pytest.mark.parametrize("params", [{"tier": "Z"}, {"industry": "abc"}, {"status": "gone"}])
def test_bad_filters_are_form_errors(client, cast, book, params):
    client.force_login(cast.gm)
    response = client.get(LIST, params)
    assert response.status_code == 200
    assert response.context["page_obj"] is None
    assert list(response.context["form"].errors) == [next(iter(params))]


def test_an_account_manager_cannot_filter_on_another_manager(client, cast, book):
    oscar = AccountManager.objects.get(employee__employee_no="E005")
    client.force_login(cast.account_manager)
    response = client.get(LIST, {"manager": oscar.pk})
    assert "manager" in response.context["form"].errors
    assert client.get(LIST, {"manager": oscar.pk, "export": "csv"}).status_code == 404


def test_the_htmx_partial_is_only_the_results(client, cast, book):
    client.force_login(cast.gm)
    response = client.get(LIST, {"tier": "A"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="list-results"')
    assert html.count('data-testid="customers-row"') == 1


def test_the_csv_export_has_exactly_the_filtered_rows(client, cast, book):
    client.force_login(cast.gm)
    response = client.get(LIST, {"export": "csv", "tier": "A"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        {
            "code": "C1",
            "name": "Acme",
            "industry": "TEL",
            "industry_name": "Telecom",
            "scale": "500",
            "region": "East",
            "contract_start": "",
            "contract_end": "",
            "status": "active",
            "tier": "A",
            "service_channel": "account_manager",
            "account_manager": "E006",
            "account_manager_name": "Alice Account",
            "revenue_12m": "12000",
            "churn_risk": "",
        }
    ]


def test_the_xlsx_export_of_an_account_manager_is_their_book(client, cast, book):
    client.force_login(cast.account_manager)
    response = client.get(LIST, {"export": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][:2] == ("code", "name")
    assert [row[0] for row in values[1:]] == ["C1"]


def queries_of_a_plain_page(client) -> int:
    """The queries any page makes (session, user, what the base template reads), so that the
    pins below count this page's own and do not move when the base template does."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(reverse("password_change"))
    with CaptureQueriesContext(connection) as context:
        client.get(reverse("password_change"))
    return len(context)


def test_the_list_reads_a_fixed_number_of_queries(client, cast, book, django_assert_num_queries):
    client.force_login(cast.gm)
    plain = queries_of_a_plain_page(client)
    client.get(LIST)  # warm the company row
    # regions, latest revenue month, count, company, industries, managers, rows, saved views
    with django_assert_num_queries(plain + 8):
        client.get(LIST)
    for n in range(4, 30):
        GroupCustomer.objects.create(
            code=f"C{n}", name=f"More {n}", account_manager=book["C1"].account_manager, tier="C"
        )
    with django_assert_num_queries(plain + 8):
        response = client.get(LIST)
    assert len(response.context["rows"]) == 29


# --- the customer page -----------------------------------------------------------------------


def page(customer) -> str:
    return reverse("customers:customer", args=[customer.pk])


def test_the_customer_page_shows_revenue_contacts_manager_and_history(client, cast, book):
    c1 = book["C1"]
    TierHistory.objects.create(
        customer=c1, from_tier="B", to_tier="A", at=dt.datetime(2025, 7, 1, tzinfo=dt.UTC)
    )
    ManagerHistory.objects.create(
        customer=c1, to_manager=c1.account_manager, at=dt.datetime(2025, 2, 1, tzinfo=dt.UTC)
    )
    client.force_login(cast.gm)
    response = client.get(page(c1))
    assert response.status_code == 200
    context = response.context
    assert context["customer"].revenue_12m == Decimal("12000")
    chart = context["chart_revenue"]
    assert len(chart["labels"]) == 24
    assert (chart["labels"][0], chart["labels"][-1]) == ("2024-01", "2025-12")
    assert chart["datasets"][0]["data"] == [0.0] * 12 + [1000.0] * 12
    assert [c.kind for c in context["contacts"]] == ["visit", "complaint"]
    assert context["satisfaction"] == 3.5
    assert [t.to_tier for t in context["history"]["tiers"]] == ["A"]
    assert len(context["history"]["managers"]) == 1
    assert context["manager_visible"] is True
    html = response.content.decode()
    assert 'id="customer-chart-revenue"' in html
    assert 'id="customer-chart-revenue-data"' in html
    assert "Alice Account" in html


def test_the_customer_page_asks_for_a_login(client, book):
    response = client.get(page(book["C1"]))
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("role", "code", "status"),
    [
        ("account_manager", "C1", 200),
        ("account_manager", "C2", 404),
        ("head", "C1", 200),
        ("head", "C3", 404),
        ("hr", "C1", 404),
        ("employee", "C1", 404),
    ],
)
def test_a_customer_outside_the_users_scope_is_not_found(client, cast, book, role, code, status):
    client.force_login(getattr(cast, role))
    response = client.get(page(book[code]))
    assert response.status_code == status
    if status == 404:
        assert book[code].name not in response.content.decode()


def test_an_unknown_customer_is_not_found(client, cast, book):
    client.force_login(cast.gm)
    assert client.get(reverse("customers:customer", args=[999999])).status_code == 404


def test_a_customer_without_revenue_says_so(client, cast, book):
    MonthlyRevenue.objects.all().delete()
    client.force_login(cast.gm)
    response = client.get(page(book["C3"]))
    assert response.status_code == 200
    assert response.context["revenue_months"] == []
    assert "No revenue recorded." in response.content.decode()


def test_the_tier_reasons_come_from_the_open_re_tiering_then_from_the_approved_one(
    client, cast, book
):
    from gmassist.core.services import proposal_approve
    from gmassist.customers.services import retier_customers

    proposal = retier_customers(by=cast.gm, as_of=dt.date(2026, 1, 15))
    assert [c["code"] for c in proposal.payload["changes"]] == ["C2"]
    client.force_login(cast.gm)
    pending = client.get(page(book["C2"])).context["tier_explained"]
    assert (pending["tier"], pending["from_tier"], pending["pending"]) == ("C", "B", True)
    assert pending["proposal_id"] == proposal.pk
    stored = proposal.payload["changes"][0]["reasons"]
    assert pending["reasons"] == [r["template"] % r["params"] for r in stored]
    assert pending["reason_details"][0] == {"text": pending["reasons"][0], **stored[0]}
    assert client.get(page(book["C1"])).context["tier_explained"] is None

    proposal_approve(proposal=proposal, by=cast.gm)
    response = client.get(page(book["C2"]))
    applied = response.context["tier_explained"]
    assert (applied["tier"], applied["pending"]) == ("C", False)
    html = response.content.decode()
    assert 'data-testid="customer-tier-reasons"' in html
    assert 'data-testid="customer-tier-pending"' not in html


def test_a_tier_reason_stored_as_plain_text_by_an_older_re_tiering_is_shown_as_it_is(
    client, cast, book
):
    from gmassist.customers.services import retier_customers

    proposal = retier_customers(by=cast.gm, as_of=dt.date(2026, 1, 15))
    proposal.payload["changes"][0]["reasons"] = ["next 15% of revenue: 8 a year (rank 2 of 3)"]
    proposal.save(update_fields=["payload"])
    client.force_login(cast.gm)
    pending = client.get(page(book["C2"])).context["tier_explained"]
    assert pending["reasons"] == ["next 15% of revenue: 8 a year (rank 2 of 3)"]
    assert pending["reason_details"] == [
        {"text": "next 15% of revenue: 8 a year (rank 2 of 3)", "template": None, "params": {}}
    ]


def test_the_proposal_page_shows_the_tier_reasons_in_the_readers_language(client, cast, book):
    from gmassist.customers.services import retier_customers

    proposal = retier_customers(by=cast.gm, as_of=dt.date(2026, 1, 15))
    reason = proposal.payload["changes"][0]["reasons"][0]
    english = reason["template"] % reason["params"]
    client.force_login(cast.gm)
    html = client.get(f"/proposals/{proposal.pk}/").content.decode()
    assert english in html
    # a template the catalogue translates: the page renders the reason through gettext
    proposal.payload["changes"][0]["reasons"] = [
        {"template": "%(name)s: %(value)s", "params": {"name": "Telecom", "value": "3"}}
    ]
    proposal.save(update_fields=["payload"])
    cast.gm.language = "zh-hans"
    cast.gm.save(update_fields=["language"])
    html = client.get(f"/proposals/{proposal.pk}/").content.decode()
    assert "Telecom：3" in html
