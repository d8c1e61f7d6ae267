"""Writes of the delegated tasks: creating, changing, commenting, statuses, reassigning, and the
follow-up job (reminders and escalation).

Who may do what (`may_work`, `may_manage`, `may_comment`, `may_assign`):

- the owner works the task: moves it between open, in progress, waiting and done, and comments;
- who delegated it and the GM's office (the "office_tasks" policy's change action over every
  task) manage it: change its title, description, due date, reminder and priority, reassign
  it, cancel it or reopen it, and comment;
- a head comments on the tasks of their subtree's people (a late task escalates to them);
- nobody else changes anything. Who may be given a task: oneself always; the people of one's
  subtree for a head; anyone for the GM's office.

Keyword-only, one transaction each, audited; each change is also a line of the task's history
(`TaskComment` of a kind other than comment), which its page shows.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import logging
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gmassist.core.choices import Action, AuditAction
from gmassist.core.models import User
from gmassist.core.notify import notify_users, site_url
from gmassist.core.permissions import ALL, Domain, acting_user, is_system, may, reach
from gmassist.core.services import audit_record
from gmassist.office.tasks import engine
from gmassist.office.tasks.choices import (
    OPEN_STATUSES,
    WORKING_STATUSES,
    EntryKind,
    Escalation,
    Priority,
    TaskStatus,
)
from gmassist.office.tasks.models import MAX_TEXT, MAX_TITLE, Task, TaskComment
from gmassist.office.tasks.subjects import subject_resolve

logger = logging.getLogger(__name__)

# "not given" for the arguments whose None means "no date"
UNSET: Any = object()

# False while the demo writes its past week: what happened then is history, not news to e-mail
_NOTIFY = contextvars.ContextVar("office_tasks_notify", default=True)


@contextlib.contextmanager
def notifications_off() -> Iterator[None]:
    """Within this block the task services e-mail nobody (the demo's history)."""
    token = _NOTIFY.set(False)
    try:
        yield
    finally:
        _NOTIFY.reset(token)


def _send_on_commit(users: list[Any], template: str, context: dict[str, Any]) -> None:
    """E-mail `users` once the transaction commits (unless notifications are off now)."""
    users = [user for user in users if user is not None and user.is_active]
    if users and _NOTIFY.get():
        transaction.on_commit(lambda: notify_users(users=users, template=template, context=context))


# --- who may do what -------------------------------------------------------------------------


def _is_user(actor: Any) -> bool:
    return actor is not None and not is_system(actor) and getattr(actor, "is_authenticated", False)


def is_office(actor: Any) -> bool:
    """True for the GM's office (and the system): who changes every task."""
    return reach(actor, Domain.OFFICE_TASKS, Action.CHANGE) == ALL


def may_work(*, user: Any, task: Task) -> bool:
    """True when `user` works the task (moves it through its working statuses): its owner."""
    return _is_user(user) and task.owner_id == user.pk


def may_manage(*, user: Any, task: Task) -> bool:
    """True when `user` may change the task's owner, dates, priority, cancel or reopen it: who
    delegated it and the GM's office."""
    if is_system(user):
        return True
    if not _is_user(user):
        return False
    return task.delegated_by_id == user.pk or is_office(user)


def may_comment(*, user: Any, task: Task) -> bool:
    """True when `user` may comment: whoever the "office_tasks" policy lets change the task
    (its owner, who delegated it, the head of its owner's subtree, the GM's office)."""
    if not _is_user(user):
        return False
    return Task.objects.restrict(user, Action.CHANGE).filter(pk=task.pk).exists()


def may_assign(*, by: Any, owner: User) -> bool:
    """True when `by` may give a task to `owner`: themselves, a person of their subtree (a
    head), anyone active (the GM's office and the system)."""
    if owner is None or not owner.is_active:
        return False
    if is_office(by):
        return True
    if not _is_user(by):
        return False
    if owner.pk == by.pk:
        return True
    if owner.employee_id is None:
        return False
    return may(by, Domain.OFFICE_TASKS, Action.CHANGE, department_id=owner.employee.department_id)


def may_create(*, user: Any) -> bool:
    """Everyone who is logged in may make tasks (for themselves at least)."""
    return _is_user(user) or is_system(user)


# --- checks of the input ---------------------------------------------------------------------


def _clean_title(title: str, errors: dict[str, str]) -> str:
    title = " ".join((title or "").split())
    if not title:
        errors["title"] = _("Give the task a title.")
    elif len(title) > MAX_TITLE:
        errors["title"] = _("At most %(limit)s characters.") % {"limit": MAX_TITLE}
    return title


def _clean_text(text: str, field: str, errors: dict[str, str], *, required: bool = False) -> str:
    text = (text or "").strip()
    if required and not text:
        errors[field] = _("This field is required.")
    elif len(text) > MAX_TEXT:
        errors[field] = _("At most %(limit)s characters.") % {"limit": MAX_TEXT}
    elif "\x00" in text:
        errors[field] = _("The text contains a NUL character.")
    return text


def _check_dates(
    *,
    due_on: dt.date | None,
    remind_on: dt.date | None,
    today: dt.date,
    errors: dict[str, str],
    due_changed: bool = True,
    remind_changed: bool = True,
) -> None:
    if due_on is not None and due_changed and due_on < today:
        errors["due_on"] = _("The due date cannot be in the past (today is %(today)s).") % {
            "today": today.isoformat()
        }
    if remind_on is not None:
        if remind_changed and remind_on < today:
            errors["remind_on"] = _("The reminder cannot be in the past.")
        elif due_on is not None and remind_on > due_on:
            errors["remind_on"] = _("The reminder must not be after the due date.")


def _check_priority(priority: str, errors: dict[str, str]) -> None:
    if priority not in Priority.values:
        errors["priority"] = _("Choose one of: %(values)s.") % {
            "values": ", ".join(Priority.values)
        }


def _history(
    task: Task, *, by: Any, kind: str, text: str = "", change: dict | None = None
) -> TaskComment:
    return TaskComment.objects.create(
        task=task, author=acting_user(by), kind=kind, text=text, change=change or {}
    )


def _person(user: User | None) -> str | None:
    return None if user is None else str(user)


def _printable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _task_url(task: Task) -> str:
    return site_url(reverse("office:task", args=[task.pk]))


def _notify_assigned(task: Task, by: Any) -> None:
    if acting_user(by) is not None and task.owner_id == by.pk:
        return  # one's own to-do: no e-mail to oneself
    _send_on_commit(
        [task.owner],
        "office/tasks/email/assigned",
        {"task": task, "by": acting_user(by), "url": _task_url(task)},
    )


# --- writes ----------------------------------------------------------------------------------


@transaction.atomic
def task_create(
    *,
    by: Any,
    title: str,
    owner: User,
    due_on: dt.date | None = None,
    priority: str = "normal",
    description: str = "",
    about: str = "",
    remind_on: dt.date | None = None,
) -> Task:
    """Make a task for `owner`, delegated by `by` (a user, or SYSTEM: delegated by nobody).

    `due_on` and `remind_on` are days (today or later; the reminder not after the due date);
    `about` names the record it is made from as "<app_label.model>:<pk>" (its title is kept on
    the task), refused when `by` may not see that record. The owner is e-mailed (unless it is
    `by`). Raises PermissionDenied when `by` may not give `owner` a task, ValidationError on
    bad input (by field)."""
    if not may_create(user=by):
        raise PermissionDenied(_("Log in to make a task."))
    errors: dict[str, str] = {}
    title = _clean_title(title, errors)
    description = _clean_text(description, "description", errors)
    _check_priority(priority, errors)
    today = timezone.localdate()
    _check_dates(due_on=due_on, remind_on=remind_on, today=today, errors=errors)
    about_title = ""
    if about:
        try:
            subject = subject_resolve(about=about, user=by)
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
        else:
            about, about_title = subject.about, subject.title
    if owner is None:
        errors["owner"] = _("Choose who owns the task.")
    if errors:
        raise ValidationError(errors)
    if not may_assign(by=by, owner=owner):
        raise PermissionDenied(_("You may not give %(name)s a task.") % {"name": owner})
    task = Task.objects.create(
        title=title,
        description=description,
        owner=owner,
        delegated_by=acting_user(by),
        due_on=due_on,
        priority=priority,
        remind_on=remind_on,
        about=about,
        about_title=about_title,
    )
    _history(task, by=by, kind=EntryKind.CREATED)
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        target=task,
        changes={
            "owner": [None, _person(owner)],
            "due_on": [None, _iso(due_on)],
            "priority": [None, priority],
            "about": [None, about or None],
        },
    )
    _notify_assigned(task, by)
    return task


def _locked(task: Task) -> Task:
    # of=("self",): PostgreSQL locks no row of a nullable outer join (delegated_by may be none)
    return (
        Task.objects.select_for_update(of=("self",))
        .select_related("owner", "delegated_by")
        .get(pk=task.pk)
    )


def _restart_follow_up(task: Task) -> list[str]:
    """A new due date or owner: the reminders and the escalation start again."""
    task.reminded_at = None
    task.due_notified_at = None
    task.escalation = Escalation.NONE
    task.escalated_at = None
    task.escalated_to = None
    return ["reminded_at", "due_notified_at", "escalation", "escalated_at", "escalated_to"]


@transaction.atomic
def task_update(
    *,
    task: Task,
    by: Any,
    title: str | None = None,
    description: str | None = None,
    due_on: dt.date | None = UNSET,
    remind_on: dt.date | None = UNSET,
    priority: str | None = None,
) -> Task:
    """Change what a task says or when it is due (who delegated it and the GM's office).

    Arguments left out stay; `due_on=None` or `remind_on=None` clears the date. A new due date
    starts the reminders and the escalation again. Audited with what changed."""
    if not may_manage(user=by, task=task):
        raise PermissionDenied(_("Only who delegated the task and the GM's office change it."))
    task = _locked(task)
    if task.status not in OPEN_STATUSES:
        raise ValidationError(
            _("The task is %(status)s: reopen it first.")
            % {"status": task.get_status_display().lower()}
        )
    errors: dict[str, str] = {}
    new: dict[str, Any] = {}
    if title is not None:
        new["title"] = _clean_title(title, errors)
    if description is not None:
        new["description"] = _clean_text(description, "description", errors)
    if priority is not None:
        _check_priority(priority, errors)
        new["priority"] = priority
    if due_on is not UNSET:
        new["due_on"] = due_on
    if remind_on is not UNSET:
        new["remind_on"] = remind_on
    final_due = new.get("due_on", task.due_on)
    final_remind = new.get("remind_on", task.remind_on)
    _check_dates(
        due_on=final_due,
        remind_on=final_remind,
        today=timezone.localdate(),
        errors=errors,
        due_changed="due_on" in new and new["due_on"] != task.due_on,
        remind_changed="remind_on" in new and new["remind_on"] != task.remind_on,
    )
    if errors:
        raise ValidationError(errors)
    changes: dict[str, list] = {}
    for field, value in new.items():
        before = getattr(task, field)
        if before != value:
            changes[field] = [before, value]
            setattr(task, field, value)
    if not changes:
        return task
    fields = list(changes)
    if "due_on" in changes:
        fields += _restart_follow_up(task)
    elif "remind_on" in changes:
        task.reminded_at = None
        fields.append("reminded_at")
    task.save(update_fields=[*fields, "updated_at"])
    printable = {
        k: [
            _iso(v[0]) if isinstance(v[0], dt.date) else v[0],
            _iso(v[1]) if isinstance(v[1], dt.date) else v[1],
        ]
        for k, v in changes.items()
    }
    # the description may be long: its history line says only that it changed
    if "description" in printable:
        printable["description"] = ["…", "…"]
    _history(task, by=by, kind=EntryKind.CHANGED, change=printable)
    audit_record(actor=by, action=AuditAction.UPDATE, target=task, changes=printable)
    return task


@transaction.atomic
def task_comment_add(*, task: Task, by: User, text: str) -> TaskComment:
    """Add a comment to a task (see `may_comment`); who delegated it and the owner are e-mailed
    when the other one writes."""
    if not may_comment(user=by, task=task):
        raise PermissionDenied(_("You may not comment on this task."))
    errors: dict[str, str] = {}
    text = _clean_text(text, "text", errors, required=True)
    if errors:
        raise ValidationError(errors)
    task = _locked(task)
    comment = _history(task, by=by, kind=EntryKind.COMMENT, text=text)
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        target=comment,
        target_repr=f"comment on task {task.pk}",
        changes={"task": [None, task.pk]},
    )
    others = [
        user
        for user in (task.owner, task.delegated_by)
        if user is not None and user.pk != by.pk and user.is_active
    ]
    _send_on_commit(
        others,
        "office/tasks/email/comment",
        {"task": task, "comment": comment, "by": by, "url": _task_url(task)},
    )
    return comment


def _status_allowed(*, user: Any, task: Task, status: str) -> bool:
    if (
        status in WORKING_STATUSES
        and task.status != TaskStatus.CANCELLED
        and may_work(user=user, task=task)
    ):
        return True
    if not may_manage(user=user, task=task):
        return False
    # who manages it cancels an open task and reopens a finished one
    if status == TaskStatus.CANCELLED:
        return task.status in OPEN_STATUSES
    return status == TaskStatus.OPEN and task.status in (TaskStatus.DONE, TaskStatus.CANCELLED)


@transaction.atomic
def task_set_status(*, task: Task, status: str, by: Any, note: str = "") -> Task:
    """Move a task to `status`: the owner between open, in progress, waiting and done; who
    delegated it and the GM's office cancel it (while open) or reopen it (once done or
    cancelled). `note`, optional, is kept in the history with the change. Audited."""
    if status not in TaskStatus.values:
        raise ValidationError(
            {"status": _("Choose one of: %(values)s.") % {"values": ", ".join(TaskStatus.values)}}
        )
    task = _locked(task)
    if status == task.status:
        raise ValidationError(
            _("The task is already %(status)s.") % {"status": task.get_status_display().lower()}
        )
    if not _status_allowed(user=by, task=task, status=status):
        raise PermissionDenied(
            _("You may not move this task to %(status)s.")
            % {"status": TaskStatus(status).label.lower()}
        )
    errors: dict[str, str] = {}
    note = _clean_text(note, "note", errors)
    if errors:
        raise ValidationError(errors)
    previous = task.status
    task.status = status
    task.completed_at = timezone.now() if status == TaskStatus.DONE else None
    task.save(update_fields=["status", "completed_at", "updated_at"])
    _history(task, by=by, kind=EntryKind.STATUS, text=note, change={"status": [previous, status]})
    audit_record(
        actor=by, action=AuditAction.UPDATE, target=task, changes={"status": [previous, status]}
    )
    if (
        status == TaskStatus.DONE
        and task.delegated_by is not None
        and task.delegated_by_id != (getattr(by, "pk", None))
    ):
        _send_on_commit(
            [task.delegated_by], "office/tasks/email/done", {"task": task, "url": _task_url(task)}
        )
    return task


@transaction.atomic
def task_reassign(*, task: Task, owner: User, by: Any, note: str = "") -> Task:
    """Give the task to another owner (who delegated it and the GM's office; the new owner
    must be someone `by` may give a task to). The reminders and escalation start again; the
    new owner is e-mailed. Audited."""
    if not may_manage(user=by, task=task):
        raise PermissionDenied(_("Only who delegated the task and the GM's office reassign it."))
    task = _locked(task)
    if task.status not in OPEN_STATUSES:
        raise ValidationError(
            _("The task is %(status)s: reopen it first.")
            % {"status": task.get_status_display().lower()}
        )
    if owner is None:
        raise ValidationError({"owner": _("Choose who owns the task.")})
    if owner.pk == task.owner_id:
        raise ValidationError({"owner": _("%(name)s already owns the task.") % {"name": owner}})
    if not may_assign(by=by, owner=owner):
        raise PermissionDenied(_("You may not give %(name)s a task.") % {"name": owner})
    errors: dict[str, str] = {}
    note = _clean_text(note, "note", errors)
    if errors:
        raise ValidationError(errors)
    previous = task.owner
    task.owner = owner
    fields = ["owner", *_restart_follow_up(task)]
    task.save(update_fields=[*fields, "updated_at"])
    change = {"owner": [_person(previous), _person(owner)]}
    _history(task, by=by, kind=EntryKind.REASSIGNED, text=note, change=change)
    audit_record(actor=by, action=AuditAction.UPDATE, target=task, changes=change)
    _notify_assigned(task, by)
    return task


# --- the follow-up: reminders and escalation -------------------------------------------------


def gm_after_days() -> int:
    """Days after the head was told that a still-late task goes to the GM's desk
    (GMASSIST_TASK_ESCALATE_TO_GM_DAYS)."""
    return settings.TASK_ESCALATE_TO_GM_DAYS


def _local_day(moment: dt.datetime | None) -> dt.date | None:
    return None if moment is None else timezone.localtime(moment).date()


class _HeadFinder:
    """Finds the head a late task escalates to, reading the department tree once per run."""

    def __init__(self) -> None:
        from gmassist.org.models import Department

        rows = list(Department.objects.values_list("id", "parent_id", "head_id"))
        self.users_by_employee = {
            user.employee_id: user
            for user in User.objects.filter(
                is_active=True, employee_id__in=[head for _i, _p, head in rows if head]
            ).select_related("employee")
        }
        self.parent_of = {dept: parent for dept, parent, _head in rows}
        # a head without an active login cannot be told: the search goes on above them
        self.head_of = {
            dept: head if head in self.users_by_employee else None for dept, _p, head in rows
        }

    def head_for(self, owner: User) -> User | None:
        employee = owner.employee
        if employee is None:
            return None
        head = engine.head_chain(
            department_id=employee.department_id,
            owner_employee_id=employee.pk,
            parent_of=self.parent_of,
            head_of=self.head_of,
        )
        return None if head is None else self.users_by_employee[head]


def tasks_follow_up(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Send the reminders and due-date notices of the open tasks and escalate the late ones,
    as `engine.follow_up` says for today (local date of `now`).

    Each task is handled in its own transaction with its row locked, and each step is recorded
    on the task (reminded_at, due_notified_at, escalation and escalated_at), in its history and
    in the audit log, so running it twice does nothing the second time. E-mails go once the
    step is saved. Returns the counts: {"reminders", "due_notices", "to_heads", "to_gm"}.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    counts = {"reminders": 0, "due_notices": 0, "to_heads": 0, "to_gm": 0}
    finder = _HeadFinder()
    candidates = (
        Task.objects.filter(status__in=OPEN_STATUSES)
        .exclude(due_on__isnull=True, remind_on__isnull=True)
        # at the GM's desk and told it was due: nothing more will happen to it
        .exclude(escalation=Escalation.GM, due_notified_at__isnull=False)
        .values_list("pk", flat=True)
        .order_by("pk")
    )
    for pk in list(candidates):
        mails: list[tuple[list[User], str, dict[str, Any]]] = []
        with transaction.atomic():
            task = (
                Task.objects.select_for_update(of=("self",))
                .select_related("owner", "owner__employee", "delegated_by")
                .filter(pk=pk, status__in=OPEN_STATUSES)
                .first()
            )
            if task is None:
                continue
            steps = engine.follow_up(
                engine.TaskDates(
                    due_on=task.due_on,
                    remind_on=task.remind_on,
                    reminded_on=_local_day(task.reminded_at),
                    due_notified_on=_local_day(task.due_notified_at),
                    escalation=task.escalation,
                    escalated_on=_local_day(task.escalated_at),
                ),
                today=today,
                gm_after_days=gm_after_days(),
            )
            for step in steps:
                _take_step(
                    task, step, now=now, today=today, finder=finder, counts=counts, mails=mails
                )
        # the task's steps are saved: now the e-mails (a failed one is logged, not retried:
        # the step is recorded, so the next run does not repeat it)
        for users, template, context in mails if _NOTIFY.get() else []:
            try:
                notify_users(users=users, template=template, context=context)
            except Exception:
                logger.exception("task %s: the %s e-mail failed", pk, template)
    return counts


def _take_step(
    task: Task, step: engine.Step, *, now: dt.datetime, today: dt.date, finder, counts, mails
) -> None:
    context = {"task": task, "url": _task_url(task), "today": today}
    if step == engine.Step.REMIND:
        task.reminded_at = now
        task.save(update_fields=["reminded_at", "updated_at"])
        _history(task, by=None, kind=EntryKind.REMINDED)
        mails.append(([task.owner], "office/tasks/email/reminder", context))
        counts["reminders"] += 1
    elif step == engine.Step.DUE:
        task.due_notified_at = now
        task.save(update_fields=["due_notified_at", "updated_at"])
        _history(task, by=None, kind=EntryKind.DUE_NOTICE)
        mails.append(([task.owner], "office/tasks/email/due", context))
        counts["due_notices"] += 1
    elif step == engine.Step.ESCALATE_HEAD:
        head = finder.head_for(task.owner)
        if head is None:
            _escalate(task, level=Escalation.GM, to=None, now=now)
            counts["to_gm"] += 1
        else:
            _escalate(task, level=Escalation.HEAD, to=head, now=now)
            context = {**context, "days_late": task.days_late(today), "head": head}
            mails.append(([head], "office/tasks/email/escalated", context))
            counts["to_heads"] += 1
    elif step == engine.Step.ESCALATE_GM and task.escalation != Escalation.GM:
        _escalate(task, level=Escalation.GM, to=None, now=now)
        counts["to_gm"] += 1


def _escalate(task: Task, *, level: str, to: User | None, now: dt.datetime) -> None:
    previous = task.escalation
    task.escalation = level
    task.escalated_at = now
    task.escalated_to = to
    task.save(update_fields=["escalation", "escalated_at", "escalated_to", "updated_at"])
    change = {"escalation": [previous, level]}
    if to is not None:
        change["escalated_to"] = [None, str(to)]
    _history(task, by=None, kind=EntryKind.ESCALATED, change=change)
    audit_record(actor=None, action=AuditAction.UPDATE, target=task, changes=change)
