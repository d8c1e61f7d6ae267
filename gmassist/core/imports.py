"""Imports and exports of real files: the generic machinery and the registry of entities.

An app registers an `EntitySpec` per importable entity (see `gmassist/org/importers.py`): its
canonical columns, natural key, permission domain, how to plan the writes from parsed rows and
how to export. `import_file` does the rest the same way for every entity:

1. read the file (`lib.tabular`), apply the mapping (`lib.mapping`), parse every value with the
   cached parsers of `lib.normalize`, collecting every error with row, column, value and reason;
2. let the entity plan its writes against what the database holds (reads only), counting what
   would be created, updated or left unchanged;
3. unless it is a dry run or there is any error, write everything in one transaction and record
   one audit entry. Rows whose values are unchanged are not written at all. When the file has
   no error so far, step 2 already runs in that transaction and an entity may write the rows it
   has checked while it checks the next ones (`ImportContext.writing`, on PostgreSQL the server
   works meanwhile in its own process); an error found later rolls everything back.

An entity's plan uses the helpers at the end of this module: `given_values` (the columns a row
gives), `merge_rows` (the generic diff of parsed rows against stored ones by natural key, with
the counts), `save_rows` (insert the new rows, update the changed ones), `CatalogueLookup` (a
catalogue row by code or unique name, or a new one to create), and the small value checks
`text_or_empty`, `out_of_range_reason`, `column_choices`, `count` and `money`.

Reasons are written in the active language (the job activates its user's): the pure modules
raise `normalize.Problem`s, message templates with named values, which `explain` translates
only when a problem is reported, never per cell.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, ngettext

from gmassist.core.choices import Action, AuditAction
from gmassist.core.jobs import JobContext, JobError, JobLost, WorkerStopping, job_handler
from gmassist.core.permissions import ALL, Domain, reach
from gmassist.lib import normalize, tabular
from gmassist.lib.bulk import INSERT, UPDATE, bulk_upsert
from gmassist.lib.mapping import (
    CUSTOM_PREFIX,
    Mapping,
    MappingError,
    identity_mapping,
    parse_mapping,
)

ProgressCallback = Callable[[float, str], None]

# value kinds of canonical columns
TEXT = "text"  # trimmed text
NAME = "name"  # trimmed text with inner spaces collapsed
DATE = "date"
DECIMAL = "decimal"
INT = "int"
BOOL = "bool"
GENDER = "gender"
CHOICE = "choice"  # one of Column.choices (value or label, any case)
REF = "ref"  # a reference (code, name or employee number) the entity resolves itself


@dataclass(frozen=True)
class Column:
    """A canonical column of an entity: the field it feeds and how its values are parsed."""

    name: str
    kind: str = TEXT
    choices: tuple[tuple[str, str], ...] = ()  # (value, label) for CHOICE
    max_length: int = 0  # longer text is an error (0: no limit)


@dataclass
class RowError:
    """A problem with a row (row None: the whole file); `column` is the file's column name.

    What comes from the file is cut short (`tabular.shorten`): a report echoes a cell or a
    column name, never 32,767 characters of it.
    """

    row: int | None
    column: str
    value: str
    reason: str

    def __post_init__(self) -> None:
        self.column = tabular.shorten(self.column)
        self.value = tabular.shorten(self.value)
        self.reason = tabular.shorten(self.reason, 4 * tabular.SHORT_CHARS)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# A report keeps this many errors and warnings (each says its row, column, value and reason)
# and counts the rest, so that a job's result stays small whatever the file; while it runs,
# an import holds ten times as many (the first found), so that a file of millions of wrong
# rows does not hold millions of errors.
MAX_REPORTED_PROBLEMS = 1_000
KEPT_PROBLEMS = 10 * MAX_REPORTED_PROBLEMS


class Problems(list):
    """The errors (or warnings) of a report: every one is counted in `total`, the first
    KEPT_PROBLEMS are kept, and every whole-file one (row None)."""

    def __init__(self, *args: Any):
        super().__init__(*args)
        self.total = len(self)

    def append(self, problem: RowError) -> None:
        self.total += 1
        if len(self) < KEPT_PROBLEMS or problem.row is None:
            super().append(problem)

    def extend(self, problems: Any) -> None:
        for problem in problems:
            self.append(problem)


def problem_count(problems: list[RowError]) -> int:
    """How many problems were found (kept or only counted)."""
    return getattr(problems, "total", len(problems))


@dataclass
class ImportReport:
    """What an import did or, in a dry run, would do; counts per kind of row written."""

    entity: str
    dry_run: bool
    file_name: str = ""
    rows: int = 0
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=Problems)
    warnings: list[RowError] = field(default_factory=Problems)
    # proposals the import made instead of writing (an existing employee's new pay):
    # {id (None in a dry run), kind, lines, message (in the import's language)}
    proposals: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        """A JSON-able copy, as stored in the job's result: the first MAX_REPORTED_PROBLEMS
        errors and warnings in file order, and how many there are in all."""
        errors = _in_file_order(self.errors)[:MAX_REPORTED_PROBLEMS]
        warnings = _in_file_order(self.warnings)[:MAX_REPORTED_PROBLEMS]
        return {
            "entity": self.entity,
            "dry_run": self.dry_run,
            "file_name": self.file_name,
            "rows": self.rows,
            "counts": self.counts,
            "errors": [e.as_dict() for e in errors],
            "warnings": [w.as_dict() for w in warnings],
            "error_count": problem_count(self.errors),
            "warning_count": problem_count(self.warnings),
            "proposals": self.proposals,
        }


def _in_file_order(problems: list[RowError]) -> list[RowError]:
    """Whole-file problems first, then by row; within a row in the order they were found.

    The checks run in phases (cells, duplicates, references), so the order found is not the
    order a person reads the file in.
    """
    return sorted(problems, key=lambda p: -1 if p.row is None else p.row)


class ImportFailed(Exception):
    """An import found errors and wrote nothing; `report` lists them all."""

    def __init__(self, report: ImportReport):
        count = problem_count(report.errors)
        message = ngettext("%(file)s: %(count)d error", "%(file)s: %(count)d errors", count)
        super().__init__(message % {"file": report.file_name or report.entity, "count": count})
        self.report = report


@dataclass
class ParsedRow:
    """A data row after parsing: typed values of the fields that have a column, by field name.

    A field given with an empty cell holds None; a field with no column is absent from `values`.
    `custom` holds the typed custom attributes given ("" / missing cells are None).
    """

    number: int
    values: dict[str, Any]
    cells: list[Any]  # the file's cells, for error messages
    custom: dict[str, Any] = field(default_factory=dict)


@dataclass
class Plan:
    """What an entity will write: counts per kind of row and a function that writes it all."""

    counts: dict[str, dict[str, int]]
    write: Callable[[], None]


@dataclass
class EntitySpec:
    """An importable and exportable entity, registered by the app that owns its model."""

    name: str  # "employees"
    model: type[models.Model]
    columns: tuple[Column, ...]  # canonical columns, in export order
    key: tuple[str, ...]  # the natural key, as column names; unique within a file (may be empty)
    plan: Callable[[ImportContext], Plan]
    export_rows: Callable[[models.QuerySet], Iterator[list[Any]]]  # values in column order
    custom_entity: str = ""  # entity name of its custom attributes ("" when it has none)
    known_attributes: Callable[[], dict[str, str]] = dict  # custom attribute name -> kind
    queryset: Callable[[], models.QuerySet] | None = None  # what export reads (default: all)
    # a large entity's chunked plan (see "Streaming" below); None: the row-by-row `plan`
    stream: Callable[[ImportContext], ChunkPlanner] | None = None

    @property
    def domain(self) -> Domain:
        return self.model.restrict_scope.domain

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


_ENTITIES: dict[str, EntitySpec] = {}


def register_entity(spec: EntitySpec) -> EntitySpec:
    """Make `spec` importable and exportable under its name."""
    if spec.name in _ENTITIES and _ENTITIES[spec.name].model is not spec.model:
        raise ValueError(f"import entity {spec.name!r} is registered twice")
    _ENTITIES[spec.name] = spec
    return spec


def entity_spec(name: str) -> EntitySpec:
    """The registered entity `name`; ValueError naming the known ones otherwise."""
    try:
        return _ENTITIES[name]
    except KeyError:
        known = ", ".join(sorted(_ENTITIES)) or "-"
        message = gettext("unknown entity %(entity)r; known: %(known)s")
        raise ValueError(message % {"entity": name, "known": known}) from None


def registered_entities() -> list[str]:
    return sorted(_ENTITIES)


# --- the context an entity plans in ----------------------------------------------------------


@dataclass
class ImportContext:
    """Parsed rows with their file's columns, and where an entity reports errors and warnings."""

    spec: EntitySpec
    mapping: Mapping
    rows: list[ParsedRow]
    columns: dict[str, str]  # field -> the file column it comes from
    custom_columns: dict[str, str]  # custom attribute name -> the file column
    custom_kinds: dict[str, str]  # custom attribute name -> number / category / date
    today: dt.date
    decimal_comma: bool
    report: ImportReport
    progress: ProgressCallback
    positions: dict[str, int] = field(default_factory=dict)  # field -> index of its cell
    # True while the plan runs inside the import's transaction (not a dry run, no error yet)
    stream: bool = False
    by: Any = None  # who imports (None: the system), for what the import proposes or audits
    _failed_cells: set[tuple[int | None, str]] = field(default_factory=set)

    def has(self, name: str) -> bool:
        """True when the file gives `name` (a column, or a default in the mapping)."""
        return name in self.columns or name in self.mapping.defaults

    def column(self, name: str) -> str:
        return self.columns.get(name, name)

    def writing(self) -> bool:
        """True when the plan may write what it has checked so far: in the import's
        transaction and no error found yet (once there is one, it only goes on checking, to
        report every error, and the transaction is rolled back)."""
        return self.stream and not self.report.errors

    def error(self, row: ParsedRow | None, name: str, reason: str, value: Any = None) -> None:
        """Report a row error on field `name` (the file's column name is written).

        A cell gets one error: a value that could not be parsed is not also reported missing.
        """
        cell = (row.number if row else None, name)
        if cell in self._failed_cells:
            return
        if len(self._failed_cells) < KEPT_PROBLEMS:  # (beyond, the count is only close)
            self._failed_cells.add(cell)
        self.report.errors.append(self._entry(row, name, reason, value))

    def warning(self, row: ParsedRow | None, name: str, reason: str, value: Any = None) -> None:
        self.report.warnings.append(self._entry(row, name, reason, value))

    def _entry(self, row: ParsedRow | None, name: str, reason: str, value: Any) -> RowError:
        if value is None and row is not None:
            position = self.positions.get(name)
            if position is not None:
                value = row.cells[position]
            else:
                value = self.mapping.defaults.get(name, "")
        return RowError(
            row=row.number if row else None,
            column=self.column(name),
            value=normalize.clean_text(value),
            reason=reason,
        )


# --- import ----------------------------------------------------------------------------------


def import_limits(*, streamed: bool) -> tabular.Limits:
    """The limits of a file to import, from the settings (docs/security.md): a file read
    chunk by chunk (`streamed`, memory bounded by the chunk) may have more rows than one an
    import holds whole."""
    return tabular.Limits(
        rows=settings.IMPORT_MAX_STREAMED_ROWS if streamed else settings.IMPORT_MAX_ROWS,
        columns=settings.IMPORT_MAX_COLUMNS,
        cell_chars=settings.IMPORT_MAX_CELL_CHARS,
    )


def import_file(
    *,
    entity: str,
    path: Path,
    mapping: Mapping | None,
    by: Any | None,
    dry_run: bool,
    progress: ProgressCallback | None = None,
    limits: tabular.Limits | None = None,
) -> ImportReport:
    """Import a CSV or XLSX file of `entity` (e.g. "employees"), all or nothing.

    `mapping` None means the file's columns are the canonical column names (as exported).
    `by` is a user, who needs `Action.IMPORT` on the entity's whole domain, or `SYSTEM` (the
    CLI without --user); None may not import.
    With `dry_run` nothing is written and the report says what would change. Raises
    ImportFailed (with every error in its report) and writes nothing when any row is wrong.
    `progress(percent 0-100, message)` is called while reading and validating. The file is
    read within `limits` (default: `import_limits`, from the settings); a file over one is a
    whole-file error, found before it is held.
    """
    spec = entity_spec(entity)
    if limits is None:
        limits = import_limits(streamed=spec.stream is not None)
    if reach(by, spec.domain, Action.IMPORT) != ALL:
        raise PermissionDenied(gettext("you may not import %(entity)s") % {"entity": spec.name})
    report_progress = progress or (lambda _percent, _message: None)
    path = Path(path)
    report = ImportReport(entity=spec.name, dry_run=dry_run, file_name=path.name)
    mapping = mapping or identity_mapping()

    with _gc_paused():
        report_progress(0, gettext("Reading %(file)s") % {"file": path.name})
        try:
            stream = tabular.open_table(path, limits=limits)
        except tabular.TabularError as exc:
            report.errors.append(RowError(None, "", path.name, explain(exc)))
            raise ImportFailed(report) from None
        except OSError as exc:
            reason = gettext("cannot read the file: %(error)s") % {"error": exc.strerror or exc}
            report.errors.append(RowError(None, "", path.name, reason))
            raise ImportFailed(report) from None
        with stream:
            ctx = _context(spec, mapping, stream, report, report_progress)
            ctx.by = by
            if report.errors:  # whole-file errors: the rows cannot be read sensibly
                raise ImportFailed(report)
            if spec.stream is not None:
                _import_chunks(ctx, stream, by=by, dry_run=dry_run, path=path)
                report_progress(100, gettext("Done"))
                return report
            try:
                table = stream.read_all()
            except tabular.TabularError as exc:
                report.errors.append(RowError(None, "", path.name, explain(exc)))
                raise ImportFailed(report) from None
        report.rows = len(table.rows)
        if ctx.custom_columns:
            ctx.custom_kinds = _custom_kinds(ctx, table)
        _parse_rows(ctx, table)
        _check_duplicate_keys(ctx)
        report_progress(60, gettext("Checking against the database"))
        if dry_run or report.errors:
            plan = spec.plan(ctx)
            report.counts = plan.counts
            if report.errors:
                raise ImportFailed(report)
            report_progress(90, gettext("Dry run: nothing written"))
            return report
        with transaction.atomic():
            # the plan may write the rows it has checked while it checks the next ones
            # (ctx.writing()); an error found later rolls all of it back
            ctx.stream = True
            plan = spec.plan(ctx)
            ctx.stream = False
            report.counts = plan.counts
            if report.errors:
                raise ImportFailed(report)
            report_progress(90, gettext("Writing"))
            plan.write()
            from gmassist.core.services import audit_record

            audit_record(
                actor=by,
                action=AuditAction.IMPORT,
                target_type=spec.model._meta.label_lower,
                target_id="",
                target_repr=path.name,
                changes={
                    "entity": spec.name,
                    "rows": report.rows,
                    "counts": report.counts,
                    **(
                        {"proposals": [p["id"] for p in report.proposals]}
                        if report.proposals
                        else {}
                    ),
                },
            )
    report_progress(100, gettext("Done"))
    return report


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while the import runs.

    An import holds a few million small containers (cells, rows, memos) that live until its
    end; the collector would scan them all again and again as they are allocated (a third of
    the time of a 100,000-row file) and find nothing, since an import makes no cycles.
    Reference counting still frees everything; the collector is back on afterwards.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _context(
    spec: EntitySpec,
    mapping: Mapping,
    table: tabular.Table | tabular.TableStream,
    report: ImportReport,
    progress: ProgressCallback,
) -> ImportContext:
    """Resolve which file column feeds which field; report whole-file errors."""
    known = {c.name for c in spec.columns}
    header = table.header
    header_set = set(header)
    whole = report.errors

    def mapping_error(exc: MappingError) -> None:
        whole.append(RowError(None, exc.key, "", explain(exc)))

    for exc in mapping.unknown_fields(known):
        mapping_error(exc)
    seen_columns: dict[str, int] = {}
    for column in header:
        seen_columns[column] = seen_columns.get(column, 0) + 1
    for column, count in seen_columns.items():
        if column and count > 1:
            reason = gettext("the column appears %(count)d times") % {"count": count}
            whole.append(RowError(None, column, "", reason))

    columns: dict[str, str] = {}
    custom_columns: dict[str, str] = {}
    if mapping.identity:
        columns = {c.name: c.name for c in spec.columns if c.name in header_set}
    else:
        for name, column in mapping.columns.items():
            if column not in header_set:
                problem = MappingError(
                    gettext_noop("no such column in the file"),
                    key=name,
                    line=mapping.line_of("columns", name),
                    where=f"[columns] {name}",
                )
                whole.append(RowError(None, column, "", explain(problem)))
                continue
            if name.startswith(CUSTOM_PREFIX):
                custom_columns[name.removeprefix(CUSTOM_PREFIX)] = column
            else:
                columns[name] = column
    used = set(columns.values()) | set(custom_columns.values())
    for column in header:
        if column in used or not column:
            continue
        if column.startswith(CUSTOM_PREFIX) and spec.custom_entity:
            custom_columns[column.removeprefix(CUSTOM_PREFIX)] = column
        elif mapping.options.extra_columns == "keep" and spec.custom_entity:
            custom_columns[column] = column
        elif mapping.options.extra_columns == "error":
            reason = gettext('unknown column (set extra_columns = "keep" or "ignore" in [options])')
            whole.append(RowError(None, column, "", reason))
    key_missing = [k for k in spec.key if k not in columns and k not in mapping.defaults]
    for name in key_missing:
        reason = gettext("the file has no column for %(field)s, the natural key")
        whole.append(RowError(None, name, "", reason % {"field": name}))

    decimal_comma = mapping.options.decimal_comma
    if decimal_comma is None:
        decimal_comma = table.delimiter == ";"
    ctx = ImportContext(
        spec=spec,
        mapping=mapping,
        rows=[],
        columns=columns,
        custom_columns=custom_columns,
        custom_kinds={},
        today=timezone.localdate(),
        decimal_comma=decimal_comma,
        report=report,
        progress=progress,
    )
    return ctx


def _custom_kinds(ctx: ImportContext, table: tabular.Table) -> dict[str, str]:
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


def _parse_rows(ctx: ImportContext, table: tabular.Table) -> None:
    """Turn every row's cells into typed values, collecting every parse error.

    Column by column: each distinct cell of a column is parsed once (a file of 100,000 rows
    repeats its dates, departments and amounts), then the rows are assembled from the columns.
    Errors are reported in row order, then column order, as a person reads the file.
    """
    index = {column: i for i, column in enumerate(table.header)}
    ctx.positions = {name: index[column] for name, column in ctx.columns.items()}
    # the file's columns: one transposition in C (every row has at least the header's width)
    rows_cells = (cells for _number, cells in table.rows)
    file_columns = list(zip(*rows_cells, strict=False)) or [()] * len(index)
    size = len(table.rows)
    names: list[str] = []
    columns: list[list[Any]] = []
    # (row index, column order, field, problem)
    failures: list[tuple[int, int, str, normalize.Problem]] = []
    total = max(len(ctx.columns) + len(ctx.custom_columns), 1)
    checking = gettext("Checking column %(column)s")
    for order, (name, position) in enumerate(ctx.positions.items()):
        ctx.progress(10 + 50 * order / total, checking % {"column": ctx.column(name)})
        parse = _column_parser(ctx, ctx.spec.column(name))
        values, failed = _parse_column(parse, file_columns[position])
        if failed:
            _take_failures(values, order, name, "", failures)
        names.append(name)
        columns.append(values)
    for name, value in ctx.mapping.defaults.items():
        if name in ctx.columns:
            continue
        value = _column_parser(ctx, ctx.spec.column(name))(value)
        if type(value) is _Failed:
            problem = normalize.Problem(
                gettext_noop("the default in the mapping: %(reason)s"), reason=value.problem
            )
            failures.extend((i, len(names), name, problem) for i in range(size))
            value = None
        names.append(name)
        columns.append([value] * size)
    custom_names: list[str] = []
    custom_columns: list[list[Any]] = []
    custom_start = len(names)
    for order, (name, column) in enumerate(ctx.custom_columns.items(), start=custom_start):
        ctx.progress(10 + 50 * order / total, checking % {"column": column})
        kind = ctx.custom_kinds[name]
        parse = _custom_parser(ctx, kind)
        values, failed = _parse_column(parse, file_columns[index[column]])
        if failed:
            _take_failures(values, order, column, _CUSTOM_KIND_REASONS.get(kind, ""), failures)
        custom_names.append(name)
        custom_columns.append(values)

    rows = ctx.rows
    value_rows = zip(*columns, strict=True) if columns else [()] * size
    custom_rows = zip(*custom_columns, strict=True) if custom_columns else [()] * size
    for (number, cells), values, custom in zip(table.rows, value_rows, custom_rows, strict=True):
        rows.append(
            ParsedRow(
                number=number,
                values=dict(zip(names, values, strict=True)),
                cells=cells,
                custom=dict(zip(custom_names, custom, strict=True)) if custom_names else {},
            )
        )
    failures.sort(key=lambda f: (f[0], f[1]))
    for row_index, order, name, problem in failures:
        reason = explain(problem)
        row = rows[row_index]
        if order >= custom_start:  # a custom column: named as in the file
            cell = row.cells[index[name]]
            ctx.report.errors.append(RowError(row.number, name, normalize.clean_text(cell), reason))
        else:
            ctx.error(row, name, reason)


def _parse_column(parse: Callable[[Any], Any], cells: Sequence[Any]) -> tuple[list[Any], bool]:
    """`parse` of every cell, called once per distinct cell; and whether any failed."""
    try:
        memo = {cell: parse(cell) for cell in set(cells)}
    except TypeError:  # an unhashable cell
        values = [parse(cell) for cell in cells]
        return values, any(type(v) is _Failed for v in values)
    failed = any(type(v) is _Failed for v in memo.values())
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
    out: list[tuple[int, int, str, normalize.Problem]],
) -> None:
    """Move the _Failed values of a parsed column to `out` (leaving None in their place);
    `template` ("%(reason)s (a date column)", or "") wraps each problem."""
    for i, value in enumerate(values):
        if type(value) is _Failed:
            problem = value.problem
            if template:
                problem = normalize.Problem(template, reason=problem)
            out.append((i, order, name, problem))
            values[i] = None


class _Failed:
    """A value that could not be parsed, with the problem (kept in the per-column memo)."""

    __slots__ = ("problem",)

    def __init__(self, problem: normalize.Problem):
        self.problem = problem


def _as_problem(exc: ValueError) -> normalize.Problem:
    """`exc` as a Problem (a parser's own ValueError, say from Decimal, keeps its text)."""
    if isinstance(exc, normalize.Problem):
        return exc
    return normalize.Problem("%(error)s", error=str(exc))


def explain(problem: BaseException | str) -> str:
    """The reason a person reads, in the active language.

    A `normalize.Problem`'s template is translated and filled in with its values (values that
    are Problems themselves explained first); a `MappingError` gets its TOML place and line in
    front. Any other exception is its English text.
    """
    if not isinstance(problem, normalize.Problem):
        return str(problem)
    message = gettext(problem.template)
    if problem.params:
        message = message % {
            key: explain(value) if isinstance(value, normalize.Problem) else value
            for key, value in problem.params.items()
        }
    if isinstance(problem, MappingError):
        if problem.where:
            message = f"{problem.where}: {message}"
        if problem.line:
            message = gettext("line %(line)d: %(message)s") % {
                "line": problem.line,
                "message": message,
            }
    return message


def _column_parser(ctx: ImportContext, column: Column) -> Callable[[Any], Any]:
    """A function from a cell to its typed value (None when empty, _Failed when wrong).

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
            return _Failed(_as_problem(exc))

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
            return _Failed(_too_long(max_length))
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
    """A function from a cell to a custom attribute's JSON value (None when empty, _Failed)."""
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
            return _Failed(_as_problem(exc))
        return normalize.clean_name(tabular.unescape_formula(text))

    return parse


def _check_duplicate_keys(ctx: ImportContext) -> None:
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


# --- streaming: large files chunk by chunk ---------------------------------------------------
#
# An entity with millions of rows a file (monthly revenue) sets `EntitySpec.stream`: a function
# from the context to a `ChunkPlanner`. `import_file` then never holds the file: it reads
# `CHUNK_ROWS` rows at a time (`tabular.open_table`) and hands each to `planner.chunk` as a
# `RowChunk`, the file's columns as arrays. The planner checks a chunk column by column
# (vectorised: a lookup of every code in one array operation, a pattern for the plain values),
# sends the rare odd cells through the same parsers as every other import (`RowChunk.parse`),
# reports errors with their true file row (`RowChunk.error`), and stages the checked rows on the
# database (`lib.bulk.Staging`). `planner.finish` does the checks that need the whole file
# (duplicate keys), counts created/updated/unchanged against the stored rows and returns the
# Plan whose `write` merges the staged rows in one statement. It all runs in one transaction:
# an error, or a dry run, rolls everything back. Errors are reported in file order like any
# import's. `planner.close` is always called last (drop what it staged).


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
        parse = _column_parser(self.ctx, self.ctx.spec.column(name))
        values, failed = _parse_column(parse, cells)
        if failed:
            default = name not in self.ctx.columns
            for i, value in zip(index.tolist(), values, strict=True):
                if type(value) is _Failed:
                    problem = value.problem
                    if default:
                        problem = normalize.Problem(
                            gettext_noop("the default in the mapping: %(reason)s"), reason=problem
                        )
                    self.error(i, name, explain(problem))
            values = [None if type(v) is _Failed else v for v in values]
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


def _import_chunks(
    ctx: ImportContext, stream: tabular.TableStream, *, by: Any, dry_run: bool, path: Path
) -> None:
    """Run a streamed entity's planner over the file's chunks, then write (all or nothing)."""
    report = ctx.report
    index = {column: i for i, column in enumerate(stream.header)}
    ctx.positions = {name: index[column] for name, column in ctx.columns.items()}
    width = len(stream.header)
    checked = gettext("Checked %(rows)s rows")
    with transaction.atomic():
        ctx.stream = not dry_run
        planner = ctx.spec.stream(ctx)
        try:
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
            report.errors[:] = _in_file_order(report.errors)
            report.warnings[:] = _in_file_order(report.warnings)
            if report.errors:
                raise ImportFailed(report)
            if not dry_run:
                ctx.progress(90, gettext("Writing"))
                plan.write()
        finally:
            planner.close()
        if dry_run:
            ctx.progress(90, gettext("Dry run: nothing written"))
            transaction.set_rollback(True)
            return
        from gmassist.core.services import audit_record

        audit_record(
            actor=by,
            action=AuditAction.IMPORT,
            target_type=ctx.spec.model._meta.label_lower,
            target_id="",
            target_repr=path.name,
            changes={"entity": ctx.spec.name, "rows": report.rows, "counts": report.counts},
        )


# --- helpers for entity plans ----------------------------------------------------------------


def count(created: int = 0, updated: int = 0, unchanged: int = 0) -> dict[str, int]:
    return {"created": created, "updated": updated, "unchanged": unchanged}


def money(value: Decimal | None, places: int = 2) -> Decimal | None:
    """`value` rounded to `places` decimals, as stored in a DecimalField."""
    if value is None:
        return None
    return value.quantize(Decimal(1).scaleb(-places))


def column_choices(choices: type[models.Choices]) -> tuple[tuple[str, str], ...]:
    """A Django choices class as `Column.choices`: (value, label) pairs."""
    return tuple((c.value, str(c.label)) for c in choices)


def given_values(
    row: ParsedRow, mapping: dict[str, str], convert: Callable[[str, Any], Any] | None = None
) -> dict[str, Any]:
    """The columns a row gives: {attname: value} for each field with a column (or default).

    `mapping` is field name -> attname; `convert(name, value)`, when given, converts each value.
    """
    out = {}
    for name, attname in mapping.items():
        if name in row.values:
            value = row.values[name]
            out[attname] = convert(name, value) if convert else value
    return out


def text_or_empty(value: Any) -> str:
    """A parsed text value as stored in a text column: None (an empty cell) is ""."""
    return "" if value is None else value


def out_of_range_reason(low: Any, high: Any) -> str:
    """The reason for a value outside `low`..`high` (both allowed), translated."""
    return gettext("must be from %(low)s to %(high)s") % {"low": low, "high": high}


class CatalogueLookup:
    """Finds a catalogue row by code, then by unique name; plans a new row when neither matches.

    For the small catalogues an entity names by code or name and creates when missing
    (departments, positions, skills, industries).
    """

    def __init__(self, rows: list[tuple[int, str, str]], *, ambiguous: str, max_length: int = 40):
        self.ambiguous = ambiguous  # "%(count)d departments are named %(value)r: give the code"
        self.max_length = max_length
        self.by_code: dict[str, int] = {}
        self.by_folded_code: dict[str, list[int]] = {}
        self.by_name: dict[str, list[int]] = {}
        for pk, code, name in rows:
            self.by_code[code] = pk
            self.by_folded_code.setdefault(code.casefold(), []).append(pk)
            self.by_name.setdefault(normalize.clean_name(name).casefold(), []).append(pk)
        self.new: dict[str, str] = {}  # code -> name of rows to create
        self._new_by_name: dict[str, str] = {}

    def resolve(self, value: str) -> tuple[int | None, str]:
        """(id, "") for an existing row, (None, new code) for one to create; ValueError when
        the name is ambiguous."""
        if value in self.by_code:
            return self.by_code[value], ""
        folded = value.casefold()
        ids = self.by_folded_code.get(folded, [])
        if len(ids) == 1:
            return ids[0], ""
        ids = self.by_name.get(folded, [])
        if len(ids) == 1:
            return ids[0], ""
        if len(ids) > 1:
            raise ValueError(gettext(self.ambiguous) % {"count": len(ids), "value": value})
        if folded in self._new_by_name:
            return None, self._new_by_name[folded]
        base = normalize.code_from_name(value, max_length=self.max_length - 4)
        code, suffix = base, 1
        while code in self.by_code or code.casefold() in self.by_folded_code or code in self.new:
            suffix += 1
            code = f"{base}-{suffix}"
        self.new[code] = value
        self._new_by_name[folded] = code
        return None, code


def merge_rows(
    ctx: ImportContext,
    *,
    existing: dict[Any, dict[str, Any]],
    incoming: list[tuple[ParsedRow, Any, dict[str, Any]]],
    defaults: dict[str, Any],
    required: dict[str, str],
    needs: str,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, int]]:
    """New rows, changed rows (full column dicts) and the counts: a generic diff by natural key.

    `existing`: natural key -> stored columns (incl. the key columns); `incoming`: (row, key,
    columns given by the file); `defaults`: columns of a new row; `required`: column -> field
    that a new row must give; `needs`: the reason when a new row lacks one, a template with
    `%(field)s` ("a new department needs %(field)s", marked with gettext_noop).
    """
    new_rows: list[dict[str, Any]] = []
    changed_rows: list[dict[str, Any]] = []
    created = updated = unchanged = 0
    for row, key, given in incoming:
        stored = existing.get(key)
        if stored is None:
            merged = {**defaults, **{k: v for k, v in given.items() if v is not None}}
            missing = [f for column, f in required.items() if merged.get(column) is None]
            for name in missing:
                ctx.error(row, name, gettext(needs) % {"field": name})
            if not missing:
                new_rows.append(merged)
                created += 1
            continue
        merged = {**stored, **given}
        missing = [f for column, f in required.items() if merged.get(column) is None]
        for name in missing:
            ctx.error(row, name, gettext("%(field)s is required") % {"field": name})
        if merged == stored:
            unchanged += 1
        elif not missing:
            changed_rows.append(merged)
            updated += 1
    return new_rows, changed_rows, count(created, updated, unchanged)


def save_rows(
    model: type[models.Model],
    new_rows: list[dict[str, Any]],
    changed_rows: list[dict[str, Any]],
    unique_fields: list[str],
    update_fields: list[str],
) -> None:
    """Insert the new rows (COPY straight into the table on PostgreSQL), update the changed
    ones on their natural key (`unique_fields`)."""
    bulk_upsert(
        model, new_rows, unique_fields=unique_fields, update_fields=update_fields, mode=INSERT
    )
    bulk_upsert(
        model, changed_rows, unique_fields=unique_fields, update_fields=update_fields, mode=UPDATE
    )


# --- export ----------------------------------------------------------------------------------


def export_entity(*, entity: str, fmt: str, out: Path | BinaryIO, user: Any | None) -> int:
    """Write every row of `entity` the user may export to CSV (UTF-8 with BOM) or XLSX.

    The columns are the canonical ones (and `custom.<name>` for custom attributes), so the file
    imports back unchanged with no mapping. Returns the number of data rows written.
    """
    spec = entity_spec(entity)
    if fmt not in (tabular.CSV, tabular.XLSX):
        raise ValueError(f"unknown format {fmt!r}; use csv or xlsx")
    queryset = spec.queryset() if spec.queryset else spec.model._default_manager.all()
    queryset = queryset.restrict(user, Action.EXPORT)
    attributes = sorted(spec.known_attributes()) if spec.custom_entity else []
    header = [c.name for c in spec.columns] + [CUSTOM_PREFIX + name for name in attributes]
    # a file with a pay column is a read of the pay of everyone in it: audited once written
    person_column = next((c for c in ("employee_no", "employee") if c in header), None)
    pay_of: list[str] = []
    audit_pay = "base_pay" in header and person_column is not None

    def rows() -> Iterator[list[Any]]:
        for values in spec.export_rows(queryset):
            if spec.custom_entity:
                custom = values.pop() or {}
                values += [custom.get(name) for name in attributes]
            if audit_pay:
                pay_of.append(str(values[header.index(person_column)]))
            yield [_export_value(v) for v in values]

    # the shared writer keeps dates and numbers typed in XLSX (a spreadsheet sorts and sums
    # them), writes them as the import reads them in CSV, and neutralises formulas in both
    tz = timezone.get_current_timezone()
    if isinstance(out, Path | str):
        with open(out, "wb") as stream:
            written = tabular.write_table(stream, fmt, header, rows(), tz=tz)
    else:
        written = tabular.write_table(out, fmt, header, rows(), tz=tz)
    if pay_of:
        from gmassist.core.sensitive import audit_people_read

        audit_people_read(
            actor=user,
            action=AuditAction.READ_PAY,
            employee_nos=pay_of,
            what=f"export {spec.name}",
            target_type=f"export.{spec.name}",
            label=f"Export of {spec.name}",
        )
    return written


def _export_value(value: Any) -> Any:
    """Booleans as the import reads them back; every other value as the shared writer writes
    it."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


# --- the job ---------------------------------------------------------------------------------


@job_handler("core.import")
def run_import_job(
    ctx: JobContext,
    *,
    entity: str,
    path: str,
    mapping: str | None = None,
    dry_run: bool = False,
    keep_for_confirm: bool = False,
) -> dict[str, Any]:
    """The "core.import" job: `mapping` is the mapping's TOML text (None: identity mapping).

    The file at `path` must be readable where the job runs (a shared folder with Celery). An
    uploaded file (`uploads.upload_save`) is deleted when the job ends, whatever the outcome,
    except after a dry run without errors that asked to `keep_for_confirm` (the import page's:
    the confirmation imports the same file; `uploads.uploads_sweep` deletes it if nobody
    does). A file named on the command line is the user's own and is left alone.
    """
    from gmassist.core.uploads import upload_delete

    file_name = Path(path).name
    kept = False
    try:
        try:
            parsed = parse_mapping(mapping) if mapping else None
        except MappingError as exc:
            report = ImportReport(entity=entity, dry_run=dry_run, file_name=file_name)
            reason = explain(exc)
            report.errors.append(
                RowError(None, exc.key, "", gettext("mapping: %(reason)s") % {"reason": reason})
            )
            message = gettext("the mapping is not valid: %(reason)s") % {"reason": reason}
            raise JobError(message, result=report.as_dict()) from None
        try:
            report = import_file(
                entity=entity,
                path=Path(path),
                mapping=parsed,
                by=ctx.actor,
                dry_run=dry_run,
                progress=ctx.progress,
            )
        except ImportFailed as exc:
            raise JobError(str(exc), result=exc.report.as_dict()) from None
        except (PermissionDenied, ValueError) as exc:
            raise JobError(str(exc)) from None
        kept = dry_run and keep_for_confirm
        return report.as_dict()
    except (JobLost, WorkerStopping):
        # not the job's end: it runs again (taken over, or queued again) and needs its file
        kept = True
        raise
    finally:
        if not kept:
            upload_delete(path)
