"""Forms of the customers pages: the lists' filters, the tiering policy, the runs' options."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gmassist.core.forms import FilterForm
from gmassist.customers import selectors
from gmassist.customers.choices import CustomerStatus, ServiceChannel, Tier

NOT_TIERED = "-"


class CustomerFilterForm(FilterForm):
    search = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "id": "customers-search",
                "type": "search",
                "placeholder": _("Code or name"),
                "autocomplete": "off",
            }
        ),
    )
    tier = forms.ChoiceField(
        label=_("Tier"),
        required=False,
        choices=[("", _("Any tier")), *Tier.choices, (NOT_TIERED, _("Not tiered"))],
        widget=forms.Select(attrs={"id": "customers-tier"}),
    )
    industry = forms.ModelChoiceField(
        label=_("Industry"),
        required=False,
        queryset=None,
        empty_label=_("All industries"),
        widget=forms.Select(attrs={"id": "customers-industry"}),
    )
    region = forms.ChoiceField(
        label=_("Region"),
        required=False,
        choices=[],
        widget=forms.Select(attrs={"id": "customers-region"}),
    )
    manager = forms.ModelChoiceField(
        label=_("Account manager"),
        required=False,
        queryset=None,
        empty_label=_("Any manager"),
        widget=forms.Select(attrs={"id": "customers-manager"}),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *CustomerStatus.choices],
        widget=forms.Select(attrs={"id": "customers-status"}),
    )
    channel = forms.ChoiceField(
        label=_("Service channel"),
        required=False,
        choices=[("", _("Any channel")), *ServiceChannel.choices],
        widget=forms.Select(attrs={"id": "customers-channel"}),
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["industry"].queryset = selectors.industries_visible(user=self.user)
        self.fields["manager"].queryset = selectors.account_managers_visible(user=self.user)
        self.fields["manager"].label_from_instance = lambda m: m.employee.full_name
        self.fields["region"].choices = [
            ("", _("All regions")),
            *((region, region) for region in selectors.customer_regions(user=self.user)),
        ]

    def selector_filters(self) -> dict[str, Any]:
        """The cleaned filters as `selectors.customer_list` takes them."""
        data = self.cleaned_data
        return {
            "search": data.get("search") or "",
            "tier": data.get("tier") or None,
            "industry_id": data["industry"].pk if data.get("industry") else None,
            "region": data.get("region") or None,
            "manager_id": data["manager"].pk if data.get("manager") else None,
            "status": data.get("status") or None,
            "channel": data.get("channel") or None,
        }


class ManagerFilterForm(FilterForm):
    search = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "id": "managers-search",
                "type": "search",
                "placeholder": _("Name or employee number"),
                "autocomplete": "off",
            }
        ),
    )
    region = forms.ChoiceField(
        label=_("Region"),
        required=False,
        choices=[],
        widget=forms.Select(attrs={"id": "managers-region"}),
    )
    over_capacity = forms.BooleanField(
        label=_("Over capacity only"),
        required=False,
        widget=forms.CheckboxInput(attrs={"id": "managers-over-capacity"}),
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        regions = sorted(
            set(
                selectors.account_managers_visible(user=self.user)
                .exclude(region="")
                .values_list("region", flat=True)
            )
        )
        self.fields["region"].choices = [("", _("All regions")), *((r, r) for r in regions)]

    def selector_filters(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "search": data.get("search") or "",
            "region": data.get("region") or None,
            "over_capacity": bool(data.get("over_capacity")),
        }
