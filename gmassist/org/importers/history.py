"""The employees' history files: reviews, skill levels and pay changes, each keyed by the
employee (by employee number) and its period, skill or effective date."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gmassist.core.imports import (
    CHOICE,
    DATE,
    DECIMAL,
    INT,
    NAME,
    REF,
    CatalogueLookup,
    Column,
    ImportContext,
    Plan,
    column_choices,
    count,
    given_values,
    merge_rows,
    money,
    out_of_range_reason,
    save_rows,
    text_or_empty,
)
from gmassist.lib.bulk import bulk_upsert, ids_by_key
from gmassist.org.choices import PayChangeReason
from gmassist.org.importers.common import employee_numbers, resolve_employee
from gmassist.org.models import EmployeeSkill, PayChange, Review, Skill

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
    numbers = employee_numbers()
    existing = {
        (row["employee_id"], row["period"]): row
        for row in Review.objects.values(
            "employee_id", "period", "review_date", "rating", "potential", "reviewer_id", "comment"
        )
    }
    incoming = []
    for row in ctx.rows:
        employee = resolve_employee(ctx, row, "employee", numbers)
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
            given["reviewer_id"] = resolve_employee(ctx, row, "reviewer", numbers)
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
    numbers = employee_numbers()
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
        employee = resolve_employee(ctx, row, "employee", numbers)
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
    numbers = employee_numbers()
    existing = {
        (row["employee_id"], row["effective_date"]): row
        for row in PayChange.objects.values(
            "employee_id", "effective_date", "base_pay", "previous_base_pay", "reason", "note"
        )
    }
    incoming = []
    for row in ctx.rows:
        employee = resolve_employee(ctx, row, "employee", numbers)
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
        _audit_pay_history(ctx, numbers, existing, new_rows + changed_rows)

    return Plan(counts={"pay_changes": counts}, write=write)


def _audit_pay_history(
    ctx: ImportContext,
    numbers: dict[str, int],
    existing: dict[Any, dict[str, Any]],
    written: list[dict[str, Any]],
) -> None:
    """One audit entry naming every pay-history amount the import wrote: [employee number,
    effective date, base pay before (None for a new row), base pay now] (yearly, company
    currency), as a batch of pay changes names its amounts."""
    if not written:
        return
    from gmassist.core.choices import AuditAction
    from gmassist.core.permissions import SYSTEM
    from gmassist.core.services import audit_record

    number_of = {pk: no for no, pk in numbers.items()}
    amounts = [
        [
            number_of.get(row["employee_id"], str(row["employee_id"])),
            str(row["effective_date"]),
            _amount(
                (existing.get((row["employee_id"], row["effective_date"])) or {}).get("base_pay")
            ),
            _amount(row["base_pay"]),
        ]
        for row in written
    ]
    amounts.sort(key=lambda amount: (amount[0], amount[1]))  # by person, then date
    audit_record(
        actor=ctx.by or SYSTEM,
        action=AuditAction.UPDATE,
        target_type="org.paychange",
        target_repr=f"pay history of {len({a[0] for a in amounts})} employees",
        changes={"pay_history": amounts},
    )


def _amount(value: Any) -> str | None:
    return None if value is None else str(value)


def export_pay(queryset: QuerySet) -> Iterator[list[Any]]:
    rows = queryset.order_by("employee__employee_no", "effective_date").values_list(
        "employee__employee_no", "effective_date", "base_pay", "previous_base_pay", "reason", "note"
    )
    for row in rows.iterator(chunk_size=5000):
        yield list(row)
