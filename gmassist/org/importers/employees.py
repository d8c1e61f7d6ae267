"""The employee file: its columns, the checks of each row, and the plan of its writes.

A department or position given by name is looked up by code, then by unique name, and created
when missing (code derived from the name). A manager is found by employee number, else by
unique normalised full name in the file and the database. A leaver (a leave date) gets status
"left" and a Separation. A new employee's base pay is set (audited with its amount); a changed
base pay of an existing employee becomes a line of one batch pay-change proposal
(`employee_writes`). An empty pay cell does not clear a recorded pay (a warning).

The rows are checked in file order by `_EmployeeChecks`, one method per part of a row (names,
direct columns, pay, leave days, department, position, leaving, manager, custom attributes);
on PostgreSQL the new employees are sent while the next rows are checked (`employee_stream`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gmassist.core.imports import (
    BOOL,
    CHOICE,
    DATE,
    DECIMAL,
    GENDER,
    NAME,
    REF,
    CatalogueLookup,
    Column,
    ImportContext,
    ParsedRow,
    Plan,
    column_choices,
    count,
    money,
    out_of_range_reason,
    text_or_empty,
)
from gmassist.lib import normalize
from gmassist.org.choices import EmployeeStatus, EmploymentType, SeparationType
from gmassist.org.importers.employee_stream import _EmployeeStream
from gmassist.org.importers.employee_writes import EMPLOYEE_ATTRIBUTES, EmployeeWrites, pay_note
from gmassist.org.importers.lookups import UNSEEN, ManagerFinder, memoized
from gmassist.org.models import AttributeDefinition, Department, Employee, Position, Separation

EMPLOYEE_COLUMNS = (
    Column("employee_no", max_length=40),
    Column("full_name", NAME, max_length=200),
    Column("family_name", NAME, max_length=100),
    Column("given_name", NAME, max_length=100),
    Column("email", max_length=254),
    Column("department", REF),
    Column("position", REF),
    Column("manager", REF),
    Column("hire_date", DATE),
    Column("leave_date", DATE),
    Column("separation_type", CHOICE, choices=column_choices(SeparationType)),
    Column("leave_reason", max_length=200),
    Column("regretted", BOOL),
    Column("birth_date", DATE),
    Column("gender", GENDER),
    Column("location", NAME, max_length=100),
    Column("employment_type", CHOICE, choices=column_choices(EmploymentType)),
    Column("status", CHOICE, choices=column_choices(EmployeeStatus)),
    Column("base_pay", DECIMAL),
    Column("paid_leave_days", DECIMAL),
)

# the stored columns of an employee, in this order, everywhere below
_EMPLOYEE_STORED = (
    "employee_no",
    "full_name",
    "family_name",
    "given_name",
    "email",
    "department_id",
    "position_id",
    "manager_id",
    "hire_date",
    "leave_date",
    "birth_date",
    "gender",
    "location",
    "employment_type",
    "status",
    "base_pay",
    "paid_leave_days",
    "custom",
)
_EMPLOYEE_DIRECT = (
    "email",
    "hire_date",
    "birth_date",
    "gender",
    "location",
    "employment_type",
)
_MAX_LEAVE_DAYS = Decimal("9999.9")
# a required employee field that is missing: (reason for a new employee, for a stored one)
_NEW_NEEDS = {
    "full_name": gettext_noop("a new employee needs a name"),
    "hire_date": gettext_noop("a new employee needs a hire date"),
    "department": gettext_noop("a new employee needs a department"),
}
_REQUIRED = {
    "full_name": gettext_noop("required: a name"),
    "hire_date": gettext_noop("required: a hire date"),
    "department": gettext_noop("required: a department"),
}
# a plausible address (one @, a dot in the domain, no spaces); Django's full validator costs
# 20 µs a call, a fifth of the whole per-row budget of a 100,000-row file
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


def _looks_like_email(text: str) -> bool:
    return _EMAIL.match(text) is not None


# the columns of an employee the file does not give, when the employee is new
_NEW_EMPLOYEE: dict[str, Any] = {
    "family_name": "",
    "given_name": "",
    "email": "",
    "position_id": None,
    "manager_id": None,
    "leave_date": None,
    "birth_date": None,
    "gender": "",
    "location": "",
    "employment_type": EmploymentType.FULL_TIME,
    "status": EmployeeStatus.ACTIVE,
    "base_pay": None,
    "paid_leave_days": None,
}
_TEXT_DIRECT = ("email", "gender", "location")  # stored as "" when the cell is empty


def plan_employees(ctx: ImportContext) -> Plan:
    """Check every row of an employee file and plan its writes (see the module docstring)."""
    return _EmployeeChecks(ctx).run()


class _EmployeeChecks:
    """The checks of an employee file, row by row in file order, against what is stored.

    Each row becomes `new`, the employee's stored columns (`_EMPLOYEE_STORED`) as the row
    leaves them; a changed one is staged in `writes` (or sent by `stream`), and `counts` says
    what is created, updated or unchanged per kind of row. Errors and warnings go to `ctx`.
    """

    def __init__(self, ctx: ImportContext):
        self.ctx = ctx
        # custom attributes are read (and written) only when the file has some: JSON costs
        self.stored_fields = _EMPLOYEE_STORED if ctx.custom_columns else _EMPLOYEE_STORED[:-1]
        self.existing, self.existing_ids = _stored_employees(self.stored_fields)
        ctx.progress(65, _("Checking departments, positions and managers"))
        self.departments = CatalogueLookup(
            list(Department.objects.values_list("id", "code", "name")),
            ambiguous=gettext_noop("%(count)d departments are named %(value)r: give the code"),
        )
        self.positions = CatalogueLookup(
            list(Position.objects.values_list("id", "code", "title")),
            ambiguous=gettext_noop("%(count)d positions are named %(value)r: give the code"),
            max_length=60,
        )
        numbers = set(self.existing) | {r.values.get("employee_no") for r in ctx.rows}
        self.managers = ManagerFinder(numbers, self._names)
        self.leave_empty = ctx.mapping.options.unresolved_manager == "leave_empty"
        self.separations = _stored_separations() if ctx.has("leave_date") else {}
        new_attributes = {
            name: kind
            for name, kind in ctx.custom_kinds.items()
            if name not in ctx.spec.known_attributes()
        }
        self.counts = {
            "employees": count(),
            "departments": count(),
            "positions": count(),
            "attributes": count(created=len(new_attributes)),
            "separations": count(),
        }
        # a file repeats its departments, positions and amounts: each distinct one once
        self.resolve_department = memoized(self.departments.resolve)
        self.resolve_position = memoized(self.positions.resolve)
        self.pays: dict[Decimal | None, Decimal | None] = {}
        self.leave_days: dict[Decimal | None, Decimal | None] = {}
        # On PostgreSQL in the import's transaction, new employees (and their separations) are
        # COPYed chunk by chunk while the next rows are checked: see _EmployeeStream
        self.stream = _EmployeeStream.start(
            ctx, self.existing_ids, self.departments, self.positions
        )
        self.writes = EmployeeWrites(
            ctx=ctx,
            stored_fields=self.stored_fields,
            existing_ids=self.existing_ids,
            departments=self.departments,
            positions=self.positions,
            new_attributes=new_attributes,
            stream=self.stream,
        )

    def _names(self) -> dict[str, str]:
        """Employee number -> full name, the file's name winning (built on the first name)."""
        found = {number: row["full_name"] for number, row in self.existing.items()}
        for row in self.ctx.rows:
            number, name = row.values.get("employee_no"), row.values.get("full_name")
            if number and name:
                found[number] = normalize.split_name(name).full_name
        return found

    def run(self) -> Plan:
        """Check every row (the stream, if any, sending as it goes), then count."""
        stream = self.stream
        try:
            self._check_rows()
            if stream:
                stream.flush(self.writes.separations)
        except BaseException:
            if stream:
                stream.abandon()
            raise
        if stream:
            stream.close()  # waits for the server to take the last rows
        self.counts["departments"]["created"] = len(self.departments.new)
        self.counts["positions"]["created"] = len(self.positions.new)
        if self.writes.pay_lines:
            self.ctx.report.proposals = [pay_note(len(self.writes.pay_lines), None)]
        self.ctx.progress(90, _("Checked"))
        return Plan(counts=self.counts, write=self.writes.write)

    def _check_rows(self) -> None:
        ctx, stream = self.ctx, self.stream
        total = max(len(ctx.rows), 1)
        for index, row in enumerate(ctx.rows):
            if index % _EmployeeStream.CHUNK == 0:
                checking = _("Checking employee %(index)s of %(total)s")
                ctx.progress(
                    65 + 25 * index / total,
                    checking % {"index": f"{index + 1:,}", "total": f"{total:,}"},
                )
                if stream:
                    stream.flush(self.writes.separations)
            self.check(row)

    # -- one row ------------------------------------------------------------------------------

    def check(self, row: ParsedRow) -> None:
        """Check `row`, part by part in the order its errors are reported, and stage it."""
        values = row.values
        number = values.get("employee_no")
        if not number:
            self.ctx.error(row, "employee_no", _("the employee number is required"))
            return
        stored = self.existing.get(number)
        new = dict(stored) if stored else self._blank(number)
        required = _NEW_NEEDS if stored is None else _REQUIRED  # for the messages
        self._check_names(row, new, required, is_new=stored is None)
        self._check_direct(row, new, required)
        if "base_pay" in values:
            self._check_pay(row, new, stored, number)
        if "paid_leave_days" in values:
            self._check_leave_days(row, new)
        department_code = self._check_department(row, new, required, is_new=stored is None)
        position_code = self._check_position(row, new) if "position" in values else ""
        self._check_leaving(row, new)
        manager_number = self._check_manager(row, new, number) if "manager" in values else None
        if self.ctx.custom_columns:
            new["custom"] = _with_custom(new["custom"], row.custom)
        self._stage(new, stored, number, department_code, position_code, manager_number)
        self._plan_separation(row, new, self.existing_ids.get(number))

    def _blank(self, number: str) -> dict[str, Any]:
        """The columns of a new employee before the row's are taken."""
        new = {"employee_no": number, **_NEW_EMPLOYEE}
        if self.ctx.custom_columns:
            new["custom"] = {}
        return new

    def _check_names(
        self, row: ParsedRow, new: dict[str, Any], required: dict[str, str], *, is_new: bool
    ) -> None:
        """The full name (split into family and given name unless the file gives those)."""
        values = row.values
        if "full_name" in values:
            if values["full_name"]:
                parts = normalize.split_name(
                    values["full_name"], self.ctx.mapping.options.name_order
                )
                new["full_name"] = parts.full_name
                if "family_name" not in values:
                    new["family_name"] = parts.family_name[:100]
                    new["given_name"] = parts.given_name[:100]
            else:
                self.ctx.error(row, "full_name", _(required["full_name"]))
        elif is_new:
            self.ctx.error(row, "full_name", _(_NEW_NEEDS["full_name"]))
        for name in ("family_name", "given_name"):
            if name in values:
                new[name] = text_or_empty(values[name])

    def _check_direct(self, row: ParsedRow, new: dict[str, Any], required: dict[str, str]) -> None:
        """The columns stored as given (`_EMPLOYEE_DIRECT`): a hire date is required, an
        e-mail address must look like one."""
        values = row.values
        for name in _EMPLOYEE_DIRECT:
            if name not in values:
                continue
            value = values[name]
            if value is None and name == "hire_date":
                self.ctx.error(row, name, _(required["hire_date"]))
                continue
            if value is None and name == "employment_type":
                value = EmploymentType.FULL_TIME
            new[name] = text_or_empty(value) if name in _TEXT_DIRECT else value
        if new.get("hire_date") is None and "hire_date" not in values:
            self.ctx.error(row, "hire_date", _(_NEW_NEEDS["hire_date"]))
        if new["email"] and not _looks_like_email(new["email"]):
            self.ctx.error(row, "email", _("not an e-mail address"))

    def _check_pay(
        self, row: ParsedRow, new: dict[str, Any], stored: dict[str, Any] | None, number: str
    ) -> None:
        """The base pay (a Decimal, the company's currency a year): a new employee's is set,
        an existing employee's new one becomes a line of the pay proposal, an empty cell
        keeps a recorded pay (a warning)."""
        cell = row.values["base_pay"]
        pay = self.pays.get(cell, UNSEEN)
        if pay is UNSEEN:
            pay = self.pays[cell] = money(cell)
        if pay is not None and pay < 0:
            self.ctx.error(row, "base_pay", _("must not be negative"))
        elif stored is None:
            new["base_pay"] = pay
            if pay is not None:
                self.writes.starting_pay[number] = str(pay)
        elif pay is None:
            if stored["base_pay"] is not None:
                self.ctx.warning(
                    row, "base_pay", _("an import does not clear a recorded pay: kept")
                )
        elif pay != stored["base_pay"]:
            self.writes.pay_lines.append(
                {
                    "employee_id": self.existing_ids[number],
                    "employee_no": number,
                    "name": stored["full_name"],
                    "current_base_pay": stored["base_pay"],
                    "new_base_pay": pay,
                }
            )

    def _check_leave_days(self, row: ParsedRow, new: dict[str, Any]) -> None:
        """The paid leave days a year (one decimal), 0 to `_MAX_LEAVE_DAYS`."""
        cell = row.values["paid_leave_days"]
        days = self.leave_days.get(cell, UNSEEN)
        if days is UNSEEN:
            days = self.leave_days[cell] = money(cell, 1)
        if days is not None and not 0 <= days <= _MAX_LEAVE_DAYS:
            self.ctx.error(row, "paid_leave_days", out_of_range_reason(0, _MAX_LEAVE_DAYS))
        new["paid_leave_days"] = days

    def _check_department(
        self, row: ParsedRow, new: dict[str, Any], required: dict[str, str], *, is_new: bool
    ) -> str:
        """The department, by code, by unique name, else created: returns the code of one
        to create when the row is saved ("" for none)."""
        values = row.values
        if "department" not in values:
            if is_new:
                self.ctx.error(row, "department", _(_NEW_NEEDS["department"]))
            return ""
        if not values["department"]:
            self.ctx.error(row, "department", _(required["department"]))
            return ""
        try:
            new["department_id"], code = self.resolve_department(values["department"])
        except ValueError as exc:
            self.ctx.error(row, "department", str(exc))
            return ""
        if code and self.stream:  # created already
            new["department_id"] = self.stream.department_ids[code]
            return ""
        return code

    def _check_position(self, row: ParsedRow, new: dict[str, Any]) -> str:
        """The position (optional), found or created like the department."""
        new["position_id"] = None
        value = row.values["position"]
        if not value:
            return ""
        try:
            new["position_id"], code = self.resolve_position(value)
        except ValueError as exc:
            self.ctx.error(row, "position", str(exc))
            return ""
        if code and self.stream:  # created already
            new["position_id"] = self.stream.position_ids[code]
            return ""
        return code

    def _check_leaving(self, row: ParsedRow, new: dict[str, Any]) -> None:
        """The leave date decides the status: "left" with one, and no "left" without."""
        values = row.values
        status_given = values.get("status")
        if "leave_date" in values:
            new["leave_date"] = values["leave_date"]
        if new["leave_date"] is not None:
            new["status"] = EmployeeStatus.LEFT
            if new.get("hire_date") and new["leave_date"] < new["hire_date"]:
                self.ctx.error(row, "leave_date", _("before the hire date"))
        elif status_given == EmployeeStatus.LEFT:
            self.ctx.error(row, "status", _("an employee who left needs a leave date"))
        elif status_given:
            new["status"] = status_given
        elif new["status"] == EmployeeStatus.LEFT:
            new["status"] = EmployeeStatus.ACTIVE  # no leave date any more: back at work

    def _check_manager(self, row: ParsedRow, new: dict[str, Any], number: str) -> str | None:
        """The manager, by employee number, else by unique name: returns their employee
        number (None when empty or not found); a manager new in this file is set once their
        id is known (drawn already when streaming)."""
        new["manager_id"] = None
        value = row.values["manager"]
        if not value:
            return None
        manager_number, reason = self.managers.find(value)
        own = manager_number == number
        if own:
            manager_number = None
            reason = _("an employee cannot be their own manager")
        if manager_number is None:
            if self.leave_empty and not own:
                self.ctx.warning(row, "manager", _("%(reason)s: left empty") % {"reason": reason})
            else:
                self.ctx.error(row, "manager", reason)
        elif manager_number in self.existing:
            new["manager_id"] = self.existing_ids[manager_number]
        elif self.stream:  # a new manager, whose id is drawn already
            new["manager_id"] = self.stream.employee_ids[manager_number]
        return manager_number

    def _stage(
        self,
        new: dict[str, Any],
        stored: dict[str, Any] | None,
        number: str,
        department_code: str,
        position_code: str,
        manager_number: str | None,
    ) -> None:
        """Count the row, and stage it when it changes anything (sent now when streaming a
        new employee)."""
        manager_is_new = manager_number is not None and manager_number not in self.existing
        changed = stored is None or manager_is_new or new != stored
        employees = self.counts["employees"]
        if stored is None:
            employees["created"] += 1
        elif changed:
            employees["updated"] += 1
        else:
            employees["unchanged"] += 1
        if not changed:
            return
        if self.stream and stored is None:
            new["id"] = self.stream.employee_ids[number]
            self.stream.employees.append(new)
            return
        self.writes.stage(
            new,
            department_code=department_code,
            position_code=position_code,
            new_manager=manager_number if manager_is_new else None,
        )

    def _plan_separation(self, row: ParsedRow, new: dict[str, Any], stored_id: int | None) -> None:
        """A leaver's Separation on the leave date; the reason of people still here is ignored."""
        date = new["leave_date"]
        if date is None or "leave_date" not in row.values:
            return
        before = self.separations.get((stored_id, date)) if stored_id else None
        separation = _separation_given(row, before)
        if not separation["separation_type"]:
            self.ctx.error(
                row,
                "separation_type" if self.ctx.has("separation_type") else "leave_date",
                _("a leaver needs a separation type"),
            )
            return
        counts = self.counts["separations"]
        if before == separation:
            counts["unchanged"] += 1
            return
        counts["updated" if before else "created"] += 1
        self.writes.separations.append(
            (new["employee_no"], {"date": date, **separation}, before is None)
        )


def _stored_employees(fields: tuple[str, ...]) -> tuple[dict[str, dict[str, Any]], dict[str, int]]:
    """The stored employees: employee number -> their `fields`, and employee number -> id."""
    existing: dict[str, dict[str, Any]] = {}
    existing_ids: dict[str, int] = {}
    # one client-side fetch: a server-side cursor's round trips cost more than the memory saved
    for pk, *values in Employee.objects.values_list("id", *fields):
        row = dict(zip(fields, values, strict=True))
        existing[row["employee_no"]] = row
        existing_ids[row["employee_no"]] = pk
    return existing, existing_ids


def _stored_separations() -> dict[tuple[int, Any], dict[str, Any]]:
    """(employee id, date) -> the stored separation's type, reason and regretted."""
    return {
        (emp, date): {"separation_type": kind, "reason": reason, "regretted": regretted}
        for emp, date, kind, reason, regretted in Separation.objects.values_list(
            "employee_id", "date", "separation_type", "reason", "regretted"
        )
    }


def _separation_given(row: ParsedRow, before: dict[str, Any] | None) -> dict[str, Any]:
    """The separation as `row` leaves it: the stored one (`before`) with the row's columns."""
    values = row.values
    separation = (
        dict(before) if before else {"separation_type": None, "reason": "", "regretted": None}
    )
    if values.get("separation_type"):
        separation["separation_type"] = values["separation_type"]
    if "leave_reason" in values:
        separation["reason"] = text_or_empty(values["leave_reason"])[:200]
    if "regretted" in values:
        separation["regretted"] = values["regretted"]
    return separation


def _with_custom(stored: dict[str, Any] | None, given: dict[str, Any]) -> dict[str, Any]:
    """The custom attributes `stored` with those a row gives (None: removed)."""
    custom = dict(stored or {})
    for name, value in given.items():
        if value is None:
            custom.pop(name, None)
        else:
            custom[name] = value
    return custom


def employee_attributes() -> dict[str, str]:
    """The employees' custom attributes: name -> kind (number, category or date)."""
    return dict(
        AttributeDefinition.objects.filter(entity=EMPLOYEE_ATTRIBUTES).values_list("name", "kind")
    )


def export_employees(queryset: QuerySet) -> Iterator[list[Any]]:
    separations = {
        (emp, date): (kind, reason, regretted)
        for emp, date, kind, reason, regretted in Separation.objects.values_list(
            "employee_id", "date", "separation_type", "reason", "regretted"
        )
    }
    rows = queryset.order_by("employee_no").values_list(
        "id",
        "employee_no",
        "full_name",
        "family_name",
        "given_name",
        "email",
        "department__code",
        "position__code",
        "manager__employee_no",
        "hire_date",
        "leave_date",
        "birth_date",
        "gender",
        "location",
        "employment_type",
        "status",
        "base_pay",
        "paid_leave_days",
        "custom",
    )
    for pk, *values in rows.iterator(chunk_size=5000):
        leave_date = values[9]
        kind, reason, regretted = separations.get((pk, leave_date), (None, None, None))
        yield [*values[:10], kind, reason, regretted, *values[10:]]
