"""Export: every row of an entity the user may export, in its canonical columns, to CSV or
XLSX, so that the file imports back unchanged with no mapping."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from django.db.models import QuerySet
from django.utils import timezone

from gmassist.core.choices import Action, AuditAction
from gmassist.core.imports.entities import entity_spec
from gmassist.lib import tabular
from gmassist.lib.mapping import CUSTOM_PREFIX


def export_entity(
    *,
    entity: str,
    fmt: str,
    out: Path | BinaryIO,
    user: Any | None,
    only: QuerySet | None = None,
) -> int:
    """Write every row of `entity` the user may export to CSV (UTF-8 with BOM) or XLSX, or of
    those only the rows of `only` (a queryset of the entity's model: a list page's filtered
    rows), in the entity's own order (its natural key).

    The columns are the canonical ones (and `custom.<name>` for custom attributes), so the file
    imports back unchanged with no mapping. Returns the number of data rows written.
    """
    spec = entity_spec(entity)
    if fmt not in (tabular.CSV, tabular.XLSX):
        raise ValueError(f"unknown format {fmt!r}; use csv or xlsx")
    queryset = spec.queryset() if spec.queryset else spec.model._default_manager.all()
    queryset = queryset.restrict(user, Action.EXPORT)
    if only is not None:
        queryset = queryset.filter(pk__in=only.values("pk"))
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
