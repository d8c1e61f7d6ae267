"""What an import reports: its errors and warnings (each with row, column, value and reason),
bounded in number, the counts of rows written, and `explain`, which turns a problem into the
reason a person reads, in the active language."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext, ngettext

from gmassist.core.choices import AuditAction
from gmassist.core.imports.entities import EntitySpec
from gmassist.lib import normalize, tabular
from gmassist.lib.mapping import MappingError


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
        errors = in_file_order(self.errors)[:MAX_REPORTED_PROBLEMS]
        warnings = in_file_order(self.warnings)[:MAX_REPORTED_PROBLEMS]
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


def in_file_order(problems: list[RowError]) -> list[RowError]:
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


def audit_import(*, by: Any, spec: EntitySpec, path: Path, report: ImportReport) -> None:
    """The audit entry of an import that wrote: the entity, rows, counts, and the proposals
    it made instead of writing, if any."""
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
            **({"proposals": [p["id"] for p in report.proposals]} if report.proposals else {}),
        },
    )
