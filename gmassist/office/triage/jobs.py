"""Job handlers of the triage: feedback to the GM comes in as matters each morning."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from gmassist.core.job_pages import JobPage, register_job_page
from gmassist.core.jobs import JobContext, JobError, job_handler
from gmassist.core.schedule import DAY, recurring_job
from gmassist.office.triage import sources

__all__ = ["sources", "triage_intake"]  # sources: imported for its registrations (see there)


@job_handler("office.triage_intake")
def triage_intake(ctx: JobContext, *, today: str | None = None) -> dict[str, Any]:
    """Feedback to the GM from the days before `today` (an ISO date) comes in as matters."""
    from gmassist.office.triage.services import matters_from_feedback

    try:
        day = dt.date.fromisoformat(today) if today else None
    except ValueError as exc:
        raise JobError(f"today {today!r} is not a date (YYYY-MM-DD)") from exc
    ctx.progress(5, "Looking for feedback to the GM")
    count = matters_from_feedback(today=day)
    ctx.progress(100, "Done")
    return {"matters": count}


# after midnight: the day's feedback is complete (see services.matters_from_feedback)
recurring_job(
    "office.triage_intake", every=DAY, hour=1, summary="feedback to the GM comes into the triage"
)

register_job_page(
    JobPage(
        kind="office.triage_intake",
        title=_("Feedback into the triage"),
        section=(_("Triage"), "office:triage"),
        back="office:triage",
    )
)
