"""Pulse surveys: questions, rounds, who answered, the answers, and the published results.

A survey is answered in rounds. What a person answered and that they answered are kept in
tables with no link between them: `SurveyParticipation` says only "this employee has answered
this round" (no date, no answer); `SurveyResponse` and its `SurveyAnswer`s hold the answers
with the round, the respondent's department and, while the round is open, the day (no
person, no time, a random id). After each answer the responses of the same department and
day move to random places (so that row order and transaction ids do not pair them with the
participations); when a round closes its responses are re-written in random order with new
ids and no day (`SurveyRound.sealed`).

Results are never read from the answers directly: each round has one `SurveySnapshot`, the
published results every reader reads, refreshed and finalised by the rule of
voice/engine/survey_publication.py (no step between two readings under 5 respondents).

The models belong to the voice app (label `voice`, tables `voice_*`): `gmassist/voice/models.py`
imports them.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gmassist.core.models import BaseModel
from gmassist.core.permissions import Domain, RestrictedQuerySet, Scope
from gmassist.voice.surveys.choices import QuestionKind, SurveyRepeat, SurveyStatus


class Survey(BaseModel):
    """A pulse survey: questions, an audience, an open window and a repeat schedule."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("introduction"), blank=True)
    # Whose survey it is: None for the whole company, else a department (its heads may run it
    # and its audience stays inside its subtree).
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("run for"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="surveys",
        help_text=_("Empty: the whole company."),
    )
    audience_departments = models.ManyToManyField(
        "org.Department",
        verbose_name=_("departments asked"),
        blank=True,
        related_name="surveys_addressed",
        help_text=_("Each with every department below it."),
    )
    audience_roles = models.JSONField(
        _("roles asked"), default=list, blank=True, help_text=_("Logins of these roles.")
    )
    opens_on = models.DateField(_("first round opens"))
    window_days = models.PositiveSmallIntegerField(
        _("open for (days)"), default=14, help_text=_("Each round stays open this many days.")
    )
    repeat_months = models.PositiveSmallIntegerField(
        _("repeat"), choices=SurveyRepeat.choices, default=SurveyRepeat.ONCE
    )
    status = models.CharField(
        _("status"), max_length=8, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="surveys_created",
    )

    objects = RestrictedQuerySet.as_manager()
    # the "surveys" domain of core.permissions.POLICY: heads reach the surveys run for their
    # subtree, everyone the ones they created
    restrict_scope = Scope(domain=Domain.SURVEYS, department="department", user="created_by")

    class Meta:
        ordering = ["-opens_on", "-id"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=SurveyStatus.values), name="voice_survey_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(repeat_months__in=SurveyRepeat.values),
                name="voice_survey_repeat_valid",
            ),
            models.CheckConstraint(
                condition=Q(window_days__gte=1) & Q(window_days__lte=90),
                name="voice_survey_window_1_to_90_days",
                violation_error_message=_("A round stays open from 1 to 90 days."),
            ),
            models.CheckConstraint(
                condition=~Q(title=""),
                name="voice_survey_title_required",
                violation_error_message=_("A survey needs a title."),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class SurveyQuestion(models.Model):
    """One question of a survey: eNPS (0-10), a 1-5 scale or free text."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=5, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=300)

    class Meta:
        ordering = ["survey", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "position"], name="voice_question_position_unique"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=QuestionKind.values), name="voice_question_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.text


class SurveyRound(models.Model):
    """One run of a survey: its open window and how many were asked, by department."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="rounds"
    )
    number = models.PositiveSmallIntegerField(_("round"))
    opens_on = models.DateField(_("opens"))
    closes_on = models.DateField(_("closes"), help_text=_("The last day answers are taken."))
    # {department id (as text): people asked} when the round opened: response rates per group
    invited = models.JSONField(_("asked, by department"), default=dict, blank=True)
    sealed = models.BooleanField(
        _("sealed"),
        default=False,
        help_text=_("Closed, and its answers re-written in random order."),
    )
    # the last day a refresh of its published results was considered: at most once a day, as
    # the answers it would count (those of the days before) do not change during the day
    results_checked_on = models.DateField(_("results last considered"), null=True, blank=True)

    class Meta:
        ordering = ["survey", "number"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "number"], name="voice_round_number_unique"),
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")),
                name="voice_round_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey} #{self.number}"

    @property
    def invited_total(self) -> int:
        return sum(self.invited.values())

    def is_open_on(self, day) -> bool:
        return self.opens_on <= day <= self.closes_on and not self.sealed


class SurveyParticipation(models.Model):
    """That an employee has answered a round, and nothing else: no date, no link to answers."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(
        SurveyRound,
        verbose_name=_("round"),
        on_delete=models.CASCADE,
        related_name="participations",
    )
    employee = models.ForeignKey(
        "org.Employee", verbose_name=_("employee"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        ordering = ["round", "employee"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "employee"], name="voice_participation_once_per_round"
            )
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.employee_id}"


class SurveyResponse(models.Model):
    """One person's answers to a round, without the person: the round and their department."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(
        SurveyRound, verbose_name=_("round"), on_delete=models.CASCADE, related_name="responses"
    )
    # the respondent's department when they answered: results are grouped by it
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # the day it was given, while the round is open: refreshes of the results count whole days
    # (voice/engine/survey_publication.py); emptied when the round is sealed
    answered_on = models.DateField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["round", "id"]
        indexes = [
            models.Index(
                fields=["round", "department", "answered_on"], name="voice_response_dept_day"
            )
        ]

    def __str__(self) -> str:
        return str(self.id)


class SurveyAnswer(models.Model):
    """The answer to one question in a response: a score or a text."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(
        SurveyResponse, verbose_name=_("response"), on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        SurveyQuestion,
        verbose_name=_("question"),
        on_delete=models.CASCADE,
        related_name="answers",
    )
    score = models.SmallIntegerField(_("score"), null=True, blank=True)
    text = models.TextField(_("text"), blank=True)

    class Meta:
        ordering = ["response", "question"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="voice_answer_once_per_question"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | (Q(score__gte=0) & Q(score__lte=10)),
                name="voice_answer_score_0_to_10",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.response_id} · {self.question_id}"


class SurveySnapshot(models.Model):
    """The published results of a round: what every reader reads, refreshed while the round is
    open and made final when it closes (voice/engine/survey_publication.py), never live."""

    round = models.OneToOneField(
        SurveyRound, verbose_name=_("round"), on_delete=models.CASCADE, related_name="snapshot"
    )
    is_final = models.BooleanField(_("final"), default=False)
    published_on = models.DateField(_("published"))
    # while open: the answers of the days before this day are counted; empty for the final
    counts_before = models.DateField(_("answers counted before"), null=True, blank=True)
    # the days of the refreshes while the round was open (ISO dates, oldest first)
    refreshes = models.JSONField(_("refreshes"), default=list, blank=True)
    respondents = models.PositiveIntegerField(_("respondents"), default=0)
    left_out = models.PositiveIntegerField(
        _("answers left out"),
        default=0,
        help_text=_("Answers after the last refresh, too few to be added safely."),
    )
    # the published groups and their figures, as voice/engine/survey_results.results_to_data
    data = models.JSONField(_("results"), default=dict, blank=True)

    class Meta:
        ordering = ["round"]
        verbose_name = _("survey results snapshot")
        verbose_name_plural = _("survey results snapshots")
        constraints = [
            models.CheckConstraint(
                condition=Q(is_final=True, counts_before__isnull=True)
                | Q(is_final=False, counts_before__isnull=False),
                name="voice_snapshot_open_counts_days_before",
            )
        ]

    def __str__(self) -> str:
        return f"{self.round} ({'final' if self.is_final else self.counts_before})"

    def refresh_days(self) -> list[dt.date]:
        """The days of the refreshes, as dates."""
        return [dt.date.fromisoformat(day) for day in self.refreshes]
