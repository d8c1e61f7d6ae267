"""Writes of the organisation: departments, positions, employees, reviews and skills, and pay
changes (through proposals). Keyword-only, one transaction, audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext, gettext_noop, ngettext

from gmassist.core.choices import Action, AuditAction
from gmassist.core.models import Company, Proposal, User
from gmassist.core.permissions import ALL, reach, user_can
from gmassist.core.services import audit_record, proposal_create
from gmassist.lib.phrases import Phrase, ngettext_noop
from gmassist.org.choices import EmployeeStatus, PayChangeReason
from gmassist.org.models import (
    Department,
    Employee,
    EmployeeSkill,
    PayChange,
    Position,
    Review,
    Skill,
)
from gmassist.org.selectors import department_subtree_ids

PAY_CHANGE = "org.pay_change"


def pay_change_validate(payload: dict[str, Any]) -> dict[str, Any]:
    """Check a pay-change payload against the data as it is now, and normalise it.

    Payload: employee_id, new_base_pay (yearly, company currency, as a decimal string),
    effective_date (ISO date), reason (a PayChangeReason), note (optional).
    """
    errors: dict[str, str] = {}
    employee = Employee.objects.filter(pk=payload.get("employee_id")).first()
    if employee is None:
        errors["employee_id"] = f"no employee with id {payload.get('employee_id')!r}"
    elif employee.status == EmployeeStatus.LEFT:
        errors["employee_id"] = f"{employee} has left the company"
    try:
        new_pay = Decimal(str(payload.get("new_base_pay"))).quantize(Decimal("0.01"))
        if new_pay <= 0:
            errors["new_base_pay"] = "must be more than zero"
    except (InvalidOperation, ValueError):
        errors["new_base_pay"] = f"{payload.get('new_base_pay')!r} is not an amount"
        new_pay = Decimal(0)
    try:
        effective = dt.date.fromisoformat(str(payload.get("effective_date")))
    except ValueError:
        errors["effective_date"] = f"{payload.get('effective_date')!r} is not a date (YYYY-MM-DD)"
        effective = None
    reason = payload.get("reason") or PayChangeReason.REVIEW
    if reason not in PayChangeReason.values:
        errors["reason"] = f"unknown reason {reason!r}; use one of {PayChangeReason.values}"
    if employee is not None and effective is not None and effective < employee.hire_date:
        errors["effective_date"] = f"before the hire date {employee.hire_date}"
    if (
        employee is not None
        and effective is not None
        and PayChange.objects.filter(employee=employee, effective_date__gt=effective).exists()
    ):
        errors["effective_date"] = "a later pay change is already recorded"
    if errors:
        raise ValidationError(errors)
    cleaned = {
        "employee_id": employee.pk,
        "new_base_pay": str(new_pay),
        "effective_date": effective.isoformat(),
        "reason": reason,
        "note": str(payload.get("note") or "")[:300],
    }
    # what the pay was when it was proposed, and in which currency: for the title
    for key in ("current_base_pay", "currency"):
        if payload.get(key) not in (None, ""):
            cleaned[key] = str(payload[key])
    return cleaned


def employee_subject(payload: dict[str, Any]) -> set[int]:
    """The one employee a pay-change or promotion payload is about (`employee_id`)."""
    try:
        return {int(payload["employee_id"])}
    except (KeyError, TypeError, ValueError):
        return set()


def pay_change_describe(proposal: Proposal) -> str:
    """ "Pay change for A. Chen: 100,000 → 108,000 CNY (+8.0%)", in the reader's language."""
    payload = proposal.payload
    employee = proposal.subject_employee
    name = employee.full_name if employee is not None else f"#{payload['employee_id']}"
    new = Decimal(payload["new_base_pay"])
    if "current_base_pay" not in payload:
        return gettext("Pay change for %(name)s: %(new)s") % {"name": name, "new": f"{new:,.0f}"}
    old = Decimal(payload["current_base_pay"])
    values = {
        "name": name,
        "old": f"{old:,.0f}",
        "new": f"{new:,.0f}",
        "currency": payload.get("currency", ""),
        "change": f"{(new - old) / old:+.1%}" if old else "",
    }
    return gettext("Pay change for %(name)s: %(old)s → %(new)s %(currency)s (%(change)s)") % values


def pay_change_apply(proposal: Proposal, by: User | None) -> dict[str, Any]:
    """Write the pay history row and the new base pay; runs inside the approval transaction."""
    return pay_change_write(payload=proposal.payload, proposal=proposal, by=by)


def pay_change_write(
    *, payload: dict[str, Any], proposal: Proposal, by: User | None
) -> dict[str, Any]:
    """Write the pay change of a validated pay-change `payload` (yearly base pay, company
    currency) as decided by `proposal`: its pay history row, the new base pay, and an audit
    entry naming both amounts. For a pay-change proposal, and for a proposal that carries one
    among other actions (an incentive-plan line's raise with its bonus)."""
    employee = Employee.objects.select_for_update().get(pk=payload["employee_id"])
    previous = employee.base_pay
    new_pay = Decimal(payload["new_base_pay"])
    change, _created = PayChange.objects.update_or_create(
        employee=employee,
        effective_date=dt.date.fromisoformat(payload["effective_date"]),
        defaults={
            "base_pay": new_pay,
            "previous_base_pay": previous,
            "reason": payload["reason"],
            "note": payload["note"],
            "proposal": proposal,
        },
    )
    employee.base_pay = new_pay
    employee.save(update_fields=["base_pay", "updated_at"])
    changes = {"base_pay": [previous, new_pay], "effective_date": payload["effective_date"]}
    audit_record(actor=by, action=AuditAction.UPDATE, target=employee, changes=changes)
    return {"pay_change_id": change.pk, "previous_base_pay": previous, "new_base_pay": new_pay}


def pay_change_payload(
    *,
    employee: Employee,
    new_base_pay: Decimal,
    effective_date: dt.date,
    reason: str = PayChangeReason.REVIEW,
    note: str = "",
) -> dict[str, Any]:
    """The payload of a pay change of `employee` to `new_base_pay` (yearly, company currency)
    from `effective_date`, with the pay and currency as they are now (for its title)."""
    return {
        "employee_id": employee.pk,
        "new_base_pay": str(Decimal(new_base_pay)),
        "effective_date": effective_date.isoformat(),
        "reason": reason,
        "note": note,
        "current_base_pay": str(employee.base_pay or Decimal(0)),
        "currency": Company.get().currency,
    }


@transaction.atomic
def pay_change_propose(
    *,
    employee: Employee,
    new_base_pay: Decimal,
    effective_date: dt.date,
    rationale: str,
    by: User | None,
    reason: str = PayChangeReason.REVIEW,
    note: str = "",
    evidence: list[Any] | None = None,
) -> Proposal:
    """Propose a new yearly base pay for `employee`; the yearly cost is the increase.

    The proposal carries the band position before and after as evidence.
    """
    old = employee.base_pay or Decimal(0)
    new = Decimal(new_base_pay)
    currency = Company.get().currency
    # Labels are stored in English and translated when shown ({% translate item.label %}).
    facts: list[Any] = [
        {"label": gettext_noop("current base pay"), "value": str(old), "unit": currency}
    ]
    position = employee.position
    if position is not None and position.band_mid:
        facts.append(
            {
                "label": gettext_noop("compa-ratio (pay / band midpoint)"),
                "value": f"{old / position.band_mid:.2f} → {new / position.band_mid:.2f}",
            }
        )
        if position.band_max is not None and new > position.band_max:
            facts.append(
                {"label": gettext_noop("above band maximum"), "value": str(position.band_max)}
            )
    change = new - old
    percent = f" ({change / old:+.1%})" if old else ""
    return proposal_create(
        kind=PAY_CHANGE,
        title=f"Pay change for {employee.full_name}: {old:,.0f} → {new:,.0f} {currency}{percent}",
        payload=pay_change_payload(
            employee=employee,
            new_base_pay=new,
            effective_date=effective_date,
            reason=reason,
            note=note,
        ),
        rationale=rationale,
        evidence=facts + list(evidence or []),
        cost=max(change, Decimal(0)),
        expected_effect=Phrase(
            gettext_noop("Base pay %(old)s → %(new)s %(currency)s a year from %(date)s"),
            {
                "old": f"{old:,.2f}",
                "new": f"{new:,.2f}",
                "currency": currency,
                "date": effective_date.isoformat(),
            },
        ),
        department=employee.department,
        subject_employee=employee,
        by=by,
    )


PROMOTION = "org.promotion"


def next_grade_position(position: Position | None) -> Position | None:
    """The position one grade up in the same job family (the lowest code when several)."""
    if position is None or position.grade is None or not position.job_family:
        return None
    return (
        Position.objects.filter(job_family=position.job_family, grade=position.grade + 1)
        .order_by("code")
        .first()
    )


def promotion_validate(payload: dict[str, Any]) -> dict[str, Any]:
    """Check a promotion payload against the data as it is now, and normalise it.

    Payload: employee_id, new_position_id (the next grade of the same job family),
    new_base_pay (yearly, at least the new band's minimum), effective_date (ISO), note.
    """
    errors: dict[str, str] = {}  # payload key -> what is wrong with it
    employee = _promoted_employee(payload, errors)
    position = _promotion_position(payload, employee, errors)
    new_pay = _promotion_pay(payload, position, errors)
    effective = _promotion_date(payload, employee, errors)
    if errors:
        raise ValidationError(errors)
    assert employee is not None and position is not None and effective is not None
    cleaned = {
        "employee_id": employee.pk,
        "new_position_id": position.pk,
        "new_base_pay": str(new_pay),
        "effective_date": effective.isoformat(),
        "note": str(payload.get("note") or "")[:300],
    }
    for key in ("current_base_pay", "current_position_id", "currency"):
        if payload.get(key) not in (None, ""):
            cleaned[key] = str(payload[key])
    return cleaned


def _promoted_employee(payload: dict[str, Any], errors: dict[str, str]) -> Employee | None:
    """The employee to promote (None when there is none; one who left is an error too)."""
    employee = (
        Employee.objects.select_related("position").filter(pk=payload.get("employee_id")).first()
    )
    if employee is None:
        errors["employee_id"] = f"no employee with id {payload.get('employee_id')!r}"
    elif employee.status == EmployeeStatus.LEFT:
        errors["employee_id"] = f"{employee} has left the company"
    return employee


def _promotion_position(
    payload: dict[str, Any], employee: Employee | None, errors: dict[str, str]
) -> Position | None:
    """The new position: it must be the next grade of the employee's job family."""
    position = Position.objects.filter(pk=payload.get("new_position_id")).first()
    if position is None:
        errors["new_position_id"] = f"no position with id {payload.get('new_position_id')!r}"
        return None
    if employee is None:
        return position
    current = employee.position
    if (
        current is None
        or current.grade is None
        or position.job_family != current.job_family
        or position.grade != current.grade + 1
    ):
        errors["new_position_id"] = (
            f"{position} is not the next grade of {current or 'no position'} in the same job family"
        )
    return position


def _promotion_pay(
    payload: dict[str, Any], position: Position | None, errors: dict[str, str]
) -> Decimal:
    """The new base pay (a year, in cents): an amount, at least the new band's minimum."""
    try:
        new_pay = Decimal(str(payload.get("new_base_pay"))).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        errors["new_base_pay"] = f"{payload.get('new_base_pay')!r} is not an amount"
        new_pay = Decimal(0)
    if position is not None and position.band_min is not None and new_pay < position.band_min:
        errors["new_base_pay"] = f"below the new band's minimum {position.band_min:,.2f}"
    elif new_pay <= 0 and "new_base_pay" not in errors:
        errors["new_base_pay"] = "must be more than zero"
    return new_pay


def _promotion_date(
    payload: dict[str, Any], employee: Employee | None, errors: dict[str, str]
) -> dt.date | None:
    """The effective date: a date, with no later pay change of the employee recorded."""
    try:
        effective = dt.date.fromisoformat(str(payload.get("effective_date")))
    except ValueError:
        errors["effective_date"] = f"{payload.get('effective_date')!r} is not a date (YYYY-MM-DD)"
        return None
    if (
        employee is not None
        and PayChange.objects.filter(employee=employee, effective_date__gt=effective).exists()
    ):
        errors["effective_date"] = "a later pay change is already recorded"
    return effective


def promotion_describe(proposal: Proposal) -> str:
    """ "Promotion of A. Chen to Senior engineer at 120,000", in the reader's language."""
    payload = proposal.payload
    employee = proposal.subject_employee
    name = employee.full_name if employee is not None else f"#{payload['employee_id']}"
    position = Position.objects.filter(pk=payload["new_position_id"]).first()
    return gettext("Promotion of %(name)s to %(position)s at %(pay)s") % {
        "name": name,
        "position": position.title if position else payload["new_position_id"],
        "pay": f"{Decimal(payload['new_base_pay']):,.0f}",
    }


def promotion_apply(proposal: Proposal, by: User | None) -> dict[str, Any]:
    """Move the employee to the new position and write the pay history row (reason promotion);
    runs inside the approval transaction."""
    return promotion_write(payload=proposal.payload, proposal=proposal, by=by)


def promotion_write(
    *, payload: dict[str, Any], proposal: Proposal, by: User | None
) -> dict[str, Any]:
    """Write the promotion of a validated promotion `payload` as decided by `proposal`: the
    new position, the new yearly base pay, the pay history row and an audit entry naming the
    amounts. For a promotion proposal, and for one that carries a promotion among other
    actions (an incentive-plan line's promotion with its bonus)."""
    employee = Employee.objects.select_for_update().get(pk=payload["employee_id"])
    position = Position.objects.get(pk=payload["new_position_id"])
    previous_pay, previous_position = employee.base_pay, employee.position_id
    new_pay = Decimal(payload["new_base_pay"])
    change, _created = PayChange.objects.update_or_create(
        employee=employee,
        effective_date=dt.date.fromisoformat(payload["effective_date"]),
        defaults={
            "base_pay": new_pay,
            "previous_base_pay": previous_pay,
            "reason": PayChangeReason.PROMOTION,
            "note": payload["note"],
            "proposal": proposal,
        },
    )
    employee.base_pay = new_pay
    employee.position = position
    employee.save(update_fields=["base_pay", "position", "updated_at"])
    changes = {
        "base_pay": [previous_pay, new_pay],
        "position": [previous_position, position.pk],
        "effective_date": payload["effective_date"],
    }
    audit_record(actor=by, action=AuditAction.UPDATE, target=employee, changes=changes)
    return {
        "pay_change_id": change.pk,
        "previous_position_id": previous_position,
        "new_position_id": position.pk,
        "previous_base_pay": previous_pay,
        "new_base_pay": new_pay,
    }


def promotion_payload(
    *,
    employee: Employee,
    new_base_pay: Decimal,
    effective_date: dt.date,
    new_position: Position | None = None,
    note: str = "",
) -> dict[str, Any]:
    """The payload of promoting `employee` to the next grade of their job family (or
    `new_position`) at `new_base_pay` (yearly, company currency; raised to the new band's
    minimum if below) from `effective_date`, with the pay, position and currency as they are
    now. ValidationError when there is no next grade."""
    position = new_position or next_grade_position(employee.position)
    if position is None:
        raise ValidationError({"new_position_id": f"{employee} has no next grade to move to"})
    return {
        "employee_id": employee.pk,
        "new_position_id": position.pk,
        "new_base_pay": str(max(Decimal(new_base_pay), position.band_min or Decimal(0))),
        "effective_date": effective_date.isoformat(),
        "note": note,
        "current_base_pay": str(employee.base_pay or Decimal(0)),
        "current_position_id": employee.position_id,
        "currency": Company.get().currency,
    }


@transaction.atomic
def promotion_propose(
    *,
    employee: Employee,
    new_base_pay: Decimal,
    effective_date: dt.date,
    rationale: str,
    by: User | None,
    new_position: Position | None = None,
    note: str = "",
    evidence: list[Any] | None = None,
) -> Proposal:
    """Propose promoting `employee` to the next grade of their job family (or `new_position`)
    at `new_base_pay` (yearly, raised to the new band's minimum if below); the yearly cost is
    the pay increase."""
    payload = promotion_payload(
        employee=employee,
        new_base_pay=new_base_pay,
        effective_date=effective_date,
        new_position=new_position,
        note=note,
    )
    position = Position.objects.get(pk=payload["new_position_id"])
    old, new = Decimal(payload["current_base_pay"]), Decimal(payload["new_base_pay"])
    currency = payload["currency"]
    return proposal_create(
        kind=PROMOTION,
        title=f"Promotion of {employee.full_name} to {position.title} at {new:,.0f} {currency}",
        payload=payload,
        rationale=rationale,
        evidence=list(evidence or []),
        cost=max(new - old, Decimal(0)),
        expected_effect=Phrase(
            gettext_noop(
                "%(old_position)s → %(new_position)s; base pay %(old)s → %(new)s %(currency)s "
                "a year from %(date)s"
            ),
            {
                "old_position": str(employee.position),
                "new_position": str(position),
                "old": f"{old:,.2f}",
                "new": f"{new:,.2f}",
                "currency": currency,
                "date": effective_date.isoformat(),
            },
        ),
        department=employee.department,
        subject_employee=employee,
        by=by,
    )


PAY_CHANGE_BATCH = "org.pay_change_batch"

# keys per query: SQLite limits the parameters of one statement
_BATCH_KEYS = 5000


def _amount(value: Any) -> Decimal | None:
    """A stored amount (a decimal string, or None for "no pay recorded")."""
    if value in (None, ""):
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _chunks(values: list[Any]) -> Any:
    for start in range(0, len(values), _BATCH_KEYS):
        yield values[start : start + _BATCH_KEYS]


def pay_change_batch_validate(payload: dict[str, Any]) -> dict[str, Any]:
    """Check a batch of pay changes: `lines` lists {employee_id, employee_no, name,
    current_base_pay (None when none was recorded), new_base_pay} for different employees
    who exist, with amounts of 0 or more; `effective_date` is an ISO date."""
    lines = payload.get("lines")
    if not isinstance(lines, list) or not lines:
        raise ValidationError({"lines": "a batch of pay changes lists at least one line"})
    try:
        dt.date.fromisoformat(str(payload.get("effective_date")))
    except ValueError:
        raise ValidationError(
            {"effective_date": f"{payload.get('effective_date')!r} is not a date (YYYY-MM-DD)"}
        ) from None
    ids = []
    for index, line in enumerate(lines):
        try:
            ids.append(int(line["employee_id"]))
            new = _amount(line["new_base_pay"])
            _amount(line.get("current_base_pay"))
        except (KeyError, TypeError, ValueError, InvalidOperation):
            raise ValidationError({"lines": f"line {index + 1} is not a pay change"}) from None
        if new is None or new < 0:
            raise ValidationError({"lines": f"line {index + 1}: the new pay must be 0 or more"})
    if len(set(ids)) != len(ids):
        raise ValidationError({"lines": "every line is about a different employee"})
    found: set[int] = set()
    for chunk in _chunks(sorted(ids)):
        found.update(Employee.objects.filter(pk__in=chunk).values_list("pk", flat=True))
    missing = sorted(set(ids) - found)
    if missing:
        raise ValidationError({"lines": f"no employee with ids {missing[:10]}"})
    return payload


def pay_change_batch_subjects(payload: dict[str, Any]) -> set[int]:
    """Everyone whose pay the batch changes."""
    subjects = set()
    for line in payload.get("lines") or []:
        try:
            subjects.add(int(line["employee_id"]))
        except (KeyError, TypeError, ValueError):
            continue
    return subjects


def pay_change_batch_describe(proposal: Proposal) -> str:
    """ "Pay changes for 12 employees (people.csv)", in the reader's language."""
    count = len(proposal.payload.get("lines") or [])
    return ngettext(
        "Pay change for %(count)d employee (%(source)s)",
        "Pay changes for %(count)d employees (%(source)s)",
        count,
    ) % {"count": count, "source": proposal.payload.get("source") or "-"}


def pay_change_batch_apply(proposal: Proposal, by: User | None) -> dict[str, Any]:
    """Write each line's new base pay and its pay history row (reason and date of the batch);
    a line whose employee's pay moved since the batch was proposed is skipped and counted.
    One audit entry names every amount written. Runs inside the approval's transaction."""
    from gmassist.lib.bulk import UPDATE, bulk_upsert

    payload = proposal.payload
    lines = payload["lines"]
    effective = dt.date.fromisoformat(payload["effective_date"])
    current: dict[int, Decimal | None] = {}
    for chunk in _chunks(sorted(int(line["employee_id"]) for line in lines)):
        current.update(
            Employee.objects.select_for_update()
            .filter(pk__in=chunk)
            .values_list("pk", "base_pay")
            .order_by()
        )
    applied, history, written = [], [], {}
    skipped = 0
    for line in lines:
        pk = int(line["employee_id"])
        old, new = _amount(line.get("current_base_pay")), _amount(line["new_base_pay"])
        if current.get(pk) != old:
            skipped += 1
            continue
        applied.append({"id": pk, "base_pay": new})
        history.append(
            {
                "employee_id": pk,
                "effective_date": effective,
                "base_pay": new,
                "previous_base_pay": old,
                "reason": payload.get("reason") or PayChangeReason.IMPORT,
                "note": str(payload.get("source") or "")[:300],
                "proposal_id": proposal.pk,
            }
        )
        written[line.get("employee_no") or str(pk)] = [
            None if old is None else str(old),
            str(new),
        ]
    bulk_upsert(Employee, applied, unique_fields=["id"], update_fields=["base_pay"], mode=UPDATE)
    bulk_upsert(
        PayChange,
        history,
        unique_fields=["employee_id", "effective_date"],
        update_fields=["base_pay", "previous_base_pay", "reason", "note", "proposal_id"],
    )
    result = {"applied": len(applied), "skipped": skipped}
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        target_type="org.employee",
        target_repr=f"base pay of {len(applied)} employees",
        changes={
            **result,
            "proposal": proposal.pk,
            "effective_date": effective.isoformat(),
            "base_pay": written,
        },
    )
    return result


def pay_changes_propose(
    *,
    lines: list[dict[str, Any]],
    effective_date: dt.date,
    source: str,
    by: User | None,
    reason: str = PayChangeReason.IMPORT,
) -> list[Proposal]:
    """Propose the new base pay of existing employees as ONE batch (kind
    "org.pay_change_batch"): `lines` are {employee_id, employee_no, name, current_base_pay,
    new_base_pay} (yearly, company currency; current None when none is recorded). It changes
    nothing until approved, under the one decision rule: nobody decides a batch with a line
    about themselves. The lines about a GM go into a batch of their own, decided outside the
    application, so that they do not hold up everyone else's. Returns the proposals (none
    when `lines` is empty); the yearly cost of each is the sum of its increases."""
    from gmassist.core.services import gm_employee_ids

    gms = gm_employee_ids()
    groups = [
        [line for line in lines if line["employee_id"] not in gms],
        [line for line in lines if line["employee_id"] in gms],
    ]
    currency = Company.get().currency
    proposals = []
    for group in groups:
        if not group:
            continue
        stored = [
            {
                **line,
                "current_base_pay": None
                if line.get("current_base_pay") is None
                else str(line["current_base_pay"]),
                "new_base_pay": str(line["new_base_pay"]),
                # shown on the proposal's page; the apply reads only the two amounts
                "change": str(
                    Decimal(line["new_base_pay"]) - Decimal(line.get("current_base_pay") or 0)
                ),
            }
            for line in group
        ]
        cost = sum(
            (
                max(Decimal(line["new_base_pay"]) - (_amount(line["current_base_pay"]) or 0), 0)
                for line in stored
            ),
            Decimal(0),
        )
        count = len(stored)
        only = Employee.objects.filter(pk=stored[0]["employee_id"]).first() if count == 1 else None
        proposals.append(
            proposal_create(
                kind=PAY_CHANGE_BATCH,
                title=f"Pay changes for {count:,} employees ({source})"[:200],
                payload={
                    "effective_date": effective_date.isoformat(),
                    "reason": reason,
                    "source": source,
                    "currency": currency,
                    "lines": stored,
                },
                rationale=Phrase.counted(
                    ngettext_noop(
                        "%(source)s gives %(count)s employee a new base pay. Pay changes only "
                        "through an approved proposal: nothing is paid differently until this "
                        "one is approved.",
                        "%(source)s gives %(count)s employees a new base pay. Pay changes only "
                        "through an approved proposal: nothing is paid differently until this "
                        "one is approved.",
                    ),
                    count="count",
                    params={"source": source, "count": f"{count:,}"},
                ),
                evidence=[
                    {"label": gettext_noop("employees"), "value": count},
                    {
                        "label": gettext_noop("yearly increase"),
                        "value": str(cost),
                        "unit": currency,
                    },
                ],
                cost=cost,
                expected_effect=Phrase.counted(
                    ngettext_noop(
                        "Base pay of %(count)s employee from %(date)s",
                        "Base pay of %(count)s employees from %(date)s",
                    ),
                    count="count",
                    params={"count": f"{count:,}", "date": effective_date.isoformat()},
                ),
                department=only.department if only is not None else None,
                subject_employee=only,
                by=by,
            )
        )
    return proposals


# --- departments, positions, employees, reviews and skills -----------------------------------
#
# Each service checks that `by` may make the change (the same rule as `restrict(user, "change")`;
# `by=SYSTEM` is the application itself, `by=None` nobody), validates with `full_clean()` so that
# the database's constraints come back as field errors, writes in one transaction and records
# one audit entry. An update takes
# `data`, the fields to change (a partial update); fields it does not name are left as they are.


def _plain(value: Any) -> Any:
    """A value as the audit log stores it: a related object by its id."""
    return value.pk if isinstance(value, models.Model) else value


def _check_may_change(by: User | None, obj: models.Model) -> None:
    """Raise PermissionDenied unless `by` may change `obj` (restrict(by, CHANGE))."""
    if not user_can(by, Action.CHANGE, obj):
        raise PermissionDenied(f"your role may not change {obj._meta.verbose_name} {obj}")


def _check_may_create(by: User | None, model: type[models.Model], within: models.Model | None):
    """Raise PermissionDenied unless `by` may add a `model` record (inside `within` if given).

    Inside a department (an employee's, a sub-department's parent) the rule is the one for
    changing that department; elsewhere it takes the role's reach over the whole domain.
    """
    if within is not None:
        if not user_can(by, Action.CHANGE, within):
            raise PermissionDenied(
                f"your role may not add a {model._meta.verbose_name} in {within}"
            )
        return
    if reach(by, model.restrict_scope.domain, Action.CHANGE) != ALL:
        raise PermissionDenied(f"your role may not add a {model._meta.verbose_name}")


DEPARTMENT_FIELDS = ("code", "name", "parent", "head")


def _check_department_parent(department: Department, parent: Department | None) -> None:
    if parent is None or department.pk is None:
        return
    if parent.pk in department_subtree_ids(department_id=department.pk):
        raise ValidationError(
            {"parent": f"{parent} is {department} itself or below it; the tree would loop"}
        )


def _department_state(department: Department) -> dict[str, Any]:
    return {name: _plain(getattr(department, name)) for name in DEPARTMENT_FIELDS}


@transaction.atomic
def department_create(
    *,
    code: str,
    name: str,
    by: User | None,
    parent: Department | str | None = None,
    head: Employee | str | None = None,
) -> Department:
    """Add a department, under `parent` (an object or its code; None: at the top of the tree),
    with an optional head (an employee or their number), checked by the departments
    import's rules. Audited with every value."""
    parent = _existing(Department, parent, "parent")
    _check_may_create(by, Department, parent or None)
    code = str(code).strip()
    if code and Department.objects.filter(code=code).exists():
        raise ValidationError({"code": gettext("a department with this code exists already")})
    if not code:
        raise ValidationError({"code": gettext("the code is required")})
    record = {"code": code, "name": _cell(name), "parent": _cell(parent), "head": _cell(head)}
    _import_one("departments", record, by, DEPARTMENT_FIELDS)
    department = Department.objects.get(code=code)
    changes = {k: v for k, v in _department_state(department).items() if v not in (None, "")}
    audit_record(actor=by, action=AuditAction.CREATE, target=department, changes=changes)
    return department


@transaction.atomic
def department_update(
    *, department: Department, data: dict[str, Any], by: User | None, comment: str = ""
) -> Department:
    """Change a department's name, parent (moving it in the tree; a parent below it is
    refused) or head, checked by the departments import's rules; its code stays. Audited as
    [old, new] with the `comment`; nothing recorded when nothing changed."""
    department = Department.objects.select_for_update().get(pk=department.pk)
    _check_may_change(by, department)
    data = dict(data)
    if "code" in data and str(data["code"]).strip() != department.code:
        raise ValidationError({"code": gettext("a department's code does not change")})
    if "parent" in data:
        data["parent"] = _existing(Department, data["parent"], "parent")
        _check_department_parent(department, data["parent"] or None)
        if data["parent"]:
            _check_may_create(by, Department, data["parent"])
    record = {name: _cell(value) for name, value in data.items()}
    record["code"] = department.code
    _update_through_import(
        department,
        entity="departments",
        record=record,
        fields=DEPARTMENT_FIELDS,
        state=_department_state,
        by=by,
        comment=comment,
    )
    return department


POSITION_FIELDS = (
    "code",
    "title",
    "job_family",
    "grade",
    "band_min",
    "band_mid",
    "band_max",
    "currency",
)


def _position_state(position: Position) -> dict[str, Any]:
    return {name: _plain(getattr(position, name)) for name in POSITION_FIELDS}


@transaction.atomic
def position_create(*, code: str, title: str, by: User | None, **fields: Any) -> Position:
    """Add a position (the other columns of POSITION_FIELDS in `fields`: the band yearly, in
    `currency`, min ≤ mid ≤ max), checked by the positions import's rules. Audited."""
    _check_may_create(by, Position, None)
    code = str(code).strip()
    if not code:
        raise ValidationError({"code": gettext("the code is required")})
    if Position.objects.filter(code=code).exists():
        raise ValidationError({"code": gettext("a position with this code exists already")})
    record = {"code": code, "title": _cell(title)}
    record.update({name: _cell(value) for name, value in fields.items()})
    _import_one("positions", record, by, POSITION_FIELDS)
    position = Position.objects.get(code=code)
    changes = {k: v for k, v in _position_state(position).items() if v not in (None, "")}
    audit_record(actor=by, action=AuditAction.CREATE, target=position, changes=changes)
    return position


@transaction.atomic
def position_update(
    *, position: Position, data: dict[str, Any], by: User | None, comment: str = ""
) -> Position:
    """Change a position's title, family, grade or band (see POSITION_FIELDS; its code
    stays), checked by the positions import's rules. Audited as [old, new]."""
    position = Position.objects.select_for_update().get(pk=position.pk)
    _check_may_change(by, position)
    if "code" in data and str(data["code"]).strip() != position.code:
        raise ValidationError({"code": gettext("a position's code does not change")})
    record = {name: _cell(value) for name, value in data.items()}
    record["code"] = position.code
    _update_through_import(
        position,
        entity="positions",
        record=record,
        fields=POSITION_FIELDS,
        state=_position_state,
        by=by,
        comment=comment,
    )
    return position


# The columns of an employee's record as the employees import reads them (one validation for a
# file, a form and the API). base_pay is the starting pay when an employee is added; later a new
# one becomes a pay-change proposal, exactly as in a file.
EMPLOYEE_FIELDS = (
    "employee_no",
    "full_name",
    "family_name",
    "given_name",
    "email",
    "department",
    "position",
    "manager",
    "hire_date",
    "leave_date",
    "separation_type",
    "leave_reason",
    "regretted",
    "birth_date",
    "gender",
    "location",
    "employment_type",
    "status",
    "base_pay",
    "paid_leave_days",
)
# what an employee's history shows changing (the stored fields; a leaver's separation apart)
_EMPLOYEE_HISTORY_FIELDS = (
    "employee_no",
    "full_name",
    "family_name",
    "given_name",
    "email",
    "department",
    "position",
    "manager",
    "hire_date",
    "leave_date",
    "birth_date",
    "gender",
    "location",
    "employment_type",
    "status",
    "base_pay",
    "paid_leave_days",
)


def _cell(value: Any) -> Any:
    """A value as the employees import reads it: a department or position by its code, a
    manager by employee number, a date in ISO form, an amount as its digits."""
    if value is None:
        return ""
    if isinstance(value, Department | Position):
        return value.code
    if isinstance(value, Employee):
        return value.employee_no
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _record_state(employee: Employee) -> dict[str, Any]:
    """The employee's history fields as the audit log stores them."""
    return {name: _plain(getattr(employee, name)) for name in _EMPLOYEE_HISTORY_FIELDS}


def _separation_state(employee: Employee) -> dict[str, Any]:
    """The separation on the leave date, as the history shows it (none: no keys)."""
    if employee.leave_date is None:
        return {}
    separation = employee.separations.filter(date=employee.leave_date).first()
    if separation is None:
        return {}
    return {
        "separation_type": separation.separation_type,
        "leave_reason": separation.reason,
        "regretted": separation.regretted,
    }


def _state_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {
        name: [before.get(name), value]
        for name, value in after.items()
        if _audit_value(before.get(name)) != _audit_value(value)
    }


def _audit_value(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal | dt.date) else value


def _import_one(
    entity: str, record: dict[str, Any], by: User | None, fields: tuple[str, ...]
) -> list[dict[str, Any]]:
    """Write one record of `entity` through its import (the caller has checked that `by`
    may): the proposals it made instead of writing pay. A ValidationError by field."""
    from gmassist.core.imports import ImportFailed
    from gmassist.core.imports.records import field_errors, import_records

    unknown = sorted(set(record) - set(fields))
    if unknown:
        raise ValidationError(
            {name: gettext("this field cannot be changed here") for name in unknown}
        )
    try:
        report = import_records(entity=entity, records=[record], by=by, reach_checked=True)
    except ImportFailed as failed:
        errors = field_errors(failed.report)
        errors[NON_FIELD_ERRORS] = errors.pop("", [])
        raise ValidationError({k: v for k, v in errors.items() if v}) from None
    return report.proposals


def _update_through_import(
    obj: models.Model,
    *,
    entity: str,
    record: dict[str, Any],
    fields: tuple[str, ...],
    state: Any,
    by: User | None,
    comment: str,
) -> list[dict[str, Any]]:
    """Write `record` (its key fixed by the caller) through `entity`'s import, then record one
    audit entry on `obj` with what `state(obj)` shows changed as [old, new], the proposals
    made instead of writing pay and the `comment`; none when nothing changed. Returns those
    proposals."""
    before = state(obj)
    proposals = _import_one(entity, record, by, fields)
    obj.refresh_from_db()
    changes = _state_changes(before, state(obj))
    if proposals:
        changes["proposals"] = [p["id"] for p in proposals]
    if changes:
        if comment:
            changes["comment"] = comment
        audit_record(actor=by, action=AuditAction.UPDATE, target=obj, changes=changes)
    return proposals


def _import_employee(record: dict[str, Any], by: User | None) -> list[dict[str, Any]]:
    return _import_one("employees", record, by, EMPLOYEE_FIELDS)


def _existing(model: type[Department] | type[Position], value: Any, field: str) -> Any:
    """A department or position given by code must exist: a record typed on screen or sent to
    the API never creates one (a file may, by name: see the employees import)."""
    if value in (None, "") or isinstance(value, models.Model):
        return value
    found = model.objects.filter(code=str(value).strip()).first()
    if found is None:
        raise ValidationError({field: gettext("no such code: %(code)s") % {"code": value}})
    return found


@transaction.atomic
def employee_create(
    *,
    employee_no: str,
    full_name: str,
    department: Department | str,
    hire_date: dt.date | str,
    by: User | None,
    comment: str = "",
    **fields: Any,
) -> Employee:
    """Hire one person into `department` (an object or its code; the other columns of
    EMPLOYEE_FIELDS in `fields`, as objects, dates and Decimals or as typed); `base_pay` is
    the starting yearly pay (company currency), the only pay written directly: it changes
    afterwards only through an approved proposal. Checked by the employees import's rules;
    one audit entry names every value set (the amount included: the audit log is the GM's)
    and the `comment`."""
    department = _existing(Department, department, "department")
    if "position" in fields:
        fields["position"] = _existing(Position, fields["position"], "position")
    _check_may_create(by, Employee, department or None)
    number = str(employee_no).strip()
    if number and Employee.objects.filter(employee_no=number).exists():
        raise ValidationError(
            {"employee_no": gettext("an employee with this number exists already")}
        )
    record = {
        "employee_no": number,
        "full_name": _cell(full_name),
        "department": _cell(department),
        "hire_date": _cell(hire_date),
        **{name: _cell(value) for name, value in fields.items()},
    }
    _import_employee(record, by)
    employee = Employee.objects.get(employee_no=number)
    changes = {k: v for k, v in _record_state(employee).items() if v not in (None, "")}
    if comment:
        changes["comment"] = comment
    audit_record(actor=by, action=AuditAction.CREATE, target=employee, changes=changes)
    return employee


@transaction.atomic
def employee_update(
    *, employee: Employee, data: dict[str, Any], by: User | None, comment: str = ""
) -> Employee:
    """Change an employee's record: the columns of EMPLOYEE_FIELDS in `data` (objects or as
    typed; one left out stays as it is), checked by the employees import's rules. A new
    `base_pay` becomes a pay-change proposal (nothing is paid differently until it is
    approved); a leave date with its separation type records a leaver. Moving someone to
    another department needs the right to change both departments. One audit entry with
    each change as [old, new] and the `comment`, none when nothing changed."""
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    _check_may_change(by, employee)
    data = dict(data)
    if "department" in data:
        data["department"] = _existing(Department, data["department"], "department")
    if "position" in data:
        data["position"] = _existing(Position, data["position"], "position")
    new_department = data.get("department")
    if isinstance(new_department, Department) and new_department.pk != employee.department_id:
        _check_may_create(by, Employee, new_department)
    if "employee_no" in data and str(data["employee_no"]).strip() != employee.employee_no:
        raise ValidationError({"employee_no": gettext("an employee's number does not change")})
    record = {name: _cell(value) for name, value in data.items()}
    record["employee_no"] = employee.employee_no
    proposals = _update_through_import(
        employee,
        entity="employees",
        record=record,
        fields=EMPLOYEE_FIELDS,
        state=lambda e: {**_record_state(e), **_separation_state(e)},
        by=by,
        comment=comment,
    )
    employee.proposals_made = proposals  # type: ignore[attr-defined]
    return employee


@transaction.atomic
def employee_leaving_undo(*, employee: Employee, by: User | None, comment: str = "") -> Employee:
    """Take back a leaver recorded by mistake: the separation on the leave date is deleted,
    the leave date emptied and the status active again. Audited with the separation removed."""
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    _check_may_change(by, employee)
    if employee.leave_date is None:
        raise ValidationError({"leave_date": gettext("this person has not left")})
    before = _record_state(employee)
    separation = employee.separations.filter(date=employee.leave_date).first()
    removed = (
        {
            "date": separation.date.isoformat(),
            "separation_type": separation.separation_type,
            "reason": separation.reason,
        }
        if separation is not None
        else None
    )
    if separation is not None:
        separation.delete()
    employee.leave_date = None
    employee.status = EmployeeStatus.ACTIVE
    employee.save(update_fields=["leave_date", "status", "updated_at"])
    changes = _state_changes(before, _record_state(employee))
    changes["removed"] = removed
    if comment:
        changes["comment"] = comment
    audit_record(actor=by, action=AuditAction.UPDATE, target=employee, changes=changes)
    return employee


REVIEW_FIELDS = ("period", "review_date", "rating", "potential", "reviewer", "comment")
_REVIEW_HISTORY_FIELDS = REVIEW_FIELDS


def _review_state(review: Review) -> dict[str, Any]:
    return {name: _plain(getattr(review, name)) for name in _REVIEW_HISTORY_FIELDS}


@transaction.atomic
def review_create(
    *,
    employee: Employee,
    period: str,
    rating: int | str,
    by: User | None,
    potential: int | str | None = None,
    review_date: dt.date | str | None = None,
    reviewer: Employee | str | None = None,
    comment: str = "",
) -> Review:
    """Record a performance review: rating 1-5 and potential 1-3, one per employee and period,
    checked by the reviews import's rules. Audited with every value."""
    _check_may_change(by, employee)
    period = str(period).strip()
    if period and Review.objects.filter(employee=employee, period=period).exists():
        raise ValidationError({"period": gettext("this person has a review for this period")})
    record = {
        "employee": employee.employee_no,
        "period": period,
        "rating": _cell(rating),
        "potential": _cell(potential),
        "review_date": _cell(review_date),
        "reviewer": _cell(reviewer),
        "comment": _cell(comment),
    }
    _import_one("reviews", record, by, ("employee", *REVIEW_FIELDS))
    review = Review.objects.get(employee=employee, period=period)
    changes = {k: v for k, v in _review_state(review).items() if v not in (None, "")}
    audit_record(actor=by, action=AuditAction.CREATE, target=review, changes=changes)
    return review


@transaction.atomic
def review_update(*, review: Review, data: dict[str, Any], by: User | None) -> Review:
    """Change a review (see REVIEW_FIELDS; its period stays: a review of another period is
    another review), checked by the reviews import's rules. Audited as [old, new]."""
    review = Review.objects.select_for_update().select_related("employee").get(pk=review.pk)
    _check_may_change(by, review)
    if "period" in data and str(data["period"]).strip() != review.period:
        raise ValidationError(
            {"period": gettext("a review's period does not change: add a review instead")}
        )
    record = {name: _cell(value) for name, value in data.items()}
    record.update(employee=review.employee.employee_no, period=review.period)
    _update_through_import(
        review,
        entity="reviews",
        record=record,
        fields=("employee", *REVIEW_FIELDS),
        state=_review_state,
        by=by,
        comment="",
    )
    return review


@transaction.atomic
def employee_skill_set(
    *,
    employee: Employee,
    skill: Skill | str,
    level: int | str,
    by: User | None,
    assessed_on: dt.date | str | None = None,
) -> tuple[EmployeeSkill, bool]:
    """Set how well `employee` holds `skill` (an object or its code; level 0-5), checked by
    the skills import's rules; returns the row and whether it is new. Setting the same
    level and date again changes nothing and records nothing."""
    _check_may_change(by, employee)
    if not isinstance(skill, Skill):
        found = Skill.objects.filter(code=str(skill).strip()).first()
        if found is None:
            raise ValidationError({"skill": gettext("no such code: %(code)s") % {"code": skill}})
        skill = found
    before = EmployeeSkill.objects.filter(employee=employee, skill=skill).first()
    state = {"level": before.level, "assessed_on": _plain(before.assessed_on)} if before else {}
    record = {
        "employee": employee.employee_no,
        "skill": skill.code,
        "level": _cell(level),
        "assessed_on": _cell(assessed_on),
    }
    _import_one("skills", record, by, ("employee", "skill", "level", "assessed_on"))
    row = EmployeeSkill.objects.get(employee=employee, skill=skill)
    after = {"level": row.level, "assessed_on": _plain(row.assessed_on)}
    if before is None:
        changes = {"skill": skill.pk, **{k: v for k, v in after.items() if v is not None}}
        audit_record(actor=by, action=AuditAction.CREATE, target=row, changes=changes)
        return row, True
    changes = _state_changes(state, after)
    if changes:
        audit_record(actor=by, action=AuditAction.UPDATE, target=row, changes=changes)
    return row, False
