"""Reads of the organisation, always scoped to the requesting user through `restrict`."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from gmassist.core.choices import Action
from gmassist.core.models import User
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
