"""Job handlers of the delegated tasks: the daily follow-up (reminders and escalation)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from gmassist.core.job_pages import JobPage, register_job_page
from gmassist.core.jobs import JobContext, job_handler
from gmassist.core.schedule import DAY, recurring_job
from gmassist.office.tasks import sources  # noqa: F401  (registers Today, inbox, feed)


@job_handler("office.tasks_follow_up")
def follow_up(ctx: JobContext) -> dict[str, Any]:
    """Remind owners, tell them what is due, escalate what is late (safe to run twice)."""
    from gmassist.office.tasks.services import tasks_follow_up

    ctx.progress(5, "Looking for tasks to follow up")
    result = tasks_follow_up()
    ctx.progress(100, "Done")
    return result


recurring_job(
    "office.tasks_follow_up",
    every=DAY,
    hour=7,
    summary="remind task owners and escalate late tasks to their head, then the GM",
)

register_job_page(
    JobPage(
        kind="office.tasks_follow_up",
        title=_("Task reminders and escalation"),
        section=(_("Tasks"), "office:tasks"),
        back="office:tasks",
    )
)
