"""Delegated tasks: a matter someone hands to an owner, with its due date, its reminders, its
comments and its escalation when it is late.

A task is made on its own or from a record (a feedback item, an objection, a customer...):
`about` names that record as "<app_label.model>:<pk>" and `about_title` keeps its title as it
was, so the task still reads well if the record changes or its owner may not open it.

The models belong to the office app (label `office`, tables `office_*`):
`gmassist/office/models.py` imports them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gmassist.core.models import BaseModel
from gmassist.core.permissions import Domain, RestrictedQuerySet, Scope
from gmassist.office.tasks.choices import EntryKind, Escalation, Priority, TaskStatus

MAX_TITLE = 200
MAX_TEXT = 5000

# Who sees a task (the "office_tasks" policy): its owner and who delegated it (SELF: either
# user path), a head the tasks owned by the people of their subtree, the GM's office all.
TASK_SCOPE = Scope(
    domain=Domain.OFFICE_TASKS,
    department="owner__employee__department",
    user=("owner", "delegated_by"),
)


class Task(BaseModel):
    """A task delegated to an owner, with its due date, reminders and escalation."""

    title = models.CharField(_("title"), max_length=MAX_TITLE)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="tasks_owned",
    )
    # None: the application made it (a job, the demo's system part)
    delegated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("delegated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks_delegated",
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    # the day the owner is reminded, separate from the due date (e.g. two days before it)
    remind_on = models.DateField(_("remind on"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    # when the owner was told that the task is due today (once per due date)
    due_notified_at = models.DateTimeField(_("due-date notice sent"), null=True, blank=True)
    escalation = models.CharField(
        _("escalation"), max_length=6, choices=Escalation.choices, default=Escalation.NONE
    )
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    # the head it was escalated to (None at the GM's desk, which is the GM's office's)
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("escalated to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    about = models.CharField(_("about"), max_length=120, blank=True)
    about_title = models.CharField(_("about (title)"), max_length=MAX_TITLE, blank=True)

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = TASK_SCOPE

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [
            models.Index(fields=["status", "due_on"], name="office_task_status_due"),
            models.Index(fields=["owner", "status"], name="office_task_owner_status"),
            models.Index(fields=["delegated_by", "status"], name="office_task_delegator"),
            models.Index(fields=["about"], name="office_task_about"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="office_task_title_required"),
            models.CheckConstraint(
                condition=Q(priority__in=Priority.values), name="office_task_priority_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=TaskStatus.values), name="office_task_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(escalation__in=Escalation.values),
                name="office_task_escalation_valid",
            ),
            models.CheckConstraint(
                condition=Q(remind_on__isnull=True)
                | Q(due_on__isnull=True)
                | Q(remind_on__lte=models.F("due_on")),
                name="office_task_remind_not_after_due",
                violation_error_message=_("The reminder must not be after the due date."),
            ),
            models.CheckConstraint(
                condition=(Q(status=TaskStatus.DONE) & Q(completed_at__isnull=False))
                | (~Q(status=TaskStatus.DONE) & Q(completed_at__isnull=True)),
                name="office_task_completed_when_done",
            ),
            models.CheckConstraint(
                condition=(Q(escalation=Escalation.NONE) & Q(escalated_at__isnull=True))
                | (~Q(escalation=Escalation.NONE) & Q(escalated_at__isnull=False)),
                name="office_task_escalated_has_time",
            ),
            models.CheckConstraint(
                condition=Q(about="") | Q(about__contains=":"),
                name="office_task_about_label_pk",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("office:task", args=[self.pk])

    @property
    def is_open(self) -> bool:
        from gmassist.office.tasks.choices import OPEN_STATUSES

        return self.status in OPEN_STATUSES

    def is_late(self, today) -> bool:
        """True when the task is still open after its due date (`today` a date)."""
        return self.is_open and self.due_on is not None and self.due_on < today

    def days_late(self, today) -> int:
        """Whole days past the due date (0 when not late)."""
        return (today - self.due_on).days if self.is_late(today) else 0


class TaskComment(BaseModel):
    """One line of a task's history: a person's comment, or a change recorded as it happened
    (status, owner, due date, reminder, escalation), with who and when."""

    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="comments"
    )
    # None: the application (the reminders and escalation job)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(
        _("kind"), max_length=12, choices=EntryKind.choices, default=EntryKind.COMMENT
    )
    text = models.TextField(_("text"), blank=True)
    # what changed, {field: [before, after]}, for the entries that record a change
    change = models.JSONField(_("change"), default=dict, blank=True)

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = Scope(
        domain=Domain.OFFICE_TASKS,
        department="task__owner__employee__department",
        user=("task__owner", "task__delegated_by"),
    )

    class Meta:
        ordering = ["task", "created_at", "id"]
        verbose_name = _("task comment")
        verbose_name_plural = _("task comments")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=EntryKind.values), name="office_taskcomment_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(kind=EntryKind.COMMENT) | (~Q(text="") & Q(author__isnull=False)),
                name="office_taskcomment_comment_named",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} {self.kind}"
