"""Opening an XLSX workbook with openpyxl (read-only, streaming mode) within `tabular.Limits`.

Read-only mode streams a sheet's rows, but openpyxl still holds some parts of a workbook whole,
and a zip file makes them small on disk: a 400 KB upload held one shared string of 400 MB. So
before openpyxl holds anything, this module bounds it:

- the zip's directory: at most MAX_PARTS parts and MAX_DIRECTORY_BYTES of directory;
- the shared strings: read here instead of by openpyxl, streamed through expat, each string at
  most `cell_chars` characters and all of them `xlsx_text_chars` (the reading stops at the first
  character over, so a huge string is never held);
- every part openpyxl reads whole (the workbook, styles, relations): at most `xlsx_part_bytes`
  as the zip states it (Python's zip reader never gives more than the stated size);
- a sheet: read through `_SheetGuard`, which counts its rows (at most `rows` + 2) and allows at
  most `xlsx_row_bytes` of XML from one row's start to the next (so one row, or anything between
  rows, is bounded before openpyxl's parser builds it).

An XML document type declaration (which a workbook never needs) is refused in the parts read
here. Everything over a limit is a `tabular.TabularError` naming it.

Pure Python, no Django import.
"""

from __future__ import annotations

import re
import zipfile
from typing import IO, Any, BinaryIO, Literal
from xml.parsers import expat

from gmassist.lib.normalize import gettext_noop
from gmassist.lib.tabular import Limits, TabularError

MAX_PARTS = 10_000
MAX_DIRECTORY_BYTES = 16 << 20
_READ_BYTES = 1 << 16
# the start of a row element, with or without a namespace prefix (`<row `, `<x:row>`)
_ROW_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
_TAIL_BYTES = 64


def load_workbook(handle: BinaryIO, limits: Limits | None) -> Any:
    """openpyxl's read-only, values-only workbook of the file `handle`, within `limits`
    (None: openpyxl as it is)."""
    from openpyxl import load_workbook as openpyxl_load_workbook

    if limits is None:
        return openpyxl_load_workbook(handle, read_only=True, data_only=True)
    _check_directory(handle)
    reader = _bounded_reader(handle, limits)
    try:
        reader.read()
    except ValueError as exc:
        # openpyxl wraps what a step raised in a ValueError of its own
        if isinstance(exc.__cause__, TabularError):
            raise exc.__cause__ from None
        raise
    return reader.wb


def _check_directory(handle: BinaryIO) -> None:
    """Refuse a zip whose directory (read whole by Python's zip reader) is too large."""
    size = handle.seek(0, 2)
    length = min(size, (1 << 16) + 22)
    handle.seek(size - length)
    tail = handle.read(length)
    handle.seek(0)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return  # not a zip at all: the zip reader says so
    parts = int.from_bytes(tail[at + 10 : at + 12], "little")
    directory = int.from_bytes(tail[at + 12 : at + 16], "little")
    if parts > MAX_PARTS or directory > MAX_DIRECTORY_BYTES:
        raise TabularError(
            gettext_noop("the workbook has more than %(max)s parts"), max=f"{MAX_PARTS:,}"
        )


def _bounded_reader(handle: IO[bytes], limits: Limits) -> Any:
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.xml.constants import SHARED_STRINGS

    # openpyxl has no type information, so its reader is Any to mypy
    class BoundedReader(ExcelReader):  # type: ignore[misc]
        def read_strings(self) -> None:
            part = self.package.find(SHARED_STRINGS)
            if part is not None:
                with raw.open(part.PartName[1:]) as source:
                    self.shared_strings = read_shared_strings(source, limits)

    reader = BoundedReader(handle, read_only=True, data_only=True)
    raw = reader.archive
    reader.archive = _BoundedArchive(raw, limits)
    return reader


class _BoundedArchive:
    """The workbook's zip as openpyxl uses it: parts read whole are size-checked, parts opened
    (the sheets) are read through a `_SheetGuard`."""

    def __init__(self, archive: zipfile.ZipFile, limits: Limits):
        self._archive = archive
        self._limits = limits

    def __getattr__(self, name: str) -> Any:
        return getattr(self._archive, name)

    def read(self, name: str | zipfile.ZipInfo, *args: Any) -> bytes:
        try:
            info = name if isinstance(name, zipfile.ZipInfo) else self._archive.getinfo(name)
        except KeyError:
            return self._archive.read(name, *args)  # raises the KeyError openpyxl expects
        if info.file_size > self._limits.xlsx_part_bytes:
            raise TabularError(
                gettext_noop("the workbook's part %(part)s is larger than %(max)s MB"),
                part=info.filename[:100],
                max=self._limits.xlsx_part_bytes >> 20,
            )
        return self._archive.read(info, *args)

    def open(
        self, name: str | zipfile.ZipInfo, mode: Literal["r"] = "r", *args: Any, **kwargs: Any
    ) -> _SheetGuard:
        return _SheetGuard(self._archive.open(name, mode, *args, **kwargs), self._limits)


class _SheetGuard:
    """A sheet's XML as a file, counting its rows and the bytes from one row's start to the
    next while it is read; over a limit, reading it raises TabularError."""

    def __init__(self, raw: IO[bytes], limits: Limits):
        self._raw = raw
        self._limits = limits
        self._max_rows = limits.rows + 2
        self._max_gap = limits.xlsx_row_bytes
        self._rows = 0
        self._offset = 0  # bytes read so far
        self._last_row = 0  # offset of the last row start seen
        self._tail = b""

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            return b"".join(iter(lambda: self.read(_READ_BYTES), b""))
        data = self._raw.read(min(size, _READ_BYTES))
        if data:
            self._scan(data)
        return data

    def _scan(self, data: bytes) -> None:
        window = self._tail + data
        start = self._offset - len(self._tail)
        for match in _ROW_START.finditer(window):
            if match.end() <= len(self._tail):
                continue  # seen with the previous block
            position = start + match.start()
            if position - self._last_row > self._max_gap:
                raise self._row_too_large()
            self._last_row = position
            self._rows += 1
            if self._rows > self._max_rows:
                raise self._limits.too_many_rows()
        self._offset += len(data)
        self._tail = window[-_TAIL_BYTES:]
        if self._offset - self._last_row > self._max_gap:
            raise self._row_too_large()

    def _row_too_large(self) -> TabularError:
        return TabularError(
            gettext_noop("a row of the sheet is larger than %(max)s MB of XML"),
            max=self._max_gap >> 20,
        )

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> _SheetGuard:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def read_shared_strings(source: BinaryIO, limits: Limits) -> list[str]:
    """A workbook's shared strings (sharedStrings.xml), as openpyxl reads them (the text of a
    string's runs, phonetic guides left out), streamed: a string over `cell_chars` characters,
    or all of them over `xlsx_text_chars`, is a TabularError as soon as it is met."""
    strings: list[str] = []
    parts: list[str] = []
    state = {"string": 0, "text": 0, "phonetic": 0, "total": 0}
    # every string counts for at least this much, so that millions of empty ones are bounded
    floor = 16

    def local(name: str) -> str:
        return name.rpartition(" ")[2]

    def start(name: str, _attributes: Any) -> None:
        tag = local(name)
        if tag == "si":
            parts.clear()
            state["string"] = 0
        elif tag == "rPh":
            state["phonetic"] += 1
        elif tag == "t" and not state["phonetic"]:
            state["text"] += 1

    def end(name: str) -> None:
        tag = local(name)
        if tag == "si":
            strings.append("".join(parts).replace("x005F_", ""))
            state["total"] += floor
            if state["total"] > limits.xlsx_text_chars:
                raise _too_much_text(limits)
        elif tag == "rPh":
            state["phonetic"] -= 1
        elif tag == "t" and state["text"]:
            state["text"] -= 1

    def characters(data: str) -> None:
        if not state["text"] or state["phonetic"]:
            return
        state["string"] += len(data)
        state["total"] += len(data)
        if state["string"] > limits.cell_chars:
            raise TabularError(
                gettext_noop(
                    "the workbook holds a text longer than %(max)s characters, the most a cell "
                    "may hold"
                ),
                max=f"{limits.cell_chars:,}",
            )
        if state["total"] > limits.xlsx_text_chars:
            raise _too_much_text(limits)
        parts.append(data)

    def no_doctype(*_args: Any) -> None:
        raise TabularError(gettext_noop("the workbook's XML declares a document type"))

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    parser.StartDoctypeDeclHandler = no_doctype
    parser.EntityDeclHandler = no_doctype
    try:
        while block := source.read(_READ_BYTES):
            parser.Parse(block, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise TabularError(
            gettext_noop("not a readable XLSX file: %(error)s"), error=str(exc)
        ) from None
    return strings


def _too_much_text(limits: Limits) -> TabularError:
    return TabularError(
        gettext_noop("the workbook holds more than %(max)s characters of text"),
        max=f"{limits.xlsx_text_chars:,}",
    )
