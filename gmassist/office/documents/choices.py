"""Choices of documents awaiting approval."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DocumentKind(models.TextChoices):
    MEMO = "memo", _("Memo")
    # "Contract" alone is also an employment type (a contract worker) in the catalogue
    CONTRACT = "contract", pgettext_lazy("document kind", "Contract")
    REPORT = "report", _("Report")
    POLICY = "policy", _("Policy")
    OTHER = "other", _("Other")


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    CHANGES_REQUESTED = "changes", _("Changes requested")
    # "Approved" alone is the audit log's verb
    APPROVED = "approved", pgettext_lazy("document status", "Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# a document the author may still revise (a new version) or withdraw
OPEN_STATUSES = (
    DocumentStatus.DRAFT,
    DocumentStatus.IN_REVIEW,
    DocumentStatus.CHANGES_REQUESTED,
)
FINAL_STATUSES = (DocumentStatus.APPROVED, DocumentStatus.REJECTED, DocumentStatus.WITHDRAWN)


class Routing(models.TextChoices):
    SEQUENCE = "sequence", _("In sequence")
    PARALLEL = "parallel", _("In parallel")


class StepStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting its turn")
    OPEN = "open", _("To decide")
    APPROVED = "approved", pgettext_lazy("document status", "Approved")
    REJECTED = "rejected", _("Rejected")
    CHANGES = "changes", _("Asked for changes")
    SKIPPED = "skipped", _("Not needed")


class Decision(models.TextChoices):
    APPROVE = "approve", _("Approve")
    CHANGES = "changes", _("Ask for changes")
    REJECT = "reject", _("Reject")


DECISION_STEP_STATUS = {
    Decision.APPROVE: StepStatus.APPROVED,
    Decision.CHANGES: StepStatus.CHANGES,
    Decision.REJECT: StepStatus.REJECTED,
}
