"""Reading CSV in the usual encodings and delimiters, and XLSX, with spreadsheet row numbers."""

from __future__ import annotations

import codecs
import datetime as dt
import io

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
