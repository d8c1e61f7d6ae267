"""Forms of the recruiting pages: the requisition filters, opening a requisition, sharing it
with agencies, adding a candidate, moving a candidate, closing a requisition, an agency."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gmassist.core.forms import FilterForm
from gmassist.org.forms import department_filter_field, offer_visible_departments
from gmassist.org.models import Department, Employee, Position
from gmassist.voice.common import MAX_BODY
from gmassist.voice.recruiting.choices import (
    AgencyKind,
    AgencyStatus,
    CandidateSource,
    CandidateStage,
    RequisitionReason,
    RequisitionStatus,
    Urgency,
)
from gmassist.voice.recruiting.models import RecruitingAgency


class RequisitionFilterForm(FilterForm):
    department = department_filter_field("requisition-department")
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        required=False,
        choices=[("", _("Any urgency")), *Urgency.choices],
        widget=forms.Select(attrs={"id": "requisition-urgency"}),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *RequisitionStatus.choices],
        widget=forms.Select(attrs={"id": "requisition-status"}),
    )
    overdue = forms.BooleanField(
        label=_("Overdue only"),
        required=False,
        widget=forms.CheckboxInput(attrs={"id": "requisition-overdue"}),
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        offer_visible_departments(self)

    def selector_filters(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "department_id": data["department"].pk if data.get("department") else None,
            "urgency": data.get("urgency") or None,
            "status": data.get("status") or None,
            "overdue": bool(data.get("overdue")),
        }


class DateInput(forms.DateInput):
    input_type = "date"


class RequisitionForm(forms.Form):
    """A new requisition."""

    position = forms.ModelChoiceField(
        label=_("Position"), queryset=Position.objects.order_by("title", "code")
    )
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none())
    headcount = forms.IntegerField(label=_("Count"), min_value=1, max_value=10_000, initial=1)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)
    target_date = forms.DateField(label=_("Target date"), widget=DateInput())
    reason = forms.ChoiceField(label=_("Reason"), choices=RequisitionReason.choices)
    reason_note = forms.CharField(
        label=_("Reason in words"),
        required=False,
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        from gmassist.org.selectors import departments_visible

        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments_visible(user=user).order_by("name")


class ShareForm(forms.Form):
    """Share a requisition with agencies (the suggested ones are ticked)."""

    agencies = forms.ModelMultipleChoiceField(
        label=_("Agencies"),
        queryset=RecruitingAgency.objects.none(),
        widget=forms.CheckboxSelectMultiple(attrs={"data-testid": "share-agency"}),
    )
    message = forms.CharField(
        label=_("Message to the agencies"),
        required=False,
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 3, "data-testid": "share-message"}),
    )

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["agencies"].queryset = agencies


class CandidateForm(forms.Form):
    full_name = forms.CharField(label=_("Name"), max_length=200)
    source = forms.ChoiceField(label=_("Source"), choices=CandidateSource.choices)
    agency = forms.ModelChoiceField(
        label=_("Agency"), required=False, queryset=RecruitingAgency.objects.none()
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    applied_on = forms.DateField(label=_("Applied"), required=False, widget=DateInput())

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies


class StageForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), choices=CandidateStage.choices)
    on = forms.DateField(label=_("On"), required=False, widget=DateInput())
    hired_employee = forms.ModelChoiceField(
        label=_("Hired as employee"),
        required=False,
        queryset=Employee.objects.none(),
        widget=forms.NumberInput(attrs={"placeholder": _("employee id")}),
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["hired_employee"].queryset = Employee.objects.restrict(user)


class CloseForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Close as"),
        choices=[
            (RequisitionStatus.FILLED, RequisitionStatus.FILLED.label),
            (RequisitionStatus.CANCELLED, RequisitionStatus.CANCELLED.label),
        ],
    )


class AgencyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=AgencyKind.choices)
    contact_person = forms.CharField(label=_("Contact person"), required=False, max_length=200)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    specialities = forms.CharField(
        label=_("Specialities"),
        required=False,
        help_text=_("Job families and skills, separated by commas."),
    )
    regions = forms.CharField(label=_("Regions"), required=False)
    fee_percent = forms.DecimalField(
        # a percent sign, not a placeholder: xgettext:no-python-format
        label=_("Fee (% of annual pay)"),
        min_value=0,
        max_value=100,
        decimal_places=2,
    )
    guarantee_days = forms.IntegerField(
        label=_("Guarantee period (days)"), min_value=0, max_value=730
    )
    status = forms.ChoiceField(label=_("Status"), choices=AgencyStatus.choices)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
