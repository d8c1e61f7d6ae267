"""How a document's route and versions read on its page and in the API, in the reader's
language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext

from gmassist.office.documents.choices import DocumentStatus, Routing, StepStatus
from gmassist.office.documents.models import Document, DocumentStep, DocumentVersion


@dataclass(frozen=True)
class StepView:
    """One step as the route shows it."""

    step: DocumentStep
    state_label: str
    decided_line: str  # "Hank Head, 2026-12-02 09:10" or "Oscar (deputy) on behalf of Hank"


def route_rule(document: Document, approvers: int) -> str:
    """The route's rule in one sentence ("In sequence: each after the previous approved")."""
    if document.routing == Routing.SEQUENCE:
        return gettext("In sequence: each approver after the previous one approved.")
    needed = document.min_approvals or approvers
    return gettext("In parallel: approved once %(needed)d of %(total)d have approved.") % {
        "needed": needed,
        "total": approvers,
    }


def step_views(version: DocumentVersion) -> list[StepView]:
    """The steps of `version` in their order, each with its state and who decided it."""
    from django.utils import formats, timezone

    out = []
    for step in version.steps.all():
        line = ""
        if step.decided_at is not None:
            when = formats.date_format(timezone.localtime(step.decided_at), "Y-m-d H:i")
            if step.on_behalf:
                line = gettext("%(deputy)s on behalf of %(approver)s, %(when)s") % {
                    "deputy": step.decided_by,
                    "approver": step.approver,
                    "when": when,
                }
            else:
                line = gettext("%(who)s, %(when)s") % {"who": step.decided_by, "when": when}
        out.append(StepView(step, str(step.get_status_display()), line))
    return out


def approvals_progress(document: Document, version: DocumentVersion) -> dict[str, Any]:
    """How far the route of `version` is: approvals made and needed."""
    steps = list(version.steps.all())
    needed = (
        len(steps)
        if document.routing == Routing.SEQUENCE
        else (document.min_approvals or len(steps))
    )
    made = sum(1 for step in steps if step.status == StepStatus.APPROVED)
    return {"made": made, "needed": needed, "total": len(steps)}


def status_explained(document: Document) -> str:
    """What the document's status means for whoever reads it."""
    return {
        DocumentStatus.DRAFT: gettext("A draft: only its author sees it move."),
        DocumentStatus.IN_REVIEW: gettext("Waiting for the approvers' decisions."),
        DocumentStatus.CHANGES_REQUESTED: gettext(
            "Sent back to its author for changes: a new version starts the route again."
        ),
        DocumentStatus.APPROVED: gettext(
            "Approved and archived: read-only, kept with its approval record."
        ),
        DocumentStatus.REJECTED: gettext("Rejected: kept with the reasons."),
        DocumentStatus.WITHDRAWN: gettext("Withdrawn by its author."),
    }[DocumentStatus(document.status)]
