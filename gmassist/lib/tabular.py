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
from typing import IO, Any, BinaryIO

from gmassist.lib.normalize import Problem, gettext_noop

CSV = "csv"
XLSX = "xlsx"
DELIMITERS = (",", ";", "\t")

# without limits, a sheet wider than this is almost certainly trailing formatting, not data
_MAX_XLSX_COLUMNS = 1000


class TabularError(Problem):
    """The file cannot be read as a table (not CSV or XLSX, no header, bad encoding, over a
    limit)."""


# what a value echoed in a message may be at most (a cell may be 32,767 characters)
SHORT_CHARS = 200


def shorten(value: Any, max_chars: int = SHORT_CHARS) -> str:
    """`value` as text of at most `max_chars` characters, cut with an ellipsis."""
    text = value if type(value) is str else str(value)
    return text if len(text) <= max_chars else text[: max_chars - 1] + "\u2026"


@dataclass(frozen=True)
class Limits:
    """How much of a file is read at most; a file over any limit is a TabularError naming it.

    `rows`: data rows after the header (a spreadsheet's row number at most `rows` + 1, blank
    rows included); `columns`: columns of the header; `cell_chars`: characters of one cell
    (Excel's own limit by default). The limits derived from these bound what a reader holds
    at once: a CSV line (`line_chars`), the XML of one sheet row (`xlsx_row_bytes`), a
    workbook's shared strings (`xlsx_text_chars`) and its other parts (`xlsx_part_bytes`).
    """

    rows: int = 200_000
    columns: int = 500
    cell_chars: int = 32_767

    @property
    def line_chars(self) -> int:
        return max(1 << 20, 4 * self.cell_chars)

    @property
    def xlsx_row_bytes(self) -> int:
        return 4 * self.line_chars

    @property
    def xlsx_text_chars(self) -> int:
        # 128 M characters, or less when the rows, columns and cells cannot hold that much
        return min(128 * self.line_chars, self.rows * self.columns * self.cell_chars)

    @property
    def xlsx_part_bytes(self) -> int:
        return 64 << 20

    def too_many_rows(self) -> TabularError:
        return TabularError(
            gettext_noop(
                "the file has more than %(max)s rows; split it into smaller files "
                "(the most an import reads is set by the administrator)"
            ),
            max=f"{self.rows:,}",
        )

    def check_header(self, header: list[str]) -> None:
        if len(header) > self.columns:
            raise TabularError(
                gettext_noop("the file has more than %(max)s columns, the most an import reads"),
                max=f"{self.columns:,}",
            )

    def cell_too_long(self, number: int, header: list[str], values: list[Any]) -> TabularError:
        position = next(
            i for i, v in enumerate(values) if type(v) is str and len(v) > self.cell_chars
        )
        return TabularError(
            gettext_noop(
                "row %(row)d, column %(column)s: longer than %(max)s characters, the most a "
                "cell may hold"
            ),
            row=number,
            column=header[position],
            max=f"{self.cell_chars:,}",
        )


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


def read_table(source: Path | str | bytes, *, limits: Limits | None = None) -> Table:
    """Read a CSV or XLSX file (a path or its bytes); the format is told by the content."""
    with open_table(source, limits=limits) as stream:
        return stream.read_all()


def open_table(source: Path | str | bytes, *, limits: Limits | None = None) -> TableStream:
    """Open a CSV or XLSX file (a path or its bytes) to read it chunk by chunk; the format is
    told by the content. A path is never read into memory whole.

    With `limits`, a file over any of them is a TabularError naming the limit, raised as soon as
    the reading meets it (on opening, or from `chunks()`), so that memory stays bounded
    whatever the file holds; None reads everything (a file of one's own, from the CLI).
    """
    if isinstance(source, Path | str):
        handle: BinaryIO = open(source, "rb")  # noqa: SIM115 (closed by the stream)
    else:
        handle = io.BytesIO(source)
    try:
        if handle.read(4) == b"PK\x03\x04":
            handle.seek(0)
            return _open_xlsx(handle, limits)
        handle.seek(0)
        return _open_csv(handle, limits)
    except BaseException:
        handle.close()
        raise


# the encodings a CSV is read in, for the message when it is in none of them
KNOWN_ENCODINGS = "UTF-8, UTF-16, UTF-32, GB18030 (GBK) or Windows-1252"
# a text file has next to no control characters; a binary one (or random bytes) has many
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_MAX_CONTROL_SHARE = 0.01


def _not_text() -> TabularError:
    return TabularError(
        gettext_noop(
            "the file is not readable text in a known encoding (%(encodings)s), nor an XLSX "
            "workbook: save it as CSV (UTF-8) or XLSX"
        ),
        encodings=KNOWN_ENCODINGS,
    )


def detect_encoding(data: bytes | BinaryIO) -> str:
    """The encoding of CSV bytes (or a binary file, read through and rewound): from the BOM,
    else UTF-8 when it decodes, else GB18030, else cp1252 when it decodes; TabularError when
    none does."""
    handle = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    start = handle.tell()
    head = handle.read(4)
    handle.seek(start)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"  # (before UTF-16: a UTF-32 LE BOM starts like UTF-16's)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        # GB18030: a superset of GBK and GB2312; cp1252: Excel's Western default
        for encoding in ("utf-8", "gb18030", "cp1252"):
            if _decodes(handle, encoding):
                return encoding
        raise _not_text()
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


def read_csv(data: bytes, *, limits: Limits | None = None) -> Table:
    """Read CSV bytes: encoding and delimiter detected, CRLF or LF, blank rows skipped."""
    with _open_csv(io.BytesIO(data), limits) as stream:
        return stream.read_all()


def _open_csv(handle: BinaryIO, limits: Limits | None) -> TableStream:
    encoding = detect_encoding(handle)
    size = handle.seek(0, io.SEEK_END)
    handle.seek(0)
    # the text wrapper reads ahead: the file's position tells how far the reading is
    text = io.TextIOWrapper(handle, encoding=encoding, newline="")
    try:
        sample = text.read(1 << 16)
        if len(_CONTROL.findall(sample)) > _MAX_CONTROL_SHARE * len(sample):
            raise _not_text()
        text.seek(0)
        first_line = text.readline(limits.line_chars + 1 if limits else -1)
        text.seek(0)
    except UnicodeDecodeError:
        text.close()
        raise _not_text() from None
    except BaseException:
        text.close()
        raise
    delimiter = detect_delimiter(first_line.split("\n", 1)[0])
    lines = _bounded_lines(text, limits.line_chars) if limits else text
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        text.close()
        raise TabularError(gettext_noop("the file is empty")) from None
    except csv.Error as exc:
        text.close()
        raise TabularError(gettext_noop("not a CSV file: %(error)s"), error=str(exc)) from None
    except BaseException:
        text.close()
        raise
    header = [shorten(name.strip()) for name in header]
    if not any(header):
        text.close()
        raise TabularError(gettext_noop("the first row (the header) is empty"))
    if limits is not None:
        try:
            limits.check_header(header)
        except TabularError:
            text.close()
            raise

    def rows() -> Iterator[tuple[int, list[Any]]]:
        width = len(header)
        last = limits.rows + 1 if limits else 0
        cell_chars = limits.cell_chars if limits else 0
        try:
            for number, values in enumerate(reader, start=2):
                if limits and number > last:
                    raise limits.too_many_rows()
                if not "".join(values).strip():  # no cell, or only blank ones
                    continue
                if len(values) < width:
                    values += [""] * (width - len(values))
                elif len(values) > width:
                    del values[width:]  # cells without a column: not read
                if limits and cell_chars and max(map(len, values)) > cell_chars:
                    raise limits.cell_too_long(number, header, values)
                yield number, values
        except csv.Error as exc:
            raise TabularError(
                gettext_noop("row %(row)d: %(error)s"), row=reader.line_num, error=shorten(exc)
            ) from None
        except UnicodeDecodeError:
            raise _not_text() from None

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


def _bounded_lines(text: io.TextIOBase, max_chars: int) -> Iterator[str]:
    """The lines of `text`, each read at most `max_chars` + 1 characters at a time: a longer
    line is a TabularError before it is held (a line of a million commas would be a row of a
    million cells)."""
    readline = text.readline
    number = 0
    while line := readline(max_chars + 1):
        number += 1
        if len(line) > max_chars:
            raise TabularError(
                gettext_noop("line %(line)d is longer than %(max)s characters"),
                line=number,
                max=f"{max_chars:,}",
            )
        yield line


def _safe_tell(handle: BinaryIO) -> Callable[[], int]:
    def position() -> int:
        try:
            return handle.tell()
        except (OSError, ValueError):
            return 0

    return position


def _open_xlsx(handle: BinaryIO, limits: Limits | None) -> TableStream:
    """The first sheet of an XLSX workbook, read in streaming (read-only) mode: rows are read
    as they are asked for. With `limits`, the workbook is read through
    `lib.bounded_xlsx`, which bounds the parts openpyxl holds whole (shared strings, styles,
    one row of the sheet) before they are held."""
    from gmassist.lib.bounded_xlsx import load_workbook

    try:
        workbook = load_workbook(handle, limits)
    except TabularError:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a broken zip or sheet
        raise TabularError(
            gettext_noop("not a readable XLSX file: %(error)s"), error=shorten(exc)
        ) from None

    def close() -> None:
        workbook.close()
        handle.close()

    max_columns = limits.columns if limits else _MAX_XLSX_COLUMNS
    try:
        sheet = workbook.worksheets[0]
        total = max(sheet.max_row or 0, 1)
        # rows are numbered as they are in the file: the dimension a workbook states (often
        # "every row of the sheet") does not pad the end with empty rows
        sheet._max_row = None
        header_row = next(sheet.iter_rows(max_row=1, max_col=max_columns + 1), None)
        if header_row is None:
            raise TabularError(gettext_noop("the sheet is empty"))
        header = [shorten("" if c.value is None else str(c.value).strip()) for c in header_row]
        while header and not header[-1]:
            header.pop()
        if not header:
            raise TabularError(gettext_noop("the first row (the header) is empty"))
        if limits is not None:
            limits.check_header(header)
        elif len(header) > _MAX_XLSX_COLUMNS:
            # a sheet wider than this is almost certainly trailing formatting, not data
            del header[_MAX_XLSX_COLUMNS:]
        width = len(header)
        cells: Iterator[tuple[Any, ...]] = sheet.iter_rows(
            min_row=2, max_col=width, values_only=True
        )
    except BaseException:
        close()
        raise
    read = [0]

    def rows() -> Iterator[tuple[int, list[Any]]]:
        last = limits.rows + 1 if limits else 0
        cell_chars = limits.cell_chars if limits else 0
        try:
            for number, row in enumerate(cells, start=2):
                read[0] = number
                if limits and number > last:
                    raise limits.too_many_rows()
                values = list(row[:width])
                if not any(v is not None and str(v).strip() for v in values):
                    continue
                if len(values) < width:
                    values += [None] * (width - len(values))
                if (
                    limits
                    and cell_chars
                    and any(type(v) is str and len(v) > cell_chars for v in values)
                ):
                    raise limits.cell_too_long(number, header, values)
                yield number, values
        except TabularError:
            raise
        except Exception as exc:  # a sheet broken further on
            raise TabularError(
                gettext_noop("not a readable XLSX file: %(error)s"), error=shorten(exc)
            ) from None

    return TableStream(header, XLSX, rows(), position=lambda: read[0], size=total, close=close)


def read_xlsx(data: bytes, *, limits: Limits | None = None) -> Table:
    """Read the first sheet of an XLSX workbook."""
    with _open_xlsx(io.BytesIO(data), limits) as stream:
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
    out: IO[bytes],
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
    out: IO[bytes],
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
    out: IO[bytes],
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
