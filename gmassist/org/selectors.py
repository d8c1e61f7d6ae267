"""Reads of the organisation, always scoped to the requesting user through `restrict`."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from gmassist.core.choices import Action, AuditAction
from gmassist.core.models import User
from gmassist.core.services import audit_record
from gmassist.org.choices import EmployeeStatus
from gmassist.org.models import Department, Employee


def employees_visible(*, user: User, action: str = Action.VIEW) -> QuerySet[Employee]:
    """Employees the user may see (or act on, with `action`), with department and position."""
    return (
        Employee.objects.restrict(user, action)
        .select_related("department", "position", "manager")
        .defer("base_pay", "custom")  # pay is read only through the audited pay selectors
    )


def own_employee(*, user: User) -> Employee | None:
    """The employee record of the user, or None when the user is not an employee."""
    if not user.employee_id:
        return None
    return (
        Employee.objects.select_related("department", "position", "manager")
        .filter(pk=user.employee_id)
        .first()
    )


def headcount_by_department(*, user: User) -> list[dict]:
    """Active headcount per visible department, largest first: [{code, name, headcount}]."""
    departments = Department.objects.restrict(user, Action.VIEW)
    rows = departments.annotate(
        headcount=Count("employees", filter=Q(employees__status=EmployeeStatus.ACTIVE))
    ).values("code", "name", "headcount")
    return sorted(rows, key=lambda row: (-row["headcount"], row["name"]))


def employee_pay(*, user: User, employee: Employee) -> dict | None:
    """The employee's yearly base pay, band and pay history, or None when `user` may not see it.

    The one way to read another person's pay: every such read is written to the audit log.
    Amounts are yearly, in the company's currency.
    """
    allowed = Employee.objects.restrict(user, Action.VIEW_PAY).filter(pk=employee.pk)
    row = allowed.select_related("position").first()
    if row is None:
        return None
    if user.employee_id != row.pk:
        audit_record(actor=user, action=AuditAction.READ_PAY, target=row)
    position = row.position
    return {
        "base_pay": row.base_pay,
        "band_min": position.band_min if position else None,
        "band_mid": position.band_mid if position else None,
        "band_max": position.band_max if position else None,
        "compa_ratio": (
            round(row.base_pay / position.band_mid, 3)
            if position and position.band_mid and row.base_pay is not None
            else None
        ),
        "history": list(
            row.pay_changes.order_by("-effective_date").values(
                "effective_date", "base_pay", "previous_base_pay", "reason", "note"
            )
        ),
    }
