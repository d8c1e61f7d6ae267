"""Reading of tabular files (CSV in any common encoding and delimiter, XLSX) into rows.

Pure Python with no Django import. Rows are numbered as a spreadsheet numbers them: the header is
row 1 and the first data row is row 2, so that an error report points at the row a person sees.
Errors carry their message as a template with named values, translated by the caller.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

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


# rows per chunk of a streamed file: a few tens of MB of cells at most
CHUNK_ROWS = 200_000


@dataclass
class Chunk:
    """Consecutive data rows of a file: their row numbers and their values (one per column)."""

    numbers: list[int]
    rows: list[list[Any]]

    def columns(self, width: int) -> list[tuple[Any, ...]]:
        """The rows transposed: one tuple of cells per column (each row has `width` cells or
        more), in one pass in C."""
        if not self.rows:
            return [()] * width
        return list(zip(*self.rows, strict=False))[:width]


class TableStream:
    """An open CSV or XLSX file read chunk by chunk, so that memory stays bounded by a chunk.

    `header`, `format`, `encoding` and `delimiter` are known on opening; `chunks()` yields the
    data rows (numbered and skipped exactly as `read_table` does) and raises TabularError when
    the file turns out broken further on. `fraction()` is how much of the file is read (0-1).
    """

    def __init__(
        self,
        header: list[str],
        format: str,
        rows: Iterator[tuple[int, list[Any]]],
        *,
        encoding: str = "",
        delimiter: str = "",
        position: Callable[[], int] | None = None,
        size: int = 0,
        close: Callable[[], None] | None = None,
    ):
        self.header = header
        self.format = format
        self.encoding = encoding
        self.delimiter = delimiter
        self._rows = rows
        self._position = position
        self._size = size
        self._close = close

    def chunks(self, size: int = CHUNK_ROWS) -> Iterator[Chunk]:
        numbers: list[int] = []
        rows: list[list[Any]] = []
        for number, values in self._rows:
            numbers.append(number)
            rows.append(values)
            if len(rows) >= size:
                yield Chunk(numbers, rows)
                numbers, rows = [], []
        if rows:
            yield Chunk(numbers, rows)

    def fraction(self) -> float:
        if not self._size or self._position is None:
            return 0.0
        return min(self._position() / self._size, 1.0)

    def read_all(self) -> Table:
        """Every data row at once, as a Table (files of the row-by-row imports)."""
        return Table(
            header=self.header,
            rows=list(self._rows),
            format=self.format,
            encoding=self.encoding,
            delimiter=self.delimiter,
        )

    def close(self) -> None:
        if self._close is not None:
            self._close()
            self._close = None

    def __enter__(self) -> TableStream:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def read_table(source: Path | str | bytes) -> Table:
    """Read a CSV or XLSX file (a path or its bytes); the format is told by the content."""
    with open_table(source) as stream:
        return stream.read_all()


def open_table(source: Path | str | bytes) -> TableStream:
    """Open a CSV or XLSX file (a path or its bytes) to read it chunk by chunk; the format is
    told by the content. A path is never read into memory whole."""
    if isinstance(source, Path | str):
        handle: BinaryIO = open(source, "rb")  # noqa: SIM115 (closed by the stream)
    else:
        handle = io.BytesIO(source)
    try:
        if handle.read(4) == b"PK\x03\x04":
            handle.seek(0)
            data = handle.read()
            handle.close()
            return _open_xlsx(data)
        handle.seek(0)
        return _open_csv(handle)
    except BaseException:
        handle.close()
        raise


def detect_encoding(data: bytes | BinaryIO) -> str:
    """The encoding of CSV bytes (or a binary file, read through and rewound): from the BOM,
    else UTF-8 when it decodes, else GB18030, else cp1252."""
    handle = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    start = handle.tell()
    head = handle.read(4)
    handle.seek(start)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    try:
        for encoding in ("utf-8", "gb18030"):  # GB18030: a superset of GBK and GB2312
            if _decodes(handle, encoding):
                return encoding
        return "cp1252"  # Excel's Western default
    finally:
        handle.seek(start)


def _decodes(handle: BinaryIO, encoding: str) -> bool:
    """Whether the whole file decodes, read in blocks (a large file is not held)."""
    start = handle.tell()
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        while block := handle.read(1 << 24):
            decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        handle.seek(start)
    return True


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
    with _open_csv(io.BytesIO(data)) as stream:
        return stream.read_all()


def _open_csv(handle: BinaryIO) -> TableStream:
    encoding = detect_encoding(handle)
    size = handle.seek(0, io.SEEK_END)
    handle.seek(0)
    # the text wrapper reads ahead: the file's position tells how far the reading is
    text = io.TextIOWrapper(handle, encoding=encoding, newline="")
    first_line = text.readline()
    text.seek(0)
    delimiter = detect_delimiter(first_line.split("\n", 1)[0])
    reader = csv.reader(text, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        text.close()
        raise TabularError(gettext_noop("the file is empty")) from None
    except csv.Error as exc:
        text.close()
        raise TabularError(gettext_noop("not a CSV file: %(error)s"), error=str(exc)) from None
    header = [name.strip() for name in header]
    if not any(header):
        text.close()
        raise TabularError(gettext_noop("the first row (the header) is empty"))

    def rows() -> Iterator[tuple[int, list[Any]]]:
        width = len(header)
        try:
            for number, values in enumerate(reader, start=2):
                if not "".join(values).strip():  # no cell, or only blank ones
                    continue
                if len(values) < width:
                    values += [""] * (width - len(values))
                yield number, values
        except csv.Error as exc:
            raise TabularError(
                gettext_noop("row %(row)d: %(error)s"), row=reader.line_num, error=str(exc)
            ) from None

    return TableStream(
        header,
        CSV,
        rows(),
        encoding=encoding,
        delimiter=delimiter,
        position=_safe_tell(handle),
        size=size,
        close=text.close,
    )


def _safe_tell(handle: BinaryIO) -> Callable[[], int]:
    def position() -> int:
        try:
            return handle.tell()
        except (OSError, ValueError):
            return 0

    return position


def _open_xlsx(data: bytes) -> TableStream:
    """The first sheet of an XLSX workbook (read-only mode: rows are read as they are asked)."""
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
    except BaseException:
        workbook.close()
        raise
    width = len(header)
    read = [0]
    total = max(sheet.max_row or 0, 1)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        for number, row in enumerate(cells, start=2):
            read[0] = number
            values = list(row[:width])
            if not any(v is not None and str(v).strip() for v in values):
                continue
            if len(values) < width:
                values += [None] * (width - len(values))
            yield number, values

    return TableStream(
        header, XLSX, rows(), position=lambda: read[0], size=total, close=workbook.close
    )


def read_xlsx(data: bytes) -> Table:
    """Read the first sheet of an XLSX workbook."""
    with _open_xlsx(data) as stream:
        return stream.read_all()


# --- writing: the one export writer ----------------------------------------------------------
#
# Every CSV and XLSX file the application writes goes through `write_csv` / `write_xlsx`, so
# that the two rules below hold for every export, whatever its columns:
#
# - any value becomes a spreadsheet value: text, a number, a date, a boolean or empty (a lazy
#   translation becomes its text, a dict or a list its JSON, a time-zone-aware time the local
#   time of `tz`), so that no export fails on a type;
# - text that a spreadsheet would run as a formula (OWASP's CSV injection rule: a cell starting
#   with = + - @, a tab or a carriage return) is neutralised: in CSV it gets a leading
#   apostrophe, in XLSX it is written as a text cell with Excel's quote prefix, never as a
#   formula. Plain numbers such as -5 are left alone; full-width ＝ ＋ － ＠ count as well.

FORMULA_STARTS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
_PLAIN_NUMBER = re.compile(r"[+\-\uff0b\uff0d]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
# Excel's limits: the characters a cell may hold, and those it cannot hold at all
XLSX_MAX_CELL_CHARS = 32_767
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_XLSX_ERROR_CODES = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"})
_PLAIN_TYPES = (int, float, Decimal)


def is_formula_like(text: str) -> bool:
    """True for text a spreadsheet would read as a formula: it starts (after any spaces) with
    = + - @, a tab or a carriage return, and is not a plain number such as -5 or +1.5."""
    if not text:
        return False
    stripped = text.lstrip()
    if text[0] not in FORMULA_STARTS and stripped[:1] not in FORMULA_STARTS:
        return False
    return _PLAIN_NUMBER.fullmatch(stripped) is None


def neutralise_formula(text: str) -> str:
    """`text` made safe for a CSV cell: a leading apostrophe when it looks like a formula."""
    return "'" + text if is_formula_like(text) else text


def unescape_formula(text: str) -> str:
    """The inverse of `neutralise_formula`, for a file that was exported and comes back."""
    if text[:1] == "'" and is_formula_like(text[1:]):
        return text[1:]
    return text


def _as_text(value: Any) -> str:
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return str(value)


def _local(value: dt.datetime, tz: dt.tzinfo | None) -> dt.datetime:
    """An aware time as the naive local time of `tz` (UTC when None); a naive one unchanged."""
    if value.tzinfo is None:
        return value
    return value.astimezone(tz or dt.UTC).replace(tzinfo=None)


def csv_cell(value: Any, tz: dt.tzinfo | None = None) -> Any:
    """`value` as a CSV cell: "" for None, ISO dates, plain decimals, neutralised text."""
    kind = type(value)
    if kind is str:
        return neutralise_formula(value)
    if value is None:
        return ""
    if kind is bool or kind is int or kind is float:
        return value
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    if isinstance(value, dt.datetime):
        return _local(value, tz).isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return neutralise_formula(_as_text(value))


def xlsx_cell(value: Any, sheet: Any, tz: dt.tzinfo | None = None) -> Any:
    """`value` as an XLSX cell of the write-only `sheet`: numbers, dates and booleans typed;
    text without the characters Excel refuses, cut at its cell limit, never a formula."""
    kind = type(value)
    if value is None or kind is bool or kind is int or kind is float:
        return value
    if isinstance(value, _PLAIN_TYPES):
        return value
    if isinstance(value, dt.datetime):
        return _local(value, tz)
    if isinstance(value, dt.date | dt.time):
        return value
    text = value if kind is str else _as_text(value)
    if _XLSX_ILLEGAL.search(text):
        text = _XLSX_ILLEGAL.sub("\ufffd", text)
    if len(text) > XLSX_MAX_CELL_CHARS:
        text = text[: XLSX_MAX_CELL_CHARS - 1] + "\u2026"
    if text[:1] == "=" or text in _XLSX_ERROR_CODES or is_formula_like(text):
        from openpyxl.cell import WriteOnlyCell

        # written as text whatever it starts with (openpyxl makes "=..." a formula and "#N/A"
        # an error); the quote prefix keeps Excel from turning it into one on an edit
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"
        if is_formula_like(text):
            cell.quotePrefix = True
        return cell
    return text


def write_table(
    out: io.BufferedIOBase | Any,
    fmt: str,
    header: list[Any],
    rows: Iterable[list[Any]],
    *,
    tz: dt.tzinfo | None = None,
) -> int:
    """Write CSV (`fmt` "csv") or XLSX ("xlsx"); returns the data rows written."""
    if fmt == CSV:
        return write_csv(out, header, rows, tz=tz)
    if fmt == XLSX:
        return write_xlsx(out, header, rows, tz=tz)
    raise ValueError(f"unknown format {fmt!r}; use csv or xlsx")


def write_csv(
    out: io.BufferedIOBase | Any,
    header: list[Any],
    rows: Iterable[list[Any]],
    *,
    tz: dt.tzinfo | None = None,
) -> int:
    """Write UTF-8 CSV with a BOM (so that Excel reads it as UTF-8); returns the rows written.

    Every cell, the header's too, is made safe by `csv_cell`; aware times are written in `tz`.
    """
    stream = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    try:
        writer = csv.writer(stream)
        writer.writerow([csv_cell(v, tz) for v in header])
        count = 0
        for row in rows:
            writer.writerow([csv_cell(v, tz) for v in row])
            count += 1
        stream.flush()
    finally:
        stream.detach()  # leave `out` open for the caller
    return count


def write_xlsx(
    out: io.BufferedIOBase | Any,
    header: list[Any],
    rows: Iterable[list[Any]],
    *,
    tz: dt.tzinfo | None = None,
) -> int:
    """Write one sheet of XLSX (write-only mode); returns the rows written.

    Every cell, the header's too, is made safe by `xlsx_cell`; aware times are written in `tz`
    (XLSX has no time zones).
    """
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append([xlsx_cell(v, sheet, tz) for v in header])
    count = 0
    for row in rows:
        sheet.append([xlsx_cell(v, sheet, tz) for v in row])
        count += 1
    workbook.save(out)
    return count
