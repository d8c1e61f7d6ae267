"""Reading of tabular files (CSV in any common encoding and delimiter, XLSX) into rows.

Pure Python with no Django import. Rows are numbered as a spreadsheet numbers them: the header is
row 1 and the first data row is row 2, so that an error report points at the row a person sees.
Errors carry their message as a template with named values, translated by the caller.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gmassist.lib.normalize import Problem, gettext_noop

CSV = "csv"
XLSX = "xlsx"
DELIMITERS = (",", ";", "\t")

# a sheet wider than this is almost certainly trailing formatting, not data
_MAX_XLSX_COLUMNS = 1000


class TabularError(Problem):
    """The file cannot be read as a table (not CSV or XLSX, no header, bad encoding)."""


@dataclass
class Table:
    """A file's header and data rows; each row is (row number, values) with one value per column.

    CSV values are text; XLSX values are what the cell holds (str, int, float, datetime, None).
    """

    header: list[str]
    rows: list[tuple[int, list[Any]]]
    format: str
    encoding: str = ""
    delimiter: str = ""
    notes: list[str] = field(default_factory=list)


def read_table(source: Path | str | bytes) -> Table:
    """Read a CSV or XLSX file (a path or its bytes); the format is told by the content."""
    data = Path(source).read_bytes() if isinstance(source, Path | str) else source
    if data[:4] == b"PK\x03\x04":
        return read_xlsx(data)
    return read_csv(data)


def detect_encoding(data: bytes) -> str:
    """The encoding of CSV bytes: from the BOM, else UTF-8 when it decodes, else GB18030."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    # GB18030 is a superset of GBK and GB2312, the usual encodings of Chinese exports
    try:
        data.decode("gb18030")
    except UnicodeDecodeError:
        return "cp1252"  # Excel's Western default: decodes every byte
    return "gb18030"


def detect_delimiter(first_line: str) -> str:
    """`,` `;` or tab: whichever occurs most in the header line outside quotes."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in first_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(data: bytes) -> Table:
    """Read CSV bytes: encoding and delimiter detected, CRLF or LF, blank rows skipped."""
    encoding = detect_encoding(data)
    text = data.decode(encoding)
    first_line = text.split("\n", 1)[0]
    delimiter = detect_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise TabularError(gettext_noop("the file is empty")) from None
    except csv.Error as exc:
        raise TabularError(gettext_noop("not a CSV file: %(error)s"), error=str(exc)) from None
    header = [name.strip() for name in header]
    if not any(header):
        raise TabularError(gettext_noop("the first row (the header) is empty"))
    rows: list[tuple[int, list[Any]]] = []
    width = len(header)
    try:
        for number, values in enumerate(reader, start=2):
            if not "".join(values).strip():  # no cell, or only blank ones
                continue
            if len(values) < width:
                values += [""] * (width - len(values))
            rows.append((number, values))
    except csv.Error as exc:
        raise TabularError(
            gettext_noop("row %(row)d: %(error)s"), row=reader.line_num, error=str(exc)
        ) from None
    return Table(header=header, rows=rows, format=CSV, encoding=encoding, delimiter=delimiter)


def read_xlsx(data: bytes) -> Table:
    """Read the first sheet of an XLSX workbook (read-only mode: fast and small in memory)."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken zip or sheet
        raise TabularError(
            gettext_noop("not a readable XLSX file: %(error)s"), error=str(exc)
        ) from None
    try:
        sheet = workbook.worksheets[0]
        cells: Iterator[tuple[Any, ...]] = sheet.iter_rows(values_only=True)
        header_row = next(cells, None)
        if header_row is None:
            raise TabularError(gettext_noop("the sheet is empty"))
        header = ["" if v is None else str(v).strip() for v in header_row[:_MAX_XLSX_COLUMNS]]
        while header and not header[-1]:
            header.pop()
        if not header:
            raise TabularError(gettext_noop("the first row (the header) is empty"))
        width = len(header)
        rows: list[tuple[int, list[Any]]] = []
        for number, row in enumerate(cells, start=2):
            values = list(row[:width])
            if not any(v is not None and str(v).strip() for v in values):
                continue
            if len(values) < width:
                values += [None] * (width - len(values))
            rows.append((number, values))
    finally:
        workbook.close()
    return Table(header=header, rows=rows, format=XLSX)


def write_csv(out: io.BufferedIOBase | Any, header: list[str], rows: Iterator[list[Any]]) -> int:
    """Write UTF-8 CSV with a BOM (so that Excel reads it as UTF-8); returns the rows written."""
    stream = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    try:
        writer = csv.writer(stream)
        writer.writerow(header)
        count = 0
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
            count += 1
        stream.flush()
    finally:
        stream.detach()  # leave `out` open for the caller
    return count


def write_xlsx(out: io.BufferedIOBase | Any, header: list[str], rows: Iterator[list[Any]]) -> int:
    """Write one sheet of XLSX (write-only mode); returns the rows written."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(header)
    count = 0
    for row in rows:
        sheet.append(row)
        count += 1
    workbook.save(out)
    return count
