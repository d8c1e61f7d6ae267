"""Job handlers of the pulse surveys: keeping the active surveys on their schedule."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from gmassist.core.job_pages import JobPage, register_job_page
from gmassist.core.jobs import JobContext, JobError, job_handler
from gmassist.core.schedule import DAY, recurring_job

SURVEYS_OPEN_DUE = "voice.surveys_open_due"


@job_handler(SURVEYS_OPEN_DUE)
def surveys_open_due(ctx: JobContext, *, today: str | None = None) -> dict[str, Any]:
    """Keep the active surveys on schedule: seal past rounds, open due ones (`today`: ISO date)."""
    from gmassist.voice.surveys.services import surveys_open_due as open_due

    try:
        day = dt.date.fromisoformat(today) if today else None
    except ValueError as exc:
        raise JobError(f"today {today!r} is not a date (YYYY-MM-DD)") from exc
    ctx.progress(1, "Looking for surveys due")
    return open_due(
        today=day, progress=lambda fraction, message: ctx.progress(100 * fraction, message)
    )


recurring_job(
    SURVEYS_OPEN_DUE, every=DAY, hour=6, summary="open due survey rounds, seal finished ones"
)

# how the job is shown (one job page for every app: core/job_pages.py)
register_job_page(
    JobPage(
        kind=SURVEYS_OPEN_DUE,
        title=_("Survey rounds due"),
        section=(_("Surveys"), "voice:survey_list"),
        back="voice:survey_list",
        outcome_template="voice/_survey_job_outcome.html",
    )
)
