"""How tasks read on pages, in the API and in e-mails: the history lines in the reader's
language, how late a task is, where it was made from."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from gmassist.office.tasks.choices import EntryKind, Escalation, Priority, TaskStatus
from gmassist.office.tasks.models import Task, TaskComment
from gmassist.office.tasks.subjects import subject_url


def _label(choices: Any, value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _field_label(field: str) -> str:
    labels = {
        "title": _("Title"),
        "description": _("Description"),
        "due_on": _("Due"),
        "remind_on": _("Remind on"),
        "priority": _("Priority"),
    }
    return labels.get(field, field)


def _value(field: str, value: Any) -> str:
    if value in (None, ""):
        return _("none")
    if field == "priority":
        return _label(Priority, value)
    return str(value)


@dataclass(frozen=True)
class HistoryLine:
    """One line of a task's history as the reader reads it."""

    when: dt.datetime
    who: str  # "" for the application
    kind: str
    text: str  # what happened, in the reader's language
    comment: str  # a person's words (a comment, or the note given with a change)


def history_line(entry: TaskComment) -> HistoryLine:
    """`entry` in the reader's language."""
    change = entry.change or {}
    if entry.kind == EntryKind.COMMENT:
        text = ""
    elif entry.kind == EntryKind.CREATED:
        text = _("Created the task.")
    elif entry.kind == EntryKind.STATUS:
        before, after = change.get("status", ["", ""])
        text = _("Status: %(before)s → %(after)s.") % {
            "before": _label(TaskStatus, before),
            "after": _label(TaskStatus, after),
        }
    elif entry.kind == EntryKind.REASSIGNED:
        before, after = change.get("owner", ["", ""])
        text = _("Owner: %(before)s → %(after)s.") % {"before": before, "after": after}
    elif entry.kind == EntryKind.CHANGED:
        parts = []
        for field, (before, after) in change.items():
            if field == "description":
                parts.append(_("the description changed"))
            else:
                parts.append(
                    _("%(field)s: %(before)s → %(after)s")
                    % {
                        "field": _field_label(field),
                        "before": _value(field, before),
                        "after": _value(field, after),
                    }
                )
        text = "; ".join(parts) + "."
    elif entry.kind == EntryKind.REMINDED:
        text = _("Reminder sent to the owner.")
    elif entry.kind == EntryKind.DUE_NOTICE:
        text = _("The owner was told the task is due today.")
    elif entry.kind == EntryKind.ESCALATED:
        level = change.get("escalation", ["", ""])[1]
        if level == Escalation.HEAD:
            text = _("Late: escalated to %(head)s, the owner's head.") % {
                "head": change.get("escalated_to", ["", ""])[1]
            }
        else:
            text = _("Still late: escalated to the GM's desk.")
    else:
        text = entry.get_kind_display()
    return HistoryLine(
        when=entry.created_at,
        who=str(entry.author) if entry.author_id else "",
        kind=entry.kind,
        text=text,
        comment=entry.text,
    )


def lateness(task: Task, today: dt.date) -> str:
    """ "3 days late", "due today", "due in 2 days", "" (no due date or finished)."""
    if task.due_on is None or not task.is_open:
        return ""
    days = (task.due_on - today).days
    if days < 0:
        return _("%(n)s days late") % {"n": -days} if days < -1 else _("1 day late")
    if days == 0:
        return _("due today")
    return _("due in %(n)s days") % {"n": days} if days > 1 else _("due tomorrow")


def about_link(task: Task) -> str:
    """The page of the record the task was made from ("" when none or gone)."""
    return subject_url(about=task.about) if task.about else ""
