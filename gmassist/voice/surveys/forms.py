"""Forms of the pulse-survey pages: a survey's fields, its questions (a formset) and the answers
to a round."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from gmassist.core.choices import Action, Role
from gmassist.core.permissions import SUBTREE, Domain, reach
from gmassist.org.models import Department
from gmassist.org.selectors import departments_reached
from gmassist.voice.common import MAX_BODY
from gmassist.voice.surveys.choices import QuestionKind, SurveyRepeat
from gmassist.voice.surveys.models import Survey
from gmassist.voice.surveys.services import MAX_QUESTION_TEXT, MAX_WINDOW_DAYS


class SurveyForm(forms.Form):
    """A survey's title, audience, window and schedule (the questions are a formset)."""

    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=200,
        widget=forms.TextInput(attrs={"data-testid": "survey-title"}),
    )
    description = forms.CharField(
        label=gettext_lazy("Introduction"),
        required=False,
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 3, "data-testid": "survey-description"}),
    )
    department = forms.ModelChoiceField(
        label=gettext_lazy("Run for"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=gettext_lazy("The whole company"),
        widget=forms.Select(attrs={"data-testid": "survey-department"}),
    )
    audience_departments = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Departments asked"),
        queryset=Department.objects.none(),
        required=False,
        help_text=gettext_lazy(
            "Each with every department below it. None and no roles: everyone it is run for."
        ),
        widget=forms.SelectMultiple(attrs={"size": 6, "data-testid": "survey-audience"}),
    )
    audience_roles = forms.MultipleChoiceField(
        label=gettext_lazy("Roles asked"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"data-testid": "survey-roles"}),
    )
    opens_on = forms.DateField(
        label=gettext_lazy("First round opens"),
        widget=forms.DateInput(attrs={"type": "date", "data-testid": "survey-opens"}),
    )
    window_days = forms.IntegerField(
        label=gettext_lazy("Open for (days)"),
        min_value=1,
        max_value=MAX_WINDOW_DAYS,
        initial=14,
        widget=forms.NumberInput(attrs={"data-testid": "survey-window"}),
    )
    repeat_months = forms.TypedChoiceField(
        label=gettext_lazy("Repeat"),
        choices=SurveyRepeat.choices,
        coerce=int,
        initial=SurveyRepeat.QUARTERLY,
        widget=forms.Select(attrs={"data-testid": "survey-repeat"}),
    )

    def __init__(self, *args: Any, user: Any, survey: Survey | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        visible = departments_reached(user=user, domain=Domain.SURVEYS, action=Action.CHANGE)
        if reach(user, Domain.SURVEYS, Action.CHANGE) == SUBTREE:
            self.fields["department"].required = True
            self.fields["department"].empty_label = None
        self.fields["department"].queryset = visible.order_by("name")
        self.fields["audience_departments"].queryset = visible.order_by("name")
        if survey is not None:
            # whose survey it is does not change
            del self.fields["department"]


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=[("", "—"), *QuestionKind.choices],
        required=False,
    )
    text = forms.CharField(
        label=gettext_lazy("Question"), max_length=MAX_QUESTION_TEXT, required=False
    )


QuestionFormSet = forms.formset_factory(QuestionForm, extra=0)


class AnswerForm(forms.Form):
    """One field per question: eNPS 0-10 and 1-5 scales as radio rows, texts as text areas."""

    def __init__(self, *args: Any, survey: Survey, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.questions = list(survey.questions.all())
        for question in self.questions:
            name = f"q{question.position}"
            if question.kind == QuestionKind.TEXT:
                self.fields[name] = forms.CharField(
                    label=question.text,
                    required=False,
                    max_length=MAX_BODY,
                    widget=forms.Textarea(attrs={"rows": 3, "data-testid": f"answer-{name}"}),
                )
            else:
                low, high = (0, 10) if question.kind == QuestionKind.ENPS else (1, 5)
                self.fields[name] = forms.TypedChoiceField(
                    label=question.text,
                    coerce=int,
                    choices=[(str(v), str(v)) for v in range(low, high + 1)],
                    widget=forms.RadioSelect(attrs={"data-testid": f"answer-{name}"}),
                )
            self.fields[name].kind = question.kind

    def answers(self) -> dict[int, Any]:
        return {q.pk: self.cleaned_data.get(f"q{q.position}") for q in self.questions}
