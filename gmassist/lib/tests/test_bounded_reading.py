"""Reading within `tabular.Limits`: every hostile file is a TabularError naming the limit,
found before the file is held (the XLSX files are small on disk, see `hostile_files`)."""

from __future__ import annotations

import random

import pytest

from gmassist.lib.tabular import Limits, TabularError, read_table
from gmassist.lib.tests.hostile_files import repeated, row, xlsx

LIMITS = Limits(rows=100, columns=5, cell_chars=50)


def _error(data: bytes, limits: Limits = LIMITS) -> str:
    with pytest.raises(TabularError) as caught:
        read_table(data, limits=limits)
    return str(caught.value)


# --- CSV -------------------------------------------------------------------------------------


def test_a_csv_within_the_limits_reads_as_always():
    data = b"a,b\n" + b"".join(b"%d,x\n" % n for n in range(100))
    assert len(read_table(data, limits=LIMITS).rows) == 100


def test_a_csv_over_the_row_limit_is_refused():
    data = b"a,b\n" + b"".join(b"%d,x\n" % n for n in range(101))
    assert _error(data) == (
        "the file has more than 100 rows; split it into smaller files "
        "(the most an import reads is set by the administrator)"
    )


def test_blank_rows_count_towards_the_row_limit():
    assert "more than 100 rows" in _error(b"a,b\n" + b"\n" * 100 + b"1,2\n")


def test_a_csv_with_too_many_columns_is_refused():
    assert _error(b"a,b,c,d,e,f\n1,2,3,4,5,6\n") == (
        "the file has more than 5 columns, the most an import reads"
    )


def test_a_csv_cell_over_the_length_is_refused_naming_row_and_column():
    assert _error(b"a,b\n1,2\n3," + b"x" * 51 + b"\n") == (
        "row 3, column b: longer than 50 characters, the most a cell may hold"
    )


def test_a_line_of_a_million_commas_is_refused_before_it_is_a_row():
    assert _error(b"a,b\n1," + b"," * 2_000_000 + b"\n") == (
        "line 2 is longer than 1,048,576 characters"
    )


def test_cells_beyond_the_header_are_not_read():
    assert read_table(b"a,b\n1,2,3,4\n", limits=LIMITS).rows == [(2, ["1", "2"])]


NOT_TEXT = (
    "the file is not readable text in a known encoding (UTF-8, UTF-16, UTF-32, GB18030 "
    "(GBK) or Windows-1252), nor an XLSX workbook: save it as CSV (UTF-8) or XLSX"
)


def test_random_bytes_are_not_readable_text():
    assert _error(random.Random(1).randbytes(100_000)) == NOT_TEXT


def test_binary_bytes_that_happen_to_decode_are_not_readable_text():
    undefined_in_cp1252 = (0x81, 0x8D, 0x8F, 0x90, 0x9D)
    data = bytes(b for b in range(256) if b not in undefined_in_cp1252) * 40
    assert _error(data) == NOT_TEXT


def test_a_windows_1252_file_still_reads():
    table = read_table("name\nJosé\n".encode("cp1252"), limits=LIMITS)
    assert (table.encoding, table.rows) == ("cp1252", [(2, ["José"])])


# --- XLSX ------------------------------------------------------------------------------------


def test_an_xlsx_within_the_limits_reads_as_always():
    data = xlsx([row(1, "a", "b"), row(2, 0, "x"), row(4, "y", 0)], strings=[["hello"]])
    assert read_table(data, limits=LIMITS).rows == [(2, ["hello", "x"]), (4, ["y", "hello"])]


def test_an_xlsx_with_one_enormous_shared_string_is_refused_without_holding_it():
    data = xlsx([row(1, "a"), row(2, 0)], strings=[repeated("x", 400_000_000)])
    assert len(data) < 1_000_000  # 400 MB of text, under a megabyte on disk
    assert _error(data, Limits()) == (
        "the workbook holds a text longer than 32,767 characters, the most a cell may hold"
    )


def test_an_xlsx_with_more_shared_text_than_its_cells_could_hold_is_refused():
    strings = [["x" * 50] for _ in range(1_000)]  # each within the cell limit
    assert LIMITS.xlsx_text_chars == 100 * 5 * 50
    assert _error(xlsx([row(1, "a")], strings)) == (
        "the workbook holds more than 25,000 characters of text"
    )


def test_an_xlsx_with_an_enormous_inline_string_is_refused():
    huge = [
        '<row r="2"><c t="inlineStr"><is><t>',
        *repeated("y", 10_000_000),
        "</t></is></c></row>",
    ]
    data = xlsx([row(1, "a"), *huge])
    assert _error(data, Limits()) == "a row of the sheet is larger than 4 MB of XML"


def test_an_xlsx_with_many_rows_is_refused():
    rows = [row(1, "a"), *(row(n, "x") for n in range(2, 1_000))]
    assert "more than 100 rows" in _error(xlsx(rows))


def test_an_xlsx_with_many_rows_and_no_dimension_is_refused_on_opening():
    # openpyxl reads the whole sheet to find its size when the dimension is missing
    rows = (row(n, "x") for n in range(1, 10_000))
    assert "more than 100 rows" in _error(xlsx(rows))


def test_an_xlsx_row_numbered_three_million_is_refused_at_the_limit():
    assert "more than 100 rows" in _error(xlsx([row(1, "a"), row(3_000_000, "x")]))


def test_a_stated_dimension_of_every_row_adds_no_rows():
    data = xlsx([row(1, "a"), row(2, "x")], sheet_head='<dimension ref="A1:XFD1048576"/>')
    assert read_table(data, limits=LIMITS).rows == [(2, ["x"])]


def test_an_xlsx_with_too_many_columns_is_refused():
    assert "more than 5 columns" in _error(xlsx([row(1, "a", "b", "c", "d", "e", "f")]))


def test_an_xlsx_cell_over_the_length_is_refused():
    assert _error(xlsx([row(1, "a"), row(2, "z" * 51)])) == (
        "row 2, column a: longer than 50 characters, the most a cell may hold"
    )


def test_an_xlsx_part_over_its_size_is_refused():
    styles = b"<styleSheet>" + b" " * (65 << 20) + b"</styleSheet>"
    data = xlsx([row(1, "a")], parts={"xl/styles.xml": styles})
    assert len(data) < 1_000_000
    assert _error(data) == "the workbook's part xl/styles.xml is larger than 64 MB"


def test_an_xlsx_whose_strings_declare_a_document_type_is_refused():
    doctype = '<!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa">]>'
    assert _error(xlsx([row(1, 0)], [["&a;"]], strings_head=doctype)) == (
        "the workbook's XML declares a document type"
    )


def test_without_limits_a_file_reads_whole():
    data = b"a\n" + b"x\n" * 300
    assert len(read_table(data).rows) == 300
