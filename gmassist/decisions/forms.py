"""Forms of the decisions pages: the register's filters, drafting and amending, withdrawing,
responding and answering."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gmassist.core.choices import Role
from gmassist.core.forms import FilterForm
from gmassist.decisions.choices import DecisionStatus, ResponseKind, ResponseTheme
from gmassist.decisions.services import Audience
from gmassist.org import selectors as org_selectors
from gmassist.org.forms import department_filter_field, offer_visible_departments


class RegisterFilterForm(FilterForm):
    search = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"id": "decisions-search", "type": "search", "placeholder": _("Title or summary")}
        ),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *DecisionStatus.choices],
        widget=forms.Select(attrs={"id": "decisions-status"}),
    )
    department = department_filter_field("decisions-department")
    pending = forms.BooleanField(
        label=_("Only those I have to acknowledge"),
        required=False,
        widget=forms.CheckboxInput(attrs={"id": "decisions-pending"}),
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        offer_visible_departments(self)
        self.fields["department"].label = _("Decided for")
        self.fields["department"].empty_label = _("Any")

    def selector_filters(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "search": data.get("search") or "",
            "status": data.get("status") or None,
            "department_id": data["department"].pk if data.get("department") else None,
            "pending_only": bool(data.get("pending")),
        }


class DecisionForm(forms.Form):
    """Drafting (and, with `amending`, amending) a decision with its audience."""

    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What changes, for whom, in one or two sentences."),
    )
    rationale = forms.CharField(
        label=_("Rationale"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Why, in plain words: the reasons the staff should understand."),
    )
    effective_date = forms.DateField(
        label=_("Effective date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    department = forms.ModelChoiceField(
        label=_("Decided for"),
        queryset=None,
        required=False,
        empty_label=_("The whole company"),
        help_text=_("A department's decision addresses only people inside it."),
    )
    audience_departments = forms.ModelMultipleChoiceField(
        label=_("Departments addressed"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Each with every department below it."),
    )
    audience_roles = forms.MultipleChoiceField(
        label=_("Roles addressed"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    audience_people = forms.CharField(
        label=_("People addressed"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Employee numbers, separated by commas or spaces."),
    )
    change_note = forms.CharField(
        label=_("What changed and why"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    substantive = forms.BooleanField(
        label=_("The substance changes: addressees acknowledge again"),
        required=False,
        initial=True,
    )

    def __init__(self, *args: Any, user: Any, amending: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.user = user
        departments = org_selectors.departments_visible(user=user).order_by("name")
        self.fields["department"].queryset = departments
        self.fields["audience_departments"].queryset = departments
        if amending:
            del self.fields["department"]
            self.fields["change_note"].required = True
        else:
            del self.fields["change_note"]
            del self.fields["substantive"]

    def clean_audience_people(self) -> list[Any]:
        numbers = [n for n in self.cleaned_data["audience_people"].replace(",", " ").split() if n]
        if not numbers:
            return []
        found = {
            e.employee_no: e
            for e in org_selectors.employees_visible(user=self.user).filter(employee_no__in=numbers)
        }
        unknown = [n for n in numbers if n not in found]
        if unknown:
            raise forms.ValidationError(
                gettext("No employee numbered %(numbers)s.") % {"numbers": ", ".join(unknown)}
            )
        return [found[n] for n in dict.fromkeys(numbers)]

    def audience(self) -> Audience:
        data = self.cleaned_data
        return Audience(
            departments=tuple(data.get("audience_departments") or ()),
            roles=tuple(data.get("audience_roles") or ()),
            people=tuple(data.get("audience_people") or ()),
        )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it withdrawn?"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class RespondForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("I want to"),
        choices=[
            (ResponseKind.QUESTION, _("Ask a question")),
            (ResponseKind.OBJECTION, _("Object")),
            (ResponseKind.SUPPORT, _("Support it")),
        ],
        widget=forms.RadioSelect,
        initial=ResponseKind.QUESTION,
    )
    theme = forms.ChoiceField(
        label=_("About"), choices=ResponseTheme.choices, initial=ResponseTheme.OTHER
    )
    text = forms.CharField(
        label=_("Your words"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    anonymous = forms.BooleanField(
        label=_("Send it anonymously"),
        required=False,
        help_text=_("Nothing is kept that links it to you: no name, no department, only the day."),
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
