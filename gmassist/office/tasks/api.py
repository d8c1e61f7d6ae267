"""The task endpoints of the REST API under /api/office/tasks: list (with filters), create,
read (with its history), update (and reassign), comment, status."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from gmassist.api import MappedRows, PageNumberPagination, problems, request_user
from gmassist.core.models import User
from gmassist.office.tasks import presenters, selectors, services
from gmassist.office.tasks.models import Task
from gmassist.office.tasks.schemas import (
    CommentIn,
    HistoryOut,
    StatusIn,
    TaskDetailOut,
    TaskFilters,
    TaskIn,
    TaskOut,
    TaskPatch,
)

router = Router(tags=["office"])

WRITE_PROBLEMS = problems(400, 403, 404, 409)


def _person(user) -> dict | None:
    return None if user is None else {"id": user.pk, "name": str(user)}


def task_out(task: Task) -> dict:
    today = timezone.localdate()
    return {
        "id": task.pk,
        "title": task.title,
        "description": task.description,
        "owner": _person(task.owner),
        "delegated_by": _person(task.delegated_by),
        "due_on": task.due_on,
        "remind_on": task.remind_on,
        "priority": task.priority,
        "status": task.status,
        "late": task.is_late(today),
        "days_late": task.days_late(today),
        "escalation": task.escalation,
        "escalated_at": task.escalated_at,
        "escalated_to": _person(task.escalated_to),
        "completed_at": task.completed_at,
        "about": task.about,
        "about_title": task.about_title,
        "created_at": task.created_at,
    }


def _visible(request: HttpRequest, task_id: int) -> Task:
    task = selectors.tasks_visible(user=request_user(request)).filter(pk=task_id).first()
    if task is None:
        raise Http404("task not found")
    return task


def _detail(task: Task) -> dict:
    lines = []
    for entry in selectors.task_history(task=task):
        line = presenters.history_line(entry)
        lines.append(
            {
                "when": line.when,
                "author": _person(entry.author),
                "kind": line.kind,
                "text": line.text,
                "comment": line.comment,
            }
        )
    return {"task": task_out(task), "history": lines}


def _user_or_422(user_id: int, field: str) -> User:
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    user = User.objects.filter(pk=user_id, is_active=True).select_related("employee").first()
    if user is None:
        raise ValidationError({field: _("No active user with id %(id)s.") % {"id": user_id}})
    return user


@router.get("/office/tasks", response={200: list[TaskOut], **problems(404)})
@paginate(PageNumberPagination)
def task_list(request: HttpRequest, filters: Query[TaskFilters]):
    """The tasks you may see (your own, those you delegated, your departments' for a head,
    everything for the GM's office), filtered; soonest due first, no due date last."""
    tasks = selectors.task_list(
        user=request_user(request),
        today=timezone.localdate(),
        whose="" if filters.whose in (None, selectors.EVERYTHING) else filters.whose,
        status=filters.status or "",
        open_only=filters.open,
        owner_id=filters.owner_id,
        priority=filters.priority or "",
        overdue=filters.overdue,
        sort=filters.sort,
    )
    return MappedRows(tasks, task_out)


@router.post("/office/tasks", response={201: TaskOut, **WRITE_PROBLEMS})
def task_create(request: HttpRequest, payload: TaskIn):
    """Give a task to someone you may (yourself; your departments' people as a head; anyone
    as the GM's office), optionally made from a record you may see (`about`)."""
    user = request_user(request)
    task = services.task_create(
        by=user,
        title=payload.title,
        owner=_user_or_422(payload.owner_id, "owner_id"),
        due_on=payload.due_on,
        remind_on=payload.remind_on,
        priority=payload.priority,
        description=payload.description,
        about=payload.about,
    )
    return Status(201, task_out(_visible(request, task.pk)))


@router.get("/office/tasks/{task_id}", response={200: TaskDetailOut, **problems(404)})
def task_read(request: HttpRequest, task_id: int):
    """One task with its comments and history, oldest first."""
    return _detail(_visible(request, task_id))


@router.patch("/office/tasks/{task_id}", response={200: TaskOut, **WRITE_PROBLEMS})
def task_update(request: HttpRequest, task_id: int, payload: TaskPatch):
    """Change a task's title, description, dates or priority, or reassign it (who delegated
    it and the GM's office). Fields left out stay."""
    from django.db import transaction

    user = request_user(request)
    task = _visible(request, task_id)
    changes = {}
    for field in ("title", "description", "priority"):
        value = getattr(payload, field)
        if value is not None:
            changes[field] = value
    if payload.clear_due_on:
        changes["due_on"] = None
    elif payload.due_on is not None:
        changes["due_on"] = payload.due_on
    if payload.clear_remind_on:
        changes["remind_on"] = None
    elif payload.remind_on is not None:
        changes["remind_on"] = payload.remind_on
    with transaction.atomic():
        if changes:
            task = services.task_update(task=task, by=user, **changes)
        if payload.owner_id is not None and payload.owner_id != task.owner_id:
            owner = _user_or_422(payload.owner_id, "owner_id")
            task = services.task_reassign(task=task, owner=owner, by=user)
        if (
            not changes
            and payload.owner_id is None
            and not services.may_manage(user=user, task=task)
        ):
            raise PermissionDenied
    return task_out(_visible(request, task.pk))


@router.post("/office/tasks/{task_id}/comments", response={201: HistoryOut, **WRITE_PROBLEMS})
def task_comment(request: HttpRequest, task_id: int, payload: CommentIn):
    """Comment on a task (its owner, who delegated it, its owner's head, the GM's office)."""
    task = _visible(request, task_id)
    comment = services.task_comment_add(task=task, by=request_user(request), text=payload.text)
    line = presenters.history_line(comment)
    return Status(
        201,
        {
            "when": line.when,
            "author": _person(comment.author),
            "kind": line.kind,
            "text": line.text,
            "comment": line.comment,
        },
    )


@router.post("/office/tasks/{task_id}/status", response={200: TaskOut, **WRITE_PROBLEMS})
def task_status(request: HttpRequest, task_id: int, payload: StatusIn):
    """Move a task: the owner between open, in_progress, waiting and done; who delegated it
    and the GM's office cancel it or reopen it (status open)."""
    task = _visible(request, task_id)
    services.task_set_status(
        task=task, status=payload.status, note=payload.note, by=request_user(request)
    )
    return task_out(_visible(request, task.pk))
