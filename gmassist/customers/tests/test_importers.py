"""Imports and exports of customers, account managers, revenue, contacts and transactions."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from gmassist.core.imports import ImportFailed, RowError, export_entity, import_file
from gmassist.core.permissions import SYSTEM
from gmassist.customers.models import (
    AccountManager,
    GroupCustomer,
    Industry,
    MonthlyRevenue,
    ServiceContact,
)
from gmassist.customers.tests.factories import make_book
from gmassist.lib.mapping import parse_mapping


def _import(tmp_path: Path, entity: str, text: str, dry_run: bool = False, mapping=None):
    path = tmp_path / f"{entity}.csv"
    path.write_text(text, encoding="utf-8")
    parsed = parse_mapping(mapping) if mapping else None
    return import_file(entity=entity, path=path, mapping=parsed, by=SYSTEM, dry_run=dry_run)


def _errors(tmp_path: Path, entity: str, text: str, mapping=None) -> list[RowError]:
    with pytest.raises(ImportFailed) as caught:
        _import(tmp_path, entity, text, mapping=mapping)
    return caught.value.report.errors


def _revenue() -> dict[tuple[str, str], Decimal]:
    return {
        (code, f"{month:%Y-%m}"): amount
        for code, month, amount in MonthlyRevenue.objects.values_list(
            "customer__code", "month", "amount"
        )
    }


@pytest.fixture
def book(cast):
    return make_book(cast)


CUSTOMERS = (
    "code,name,industry,scale,region,contract_start,contract_end,products,status,tier,"
    "service_channel,account_manager\n"
    "C1,Acme Group,TEL,800,East,2024-01-01,2026-12-31,5G;IoT,active,A,account_manager,E006\n"
    "17850.0,Dover Ltd,Retail,12,North,,,,,,call centre,\n"
)


def test_it_imports_customers_creating_a_missing_industry(book, tmp_path):
    report = _import(tmp_path, "customers", CUSTOMERS)

    assert report.counts == {
        "customers": {"created": 1, "updated": 1, "unchanged": 0},
        "industries": {"created": 1, "updated": 0, "unchanged": 0},
    }
    acme = GroupCustomer.objects.get(code="C1")
    assert (acme.name, acme.products, acme.tier, acme.account_manager.employee.employee_no) == (
        "Acme Group",
        ["5G", "IoT"],
        "A",
        "E006",
    )
    dover = GroupCustomer.objects.get(code="17850")  # a float-looking id is a whole number
    assert (dover.industry.name, dover.service_channel, dover.tier, dover.status) == (
        "Retail",
        "call_centre",
        "",
        "active",
    )
    assert Industry.objects.count() == 2


def test_a_customer_import_is_all_or_nothing(book, tmp_path):
    errors = _errors(
        tmp_path,
        "customers",
        "code,name,industry,account_manager,contract_start,contract_end,tier\n"
        "C9,Nine,Mining,,,,\n"
        "C1,Acme,,E004,2025-01-01,2024-01-01,D\n",
    )

    assert errors == [
        RowError(3, "tier", "D", "not one of A, B, C"),
        RowError(3, "account_manager", "E004", "no account manager with this employee number"),
        RowError(3, "contract_end", "2024-01-01", "the contract cannot end before it starts"),
    ]
    assert not GroupCustomer.objects.filter(code="C9").exists()
    assert not Industry.objects.filter(name="Mining").exists()
    assert GroupCustomer.objects.get(code="C1").name == "Acme"


def test_it_imports_who_to_call_and_refuses_an_address_that_is_no_e_mail(book, tmp_path):
    _import(
        tmp_path,
        "customers",
        "code,contact_name,contact_phone,contact_email,address\n"
        'C1, Li  Wei ,+86 21 5555 0101,li.wei@acme.example,"1 Bund Road, Shanghai"\n',
    )
    acme = GroupCustomer.objects.get(code="C1")
    assert (acme.contact_name, acme.contact_phone, acme.contact_email, acme.address) == (
        "Li Wei",
        "+86 21 5555 0101",
        "li.wei@acme.example",
        "1 Bund Road, Shanghai",
    )
    errors = _errors(tmp_path, "customers", "code,contact_email\nC2,bolt at example\n")
    assert [(e.row, e.column, e.value, e.reason) for e in errors] == [
        (2, "contact_email", "bolt at example", "not an e-mail address")
    ]
    assert GroupCustomer.objects.get(code="C2").contact_email == ""


def test_a_contact_s_summary_is_imported_and_a_file_without_it_keeps_it(book, tmp_path):
    _import(
        tmp_path,
        "service_contacts",
        "customer,date,channel,kind,summary\nC1,2025-01-02,branch,visit,Renewal talk\n",
    )
    _import(
        tmp_path,
        "service_contacts",
        "customer,date,channel,kind,resolved\nC1,2025-01-02,branch,visit,yes\n",
    )
    contact = ServiceContact.objects.get()
    assert (contact.summary, contact.resolved) == ("Renewal talk", True)


def test_a_dry_run_counts_and_writes_nothing(book, tmp_path):
    report = _import(tmp_path, "customers", CUSTOMERS, dry_run=True)

    assert report.counts["customers"] == {"created": 1, "updated": 1, "unchanged": 0}
    assert GroupCustomer.objects.count() == 3


@pytest.mark.parametrize(
    ("entity", "text"),
    [
        ("customers", CUSTOMERS),
        ("industries", "code,name,strategic\nTEL,Telecom,yes\nBANK,Banking,no\n"),
        ("account_managers", "employee,region,capacity\nE006,East,25\nE004,South,\n"),
        ("monthly_revenue", "customer,month,amount\nC1,2025-01,100.50\nC2,2025/2,-3\n"),
        (
            "service_contacts",
            "customer,date,channel,kind,satisfaction,resolved,summary\n"
            "C1,2025-01-02,call_centre,complaint,2,no,Invoices twice\n"
            "C2,2025-01-02,branch,visit,,yes,\n",
        ),
    ],
)
def test_importing_the_same_file_twice_changes_nothing_and_the_export_imports_back(
    book, tmp_path, entity, text
):
    first = _import(tmp_path, entity, text)
    second = _import(tmp_path, entity, text)

    created = sum(c["created"] + c["updated"] for c in first.counts.values())
    assert created > 0
    assert all(c["created"] == c["updated"] == 0 for c in second.counts.values())
    exported = tmp_path / f"{entity}-export.csv"
    rows = export_entity(entity=entity, fmt="csv", out=exported, user=SYSTEM)
    report = import_file(entity=entity, path=exported, mapping=None, by=SYSTEM, dry_run=False)
    assert all(c["created"] == c["updated"] == 0 for c in report.counts.values())
    assert sum(c["unchanged"] for c in report.counts.values()) == rows


def test_it_reads_months_in_the_usual_ways_and_rejects_a_mid_month_date(book, tmp_path):
    _import(tmp_path, "monthly_revenue", "customer,month,amount\nC1,2025-03-01,1\nC2,202504,2\n")
    assert _revenue() == {("C1", "2025-03"): Decimal("1.00"), ("C2", "2025-04"): Decimal("2.00")}

    errors = _errors(
        tmp_path,
        "monthly_revenue",
        "customer,month,amount\nC1,2025-03-15,1\nC1,2025-13,1\nC9,2025-01,1\nC2,2025-04,\n",
    )
    assert errors == [
        RowError(
            2,
            "month",
            "2025-03-15",
            "a month is written as 2024-03 or as its first day, not 2025-03-15",
        ),
        RowError(3, "month", "2025-13", "not a month: '2025-13' (use e.g. 2024-03)"),
        RowError(4, "customer", "C9", "no customer with this code"),
        RowError(5, "amount", "", "amount is required"),
    ]


TRANSACTIONS = (
    "InvoiceNo,StockCode,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
    "536365,85123A,6,12/1/2010 8:26,2.55,17850.0,United Kingdom\n"
    "536365,71053,6,12/1/2010 8:26,3.39,17850.0,United Kingdom\n"
    "536366,22633,6,12/20/2010 8:28,1.85,17850,United Kingdom\n"
    "C536379,D,-1,12/1/2010 9:41,27.50,17850.0,United Kingdom\n"
    "536380,22961,-2,1/5/2011 9:00,1.00,C1,\n"
    "536381,22961,10,1/5/2011 9:00,1.00,C1,\n"
    "536414,22139,56,12/1/2010 11:52,0,,United Kingdom\n"
    "536415,22140,3,12/1/2010 11:53,2.10,,United Kingdom\n"
)
TRANSACTION_MAPPING = """
[columns]
invoice = "InvoiceNo"
customer = "CustomerID"
date_time = "InvoiceDate"
quantity = "Quantity"
unit_price = "UnitPrice"
region = "Country"

[options]
extra_columns = "ignore"
create_missing_customers = true
"""


def test_transactions_are_aggregated_into_monthly_revenue_with_returns_and_missing_ids(
    book, tmp_path
):
    report = _import(tmp_path, "transactions", TRANSACTIONS, mapping=TRANSACTION_MAPPING)

    assert report.counts == {
        "transactions": {"lines": 6, "returns": 2, "skipped": 2},
        "monthly_revenue": {"created": 2, "updated": 0, "unchanged": 0},
        "customers": {"created": 1, "updated": 0, "unchanged": 0},
    }
    assert [w.as_dict() for w in report.warnings] == [
        {
            "row": None,
            "column": "CustomerID",
            "value": "",
            "reason": "2 lines have no customer id and were skipped",
        }
    ]
    # 15.30 + 20.34 + 11.10 - 27.50; 10.00 - 2.00
    assert _revenue() == {
        ("17850", "2010-12"): Decimal("19.24"),
        ("C1", "2011-01"): Decimal("8.00"),
    }
    created = GroupCustomer.objects.get(code="17850")
    assert (created.name, created.region) == ("17850", "United Kingdom")

    again = _import(tmp_path, "transactions", TRANSACTIONS, mapping=TRANSACTION_MAPPING)
    assert again.counts["monthly_revenue"] == {"created": 0, "updated": 0, "unchanged": 2}
    assert again.counts["customers"]["created"] == 0
    assert _revenue() == {
        ("17850", "2010-12"): Decimal("19.24"),
        ("C1", "2011-01"): Decimal("8.00"),
    }


def test_transactions_of_unknown_customers_fail_unless_the_mapping_creates_them(book, tmp_path):
    mapping = TRANSACTION_MAPPING.replace("create_missing_customers = true", "")
    errors = _errors(tmp_path, "transactions", TRANSACTIONS, mapping=mapping)

    reason = (
        "no customer with this code (set create_missing_customers = true in [options] to create it)"
    )
    assert errors == [
        RowError(2, "CustomerID", "17850.0", reason),
        RowError(3, "CustomerID", "17850.0", reason),
        RowError(4, "CustomerID", "17850", reason),
        RowError(5, "CustomerID", "17850.0", reason),
    ]
    assert MonthlyRevenue.objects.count() == 0
    assert not GroupCustomer.objects.filter(code="17850").exists()


def test_a_transaction_amount_column_replaces_quantity_times_price(book, tmp_path):
    report = _import(
        tmp_path,
        "transactions",
        "invoice,customer,date_time,amount\nA1,C2,2025-01-05,100\nA2,C2,2025-01-09,-30\n",
    )
    assert report.counts["transactions"] == {"lines": 2, "returns": 1, "skipped": 0}
    assert _revenue() == {("C2", "2025-01"): Decimal("70.00")}

    exported = tmp_path / "tx.csv"
    export_entity(entity="transactions", fmt="csv", out=exported, user=SYSTEM)
    back = import_file(entity="transactions", path=exported, mapping=None, by=SYSTEM, dry_run=False)
    assert back.counts["monthly_revenue"] == {"created": 0, "updated": 0, "unchanged": 1}


def test_the_customers_export_is_scoped_to_what_the_user_may_export(cast, book, tmp_path):
    out = tmp_path / "c.csv"
    assert export_entity(entity="customers", fmt="csv", out=out, user=SYSTEM) == 3
    assert export_entity(entity="customers", fmt="csv", out=out, user=cast.account_manager) == 1
    assert export_entity(entity="customers", fmt="csv", out=out, user=cast.hr) == 0
    assert (AccountManager.objects.count(), ServiceContact.objects.count()) == (2, 0)
