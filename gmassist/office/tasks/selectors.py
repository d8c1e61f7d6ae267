"""Reads of the delegated tasks, always scoped to the requesting user through `restrict`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from gmassist.core.choices import Action
from gmassist.core.permissions import ALL, SUBTREE, Domain, headed_subtree_ids, reach
from gmassist.office.tasks.choices import OPEN_STATUSES, PRIORITY_RANK, Escalation
from gmassist.office.tasks.models import Task, TaskComment

# what the list shows: whose tasks
MINE = "mine"  # the tasks I own
DELEGATED = "delegated"  # the tasks I delegated to others
SUBTREE_TASKS = "subtree"  # the tasks of my subtree's people (a head)
EVERYTHING = "all"  # every task I may see

TASK_SORTS = {
    "due": ("due_on", "id"),
    "priority": ("priority_rank", "due_on", "id"),
    "title": ("title", "id"),
    "status": ("status", "due_on", "id"),
    "created": ("created_at", "id"),
}


def tasks_visible(*, user: Any, action: str = Action.VIEW) -> QuerySet[Task]:
    """The tasks `user` may see (or do `action` to), with what lists show."""
    return (
        Task.objects.restrict(user, action)
        .select_related(
            "owner",
            "owner__employee",
            "owner__employee__department",
            "delegated_by",
            "delegated_by__employee",
            "escalated_to",
            "escalated_to__employee",
        )
        .annotate(
            priority_rank=Case(
                *[When(priority=p, then=Value(rank)) for p, rank in PRIORITY_RANK.items()],
                output_field=IntegerField(),
            )
        )
    )


def _late_q(today: dt.date) -> Q:
    return Q(status__in=OPEN_STATUSES, due_on__lt=today)


def task_list(
    *,
    user: Any,
    today: dt.date,
    whose: str = "",
    status: str = "",
    owner_id: int | None = None,
    overdue: bool = False,
    open_only: bool = False,
    priority: str = "",
    sort: str = "due",
) -> QuerySet[Task]:
    """The tasks `user` may see, filtered: `whose` one of MINE, DELEGATED, SUBTREE_TASKS
    (of the people of the departments the user heads) or "" / EVERYTHING; `overdue` only
    those still open after their due date (`today`); `open_only` only the open statuses.
    `sort` a key of TASK_SORTS, "-" first for descending; tasks with no due date come last."""
    tasks = tasks_visible(user=user)
    user_pk = getattr(user, "pk", None)
    if whose == MINE:
        tasks = tasks.filter(owner_id=user_pk)
    elif whose == DELEGATED:
        tasks = tasks.filter(delegated_by_id=user_pk).exclude(owner_id=user_pk)
    elif whose == SUBTREE_TASKS:
        subtree = sorted(headed_subtree_ids(user))
        tasks = tasks.filter(owner__employee__department_id__in=subtree).exclude(owner_id=user_pk)
    if status:
        tasks = tasks.filter(status=status)
    if open_only:
        tasks = tasks.filter(status__in=OPEN_STATUSES)
    if owner_id is not None:
        tasks = tasks.filter(owner_id=owner_id)
    if priority:
        tasks = tasks.filter(priority=priority)
    if overdue:
        tasks = tasks.filter(_late_q(today))
    key = sort.lstrip("-")
    fields = TASK_SORTS.get(key, TASK_SORTS["due"])
    descending = sort.startswith("-")
    order = []
    for field in fields:
        if field == "due_on":
            expression = Q(due_on__isnull=True)  # no due date: last either way
            order.append(Case(When(expression, then=Value(1)), default=Value(0)).asc())
        order.append(f"-{field}" if descending and field != "id" else field)
    return tasks.order_by(*order)


def task_views_for(user: Any) -> list[str]:
    """The `whose` choices that make sense for `user`: mine and delegated for everyone, the
    subtree's for a head, everything for the GM's office."""
    views = [MINE, DELEGATED]
    how_far = reach(user, Domain.OFFICE_TASKS, Action.VIEW)
    if how_far == SUBTREE and headed_subtree_ids(user):
        views.append(SUBTREE_TASKS)
    if how_far == ALL:
        views.append(EVERYTHING)
    return views


def task_history(*, task: Task) -> QuerySet[TaskComment]:
    """The comments and recorded changes of a task, oldest first (the caller found the task
    visible: its history is every reader's of the task)."""
    return (
        TaskComment.objects.filter(task=task)
        .select_related("author", "author__employee")
        .order_by("created_at", "id")
    )


def tasks_late_delegated_by(*, user: Any, today: dt.date) -> QuerySet[Task]:
    """Open tasks `user` delegated to someone else that are past their due date, most late
    first (not those at the GM's desk, which Today lists apart)."""
    return (
        task_list(user=user, today=today, whose=DELEGATED, overdue=True)
        .exclude(escalation=Escalation.GM)
        .order_by("due_on", "id")
    )


def tasks_at_gm_desk(*, user: Any) -> QuerySet[Task]:
    """Open tasks escalated to the GM's desk, for the GM's office (nothing for others)."""
    if reach(user, Domain.OFFICE_TASKS, Action.VIEW) != ALL:
        return Task.objects.none()
    return (
        tasks_visible(user=user)
        .filter(status__in=OPEN_STATUSES, escalation=Escalation.GM)
        .order_by("escalated_at", "id")
    )


def tasks_late_in_subtree(*, user: Any, today: dt.date) -> QuerySet[Task]:
    """Open, late tasks of the people of the departments `user` heads (not their own)."""
    if reach(user, Domain.OFFICE_TASKS, Action.VIEW) != SUBTREE or not headed_subtree_ids(user):
        return Task.objects.none()
    return task_list(user=user, today=today, whose=SUBTREE_TASKS, overdue=True).order_by(
        "due_on", "id"
    )


def tasks_owned_open(*, user: Any) -> QuerySet[Task]:
    """The open tasks `user` owns, soonest due first (no due date last)."""
    from django.utils import timezone

    return task_list(user=user, today=timezone.localdate(), whose=MINE, open_only=True, sort="due")


def tasks_about(*, user: Any, about: str) -> QuerySet[Task]:
    """The tasks `user` may see that were made from the record `about`."""
    return tasks_visible(user=user).filter(about=about).order_by("-created_at", "id")
