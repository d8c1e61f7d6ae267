"""Choices of the delegated tasks: priorities, statuses, escalation levels, history entries."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


# heavier first when a list is sorted by priority
PRIORITY_RANK = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}


class TaskStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("task", "Open")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING = "waiting", _("Waiting")
    DONE = "done", pgettext_lazy("task", "Done")
    CANCELLED = "cancelled", _("Cancelled")


# statuses in which the owner still owes the work (these are followed up and can be late)
OPEN_STATUSES = (TaskStatus.OPEN, TaskStatus.IN_PROGRESS, TaskStatus.WAITING)
# the statuses the owner moves a task between while working it
WORKING_STATUSES = (TaskStatus.OPEN, TaskStatus.IN_PROGRESS, TaskStatus.WAITING, TaskStatus.DONE)


class Escalation(models.TextChoices):
    NONE = "none", _("Not escalated")
    HEAD = "head", _("To the owner's head")
    GM = "gm", _("To the GM's desk")


class EntryKind(models.TextChoices):
    """What a line of a task's history is: a person's comment, or a recorded change."""

    COMMENT = "comment", pgettext_lazy("task", "Comment")
    CREATED = "created", pgettext_lazy("task", "Created")
    STATUS = "status", _("Status changed")
    CHANGED = "changed", _("Changed")
    REASSIGNED = "reassigned", _("Reassigned")
    REMINDED = "reminded", _("Reminder sent")
    DUE_NOTICE = "due_notice", _("Due-date notice sent")
    ESCALATED = "escalated", _("Escalated")
