"""The route's rules, file sniffing and the DOCX/PDF writers, without a database."""

import io
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gmassist.office.documents.engine import (
    Outcome,
    Paragraph,
    Routing,
    StepState,
    docx_bytes,
    docx_text,
    pdf_bytes,
    required_approvals,
    route_after,
    route_start,
    sniff_file_kind,
)

A, OP, W, R, C, S = (
    StepState.APPROVED,
    StepState.OPEN,
    StepState.WAITING,
    StepState.REJECTED,
    StepState.CHANGES,
    StepState.SKIPPED,
)


def test_a_sequence_opens_its_first_step_only():
    assert route_start(Routing.SEQUENCE, 3).states == (OP, W, W)


def test_a_parallel_route_opens_every_step():
    assert route_start(Routing.PARALLEL, 3).states == (OP, OP, OP)


def test_in_sequence_the_next_step_opens_when_the_previous_approves():
    route = route_after(Routing.SEQUENCE, None, [A, W, W])
    assert route.states == (A, OP, W)
    assert route.outcome == Outcome.IN_REVIEW


def test_a_sequence_is_approved_when_the_last_approves():
    assert route_after(Routing.SEQUENCE, None, [A, A, A]).outcome == Outcome.APPROVED


def test_in_parallel_the_minimum_approves_and_skips_the_rest():
    route = route_after(Routing.PARALLEL, 2, [A, OP, A])
    assert route.outcome == Outcome.APPROVED
    assert route.states == (A, S, A)


def test_in_parallel_below_the_minimum_it_stays_in_review():
    route = route_after(Routing.PARALLEL, 2, [A, OP, OP])
    assert route == route_after(Routing.PARALLEL, 2, [A, OP, OP])
    assert route.outcome == Outcome.IN_REVIEW
    assert route.states == (A, OP, OP)


def test_a_rejection_rejects_whatever_the_approvals():
    route = route_after(Routing.PARALLEL, 2, [A, R, OP])
    assert route.outcome == Outcome.REJECTED
    assert route.states == (A, R, S)


def test_a_request_for_changes_sends_it_back_and_closes_the_rest():
    route = route_after(Routing.SEQUENCE, None, [A, C, W])
    assert route.outcome == Outcome.CHANGES
    assert route.states == (A, C, S)


def test_a_minimum_outside_the_route_is_refused():
    with pytest.raises(ValueError, match="between 1 and 2"):
        required_approvals(Routing.PARALLEL, 2, 3)
    with pytest.raises(ValueError, match="at least one approver"):
        route_start(Routing.SEQUENCE, 0)


@given(
    steps=st.integers(min_value=1, max_value=8),
    data=st.data(),
)
def test_a_parallel_route_is_approved_exactly_when_the_minimum_approved(steps, data):
    minimum = data.draw(st.integers(min_value=1, max_value=steps))
    states = data.draw(st.lists(st.sampled_from([A, OP]), min_size=steps, max_size=steps))
    route = route_after(Routing.PARALLEL, minimum, states)
    approvals = states.count(A)
    assert (route.outcome == Outcome.APPROVED) == (approvals >= minimum)
    assert route.states.count(A) == approvals  # a decision is never undone
    if route.outcome == Outcome.APPROVED:
        assert OP not in route.states


@given(decided=st.integers(min_value=0, max_value=6), extra=st.integers(min_value=1, max_value=4))
def test_a_sequence_has_one_open_step_until_it_ends(decided, extra):
    states = [A] * decided + [W] * extra
    route = route_after(Routing.SEQUENCE, None, states)
    assert route.states.count(OP) == 1
    assert route.states.index(OP) == decided


def test_a_pdf_is_known_by_its_header():
    assert sniff_file_kind(pdf_bytes(["Hello"], title="T")) == "pdf"


def test_a_docx_is_a_zip_holding_word_document_xml():
    data = docx_bytes([Paragraph("合同")])
    assert sniff_file_kind(data[:1024], io.BytesIO(data)) == "docx"


def test_a_zip_without_a_word_document_is_not_a_docx():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<x/>")
    data = buffer.getvalue()
    assert sniff_file_kind(data[:1024], io.BytesIO(data)) == ""


def test_a_program_renamed_is_nothing():
    exe = b"MZ\x90\x00\x03" + b"\x00" * 200
    assert sniff_file_kind(exe, io.BytesIO(exe)) == ""


def test_the_docx_writer_is_deterministic_and_keeps_chinese():
    paragraphs = [Paragraph("采购合同", "title"), Paragraph("第一条\n第二条")]
    assert docx_bytes(paragraphs) == docx_bytes(paragraphs)
    assert docx_text(docx_bytes(paragraphs)) == "采购合同\n第一条第二条"


def test_the_pdf_writer_makes_a_cross_reference_table_that_points_at_its_objects():
    data = pdf_bytes(["Line (one)"], title="Policy")
    start = int(data.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert data[start : start + 4] == b"xref"
    first = int(data[start:].split(b"\n")[3][:10])
    assert data[first : first + 7] == b"1 0 obj"
    assert b"(Line \\(one\\)) Tj" in data


def test_the_engine_imports_no_django():
    import ast
    from pathlib import Path

    from gmassist.office.documents import engine

    tree = ast.parse(Path(engine.__file__).read_text(encoding="utf-8"))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        (node.module or "").split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
    }
    assert not imported & {"django", "gmassist"}
