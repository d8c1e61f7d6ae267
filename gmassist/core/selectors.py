"""Reads of core data, always scoped to the requesting user through `restrict`."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from gmassist.core.choices import Action, ProposalStatus
from gmassist.core.models import AuditEntry, Job, Proposal, User


def proposals_visible(*, user: User, status: str | None = None) -> QuerySet[Proposal]:
    """Proposals the user may see, newest first, optionally of one status."""
    qs = Proposal.objects.restrict(user, Action.VIEW).select_related(
        "proposed_by", "decided_by", "subject_employee", "department"
    )
    return qs.filter(status=status) if status else qs


def jobs_visible(*, user: User) -> QuerySet[Job]:
    """Jobs the user may see: their own, or all for the GM's office."""
    return Job.objects.restrict(user, Action.VIEW).select_related("created_by")


def audit_entries_visible(*, user: User) -> QuerySet[AuditEntry]:
    """The audit log, for the roles allowed to read it (the GM)."""
    return AuditEntry.objects.restrict(user, Action.VIEW).select_related("actor")


def home_overview(*, user: User) -> dict[str, Any]:
    """What the home page shows this user: the company at a glance, scoped to what they may see."""
    from gmassist.org import selectors as org_selectors

    return {
        "headcount_by_department": org_selectors.headcount_by_department(user=user),
        "own_employee": org_selectors.own_employee(user=user),
        "open_proposals": list(proposals_visible(user=user, status=ProposalStatus.OPEN)[:10]),
        "recent_jobs": list(jobs_visible(user=user)[:5]),
    }
