"""Forms of the triage pages: a request typed in, a decision, a rule."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gmassist.core.models import User
from gmassist.office.triage import selectors
from gmassist.office.triage.choices import Category, Route, Source
from gmassist.office.triage.services import MAX_TEXT, MAX_TITLE
from gmassist.org.models import Department


class MatterForm(forms.Form):
    """A matter the assistant types in: a letter, a call, a document, a finding."""

    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE)
    text = forms.CharField(
        label=_("What it is about"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=MAX_TEXT,
        required=False,
        help_text=_("The letter or the call in a few sentences, in English or Chinese."),
    )
    source = forms.ChoiceField(
        label=_("Where from"),
        choices=[(v, label) for v, label in Source.choices if v != Source.FEEDBACK],
        initial=Source.REQUEST,
    )
    department = forms.ModelChoiceField(
        label=_("About department"),
        queryset=Department.objects.order_by("name"),
        required=False,
        empty_label=_("None in particular"),
        help_text=_("Its head is proposed when the matter is delegated."),
    )


class DecideForm(forms.Form):
    """The GM's decision: the route (the button pressed), the owner when delegating, the
    category when the GM sets it."""

    route = forms.ChoiceField(label=_("Route"), choices=Route.choices)
    owner = forms.ModelChoiceField(
        label=_("Delegate to"), queryset=User.objects.none(), required=False
    )
    category = forms.ChoiceField(
        label=_("Category"),
        choices=[("", _("As proposed")), *Category.choices],
        required=False,
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = selectors.delegate_choices()


class RuleForm(forms.Form):
    """One of the GM's rules."""

    phrases_en = forms.CharField(
        label=_("English phrases"),
        required=False,
        max_length=2000,
        help_text=_("Separated by commas; whole words, case aside: “press, journalist”."),
    )
    phrases_zh = forms.CharField(
        label=_("Chinese phrases"),
        required=False,
        max_length=2000,
        help_text=_("Separated by commas: “媒体，记者”."),
    )
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    route = forms.ChoiceField(label=_("Route"), choices=Route.choices)
    owner = forms.ModelChoiceField(
        label=_("Owner when delegating"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody"),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = selectors.delegate_choices()
