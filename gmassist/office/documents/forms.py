"""Forms of the documents pages: the list's filters, a new document with its route, a decision,
a new version."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from gmassist.core.choices import Action, Role
from gmassist.core.forms import FilterForm
from gmassist.core.models import User
from gmassist.office.documents.choices import Decision, DocumentKind, DocumentStatus, Routing
from gmassist.office.documents.services import MAX_APPROVERS

SHOW_CHOICES = [
    ("awaiting", _("Awaiting me")),
    ("mine", _("Written by me")),
    ("in_flight", _("In flight")),
    ("all", _("All I may see")),
]
# how many approver fields the form offers (the API takes up to MAX_APPROVERS)
APPROVER_FIELDS = 6
# the people offered as approvers (typing any active user's login works too): the roles that
# usually decide, so that the suggestions stay short at 100,000 employees
SUGGESTED_ROLES = (Role.GM, Role.ASSISTANT, Role.HR, Role.DEPT_HEAD)
SUGGESTIONS_MAX = 500


class DocumentFilterForm(FilterForm):
    show = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=SHOW_CHOICES,
        widget=forms.Select(attrs={"id": "documents-show"}),
    )
    search = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"id": "documents-search", "type": "search", "placeholder": _("Title")}
        ),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("Any kind")), *DocumentKind.choices],
        widget=forms.Select(attrs={"id": "documents-kind"}),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *DocumentStatus.choices],
        widget=forms.Select(attrs={"id": "documents-status"}),
    )

    def selector_filters(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "show": data.get("show") or "",
            "search": data.get("search") or "",
            "kind": data.get("kind") or "",
            "status": data.get("status") or "",
        }


class ArchiveFilterForm(FilterForm):
    search = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"id": "archive-search", "type": "search", "placeholder": _("Title")}
        ),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("Any kind")), *DocumentKind.choices],
        widget=forms.Select(attrs={"id": "archive-kind"}),
    )

    def selector_filters(self) -> dict[str, Any]:
        return {
            "show": "archive",
            "search": self.cleaned_data.get("search") or "",
            "kind": self.cleaned_data.get("kind") or "",
            "status": "",
        }


def approver_suggestions(*, exclude: Any = None) -> list[User]:
    """Active users in the roles that usually approve, by name, for the form's suggestions."""
    users = (
        User.objects.filter(is_active=True, role__in=SUGGESTED_ROLES)
        .select_related("employee")
        .defer("employee__base_pay", "employee__custom")
        .order_by("role", "employee__full_name", "username")
    )
    if exclude is not None:
        users = users.exclude(pk=exclude.pk)
    return list(users[:SUGGESTIONS_MAX])


def user_by_login(value: str) -> User | None:
    """The active user with the login `value` (any case), or None."""
    value = (value or "").strip()
    if not value:
        return None
    return User.objects.filter(username__iexact=value, is_active=True).first()


class UserLoginField(forms.CharField):
    """A login, typed or picked from the suggestions, cleaned to the active user."""

    def __init__(self, *args: Any, datalist: str = "approver-options", **kwargs: Any):
        kwargs.setdefault("max_length", 150)
        super().__init__(*args, **kwargs)
        self.widget.attrs.update({"list": datalist, "autocomplete": "off"})

    def clean(self, value: Any) -> User | None:  # type: ignore[override]
        value = super().clean(value)
        if not value:
            return None
        user = user_by_login(value)
        if user is None:
            raise forms.ValidationError(
                gettext("No active user logs in as “%(login)s”.") % {"login": value}
            )
        return user


class DocumentForm(forms.Form):
    """A new document: what it is, its content (a file or text) and its route."""

    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=DocumentKind.choices)
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One or two sentences for the approvers: what it is and why now."),
    )
    file = forms.FileField(
        label=_("File (PDF or DOCX)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx"}),
    )
    text = forms.CharField(
        label=_("Or write it here"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    routing = forms.ChoiceField(
        label=pgettext_lazy("approval", "Route"),
        choices=Routing.choices,
        initial=Routing.SEQUENCE,
        widget=forms.RadioSelect,
        help_text=_(
            "In sequence: each approver after the previous one approved. In parallel: all at once."
        ),
    )
    min_approvals = forms.IntegerField(
        label=_("Approvals needed (in parallel)"),
        required=False,
        min_value=1,
        max_value=MAX_APPROVERS,
        help_text=_("Empty: every approver must approve."),
    )
    department = forms.ModelChoiceField(
        label=_("Department concerned"), required=False, queryset=None, empty_label=_("None")
    )
    about = forms.CharField(
        label=_("About a person (employee number)"),
        required=False,
        max_length=40,
        help_text=_("A contract or an appraisal of one person: they will not decide it."),
    )
    submit = forms.BooleanField(
        label=_("Send for approval now"),
        required=False,
        initial=True,
        help_text=_("Leave unticked to keep it as a draft."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        from gmassist.org.models import Department

        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["department"].queryset = Department.objects.order_by("name")
        for number in range(1, APPROVER_FIELDS + 1):
            self.fields[f"approver_{number}"] = UserLoginField(
                label=gettext("Approver %(n)d") % {"n": number}, required=number == 1
            )

    @property
    def approver_fields(self) -> list[Any]:
        return [self[f"approver_{n}"] for n in range(1, APPROVER_FIELDS + 1)]

    @property
    def other_fields(self) -> list[Any]:
        return [field for field in self if not field.name.startswith("approver_")]

    def clean_about(self) -> Any:
        from gmassist.org.models import Employee

        number = (self.cleaned_data.get("about") or "").strip()
        if not number:
            return None
        employee = (
            Employee.objects.restrict(self.user, Action.VIEW).filter(employee_no=number).first()
        )
        if employee is None:
            raise forms.ValidationError(
                gettext("No employee you may see has the number “%(no)s”.") % {"no": number}
            )
        return employee

    def approvers(self) -> list[User]:
        """The approvers in their order, empty fields left out."""
        return [
            self.cleaned_data[f"approver_{n}"]
            for n in range(1, APPROVER_FIELDS + 1)
            if self.cleaned_data.get(f"approver_{n}") is not None
        ]


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=Decision.choices)
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you ask for changes or reject."),
    )


class VersionForm(forms.Form):
    file = forms.FileField(
        label=_("File (PDF or DOCX)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx"}),
    )
    text = forms.CharField(
        label=_("Or write it here"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    note = forms.CharField(
        label=_("What changed"),
        required=False,
        max_length=500,
        help_text=_("The approvers read it first."),
    )
