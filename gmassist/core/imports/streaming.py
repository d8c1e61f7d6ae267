"""Streaming: large files chunk by chunk.

An entity with millions of rows a file (monthly revenue) sets `EntitySpec.stream`: a function
from the context to a `ChunkPlanner`. `import_file` then never holds the file: it reads
`CHUNK_ROWS` rows at a time (`tabular.open_table`) and hands each to `planner.chunk` as a
`RowChunk`, the file's columns as arrays. The planner checks a chunk column by column
(vectorised: a lookup of every code in one array operation, a pattern for the plain values),
sends the rare odd cells through the same parsers as every other import (`RowChunk.parse`),
reports errors with their true file row (`RowChunk.error`), and stages the checked rows on the
database (`lib.bulk.Staging`). `planner.finish` does the checks that need the whole file
(duplicate keys), counts created/updated/unchanged against the stored rows and returns the
Plan whose `write` merges the staged rows in one statement. It all runs in one transaction:
an error, or a dry run, rolls everything back. Errors are reported in file order like any
import's. `planner.close` is always called last (drop what it staged).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext, gettext_noop

from gmassist.core.imports.context import ImportContext
from gmassist.core.imports.entities import ParsedRow, Plan
from gmassist.core.imports.parse import Failed, column_parser, parse_column
from gmassist.core.imports.reports import (
    ImportFailed,
    RowError,
    audit_import,
    explain,
    in_file_order,
)
from gmassist.lib import normalize, tabular


class ChunkPlanner:
    """Checks and stages a streamed file chunk by chunk (see above); subclass per entity."""

    def chunk(self, rows: RowChunk) -> None:
        raise NotImplementedError

    def finish(self) -> Plan:
        raise NotImplementedError

    def close(self) -> None:
        """Drop anything staged (called after an error too)."""


CHUNK_ROWS = tabular.CHUNK_ROWS


class RowChunk:
    """Consecutive data rows of a streamed file: row numbers and cells by column, as arrays."""

    def __init__(self, ctx: ImportContext, numbers: Sequence[int], columns: list[tuple]):
        import numpy as np

        self.ctx = ctx
        self.numbers = np.asarray(numbers, dtype=np.int64)
        self.file_columns = columns  # the file's columns, in the header's order

    def __len__(self) -> int:
        return len(self.numbers)

    def cells(self, name: str) -> Any:
        """Field `name`'s cells as an object array: its file column, else the mapping's default
        for every row (None when neither)."""
        import numpy as np

        position = self.ctx.positions.get(name)
        if position is not None:
            cells = np.empty(len(self), dtype=object)
            cells[:] = self.file_columns[position]
            return cells
        return np.full(len(self), self.ctx.mapping.defaults.get(name), dtype=object)

    def parse(self, name: str, index: Any) -> list[Any]:
        """The typed values of field `name` on the rows at `index` (positions in the chunk),
        parsed exactly as the row-by-row imports parse them (mapping value maps and defaults,
        one call per distinct cell); a cell that fails is reported as that row's error and is
        None."""
        cells = self.cells(name)[index].tolist()
        parse = column_parser(self.ctx, self.ctx.spec.column(name))
        values, failed = parse_column(parse, cells)
        if failed:
            default = name not in self.ctx.columns
            for i, value in zip(index.tolist(), values, strict=True):
                if type(value) is Failed:
                    problem = value.problem
                    if default:
                        problem = normalize.Problem(
                            gettext_noop("the default in the mapping: %(reason)s"), reason=problem
                        )
                    self.error(i, name, explain(problem))
            values = [None if type(v) is Failed else v for v in values]
        return values

    def row(self, i: int) -> ParsedRow:
        """Row `i` of the chunk as a ParsedRow with its cells (no values), for `ctx.error`."""
        return ParsedRow(
            number=int(self.numbers[i]), values={}, cells=[c[i] for c in self.file_columns]
        )

    def error(self, i: int, name: str, reason: str) -> None:
        """Report an error on field `name` of row `i` (the cell is its value)."""
        self.ctx.error(self.row(i), name, reason)


def row_error(ctx: ImportContext, number: int, name: str, reason: str, value: Any) -> None:
    """Report an error on a row no longer held (a streamed file's), with the cell's `value`."""
    ctx.error(
        ParsedRow(number=number, values={}, cells=[]),
        name,
        reason,
        value="" if value is None else value,
    )


def import_chunks(
    ctx: ImportContext, stream: tabular.TableStream, *, by: Any, dry_run: bool, path: Path
) -> None:
    """Run a streamed entity's planner over the file's chunks, then write (all or nothing)."""
    index = {column: i for i, column in enumerate(stream.header)}
    ctx.positions = {name: index[column] for name, column in ctx.columns.items()}
    with transaction.atomic():
        ctx.stream = not dry_run
        planner = ctx.spec.stream(ctx)
        try:
            plan = _check_chunks(ctx, stream, planner, path=path)
            if not dry_run:
                ctx.progress(90, gettext("Writing"))
                plan.write()
        finally:
            planner.close()
        if dry_run:
            ctx.progress(90, gettext("Dry run: nothing written"))
            transaction.set_rollback(True)
            return
        audit_import(by=by, spec=ctx.spec, path=path, report=ctx.report)


def _check_chunks(
    ctx: ImportContext, stream: tabular.TableStream, planner: ChunkPlanner, *, path: Path
) -> Plan:
    """Every chunk through `planner`, then its whole-file checks: the Plan, with the counts
    and the problems (in file order) in the report; ImportFailed on any error."""
    report = ctx.report
    width = len(stream.header)
    checked = gettext("Checked %(rows)s rows")
    try:
        for chunk in stream.chunks(CHUNK_ROWS):
            report.rows += len(chunk.numbers)
            planner.chunk(RowChunk(ctx, chunk.numbers, chunk.columns(width)))
            ctx.progress(5 + 75 * stream.fraction(), checked % {"rows": f"{report.rows:,}"})
    except tabular.TabularError as exc:
        report.errors.append(RowError(None, "", path.name, explain(exc)))
    ctx.progress(80, gettext("Checking against the database"))
    plan = planner.finish()
    ctx.stream = False
    report.counts = plan.counts
    report.errors[:] = in_file_order(report.errors)
    report.warnings[:] = in_file_order(report.warnings)
    if report.errors:
        raise ImportFailed(report)
    return plan
