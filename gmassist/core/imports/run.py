"""`import_file`: one file of one entity imported all or nothing (see the package docstring
for the steps), and the limits a file to import is read within."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext

from gmassist.core.choices import Action
from gmassist.core.imports.context import ImportContext, ProgressCallback, import_context
from gmassist.core.imports.entities import entity_spec
from gmassist.core.imports.parse import check_duplicate_keys, custom_kinds, parse_rows
from gmassist.core.imports.reports import (
    ImportFailed,
    ImportReport,
    RowError,
    audit_import,
    explain,
)
from gmassist.core.imports.streaming import import_chunks
from gmassist.core.permissions import ALL, reach
from gmassist.lib import tabular
from gmassist.lib.mapping import Mapping, identity_mapping


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
        stream = _open_table(path, limits, report)
        with stream:
            ctx = import_context(spec, mapping, stream, report, report_progress)
            ctx.by = by
            if report.errors:  # whole-file errors: the rows cannot be read sensibly
                raise ImportFailed(report)
            if spec.stream is not None:
                import_chunks(ctx, stream, by=by, dry_run=dry_run, path=path)
                report_progress(100, gettext("Done"))
                return report
            table = _read_all(stream, path, report)
        _parse_and_check(ctx, table)
        if dry_run or report.errors:
            _plan_only(ctx)
            return report
        _plan_and_write(ctx, by=by, path=path)
    report_progress(100, gettext("Done"))
    return report


def _open_table(path: Path, limits: tabular.Limits, report: ImportReport) -> tabular.TableStream:
    """The file opened for reading; ImportFailed (a whole-file error) when it cannot be."""
    try:
        return tabular.open_table(path, limits=limits)
    except tabular.TabularError as exc:
        report.errors.append(RowError(None, "", path.name, explain(exc)))
        raise ImportFailed(report) from None
    except OSError as exc:
        reason = gettext("cannot read the file: %(error)s") % {"error": exc.strerror or exc}
        report.errors.append(RowError(None, "", path.name, reason))
        raise ImportFailed(report) from None


def _read_all(stream: tabular.TableStream, path: Path, report: ImportReport) -> tabular.Table:
    """Every row of the file; ImportFailed (a whole-file error) when it cannot be read."""
    try:
        return stream.read_all()
    except tabular.TabularError as exc:
        report.errors.append(RowError(None, "", path.name, explain(exc)))
        raise ImportFailed(report) from None


def _parse_and_check(ctx: ImportContext, table: tabular.Table) -> None:
    """Parse every cell (the custom attributes' kinds first) and check the natural keys."""
    ctx.report.rows = len(table.rows)
    if ctx.custom_columns:
        ctx.custom_kinds = custom_kinds(ctx, table)
    parse_rows(ctx, table)
    check_duplicate_keys(ctx)
    ctx.progress(60, gettext("Checking against the database"))


def _plan_only(ctx: ImportContext) -> None:
    """A dry run, or a file with errors: the entity plans (reads only) to count and to find
    every error; ImportFailed when there is any."""
    report = ctx.report
    plan = ctx.spec.plan(ctx)
    report.counts = plan.counts
    if report.errors:
        raise ImportFailed(report)
    ctx.progress(90, gettext("Dry run: nothing written"))


def _plan_and_write(ctx: ImportContext, *, by: Any, path: Path) -> None:
    """Plan and write in one transaction, and audit the import; ImportFailed (nothing
    written) when the plan finds an error."""
    report = ctx.report
    with transaction.atomic():
        # the plan may write the rows it has checked while it checks the next ones
        # (ctx.writing()); an error found later rolls all of it back
        ctx.stream = True
        plan = ctx.spec.plan(ctx)
        ctx.stream = False
        report.counts = plan.counts
        if report.errors:
            raise ImportFailed(report)
        ctx.progress(90, gettext("Writing"))
        plan.write()
        audit_import(by=by, spec=ctx.spec, path=path, report=report)


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
