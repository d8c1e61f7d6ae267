"""Import and export of the organisation's files: departments, positions, employees, reviews,
skills and pay history (the entity specs that `gmassist.core.imports` runs).

Natural keys: Department.code, Position.code, Employee.employee_no, Review (employee, period),
EmployeeSkill (employee, skill), PayChange (employee, effective_date), Separation (employee,
date). A column missing from the file leaves that field of existing rows as stored.

Employees: a department or position given by name is looked up by code, then by unique name,
and created when missing (code derived from the name). A manager is found by employee number,
else by unique normalised full name ("Brandon R. LeBlanc" is "LeBlanc, Brandon  R") in the file
and the database. A leaver (a leave date) gets status "left" and a Separation. A new
employee's base pay is set (the audit names each amount), with no PayChange (pay history comes
from the pay import and from approved proposals). A changed base pay of an existing employee is
never written: the changes of a file become ONE batch pay-change proposal (kind
"org.pay_change_batch", effective the day of the import; the GM's lines a batch of their own),
decided like any proposal, and the import's result names it (`ImportReport.proposals`). An
empty pay cell does not clear a recorded pay (a warning).

Reasons are translated (`gettext`) where a problem is found, in the language the import job
runs in; never per row that has none.
"""

from __future__ import annotations

import contextlib
import itertools
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from gmassist.core.imports import (
    BOOL,
    CHOICE,
    DATE,
    DECIMAL,
    GENDER,
    INT,
    NAME,
    REF,
    CatalogueLookup,
    Column,
    EntitySpec,
    ImportContext,
    ParsedRow,
    Plan,
    column_choices,
    count,
    given_values,
    merge_rows,
    money,
    out_of_range_reason,
    register_entity,
    save_rows,
    text_or_empty,
)
from gmassist.lib import normalize
from gmassist.lib.bulk import UPDATE, CopyStream, bulk_upsert, ids_by_key, reserve_ids
from gmassist.org.choices import (
    EmployeeStatus,
    EmploymentType,
    PayChangeReason,
    SeparationType,
)
from gmassist.org.models import (
    AttributeDefinition,
    Department,
    Employee,
    EmployeeSkill,
    PayChange,
    Position,
    Review,
    Separation,
    Skill,
)
from gmassist.org.services import PAY_CHANGE_BATCH

EMPLOYEE_ATTRIBUTES = "employee"  # AttributeDefinition.entity of employees' custom attributes


def _employee_numbers() -> dict[str, int]:
    return ids_by_key(Employee, ["employee_no"])


def _resolve_employee(
    ctx: ImportContext, row: ParsedRow, name: str, numbers: dict[str, int]
) -> int | None:
    value = row.values.get(name)
    if not value:
        return None
    pk = numbers.get(value)
    if pk is None:
        ctx.error(row, name, _("no employee with this employee number"))
    return pk


# --- departments -----------------------------------------------------------------------------

DEPARTMENT_COLUMNS = (
    Column("code", max_length=40),
    Column("name", NAME, max_length=200),
    Column("parent", REF),
    Column("head", REF),
)


def plan_departments(ctx: ImportContext) -> Plan:
    stored_rows = list(Department.objects.values_list("id", "code", "name", "parent_id", "head_id"))
    code_of_id = {pk: code for pk, code, *_rest in stored_rows}
    parent_code = {code: code_of_id.get(parent) for _pk, code, _n, parent, _h in stored_rows}
    existing = {
        code: {"code": code, "name": name, "parent_id": parent, "head_id": head}
        for _pk, code, name, parent, head in stored_rows
    }
    by_name: dict[str, set[str]] = {}
    names = {code: name for _pk, code, name, *_rest in stored_rows}
    names.update(
        {r.values["code"]: r.values.get("name") or "" for r in ctx.rows if r.values.get("code")}
    )
    for code, name in names.items():
        by_name.setdefault(normalize.clean_name(name).casefold(), set()).add(code)
    numbers = _employee_numbers() if ctx.has("head") else {}
    db_ids = {code: pk for pk, code, *_rest in stored_rows}

    incoming = []
    pending_parent: dict[str, str] = {}  # code -> parent code created by this file
    for row in ctx.rows:
        code = row.values.get("code")
        if not code:
            ctx.error(row, "code", _("the code is required"))
            continue
        given = given_values(row, {"name": "name"})
        if ctx.has("parent"):
            parent = row.values.get("parent")
            parent_found = None
            if parent:
                if parent in names:
                    parent_found = parent
                else:
                    matches = by_name.get(parent.casefold(), set())
                    if len(matches) == 1:
                        parent_found = next(iter(matches))
                    else:
                        reason = (
                            _("ambiguous department name") if matches else _("no such department")
                        )
                        ctx.error(row, "parent", reason)
                if parent_found == code:
                    ctx.error(row, "parent", _("a department cannot be its own parent"))
                    parent_found = None
            parent_code[code] = parent_found
            if parent_found and parent_found not in db_ids:
                pending_parent[code] = parent_found
                given["parent_id"] = existing.get(code, {}).get("parent_id")
            else:
                given["parent_id"] = db_ids.get(parent_found) if parent_found else None
        if ctx.has("head"):
            given["head_id"] = _resolve_employee(ctx, row, "head", numbers)
        incoming.append((row, code, {"code": code, **given}))
    _check_cycles(ctx, parent_code)
    new_rows, changed_rows, counts = merge_rows(
        ctx,
        needs=gettext_noop("a new department needs %(field)s"),
        existing=existing,
        incoming=incoming,
        defaults={"name": None, "parent_id": None, "head_id": None},
        required={"name": "name"},
    )
    # a changed parent that is new in this file: the row is written twice, the count stays one

    def write() -> None:
        save_rows(Department, new_rows, changed_rows, ["code"], ["name", "parent_id", "head_id"])
        if pending_parent:
            ids = ids_by_key(Department, ["code"])
            bulk_upsert(
                Department,
                [{"code": c, "parent_id": ids[p]} for c, p in pending_parent.items()],
                unique_fields=["code"],
                update_fields=["parent_id"],
                mode=UPDATE,
            )

    return Plan(counts={"departments": counts}, write=write)


def _check_cycles(ctx: ImportContext, parent_code: dict[str, str | None]) -> None:
    rows = {r.values.get("code"): r for r in ctx.rows}
    for code, row in rows.items():
        seen = {code}
        current = parent_code.get(code)
        while current is not None:
            if current in seen:
                ctx.error(row, "parent", _("the parents form a loop"))
                break
            seen.add(current)
            current = parent_code.get(current)


def export_departments(queryset: QuerySet) -> Iterator[list[Any]]:
    rows = queryset.values_list("code", "name", "parent__code", "head__employee_no").order_by(
        "code"
    )
    for row in rows.iterator(chunk_size=2000):
        yield list(row)


# --- positions -------------------------------------------------------------------------------

POSITION_COLUMNS = (
    Column("code", max_length=60),
    Column("title", NAME, max_length=200),
    Column("job_family", NAME, max_length=100),
    Column("grade", INT),
    Column("band_min", DECIMAL),
    Column("band_mid", DECIMAL),
    Column("band_max", DECIMAL),
    Column("currency", max_length=3),
)
_POSITION_FIELDS = ["title", "job_family", "grade", "band_min", "band_mid", "band_max", "currency"]


def plan_positions(ctx: ImportContext) -> Plan:
    existing = {row["code"]: row for row in Position.objects.values("code", *_POSITION_FIELDS)}
    incoming = []
    for row in ctx.rows:
        code = row.values.get("code")
        if not code:
            ctx.error(row, "code", _("the code is required"))
            continue
        given = given_values(row, {f: f for f in _POSITION_FIELDS})
        for band in ("band_min", "band_mid", "band_max"):
            if given.get(band) is not None:
                given[band] = money(given[band])
                if given[band] < 0:
                    ctx.error(row, band, _("must not be negative"))
        for text_field in ("job_family", "currency"):
            if text_field in given:
                given[text_field] = (
                    text_or_empty(given[text_field]).upper()
                    if text_field == "currency"
                    else text_or_empty(given[text_field])
                )
        if "grade" in given and given["grade"] is not None and not 0 <= given["grade"] <= 32767:
            ctx.error(row, "grade", out_of_range_reason(0, 32767))
        merged = {**existing.get(code, {}), **given}
        bands = [(b, merged.get(b)) for b in ("band_min", "band_mid", "band_max")]
        present = [(b, v) for b, v in bands if v is not None]
        for (low_name, low), (high_name, high) in itertools.pairwise(present):
            if low > high:
                reason = _("the band is out of order: %(low_name)s %(low)s > %(high)s")
                ctx.error(row, high_name, reason % {"low_name": low_name, "low": low, "high": high})
        incoming.append((row, code, {"code": code, **given}))
    new_rows, changed_rows, counts = merge_rows(
        ctx,
        needs=gettext_noop("a new position needs %(field)s"),
        existing=existing,
        incoming=incoming,
        defaults={
            "title": None,
            "job_family": "",
            "grade": None,
            "band_min": None,
            "band_mid": None,
            "band_max": None,
            "currency": "",
        },
        required={"title": "title"},
    )

    def write() -> None:
        save_rows(Position, new_rows, changed_rows, ["code"], _POSITION_FIELDS)

    return Plan(counts={"positions": counts}, write=write)


def export_positions(queryset: QuerySet) -> Iterator[list[Any]]:
    for row in queryset.values_list("code", *_POSITION_FIELDS).order_by("code").iterator(2000):
        yield list(row)


# --- employees -------------------------------------------------------------------------------

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


class ManagerFinder:
    """Finds managers by employee number, else by unique normalised full name (file and db)."""

    def __init__(self, numbers: set[str], names: Callable[[], dict[str, str]]):
        self.numbers = numbers  # every employee number, in the file or the database
        self._names = names  # called once, on the first lookup by name
        self._exact: dict[str, set[str]] | None = None
        self._loose: dict[str, set[str]] = {}

    def _index(self) -> None:
        self._exact, self._loose = {}, {}
        for number, name in self._names().items():
            if not name:
                continue
            self._exact.setdefault(normalize.name_key(name), set()).add(number)
            self._loose.setdefault(normalize.loose_name_key(name), set()).add(number)

    def find(self, value: str) -> tuple[str | None, str]:
        """(employee number, "") or (None, the reason it was not found, translated)."""
        if value in self.numbers:
            return value, ""
        if self._exact is None:
            self._index()
        assert self._exact is not None
        matches = self._exact.get(normalize.name_key(value), set())
        if not matches:
            matches = self._loose.get(normalize.loose_name_key(value), set())
        if len(matches) == 1:
            return next(iter(matches)), ""
        if matches:
            reason = _("%(count)d employees have this name: give the employee number")
            return None, reason % {"count": len(matches)}
        return None, _("no employee with this number or name")


_UNSEEN = object()


def _memoized(resolve: Callable[[str], tuple[int | None, str]]) -> Callable[[str], Any]:
    """`resolve` called once per distinct value (its ValueError raised again each time)."""
    memo: dict[str, tuple[int | None, str] | str] = {}

    def cached(value: str) -> tuple[int | None, str]:
        found = memo.get(value)
        if found is None:
            try:
                found = memo[value] = resolve(value)
            except ValueError as exc:
                found = memo[value] = str(exc)
        if type(found) is str:
            raise ValueError(found)
        return found  # type: ignore[return-value]

    return cached


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
        if not ctx.writing() or connection.vendor != "postgresql":
            return None
        for lookup, name in ((departments, "department"), (positions, "position")):
            if not ctx.has(name):
                continue
            for value in dict.fromkeys(row.values.get(name) for row in ctx.rows):
                if value:
                    with contextlib.suppress(ValueError):  # reported by the checks
                        lookup.resolve(value)
        department_ids = _create_departments(departments.new)
        position_ids = _create_positions(positions.new)
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


def _create_departments(new: dict[str, str]) -> dict[str, int]:
    """Create departments (code -> name) found in an employee file; code -> id of each."""
    if not new:
        return {}
    bulk_upsert(
        Department,
        [{"code": c, "name": n, "parent_id": None, "head_id": None} for c, n in new.items()],
        unique_fields=["code"],
        update_fields=["name"],
    )
    return dict(Department.objects.filter(code__in=list(new)).values_list("code", "id"))


def _create_positions(new: dict[str, str]) -> dict[str, int]:
    """Create positions (code -> title) found in an employee file; code -> id of each."""
    if not new:
        return {}
    bulk_upsert(
        Position,
        [{"code": c, "title": n[:200], "job_family": "", "currency": ""} for c, n in new.items()],
        unique_fields=["code"],
        update_fields=["title"],
    )
    return dict(Position.objects.filter(code__in=list(new)).values_list("code", "id"))


def plan_employees(ctx: ImportContext) -> Plan:
    # custom attributes are read (and written) only when the file has some: JSON costs
    stored_fields = _EMPLOYEE_STORED if ctx.custom_columns else _EMPLOYEE_STORED[:-1]
    stored_rows = Employee.objects.values_list("id", *stored_fields)
    existing: dict[str, dict[str, Any]] = {}  # employee number -> stored columns
    existing_ids: dict[str, int] = {}
    # one client-side fetch: a server-side cursor's round trips cost more than the memory saved
    for pk, *values in stored_rows:
        row = dict(zip(stored_fields, values, strict=True))
        existing[row["employee_no"]] = row
        existing_ids[row["employee_no"]] = pk
    ctx.progress(65, _("Checking departments, positions and managers"))
    departments = CatalogueLookup(
        list(Department.objects.values_list("id", "code", "name")),
        ambiguous=gettext_noop("%(count)d departments are named %(value)r: give the code"),
    )
    positions = CatalogueLookup(
        list(Position.objects.values_list("id", "code", "title")),
        ambiguous=gettext_noop("%(count)d positions are named %(value)r: give the code"),
        max_length=60,
    )

    def names() -> dict[str, str]:
        """Employee number -> full name, the file's name winning (built on the first name)."""
        found = {number: row["full_name"] for number, row in existing.items()}
        for row in ctx.rows:
            number, name = row.values.get("employee_no"), row.values.get("full_name")
            if number and name:
                found[number] = normalize.split_name(name).full_name
        return found

    numbers = set(existing) | {r.values.get("employee_no") for r in ctx.rows}
    managers = ManagerFinder(numbers, names)
    leave_empty = ctx.mapping.options.unresolved_manager == "leave_empty"

    separations = {}
    if ctx.has("leave_date"):
        separations = {
            (emp, date): {"separation_type": kind, "reason": reason, "regretted": regretted}
            for emp, date, kind, reason, regretted in Separation.objects.values_list(
                "employee_id", "date", "separation_type", "reason", "regretted"
            )
        }
    # A new employee's starting pay is set by the import (and audited with its amount); an
    # existing employee's new pay becomes a line of one batch pay-change proposal instead:
    # pay changes only through proposals.
    starting_pay: dict[str, str] = {}  # employee number -> amount
    pay_lines: list[dict[str, Any]] = []
    new_attributes = {
        name: kind
        for name, kind in ctx.custom_kinds.items()
        if name not in ctx.spec.known_attributes()
    }
    to_write: list[dict[str, Any]] = []
    pending: list[tuple[dict[str, Any], str, ParsedRow]] = []  # rows whose manager is new
    new_departments: dict[int, str] = {}  # id(row dict) -> department code to create
    new_positions: dict[int, str] = {}
    # (employee number, columns, whether the row is new)
    separations_to_write: list[tuple[str, dict[str, Any], bool]] = []
    counts = {
        "employees": count(),
        "departments": count(),
        "positions": count(),
        "attributes": count(created=len(new_attributes)),
        "separations": count(),
    }
    # On PostgreSQL in the import's transaction, new employees (and their separations) are
    # COPYed chunk by chunk while the next rows are checked: see _EmployeeStream
    total = max(len(ctx.rows), 1)
    # a file repeats its departments, positions and amounts: each distinct one is looked up once
    resolve_department = _memoized(departments.resolve)
    resolve_position = _memoized(positions.resolve)
    pays: dict[Decimal | None, Decimal | None] = {}
    leave_days: dict[Decimal | None, Decimal | None] = {}
    stream = _EmployeeStream.start(ctx, existing_ids, departments, positions)
    try:
        for index, row in enumerate(ctx.rows):
            if index % _EmployeeStream.CHUNK == 0:
                checking = _("Checking employee %(index)s of %(total)s")
                ctx.progress(
                    65 + 25 * index / total,
                    checking % {"index": f"{index + 1:,}", "total": f"{total:,}"},
                )
                if stream:
                    stream.flush(separations_to_write)
            values = row.values
            number = values.get("employee_no")
            if not number:
                ctx.error(row, "employee_no", _("the employee number is required"))
                continue
            stored = existing.get(number)
            new = (
                dict(stored)
                if stored
                else {
                    "employee_no": number,
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
            )
            if stored is None and ctx.custom_columns:
                new["custom"] = {}
            required = _NEW_NEEDS if stored is None else _REQUIRED  # for the messages

            if "full_name" in values:
                if values["full_name"]:
                    parts = normalize.split_name(values["full_name"])
                    new["full_name"] = parts.full_name
                    if "family_name" not in values:
                        new["family_name"], new["given_name"] = (
                            parts.family_name[:100],
                            parts.given_name[:100],
                        )
                else:
                    ctx.error(row, "full_name", _(required["full_name"]))
            elif stored is None:
                ctx.error(row, "full_name", _(_NEW_NEEDS["full_name"]))
            for name in ("family_name", "given_name"):
                if name in values:
                    new[name] = text_or_empty(values[name])
            for name in _EMPLOYEE_DIRECT:
                if name in values:
                    value = values[name]
                    if value is None and name == "hire_date":
                        ctx.error(row, name, _(required["hire_date"]))
                        continue
                    if value is None and name == "employment_type":
                        value = EmploymentType.FULL_TIME
                    new[name] = (
                        text_or_empty(value) if name in ("email", "gender", "location") else value
                    )
            if new.get("hire_date") is None and "hire_date" not in values:
                ctx.error(row, "hire_date", _(_NEW_NEEDS["hire_date"]))
            if new["email"] and not _looks_like_email(new["email"]):
                ctx.error(row, "email", _("not an e-mail address"))
            if "base_pay" in values:
                pay = pays.get(values["base_pay"], _UNSEEN)
                if pay is _UNSEEN:
                    pay = pays[values["base_pay"]] = money(values["base_pay"])
                if pay is not None and pay < 0:
                    ctx.error(row, "base_pay", _("must not be negative"))
                elif stored is None:
                    new["base_pay"] = pay
                    if pay is not None:
                        starting_pay[number] = str(pay)
                elif pay is None:
                    if stored["base_pay"] is not None:
                        ctx.warning(
                            row, "base_pay", _("an import does not clear a recorded pay: kept")
                        )
                elif pay != stored["base_pay"]:
                    pay_lines.append(
                        {
                            "employee_id": existing_ids[number],
                            "employee_no": number,
                            "name": stored["full_name"],
                            "current_base_pay": stored["base_pay"],
                            "new_base_pay": pay,
                        }
                    )
            if "paid_leave_days" in values:
                days = leave_days.get(values["paid_leave_days"], _UNSEEN)
                if days is _UNSEEN:
                    days = leave_days[values["paid_leave_days"]] = money(
                        values["paid_leave_days"], 1
                    )
                if days is not None and not 0 <= days <= _MAX_LEAVE_DAYS:
                    ctx.error(row, "paid_leave_days", out_of_range_reason(0, _MAX_LEAVE_DAYS))
                new["paid_leave_days"] = days

            # department and position: by code, by unique name, else created
            department_code = ""
            if "department" in values:
                if values["department"]:
                    try:
                        new["department_id"], department_code = resolve_department(
                            values["department"]
                        )
                        if department_code and stream:  # created already
                            new["department_id"] = stream.department_ids[department_code]
                            department_code = ""
                    except ValueError as exc:
                        ctx.error(row, "department", str(exc))
                else:
                    ctx.error(row, "department", _(required["department"]))
            elif stored is None:
                ctx.error(row, "department", _(_NEW_NEEDS["department"]))
            position_code = ""
            if "position" in values:
                new["position_id"] = None
                if values["position"]:
                    try:
                        new["position_id"], position_code = resolve_position(values["position"])
                        if position_code and stream:  # created already
                            new["position_id"] = stream.position_ids[position_code]
                            position_code = ""
                    except ValueError as exc:
                        ctx.error(row, "position", str(exc))

            # leaving: the leave date decides the status
            status_given = values.get("status")
            if "leave_date" in values:
                new["leave_date"] = values["leave_date"]
            if new["leave_date"] is not None:
                new["status"] = EmployeeStatus.LEFT
                if new.get("hire_date") and new["leave_date"] < new["hire_date"]:
                    ctx.error(row, "leave_date", _("before the hire date"))
            elif status_given == EmployeeStatus.LEFT:
                ctx.error(row, "status", _("an employee who left needs a leave date"))
            elif status_given:
                new["status"] = status_given
            elif new["status"] == EmployeeStatus.LEFT:
                new["status"] = EmployeeStatus.ACTIVE  # no leave date any more: back at work

            # manager: by employee number, else by unique name; a new manager is set afterwards
            manager_number = None
            if "manager" in values:
                new["manager_id"] = None
                value = values["manager"]
                if value:
                    manager_number, reason = managers.find(value)
                    own = manager_number == number
                    if own:
                        manager_number = None
                        reason = _("an employee cannot be their own manager")
                    if manager_number is None:
                        if leave_empty and not own:
                            reason = _("%(reason)s: left empty") % {"reason": reason}
                            ctx.warning(row, "manager", reason)
                        else:
                            ctx.error(row, "manager", reason)
                    elif manager_number in existing:
                        new["manager_id"] = existing_ids[manager_number]
                    elif stream:  # a new manager, whose id is drawn already
                        new["manager_id"] = stream.employee_ids[manager_number]

            if ctx.custom_columns:
                custom = dict(new["custom"] or {})
                for name, value in row.custom.items():
                    if value is None:
                        custom.pop(name, None)
                    else:
                        custom[name] = value
                new["custom"] = custom

            manager_is_new = manager_number is not None and manager_number not in existing
            changed = stored is None or manager_is_new or new != stored
            if stored is None:
                counts["employees"]["created"] += 1
            elif changed:
                counts["employees"]["updated"] += 1
            else:
                counts["employees"]["unchanged"] += 1
            if changed and stream and stored is None:
                new["id"] = stream.employee_ids[number]
                stream.employees.append(new)
            elif changed:
                to_write.append(new)
                if department_code:
                    new_departments[id(new)] = department_code
                if position_code:
                    new_positions[id(new)] = position_code
                if manager_is_new:
                    pending.append((new, manager_number, row))

            stored_id = existing_ids.get(number)
            _plan_separation(ctx, row, new, stored_id, separations, separations_to_write, counts)
        if stream:
            stream.flush(separations_to_write)
    except BaseException:
        if stream:
            stream.abandon()
        raise
    if stream:
        stream.close()  # waits for the server to take the last rows

    counts["departments"]["created"] = len(departments.new)
    counts["positions"]["created"] = len(positions.new)
    if pay_lines:
        ctx.report.proposals = [_pay_note(len(pay_lines), None)]
    ctx.progress(90, _("Checked"))

    def write() -> None:
        # streamed: the new departments, positions, employees and separations are written
        if departments.new and not stream:
            bulk_upsert(
                Department,
                [
                    {"code": c, "name": n, "parent_id": None, "head_id": None}
                    for c, n in departments.new.items()
                ],
                unique_fields=["code"],
                update_fields=["name"],
            )
        if positions.new and not stream:
            bulk_upsert(
                Position,
                [
                    {"code": c, "title": n[:200], "job_family": "", "currency": ""}
                    for c, n in positions.new.items()
                ],
                unique_fields=["code"],
                update_fields=["title"],
            )
        if new_attributes:
            bulk_upsert(
                AttributeDefinition,
                [
                    {"entity": EMPLOYEE_ATTRIBUTES, "name": n, "kind": k}
                    for n, k in new_attributes.items()
                ],
                unique_fields=["entity", "name"],
                update_fields=["kind"],
            )
        department_ids = ids_by_key(Department, ["code"]) if new_departments else {}
        position_ids = ids_by_key(Position, ["code"]) if new_positions else {}
        for row in to_write:
            if id(row) in new_departments:
                row["department_id"] = department_ids[new_departments[id(row)]]
            if id(row) in new_positions:
                row["position_id"] = position_ids[new_positions[id(row)]]
        created_rows = [row for row in to_write if row["employee_no"] not in existing]
        for row in created_rows:
            row.setdefault("custom", {})
        employee_ids = dict(stream.employee_ids if stream else existing_ids)
        # With ids drawn beforehand a manager new in this file is set in the same write;
        # otherwise (SQLite) managers are set in a second pass once the ids are known.
        reserved = reserve_ids(Employee, len(created_rows))
        if reserved is not None:
            for row, pk in zip(created_rows, reserved, strict=True):
                row["id"] = pk
                employee_ids[row["employee_no"]] = pk
            for row, manager, _parsed in pending:
                row["manager_id"] = employee_ids[manager]
        save_rows(
            Employee,
            created_rows,
            [row for row in to_write if row["employee_no"] in existing],
            ["employee_no"],
            [c for c in stored_fields if c != "employee_no"],
        )
        if reserved is None:
            employee_ids = _employee_numbers()
        if pending and reserved is None:
            bulk_upsert(
                Employee,
                [
                    {"employee_no": row["employee_no"], "manager_id": employee_ids[manager]}
                    for row, manager, _parsed in pending
                ],
                unique_fields=["employee_no"],
                update_fields=["manager_id"],
                mode=UPDATE,
            )
        planned = separations_to_write
        if stream:
            planned = [p for p in planned if not p[2]]
        rows = [({"employee_id": employee_ids[n], **r}, new) for n, r, new in planned]
        save_rows(
            Separation,
            [r for r, new in rows if new],
            [r for r, new in rows if not new],
            ["employee_id", "date"],
            ["separation_type", "reason", "regretted"],
        )
        _write_pay(ctx, starting_pay, pay_lines)

    return Plan(counts=counts, write=write)


def _plan_separation(
    ctx: ImportContext,
    row: ParsedRow,
    new: dict[str, Any],
    stored_id: int | None,
    separations: dict[tuple[int, Any], dict[str, Any]],
    to_write: list[tuple[str, dict[str, Any], bool]],
    counts: dict[str, dict[str, int]],
) -> None:
    """A leaver's Separation on the leave date; the reason of people still here is ignored."""
    date = new["leave_date"]
    if date is None or "leave_date" not in row.values:
        return
    values = row.values
    before = separations.get((stored_id, date)) if stored_id else None
    separation = (
        dict(before) if before else {"separation_type": None, "reason": "", "regretted": None}
    )
    if values.get("separation_type"):
        separation["separation_type"] = values["separation_type"]
    if "leave_reason" in values:
        separation["reason"] = text_or_empty(values["leave_reason"])[:200]
    if "regretted" in values:
        separation["regretted"] = values["regretted"]
    if not separation["separation_type"]:
        ctx.error(
            row,
            "separation_type" if ctx.has("separation_type") else "leave_date",
            _("a leaver needs a separation type"),
        )
        return
    if before == separation:
        counts["separations"]["unchanged"] += 1
        return
    counts["separations"]["updated" if before else "created"] += 1
    to_write.append((new["employee_no"], {"date": date, **separation}, before is None))


def _pay_note(count: int, proposal_id: int | None) -> dict[str, Any]:
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

    if starting_pay:
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
    ctx.report.proposals = [_pay_note(len(p.payload["lines"]), p.pk) for p in proposals]


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


# --- reviews, skills, pay history ------------------------------------------------------------

REVIEW_COLUMNS = (
    Column("employee", REF),
    Column("period", max_length=20),
    Column("review_date", DATE),
    Column("rating", INT),
    Column("potential", INT),
    Column("reviewer", REF),
    Column("comment"),
)


def plan_reviews(ctx: ImportContext) -> Plan:
    numbers = _employee_numbers()
    existing = {
        (row["employee_id"], row["period"]): row
        for row in Review.objects.values(
            "employee_id", "period", "review_date", "rating", "potential", "reviewer_id", "comment"
        )
    }
    incoming = []
    for row in ctx.rows:
        employee = _resolve_employee(ctx, row, "employee", numbers)
        period = row.values.get("period")
        if employee is None or not period:
            if not period:
                ctx.error(row, "period", _("the period is required"))
            continue
        given = given_values(
            row, {"review_date": "review_date", "rating": "rating", "potential": "potential"}
        )
        if given.get("rating") is not None and not 1 <= given["rating"] <= 5:
            ctx.error(row, "rating", out_of_range_reason(1, 5))
        if given.get("potential") is not None and not 1 <= given["potential"] <= 3:
            ctx.error(row, "potential", out_of_range_reason(1, 3))
        if "comment" in row.values:
            given["comment"] = text_or_empty(row.values["comment"])
        if "reviewer" in row.values:
            given["reviewer_id"] = _resolve_employee(ctx, row, "reviewer", numbers)
        incoming.append(
            (row, (employee, period), {"employee_id": employee, "period": period, **given})
        )
    new_rows, changed_rows, counts = merge_rows(
        ctx,
        needs=gettext_noop("a new review needs %(field)s"),
        existing=existing,
        incoming=incoming,
        defaults={
            "review_date": None,
            "rating": None,
            "potential": None,
            "reviewer_id": None,
            "comment": "",
        },
        required={"rating": "rating"},
    )

    def write() -> None:
        save_rows(
            Review,
            new_rows,
            changed_rows,
            ["employee_id", "period"],
            ["review_date", "rating", "potential", "reviewer_id", "comment"],
        )

    return Plan(counts={"reviews": counts}, write=write)


def export_reviews(queryset: QuerySet) -> Iterator[list[Any]]:
    rows = queryset.order_by("employee__employee_no", "period").values_list(
        "employee__employee_no",
        "period",
        "review_date",
        "rating",
        "potential",
        "reviewer__employee_no",
        "comment",
    )
    for row in rows.iterator(chunk_size=5000):
        yield list(row)


SKILL_COLUMNS = (
    Column("employee", REF),
    Column("skill", REF),
    Column("level", INT),
    Column("assessed_on", DATE),
    Column("category", NAME, max_length=100),
)


def plan_skills(ctx: ImportContext) -> Plan:
    numbers = _employee_numbers()
    skills = CatalogueLookup(
        list(Skill.objects.values_list("id", "code", "name")),
        ambiguous=gettext_noop("%(count)d skills are named %(value)r: give the code"),
        max_length=60,
    )
    categories: dict[str, str] = {}
    existing = {
        (row["employee_id"], row["skill_id"]): row
        for row in EmployeeSkill.objects.values("employee_id", "skill_id", "level", "assessed_on")
    }
    incoming = []
    seen: dict[tuple[int, Any], int] = {}
    for row in ctx.rows:
        employee = _resolve_employee(ctx, row, "employee", numbers)
        value = row.values.get("skill")
        if not value:
            ctx.error(row, "skill", _("the skill is required"))
            continue
        try:
            skill_id, new_code = skills.resolve(value)
        except ValueError as exc:
            ctx.error(row, "skill", str(exc))
            continue
        if employee is None:
            continue
        if new_code and row.values.get("category"):
            categories.setdefault(new_code, row.values["category"])
        skill_key = skill_id or new_code
        if (employee, skill_key) in seen:
            reason = _("duplicate %(key)s: also on row %(row)d")
            ctx.error(
                row,
                "skill",
                reason % {"key": "employee + skill", "row": seen[(employee, skill_key)]},
            )
            continue
        seen[(employee, skill_key)] = row.number
        given = given_values(row, {"level": "level", "assessed_on": "assessed_on"})
        if given.get("level") is not None and not 0 <= given["level"] <= 5:
            ctx.error(row, "level", out_of_range_reason(0, 5))
        incoming.append(
            (row, (employee, skill_key), {"employee_id": employee, "skill_id": skill_key, **given})
        )
    new_rows, changed_rows, counts = merge_rows(
        ctx,
        needs=gettext_noop("a new skill level needs %(field)s"),
        existing=existing,
        incoming=incoming,
        defaults={"assessed_on": None, "level": None},
        required={"level": "level"},
    )

    def write() -> None:
        if skills.new:
            bulk_upsert(
                Skill,
                [
                    {"code": c, "name": n[:200], "category": categories.get(c, "")[:100]}
                    for c, n in skills.new.items()
                ],
                unique_fields=["code"],
                update_fields=["name"],
            )
            skill_ids = ids_by_key(Skill, ["code"])
            for row in new_rows:
                if isinstance(row["skill_id"], str):
                    row["skill_id"] = skill_ids[row["skill_id"]]
        save_rows(
            EmployeeSkill,
            new_rows,
            changed_rows,
            ["employee_id", "skill_id"],
            ["level", "assessed_on"],
        )

    return Plan(
        counts={"employee_skills": counts, "skills": count(created=len(skills.new))}, write=write
    )


def export_skills(queryset: QuerySet) -> Iterator[list[Any]]:
    rows = queryset.order_by("employee__employee_no", "skill__code").values_list(
        "employee__employee_no", "skill__code", "level", "assessed_on", "skill__category"
    )
    for row in rows.iterator(chunk_size=5000):
        yield list(row)


PAY_COLUMNS = (
    Column("employee", REF),
    Column("effective_date", DATE),
    Column("base_pay", DECIMAL),
    Column("previous_base_pay", DECIMAL),
    Column("reason", CHOICE, choices=column_choices(PayChangeReason)),
    Column("note", max_length=300),
)


def plan_pay(ctx: ImportContext) -> Plan:
    numbers = _employee_numbers()
    existing = {
        (row["employee_id"], row["effective_date"]): row
        for row in PayChange.objects.values(
            "employee_id", "effective_date", "base_pay", "previous_base_pay", "reason", "note"
        )
    }
    incoming = []
    for row in ctx.rows:
        employee = _resolve_employee(ctx, row, "employee", numbers)
        date = row.values.get("effective_date")
        if not date:
            ctx.error(row, "effective_date", _("the effective date is required"))
        if employee is None or not date:
            continue
        given = given_values(
            row,
            {
                "base_pay": "base_pay",
                "previous_base_pay": "previous_base_pay",
                "reason": "reason",
                "note": "note",
            },
        )
        for name in ("base_pay", "previous_base_pay"):
            if given.get(name) is not None:
                given[name] = money(given[name])
                if given[name] < 0:
                    ctx.error(row, name, _("must not be negative"))
        if "note" in given:
            given["note"] = text_or_empty(given["note"])
        if "reason" in given and given["reason"] is None:
            given["reason"] = PayChangeReason.IMPORT
        incoming.append(
            (row, (employee, date), {"employee_id": employee, "effective_date": date, **given})
        )
    new_rows, changed_rows, counts = merge_rows(
        ctx,
        needs=gettext_noop("a new pay change needs %(field)s"),
        existing=existing,
        incoming=incoming,
        defaults={
            "base_pay": None,
            "previous_base_pay": None,
            "reason": PayChangeReason.IMPORT,
            "note": "",
        },
        required={"base_pay": "base_pay"},
    )

    def write() -> None:
        save_rows(
            PayChange,
            new_rows,
            changed_rows,
            ["employee_id", "effective_date"],
            ["base_pay", "previous_base_pay", "reason", "note"],
        )

    return Plan(counts={"pay_changes": counts}, write=write)


def export_pay(queryset: QuerySet) -> Iterator[list[Any]]:
    rows = queryset.order_by("employee__employee_no", "effective_date").values_list(
        "employee__employee_no", "effective_date", "base_pay", "previous_base_pay", "reason", "note"
    )
    for row in rows.iterator(chunk_size=5000):
        yield list(row)


register_entity(
    EntitySpec(
        "departments",
        Department,
        DEPARTMENT_COLUMNS,
        ("code",),
        plan_departments,
        export_departments,
    )
)
register_entity(
    EntitySpec("positions", Position, POSITION_COLUMNS, ("code",), plan_positions, export_positions)
)
register_entity(
    EntitySpec(
        "employees",
        Employee,
        EMPLOYEE_COLUMNS,
        ("employee_no",),
        plan_employees,
        export_employees,
        custom_entity=EMPLOYEE_ATTRIBUTES,
        known_attributes=employee_attributes,
    )
)
register_entity(
    EntitySpec(
        "reviews", Review, REVIEW_COLUMNS, ("employee", "period"), plan_reviews, export_reviews
    )
)
register_entity(
    EntitySpec(
        "skills", EmployeeSkill, SKILL_COLUMNS, ("employee", "skill"), plan_skills, export_skills
    )
)
register_entity(
    EntitySpec("pay", PayChange, PAY_COLUMNS, ("employee", "effective_date"), plan_pay, export_pay)
)
