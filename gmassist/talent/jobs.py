"""Job handlers of the talent module: monthly leaving-risk scoring and incentive plans."""

from __future__ import annotations

import datetime as dt
from typing import Any

from gmassist.core.jobs import JobContext, JobError, job_handler


@job_handler("talent.score")
def score_leaving_risk(ctx: JobContext, *, as_of: str | None = None) -> dict[str, Any]:
    """Fit, backtest and score the month-end on or before `as_of` (ISO date; default today).
    Meant to run monthly; running it twice for a month replaces that month's scores."""
    from gmassist.talent.services import ScoringError, risk_scores_compute, run_summary

    try:
        day = dt.date.fromisoformat(as_of) if as_of else None
    except ValueError as exc:
        raise JobError(f"as_of {as_of!r} is not a date (YYYY-MM-DD)") from exc
    try:
        run = risk_scores_compute(as_of=day, by=ctx.job.created_by, progress=ctx.progress)
    except ScoringError as exc:
        raise JobError(str(exc)) from exc
    return run_summary(run)
