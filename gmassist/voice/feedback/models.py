"""Feedback from employees: suggestions, complaints, praise and questions, named or anonymous.

Anonymity is a property of the tables, not only of the pages. A feedback item and its messages
have no time finer than a day (dates only, and no `created_at`/`updated_at`: they do not
inherit `BaseModel`), a random id (a UUID, so ids carry no order of arrival) and, when
anonymous, no user, no IP address and no session: the sender is only the holder of a reply
code whose SHA-256 digest is stored. Nothing about a submission is written to the audit log
(an audit entry's time, next to the row, would say when it arrived). Named and anonymous items
share the tables and the rules, so the same pages, queue and trends serve both; named items
simply also have their author.

The models belong to the voice app (label `voice`, tables `voice_*`): `gmassist/voice/models.py`
imports them.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gmassist.core.permissions import Domain, RestrictedQuerySet, Scope
from gmassist.voice.feedback.choices import (
    Addressee,
    FeedbackKind,
    FeedbackStatus,
    Sentiment,
    Topic,
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
    # the classifier's probability (0-1) that `topic` is right; None once a person set the topic
    # (and for items from before the classifier gave one)
    topic_confidence = models.FloatField(_("topic confidence"), null=True, blank=True)
    # waiting for HR to set the topic: the classifier was unsure of it, so the item was not given
    # to a guessed owner (voice.feedback.services.route)
    in_triage = models.BooleanField(_("in triage"), default=False)
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
            models.Index(
                fields=["submitted_on"], condition=Q(in_triage=True), name="voice_fb_triage"
            ),
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
            models.CheckConstraint(
                condition=Q(in_triage=False) | Q(owner__isnull=True),
                name="voice_feedback_triage_has_no_owner",
                violation_error_message=_("An item in triage has no owner yet."),
            ),
            models.CheckConstraint(
                condition=Q(topic_confidence__isnull=True)
                | Q(topic_confidence__gte=0, topic_confidence__lte=1),
                name="voice_feedback_topic_confidence_0_1",
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


class TopicCorrection(models.Model):
    """A topic a person set on a feedback item (from triage or as a correction): the item's
    latest one teaches the company's classifier its text with this topic.

    Who and which day, the topic before and after; nothing about the item's sender (the text is
    read from the item, which stores no sender when anonymous). The row is never changed: the
    classifier's cache is keyed on the count and the highest id of these rows."""

    feedback = models.ForeignKey(
        Feedback,
        verbose_name=_("feedback"),
        on_delete=models.CASCADE,
        related_name="topic_corrections",
    )
    old_topic = models.CharField(_("topic before"), max_length=12, choices=Topic.choices)
    new_topic = models.CharField(_("topic set"), max_length=12, choices=Topic.choices)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # a day, like every date of the feedback tables (the audit entry has the time)
    corrected_on = models.DateField(_("set on"))

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = Scope(domain=Domain.FEEDBACK_TOPICS, user="corrected_by")

    class Meta:
        ordering = ["id"]
        verbose_name = _("topic correction")
        verbose_name_plural = _("topic corrections")
        constraints = [
            models.CheckConstraint(
                condition=Q(old_topic__in=Topic.values), name="voice_correction_old_topic_valid"
            ),
            models.CheckConstraint(
                condition=Q(new_topic__in=Topic.values), name="voice_correction_new_topic_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.feedback_id}: {self.old_topic} -> {self.new_topic}"
