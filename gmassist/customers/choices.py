"""Choices of the group-customer model."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    DORMANT = "dormant", _("Dormant")
    LOST = "lost", _("Lost")


class Tier(models.TextChoices):
    A = "A", _("Tier A")
    B = "B", _("Tier B")
    C = "C", _("Tier C")


class ServiceChannel(models.TextChoices):
    ACCOUNT_MANAGER = "account_manager", _("Account manager")
    CALL_CENTRE = "call_centre", _("Call centre")
    PARTNER = "partner", _("Partner")
    BRANCH = "branch", _("Branch")


class ContactKind(models.TextChoices):
    INQUIRY = "inquiry", _("Inquiry")
    REQUEST = "request", _("Service request")
    COMPLAINT = "complaint", _("Complaint")
    FAULT = "fault", _("Fault report")
    VISIT = "visit", _("Visit")
    OTHER = "other", _("Other")


class PolicyKind(models.TextChoices):
    TIERING = "tiering", _("Tiering policy")
    CHANNELS = "channels", _("Service-channel rules")
