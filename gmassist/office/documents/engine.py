"""The pure rules of documents awaiting approval: how a route moves after each decision, what
an uploaded file really is (by its bytes, not its name), and small DOCX and PDF writers for the
approval record and the demo's files. No Django: plain data in, plain data out."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from xml.sax.saxutils import escape

# --- the route -------------------------------------------------------------------------------


class StepState(StrEnum):
    """Where one approver's step stands."""

    WAITING = "waiting"  # in a sequence, before its turn
    OPEN = "open"  # the approver's turn to decide
    APPROVED = "approved"
    REJECTED = "rejected"
    CHANGES = "changes"  # the approver asked the author for changes
    SKIPPED = "skipped"  # no longer needed: the route ended before this step decided


class Outcome(StrEnum):
    """Where the route as a whole stands."""

    IN_REVIEW = "in_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    CHANGES = "changes"


class Routing(StrEnum):
    SEQUENCE = "sequence"  # one approver after the other, each after the previous approved
    PARALLEL = "parallel"  # all at once; approved once `minimum` have approved


DECIDED = frozenset({StepState.APPROVED, StepState.REJECTED, StepState.CHANGES})


@dataclass(frozen=True)
class Route:
    """A route after the latest decision: each step's state, in the route's order, and the
    outcome."""

    states: tuple[StepState, ...]
    outcome: Outcome


def required_approvals(routing: Routing, steps: int, minimum: int | None) -> int:
    """How many approvals a route of `steps` approvers needs: all of them in a sequence,
    `minimum` (1 to `steps`; all when None) in parallel."""
    if steps < 1:
        raise ValueError("a route needs at least one approver")
    if routing == Routing.SEQUENCE or minimum is None:
        return steps
    if not 1 <= minimum <= steps:
        raise ValueError(f"the minimum {minimum} is not between 1 and {steps}")
    return minimum


def route_start(routing: Routing, steps: int) -> Route:
    """A fresh route: the first step open in a sequence, every step open in parallel."""
    required_approvals(routing, steps, None)
    if routing == Routing.SEQUENCE:
        states = (StepState.OPEN,) + (StepState.WAITING,) * (steps - 1)
    else:
        states = (StepState.OPEN,) * steps
    return Route(states, Outcome.IN_REVIEW)


def route_after(routing: Routing, minimum: int | None, states: Sequence[StepState]) -> Route:
    """The route once its decided steps are as in `states` (an open step that was just decided
    carries its decision): a rejection rejects the document, a request for changes sends it
    back to the author, enough approvals approve it (all in a sequence, `minimum` in parallel);
    otherwise, in a sequence, the next waiting step opens. Steps no longer needed are skipped.
    """
    states = tuple(StepState(state) for state in states)
    required = required_approvals(routing, len(states), minimum)
    ended: Outcome | None = None
    if StepState.REJECTED in states:
        ended = Outcome.REJECTED
    elif StepState.CHANGES in states:
        ended = Outcome.CHANGES
    elif states.count(StepState.APPROVED) >= required:
        ended = Outcome.APPROVED
    if ended is not None:
        closed = tuple(state if state in DECIDED else StepState.SKIPPED for state in states)
        return Route(closed, ended)
    if routing == Routing.SEQUENCE and StepState.OPEN not in states:
        turn = states.index(StepState.WAITING)
        states = (*states[:turn], StepState.OPEN, *states[turn + 1 :])
    return Route(states, Outcome.IN_REVIEW)


# --- what a file is --------------------------------------------------------------------------


class FileKind(StrEnum):
    PDF = "pdf"
    DOCX = "docx"


CONTENT_TYPES = {
    FileKind.PDF: "application/pdf",
    FileKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
# how many bytes of the file's start tell a PDF (its header may follow a little junk)
PDF_HEADER_WINDOW = 1024


def sniff_file_kind(head: bytes, whole: io.BufferedIOBase | io.BytesIO | None = None) -> str:
    """What the file whose first bytes are `head` is, by its content: "pdf" when "%PDF-"
    starts it (within its first kilobyte, as readers accept), "docx" when it is a ZIP archive
    that holds word/document.xml (`whole`, the file opened for reading, is needed to look
    inside the archive), "" when it is neither: a renamed program is refused whatever its name.
    """
    if b"%PDF-" in head[:PDF_HEADER_WINDOW]:
        return FileKind.PDF
    if head[:4] == b"PK\x03\x04" and whole is not None:
        try:
            whole.seek(0)
            with zipfile.ZipFile(whole) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return ""
        finally:
            whole.seek(0)
        if "word/document.xml" in names:
            return FileKind.DOCX
    return ""


# --- writing DOCX and PDF --------------------------------------------------------------------

_DOCX_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
_DOCX_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/>'
    "</Relationships>"
)
# a fixed time for every member of the archive: the same text makes the same bytes
_ZIP_TIME = (2020, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of a written document: `style` "title", "heading" or "" (body text)."""

    text: str
    style: str = ""


def _docx_paragraph(paragraph: Paragraph) -> str:
    size = {"title": 36, "heading": 28}.get(paragraph.style)
    props = f'<w:rPr><w:b/><w:sz w:val="{size}"/></w:rPr>' if size else ""
    runs = []
    for number, line in enumerate(paragraph.text.split("\n")):
        brk = "<w:br/>" if number else ""
        runs.append(f'<w:r>{props}{brk}<w:t xml:space="preserve">{escape(line)}</w:t></w:r>')
    return f"<w:p>{''.join(runs)}</w:p>"


def docx_bytes(paragraphs: Sequence[Paragraph]) -> bytes:
    """A minimal valid DOCX (a ZIP with [Content_Types].xml, the package relationships and
    word/document.xml) holding `paragraphs`; deterministic: the same paragraphs make the same
    bytes. Any Unicode text (Chinese included) is kept as it is."""
    body = "".join(_docx_paragraph(paragraph) for paragraph in paragraphs)
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{body}</w:body></w:document>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in (
            ("[Content_Types].xml", _DOCX_CONTENT_TYPES),
            ("_rels/.rels", _DOCX_RELS),
            ("word/document.xml", document),
        ):
            archive.writestr(zipfile.ZipInfo(name, _ZIP_TIME), text)
    return buffer.getvalue()


def docx_text(data: bytes) -> str:
    """The text of a DOCX's paragraphs, one per line (what `docx_bytes` wrote, or Word's)."""
    import re

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
    lines = []
    for paragraph in re.findall(r"<w:p[ >].*?</w:p>", xml, flags=re.S):
        texts = re.findall(r"<w:t(?: [^>]*)?>(.*?)</w:t>", paragraph, flags=re.S)
        lines.append("".join(texts))
    from xml.sax.saxutils import unescape

    return "\n".join(unescape(line) for line in lines)


def _pdf_text(text: str) -> str:
    # the standard Helvetica font speaks Latin-1: anything else is replaced, not dropped
    latin = text.encode("latin-1", "replace").decode("latin-1")
    return latin.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf_bytes(lines: Sequence[str], *, title: str = "") -> bytes:
    """A minimal valid one-page PDF (1.4, A4, Helvetica 11 pt) with `lines` from the top,
    its cross-reference table computed; deterministic. For the demo's files and tests: text
    outside Latin-1 becomes "?" (a document in Chinese is written as a DOCX)."""
    rows = [f"BT /F1 16 Tf 56 790 Td ({_pdf_text(title)}) Tj ET"] if title else []
    top = 760 if title else 790
    for number, line in enumerate(lines[:60]):
        rows.append(f"BT /F1 11 Tf 56 {top - 14 * number} Td ({_pdf_text(line)}) Tj ET")
    stream = "\n".join(rows).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1))
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


# --- the approval record ---------------------------------------------------------------------


@dataclass(frozen=True)
class RecordStep:
    """One decision on the approved version, as the record prints it (texts already in the
    reader's language)."""

    order: int
    approver: str
    decision: str
    decided_by: str  # who decided: the approver, or their deputy
    on_behalf_of: str  # the approver when a deputy decided, else ""
    decided_at: dt.datetime | None
    comment: str


def approval_record_paragraphs(
    *,
    labels: dict[str, str],
    title: str,
    facts: Sequence[tuple[str, str]],
    steps: Sequence[RecordStep],
    text: str = "",
) -> list[Paragraph]:
    """The paragraphs of an archived document's approval record: its title, its facts
    (label, value), one paragraph per decision and, for a written document, its text.
    `labels` holds the translated words: "record", "decisions", "on_behalf", "text"."""
    out = [Paragraph(title, "title"), Paragraph(labels["record"], "heading")]
    out += [Paragraph(f"{label}: {value}") for label, value in facts]
    out.append(Paragraph(labels["decisions"], "heading"))
    for step in steps:
        when = step.decided_at.strftime("%Y-%m-%d %H:%M") if step.decided_at else "—"
        who = step.decided_by
        if step.on_behalf_of:
            who = labels["on_behalf"].format(deputy=step.decided_by, principal=step.on_behalf_of)
        line = f"{step.order}. {step.approver} — {step.decision} — {who} — {when}"
        out.append(Paragraph(line + (f"\n{step.comment}" if step.comment else "")))
    if text:
        out.append(Paragraph(labels["text"], "heading"))
        out += [Paragraph(block) for block in text.split("\n\n")]
    return out
