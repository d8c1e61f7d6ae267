"""Choices of the schedule: a meeting's status, a participant's answer, how a meeting repeats."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")


class ParticipantResponse(models.TextChoices):
    NEEDS_ACTION = "needs_action", _("Not answered")
    ACCEPTED = "accepted", pgettext_lazy("a meeting invitation", "Accepted")
    TENTATIVE = "tentative", _("Tentative")
    DECLINED = "declined", _("Declined")


# the participant's answer as RFC 5545 writes it (PARTSTAT)
PARTSTAT = {
    ParticipantResponse.NEEDS_ACTION: "NEEDS-ACTION",
    ParticipantResponse.ACCEPTED: "ACCEPTED",
    ParticipantResponse.TENTATIVE: "TENTATIVE",
    ParticipantResponse.DECLINED: "DECLINED",
}


class Repeat(models.TextChoices):
    """How a meeting repeats, as the forms offer it; each is an RRULE (services.REPEAT_RULES)."""

    NONE = "", _("Does not repeat")
    WEEKDAYS = "weekdays", _("Every working day")
    WEEKLY = "weekly", _("Every week")
    FORTNIGHTLY = "fortnightly", _("Every two weeks")
    MONTHLY = "monthly", _("Every month")
