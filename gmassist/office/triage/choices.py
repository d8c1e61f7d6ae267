"""Choices of the triage: where a matter came from, the routes, the seed's categories and the
state of a matter."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    FEEDBACK = "feedback", _("Feedback to the GM")
    DOCUMENT = "document", _("A document")
    REQUEST = "request", _("A request (letter, call)")
    FINDING = "finding", _("A finding")


class Route(models.TextChoices):
    GM = "gm", _("The GM's")
    DELEGATE = "delegate", _("Delegate")
    NOT_COMPANY = "not_company", _("Not the company's business")


class Category(models.TextChoices):
    # the three the GM manages, strictly
    OVERALL = "overall", _("The overall situation")
    IMAGE = "image", _("The company's image and management")
    INTERESTS = "interests", _("Detrimental to the company's interests")
    # the three the GM does not manage
    PRIVACY = "privacy", _("Personal privacy")
    HABITS = "habits", _("Personal habits")
    UNRELATED = "unrelated", _("Nothing to do with the company")
    # below the overall situation: delegated to its owner
    DETAIL = "detail", _("A detail below the overall situation")


class MatterStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for the GM")
    DECIDED = "decided", _("Decided")
