"""Choices of the feedback: kinds, addressees, topics, sentiments, urgent flags and statuses."""

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
