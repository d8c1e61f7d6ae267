"""Choices of the voice app: feedback kinds, topics, sentiments, urgent flags and statuses."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FeedbackKind(models.TextChoices):
    SUGGESTION = "suggestion", _("Suggestion")
    COMPLAINT = "complaint", _("Complaint")
    PRAISE = "praise", _("Praise")
    QUESTION = "question", _("Question")


class Addressee(models.TextChoices):
    DEPARTMENT = "department", _("A department")
    GM = "gm", _("The general manager")


class Topic(models.TextChoices):
    PAY = "pay", _("Pay")
    WORKLOAD = "workload", _("Workload")
    MANAGEMENT = "management", _("Management")
    CAREER = "career", _("Career")
    PROCESS = "process", _("Process")
    FACILITIES = "facilities", _("Facilities")
    CUSTOMERS = "customers", _("Customers")
    OTHER = "other", _("Other")


class Sentiment(models.TextChoices):
    NEGATIVE = "negative", _("Negative")
    NEUTRAL = "neutral", _("Neutral")
    POSITIVE = "positive", _("Positive")


class UrgentFlag(models.TextChoices):
    HARASSMENT = "harassment", _("Harassment")
    SAFETY = "safety", _("Safety")
    FRAUD = "fraud", _("Fraud")


class FeedbackStatus(models.TextChoices):
    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", _("In progress")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")
    DECLINED = "declined", _("Declined")


# statuses in which the owner still owes an answer (these can be overdue)
OPEN_STATUSES = (FeedbackStatus.NEW, FeedbackStatus.IN_PROGRESS)
# statuses after which nothing more happens to an item
FINAL_STATUSES = (FeedbackStatus.CLOSED, FeedbackStatus.DECLINED)


# --- pulse surveys ---------------------------------------------------------------------------


class QuestionKind(models.TextChoices):
    ENPS = "enps", _("eNPS (0-10)")
    SCALE = "scale", _("Scale (1-5)")
    TEXT = "text", _("Free text")


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class SurveyRepeat(models.IntegerChoices):
    """How often a survey runs again, in months (0: once)."""

    ONCE = 0, _("Once")
    MONTHLY = 1, _("Every month")
    QUARTERLY = 3, _("Every quarter")
    HALF_YEARLY = 6, _("Every six months")
    YEARLY = 12, _("Every year")


# the score range of each question kind that has a score (inclusive)
SCORE_RANGE = {QuestionKind.ENPS: (0, 10), QuestionKind.SCALE: (1, 5)}
