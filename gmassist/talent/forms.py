"""Forms of the talent pages: the filters of the pay review and of the key people."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gmassist.core.forms import FilterForm
from gmassist.org import selectors as org_selectors
from gmassist.talent.engine import pay_review as engine

# The pay review's flags as people read them.
FLAG_LABELS = {
    engine.BELOW_BAND: _("Below band"),
    engine.ABOVE_BAND: _("Above band"),
    engine.HIGH_RATED_PAID_LOW: _("Rated high, paid low"),
    engine.LOW_RATED_PAID_HIGH: _("Rated low, paid high"),
}


def _offer_visible_departments(form: FilterForm) -> None:
    """Limit the form's `department` field to the departments its user may see (the upper
    levels of the tree and the selected one)."""
    department = form.fields["department"]
    department.queryset = org_selectors.departments_visible(user=form.user)
    selected = form.data.get("department") if form.is_bound else None
    department.choices = [
        ("", department.empty_label),
        *org_selectors.department_filter_choices(
            user=form.user, selected_id=int(selected) if str(selected).isdigit() else None
        ),
    ]


class PayReviewFilterForm(FilterForm):
    department = forms.ModelChoiceField(
        label=_("Department"),
        required=False,
        queryset=None,
        empty_label=_("All departments"),
        widget=forms.Select(attrs={"id": "pay-department"}),
    )
    position = forms.ModelChoiceField(
        label=_("Position"),
        required=False,
        queryset=None,
        empty_label=_("All positions"),
        widget=forms.Select(attrs={"id": "pay-position"}),
    )
    flag = forms.ChoiceField(
        label=_("Flag"),
        required=False,
        choices=[("", _("Anyone")), *FLAG_LABELS.items()],
        widget=forms.Select(attrs={"id": "pay-flag"}),
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _offer_visible_departments(self)
        self.fields["position"].queryset = org_selectors.positions_visible(user=self.user)

    def selector_filters(self) -> dict[str, Any]:
        """The cleaned filters as `selectors.pay_review` and `pay_review_rows` take them."""
        data = self.cleaned_data
        return {
            "department_id": data["department"].pk if data.get("department") else None,
            "position_id": data["position"].pk if data.get("position") else None,
            "flag": data.get("flag") or None,
        }


class KeyPeopleFilterForm(FilterForm):
    department = forms.ModelChoiceField(
        label=_("Department"),
        required=False,
        queryset=None,
        empty_label=_("All departments"),
        widget=forms.Select(attrs={"id": "key-department"}),
    )
    irreplaceable = forms.BooleanField(
        label=_("Irreplaceable only"),
        required=False,
        widget=forms.CheckboxInput(attrs={"id": "key-irreplaceable"}),
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _offer_visible_departments(self)

    def selector_filters(self) -> dict[str, Any]:
        """The cleaned filters as `selectors.key_people` and `key_people_rows` take them."""
        data = self.cleaned_data
        return {
            "department_id": data["department"].pk if data.get("department") else None,
            "irreplaceable_only": bool(data.get("irreplaceable")),
        }
