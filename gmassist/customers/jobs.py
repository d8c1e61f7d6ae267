"""Job handlers of the customers app: re-tiering, matching, channel routing, churn scores."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from gmassist.core.choices import Action
from gmassist.core.job_pages import JobPage, proposal_outcome, register_job_page
from gmassist.core.jobs import JobContext, JobError, job_handler
from gmassist.core.schedule import MONTH, recurring_job


def _date(value: str | None, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise JobError(f"{name} {value!r} is not a date (YYYY-MM-DD)") from exc


@job_handler("customers.tier")
def retier_job(ctx: JobContext, *, as_of: str | None = None) -> dict[str, Any]:
    """Re-tier every customer by the current policy; one proposal with the changes (or none)."""
    from gmassist.customers.services import retier_customers

    ctx.progress(5, "Reading revenue and grading customers")
    try:
        proposal = retier_customers(by=ctx.actor, as_of=_date(as_of, "as_of"))
    except (PermissionDenied, ValidationError) as exc:
        raise JobError(str(exc)) from exc
    ctx.progress(100, "Done")
    if proposal is None:
        return {"proposal_id": None, "changes": 0}
    return {"proposal_id": proposal.pk, "changes": len(proposal.payload["changes"])}


@job_handler("customers.match")
def match_job(
    ctx: JobContext,
    *,
    region_rule: str = "hard",
    region_penalty: float = 2.0,
    change_penalty: float = 1.0,
    max_changes: int | None = None,
    time_limit_s: float = 30.0,
) -> dict[str, Any]:
    """Match customers to account managers; one proposal with the moves (or none)."""
    from gmassist.customers.services import MatchOptions, match_customers

    ctx.progress(5, "Reading customers, managers and grades")
    try:
        options = MatchOptions(
            region_rule=region_rule,
            region_penalty=region_penalty,
            change_penalty=change_penalty,
            max_changes=max_changes,
            time_limit_s=time_limit_s,
        )
        ctx.progress(20, f"Solving (at most {time_limit_s:g} s)")
        proposal = match_customers(by=ctx.actor, options=options)
    except (PermissionDenied, ValidationError) as exc:
        raise JobError("; ".join(exc.messages) if hasattr(exc, "messages") else str(exc)) from exc
    ctx.progress(100, "Done")
    if proposal is None:
        return {"proposal_id": None, "moves": 0}
    p = proposal.payload
    return {
        "proposal_id": proposal.pk,
        "moves": len(p["moves"]),
        "objective_before": p["objective_before"],
        "objective": p["objective"],
        "objective_parts": p["objective_parts"],
        "optimal": p["optimal"],
        "gap": p["gap"],
        "solver": p["solver"],
        "seconds": p["seconds"],
        "unassigned": p["unassigned"],
    }


@job_handler("customers.route")
def route_job(ctx: JobContext, *, as_of: str | None = None) -> dict[str, Any]:
    """Route customers with simple needs to other channels; one proposal (or none)."""
    from gmassist.customers.services import route_customers

    ctx.progress(5, "Reading customers, revenue and contacts")
    try:
        proposal = route_customers(by=ctx.actor, as_of=_date(as_of, "as_of"))
    except (PermissionDenied, ValidationError) as exc:
        raise JobError(str(exc)) from exc
    ctx.progress(100, "Done")
    if proposal is None:
        return {"proposal_id": None, "moves": 0}
    p = proposal.payload
    keys = ("am_workload_before", "am_workload_after", "cost_before", "cost_after")
    return {
        "proposal_id": proposal.pk,
        "moves": len(p["moves"]),
        "customers_after": p["customers_after"],
        **{key: p[key] for key in keys},
    }


@job_handler("customers.churn")
def churn_job(ctx: JobContext, *, as_of: str | None = None) -> dict[str, Any]:
    """Refit the churn model on the company's history and score every customer."""
    from gmassist.customers.services import churn_scores_refresh

    try:
        run = churn_scores_refresh(by=ctx.actor, as_of=_date(as_of, "as_of"), progress=ctx.progress)
    except (PermissionDenied, ValidationError) as exc:
        raise JobError("; ".join(getattr(exc, "messages", [str(exc)]))) from exc
    ctx.progress(100, "Done")
    return {
        "run_id": run.pk,
        "as_of": run.as_of.isoformat(),
        "scores": run.scores.count(),
        "snapshots": run.snapshots,
        "churners": run.churners,
        "auc": run.backtest.get("auc"),
        "backtest_error": run.backtest.get("error"),
    }


# Monthly, after the month's revenue is in (the first night of the month).
recurring_job(
    "customers.tier", every=MONTH, day=1, hour=3, summary="re-tier the customers (one proposal)"
)
recurring_job(
    "customers.churn", every=MONTH, day=1, hour=4, summary="refit and score customer churn risk"
)


# --- how the runs are shown (one job page for every app: core/job_pages.py) -----------------

for _kind, _title, _back in (
    ("customers.tier", _("Re-tiering"), "customers:tiering"),
    ("customers.match", _("Matching"), "customers:matching"),
    ("customers.route", _("Service-channel routing"), "customers:routing"),
    ("customers.churn", _("Churn scores"), "customers:analytics"),
):
    register_job_page(
        JobPage(
            kind=_kind,
            title=_title,
            section=(_("Customers"), "customers:list"),
            back=_back,
            outcome_template="customers/_job_outcome.html",
            outcome_context=proposal_outcome,
            scripts_template="customers/_scripts_inline.html",
            permission=("customers", Action.VIEW),
        )
    )
