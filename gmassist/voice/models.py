"""Feedback from employees: suggestions, complaints, praise and questions, named or anonymous.

Anonymity is a property of the tables, not only of the pages. A feedback item and its messages
have no time finer than a day (dates only, and no `created_at`/`updated_at`: they do not
inherit `BaseModel`), a random id (a UUID, so ids carry no order of arrival) and, when
anonymous, no user, no IP address and no session: the sender is only the holder of a reply
code whose SHA-256 digest is stored. Nothing about a submission is written to the audit log
(an audit entry's time, next to the row, would say when it arrived). Named and anonymous items
share the tables and the rules, so the same pages, queue and trends serve both; named items
simply also have their author.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gmassist.core.models import BaseModel
from gmassist.core.permissions import Domain, RestrictedQuerySet, Scope
from gmassist.voice.choices import (
    Addressee,
    AgencyKind,
    AgencyStatus,
    CandidateSource,
    CandidateStage,
    FeedbackKind,
    FeedbackStatus,
    QuestionKind,
    RequisitionReason,
    RequisitionStatus,
    Sentiment,
    SurveyRepeat,
    SurveyStatus,
    Topic,
    Urgency,
    UrgentFlag,
)


class Feedback(models.Model):
    """One suggestion, complaint, praise or question, to a department or to the GM."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=12, choices=FeedbackKind.choices)
    addressed_to = models.CharField(
        _("addressed to"), max_length=12, choices=Addressee.choices, default=Addressee.DEPARTMENT
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="feedback",
        help_text=_("The department the feedback is for or about (trends count it there)."),
    )
    # The department whose heads read and answer the item: the department itself for an
    # ordinary item; empty for an item to the GM and for an urgent one, which its department's
    # head must not read first (they may be who it is about). Permissions follow this column.
    head_department = models.ForeignKey(
        "org.Department",
        verbose_name=_("handled in department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    language = models.CharField(_("language"), max_length=5, default="en")
    is_anonymous = models.BooleanField(_("anonymous"), default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feedback_sent",
    )
    reply_code_digest = models.CharField(_("reply code digest"), max_length=64, blank=True)
    submitted_on = models.DateField(_("submitted"), db_index=True)
    topic = models.CharField(_("topic"), max_length=12, choices=Topic.choices)
    sentiment = models.CharField(_("sentiment"), max_length=10, choices=Sentiment.choices)
    flag_harassment = models.BooleanField(_("harassment"), default=False)
    flag_safety = models.BooleanField(_("safety"), default=False)
    flag_fraud = models.BooleanField(_("fraud"), default=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feedback_owned",
    )
    due_on = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=12, choices=FeedbackStatus.choices, default=FeedbackStatus.NEW
    )
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    answered_on = models.DateField(_("answered"), null=True, blank=True)
    closed_on = models.DateField(_("closed"), null=True, blank=True)
    reminded_on = models.DateField(_("last reminder"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    # Who sees what is the "feedback" domain of core.permissions.POLICY: a department head the
    # items handled in their subtree, everyone the items they sent by name or own.
    restrict_scope = Scope(
        domain=Domain.FEEDBACK,
        department="head_department",
        employee="author__employee",
        user="owner",
    )

    class Meta:
        ordering = ["-submitted_on", "id"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        indexes = [
            models.Index(fields=["department", "submitted_on"], name="voice_fb_dept_day"),
            models.Index(fields=["status", "due_on"], name="voice_fb_status_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=FeedbackKind.values), name="voice_feedback_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(addressed_to__in=Addressee.values),
                name="voice_feedback_addressee_valid",
            ),
            models.CheckConstraint(
                condition=Q(topic__in=Topic.values), name="voice_feedback_topic_valid"
            ),
            models.CheckConstraint(
                condition=Q(sentiment__in=Sentiment.values),
                name="voice_feedback_sentiment_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=FeedbackStatus.values), name="voice_feedback_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(is_anonymous=False) | Q(author__isnull=True),
                name="voice_feedback_anonymous_has_no_author",
                violation_error_message=_("Anonymous feedback cannot have an author."),
            ),
            models.CheckConstraint(
                condition=Q(is_anonymous=False) | ~Q(reply_code_digest=""),
                name="voice_feedback_anonymous_has_code",
                violation_error_message=_("Anonymous feedback needs a reply code."),
            ),
            models.CheckConstraint(
                condition=Q(addressed_to=Addressee.GM) | Q(department__isnull=False),
                name="voice_feedback_department_given",
                violation_error_message=_("Feedback to a department needs the department."),
            ),
            models.CheckConstraint(
                condition=~Q(status=FeedbackStatus.DECLINED) | ~Q(decline_reason=""),
                name="voice_feedback_declined_has_reason",
                violation_error_message=_("Say why the feedback is declined."),
            ),
            models.CheckConstraint(
                condition=Q(due_on__gte=models.F("submitted_on")),
                name="voice_feedback_due_after_submitted",
            ),
            models.UniqueConstraint(
                fields=["reply_code_digest"],
                condition=~Q(reply_code_digest=""),
                name="voice_feedback_reply_code_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def urgent_flags(self) -> list[str]:
        """The urgent flags raised on the item, in the order of `UrgentFlag`."""
        return [flag for flag in UrgentFlag.values if getattr(self, f"flag_{flag}")]

    @property
    def is_urgent(self) -> bool:
        return bool(self.urgent_flags)

    @property
    def short_id(self) -> str:
        """The first 8 characters of the id, enough to name an item in a list or a reminder."""
        return self.id.hex[:8]


class FeedbackMessage(models.Model):
    """One message in a feedback thread: the sender's or the owner's side, dated to the day."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    feedback = models.ForeignKey(
        Feedback, verbose_name=_("feedback"), on_delete=models.CASCADE, related_name="messages"
    )
    position = models.PositiveIntegerField(_("position in the thread"))
    from_sender = models.BooleanField(
        _("from the sender"), help_text=_("True: the person who sent the feedback wrote it.")
    )
    # The owner's side is always named; the sender's side only when the item is not anonymous.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = models.TextField(_("text"))
    written_on = models.DateField(_("written"))

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = Scope(
        domain=Domain.FEEDBACK,
        department="feedback__head_department",
        employee="feedback__author__employee",
        user="feedback__owner",
    )

    class Meta:
        ordering = ["feedback", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["feedback", "position"], name="voice_message_position_unique"
            ),
            models.CheckConstraint(
                condition=Q(from_sender=True) | Q(author__isnull=False),
                name="voice_message_owner_side_named",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.feedback_id} #{self.position}"


# --- pulse surveys ---------------------------------------------------------------------------
#
# A survey is answered in rounds. What a person answered and that they answered are kept in
# tables with no link between them: `SurveyParticipation` says only "this employee has answered
# this round" (no date, no answer); `SurveyResponse` and its `SurveyAnswer`s hold the answers
# with the round, the respondent's department and, while the round is open, the day (no
# person, no time, a random id). After each answer the responses of the same department and
# day move to random places (so that row order and transaction ids do not pair them with the
# participations); when a round closes its responses are re-written in random order with new
# ids and no day (`SurveyRound.sealed`).
#
# Results are never read from the answers directly: each round has one `SurveySnapshot`, the
# published results every reader reads, refreshed and finalised by the rule of
# voice/engine/survey_publication.py (no step between two readings under 5 respondents).


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


# --- recruiting contacts ---------------------------------------------------------------------
# Recruiting agencies and headhunters, open requisitions shared with them, and the candidates
# they (or other sources) bring. The whole of it is the "recruiting" permission domain: the GM,
# the assistant and HR see everything; a department head the requisitions of their subtree and
# their candidates; nobody else anything (candidates' names and contacts are personal data).


class RecruitingAgency(BaseModel):
    """A recruiting agency or headhunter: who to call, what they are good at, their terms."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=12, choices=AgencyKind.choices, default=AgencyKind.AGENCY
    )
    contact_person = models.CharField(_("contact person"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    specialities = models.JSONField(
        _("specialities"),
        default=list,
        blank=True,
        help_text=_("Job families and skills the agency recruits for, e.g. Engineering, Sales."),
    )
    regions = models.JSONField(_("regions"), default=list, blank=True)
    fee_percent = models.DecimalField(
        # a percent sign, not a placeholder: xgettext:no-python-format
        _("fee (% of annual pay)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("20"),
    )
    guarantee_days = models.PositiveSmallIntegerField(
        _("guarantee period (days)"),
        default=90,
        help_text=_("A hire who leaves within this many days of starting is a guarantee breach."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=AgencyStatus.choices, default=AgencyStatus.ACTIVE
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = Scope(domain=Domain.RECRUITING)

    class Meta:
        ordering = ["name"]
        verbose_name = _("recruiting agency")
        verbose_name_plural = _("recruiting agencies")
        constraints = [
            models.UniqueConstraint(fields=["name"], name="voice_agency_name_unique"),
            models.CheckConstraint(condition=~Q(name=""), name="voice_agency_name_not_empty"),
            models.CheckConstraint(
                condition=Q(kind__in=AgencyKind.values), name="voice_agency_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=AgencyStatus.values), name="voice_agency_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(fee_percent__gte=0, fee_percent__lte=100),
                name="voice_agency_fee_percent_range",
                violation_error_message=_("The fee is a percentage from 0 to 100."),
            ),
            models.CheckConstraint(
                condition=Q(guarantee_days__lte=730),
                name="voice_agency_guarantee_at_most_two_years",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Requisition(BaseModel):
    """An open position to fill: which position, where, how many, how urgent, by when, why."""

    code = models.CharField(_("code"), max_length=40)
    position = models.ForeignKey(
        "org.Position",
        verbose_name=_("position"),
        on_delete=models.PROTECT,
        related_name="requisitions",
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="requisitions",
    )
    headcount = models.PositiveSmallIntegerField(_("count"), default=1)
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    target_date = models.DateField(_("target date"))
    reason = models.CharField(
        _("reason"),
        max_length=12,
        choices=RequisitionReason.choices,
        default=RequisitionReason.REPLACEMENT,
    )
    reason_note = models.TextField(_("reason in words"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=RequisitionStatus.choices,
        default=RequisitionStatus.OPEN,
    )
    opened_on = models.DateField(_("opened"))
    closed_on = models.DateField(_("closed"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = Scope(domain=Domain.RECRUITING, department="department", user="opened_by")

    class Meta:
        ordering = ["-opened_on", "code"]
        verbose_name = _("requisition")
        verbose_name_plural = _("requisitions")
        indexes = [models.Index(fields=["status", "target_date"], name="voice_req_status_target")]
        constraints = [
            models.UniqueConstraint(fields=["code"], name="voice_requisition_code_unique"),
            models.CheckConstraint(condition=~Q(code=""), name="voice_requisition_code_not_empty"),
            models.CheckConstraint(
                condition=Q(headcount__gte=1),
                name="voice_requisition_headcount_positive",
                violation_error_message=_("A requisition is for at least one person."),
            ),
            models.CheckConstraint(
                condition=Q(urgency__in=Urgency.values), name="voice_requisition_urgency_valid"
            ),
            models.CheckConstraint(
                condition=Q(reason__in=RequisitionReason.values),
                name="voice_requisition_reason_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=RequisitionStatus.values),
                name="voice_requisition_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status=RequisitionStatus.OPEN, closed_on__isnull=True)
                | (~Q(status=RequisitionStatus.OPEN) & Q(closed_on__isnull=False)),
                name="voice_requisition_closed_iff_not_open",
                violation_error_message=_("A filled or cancelled requisition has a closing date."),
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("opened_on")),
                name="voice_requisition_closed_after_opened",
            ),
            models.CheckConstraint(
                condition=Q(target_date__gte=models.F("opened_on")),
                name="voice_requisition_target_after_opened",
                violation_error_message=_("The target date cannot be before the opening date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.position.title}"


class RequisitionShare(BaseModel):
    """A requisition sent to an agency, and the day it was sent."""

    requisition = models.ForeignKey(
        Requisition, verbose_name=_("requisition"), on_delete=models.CASCADE, related_name="shares"
    )
    agency = models.ForeignKey(
        RecruitingAgency,
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="shares",
    )
    shared_on = models.DateField(_("shared"))
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("shared by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = Scope(
        domain=Domain.RECRUITING,
        department="requisition__department",
        user="requisition__opened_by",
    )

    class Meta:
        ordering = ["requisition", "shared_on", "agency"]
        constraints = [
            models.UniqueConstraint(
                fields=["requisition", "agency"], name="voice_share_once_per_agency"
            )
        ]

    def __str__(self) -> str:
        return f"{self.requisition_id} -> {self.agency_id} ({self.shared_on})"


# the date field of each candidate stage
STAGE_DATE_FIELDS = {stage: f"{stage}_on" for stage in CandidateStage.values}


class Candidate(BaseModel):
    """A person considered for a requisition: where they came from and how far they got, with
    the day they reached each stage. Names and contacts are personal data."""

    requisition = models.ForeignKey(
        Requisition,
        verbose_name=_("requisition"),
        on_delete=models.CASCADE,
        related_name="candidates",
    )
    full_name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    source = models.CharField(
        _("source"), max_length=12, choices=CandidateSource.choices, default=CandidateSource.AGENCY
    )
    agency = models.ForeignKey(
        RecruitingAgency,
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="candidates",
    )
    stage = models.CharField(
        _("stage"), max_length=10, choices=CandidateStage.choices, default=CandidateStage.APPLIED
    )
    applied_on = models.DateField(_("applied"))
    screening_on = models.DateField(_("screening"), null=True, blank=True)
    interview_on = models.DateField(_("interview"), null=True, blank=True)
    offer_on = models.DateField(_("offer"), null=True, blank=True)
    hired_on = models.DateField(_("hired"), null=True, blank=True)
    rejected_on = models.DateField(_("rejected"), null=True, blank=True)
    withdrawn_on = models.DateField(_("withdrawn"), null=True, blank=True)
    hired_employee = models.ForeignKey(
        "org.Employee",
        verbose_name=_("hired as employee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = Scope(
        domain=Domain.RECRUITING,
        department="requisition__department",
        user="requisition__opened_by",
    )

    class Meta:
        ordering = ["requisition", "applied_on", "full_name"]
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        indexes = [models.Index(fields=["agency", "stage"], name="voice_cand_agency_stage")]
        constraints = [
            models.UniqueConstraint(
                fields=["requisition", "full_name"], name="voice_candidate_once_per_requisition"
            ),
            models.CheckConstraint(
                condition=~Q(full_name=""), name="voice_candidate_name_not_empty"
            ),
            models.CheckConstraint(
                condition=Q(source__in=CandidateSource.values), name="voice_candidate_source_valid"
            ),
            models.CheckConstraint(
                condition=Q(stage__in=CandidateStage.values), name="voice_candidate_stage_valid"
            ),
            models.CheckConstraint(
                condition=Q(source=CandidateSource.AGENCY, agency__isnull=False)
                | (~Q(source=CandidateSource.AGENCY) & Q(agency__isnull=True)),
                name="voice_candidate_agency_iff_agency_source",
                violation_error_message=_("A candidate from an agency names the agency."),
            ),
            models.CheckConstraint(
                condition=functools.reduce(
                    operator.or_,
                    (
                        Q(stage=stage, **{f"{field}__isnull": False})
                        for stage, field in STAGE_DATE_FIELDS.items()
                    ),
                ),
                name="voice_candidate_stage_dated",
                violation_error_message=_("The candidate's current stage needs its date."),
            ),
            models.CheckConstraint(
                condition=Q(hired_employee__isnull=True) | Q(stage=CandidateStage.HIRED),
                name="voice_candidate_employee_only_when_hired",
            ),
            models.CheckConstraint(
                condition=Q(hired_on__isnull=True) | Q(hired_on__gte=models.F("applied_on")),
                name="voice_candidate_hired_after_applied",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name
