"""Reads of the organisation, always scoped to the requesting user through `restrict`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_noop

from gmassist.core.choices import Action, AuditAction
from gmassist.core.models import User
from gmassist.core.permissions import (
    ALL,
    SUBTREE,
    Domain,
    Scope,
    descendants_of,
    reach,
    scope_filter,
)
from gmassist.core.sensitive import audit_people_read
from gmassist.org.choices import EmployeeStatus
from gmassist.org.models import (
    Department,
    Employee,
    EmployeeSkill,
    Position,
    Review,
    Separation,
)


def employees_visible(*, user: User, action: str = Action.VIEW) -> QuerySet[Employee]:
    """Employees the user may see (or act on, with `action`), with department and position."""
    return (
        Employee.objects.restrict(user, action)
        .select_related("department", "position", "manager")
        .defer("base_pay", "custom")  # pay is read only through the audited pay selectors
    )


# The orders the directory (page and API) can be sorted by; a "-" in front reverses them.
EMPLOYEE_SORTS = {
    "name": ("full_name", "employee_no"),
    "employee_no": ("employee_no",),
    "hire_date": ("hire_date", "employee_no"),
    "department": ("department__name", "full_name", "employee_no"),
}


def department_subtree_ids(*, department_id: int) -> set[int]:
    """Ids of the department and of every department below it."""
    children: dict[int | None, list[int]] = {}
    for dept_id, parent_id in Department.objects.values_list("id", "parent_id"):
        children.setdefault(parent_id, []).append(dept_id)
    return descendants_of(children, [department_id])


def employee_directory(
    *,
    user: User,
    search: str = "",
    department_id: int | None = None,
    position_id: int | None = None,
    status: str | None = None,
    sort: str = "name",
) -> QuerySet[Employee]:
    """The employee directory as `user` may see it, filtered and sorted.

    `search` matches the start of the employee number or any part of the name or e-mail;
    `department_id` includes the departments below it; `sort` is a key of EMPLOYEE_SORTS,
    optionally prefixed with "-" for the reverse order. Unknown sorts raise ValueError.
    """
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in EMPLOYEE_SORTS:
        raise ValueError(f"unknown sort {sort!r}; use one of {sorted(EMPLOYEE_SORTS)}")
    qs = employees_visible(user=user)
    search = search.strip()
    if search:
        qs = qs.filter(
            Q(employee_no__istartswith=search)
            | Q(full_name__icontains=search)
            | Q(email__icontains=search)
        )
    if department_id is not None:
        qs = qs.filter(
            department_id__in=sorted(department_subtree_ids(department_id=department_id))
        )
    if position_id is not None:
        qs = qs.filter(position_id=position_id)
    if status:
        qs = qs.filter(status=status)
    order = [f"-{field}" if descending else field for field in EMPLOYEE_SORTS[key]]
    return qs.order_by(*order)


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
    audit_people_read(
        actor=user,
        action=AuditAction.READ_PAY,
        employee_nos=[row.employee_no],
        what="employee pay",
        target=row,
    )
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
        "upcoming": upcoming_pay(employee=row),
    }


def upcoming_pay(*, employee: Employee) -> list[dict[str, Any]]:
    """The approved changes of `employee`'s pay that take effect later (scheduled proposals),
    soonest first: [{proposal_id, title, takes_effect_on, new_base_pay}] (yearly, company
    currency). Until its day the base pay and every figure from it stay what holds today.
    For callers that have checked `employee`'s pay may be read (`employee_pay`)."""
    from gmassist.core.choices import ProposalStatus
    from gmassist.core.models import Proposal
    from gmassist.core.proposals import proposal_subjects

    scheduled = Proposal.objects.filter(status=ProposalStatus.SCHEDULED).filter(
        # one person's change names them; a batch names nobody and lists them in its lines
        Q(subject_employee=employee) | Q(subject_employee__isnull=True)
    )
    upcoming = []
    for proposal in scheduled.order_by("effective_on", "id"):
        if employee.pk not in proposal_subjects(proposal):
            continue
        new_pay = _new_base_pay(proposal.payload, employee.pk)
        upcoming.append(
            {
                "proposal_id": proposal.pk,
                "title": proposal.display_title,
                "takes_effect_on": proposal.effective_on,
                "new_base_pay": Decimal(new_pay) if new_pay is not None else None,
            }
        )
    return upcoming


def _new_base_pay(payload: dict[str, Any], employee_id: int) -> str | None:
    """The base pay a pay-change, promotion, batch or incentive payload gives `employee_id`."""
    if "lines" in payload:  # org.pay_change_batch
        for line in payload["lines"]:
            if line.get("employee_id") == employee_id:
                return line.get("new_base_pay")
        return None
    carried = (payload.get("pay") or {}).get("payload") or {}  # talent.incentive's raise
    return payload.get("new_base_pay") or carried.get("new_base_pay")


def department_tree(*, user: User) -> list[dict]:
    """The visible departments as a tree: [{department, headcount, children: [...]}].

    Each department carries its active headcount (its own employees, not those below) and its
    head. A department whose parent the user may not see is a root. One query.
    """
    departments = (
        Department.objects.restrict(user, Action.VIEW)
        .select_related("head")
        .only("id", "code", "name", "parent_id", "head__id", "head__full_name")
        .annotate(headcount=Count("employees", filter=Q(employees__status=EmployeeStatus.ACTIVE)))
        .order_by("name", "code")
    )
    nodes = {d.pk: {"department": d, "headcount": d.headcount, "children": []} for d in departments}
    roots = []
    for node in nodes.values():
        parent = nodes.get(node["department"].parent_id)
        (parent["children"] if parent else roots).append(node)

    def total(node: dict) -> int:
        node["total"] = node["headcount"] + sum(total(child) for child in node["children"])
        return node["total"]

    for root in roots:
        total(root)
    return roots


def hires_and_leavers_by_month(
    *, user: User, months: int = 24, today: dt.date | None = None
) -> list[dict]:
    """Hires and leavers per month over the last `months` months (this one included), among
    the employees the user may see: [{month: date (1st of the month), hires, leavers}].

    Counted in the database (TruncMonth); every month of the window is listed, zeros included.
    """
    today = today or timezone.localdate()
    first = today.replace(day=1)
    for _step in range(months - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    visible = Employee.objects.restrict(user, Action.VIEW)
    hires = dict(
        visible.filter(hire_date__gte=first, hire_date__lte=today)
        .annotate(month=TruncMonth("hire_date"))
        .values("month")
        .annotate(n=Count("id"))
        .values_list("month", "n")
        .order_by()
    )
    leavers = dict(
        visible.filter(leave_date__gte=first, leave_date__lte=today)
        .annotate(month=TruncMonth("leave_date"))
        .values("month")
        .annotate(n=Count("id"))
        .values_list("month", "n")
        .order_by()
    )
    out = []
    month = first
    while month <= today:
        out.append({"month": month, "hires": hires.get(month, 0), "leavers": leavers.get(month, 0)})
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return out


def employee_detail(*, user: User, pk: int) -> Employee | None:
    """One employee the user may see, with department, position and manager; else None."""
    return employees_visible(user=user).filter(pk=pk).first()


def employee_reports(*, user: User, employee: Employee) -> QuerySet[Employee]:
    """The visible employees who report to `employee` and have not left, by name."""
    return (
        employees_visible(user=user)
        .filter(manager=employee)
        .exclude(status=EmployeeStatus.LEFT)
        .select_related(None)
        .select_related("position")
        .only("id", "employee_no", "full_name", "position__id", "position__title")
        .order_by("full_name", "employee_no")
    )


def employee_reviews(*, user: User, employee: Employee) -> QuerySet[Review]:
    """The employee's performance reviews the user may see, newest period first."""
    return (
        Review.objects.restrict(user, Action.VIEW)
        .filter(employee=employee)
        .select_related("reviewer")
        .order_by("-period")
    )


def employee_skills(*, user: User, employee: Employee) -> QuerySet[EmployeeSkill]:
    """The employee's skills the user may see, strongest first."""
    return (
        EmployeeSkill.objects.restrict(user, Action.VIEW)
        .filter(employee=employee)
        .select_related("skill")
        .order_by("-level", "skill__name")
    )


def employee_separations(*, user: User, employee: Employee) -> QuerySet[Separation]:
    """The employee's separations (leaving history) the user may see, latest first."""
    return (
        Separation.objects.restrict(user, Action.VIEW).filter(employee=employee).order_by("-date")
    )


def department_filter_choices(
    *, user: User, selected_id: int | None = None, levels: int = 2
) -> list[tuple[int, str]]:
    """The departments a filter offers: the top `levels` of the visible tree, in tree order,
    each indented by its depth, plus the selected one wherever it is. One query.

    A filter on a department includes everything below it, so the upper levels cover the whole
    company; a list of 3,000 departments would make every directory page heavy. Any deeper
    department is reached from the department tree, which links to the filtered directory.
    """
    rows = Department.objects.restrict(user, Action.VIEW).values_list("id", "name", "parent_id")
    names = {dept_id: name for dept_id, name, _parent in rows}
    parents = {dept_id: parent_id for dept_id, _name, parent_id in rows}
    children: dict[int | None, list[int]] = {}
    for dept_id, _name, parent_id in rows:
        # a department whose parent the user may not see is one of their roots
        children.setdefault(parent_id if parent_id in names else None, []).append(dept_id)
    choices: list[tuple[int, str]] = []

    def walk(parent: int | None, depth: int) -> None:
        for dept_id in sorted(children.get(parent, ()), key=names.__getitem__):
            choices.append((dept_id, "\u2003" * depth + names[dept_id]))
            if depth + 1 < levels:
                walk(dept_id, depth + 1)

    walk(None, 0)
    if selected_id in names and all(dept_id != selected_id for dept_id, _label in choices):
        depth, node = 0, parents[selected_id]
        while node in names:
            depth, node = depth + 1, parents[node]
        choices.append((selected_id, "\u2003" * depth + names[selected_id]))
    return choices


def departments_visible(*, user: User) -> QuerySet[Department]:
    """Departments the user may see, by name (filters and menus)."""
    return Department.objects.restrict(user, Action.VIEW).only("id", "name", "code")


def positions_visible(*, user: User) -> QuerySet[Position]:
    """Positions the user may see, by title (filters and menus)."""
    return (
        Position.objects.restrict(user, Action.VIEW)
        .only("id", "title", "code")
        .order_by("title", "code")
    )


def departments_listed(*, user: User) -> QuerySet[Department]:
    """Departments the user may see with their head (the API's list and detail)."""
    return Department.objects.restrict(user, Action.VIEW).select_related("head")


def positions_listed(*, user: User) -> QuerySet[Position]:
    """Positions the user may see with every field (the catalogue: everyone reads it)."""
    return Position.objects.restrict(user, Action.VIEW)


def reviews_visible(*, user: User) -> QuerySet[Review]:
    """Performance reviews the user may see, with employee and reviewer."""
    return Review.objects.restrict(user, Action.VIEW).select_related("employee", "reviewer")


def employee_skills_visible(*, user: User) -> QuerySet[EmployeeSkill]:
    """Employees' skill levels the user may see, with employee and skill."""
    return EmployeeSkill.objects.restrict(user, Action.VIEW).select_related("employee", "skill")


def departments_reached(*, user: User, domain: Domain, action: str) -> QuerySet[Department]:
    """The departments `user` may do `action` for in `domain` (the rule of `may`): every one
    for ALL, the headed subtree for SUBTREE, none otherwise."""
    q = scope_filter(user, Scope(domain=domain, department="pk"), action)
    return Department.objects.none() if q is None else Department.objects.filter(q)


def departments_everyone_names() -> QuerySet[Department]:
    """Every department, by name: the names of the org chart are every employee's to address
    feedback to (nothing about the people in them)."""
    return Department.objects.only("id", "name", "code", "parent_id").order_by("name")


def employees_reached(
    *,
    department_ids: list[int],
    roles: list[str],
    employee_ids: list[int] = (),
    within_department_id: int | None = None,
    everyone_when_none_named: bool = False,
) -> dict[int, int]:
    """The people an audience reaches now: {employee id: department id}.

    Active and on-leave employees of `department_ids` and every department below them, of
    `roles` (through their active logins) and `employee_ids`, all kept inside
    `within_department_id`'s subtree when given. When nobody is named, nobody is reached, or
    everyone with `everyone_when_none_named` (a company-wide survey). Used by the decisions'
    addressees and the surveys' audience; a few queries whatever the size of the company.
    """
    children: dict[int | None, list[int]] = {}
    for dept_id, parent_id in Department.objects.values_list("id", "parent_id"):
        children.setdefault(parent_id, []).append(dept_id)
    employees = Employee.objects.exclude(status=EmployeeStatus.LEFT)
    if department_ids or roles or employee_ids or not everyone_when_none_named:
        reach_q = Q(pk__in=[])
        if department_ids:
            reach_q |= Q(department_id__in=sorted(descendants_of(children, department_ids)))
        if roles:
            reach_q |= Q(
                pk__in=User.objects.filter(
                    role__in=roles, is_active=True, employee__isnull=False
                ).values("employee_id")
            )
        if employee_ids:
            reach_q |= Q(pk__in=list(employee_ids))
        employees = employees.filter(reach_q)
    if within_department_id is not None:
        inside = descendants_of(children, [within_department_id])
        employees = employees.filter(department_id__in=sorted(inside))
    return dict(employees.values_list("pk", "department_id"))


# the fields of an employee's history that are pay: shown only to who may read it
HISTORY_PAY_FIELDS = ("base_pay",)


def employee_history_readable(*, user: User | None, employee: Employee) -> bool:
    """Whether `user` reads `employee`'s history and notes: the roles that see more than
    themselves (GM, assistant, HR; a head for their subtree), when they see the person."""
    if reach(user, Domain.PEOPLE, Action.VIEW) not in (ALL, SUBTREE):
        return False
    return employees_visible(user=user).filter(pk=employee.pk).exists()  # type: ignore[arg-type]


def employee_history(*, user: User, employee: Employee) -> list[Any] | None:
    """The changes recorded on `employee`'s record, newest first, for the roles that see more
    than themselves (GM, assistant, HR; a head for their subtree), or None for the others.
    A change of pay is left out unless `user` may read this person's pay (then the page that
    shows it already audits that read: the pay section of the same page)."""
    from gmassist.core.selectors import record_history

    if not employee_history_readable(user=user, employee=employee):
        return None
    related = [*employee.reviews.all(), *employee.skills.all()]
    entries = record_history(record=employee, related=related)
    if not Employee.objects.restrict(user, Action.VIEW_PAY).filter(pk=employee.pk).exists():
        for entry in entries:
            if isinstance(entry.changes, dict):
                entry.changes = {
                    k: v for k, v in entry.changes.items() if k not in HISTORY_PAY_FIELDS
                }
    return entries


# --- the evidence of a proposal about one person -----------------------------------------------

# What other apps add to the evidence of a proposal about one person (talent: the leaving
# risk), each `provider(user=, employee=) -> list of evidence items` for what `user` may read.
_PERSON_EVIDENCE: list[Any] = []


def register_person_evidence(provider: Any) -> None:
    """Add `provider(user=, employee=)` to the evidence of every proposal about a person."""
    if provider not in _PERSON_EVIDENCE:
        _PERSON_EVIDENCE.append(provider)


def person_evidence(*, user: User, employee: Employee) -> list[dict[str, Any]]:
    """The facts a decider needs about a raise or a promotion of `employee`, as `user` may read
    them: the band, the last raise, the last rating, and what other apps add (the leaving risk
    for who may see it, audited there). Labels in English, translated where shown; money
    yearly in the company's currency. Empty when `user` may not read the person's pay."""
    if not Employee.objects.restrict(user, Action.VIEW_PAY).filter(pk=employee.pk).exists():
        return []
    facts: list[dict[str, Any]] = []
    position = employee.position
    if position is not None and position.band_mid:
        facts.append(
            {
                "label": gettext_noop("salary band (min – mid – max)"),
                "value": f"{position.band_min or 0:,.0f} – {position.band_mid:,.0f} – "
                f"{position.band_max or 0:,.0f}",
            }
        )
    raises = employee.pay_changes.exclude(reason="hire").order_by("-effective_date")
    last = raises.first()
    if last is not None:
        change = (
            f" ({last.base_pay / last.previous_base_pay - 1:+.1%})"
            if last.previous_base_pay
            else ""
        )
        facts.append(
            {
                "label": gettext_noop("last raise"),
                "value": f"{last.effective_date.isoformat()}{change}",
            }
        )
    else:
        facts.append({"label": gettext_noop("last raise"), "value": None})  # none since the hire
    review = employee.reviews.order_by("-period").first()
    if review is not None:
        facts.append(
            {
                "label": gettext_noop("last performance rating"),
                "value": f"{review.rating} / 5 ({review.period})",
            }
        )
    for provider in _PERSON_EVIDENCE:
        facts.extend(provider(user=user, employee=employee))
    return facts
