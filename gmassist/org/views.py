"""Organisation pages: the department tree, the employee directory and the employee page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from gmassist.core.choices import Action
from gmassist.core.grouping import GroupBy
from gmassist.core.models import Company
from gmassist.core.permissions import ALL, SUBTREE, Domain, reach
from gmassist.core.views_lib import DetailPage, ListColumn, ListPage
from gmassist.org import selectors
from gmassist.org.choices import EmployeeStatus, EmploymentType
from gmassist.org.forms import DirectoryFilterForm
from gmassist.org.models import Employee

# the pages that list many people are for the roles that see more than themselves
MANY_PEOPLE = (ALL, SUBTREE)


@login_required
def department_tree(request: HttpRequest) -> HttpResponse:
    if reach(request.user, Domain.PEOPLE, Action.VIEW) not in MANY_PEOPLE:
        raise PermissionDenied
    roots = selectors.department_tree(user=request.user)
    return render(request, "org/department_tree.html", {"roots": roots})


class DirectoryPage(ListPage):
    """The employee directory: search, filters, sorting by column, pages, export, grouping
    with headcounts, chosen columns and saved views.

    Grouped, it counts heads only: no pay sums. A sum of pay over a small group (a department
    of one, a manager's two reports) is someone's pay, and every grouped page would be an
    audited pay read of everyone in it; pay by group, with its bands and its audit, is the pay
    review's (talent)."""

    title = _("Employees")
    permission = (Domain.PEOPLE, Action.VIEW)
    permission_reaches = MANY_PEOPLE
    filter_form_class = DirectoryFilterForm
    columns = [
        ListColumn(_("Employee no."), sort="employee_no"),
        ListColumn(_("Name"), sort="name"),
        ListColumn(_("Department"), sort="department", key="department", optional=True),
        ListColumn(_("Position"), key="position", optional=True),
        ListColumn(_("Manager"), key="manager", optional=True),
        ListColumn(_("Location"), key="location", optional=True, shown_by_default=False),
        ListColumn(
            _("Employment type"), key="employment_type", optional=True, shown_by_default=False
        ),
        ListColumn(_("Hire date"), sort="hire_date", key="hire_date", optional=True),
        ListColumn(_("Status"), key="status", optional=True),
    ]
    default_sort = "name"
    model = Employee
    group_by = [
        GroupBy("department", _("Department"), field="department_id", name="department__name"),
        GroupBy("position", _("Position"), field="position_id", name="position__title"),
        GroupBy("status", _("Status"), field="status", choices=EmployeeStatus),
        GroupBy(
            "manager",
            _("Manager"),
            field="manager_id",
            name="manager__full_name",
            empty_label=_("No manager"),
        ),
        GroupBy("location", _("Location"), field="location", empty_label=_("No location")),
        GroupBy(
            "employment_type", _("Employment type"), field="employment_type", choices=EmploymentType
        ),
    ]
    views_key = "org:directory"
    row_template = "org/_directory_row.html"
    export_permission = (Domain.PEOPLE, Action.EXPORT)
    export_name = "employees"
    # the employees import's own columns (gender, birth date, employment type and pay among
    # them), so that the file imports back unchanged with no mapping
    export_entity = "employees"
    testid = "directory"

    def get_queryset(self, *, filters: dict[str, Any], sort: str) -> QuerySet[Employee]:
        return selectors.employee_directory(user=self.request.user, sort=sort, **filters).only(
            "id",
            "employee_no",
            "full_name",
            "status",
            "hire_date",
            "location",
            "employment_type",
            "department__id",
            "department__name",
            "position__id",
            "position__title",
            "manager__id",
            "manager__full_name",
        )

    def get_export_queryset(self, *, filters: dict[str, Any], sort: str) -> QuerySet[Employee]:
        # exported rows are those the user may export (a department head: their subtree)
        allowed = selectors.employees_visible(user=self.request.user, action=Action.EXPORT)
        return selectors.employee_directory(user=self.request.user, sort=sort, **filters).filter(
            pk__in=allowed.values("pk")
        )


class EmployeePage(DetailPage):
    """One employee: who they are, their place, and what the user's role may see of the rest."""

    template_name = "org/employee_detail.html"
    context_object_name = "employee"

    def get_queryset(self) -> QuerySet[Employee]:
        return selectors.employees_visible(user=self.request.user)

    def get_extra_context(self, obj: Employee) -> dict[str, Any]:
        user = self.request.user
        manager_visible = (
            obj.manager_id is not None
            and selectors.employees_visible(user=user).filter(pk=obj.manager_id).exists()
        )
        return {
            "manager_visible": manager_visible,
            "reports": list(selectors.employee_reports(user=user, employee=obj)),
            "pay": selectors.employee_pay(user=user, employee=obj),
            "reviews": list(selectors.employee_reviews(user=user, employee=obj)),
            "skills": list(selectors.employee_skills(user=user, employee=obj)),
            "separations": list(selectors.employee_separations(user=user, employee=obj)),
            "currency": Company.get().currency,
        }
