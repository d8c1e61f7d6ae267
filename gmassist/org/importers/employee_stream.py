"""New employees sent to PostgreSQL while the next rows of their file are checked."""

from __future__ import annotations

import contextlib
from typing import Any

from django.db import connection

from gmassist.core.imports import CatalogueLookup, ImportContext
from gmassist.lib.bulk import CopyStream, reserve_ids
from gmassist.org.importers.structure import create_departments, create_positions
from gmassist.org.models import Department, Employee, Position, Separation


class _EmployeeStream:
    """New employees and their separations, COPYed chunk by chunk while plan_employees checks
    the next rows (PostgreSQL, in the import's transaction): the server inserts and indexes
    one chunk while Python checks the next.

    Every id is known beforehand: the departments and positions the file names that do not
    exist are created first (resolved in the order the rows name them, so with the codes the
    checks give them), and the new employees' ids are drawn from the sequence, so that a
    manager later in the file is known. Once an error is found nothing more is sent.
    """

    CHUNK = 5000

    def __init__(
        self,
        ctx: ImportContext,
        employee_ids: dict[str, int],
        department_ids: dict[str, int],
        position_ids: dict[str, int],
    ):
        self.ctx = ctx
        self.employee_ids = employee_ids  # employee number -> id, new ones included
        self.department_ids = department_ids  # code -> id of the departments created
        self.position_ids = position_ids
        self.employees: list[dict[str, Any]] = []  # checked, not sent yet
        self._separations_sent = 0
        self._copy = CopyStream()
        # The foreign keys to what exists before a chunk is sent are checked when its COPY ends,
        # in the background, rather than all at commit; the manager's stays deferred (a
        # manager may come in a later chunk).
        self._immediate = ", ".join(_q(name) for name in _foreign_keys_checked_early())
        if self._immediate:
            self._copy.execute(f"SET CONSTRAINTS {self._immediate} IMMEDIATE")

    @classmethod
    def start(
        cls,
        ctx: ImportContext,
        existing_ids: dict[str, int],
        departments: CatalogueLookup,
        positions: CatalogueLookup,
    ) -> _EmployeeStream | None:
        """The stream of an import that may write while it checks (None otherwise): the
        file's new departments and positions created, the new employees' ids drawn."""
        if not ctx.writing() or connection.vendor != "postgresql":
            return None
        for lookup, name in ((departments, "department"), (positions, "position")):
            if ctx.has(name):
                _resolve_all(lookup, (row.values.get(name) for row in ctx.rows))
        department_ids = create_departments(departments.new)
        position_ids = create_positions(positions.new)
        numbers = [
            number
            for number in dict.fromkeys(row.values.get("employee_no") for row in ctx.rows)
            if number and number not in existing_ids
        ]
        reserved = reserve_ids(Employee, len(numbers))
        assert reserved is not None
        employee_ids = {**existing_ids, **dict(zip(numbers, reserved, strict=True))}
        return cls(ctx, employee_ids, department_ids, position_ids)

    def flush(self, separations: list[tuple[str, dict[str, Any], bool]]) -> None:
        """Send the employees checked since the last flush, then their new separations."""
        employees, self.employees = self.employees, []
        planned = separations[self._separations_sent :]
        self._separations_sent = len(separations)
        if not self.ctx.writing():
            return
        for row in employees:
            row.setdefault("custom", {})
        self._copy.insert(Employee, employees)
        ids = self.employee_ids
        self._copy.insert(
            Separation, [{"employee_id": ids[n], **r} for n, r, new in planned if new]
        )

    def close(self) -> None:
        if self._immediate:
            self._copy.execute(f"SET CONSTRAINTS {self._immediate} DEFERRED")
        self._copy.close()

    def abandon(self) -> None:
        """Stop after an exception: wait for the thread, its own error is not the cause."""
        with contextlib.suppress(Exception):  # the transaction is rolled back anyway
            self._copy.close()


def _resolve_all(lookup: CatalogueLookup, values: Any) -> None:
    """Resolve each distinct value in the order given, so that the new codes are those the
    row checks give them later."""
    for value in dict.fromkeys(values):
        if value:
            with contextlib.suppress(ValueError):  # reported by the checks
                lookup.resolve(value)


def _foreign_keys_checked_early() -> list[str]:
    """The names of the employee's foreign keys to departments and positions and of the
    separation's to the employee (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE contype = 'f' AND ("
            "(conrelid = %s::regclass AND confrelid IN (%s::regclass, %s::regclass))"
            " OR (conrelid = %s::regclass AND confrelid = %s::regclass)) ORDER BY conname",
            [
                Employee._meta.db_table,
                Department._meta.db_table,
                Position._meta.db_table,
                Separation._meta.db_table,
                Employee._meta.db_table,
            ],
        )
        return [name for (name,) in cursor.fetchall()]


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
