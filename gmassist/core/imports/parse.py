"""Parsing a file's cells into typed values, column by column, collecting every error.

Each distinct cell of a column is parsed once (a file of 100,000 rows repeats its dates,
departments and amounts) by the cached parsers of `lib.normalize`, after the mapping's value
maps and defaults; a cell that fails becomes a `Failed` holding its problem, reported with its
row and column once the rows are assembled. Also here: the custom attributes' kinds and the
check that a natural key appears once in a file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from django.utils.translation import gettext, gettext_noop

from gmassist.core.imports.context import ImportContext
from gmassist.core.imports.entities import (
    BOOL,
    CHOICE,
    DATE,
    DECIMAL,
    GENDER,
    INT,
    NAME,
    REF,
    TEXT,
    Column,
    ParsedRow,
)
from gmassist.core.imports.reports import RowError, explain
from gmassist.lib import normalize, tabular

# (row index, column order, field or file column, problem): a cell that failed to parse
Failure = tuple[int, int, str, normalize.Problem]


def custom_kinds(ctx: ImportContext, table: tabular.Table) -> dict[str, str]:
    """Each custom attribute's type: declared in the mapping, else as stored, else inferred."""
    known = ctx.spec.known_attributes()
    index = {column: i for i, column in enumerate(table.header)}
    kinds = {}
    for name, column in ctx.custom_columns.items():
        declared = ctx.mapping.attributes.get(column) or ctx.mapping.attributes.get(name)
        if declared or name in known:
            kinds[name] = declared or known[name]
            continue
        position = index[column]
        cells = [values[position] for _number, values in table.rows]
        if cells and all(isinstance(c, dt.date) or c is None for c in cells) and any(cells):
            kinds[name] = normalize.DATE
        else:
            texts = sorted({normalize.clean_text(c) for c in cells})
            kinds[name] = normalize.infer_kind(texts)
    return kinds


def parse_rows(ctx: ImportContext, table: tabular.Table) -> None:
    """Turn every row's cells into typed values (`ctx.rows`), collecting every parse error.

    Column by column, then the rows are assembled from the columns. Errors are reported in
    row order, then column order, as a person reads the file.
    """
    index = {column: i for i, column in enumerate(table.header)}
    ctx.positions = {name: index[column] for name, column in ctx.columns.items()}
    # the file's columns: one transposition in C (every row has at least the header's width)
    rows_cells = (cells for _number, cells in table.rows)
    file_columns = list(zip(*rows_cells, strict=False)) or [()] * len(index)
    size = len(table.rows)
    failures: list[Failure] = []
    names, columns = _parse_fields(ctx, file_columns, failures)
    _add_defaults(ctx, size, names, columns, failures)
    custom_start = len(names)
    custom_names, custom_columns = _parse_custom(ctx, file_columns, index, custom_start, failures)
    _assemble_rows(ctx, table, (names, columns), (custom_names, custom_columns))
    failures.sort(key=lambda f: (f[0], f[1]))
    for row_index, order, name, problem in failures:
        reason = explain(problem)
        row = ctx.rows[row_index]
        if order >= custom_start:  # a custom column: named as in the file
            cell = row.cells[index[name]]
            ctx.report.errors.append(RowError(row.number, name, normalize.clean_text(cell), reason))
        else:
            ctx.error(row, name, reason)


def _progress_total(ctx: ImportContext) -> int:
    return max(len(ctx.columns) + len(ctx.custom_columns), 1)


def _parse_fields(
    ctx: ImportContext, file_columns: list[Sequence[Any]], failures: list[Failure]
) -> tuple[list[str], list[list[Any]]]:
    """The typed values of each field with a file column: (fields, their value columns)."""
    names: list[str] = []
    columns: list[list[Any]] = []
    total = _progress_total(ctx)
    checking = gettext("Checking column %(column)s")
    for order, (name, position) in enumerate(ctx.positions.items()):
        ctx.progress(10 + 50 * order / total, checking % {"column": ctx.column(name)})
        parse = column_parser(ctx, ctx.spec.column(name))
        values, failed = parse_column(parse, file_columns[position])
        if failed:
            _take_failures(values, order, name, "", failures)
        names.append(name)
        columns.append(values)
    return names, columns


def _add_defaults(
    ctx: ImportContext,
    size: int,
    names: list[str],
    columns: list[list[Any]],
    failures: list[Failure],
) -> None:
    """The fields the mapping gives a default for and the file has no column of: the
    default on every row (a default that does not parse is an error on every row)."""
    for name, value in ctx.mapping.defaults.items():
        if name in ctx.columns:
            continue
        value = column_parser(ctx, ctx.spec.column(name))(value)
        if type(value) is Failed:
            problem = normalize.Problem(
                gettext_noop("the default in the mapping: %(reason)s"), reason=value.problem
            )
            failures.extend((i, len(names), name, problem) for i in range(size))
            value = None
        names.append(name)
        columns.append([value] * size)


def _parse_custom(
    ctx: ImportContext,
    file_columns: list[Sequence[Any]],
    index: dict[str, int],
    start: int,
    failures: list[Failure],
) -> tuple[list[str], list[list[Any]]]:
    """The typed values of each custom attribute: (attribute names, their value columns);
    `start` is the order of the first (after the fields), for the order of the errors."""
    custom_names: list[str] = []
    custom_columns: list[list[Any]] = []
    total = _progress_total(ctx)
    checking = gettext("Checking column %(column)s")
    for order, (name, column) in enumerate(ctx.custom_columns.items(), start=start):
        ctx.progress(10 + 50 * order / total, checking % {"column": column})
        kind = ctx.custom_kinds[name]
        parse = _custom_parser(ctx, kind)
        values, failed = parse_column(parse, file_columns[index[column]])
        if failed:
            _take_failures(values, order, column, _CUSTOM_KIND_REASONS.get(kind, ""), failures)
        custom_names.append(name)
        custom_columns.append(values)
    return custom_names, custom_columns


def _assemble_rows(
    ctx: ImportContext,
    table: tabular.Table,
    fields: tuple[list[str], list[list[Any]]],
    custom: tuple[list[str], list[list[Any]]],
) -> None:
    """`ctx.rows` from the value columns of the fields and of the custom attributes."""
    size = len(table.rows)
    names, columns = fields
    custom_names, custom_columns = custom
    value_rows = zip(*columns, strict=True) if columns else [()] * size
    custom_rows = zip(*custom_columns, strict=True) if custom_columns else [()] * size
    rows = ctx.rows
    for (number, cells), values, attributes in zip(
        table.rows, value_rows, custom_rows, strict=True
    ):
        rows.append(
            ParsedRow(
                number=number,
                values=dict(zip(names, values, strict=True)),
                cells=cells,
                custom=dict(zip(custom_names, attributes, strict=True)) if custom_names else {},
            )
        )


def parse_column(parse: Callable[[Any], Any], cells: Sequence[Any]) -> tuple[list[Any], bool]:
    """`parse` of every cell, called once per distinct cell; and whether any failed."""
    try:
        memo = {cell: parse(cell) for cell in set(cells)}
    except TypeError:  # an unhashable cell
        values = [parse(cell) for cell in cells]
        return values, any(type(v) is Failed for v in values)
    failed = any(type(v) is Failed for v in memo.values())
    return list(map(memo.__getitem__, cells)), failed


# a custom column's problem says the column's type: "%(reason)s (a number column)"
_CUSTOM_KIND_REASONS = {
    normalize.NUMBER: gettext_noop("%(reason)s (a number column)"),
    normalize.DATE: gettext_noop("%(reason)s (a date column)"),
}


def _take_failures(
    values: list[Any],
    order: int,
    name: str,
    template: str,
    out: list[Failure],
) -> None:
    """Move the Failed values of a parsed column to `out` (leaving None in their place);
    `template` ("%(reason)s (a date column)", or "") wraps each problem."""
    for i, value in enumerate(values):
        if type(value) is Failed:
            problem = value.problem
            if template:
                problem = normalize.Problem(template, reason=problem)
            out.append((i, order, name, problem))
            values[i] = None


class Failed:
    """A value that could not be parsed, with the problem (kept in the per-column memo)."""

    __slots__ = ("problem",)

    def __init__(self, problem: normalize.Problem):
        self.problem = problem


def _as_problem(exc: ValueError) -> normalize.Problem:
    """`exc` as a Problem (a parser's own ValueError, say from Decimal, keeps its text)."""
    if isinstance(exc, normalize.Problem):
        return exc
    return normalize.Problem("%(error)s", error=str(exc))


def column_parser(ctx: ImportContext, column: Column) -> Callable[[Any], Any]:
    """A function from a cell to its typed value (None when empty, Failed when wrong).

    Value maps of the mapping apply first, then the mapping's default for an empty cell.
    """
    name = column.name
    value_map = ctx.mapping.values.get(name, {})
    folded_map = {raw.casefold(): stored for raw, stored in value_map.items()}
    default = ctx.mapping.defaults.get(name)
    slash_order = ctx.mapping.options.date_order
    today, decimal_comma = ctx.today, ctx.decimal_comma

    def convert(cell: Any) -> Any:
        if value_map and not isinstance(cell, dt.date):
            text = normalize.clean_text(cell)
            mapped = value_map.get(text)
            if mapped is None:
                mapped = folded_map.get(text.casefold())
            if mapped is not None:
                cell = mapped
        if cell is None or (type(cell) is str and not cell.strip()):
            if default is None or default == cell:
                return None
            cell = default
        try:
            return _parse_value(column, cell, today, slash_order, decimal_comma)
        except ValueError as exc:
            return Failed(_as_problem(exc))

    if value_map or column.kind not in (TEXT, NAME, REF):
        return convert
    # the usual text cell (CSV): trimmed here, the rest (XLSX numbers, empties) by `convert`
    max_length = column.max_length or None
    collapse = column.kind != TEXT

    def text(cell: Any) -> Any:
        if type(cell) is not str:
            return convert(cell)
        value = cell.strip()
        if not value:
            return convert(cell)
        if value[0] == "'":  # a formula our own CSV export neutralised
            value = tabular.unescape_formula(value)
        if collapse and ("  " in value or not value.isprintable()):
            value = normalize.clean_name(value)
        if max_length and len(value) > max_length:
            return Failed(_too_long(max_length))
        return value

    return text


def _parse_value(
    column: Column, cell: Any, today: dt.date, slash_order: str, decimal_comma: bool
) -> Any:
    kind = column.kind
    if kind == DATE:
        return normalize.parse_date(cell, today=today, slash_order=slash_order)
    if kind == DECIMAL:
        return normalize.parse_decimal(cell, decimal_comma=decimal_comma)
    if kind == INT:
        return normalize.parse_int(cell, decimal_comma=decimal_comma)
    if kind == BOOL:
        return normalize.parse_bool(cell)
    if kind == GENDER:
        return normalize.parse_gender(normalize.clean_text(cell))
    text = tabular.unescape_formula(normalize.clean_text(cell))
    if kind == CHOICE:
        return _parse_choice(column.choices, text)
    if kind in (NAME, REF):
        text = normalize.clean_name(text)
    if column.max_length and len(text) > column.max_length:
        raise _too_long(column.max_length)
    return text


def _too_long(max_length: int) -> normalize.Problem:
    return normalize.Problem(
        gettext_noop("longer than %(max_length)d characters"), max_length=max_length
    )


def _parse_choice(choices: tuple[tuple[str, str], ...], text: str) -> str:
    folded = text.casefold().replace("-", "_").replace(" ", "_")
    for value, label in choices:
        if folded in (value.casefold(), str(label).casefold().replace("-", "_").replace(" ", "_")):
            return value
    allowed = ", ".join(value for value, _label in choices)
    raise normalize.Problem(gettext_noop("not one of %(allowed)s"), allowed=allowed)


def _custom_parser(ctx: ImportContext, kind: str) -> Callable[[Any], Any]:
    """A function from a cell to a custom attribute's JSON value (None when empty, Failed)."""
    decimal_comma, today = ctx.decimal_comma, ctx.today
    slash_order = ctx.mapping.options.date_order

    def parse(cell: Any) -> Any:
        text = normalize.clean_text(cell)
        if cell is None or not text:
            return None
        try:
            if kind == normalize.NUMBER:
                number = normalize.parse_decimal(cell, decimal_comma=decimal_comma)
                return normalize.number_for_json(number)
            if kind == normalize.DATE:
                date = normalize.parse_date(cell, today=today, slash_order=slash_order)
                return date.isoformat()
        except ValueError as exc:
            return Failed(_as_problem(exc))
        return normalize.clean_name(tabular.unescape_formula(text))

    return parse


def check_duplicate_keys(ctx: ImportContext) -> None:
    """A natural key may appear once in a file: a second row would silently win otherwise."""
    key = ctx.spec.key
    if not key:
        return  # rows with no natural key of their own (invoice lines, aggregated elsewhere)
    if len(key) == 1:
        keys = [row.values.get(key[0]) for row in ctx.rows]
        if len(set(keys)) == len(keys):
            return  # the usual case: every key is different (empty ones included)
        keys = [(k,) for k in keys]
    else:
        keys = [tuple(row.values.get(k) for k in key) for row in ctx.rows]
    first_row: dict[tuple, int] = {}
    for row, values in zip(ctx.rows, keys, strict=True):
        if None in values or "" in values:
            continue
        first = first_row.setdefault(values, row.number)
        if first != row.number:
            reason = gettext("duplicate %(key)s: also on row %(row)d")
            ctx.error(row, key[-1], reason % {"key": " + ".join(key), "row": first})
