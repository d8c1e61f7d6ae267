"""Forms of the workforce pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gmassist.org.models import Department
from gmassist.workforce.choices import ScenarioKind


class PlanBuildForm(forms.Form):
    name = forms.CharField(label=_("Plan name"), max_length=200, initial=_("Workforce plan"))
    as_of = forms.DateField(label=_("As of"), widget=forms.DateInput(attrs={"type": "date"}))
    horizon = forms.IntegerField(label=_("Quarters ahead"), min_value=1, max_value=12, initial=8)
    growth_percent = forms.FloatField(
        label=_("Growth per year (%)"), min_value=-99, max_value=500, initial=0
    )
    runs = forms.IntegerField(
        label=_("Simulation runs"), min_value=10, max_value=5000, initial=1000
    )


class ScenarioForm(forms.Form):
    name = forms.CharField(label=_("Scenario name"), max_length=200)
    kind = forms.ChoiceField(
        label=_("Scenario"), choices=[c for c in ScenarioKind.choices if c[0] != "baseline"]
    )
    percent = forms.FloatField(label=_("Percent"), required=False, min_value=-99, max_value=500)
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.all(), required=False
    )


class BacktestForm(forms.Form):
    as_of = forms.DateField(label=_("As of"), widget=forms.DateInput(attrs={"type": "date"}))
    horizon = forms.IntegerField(label=_("Quarters ahead"), min_value=1, max_value=12, initial=8)
