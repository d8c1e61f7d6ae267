"""Template helpers of the delegated tasks: how a page names its record for a new task."""

from django import template

register = template.Library()


@register.filter
def task_about(record) -> str:
    """`record` as a task's `about`: "<app_label.model>:<pk>" (e.g. "voice.feedback:…")."""
    return f"{record._meta.label_lower}:{record.pk}"


@register.filter
def task_lateness(task, today) -> str:
    """ "3 days late", "due today", "due in 2 days"... ("" when finished or undated)."""
    from gmassist.office.tasks.presenters import lateness

    return lateness(task, today)
