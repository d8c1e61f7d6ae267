"""When a delegated task is followed up: the pure rule of reminders and escalation.

Plain data in, plain data out, no Django: the job (services.tasks_follow_up) reads each open
task's dates, asks `follow_up` what is due today, and records what it did, so running it twice
on a day does nothing the second time (every step is taken at most once per due date).

The steps, for an open task on `today` (all dates are calendar days):

- REMIND: the reminder day has come (remind_on <= today) and the task is not yet due
  (today < due_on, or no due date): the owner is reminded, once.
- DUE: the due date has come (due_on <= today): the owner is told it is due, once.
- ESCALATE_HEAD: the task is late (due_on < today) and not escalated: to the owner's head (or
  straight to the GM's desk when the owner has no head to escalate to), once.
- ESCALATE_GM: escalated to the head `gm_after_days` days ago or more and still open: to the
  GM's desk, once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class Step(StrEnum):
    REMIND = "remind"
    DUE = "due"
    ESCALATE_HEAD = "escalate_head"
    ESCALATE_GM = "escalate_gm"


# the escalation levels, as stored (office.tasks.choices.Escalation)
NONE = "none"
HEAD = "head"
GM = "gm"


@dataclass(frozen=True)
class TaskDates:
    """What the rule reads of one open task: its dates, what was done and when (days)."""

    due_on: dt.date | None
    remind_on: dt.date | None = None
    reminded_on: dt.date | None = None  # the day the reminder went, None: not yet
    due_notified_on: dt.date | None = None  # the day the due-date notice went
    escalation: str = NONE
    escalated_on: dt.date | None = None  # the day of the latest escalation


def follow_up(task: TaskDates, *, today: dt.date, gm_after_days: int) -> list[Step]:
    """The steps due for `task` on `today`, in order. The GM's desk comes `gm_after_days`
    days (>= 0) after the head was told; with 0, on the same run, so that running the rule
    twice on a day gives what running it once does."""
    if gm_after_days < 0:
        raise ValueError("gm_after_days must be 0 or more")
    steps: list[Step] = []
    due = task.due_on
    if (
        task.remind_on is not None
        and task.reminded_on is None
        and task.remind_on <= today
        and (due is None or today < due)
    ):
        steps.append(Step.REMIND)
    if due is None:
        return steps
    if task.due_notified_on is None and due <= today:
        steps.append(Step.DUE)
    if today <= due:
        return steps
    if task.escalation == NONE:
        steps.append(Step.ESCALATE_HEAD)
        if gm_after_days == 0:  # no days for the head: the GM's desk at once, on the same run
            steps.append(Step.ESCALATE_GM)
    elif (
        task.escalation == HEAD
        and task.escalated_on is not None
        and (today - task.escalated_on).days >= gm_after_days
    ):
        steps.append(Step.ESCALATE_GM)
    return steps


def head_chain(
    *,
    department_id: int | None,
    owner_employee_id: int | None,
    parent_of: dict[int, int | None],
    head_of: dict[int, int | None],
) -> int | None:
    """The employee id of the head a late task escalates to: the head of the owner's
    department, or of the nearest department above with a head when the owner is that head
    (or the department has none). None when there is nobody (the GM's desk then).

    `parent_of` maps a department id to its parent's (None at the top), `head_of` to its head's
    employee id (None when it has none). A cycle in the tree ends the search.
    """
    seen: set[int] = set()
    current = department_id
    while current is not None and current not in seen:
        seen.add(current)
        head = head_of.get(current)
        if head is not None and head != owner_employee_id:
            return head
        current = parent_of.get(current)
    return None
