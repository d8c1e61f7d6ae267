"""Hostile files for the tests of bounded reading, generated small on disk: an XLSX workbook
written part by part (so that a part can hold what no spreadsheet program would write), and
the like for CSV."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from xml.sax.saxutils import escape

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook {NS} '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)


def xlsx(
    rows: Iterable[str],
    strings: Iterable[Iterable[str]] = (),
    *,
    sheet_head: str = "",
    strings_head: str = "",
    parts: dict[str, bytes] | None = None,
) -> bytes:
    """A workbook of one sheet whose rows are the XML `rows` (see `row`), with the shared
    strings `strings` (each given as pieces, so that a huge one is never built here);
    `sheet_head` goes before <sheetData> (a dimension), `strings_head` before <sst>."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(f'<?xml version="1.0" encoding="UTF-8"?>{strings_head}<sst {NS}>'.encode())
            for pieces in strings:
                part.write(b"<si><t>")
                for piece in pieces:
                    part.write(piece.encode())
                part.write(b"</t></si>")
            part.write(b"</sst>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            head = f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}>{sheet_head}'
            part.write((head + "<sheetData>").encode())
            for xml in rows:
                part.write(xml.encode())
            part.write(b"</sheetData></worksheet>")
        for name, data in (parts or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def row(number: int, *cells: int | str) -> str:
    """The XML of row `number`: an int is a shared string's index, a str an inline string."""
    out = [f'<row r="{number}">']
    for i, cell in enumerate(cells):
        ref = f"{chr(65 + i)}{number}"
        if isinstance(cell, int):
            out.append(f'<c r="{ref}" t="s"><v>{cell}</v></c>')
        else:
            out.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(cell)}</t></is></c>')
    out.append("</row>")
    return "".join(out)


def repeated(piece: str, times: int) -> Iterable[str]:
    """`piece` `times` over, in pieces of a megabyte or so (never built whole)."""
    block = piece * max(1, (1 << 20) // max(len(piece), 1))
    whole, rest = divmod(times * len(piece), len(block))
    yield from (block for _ in range(whole))
    yield block[:rest]
