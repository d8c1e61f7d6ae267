"""The task pages: the list (mine, delegated by me, my departments', everything), a new task
(also from a record: `?about=<app_label.model>:<pk>`), a task with its history, editing it, and
the posts that change its status, add a comment or reassign it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gmassist.core.choices import Action
from gmassist.core.grouping import GroupBy, user_name
from gmassist.core.permissions import Domain
from gmassist.core.views_lib import ExportColumn, ListColumn, ListPage, form_errors_from
from gmassist.office.tasks import presenters, selectors, services
from gmassist.office.tasks.choices import OPEN_STATUSES, Priority, TaskStatus
from gmassist.office.tasks.forms import (
    CommentForm,
    ReassignForm,
    StatusForm,
    TaskFilterForm,
    TaskForm,
)
from gmassist.office.tasks.models import Task
from gmassist.office.tasks.subjects import subject_resolve


class TaskListPage(ListPage):
    """The tasks the user may see: their own, those they delegated (with what is late), their
    departments' for a head, everything for the GM's office."""

    title = gettext_lazy("Tasks")
    template_name = "office/tasks/list.html"
    permission = (Domain.OFFICE_TASKS, Action.VIEW)
    filter_form_class = TaskFilterForm
    columns = [
        ListColumn(gettext_lazy("Task"), sort="title"),
        ListColumn(gettext_lazy("Owner"), key="owner", optional=True),
        ListColumn(gettext_lazy("Delegated by"), key="delegated_by", optional=True),
        ListColumn(gettext_lazy("Priority"), sort="priority", key="priority", optional=True),
        ListColumn(gettext_lazy("Due"), sort="due", key="due", optional=True),
        ListColumn(gettext_lazy("Status"), sort="status", key="status", optional=True),
    ]
    default_sort = "due"
    row_template = "office/tasks/_row.html"
    export_permission = (Domain.OFFICE_TASKS, Action.EXPORT)
    export_name = "tasks"
    export_columns = [
        ExportColumn("id", "pk"),
        ExportColumn("title", "title"),
        ExportColumn("owner", "owner", column="owner"),
        ExportColumn("delegated_by", "delegated_by", column="delegated_by"),
        ExportColumn("priority", "priority", column="priority"),
        ExportColumn("due_on", "due_on", column="due"),
        ExportColumn("remind_on", "remind_on"),
        ExportColumn("status", "status", column="status"),
        ExportColumn("escalation", "escalation"),
        ExportColumn("about", "about_title"),
    ]
    testid = "tasks"
    model = Task
    group_by = [
        GroupBy("status", gettext_lazy("Status"), field="status", choices=TaskStatus),
        GroupBy("priority", gettext_lazy("Priority"), field="priority", choices=Priority),
        GroupBy("owner", gettext_lazy("Owner"), field="owner_id", name=user_name("owner")),
    ]
    views_key = "office:tasks"

    def get_queryset(self, *, filters: dict[str, Any], sort: str) -> QuerySet[Task]:
        return selectors.task_list(
            user=self.request.user, today=timezone.localdate(), sort=sort, **filters
        )

    def get_export_queryset(self, *, filters: dict[str, Any], sort: str) -> QuerySet[Task]:
        allowed = selectors.tasks_visible(user=self.request.user, action=Action.EXPORT)
        return self.get_queryset(filters=filters, sort=sort).filter(pk__in=allowed.values("pk"))

    def get_extra_context(self) -> dict[str, Any]:
        today = timezone.localdate()
        user = self.request.user
        return {
            "today": today,
            "late_delegated": selectors.task_list(
                user=user, today=today, whose=selectors.DELEGATED, overdue=True
            ).count(),
            "late_mine": selectors.task_list(
                user=user, today=today, whose=selectors.MINE, overdue=True
            ).count(),
        }


def _visible_task(request: HttpRequest, pk: int) -> Task:
    task = selectors.tasks_visible(user=request.user).filter(pk=pk).first()
    if task is None:
        raise Http404("not found")
    return task


def _form_context(request: HttpRequest, form: TaskForm, **extra: Any) -> dict[str, Any]:
    return {"form": form, **extra}


@login_required
def task_new(request: HttpRequest) -> HttpResponse:
    """A new task, on its own or from a record (`?about=<app_label.model>:<pk>`: the title and
    the link are filled in; a record the user may not see is refused)."""
    about = request.POST.get("about") if request.method == "POST" else request.GET.get("about")
    about = (about or "").strip()
    subject = None
    if about:
        try:
            subject = subject_resolve(about=about, user=request.user)
        except ValidationError:
            raise Http404("no such record") from None
    initial: dict[str, Any] = {}
    if subject is not None:
        initial.update(title=subject.title, about=subject.about)
    form = TaskForm(request.POST or None, initial=initial, user=request.user)
    owners = form.fields["owner"].queryset
    if owners.count() == 1:  # who may give tasks only to themselves: the choice is made
        form.fields["owner"].initial = request.user.pk
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                task = services.task_create(
                    by=request.user,
                    title=data["title"],
                    owner=data["owner"],
                    due_on=data["due_on"],
                    remind_on=data["remind_on"],
                    priority=data["priority"],
                    description=data["description"],
                    about=subject.about if subject else "",
                )
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(
                    request, _("The task is given to %(name)s.") % {"name": task.owner}
                )
                return redirect("office:task", pk=task.pk)
        status = 422
    context = {"title": _("New task"), "form": form, "subject": subject}
    return render(request, "office/tasks/form.html", context, status=status)


def _detail_context(request: HttpRequest, task: Task, **forms: Any) -> dict[str, Any]:
    user = request.user
    today = timezone.localdate()
    may_work = services.may_work(user=user, task=task)
    may_manage = services.may_manage(user=user, task=task)
    statuses = []
    for value, label in TaskStatus.choices:
        if value == task.status:
            continue
        if services._status_allowed(user=user, task=task, status=value):
            statuses.append((value, label))
    return {
        "title": task.title,
        "task": task,
        "today": today,
        "late": task.is_late(today),
        "lateness": presenters.lateness(task, today),
        "about_url": presenters.about_link(task),
        "history": [presenters.history_line(e) for e in selectors.task_history(task=task)],
        "may_work": may_work,
        "may_manage": may_manage and task.status in OPEN_STATUSES,
        "may_comment": services.may_comment(user=user, task=task),
        "statuses": statuses,
        "comment_form": forms.get("comment_form") or CommentForm(),
        "status_form": forms.get("status_form") or StatusForm(),
        "reassign_form": forms.get("reassign_form")
        or (ReassignForm(user=user) if may_manage else None),
    }


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = _visible_task(request, pk)
    return render(request, "office/tasks/detail.html", _detail_context(request, task))


@login_required
def task_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a task's title, description, dates and priority (who delegated it and the GM's
    office)."""
    task = _visible_task(request, pk)
    if not services.may_manage(user=request.user, task=task):
        raise PermissionDenied
    initial = {
        "title": task.title,
        "description": task.description,
        "due_on": task.due_on,
        "remind_on": task.remind_on,
        "priority": task.priority,
    }
    form = TaskForm(request.POST or None, initial=initial, user=request.user, with_owner=False)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.task_update(
                    task=task,
                    by=request.user,
                    title=data["title"],
                    description=data["description"],
                    due_on=data["due_on"],
                    remind_on=data["remind_on"],
                    priority=data["priority"],
                )
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("The task is saved."))
                return redirect("office:task", pk=task.pk)
        status = 422
    context = {"title": _("Edit the task"), "form": form, "task": task}
    return render(request, "office/tasks/form.html", context, status=status)


def _post_failed(request: HttpRequest, task: Task, **forms: Any) -> HttpResponse:
    return render(
        request, "office/tasks/detail.html", _detail_context(request, task, **forms), status=422
    )


@login_required
@require_POST
def task_status(request: HttpRequest, pk: int) -> HttpResponse:
    task = _visible_task(request, pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.task_set_status(
                task=task,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The status is changed."))
            return redirect("office:task", pk=task.pk)
    return _post_failed(request, task, status_form=form)


@login_required
@require_POST
def task_comment(request: HttpRequest, pk: int) -> HttpResponse:
    task = _visible_task(request, pk)
    if not services.may_comment(user=request.user, task=task):
        raise PermissionDenied
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.task_comment_add(task=task, by=request.user, text=form.cleaned_data["text"])
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            return redirect(f"{task.get_absolute_url()}#history")
    return _post_failed(request, task, comment_form=form)


@login_required
@require_POST
def task_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    task = _visible_task(request, pk)
    if not services.may_manage(user=request.user, task=task):
        raise PermissionDenied
    form = ReassignForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            task = services.task_reassign(
                task=task,
                owner=form.cleaned_data["owner"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The task is given to %(name)s.") % {"name": task.owner})
            return redirect("office:task", pk=task.pk)
    return _post_failed(request, task, reassign_form=form)
