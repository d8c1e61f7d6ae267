"""The context an entity plans in: which file column feeds which field (resolved from the
header and the mapping, with the whole-file errors), the parsed rows, and where the plan
reports errors and warnings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from gmassist.core.imports import reports
from gmassist.core.imports.entities import EntitySpec, ParsedRow
from gmassist.core.imports.reports import ImportReport, RowError, explain
from gmassist.lib import normalize, tabular
from gmassist.lib.mapping import CUSTOM_PREFIX, Mapping, MappingError

ProgressCallback = Callable[[float, str], None]


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
    # records typed on screen (`import_records`): their caller audits each record's changes,
    # so the entity writes no audit entries of its own (the proposals it makes are audited)
    audited_by_caller: bool = False
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
        if len(self._failed_cells) < reports.KEPT_PROBLEMS:  # (beyond, the count is only close)
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


def import_context(
    spec: EntitySpec,
    mapping: Mapping,
    table: tabular.Table | tabular.TableStream,
    report: ImportReport,
    progress: ProgressCallback,
) -> ImportContext:
    """Resolve which file column feeds which field; report whole-file errors (in
    `report.errors`, row None): mapping fields the entity lacks, repeated columns, mapped
    columns the file lacks, unknown columns (when the mapping says so), a missing key."""
    whole = report.errors
    for exc in mapping.unknown_fields({c.name for c in spec.columns}):
        whole.append(RowError(None, exc.key, "", explain(exc)))
    _report_repeated_columns(table.header, whole)
    columns, custom_columns = _mapped_columns(spec, mapping, table.header, whole)
    _add_extra_columns(spec, mapping, table.header, custom_columns, whole, used=columns)
    for name in (k for k in spec.key if k not in columns and k not in mapping.defaults):
        reason = gettext("the file has no column for %(field)s, the natural key")
        whole.append(RowError(None, name, "", reason % {"field": name}))

    decimal_comma = mapping.options.decimal_comma
    if decimal_comma is None:
        decimal_comma = table.delimiter == ";"
    return ImportContext(
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


def _report_repeated_columns(header: list[str], whole: list[RowError]) -> None:
    seen_columns: dict[str, int] = {}
    for column in header:
        seen_columns[column] = seen_columns.get(column, 0) + 1
    for column, count in seen_columns.items():
        if column and count > 1:
            reason = gettext("the column appears %(count)d times") % {"count": count}
            whole.append(RowError(None, column, "", reason))


def _mapped_columns(
    spec: EntitySpec, mapping: Mapping, header: list[str], whole: list[RowError]
) -> tuple[dict[str, str], dict[str, str]]:
    """(field -> file column, custom attribute -> file column) as the mapping says (the
    identity mapping: the canonical columns the file has)."""
    header_set = set(header)
    if mapping.identity:
        return {c.name: c.name for c in spec.columns if c.name in header_set}, {}
    columns: dict[str, str] = {}
    custom_columns: dict[str, str] = {}
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
    return columns, custom_columns


def _add_extra_columns(
    spec: EntitySpec,
    mapping: Mapping,
    header: list[str],
    custom_columns: dict[str, str],
    whole: list[RowError],
    *,
    used: dict[str, str],
) -> None:
    """The file's columns no field uses: custom attributes ("custom.<name>", or any with
    `extra_columns = "keep"`), an error with `extra_columns = "error"`, else ignored."""
    taken = set(used.values()) | set(custom_columns.values())
    extra = mapping.options.extra_columns
    for column in header:
        if column in taken or not column:
            continue
        if column.startswith(CUSTOM_PREFIX) and spec.custom_entity:
            custom_columns[column.removeprefix(CUSTOM_PREFIX)] = column
        elif extra == "keep" and spec.custom_entity:
            custom_columns[column] = column
        elif extra == "error":
            reason = gettext('unknown column (set extra_columns = "keep" or "ignore" in [options])')
            whole.append(RowError(None, column, "", reason))
