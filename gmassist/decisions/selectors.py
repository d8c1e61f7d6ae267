"""Reads of the decisions register, always scoped to the requesting user through `restrict`.

An employee sees the decisions addressed to them (and their answered questions); a head sees
the decisions of their subtree and, on any decision they see, the acknowledgements of their
subtree; the GM's office sees everything.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from gmassist.core.choices import Action
from gmassist.core.models import User
from gmassist.core.permissions import ALL, Domain, may, reach
from gmassist.decisions.choices import LIVE_STATUSES, ResponseKind
from gmassist.decisions.engine import Consensus, ResponseFact, consensus
from gmassist.decisions.models import Acknowledgement, Decision, DecisionVersion, Response

# The orders the register can be sorted by; a "-" in front reverses them.
DECISION_SORTS = {
    "effective_date": ("effective_date", "id"),
    "title": ("title", "id"),
    "status": ("status", "-effective_date", "id"),
    "published": ("published_at", "id"),
}


def decisions_visible(*, user: User | None, action: str = Action.VIEW) -> QuerySet[Decision]:
    """Decisions `user` may see (or act on); `SYSTEM` (the CLI) sees all, None nothing.

    The addressee path goes through the acknowledgement rows; an `IN (subquery)` keeps each
    decision once however many rows match.
    """
    decisions = Decision.objects.select_related("department", "author")
    if reach(user, Domain.DECISIONS, action) == ALL:
        return decisions.restrict(user, action)
    return decisions.filter(
        pk__in=Decision.objects.restrict(user, action).values("pk")
    ).scoped_by_selector(user, action)


def decision_register(
    *,
    user: User | None,
    search: str = "",
    status: str | None = None,
    department_id: int | None = None,
    effective_from: Any = None,
    effective_to: Any = None,
    pending_only: bool = False,
    sort: str = "-effective_date",
) -> QuerySet[Decision]:
    """The register as `user` may see it, filtered and sorted (a key of DECISION_SORTS).

    `pending_only` keeps the decisions the user still has to acknowledge. Each row carries
    `addressee_count` and `acknowledged_count` (of the whole decision).
    """
    decisions = decisions_visible(user=user)
    if search:
        decisions = decisions.filter(Q(title__icontains=search) | Q(summary__icontains=search))
    if status:
        decisions = decisions.filter(status=status)
    if department_id:
        decisions = decisions.filter(department_id=department_id)
    if effective_from:
        decisions = decisions.filter(effective_date__gte=effective_from)
    if effective_to:
        decisions = decisions.filter(effective_date__lte=effective_to)
    if pending_only:
        employee_id = getattr(user, "employee_id", None) or 0
        decisions = decisions.filter(
            status__in=LIVE_STATUSES,
            pk__in=Acknowledgement.objects.filter(
                employee_id=employee_id, acknowledged_at__isnull=True
            ).values("decision_id"),
        )
    descending = sort.startswith("-")
    fields = DECISION_SORTS.get(sort.lstrip("-"), DECISION_SORTS["effective_date"])
    order = [(f if f.startswith("-") else ("-" + f)) if descending else f for f in fields]
    return decisions.annotate(
        addressee_count=Count("acknowledgements"),
        acknowledged_count=Count(
            "acknowledgements", filter=Q(acknowledgements__acknowledged_at__isnull=False)
        ),
    ).order_by(*order)


def decision_versions(*, decision: Decision) -> QuerySet[DecisionVersion]:
    """Every published wording of a visible decision, newest first."""
    return decision.versions.select_related("created_by").order_by("-number")


def own_acknowledgement(*, user: User, decision: Decision) -> Acknowledgement | None:
    """The user's own acknowledgement row of the decision, None when not addressed."""
    if not getattr(user, "employee_id", None):
        return None
    return Acknowledgement.objects.filter(decision=decision, employee_id=user.employee_id).first()


def acknowledgements_visible(*, user: User | None, decision: Decision) -> QuerySet:
    """The decision's acknowledgement rows `user` may see: all for the GM's office, the
    subtree's for a head, one's own for an addressee."""
    return Acknowledgement.objects.filter(decision=decision).restrict(user, Action.VIEW)


def acknowledgement_by_department(*, user: User | None, decision: Decision) -> list[dict]:
    """Per department: addressees, acknowledged, pending and the share acknowledged (0-1),
    largest departments first; only the rows `user` may see."""
    rows = (
        acknowledgements_visible(user=user, decision=decision)
        .values("department_id", "department__name")
        .annotate(
            total=Count("pk"),
            acknowledged=Count("pk", filter=Q(acknowledged_at__isnull=False)),
        )
        .order_by("-total", "department__name")
    )
    return [
        {
            "department_id": row["department_id"],
            "department": row["department__name"],
            "total": row["total"],
            "acknowledged": row["acknowledged"],
            "pending": row["total"] - row["acknowledged"],
            "share": row["acknowledged"] / row["total"] if row["total"] else 0.0,
        }
        for row in rows
    ]


def addressees_list(
    *, user: User | None, decision: Decision, acknowledged: bool | None = None
) -> QuerySet[Acknowledgement]:
    """The addressees `user` may see, with name and department; `acknowledged` True/False
    keeps those who have / have not acknowledged the current version."""
    rows = acknowledgements_visible(user=user, decision=decision).select_related(
        "employee", "department"
    )
    if acknowledged is True:
        rows = rows.filter(acknowledged_at__isnull=False)
    elif acknowledged is False:
        rows = rows.filter(acknowledged_at__isnull=True)
    return rows.order_by("department__name", "employee__full_name", "employee_id")


def decision_questions(*, decision: Decision) -> QuerySet[Response]:
    """The questions of a decision the reader may see, with their answers: shown to every
    reader of the decision (an anonymous asker reads the answer there)."""
    return (
        Response.objects.filter(decision=decision, kind=ResponseKind.QUESTION)
        .select_related("author", "department", "answered_by")
        .order_by("-submitted_on", "text")
    )


def decision_responses(*, user: User | None, decision: Decision) -> QuerySet[Response]:
    """The responses of every kind `user` may read in full: all for the GM's office and for
    a head on their subtree's decisions, one's own otherwise."""
    responses = Response.objects.filter(decision=decision).restrict(user, Action.VIEW)
    return responses.select_related("author", "department", "answered_by").order_by(
        "-submitted_on", "kind", "text"
    )


def responses_readable(*, user: User | None, decision: Decision) -> QuerySet[Response]:
    """The responses of a decision `user` sees, newest first: every one for those who read
    them in full (`may_read_responses`), else the questions (shown to every reader of the
    decision, with their answers) and one's own. Call only for a decision `user` may see."""
    if may_read_responses(user=user, decision=decision):
        return decision_responses(user=user, decision=decision)
    mine = decision_responses(user=user, decision=decision).values("pk")
    questions = decision_questions(decision=decision).values("pk")
    return (
        Response.objects.filter(Q(pk__in=questions) | Q(pk__in=mine))
        .select_related("author", "department", "answered_by")
        .order_by("-submitted_on", "kind", "text")
        # the questions are every reader's: the rule is the decision's, not Response's own
        .scoped_by_selector(user, Action.VIEW)
    )


def may_read_responses(*, user: User | None, decision: Decision) -> bool:
    """True when `user` reads every response of the decision, not only their own: the GM's
    office, and a head on a decision of their subtree (the same rule as `Response.restrict`)."""
    return may(user, Domain.DECISIONS, Action.VIEW, department_id=decision.department_id)


def decision_consensus(*, user: User | None, decision: Decision) -> Consensus:
    """The consensus summary of the responses `user` may read (see `engine.consensus`)."""
    facts = [
        ResponseFact(
            kind=row["kind"],
            theme=row["theme"],
            department=row["department__name"] or "",
            text=row["text"],
            day=row["submitted_on"],
        )
        for row in decision_responses(user=user, decision=decision).values(
            "kind", "theme", "department__name", "text", "submitted_on"
        )
    ]
    addressees = Acknowledgement.objects.filter(decision=decision).count()
    return consensus(facts, addressees=addressees)


# --- the inbox -------------------------------------------------------------------------------

# how many acknowledged decisions the inbox shows below the ones to acknowledge
INBOX_DONE = 5


def inbox_acknowledgements(*, user: User) -> list[Acknowledgement]:
    """The user's decisions for the inbox: every one to acknowledge (oldest first), then the
    latest few acknowledged or withdrawn."""
    if not getattr(user, "employee_id", None):
        return []
    mine = Acknowledgement.objects.filter(employee_id=user.employee_id).select_related("decision")
    pending = list(
        mine.filter(acknowledged_at__isnull=True, decision__status__in=LIVE_STATUSES).order_by(
            "decision__effective_date", "decision_id"
        )
    )
    done = list(
        mine.exclude(pk__in=[row.pk for row in pending]).order_by(
            "-decision__published_at", "-decision_id"
        )[:INBOX_DONE]
    )
    return pending + done


def inbox_pending_count(*, user: User) -> int:
    """How many decisions the user still has to acknowledge (the inbox badge)."""
    if not getattr(user, "employee_id", None):
        return 0
    return Acknowledgement.objects.filter(
        employee_id=user.employee_id,
        acknowledged_at__isnull=True,
        decision__status__in=LIVE_STATUSES,
    ).count()


def decisions_due_for_reminder(*, older_than_days: int = 3) -> QuerySet[Decision]:
    """Live decisions published more than `older_than_days` days ago with addressees who have
    not acknowledged (what the reminder job walks through)."""
    cutoff = timezone.now() - dt.timedelta(days=older_than_days)
    return Decision.objects.filter(
        status__in=LIVE_STATUSES,
        published_at__lte=cutoff,
        pk__in=Acknowledgement.objects.filter(acknowledged_at__isnull=True).values("decision_id"),
    ).order_by("published_at", "id")
