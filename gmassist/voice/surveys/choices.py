"""Choices of the pulse surveys: question kinds, survey statuses and repeat schedules."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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
