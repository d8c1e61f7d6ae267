"""What an employee file writes once every row is checked: the new departments, positions and
attributes, the employees (managers new in the file too), separations, and the pay: a new
employee's starting pay is audited, an existing employee's new pay becomes a proposal."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import ngettext

from gmassist.core.imports import CatalogueLookup, ImportContext, save_rows
from gmassist.lib.bulk import UPDATE, bulk_upsert, ids_by_key, reserve_ids
from gmassist.org.importers.common import employee_numbers
from gmassist.org.importers.employee_stream import _EmployeeStream
from gmassist.org.importers.structure import save_new_departments, save_new_positions
from gmassist.org.models import AttributeDefinition, Department, Employee, Position, Separation
from gmassist.org.services import PAY_CHANGE_BATCH

EMPLOYEE_ATTRIBUTES = "employee"  # AttributeDefinition.entity of employees' custom attributes

# (employee number, separation columns, whether the separation is new)
PlannedSeparation = tuple[str, dict[str, Any], bool]


@dataclass
class EmployeeWrites:
    """The writes an employee file plans (filled row by row by the checks), and `write`.

    What `stream` (PostgreSQL) sent while checking is not here again: `rows` are the changed
    stored employees and, without a stream, the new ones. Pay amounts are Decimals in the
    company's currency (`starting_pay` as text, as the audit records it).
    """

    ctx: ImportContext
    stored_fields: tuple[str, ...]  # the employee columns read and written
    existing_ids: dict[str, int]  # employee number -> id, of the employees stored before
    departments: CatalogueLookup  # its `new` are the departments to create
    positions: CatalogueLookup
    new_attributes: dict[str, str]  # custom attribute name -> kind, to define
    stream: _EmployeeStream | None
    rows: list[dict[str, Any]] = field(default_factory=list)  # employees to save
    department_codes: dict[int, str] = field(default_factory=dict)  # id(row) -> code to create
    position_codes: dict[int, str] = field(default_factory=dict)
    pending_managers: list[tuple[dict[str, Any], str]] = field(default_factory=list)  # new ones
    separations: list[PlannedSeparation] = field(default_factory=list)
    starting_pay: dict[str, str] = field(default_factory=dict)  # employee number -> amount
    pay_lines: list[dict[str, Any]] = field(default_factory=list)  # lines of the pay proposal

    def stage(
        self,
        row: dict[str, Any],
        *,
        department_code: str,
        position_code: str,
        new_manager: str | None,
    ) -> None:
        """Save `row` (an employee's columns) at the end; `department_code`/`position_code`:
        one to create first ("" for none); `new_manager`: the employee number of a manager
        new in this file (None for none), set once their id is known."""
        self.rows.append(row)
        if department_code:
            self.department_codes[id(row)] = department_code
        if position_code:
            self.position_codes[id(row)] = position_code
        if new_manager is not None:
            self.pending_managers.append((row, new_manager))

    def write(self) -> None:
        """Write everything planned (in the import's transaction)."""
        self._write_catalogues()
        self._set_created_references()
        employee_ids = self._save_employees()
        self._save_separations(employee_ids)
        _write_pay(self.ctx, self.starting_pay, self.pay_lines)

    def _write_catalogues(self) -> None:
        """The new departments and positions (unless streamed: created already) and custom
        attributes."""
        if not self.stream:
            save_new_departments(self.departments.new)
            save_new_positions(self.positions.new)
        if self.new_attributes:
            bulk_upsert(
                AttributeDefinition,
                [
                    {"entity": EMPLOYEE_ATTRIBUTES, "name": n, "kind": k}
                    for n, k in self.new_attributes.items()
                ],
                unique_fields=["entity", "name"],
                update_fields=["kind"],
            )

    def _set_created_references(self) -> None:
        """The ids of the departments and positions just created, in the rows naming them."""
        department_ids = ids_by_key(Department, ["code"]) if self.department_codes else {}
        position_ids = ids_by_key(Position, ["code"]) if self.position_codes else {}
        for row in self.rows:
            if id(row) in self.department_codes:
                row["department_id"] = department_ids[self.department_codes[id(row)]]
            if id(row) in self.position_codes:
                row["position_id"] = position_ids[self.position_codes[id(row)]]

    def _save_employees(self) -> dict[str, int]:
        """Insert the new employees, update the changed ones; employee number -> id of all.

        With ids drawn beforehand a manager new in this file is set in the same write;
        otherwise (SQLite) managers are set in a second pass once the ids are known.
        """
        existing = self.existing_ids
        created_rows = [row for row in self.rows if row["employee_no"] not in existing]
        for row in created_rows:
            row.setdefault("custom", {})
        employee_ids = dict(self.stream.employee_ids if self.stream else existing)
        reserved = reserve_ids(Employee, len(created_rows))
        if reserved is not None:
            for row, pk in zip(created_rows, reserved, strict=True):
                row["id"] = pk
                employee_ids[row["employee_no"]] = pk
            for row, manager in self.pending_managers:
                row["manager_id"] = employee_ids[manager]
        save_rows(
            Employee,
            created_rows,
            [row for row in self.rows if row["employee_no"] in existing],
            ["employee_no"],
            [c for c in self.stored_fields if c != "employee_no"],
        )
        if reserved is not None:
            return employee_ids
        employee_ids = employee_numbers()
        if self.pending_managers:
            bulk_upsert(
                Employee,
                [
                    {"employee_no": row["employee_no"], "manager_id": employee_ids[manager]}
                    for row, manager in self.pending_managers
                ],
                unique_fields=["employee_no"],
                update_fields=["manager_id"],
                mode=UPDATE,
            )
        return employee_ids

    def _save_separations(self, employee_ids: dict[str, int]) -> None:
        """The new and changed separations (the new ones of streamed employees: sent)."""
        planned = self.separations
        if self.stream:
            planned = [p for p in planned if not p[2]]
        rows = [({"employee_id": employee_ids[n], **r}, new) for n, r, new in planned]
        save_rows(
            Separation,
            [r for r, new in rows if new],
            [r for r, new in rows if not new],
            ["employee_id", "date"],
            ["separation_type", "reason", "regretted"],
        )


def pay_note(count: int, proposal_id: int | None) -> dict[str, Any]:
    """What the import says about the pay changes it turned into a proposal (translated)."""
    if proposal_id is None:
        message = ngettext(
            "%(count)d pay change of an existing employee would become a proposal; it changes "
            "nothing until approved.",
            "%(count)d pay changes of existing employees would become a proposal; they change "
            "nothing until approved.",
            count,
        ) % {"count": count}
    else:
        message = ngettext(
            "%(count)d pay change became proposal #%(id)d; it changes nothing until approved.",
            "%(count)d pay changes became proposal #%(id)d; they change nothing until approved.",
            count,
        ) % {"count": count, "id": proposal_id}
    return {"id": proposal_id, "kind": PAY_CHANGE_BATCH, "lines": count, "message": message}


def _write_pay(
    ctx: ImportContext, starting_pay: dict[str, str], pay_lines: list[dict[str, Any]]
) -> None:
    """Audit the starting pay of the new employees with its amounts, and propose the new pay
    of the existing ones as one batch (the GM's lines as another, decided outside)."""
    from gmassist.core.choices import AuditAction
    from gmassist.core.services import audit_record
    from gmassist.org.services import pay_changes_propose

    if starting_pay and not ctx.audited_by_caller:
        audit_record(
            actor=ctx.by,
            action=AuditAction.CREATE,
            target_type=Employee._meta.label_lower,
            target_repr=f"starting pay of {len(starting_pay):,} employees ({ctx.report.file_name})",
            changes={"base_pay": starting_pay},
        )
    if not pay_lines:
        return
    proposals = pay_changes_propose(
        lines=pay_lines,
        effective_date=ctx.today,
        source=ctx.report.file_name,
        by=ctx.by,
    )
    ctx.report.proposals = [pay_note(len(p.payload["lines"]), p.pk) for p in proposals]
