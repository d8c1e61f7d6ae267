"""Writes of the organisation: pay changes (through proposals) and proposals about people."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from gmassist.core.choices import AuditAction
from gmassist.core.models import Company, Proposal, User
from gmassist.core.services import audit_record, proposal_create
from gmassist.org.choices import EmployeeStatus, PayChangeReason
from gmassist.org.models import Employee, PayChange

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
    return {
        "employee_id": employee.pk,
        "new_base_pay": str(new_pay),
        "effective_date": effective.isoformat(),
        "reason": reason,
        "note": str(payload.get("note") or "")[:300],
    }


def pay_change_apply(proposal: Proposal, by: User | None) -> dict[str, Any]:
    """Write the pay history row and the new base pay; runs inside the approval transaction."""
    payload = proposal.payload
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
    facts: list[Any] = [{"label": "current base pay", "value": str(old), "unit": currency}]
    position = employee.position
    if position is not None and position.band_mid:
        facts.append(
            {
                "label": "compa-ratio (pay / band midpoint)",
                "value": f"{old / position.band_mid:.2f} → {new / position.band_mid:.2f}",
            }
        )
        if position.band_max is not None and new > position.band_max:
            facts.append({"label": "above band maximum", "value": str(position.band_max)})
    change = new - old
    percent = f" ({change / old:+.1%})" if old else ""
    return proposal_create(
        kind=PAY_CHANGE,
        title=f"Pay change for {employee.full_name}: {old:,.0f} → {new:,.0f} {currency}{percent}",
        payload={
            "employee_id": employee.pk,
            "new_base_pay": str(new),
            "effective_date": effective_date.isoformat(),
            "reason": reason,
            "note": note,
        },
        rationale=rationale,
        evidence=facts + list(evidence or []),
        cost=max(change, Decimal(0)),
        expected_effect=f"Base pay {old:,.2f} → {new:,.2f} {currency} a year from {effective_date}",
        department=employee.department,
        subject_employee=employee,
        by=by,
    )
