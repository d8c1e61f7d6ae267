"""Forms of the feedback pages: sending feedback, following a thread, answering, the queue
filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gmassist.core.forms import FilterForm
from gmassist.org.forms import department_filter_field, offer_visible_departments
from gmassist.org.models import Department
from gmassist.voice.common import MAX_BODY
from gmassist.voice.feedback.choices import (
    Addressee,
    FeedbackKind,
    FeedbackStatus,
    Sentiment,
    Topic,
)
from gmassist.voice.feedback.services import MAX_SUBJECT


class FeedbackForm(forms.Form):
    """A new feedback item: what kind, to whom, the text, and whether to sign it."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=FeedbackKind.choices,
        widget=forms.Select(attrs={"data-testid": "feedback-kind"}),
    )
    addressed_to = forms.ChoiceField(
        label=_("To"),
        choices=Addressee.choices,
        widget=forms.Select(attrs={"data-testid": "feedback-to"}),
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.all(),
        required=False,
        empty_label=_("(none)"),
        help_text=_("The department it is for or about; needed when you write to a department."),
        widget=forms.Select(attrs={"data-testid": "feedback-department"}),
    )
    subject = forms.CharField(
        label=_("Subject"),
        max_length=MAX_SUBJECT,
        widget=forms.TextInput(attrs={"data-testid": "feedback-subject", "autocomplete": "off"}),
    )
    body = forms.CharField(
        label=_("Your feedback"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 6, "data-testid": "feedback-body"}),
    )
    anonymous = forms.BooleanField(
        label=_("Send anonymously"),
        required=False,
        widget=forms.CheckboxInput(attrs={"data-testid": "feedback-anonymous"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("addressed_to") == Addressee.DEPARTMENT and not data.get("department"):
            self.add_error("department", _("Choose the department the feedback is for."))
        return data


class ReplyCodeForm(forms.Form):
    """The reply code of an anonymous item, to read its thread."""

    code = forms.CharField(
        label=_("Reply code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "data-testid": "follow-code",
                "autocomplete": "off",
                "spellcheck": "false",
                "placeholder": "XXXX-XXXX-XXXX-XXXX-XXXX",
            }
        ),
    )


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your answer"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 4, "data-testid": "reply-body"}),
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (FeedbackStatus.IN_PROGRESS, FeedbackStatus.IN_PROGRESS.label),
            (FeedbackStatus.CLOSED, FeedbackStatus.CLOSED.label),
            (FeedbackStatus.DECLINED, FeedbackStatus.DECLINED.label),
        ],
        widget=forms.Select(attrs={"data-testid": "status-select"}),
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=MAX_BODY,
        help_text=_("Required when you decline."),
        widget=forms.Textarea(attrs={"rows": 2, "data-testid": "status-reason"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("status") == FeedbackStatus.DECLINED and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why the feedback is declined."))
        return data


class TopicForm(forms.Form):
    """The topic HR sets on an item: from the triage list (`return_to` "triage") or on the
    item's page, to correct it."""

    topic = forms.ChoiceField(
        label=_("Topic"),
        choices=Topic.choices,
        widget=forms.Select(attrs={"data-testid": "topic-select"}),
    )
    return_to = forms.ChoiceField(
        required=False,
        choices=[("", ""), ("item", "item"), ("triage", "triage")],
        widget=forms.HiddenInput,
    )


class FeedbackFilterForm(FilterForm):
    department = department_filter_field("feedback-department-filter")
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *FeedbackStatus.choices],
        widget=forms.Select(attrs={"id": "feedback-status"}),
    )
    topic = forms.ChoiceField(
        label=_("Topic"),
        required=False,
        choices=[("", _("Any topic")), *Topic.choices],
        widget=forms.Select(attrs={"id": "feedback-topic"}),
    )
    sentiment = forms.ChoiceField(
        label=_("Sentiment"),
        required=False,
        choices=[("", _("Any sentiment")), *Sentiment.choices],
        widget=forms.Select(attrs={"id": "feedback-sentiment"}),
    )
    urgent = forms.BooleanField(
        label=_("Urgent only"),
        required=False,
        widget=forms.CheckboxInput(attrs={"id": "feedback-urgent"}),
    )
    overdue = forms.BooleanField(
        label=_("Overdue only"),
        required=False,
        widget=forms.CheckboxInput(attrs={"id": "feedback-overdue"}),
    )
    triage = forms.BooleanField(
        label=_("In triage only"),
        required=False,
        widget=forms.CheckboxInput(attrs={"id": "feedback-triage"}),
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        offer_visible_departments(self)

    def selector_filters(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "department_id": data["department"].pk if data.get("department") else None,
            "status": data.get("status") or None,
            "topic": data.get("topic") or None,
            "sentiment": data.get("sentiment") or None,
            "urgent": bool(data.get("urgent")),
            "overdue": bool(data.get("overdue")),
            "triage": bool(data.get("triage")),
        }
