"""Organisation pages: the department tree, the employee directory and the employee page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from gmassist.core.choices import Action
from gmassist.core.forms import NoteForm
from gmassist.core.grouping import GroupBy
from gmassist.core.models import Company
from gmassist.core.permissions import ALL, SUBTREE, Domain, reach, user_can
from gmassist.core.selectors import record_notes
from gmassist.core.views_lib import DetailPage, ListColumn, ListPage, record_form_response
from gmassist.org import selectors, services
from gmassist.org.choices import EmployeeStatus, EmploymentType
from gmassist.org.forms import (
    CommentForm,
    DepartmentForm,
    DirectoryFilterForm,
    EmployeeRecordForm,
    LeaverForm,
    PositionForm,
    ProposeForm,
    ReviewForm,
    SkillLevelForm,
)
from gmassist.org.models import Department, Employee, Position

# the pages that list many people are for the roles that see more than themselves
MANY_PEOPLE = (ALL, SUBTREE)


@login_required
def department_tree(request: HttpRequest) -> HttpResponse:
    if reach(request.user, Domain.PEOPLE, Action.VIEW) not in MANY_PEOPLE:
        raise PermissionDenied
    roots = selectors.department_tree(user=request.user)
    may_change = reach(request.user, Domain.PEOPLE, Action.CHANGE) == ALL
    return render(request, "org/department_tree.html", {"roots": roots, "may_change": may_change})


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
    template_name = "org/directory.html"

    def get_extra_context(self) -> dict[str, Any]:
        return {"may_hire": reach(self.request.user, Domain.PEOPLE, Action.CHANGE) == ALL}

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
            "may_change": user_can(user, Action.CHANGE, obj),
            "history": selectors.employee_history(user=user, employee=obj),
            "notes": record_notes(user=user, record=obj),
            "note_form": NoteForm(),
        }


# --- records on screen -----------------------------------------------------------------------


def _may_change_people(request: HttpRequest) -> None:
    """The record forms are for the roles that may change people's records."""
    if reach(request.user, Domain.PEOPLE, Action.CHANGE) is None:
        raise PermissionDenied


def _changeable(request: HttpRequest, pk: int) -> Employee:
    """The employee `pk` if the user may change their record; 404 when not visible, 403 when
    visible but not theirs to change."""
    employee = get_object_or_404(selectors.employees_visible(user=request.user), pk=pk)
    if not user_can(request.user, Action.CHANGE, employee):
        raise PermissionDenied
    return employee


def _saved(request: HttpRequest, message: Any, employee: Employee) -> HttpResponse:
    made = getattr(employee, "proposals_made", None)
    if made:
        messages.info(request, " ".join(str(p["message"]) for p in made))
    messages.success(request, message)
    return redirect("org:employee", pk=employee.pk)


@login_required
def employee_new(request: HttpRequest) -> HttpResponse:
    """Hire one person: the employees import's checks, errors next to the fields."""
    _may_change_people(request)
    form = EmployeeRecordForm(request.POST or None, user=request.user, hire=True)

    def write() -> Employee:
        record = form.record()
        return services.employee_create(
            employee_no=record.pop("employee_no", ""),
            full_name=record.pop("full_name", ""),
            department=record.pop("department", ""),
            hire_date=record.pop("hire_date", ""),
            by=request.user,
            comment=form.cleaned_data.get("comment", ""),
            **record,
        )

    return record_form_response(
        request,
        form,
        write=write,
        saved=lambda employee: _saved(request, gettext("The person is hired."), employee),
        template="org/employee_form.html",
        context={"title": gettext("Hire a person"), "submit": gettext("Hire")},
    )


@login_required
def employee_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a record, or move a person to another department or manager."""
    employee = _changeable(request, pk)
    # the form shows the pay to who may read it, a read audited as every other (not the
    # check as you type, which shows no pay)
    with_pay = user_can(request.user, Action.VIEW_PAY, employee)
    if with_pay and not request.POST.get("validate"):
        selectors.employee_pay(user=request.user, employee=employee)
    form = EmployeeRecordForm(
        request.POST or None,
        user=request.user,
        hire=False,
        initial=EmployeeRecordForm.initial_of(employee, with_pay=with_pay),
    )
    if not with_pay:
        del form.fields["base_pay"]

    def write() -> Employee:
        return services.employee_update(
            employee=employee,
            data=_changed(form),
            by=request.user,
            comment=form.cleaned_data.get("comment", ""),
        )

    return record_form_response(
        request,
        form,
        write=write,
        saved=lambda saved: _saved(request, gettext("The record is saved."), saved),
        template="org/employee_form.html",
        context={
            "title": gettext("Edit %(name)s") % {"name": employee.full_name},
            "submit": gettext("Save"),
            "employee": employee,
        },
    )


def _changed(form: EmployeeRecordForm) -> dict[str, Any]:
    """The fields the person changed (the others are left as stored, pay above all)."""
    record = form.record()
    return {name: record[name] for name in form.changed_data if name in record}


@login_required
def employee_leaving(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that a person leaves (date, type, reason, regretted)."""
    employee = _changeable(request, pk)
    form = LeaverForm(request.POST or None)

    def write() -> Employee:
        return services.employee_update(
            employee=employee,
            data=form.record(),
            by=request.user,
            comment=form.cleaned_data.get("comment", ""),
        )

    return record_form_response(
        request,
        form,
        write=write,
        saved=lambda saved: _saved(request, gettext("The leaver is recorded."), saved),
        template="org/employee_form.html",
        context={
            "title": gettext("%(name)s leaves") % {"name": employee.full_name},
            "submit": gettext("Record the leaver"),
            "employee": employee,
        },
    )


@login_required
@require_POST
def employee_leaving_undo(request: HttpRequest, pk: int) -> HttpResponse:
    """Take back a leaver recorded by mistake."""
    employee = _changeable(request, pk)
    form = CommentForm(request.POST)
    form.is_valid()
    try:
        services.employee_leaving_undo(
            employee=employee, by=request.user, comment=form.cleaned_data.get("comment", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, gettext("The leaver is taken back: the person is active again."))
    return redirect("org:employee", pk=employee.pk)


@login_required
def employee_options(request: HttpRequest) -> HttpResponse:
    """The people whose number or name starts with what is typed in a manager field, as the
    options of its list (at most 20, those the user may see)."""
    typed = (request.GET.get("manager") or request.GET.get("q") or "").strip()
    people = selectors.employee_directory(user=request.user, search=typed, sort="name")[:20]
    return render(
        request,
        "org/_employee_options.html",
        {"people": people if typed else []},
    )


@login_required
def employee_review_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a performance review to a person's record."""
    employee = _changeable(request, pk)
    form = ReviewForm(request.POST or None)

    def write() -> Any:
        data = form.cleaned_data
        return services.review_create(
            employee=employee,
            period=data["period"],
            rating=data["rating"],
            potential=data["potential"] or None,
            review_date=data["review_date"] or None,
            reviewer=data["reviewer"] or None,
            comment=data["comment"],
            by=request.user,
        )

    return record_form_response(
        request,
        form,
        write=write,
        saved=lambda _review: _saved(request, gettext("The review is added."), employee),
        template="org/employee_form.html",
        context={
            "title": gettext("A review of %(name)s") % {"name": employee.full_name},
            "submit": gettext("Add the review"),
            "employee": employee,
        },
    )


@login_required
def employee_skill_level(request: HttpRequest, pk: int) -> HttpResponse:
    """Set how well a person holds a skill."""
    employee = _changeable(request, pk)
    form = SkillLevelForm(request.POST or None, initial={"skill": request.GET.get("skill", "")})

    def write() -> Any:
        data = form.cleaned_data
        return services.employee_skill_set(
            employee=employee,
            skill=data["skill"],
            level=data["level"],
            assessed_on=data["assessed_on"] or None,
            by=request.user,
        )

    return record_form_response(
        request,
        form,
        write=write,
        saved=lambda _row: _saved(request, gettext("The skill level is set."), employee),
        template="org/employee_form.html",
        context={
            "title": gettext("A skill of %(name)s") % {"name": employee.full_name},
            "submit": gettext("Set the level"),
            "employee": employee,
        },
    )


@login_required
def employee_propose(request: HttpRequest, pk: int) -> HttpResponse:
    """Propose a raise or a promotion of a person, with the evidence a decider needs (band,
    compa-ratio, last raise, last rating, and the leaving risk for who may read it). For who
    may read the person's pay; nobody proposes for themselves."""
    employee = get_object_or_404(selectors.employees_visible(user=request.user), pk=pk)
    if employee.pk == request.user.employee_id:
        raise PermissionDenied(gettext("Nobody proposes a raise or a promotion for themselves."))
    if not user_can(request.user, Action.VIEW_PAY, employee):
        raise PermissionDenied
    pay = selectors.employee_pay(user=request.user, employee=employee)  # shown: audited
    form = ProposeForm(
        request.POST or None,
        initial={"effective_date": _first_of_next_month().isoformat(), "reason": "review"},
    )

    def write() -> Any:
        data = form.cleaned_data
        common = {
            "employee": employee,
            "new_base_pay": data["new_base_pay"],
            "effective_date": data["effective_date"],
            "rationale": data["rationale"],
            "by": request.user,
            "evidence": selectors.person_evidence(user=request.user, employee=employee),
        }
        if data["change"] == "promotion":
            return services.promotion_propose(**common)
        return services.pay_change_propose(reason=data["reason"] or "review", **common)

    def saved(proposal: Any) -> HttpResponse:
        messages.success(
            request, gettext("Proposed: nothing changes until someone allowed approves it.")
        )
        return redirect("proposal", pk=proposal.pk)

    return record_form_response(
        request,
        form,
        write=write,
        saved=saved,
        template="org/employee_propose.html",
        context={
            "title": gettext("Propose for %(name)s") % {"name": employee.full_name},
            "submit": gettext("Propose"),
            "employee": employee,
            "pay": pay,
            "currency": Company.get().currency,
        },
    )


def _first_of_next_month() -> Any:
    import datetime as dt

    from django.utils import timezone

    today = timezone.localdate()
    return (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


# --- the organisation's structure: departments and positions ----------------------------------


def _may_change_structure(request: HttpRequest, model: Any) -> None:
    """Departments and positions are the whole company's: for the roles that change all."""
    if reach(request.user, model.restrict_scope.domain, Action.CHANGE) != ALL:
        raise PermissionDenied


def _form_changes(form: Any) -> dict[str, Any]:
    record = form.record()
    return {name: record[name] for name in form.changed_data if name in record}


def _structure_form(
    request: HttpRequest, form: Any, write: Any, *, done: str, to: str, title: str, submit: str
) -> HttpResponse:
    """The form page of a department or a position: saved, back to the list `to` with `done`."""

    def saved(_record: Any) -> HttpResponse:
        messages.success(request, done)
        return redirect(to)

    return record_form_response(
        request,
        form,
        write=write,
        saved=saved,
        template="org/employee_form.html",
        context={"title": title, "submit": submit},
    )


@login_required
def department_new(request: HttpRequest) -> HttpResponse:
    _may_change_structure(request, Department)
    form = DepartmentForm(
        request.POST or None,
        user=request.user,
        new=True,
        initial={"parent": request.GET.get("parent", "")},
    )

    def write() -> Department:
        record = form.record()
        return services.department_create(
            code=record["code"],
            name=record["name"],
            parent=record["parent"] or None,
            head=record["head"] or None,
            by=request.user,
        )

    return _structure_form(
        request,
        form,
        write,
        done=gettext("The department is added."),
        to="org:departments",
        title=gettext("Add a department"),
        submit=gettext("Add"),
    )


@login_required
def department_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Rename a department, move it in the tree or change its head."""
    _may_change_structure(request, Department)
    department = get_object_or_404(Department.objects.select_related("parent", "head"), pk=pk)
    form = DepartmentForm(
        request.POST or None,
        user=request.user,
        new=False,
        initial={
            "name": department.name,
            "parent": department.parent.code if department.parent_id else "",
            "head": department.head.employee_no if department.head_id else "",
        },
    )

    def write() -> Department:
        return services.department_update(
            department=department,
            data=_form_changes(form),
            by=request.user,
            comment=form.cleaned_data.get("comment", ""),
        )

    return _structure_form(
        request,
        form,
        write,
        done=gettext("The department is saved."),
        to="org:departments",
        title=gettext("Edit %(name)s") % {"name": department.name},
        submit=gettext("Save"),
    )


class PositionListPage(ListPage):
    """The positions with their grade and yearly salary band; HR adds and edits them here."""

    title = _("Positions")
    permission = (Domain.PEOPLE, Action.VIEW)
    permission_reaches = MANY_PEOPLE
    columns = [
        ListColumn(_("Code"), sort="code"),
        ListColumn(_("Title"), sort="title"),
        ListColumn(_("Job family"), sort="job_family"),
        ListColumn(_("Grade"), sort="grade"),
        ListColumn(_("Salary band")),
    ]
    default_sort = "code"
    row_template = "org/_position_row.html"
    template_name = "org/positions.html"
    testid = "positions"

    def get_queryset(self, *, filters: dict[str, Any], sort: str) -> QuerySet[Position]:
        allowed = {"code", "-code", "title", "-title", "job_family", "-job_family"}
        allowed |= {"grade", "-grade"}
        order = sort if sort in allowed else "code"
        return selectors.positions_visible(user=self.request.user).order_by(order, "code")

    def get_extra_context(self) -> dict[str, Any]:
        return {"may_change": reach(self.request.user, Domain.PEOPLE, Action.CHANGE) == ALL}


@login_required
def position_new(request: HttpRequest) -> HttpResponse:
    _may_change_structure(request, Position)
    form = PositionForm(
        request.POST or None, new=True, initial={"currency": Company.get().currency}
    )

    def write() -> Position:
        record = form.record()
        return services.position_create(
            code=record.pop("code"), title=record.pop("title"), by=request.user, **record
        )

    return _structure_form(
        request,
        form,
        write,
        done=gettext("The position is added."),
        to="org:positions",
        title=gettext("Add a position"),
        submit=gettext("Add"),
    )


@login_required
def position_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a position's title, family, grade or band."""
    _may_change_structure(request, Position)
    position = get_object_or_404(Position, pk=pk)
    form = PositionForm(
        request.POST or None,
        new=False,
        initial={
            name: "" if getattr(position, name) is None else getattr(position, name)
            for name in ("title", "job_family", "grade", "band_min", "band_mid", "band_max")
        }
        | {"currency": position.currency},
    )

    def write() -> Position:
        return services.position_update(
            position=position,
            data=_form_changes(form),
            by=request.user,
            comment=form.cleaned_data.get("comment", ""),
        )

    return _structure_form(
        request,
        form,
        write,
        done=gettext("The position is saved."),
        to="org:positions",
        title=gettext("Edit %(name)s") % {"name": position.title},
        submit=gettext("Save"),
    )
