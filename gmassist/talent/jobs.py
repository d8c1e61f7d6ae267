"""Job handlers of the talent module: monthly leaving-risk scoring and incentive plans."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gmassist.core.choices import Action
from gmassist.core.job_pages import JobPage, register_job_page
from gmassist.core.jobs import JobContext, JobError, job_handler
from gmassist.core.models import Job
from gmassist.core.permissions import ALL, SUBTREE
from gmassist.core.schedule import MONTH, recurring_job


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
        run = risk_scores_compute(as_of=day, by=ctx.actor, progress=ctx.progress)
    except ScoringError as exc:
        raise JobError(str(exc)) from exc
    return run_summary(run)


@job_handler("talent.plan")
def make_incentive_plan(
    ctx: JobContext,
    *,
    budget: float,
    menu_toml: str = "",
    top: int | None = None,
    time_limit: float = 30.0,
) -> dict[str, Any]:
    """Solve and save an incentive plan within `budget` (yearly, company currency)."""
    from gmassist.talent.services import PlanError, incentive_plan_create

    try:
        plan = incentive_plan_create(
            budget=float(budget),
            by=ctx.actor,
            menu_toml=menu_toml,
            top=top,
            time_limit=time_limit,
            progress=ctx.progress,
        )
    except PlanError as exc:
        raise JobError(str(exc)) from exc
    return {"plan_id": plan.pk, **plan.summary}


recurring_job(
    "talent.score",
    every=MONTH,
    day=1,
    hour=2,
    summary="score everyone's leaving risk for the month that ended",
)


# --- how the jobs are shown (one job page for every app: core/job_pages.py) ------------------


def _plan_outcome(job: Job, user: Any) -> dict[str, Any]:
    """A finished plan job links to the draft plan it made, and is headed by that plan's
    number (not the job's)."""
    plan_id = (job.result or {}).get("plan_id")
    if not plan_id:
        return {"plan_url": ""}
    return {
        "plan_url": reverse("talent:plan_detail", args=[plan_id]),
        "job_heading": gettext("Incentive plan #%(number)s") % {"number": plan_id},
    }


for _kind, _title, _back in (
    ("talent.score", _("Leaving-risk scoring"), "talent:overview"),
    ("talent.plan", _("Incentive plan"), "talent:plan"),
):
    register_job_page(
        JobPage(
            kind=_kind,
            title=_title,
            section=(_("Talent"), "talent:overview"),
            back=_back,
            outcome_template="talent/_job_outcome.html",
            outcome_context=_plan_outcome,
            # leaving risk goes with pay: the roles that see many people's
            permission=("people", Action.VIEW_PAY),
            reaches=(ALL, SUBTREE),
        )
    )
