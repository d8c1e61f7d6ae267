"""Choices of the workforce plan."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DemandMethodChoice(models.TextChoices):
    TARGET = "target", _("Target head count")
    GROWTH = "growth", _("Growth in %")
    DRIVER = "driver", _("Ratio to a driver")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    SUPERSEDED = "superseded", _("Superseded")


class SupplySource(models.TextChoices):
    RISK_MODEL = "risk_model", _("Leaving-risk model")
    SURVIVAL = "survival", _("Survival by tenure and department")


class ScenarioKind(models.TextChoices):
    BASELINE = "baseline", _("As planned")
    HIRING_FREEZE = "hiring_freeze", _("Hiring freeze")
    GROWTH = "growth", _("Growth")
    LEAVING_UP = "leaving_up", _("Leaving up")
    DEPARTMENT_CLOSED = "department_closed", _("Department closed")
