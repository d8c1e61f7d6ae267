"""Forms of the task pages: a new task, editing it, its status, a comment, reassigning, and the
list's filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gmassist.core.choices import Action
from gmassist.core.forms import FilterForm
from gmassist.core.models import User
from gmassist.core.permissions import headed_subtree_ids, is_system
from gmassist.office.tasks import selectors
from gmassist.office.tasks.choices import Priority, TaskStatus
from gmassist.office.tasks.models import MAX_TEXT, MAX_TITLE
from gmassist.office.tasks.services import is_office


def assignable_users(user: Any) -> QuerySet[User]:
    """Who `user` may give a task to, by name: themselves, their subtree's people (a head),
    everyone active (the GM's office). The service checks it again."""
    users = User.objects.filter(is_active=True).select_related("employee")
    if is_office(user) or is_system(user):
        return users.order_by("employee__full_name", "username")
    subtree = headed_subtree_ids(user)
    own = users.filter(pk=user.pk)
    if subtree:
        own = users.filter(pk=user.pk) | users.filter(employee__department_id__in=sorted(subtree))
    return own.order_by("employee__full_name", "username")


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        if obj.employee_id and obj.employee.department_id:
            return f"{obj} · {obj.employee.department}"
        return str(obj)


def _date_input(testid: str) -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date", "data-testid": testid}, format="%Y-%m-%d")


class TaskForm(forms.Form):
    """A new task, or the fields of one its manager changes."""

    title = forms.CharField(
        label=_("Title"),
        max_length=MAX_TITLE,
        widget=forms.TextInput(attrs={"data-testid": "task-title", "autocomplete": "off"}),
    )
    owner = UserChoiceField(
        label=_("Owner"),
        queryset=User.objects.none(),
        help_text=_("Who does it."),
        widget=forms.Select(attrs={"data-testid": "task-owner"}),
    )
    due_on = forms.DateField(label=_("Due"), required=False, widget=_date_input("task-due"))
    remind_on = forms.DateField(
        label=_("Remind on"),
        required=False,
        help_text=_("The owner gets a reminder that day (on or before the due date)."),
        widget=_date_input("task-remind"),
    )
    priority = forms.ChoiceField(
        label=_("Priority"),
        choices=Priority.choices,
        initial=Priority.NORMAL,
        widget=forms.Select(attrs={"data-testid": "task-priority"}),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4, "data-testid": "task-description"}),
    )
    about = forms.CharField(required=False, max_length=120, widget=forms.HiddenInput())

    def __init__(self, *args: Any, user: Any, with_owner: bool = True, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if with_owner:
            self.fields["owner"].queryset = assignable_users(user)
        else:
            del self.fields["owner"]
            del self.fields["about"]


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=TaskStatus.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=MAX_TEXT)


class CommentForm(forms.Form):
    text = forms.CharField(
        label=pgettext_lazy("task", "Comment"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3, "data-testid": "comment-text"}),
    )


class ReassignForm(forms.Form):
    owner = UserChoiceField(
        label=_("New owner"),
        queryset=User.objects.none(),
        widget=forms.Select(attrs={"data-testid": "reassign-owner"}),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.TextInput(attrs={"data-testid": "reassign-note"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = assignable_users(user)


WHOSE_LABELS = {
    selectors.MINE: _("Mine"),
    selectors.DELEGATED: _("Delegated by me"),
    selectors.SUBTREE_TASKS: _("My departments"),
    selectors.EVERYTHING: _("Everything"),
}


class TaskFilterForm(FilterForm):
    whose = forms.ChoiceField(
        label=_("Whose"), required=False, widget=forms.Select(attrs={"id": "task-whose"})
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), ("open_any", _("Not finished")), *TaskStatus.choices],
        widget=forms.Select(attrs={"id": "task-status"}),
    )
    priority = forms.ChoiceField(
        label=_("Priority"),
        required=False,
        choices=[("", _("Any priority")), *Priority.choices],
        widget=forms.Select(attrs={"id": "task-priority"}),
    )
    owner = UserChoiceField(
        label=_("Owner"),
        required=False,
        queryset=User.objects.none(),
        empty_label=_("Anyone"),
        widget=forms.Select(attrs={"id": "task-owner-filter"}),
    )
    overdue = forms.BooleanField(
        label=_("Late only"),
        required=False,
        widget=forms.CheckboxInput(attrs={"id": "task-overdue"}),
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        views = selectors.task_views_for(self.user)
        self.fields["whose"].choices = [("", _("All I may see"))] + [
            (view, WHOSE_LABELS[view]) for view in views if view != selectors.EVERYTHING
        ]
        # the owners of the tasks the reader may see, and nobody else
        owners = selectors.tasks_visible(user=self.user, action=Action.VIEW).values("owner_id")
        self.fields["owner"].queryset = (
            User.objects.filter(pk__in=owners)
            .select_related("employee", "employee__department")
            .order_by("employee__full_name", "username")
        )

    def selector_filters(self) -> dict[str, Any]:
        data = self.cleaned_data
        filters: dict[str, Any] = {}
        if data.get("whose"):
            filters["whose"] = data["whose"]
        if data.get("status") == "open_any":
            filters["open_only"] = True
        elif data.get("status"):
            filters["status"] = data["status"]
        if data.get("priority"):
            filters["priority"] = data["priority"]
        if data.get("owner"):
            filters["owner_id"] = data["owner"].pk
        if data.get("overdue"):
            filters["overdue"] = True
        return filters
