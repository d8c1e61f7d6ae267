"""Choices of the organisation model."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EmployeeStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ON_LEAVE = "on_leave", _("On leave")
    LEFT = "left", _("Left")


class EmploymentType(models.TextChoices):
    FULL_TIME = "full_time", _("Full-time")
    PART_TIME = "part_time", _("Part-time")
    CONTRACT = "contract", _("Contract")
    INTERN = "intern", _("Intern")


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")


class SeparationType(models.TextChoices):
    VOLUNTARY = "voluntary", _("Voluntary")
    INVOLUNTARY = "involuntary", _("Involuntary")
    RETIREMENT = "retirement", _("Retirement")


class AttributeKind(models.TextChoices):
    NUMBER = "number", _("Number")
    CATEGORY = "category", _("Category")
    DATE = "date", _("Date")


class PayChangeReason(models.TextChoices):
    HIRE = "hire", _("Starting pay")
    REVIEW = "review", _("Pay review")
    PROMOTION = "promotion", _("Promotion")
    ADJUSTMENT = "adjustment", _("Adjustment")
    IMPORT = "import", _("Imported")
