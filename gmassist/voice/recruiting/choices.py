"""Choices of the recruiting contacts: agency kinds and statuses, requisition urgencies, reasons
and statuses, candidate sources and stages."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AgencyKind(models.TextChoices):
    AGENCY = "agency", _("Recruiting agency")
    HEADHUNTER = "headhunter", _("Headhunter")


class AgencyStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    ENDED = "ended", _("Ended")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")
    CRITICAL = "critical", _("Critical")


class RequisitionReason(models.TextChoices):
    REPLACEMENT = "replacement", _("Replacement")
    GROWTH = "growth", _("Growth")
    NEW_ROLE = "new_role", _("New role")
    PROJECT = "project", _("Project")


class RequisitionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    FILLED = "filled", _("Filled")
    CANCELLED = "cancelled", _("Cancelled")


class CandidateSource(models.TextChoices):
    AGENCY = "agency", _("Agency or headhunter")
    REFERRAL = "referral", _("Employee referral")
    DIRECT = "direct", _("Direct application")
    JOB_BOARD = "job_board", _("Job board")
    INTERNAL = "internal", _("Internal move")
    OTHER = "other", _("Other")


class CandidateStage(models.TextChoices):
    APPLIED = "applied", _("Applied")
    SCREENING = "screening", _("Screening")
    INTERVIEW = "interview", _("Interview")
    OFFER = "offer", _("Offer")
    HIRED = "hired", _("Hired")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# urgencies that count as "urgent" for the overdue list
URGENT_LEVELS = (Urgency.URGENT, Urgency.CRITICAL)
# stages after which a candidate's process is over
FINAL_STAGES = (CandidateStage.HIRED, CandidateStage.REJECTED, CandidateStage.WITHDRAWN)
