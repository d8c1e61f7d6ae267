"""Choices of the talent models."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PARTLY_APPROVED = "partly_approved", _("Partly approved")
    APPROVED = "approved", _("Approved")


class PlanLineStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    PROPOSED = "proposed", _("Proposed, awaiting a decision")
    APPROVED = "approved", _("Approved")
