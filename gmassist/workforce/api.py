"""The workforce endpoints: plans and their lines (scoped: a head sees the lines of their
subtree), a plan's gaps and recruitment plan, building a plan version, the backtest."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate
from ninja.responses import Status

from gmassist.api import ObjectId, PageNumberPagination, problems, request_user, visible_or_404
from gmassist.core.permissions import ALL, Action, Domain, ScopedRows, reach
from gmassist.workforce import presenters, selectors, services
from gmassist.workforce.schemas import (
    WorkforceBacktestIn,
    WorkforceBacktestOut,
    WorkforceGapsOut,
    WorkforcePlanDetailOut,
    WorkforcePlanIn,
    WorkforcePlanOut,
)

router = Router(tags=["workforce"])


def _require(user: Any, action: str = Action.VIEW, whole: bool = False) -> None:
    how_far = reach(user, Domain.WORKFORCE, action)
    if how_far is None or (whole and how_far != ALL):
        raise PermissionDenied


def _plan_out(plan: Any) -> dict[str, Any]:
    return {
        "id": plan.pk,
        "name": plan.name,
        "version": plan.version,
        "as_of": plan.as_of,
        "horizon": plan.horizon,
        "status": plan.status,
        "runs": plan.runs,
        "quarter_ends": plan.summary.get("quarter_ends", []),
    }


@router.get("/workforce/plans", response={200: list[WorkforcePlanOut], **problems(403)})
@paginate(PageNumberPagination)
def plan_list(request: HttpRequest):
    """The plans, newest first."""
    user = request_user(request)
    _require(user)
    return ScopedRows(_plan_out(p) for p in selectors.plans_visible(user=user))


@router.get(
    "/workforce/plans/{workforce_plan_id}",
    response={200: WorkforcePlanDetailOut, **problems(403, 404)},
)
def plan_detail(request: HttpRequest, workforce_plan_id: ObjectId):
    """A plan with its company figures per quarter (a head: the sum of their lines) and the
    lines the user may see."""
    user = request_user(request)
    _require(user)
    plan = visible_or_404(selectors.plans_visible(user=user), workforce_plan_id)
    lines = list(selectors.plan_lines(user=user, plan=plan))
    whole = reach(user, Domain.WORKFORCE, Action.VIEW) == ALL
    summary = (
        plan.summary if whole else presenters.head_summary(lines, plan.summary["quarter_ends"])
    )
    return {
        **_plan_out(plan),
        "company": summary.get("company", {}),
        "lines": [
            {
                "id": line.pk,
                "department": line.department.name,
                "job_family": line.job_family,
                "method": line.method,
                "current": line.current,
                "demand": line.demand,
                "supply": line.supply,
                "gap": line.gap,
                "gap_low": line.gap_low,
                "gap_high": line.gap_high,
            }
            for line in lines
        ],
    }


@router.get(
    "/workforce/plans/{workforce_plan_id}/gaps",
    response={200: WorkforceGapsOut, **problems(403, 404)},
)
def plan_gaps(request: HttpRequest, workforce_plan_id: ObjectId):
    """The gaps per line and quarter with their 90% interval and yearly payroll (when the
    user may see the line's pay), the internal moves and the recruitment plan."""
    user = request_user(request)
    _require(user)
    plan = visible_or_404(selectors.plans_visible(user=user), workforce_plan_id)
    found = selectors.plan_gaps(user=user, plan=plan)
    return {
        "plan": plan.pk,
        "gaps": [
            {
                "department": g.department,
                "job_family": g.job_family,
                "quarter_end": g.quarter_end,
                "demand": g.demand,
                "supply": g.supply_mean,
                "gap": g.gap_mean,
                "gap_low": g.gap_low,
                "gap_high": g.gap_high,
                "payroll_per_year": g.payroll_per_year,
            }
            for g in found.gaps
        ],
        "internal_moves": [m.__dict__ for m in found.moves],
        "requisitions": [r.__dict__ for r in found.requisitions],
    }


@router.post("/workforce/plans", response={201: WorkforcePlanOut, **problems(400, 403)})
def plan_create(request: HttpRequest, payload: WorkforcePlanIn):
    """Build a new version of the plan `name`: every department and job family growing by
    `growth_percent` a year, supply simulated `runs` times (HR, the assistant, the GM)."""
    user = request_user(request)
    _require(user, Action.CHANGE)
    plan = services.plan_build(
        name=payload.name,
        as_of=payload.as_of,
        horizon=payload.horizon,
        growth_percent=payload.growth_percent,
        runs=payload.runs,
        by=user,
    )
    return Status(201, _plan_out(plan))


@router.get("/workforce/backtest", response={200: WorkforceBacktestOut, **problems(403, 404)})
def backtest_latest(request: HttpRequest):
    """The latest backtest (404 before the first)."""
    user = request_user(request)
    _require(user, whole=True)
    latest = selectors.latest_backtest(user=user)
    if latest is None:
        from django.http import Http404

        raise Http404("no backtest yet")
    return latest.result


@router.post("/workforce/backtest", response={201: WorkforceBacktestOut, **problems(400, 403)})
def backtest_create(request: HttpRequest, payload: WorkforceBacktestIn):
    """Backtest the supply model from `as_of` over `horizon` quarters and record it."""
    user = request_user(request)
    _require(user, Action.CHANGE)
    backtest = services.backtest_run(as_of=payload.as_of, horizon=payload.horizon, by=user)
    return Status(201, backtest.result)
