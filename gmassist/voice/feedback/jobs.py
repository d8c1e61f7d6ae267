"""Job handlers of the feedback: the overdue reminders."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from gmassist.core.job_pages import JobPage, register_job_page
from gmassist.core.jobs import JobContext, JobError, job_handler
from gmassist.core.schedule import DAY, recurring_job


@job_handler("voice.remind")
def send_reminders(ctx: JobContext, *, today: str | None = None) -> dict[str, Any]:
    """E-mail every owner of overdue feedback (once a day); `today` is an ISO date."""
    from gmassist.voice.feedback.services import feedback_send_reminders

    try:
        day = dt.date.fromisoformat(today) if today else None
    except ValueError as exc:
        raise JobError(f"today {today!r} is not a date (YYYY-MM-DD)") from exc
    ctx.progress(5, "Looking for overdue feedback")
    result = feedback_send_reminders(today=day)
    ctx.progress(100, "Done")
    return result


recurring_job("voice.remind", every=DAY, hour=8, summary="remind owners of overdue feedback")


# --- how the jobs are shown (one job page for every app: core/job_pages.py) ------------------

register_job_page(
    JobPage(
        kind="voice.remind",
        title=_("Overdue reminders"),
        section=(_("Feedback"), "voice:feedback_queue"),
        back="voice:feedback_queue",
    )
)
