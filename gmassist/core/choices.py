"""Choices shared by the core models."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    GM = "gm", _("General manager")
    ASSISTANT = "assistant", _("Assistant")
    HR = "hr", _("HR")
    DEPT_HEAD = "dept_head", _("Department head")
    ACCOUNT_MANAGER = "account_manager", _("Account manager")
    EMPLOYEE = "employee", _("Employee")


class Action(models.TextChoices):
    VIEW = "view", _("View")
    VIEW_PAY = "view_pay", _("View pay")
    CHANGE = "change", _("Change")
    PROPOSE = "propose", _("Propose")
    APPROVE = "approve", _("Approve")
    IMPORT = "import", _("Import")
    EXPORT = "export", _("Export")


class ProposalStatus(models.TextChoices):
    OPEN = "open", _("Open")
    # approved, and waiting for its effective date (core.services.proposals_apply_due)
    SCHEDULED = "scheduled", _("Approved, takes effect on its date")
    APPLIED = "applied", _("Approved and applied")
    # approved, but on its date the data no longer allowed it (e.g. the employee had left)
    LAPSED = "lapsed", _("Approved, could not take effect")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")
    IMPORT = "import", _("Imported")
    READ_PAY = "read_pay", _("Read pay")
    READ_RISK = "read_risk", _("Read leaving risk")
    PROPOSE = "propose", _("Proposed")
    APPROVE = "approve", _("Approved")
    REJECT = "reject", _("Rejected")
    WITHDRAW = "withdraw", _("Withdrew")
    APPLY = "apply", _("Applied")
