"""Reading of tabular files (CSV in any common encoding and delimiter, XLSX) into rows.

Pure Python with no Django import. Rows are numbered as a spreadsheet numbers them: the header is
row 1 and the first data row is row 2, so that an error report points at the row a person sees.
Errors carry their message as a template with named values, translated by the caller.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
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


def write_csv(out: BinaryIO, header: list[str], rows: Iterator[list[Any]]) -> int:
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
