"""The organisation's structure: the department and position files, and the departments and
positions an employee file names that do not exist yet."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gmassist.core.imports import (
    DECIMAL,
    INT,
    NAME,
    REF,
    Column,
    ImportContext,
    ParsedRow,
    Plan,
    given_values,
    merge_rows,
    money,
    out_of_range_reason,
    save_rows,
    text_or_empty,
)
from gmassist.lib import normalize
from gmassist.lib.bulk import UPDATE, bulk_upsert, ids_by_key
from gmassist.org.importers.common import employee_numbers, resolve_employee
from gmassist.org.models import Department, Position

# --- departments -----------------------------------------------------------------------------

DEPARTMENT_COLUMNS = (
    Column("code", max_length=40),
    Column("name", NAME, max_length=200),
    Column("parent", REF),
    Column("head", REF),
)


class _DepartmentTree:
    """The stored departments and the file's: a parent is found by code, else by unique name.

    `parent_code` (code -> parent code) holds the tree as the file leaves it, for the loop
    check; `pending_parent` the parents that this file creates (set once they exist).
    """

    def __init__(self, ctx: ImportContext):
        stored_rows = list(
            Department.objects.values_list("id", "code", "name", "parent_id", "head_id")
        )
        code_of_id = {pk: code for pk, code, *_rest in stored_rows}
        self.parent_code: dict[str, str | None] = {
            code: code_of_id.get(parent) for _pk, code, _n, parent, _h in stored_rows
        }
        self.existing = {
            code: {"code": code, "name": name, "parent_id": parent, "head_id": head}
            for _pk, code, name, parent, head in stored_rows
        }
        self.db_ids = {code: pk for pk, code, *_rest in stored_rows}
        self.names = {code: name for _pk, code, name, *_rest in stored_rows}
        self.names.update(
            {r.values["code"]: r.values.get("name") or "" for r in ctx.rows if r.values.get("code")}
        )
        self.by_name: dict[str, set[str]] = {}
        for code, name in self.names.items():
            self.by_name.setdefault(normalize.clean_name(name).casefold(), set()).add(code)
        self.pending_parent: dict[str, str] = {}  # code -> parent code created by this file

    def parent_id(self, ctx: ImportContext, row: ParsedRow, code: str) -> int | None:
        """The `parent_id` to write for department `code` now (its stored one while the
        parent is created by this file: set in a second pass), reporting a parent not found."""
        found = self._find_parent(ctx, row, code)
        self.parent_code[code] = found
        if found and found not in self.db_ids:
            self.pending_parent[code] = found
            return self.existing.get(code, {}).get("parent_id")
        return self.db_ids.get(found) if found else None

    def _find_parent(self, ctx: ImportContext, row: ParsedRow, code: str) -> str | None:
        parent = row.values.get("parent")
        if not parent:
            return None
        found = None
        if parent in self.names:
            found = parent
        else:
            matches = self.by_name.get(parent.casefold(), set())
            if len(matches) == 1:
                found = next(iter(matches))
            else:
                reason = _("ambiguous department name") if matches else _("no such department")
                ctx.error(row, "parent", reason)
        if found == code:
            ctx.error(row, "parent", _("a department cannot be its own parent"))
            return None
        return found


def plan_departments(ctx: ImportContext) -> Plan:
    tree = _DepartmentTree(ctx)
    numbers = employee_numbers() if ctx.has("head") else {}
    incoming = []
    for row in ctx.rows:
        code = row.values.get("code")
        if not code:
            ctx.error(row, "code", _("the code is required"))
            continue
        given = given_values(row, {"name": "name"})
        if ctx.has("parent"):
            given["parent_id"] = tree.parent_id(ctx, row, code)
        if ctx.has("head"):
            given["head_id"] = resolve_employee(ctx, row, "head", numbers)
        incoming.append((row, code, {"code": code, **given}))
    _check_cycles(ctx, tree.parent_code)
    new_rows, changed_rows, counts = merge_rows(
        ctx,
        needs=gettext_noop("a new department needs %(field)s"),
        existing=tree.existing,
        incoming=incoming,
        defaults={"name": None, "parent_id": None, "head_id": None},
        required={"name": "name"},
    )
    # a changed parent that is new in this file: the row is written twice, the count stays one
    pending_parent = tree.pending_parent

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
_BANDS = ("band_min", "band_mid", "band_max")


def plan_positions(ctx: ImportContext) -> Plan:
    existing = {row["code"]: row for row in Position.objects.values("code", *_POSITION_FIELDS)}
    incoming = []
    for row in ctx.rows:
        code = row.values.get("code")
        if not code:
            ctx.error(row, "code", _("the code is required"))
            continue
        given = _position_given(ctx, row)
        _check_band_order(ctx, row, {**existing.get(code, {}), **given})
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


def _position_given(ctx: ImportContext, row: ParsedRow) -> dict[str, Any]:
    """The position columns `row` gives, as stored (bands in money, upper-case currency),
    reporting a negative band or a grade out of range."""
    given = given_values(row, {f: f for f in _POSITION_FIELDS})
    for band in _BANDS:
        if given.get(band) is not None:
            given[band] = money(given[band])
            if given[band] < 0:
                ctx.error(row, band, _("must not be negative"))
    if "job_family" in given:
        given["job_family"] = text_or_empty(given["job_family"])
    if "currency" in given:
        given["currency"] = text_or_empty(given["currency"]).upper()
    if "grade" in given and given["grade"] is not None and not 0 <= given["grade"] <= 32767:
        ctx.error(row, "grade", out_of_range_reason(0, 32767))
    return given


def _check_band_order(ctx: ImportContext, row: ParsedRow, merged: dict[str, Any]) -> None:
    """Report bands out of order (min <= mid <= max) in the position as the row leaves it."""
    present = [(b, merged.get(b)) for b in _BANDS if merged.get(b) is not None]
    for (low_name, low), (high_name, high) in itertools.pairwise(present):
        if low > high:
            reason = _("the band is out of order: %(low_name)s %(low)s > %(high)s")
            ctx.error(row, high_name, reason % {"low_name": low_name, "low": low, "high": high})


def export_positions(queryset: QuerySet) -> Iterator[list[Any]]:
    for row in queryset.values_list("code", *_POSITION_FIELDS).order_by("code").iterator(2000):
        yield list(row)


# --- created by an employee file -------------------------------------------------------------


def department_rows(new: dict[str, str]) -> list[dict[str, Any]]:
    """The rows of the departments (code -> name) an employee file creates."""
    return [{"code": c, "name": n, "parent_id": None, "head_id": None} for c, n in new.items()]


def position_rows(new: dict[str, str]) -> list[dict[str, Any]]:
    """The rows of the positions (code -> title) an employee file creates."""
    return [{"code": c, "title": n[:200], "job_family": "", "currency": ""} for c, n in new.items()]


def save_new_departments(new: dict[str, str]) -> None:
    """Create the departments (code -> name) an employee file names that do not exist."""
    if new:
        bulk_upsert(
            Department, department_rows(new), unique_fields=["code"], update_fields=["name"]
        )


def save_new_positions(new: dict[str, str]) -> None:
    """Create the positions (code -> title) an employee file names that do not exist."""
    if new:
        bulk_upsert(Position, position_rows(new), unique_fields=["code"], update_fields=["title"])


def create_departments(new: dict[str, str]) -> dict[str, int]:
    """Create departments (code -> name) found in an employee file; code -> id of each."""
    if not new:
        return {}
    save_new_departments(new)
    return dict(Department.objects.filter(code__in=list(new)).values_list("code", "id"))


def create_positions(new: dict[str, str]) -> dict[str, int]:
    """Create positions (code -> title) found in an employee file; code -> id of each."""
    if not new:
        return {}
    save_new_positions(new)
    return dict(Position.objects.filter(code__in=list(new)).values_list("code", "id"))
