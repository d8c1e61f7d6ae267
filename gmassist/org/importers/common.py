"""What several organisation imports share: finding an employee by employee number."""

from __future__ import annotations

from django.utils.translation import gettext as _

from gmassist.core.imports import ImportContext, ParsedRow
from gmassist.lib.bulk import ids_by_key
from gmassist.org.models import Employee


def employee_numbers() -> dict[str, int]:
    """Every stored employee: employee number -> id."""
    return ids_by_key(Employee, ["employee_no"])


def resolve_employee(
    ctx: ImportContext, row: ParsedRow, name: str, numbers: dict[str, int]
) -> int | None:
    """The id of the employee whose number field `name` of `row` gives (None when empty, or
    when there is no such employee: then a row error)."""
    value = row.values.get(name)
    if not value:
        return None
    pk = numbers.get(value)
    if pk is None:
        ctx.error(row, name, _("no employee with this employee number"))
    return pk
