"""The monthly-revenue import streamed in chunks: the same errors, counts and writes as the
row-by-row plan, whatever the chunk boundaries."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from gmassist.core import imports
from gmassist.core.imports import ImportFailed, RowError, entities, import_file, streaming
from gmassist.core.permissions import SYSTEM
from gmassist.customers.models import GroupCustomer, MonthlyRevenue
from gmassist.customers.tests.factories import make_book
from gmassist.lib.mapping import parse_mapping


@pytest.fixture
def book(cast):
    book = make_book(cast)
    book["17850"] = GroupCustomer.objects.create(code="17850", name="Dover")
    MonthlyRevenue.objects.create(customer=book["C1"], month=dt.date(2025, 1, 1), amount=10)
    MonthlyRevenue.objects.create(customer=book["C2"], month=dt.date(2025, 1, 1), amount=20)
    return book


@pytest.fixture
def small_chunks(monkeypatch):
    """Three rows a chunk, so that a few rows cross chunk boundaries."""
    monkeypatch.setattr(streaming, "CHUNK_ROWS", 3)


@pytest.fixture
def row_by_row(monkeypatch):
    """The registered monthly_revenue without its streamed plan: the row-by-row reference."""
    spec = imports.entity_spec("monthly_revenue")
    monkeypatch.setitem(
        entities._ENTITIES, "monthly_revenue", dataclasses.replace(spec, stream=None)
    )


def _run(tmp_path: Path, text: str, *, dry_run: bool = False, mapping: str | None = None):
    path = tmp_path / "revenue.csv"
    path.write_text(text, encoding="utf-8")
    parsed = parse_mapping(mapping) if mapping else None
    try:
        return import_file(
            entity="monthly_revenue", path=path, mapping=parsed, by=SYSTEM, dry_run=dry_run
        )
    except ImportFailed as failed:
        return failed.report


def _stored() -> dict[tuple[str, str], Decimal]:
    return {
        (code, f"{month:%Y-%m}"): amount
        for code, month, amount in MonthlyRevenue.objects.values_list(
            "customer__code", "month", "amount"
        )
    }


MESSY = (
    "customer,month,amount\n"
    "C1,2025-02,100.50\n"  # 2
    ' C2 ,2025-02,"1,234.5"\n'  # 3: spaces, thousand separator
    "C9,2025-02,1\n"  # 4: unknown customer
    ",2025-02,1\n"  # 5: no customer
    "C1,2025-13,1\n"  # 6: not a month
    "C1,2025-03-15,abc\n"  # 7: mid-month, bad amount
    "C1,2025-02,5\n"  # 8: duplicate of row 2 (next chunk)
    "C1,2025-02-01,5\n"  # 9: the same month written otherwise
    "17850.0,2025-02,7\n"  # 10: a float-looking code
    "17850,2025-02,7\n"  # 11: the same customer: duplicate of row 10
    "C9,2025-02,1\n"  # 12: duplicate of row 4, unknown too
    "C3,2025-02,\n"  # 13: no amount for a new month
    "C2,2025-01,\n"  # 14: no amount for a stored month
    "C3,2025-04,abc\n"  # 15: bad amount
    "C1,,1\n"  # 16: no month
)


def test_a_messy_file_gets_exactly_the_errors_and_counts_of_the_row_by_row_plan(
    book, tmp_path, small_chunks, monkeypatch
):
    streamed = _run(tmp_path, MESSY).as_dict()
    spec = imports.entity_spec("monthly_revenue")
    monkeypatch.setitem(
        entities._ENTITIES, "monthly_revenue", dataclasses.replace(spec, stream=None)
    )
    reference = _run(tmp_path, MESSY).as_dict()

    assert streamed == reference
    assert [(e["row"], e["column"]) for e in streamed["errors"]] == [
        (4, "customer"),
        (5, "customer"),
        (6, "month"),
        (7, "amount"),
        (7, "month"),
        (8, "month"),
        (9, "month"),
        (11, "month"),
        (12, "month"),
        (12, "customer"),
        (13, "amount"),
        (14, "amount"),
        (15, "amount"),
        (16, "month"),
    ]
    assert MonthlyRevenue.objects.count() == 2  # nothing written


def test_an_error_in_the_second_chunk_is_reported_on_its_true_file_row(
    book, tmp_path, small_chunks
):
    text = "customer,month,amount\nC1,2025-02,1\n\nC2,2025-02,2\nC3,2025-02,3\nC1,2025-03,x\n"

    report = _run(tmp_path, text)

    # the blank line 3 counts as a row, as a spreadsheet numbers it
    assert report.errors == [RowError(6, "amount", "x", "not a number: 'x'")]
    assert report.rows == 4


def test_a_duplicate_across_chunks_points_at_the_first_row(book, tmp_path, small_chunks):
    text = "customer,month,amount\nC1,2025-02,1\nC2,2025-02,2\nC3,2025-02,3\nC2,2025-02,4\n"

    report = _run(tmp_path, text)

    assert report.errors == [
        RowError(5, "month", "2025-02", "duplicate customer + month: also on row 3")
    ]


def test_a_reimport_across_chunks_counts_every_row_unchanged_and_a_change_updated(
    book, tmp_path, small_chunks
):
    rows = [f"{c},2025-{m:02d},{m}.25" for c in ("C1", "C2", "C3") for m in range(1, 4)]
    text = "customer,month,amount\n" + "\n".join(rows) + "\n"

    first = _run(tmp_path, text)
    second = _run(tmp_path, text)
    changed = _run(tmp_path, text.replace("C3,2025-02,2.25", "C3,2025-02,9"))

    assert first.counts == {"monthly_revenue": {"created": 7, "updated": 2, "unchanged": 0}}
    assert second.counts == {"monthly_revenue": {"created": 0, "updated": 0, "unchanged": 9}}
    assert changed.counts == {"monthly_revenue": {"created": 0, "updated": 1, "unchanged": 8}}
    assert _stored()[("C3", "2025-02")] == Decimal("9.00")
    assert _stored()[("C1", "2025-01")] == Decimal("1.25")
    assert len(_stored()) == 9


def test_a_streamed_dry_run_counts_and_writes_nothing(book, tmp_path, small_chunks):
    text = "customer,month,amount\nC1,2025-01,10\nC1,2025-02,1\nC2,2025-01,21\nC3,2025-05,1\n"
    before = _stored()

    report = _run(tmp_path, text, dry_run=True)

    assert report.counts == {"monthly_revenue": {"created": 2, "updated": 1, "unchanged": 1}}
    assert report.errors == []
    assert _stored() == before


def test_a_mapping_with_a_value_map_and_a_decimal_comma_goes_through_the_usual_parsers(
    book, tmp_path, small_chunks, monkeypatch
):
    text = "Kunde;Monat;Betrag\nACME;2025-02;1.234,5\nC2;2025-02;7\nC3;2025-02;0,5\n"
    mapping = (
        '[columns]\ncustomer = "Kunde"\nmonth = "Monat"\namount = "Betrag"\n'
        '[values.customer]\nACME = "C1"\n'
    )
    streamed = _run(tmp_path, text, mapping=mapping, dry_run=True).as_dict()
    spec = imports.entity_spec("monthly_revenue")
    monkeypatch.setitem(
        entities._ENTITIES, "monthly_revenue", dataclasses.replace(spec, stream=None)
    )
    reference = _run(tmp_path, text, mapping=mapping, dry_run=True).as_dict()
    monkeypatch.undo()

    report = _run(tmp_path, text, mapping=mapping)

    assert streamed == reference
    assert report.counts == {"monthly_revenue": {"created": 3, "updated": 0, "unchanged": 0}}
    assert _stored()[("C1", "2025-02")] == Decimal("1234.50")
    assert _stored()[("C3", "2025-02")] == Decimal("0.50")


def test_the_revenue_entity_streams_and_the_chunking_bounds_what_is_held(book, tmp_path):
    """The design property: the file is read CHUNK_ROWS rows at a time."""
    from gmassist.lib import tabular

    path = tmp_path / "big.csv"
    path.write_text("customer,month,amount\n" + "C1,2025-01,1\n" * 7, encoding="utf-8")

    with tabular.open_table(path) as stream:
        sizes = [len(chunk.rows) for chunk in stream.chunks(3)]

    assert imports.entity_spec("monthly_revenue").stream is not None
    assert sizes == [3, 3, 1]
