"""`import_records`: records typed on screen or sent to the API, written through their entity's
import, so that a form and a file are checked by the one validation and written the one way.

A form's values are the entity's canonical columns as a person types them ("2027-01-01",
"92,300", a department's code): they become the rows of a table with those columns, which
`import_file`'s steps then parse, check against the database and write (or, with `dry_run`,
only check). Every error keeps its column, which is the form's field. The import's audit entry
is not written: the caller records the change on the record itself (old and new values, the
comment), which is what the record's history shows.
"""

from __future__ import annotations

from collections.abc import Mapping as MappingType
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext

from gmassist.core.choices import Action
from gmassist.core.imports.context import import_context
from gmassist.core.imports.entities import entity_spec
from gmassist.core.imports.reports import ImportFailed, ImportReport
from gmassist.core.imports.run import _parse_and_check
from gmassist.core.permissions import ALL, reach
from gmassist.lib import tabular
from gmassist.lib.mapping import identity_mapping

FORM_FORMAT = "form"  # the Table.format of records typed on screen


def import_records(
    *,
    entity: str,
    records: list[MappingType[str, Any]],
    by: Any,
    dry_run: bool = False,
    reach_checked: bool = False,
) -> ImportReport:
    """Check and write `records` of `entity` (each a dict of canonical column -> value as
    typed; a column left out is left as stored, an empty one is emptied) all or nothing.

    `by` needs `Action.IMPORT` on the entity's whole domain, as for a file, unless the caller
    has already checked that `by` may change the one record concerned and fixed its key in
    the record (`reach_checked`: an account manager logging a contact of their own customer).
    Raises ImportFailed (every error with the record's number from 1 as its row and the column
    as its field) and writes nothing when any value is wrong; with `dry_run` only checks.
    """
    spec = entity_spec(entity)
    if not reach_checked and reach(by, spec.domain, Action.IMPORT) != ALL:
        raise PermissionDenied(gettext("you may not import %(entity)s") % {"entity": spec.name})
    header = list(dict.fromkeys(name for record in records for name in record))
    table = tabular.Table(
        header=header,
        rows=[
            (number, [_typed(record.get(name)) for name in header])
            for number, record in enumerate(records, start=1)
        ],
        format=FORM_FORMAT,
    )
    report = ImportReport(entity=spec.name, dry_run=dry_run, file_name="")
    ctx = import_context(spec, identity_mapping(), table, report, lambda _p, _m: None)
    ctx.by = by
    ctx.audited_by_caller = True
    if report.errors:
        raise ImportFailed(report)
    _parse_and_check(ctx, table)
    if dry_run or report.errors:
        report.counts = spec.plan(ctx).counts
        if report.errors:
            raise ImportFailed(report)
        return report
    with transaction.atomic():
        plan = spec.plan(ctx)
        report.counts = plan.counts
        if report.errors:
            raise ImportFailed(report)
        plan.write()
    return report


def _typed(value: Any) -> Any:
    """A form's value as a file's cell: text stays text (None is an empty cell)."""
    return "" if value is None else value


def field_errors(report: ImportReport) -> dict[str, list[str]]:
    """The report's errors by canonical column ("" for the record as a whole), as a form shows
    them next to its fields."""
    errors: dict[str, list[str]] = {}
    for error in report.errors:
        errors.setdefault(error.column if error.row is not None else "", []).append(error.reason)
    return errors


def import_record(
    *, entity: str, record: MappingType[str, Any], by: Any, allowed: tuple[str, ...]
) -> ImportReport:
    """Write one record of `entity` typed on screen or sent to the API, for a caller that has
    checked that `by` may change it and fixed its key in `record` (`import_records` with
    `reach_checked`). A column outside `allowed` is refused; an import error is a
    ValidationError by field (the record's own errors under NON_FIELD_ERRORS), as a form and
    the API show it."""
    from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

    unknown = sorted(set(record) - set(allowed))
    if unknown:
        raise ValidationError(
            {name: gettext("this field cannot be changed here") for name in unknown}
        )
    try:
        return import_records(entity=entity, records=[record], by=by, reach_checked=True)
    except ImportFailed as failed:
        errors = field_errors(failed.report)
        errors[NON_FIELD_ERRORS] = errors.pop("", [])
        raise ValidationError({k: v for k, v in errors.items() if v}) from None
