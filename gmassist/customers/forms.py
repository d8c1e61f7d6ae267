"""Forms of the customers pages: the lists' filters, the tiering policy, the runs' options,
and the records typed on screen (a customer's details, its service contacts)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gmassist.core.forms import FilterForm
from gmassist.customers import selectors
from gmassist.customers.choices import ContactKind, CustomerStatus, ServiceChannel, Tier
from gmassist.customers.importers.contacts import SUMMARY_MAX_LENGTH
from gmassist.customers.importers.customers import PRODUCT_SEPARATOR
from gmassist.org.forms import COMMENT_FIELD_LABEL, _choice, _date, _text

NOT_TIERED = "-"
# the bands of selectors.CHURN_BANDS, as the filter and the grouping name them
CHURN_BAND_LABELS = {
    "high": _("High (30% and up)"),
    "medium": _("Medium (10% to 30%)"),
    "low": _("Low (under 10%)"),
}


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

    churn = forms.ChoiceField(
        label=_("Churn risk"),
        required=False,
        choices=[("", _("Any churn risk")), *CHURN_BAND_LABELS.items()],
        widget=forms.Select(attrs={"id": "customers-churn"}),
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
            "churn": data.get("churn") or None,
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


# --- the tiering policy ----------------------------------------------------------------------

# each form field is the engine's TieringPolicy field of the same name; its TOML key, which the
# engine's errors name, is this
POLICY_TOML_KEYS = {
    "a_revenue_share": "contribution.a_revenue_share",
    "b_revenue_share": "contribution.b_revenue_share",
    "contribution_weight": "contribution.weight",
    "scale_weight": "scale.weight",
    "scale_large": "scale.large",
    "scale_medium": "scale.medium",
    "strategic_weight": "strategic.weight",
    "strategic_industries": "strategic.industries",
    "growth_weight": "growth.weight",
    "growth_full_points_at": "growth.full_points_at",
    "a_min_score": "tiers.a_min_score",
    "b_min_score": "tiers.b_min_score",
}
FIELD_OF_TOML_KEY = {key: name for name, key in POLICY_TOML_KEYS.items()}


def _number(label: Any, help_text: Any = "") -> forms.FloatField:
    return forms.FloatField(
        label=label,
        help_text=help_text,
        min_value=0,
        widget=forms.NumberInput(attrs={"step": "any"}),
    )


class TieringPolicyForm(forms.Form):
    """The tiering policy field by field; the engine checks how the values fit together."""

    a_revenue_share = _number(
        _("A: share of revenue"),
        # a percent sign, not a placeholder: xgettext:no-python-format
        _("0.80: the customers making the top 80% of revenue."),
    )
    b_revenue_share = _number(_("B: next share of revenue"), _("0.15: the next 15%."))
    contribution_weight = _number(_("Weight of contribution"))
    scale_weight = _number(_("Weight of scale"))
    scale_large = _number(_("Large from"), _("Employees or lines: full points."))
    scale_medium = _number(_("Medium from"), _("Employees or lines: half points."))
    strategic_weight = _number(_("Weight of a strategic industry"))
    strategic_industries = forms.CharField(
        label=_("Strategic industries"),
        required=False,
        max_length=2000,
        help_text=_("Names separated by commas; industries flagged strategic count too."),
    )
    growth_weight = _number(_("Weight of growth"))
    growth_full_points_at = _number(
        _("Growth for full points"),
        # a percent sign, not a placeholder: xgettext:no-python-format
        _("0.30: 30% growth over the year before."),
    )
    a_min_score = _number(_("Tier A from score"))
    b_min_score = _number(_("Tier B from score"))

    @classmethod
    def initial_from(cls, policy: Any) -> dict[str, Any]:
        initial = {name: getattr(policy, name) for name in POLICY_TOML_KEYS}
        initial["strategic_industries"] = ", ".join(policy.strategic_industries)
        return initial

    def policy_values(self) -> dict[str, Any]:
        """The cleaned values as the engine's TieringPolicy takes them."""
        values = dict(self.cleaned_data)
        names = values.get("strategic_industries") or ""
        values["strategic_industries"] = tuple(
            name.strip() for name in names.split(",") if name.strip()
        )
        return values


class TieringPolicyTomlForm(forms.Form):
    toml = forms.CharField(
        label=_("Policy as TOML"),
        strip=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 22, "id": "policy-toml", "spellcheck": "false"}),
    )


class ChannelRulesTomlForm(forms.Form):
    toml = forms.CharField(
        label=_("Rules as TOML"),
        strip=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 22, "id": "rules-toml", "spellcheck": "false"}),
    )


# --- runs ------------------------------------------------------------------------------------


# the region rules of a matching run, in words (the form's choices; the proposal's page)
REGION_RULES = {
    "hard": _("Hard: only managers of the customer's region"),
    "penalty": _("Penalty: anyone, at a cost per customer out of region"),
}


class MatchRunForm(forms.Form):
    """The options of a matching run (see `services.MatchOptions`)."""

    region_rule = forms.ChoiceField(
        label=_("Region rule"),
        choices=list(REGION_RULES.items()),
        initial="hard",
        widget=forms.Select(attrs={"id": "match-region-rule"}),
    )
    region_penalty = forms.FloatField(
        label=_("Region penalty"),
        min_value=0,
        initial=2.0,
        help_text=_("Value units per customer served out of region."),
        widget=forms.NumberInput(attrs={"step": "any", "id": "match-region-penalty"}),
    )
    change_penalty = forms.FloatField(
        label=_("Change penalty"),
        min_value=0,
        initial=1.0,
        help_text=_("Value units per changed relationship."),
        widget=forms.NumberInput(attrs={"step": "any", "id": "match-change-penalty"}),
    )
    max_changes = forms.IntegerField(
        label=_("Most changes"),
        min_value=0,
        required=False,
        help_text=_("Empty: no cap."),
        widget=forms.NumberInput(attrs={"id": "match-max-changes"}),
    )
    time_limit_s = forms.FloatField(
        label=_("Time limit (seconds)"),
        min_value=1,
        max_value=600,
        initial=30,
        widget=forms.NumberInput(attrs={"step": "any", "id": "match-time-limit"}),
    )

    def job_params(self) -> dict[str, Any]:
        """The cleaned options as the customers.match job takes them."""
        return {name: self.cleaned_data[name] for name in self.fields}


# --- records on screen -----------------------------------------------------------------------
# Text as a person types it, as in the people's record forms: the customers and
# service_contacts imports check every value (one validation for a file, a form and the API)
# and their errors come back next to the fields.


def _satisfaction_field() -> forms.CharField:
    field = _choice(_("Satisfaction"), [(str(n), str(n)) for n in range(1, 6)], _("not asked"))
    field.help_text = _("1 (very dissatisfied) to 5 (very satisfied).")
    return field


def _summary_field() -> forms.CharField:
    return forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=SUMMARY_MAX_LENGTH,
        help_text=_("What it was about and what was agreed."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _comment_field() -> forms.CharField:
    return forms.CharField(
        label=COMMENT_FIELD_LABEL,
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ServiceContactForm(forms.Form):
    """Log a contact with a customer: when, through which channel, what kind, how satisfied
    the customer was, whether it was resolved, and a summary."""

    date = _date(_("Date"))
    kind = _choice(_("Kind"), ContactKind.choices)
    channel = _choice(_("Channel"), ServiceChannel.choices)
    satisfaction = _satisfaction_field()
    resolved = forms.BooleanField(label=_("Resolved"), required=False)
    summary = _summary_field()

    def __init__(self, *args: Any, customer: Any, **kwargs: Any):
        kwargs.setdefault(
            "initial",
            {
                "date": timezone.localdate().isoformat(),
                "kind": ContactKind.VISIT,
                "channel": customer.service_channel,
            },
        )
        super().__init__(*args, **kwargs)
        for name in ("date", "kind", "channel"):
            self.fields[name].marked_required = True  # type: ignore[attr-defined]

    def record(self) -> dict[str, Any]:
        """The typed values as `services.service_contact_create` takes them."""
        return dict(self.cleaned_data)


class ServiceContactChangeForm(forms.Form):
    """Change a logged contact: the customer's satisfaction, resolved or not, the summary."""

    satisfaction = _satisfaction_field()
    resolved = forms.BooleanField(label=_("Resolved"), required=False)
    summary = _summary_field()
    comment = _comment_field()

    @staticmethod
    def initial_of(contact: Any) -> dict[str, Any]:
        return {
            "satisfaction": "" if contact.satisfaction is None else str(contact.satisfaction),
            "resolved": contact.resolved,
            "summary": contact.summary,
        }


class CustomerRecordForm(forms.Form):
    """Correct a customer's details and who to call there. The code, the tier, the account
    manager and the service channel are not here: the code is the customer's key, the others
    change through their proposals."""

    name = _text(_("Name"), max_length=200)
    # a menu of the industries' codes; a code sent around the menu is an error in the service
    industry = forms.CharField(label=_("Industry"), required=False, widget=forms.Select())
    scale = _text(_("Scale"), max_length=20, inputmode="numeric")
    region = _text(_("Region"), max_length=100)
    contract_start = _date(_("Contract start"))
    contract_end = _date(_("Contract end"))
    products = _text(_("Products held"), max_length=2000)
    status = _choice(_("Status"), CustomerStatus.choices)
    contact_name = _text(_("Contact person"), max_length=200, autocomplete="off")
    contact_phone = _text(_("Phone"), max_length=50, type="tel", autocomplete="off")
    contact_email = forms.CharField(
        label=_("E-mail"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    address = _text(_("Address"), max_length=300)
    comment = _comment_field()

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["industry"].widget.choices = [
            ("", "—"),
            *(
                (i.code, f"{i.name} ({i.code})")
                for i in selectors.industries_visible(user=user)
                .order_by("name")
                .only("code", "name")
            ),
        ]
        self.fields["name"].marked_required = True  # type: ignore[attr-defined]
        self.fields["scale"].help_text = _("Number of employees or lines.")
        self.fields["products"].help_text = _("Product codes separated by “;”.")

    @staticmethod
    def initial_of(customer: Any) -> dict[str, Any]:
        """A stored customer as the form shows it."""
        return {
            "name": customer.name,
            "industry": customer.industry.code if customer.industry_id else "",
            "scale": "" if customer.scale is None else str(customer.scale),
            "region": customer.region,
            "contract_start": customer.contract_start.isoformat()
            if customer.contract_start
            else "",
            "contract_end": customer.contract_end.isoformat() if customer.contract_end else "",
            "products": f"{PRODUCT_SEPARATOR} ".join(customer.products or []),
            "status": customer.status,
            "contact_name": customer.contact_name,
            "contact_phone": customer.contact_phone,
            "contact_email": customer.contact_email,
            "address": customer.address,
        }

    def changed_record(self) -> dict[str, Any]:
        """The fields the person changed (the others are left as stored), the comment apart."""
        return {name: self.cleaned_data[name] for name in self.changed_data if name != "comment"}
