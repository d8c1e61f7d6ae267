"""Reads of the triage: waiting and decided matters, a matter's history, the rules, the people
a matter can be delegated to, and the acceptance report. Every read that a page, an endpoint
or the CLI shows goes through `restrict` (the office_triage domain: the GM's office only)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from gmassist.core.choices import Action, Role
from gmassist.core.models import User
from gmassist.office.triage.choices import Category, MatterStatus, Route
from gmassist.office.triage.models import Matter, TriageDecision, TriageRule
from gmassist.org.models import Department


def matters_visible(*, user: Any, action: str = Action.VIEW) -> QuerySet[Matter]:
    """Every matter `user` may see (or act on, for `action`)."""
    # users name themselves by their employee record (User.__str__)
    return Matter.objects.restrict(user, action).select_related(
        "department",
        "proposed_owner__employee",
        "owner__employee",
        "decided_by__employee",
        "submitted_by__employee",
    )


def matters_waiting(*, user: Any) -> QuerySet[Matter]:
    """The matters waiting for the GM's decision, the oldest first."""
    return (
        matters_visible(user=user).filter(status=MatterStatus.WAITING).order_by("received_at", "id")
    )


def matters_decided(
    *, user: Any, route: str = "", accepted: bool | None = None
) -> QuerySet[Matter]:
    """The decided matters, the latest decision first; only of `route` when given, only those
    where the proposal was (or was not) accepted when `accepted` is given."""
    rows = matters_visible(user=user).filter(status=MatterStatus.DECIDED)
    if route:
        rows = rows.filter(route=route)
    if accepted is not None:
        rows = rows.filter(accepted=accepted)
    return rows.order_by("-decided_at", "-id")


def matter_decisions(*, user: Any, matter: Matter) -> QuerySet[TriageDecision]:
    """The decisions on `matter`, the first first."""
    return (
        TriageDecision.objects.restrict(user, Action.VIEW)
        .filter(matter=matter)
        .select_related("owner__employee", "decided_by__employee")
        .order_by("decided_at", "id")
    )


def rules_visible(*, user: Any) -> QuerySet[TriageRule]:
    """The GM's rules in their order (the first that matches decides)."""
    return TriageRule.objects.restrict(user, Action.VIEW).select_related("owner__employee")


def rules_active() -> QuerySet[TriageRule]:
    """The active rules in their order (unscoped: the engine applies them to every matter)."""
    return TriageRule.objects.filter(active=True).order_by("position", "id")


def decisions_version() -> tuple[int, int]:
    """(count, highest id) of the decisions: the key of the company's classifier's cache."""
    row = TriageDecision.objects.aggregate(n=Count("id"), last=Max("id"))
    return row["n"] or 0, row["last"] or 0


def decisions_learnt() -> list[tuple[str, str, str]]:
    """(text, language, category) of each decided matter's latest decision (unscoped: what the
    classifier learns from)."""
    return [
        (f"{title}\n{text}".strip(), language, category)
        for title, text, language, category in Matter.objects.filter(
            status=MatterStatus.DECIDED
        ).values_list("title", "text", "language", "category")
    ]


def department_head_user(department: Department | None) -> User | None:
    """The active user of the nearest head at or above `department` (None when none), passing
    over the GM: a matter the GM would own is the GM's, not a delegation."""
    seen: set[int] = set()
    current = department
    while current is not None and current.pk not in seen:
        seen.add(current.pk)
        if current.head_id is not None:
            user = (
                User.objects.filter(employee_id=current.head_id, is_active=True)
                .exclude(role=Role.GM)
                .first()
            )
            if user is not None:
                return user
        current = current.parent
    return None


def delegate_choices() -> QuerySet[User]:
    """Who a matter can be delegated to: the heads of departments (their users), HR and the
    assistant; active users only, by name; never the GM (a matter the GM keeps is the GM's)."""
    heads = Department.objects.filter(head__isnull=False).values("head_id")
    return (
        User.objects.filter(is_active=True)
        .exclude(role=Role.GM)
        .filter(Q(employee_id__in=heads) | Q(role__in=(Role.HR, Role.ASSISTANT, Role.DEPT_HEAD)))
        .select_related("employee")
        .order_by("last_name", "first_name", "username")
    )


# the one-click "delegate to…" of the list offers at most this many people (the matter's page
# offers everyone)
SHORTLIST_SIZE = 40


def delegate_shortlist() -> list[User]:
    """The people the list's one-click "delegate to…" offers: HR, the assistant and the heads of
    the top three levels of departments (the office, divisions, regions), by name, at most
    SHORTLIST_SIZE; a matter's proposed owner is added to its own list by the page."""
    top_heads = Department.objects.filter(head__isnull=False).filter(
        Q(parent__isnull=True)
        | Q(parent__parent__isnull=True)
        | Q(parent__parent__parent__isnull=True)
    )
    return list(
        User.objects.filter(is_active=True)
        .exclude(role=Role.GM)
        .filter(
            Q(employee_id__in=top_heads.values("head_id")) | Q(role__in=(Role.HR, Role.ASSISTANT))
        )
        .select_related("employee")
        .order_by("last_name", "first_name", "username")[:SHORTLIST_SIZE]
    )


def _rate(accepted: int, decided: int) -> float | None:
    return accepted / decided if decided else None


def acceptance_report(*, user: Any) -> dict[str, Any]:
    """How often the GM accepted the proposal (each decided matter's latest decision: the
    same route, category and, when delegated, owner as proposed).

    {"decided", "accepted", "rate" (0-1 or None), "corrected", "by_category": [{"category",
    "decided", "accepted", "rate"}] (by the proposed category, in Category's order, those with
    decisions), "by_month": [{"month": "YYYY-MM", "decided", "accepted", "rate"}] (by the
    month of the decision, oldest first), "by_route": [{"route", ...}] (by the proposed route),
    "by_rule": {"rule": {...}, "classifier": {...}, "unsure": {...}}}."""
    rows = list(
        matters_visible(user=user)
        .filter(status=MatterStatus.DECIDED)
        .values_list(
            "proposed_category",
            "proposed_route",
            "decided_at",
            "accepted",
            "proposed_by_rule",
            "unsure",
        )
    )
    totals: dict[str, dict[str, list[int]]] = {
        "category": defaultdict(lambda: [0, 0]),
        "route": defaultdict(lambda: [0, 0]),
        "month": defaultdict(lambda: [0, 0]),
        "by": defaultdict(lambda: [0, 0]),
    }
    accepted_total = 0
    for category, route, decided_at, accepted, rule_id, unsure in rows:
        by = "rule" if rule_id is not None else ("unsure" if unsure else "classifier")
        for key, value in (
            ("category", category),
            ("route", route),
            ("month", timezone.localtime(decided_at).strftime("%Y-%m")),
            ("by", by),
        ):
            totals[key][value][0] += 1
            totals[key][value][1] += int(bool(accepted))
        accepted_total += int(bool(accepted))

    def entries(kind: str, order: list[str], name: str) -> list[dict[str, Any]]:
        return [
            {
                name: value,
                "decided": totals[kind][value][0],
                "accepted": totals[kind][value][1],
                "rate": _rate(totals[kind][value][1], totals[kind][value][0]),
            }
            for value in order
            if value in totals[kind]
        ]

    return {
        "decided": len(rows),
        "accepted": accepted_total,
        "corrected": len(rows) - accepted_total,
        "rate": _rate(accepted_total, len(rows)),
        "by_category": entries("category", list(Category.values), "category"),
        "by_route": entries("route", list(Route.values), "route"),
        "by_month": entries("month", sorted(totals["month"]), "month"),
        "by_proposer": entries("by", ["rule", "classifier", "unsure"], "proposer"),
    }
