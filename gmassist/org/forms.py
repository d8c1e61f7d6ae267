"""Forms of the organisation pages: the directory's filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gmassist.core.forms import FilterForm
from gmassist.org import selectors
from gmassist.org.choices import EmployeeStatus


def department_filter_field(widget_id: str) -> forms.ModelChoiceField:
    """A department filter (it includes everything below the department); every list page
    that filters by department uses this one, with `offer_visible_departments` in __init__."""
    return forms.ModelChoiceField(
        label=_("Department"),
        required=False,
        queryset=None,
        empty_label=_("All departments"),
        widget=forms.Select(attrs={"id": widget_id}),
    )


def position_filter_field(widget_id: str) -> forms.ModelChoiceField:
    """A position filter; `__init__` sets its queryset to `positions_visible(user=...)`."""
    return forms.ModelChoiceField(
        label=_("Position"),
        required=False,
        queryset=None,
        empty_label=_("All positions"),
        widget=forms.Select(attrs={"id": widget_id}),
    )


def offer_visible_departments(form: FilterForm) -> None:
    """Limit the form's `department` field to the departments its user may see, offering the
    upper levels of the tree and the selected one (see `department_filter_choices`)."""
    department = form.fields["department"]
    department.queryset = selectors.departments_visible(user=form.user)
    selected = form.data.get("department") if form.is_bound else None
    department.choices = [
        ("", department.empty_label),
        *selectors.department_filter_choices(
            user=form.user, selected_id=int(selected) if str(selected).isdigit() else None
        ),
    ]


class DirectoryFilterForm(FilterForm):
    search = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "id": "directory-search",
                "type": "search",
                "placeholder": _("Name, number or e-mail"),
                "autocomplete": "off",
            }
        ),
    )
    department = department_filter_field("directory-department")
    position = position_filter_field("directory-position")
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *EmployeeStatus.choices],
        widget=forms.Select(attrs={"id": "directory-status"}),
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        offer_visible_departments(self)
        self.fields["position"].queryset = selectors.positions_visible(user=self.user)

    def selector_filters(self) -> dict[str, Any]:
        """The cleaned filters as `employee_directory` takes them."""
        data = self.cleaned_data
        return {
            "search": data.get("search") or "",
            "department_id": data["department"].pk if data.get("department") else None,
            "position_id": data["position"].pk if data.get("position") else None,
            "status": data.get("status") or None,
        }
