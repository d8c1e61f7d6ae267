"""Choices of the decisions register."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DecisionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    AMENDED = "amended", _("Amended")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# statuses in which a decision is in force and addressees are asked to acknowledge it
LIVE_STATUSES = (DecisionStatus.PUBLISHED, DecisionStatus.AMENDED)


class ResponseKind(models.TextChoices):
    QUESTION = "question", _("Question")
    OBJECTION = "objection", _("Objection")
    SUPPORT = "support", _("Support")


class ResponseTheme(models.TextChoices):
    """What an objection (or any response) is about, chosen by the person who writes it; the
    decision page groups objections by it."""

    TIMING = "timing", _("Timing")
    COST = "cost", _("Cost or pay")
    WORKLOAD = "workload", _("Workload")
    FAIRNESS = "fairness", _("Fairness")
    PROCESS = "process", _("How it is done")
    OTHER = "other", _("Other")
