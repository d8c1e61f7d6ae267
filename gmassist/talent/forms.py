"""Forms of the talent pages: the filters of the pay review and of the key people."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gmassist.core.forms import FilterForm
from gmassist.org import selectors as org_selectors
from gmassist.org.forms import (
    department_filter_field,
    offer_visible_departments,
    position_filter_field,
)
from gmassist.talent import presenters, selectors
from gmassist.talent.engine import leaving
from gmassist.talent.engine import pay_review as engine

# The pay review's flags as people read them.
FLAG_LABELS = {
    engine.BELOW_BAND: _("Below band"),
    engine.ABOVE_BAND: _("Above band"),
    engine.HIGH_RATED_PAID_LOW: _("Rated high, paid low"),
    engine.LOW_RATED_PAID_HIGH: _("Rated low, paid high"),
}


class PayReviewFilterForm(FilterForm):
    department = department_filter_field("pay-department")
    position = position_filter_field("pay-position")
    flag = forms.ChoiceField(
        label=_("Flag"),
        required=False,
        choices=[("", _("Anyone")), *FLAG_LABELS.items()],
        widget=forms.Select(attrs={"id": "pay-flag"}),
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        offer_visible_departments(self)
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
    department = department_filter_field("key-department")
    irreplaceable = forms.BooleanField(
        label=_("Irreplaceable only"),
        required=False,
        widget=forms.CheckboxInput(attrs={"id": "key-irreplaceable"}),
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        offer_visible_departments(self)

    def selector_filters(self) -> dict[str, Any]:
        """The cleaned filters as `selectors.key_people` and `key_people_rows` take them."""
        data = self.cleaned_data
        return {
            "department_id": data["department"].pk if data.get("department") else None,
            "irreplaceable_only": bool(data.get("irreplaceable")),
        }


class LeavingRiskFilterForm(FilterForm):
    department = department_filter_field("risk-department")
    band = forms.ChoiceField(
        label=_("Leaving risk"),
        required=False,
        choices=[
            ("", _("Any risk")),
            ("high", _("High")),
            ("medium", _("Medium")),
            ("low", _("Low")),
        ],
        widget=forms.Select(attrs={"id": "risk-band"}),
    )

    def __init__(self, *args: Any, bands: leaving.RiskBands | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        offer_visible_departments(self)
        # the bands of the latest run (`selectors.risk_bands`), with their limits
        if bands is None:
            bands = selectors.risk_bands(selectors.latest_risk_run())
        self.fields["band"].choices = [("", _("Any risk"))] + [
            (name, presenters.band_label(name, bands)) for name in ("high", "medium", "low")
        ]

    def selector_filters(self) -> dict[str, Any]:
        """The cleaned filters as `selectors.risk_worklist` takes them."""
        data = self.cleaned_data
        return {
            "department_id": data["department"].pk if data.get("department") else None,
            "band": data.get("band") or None,
        }


class IncentivePlanForm(forms.Form):
    """The incentive plan's inputs: a yearly budget, how many of the highest risks to consider,
    and the instrument menu as TOML (errors name the key)."""

    budget = forms.DecimalField(
        label=_("Yearly budget"),
        min_value=0,
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"id": "plan-budget", "step": "1000"}),
    )
    top = forms.IntegerField(
        label=_("Consider the highest risks only (how many people)"),
        required=False,
        min_value=1,
        max_value=100_000,
        help_text=_("Empty: everyone scored."),
        widget=forms.NumberInput(attrs={"id": "plan-top"}),
    )
    menu_toml = forms.CharField(
        label=_("Instrument menu (TOML)"),
        required=False,
        widget=forms.Textarea(attrs={"id": "plan-menu", "rows": 12, "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        from gmassist.talent.engine.incentive_plan import DEFAULT_MENU, menu_to_toml

        self.fields["menu_toml"].initial = menu_to_toml(DEFAULT_MENU)

    def clean_menu_toml(self) -> str:
        from gmassist.talent.engine.incentive_plan import MenuError, menu_from_toml

        text = self.cleaned_data.get("menu_toml") or ""
        if text.strip():
            try:
                menu_from_toml(text)
            except MenuError as exc:
                raise forms.ValidationError(str(exc)) from exc
        return text

    def job_params(self) -> dict[str, Any]:
        """The `talent.plan` job's parameters."""
        data = self.cleaned_data
        return {
            "budget": float(data["budget"]),
            "top": data.get("top") or None,
            "menu_toml": data.get("menu_toml") or "",
        }
