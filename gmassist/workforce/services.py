"""Writes of the workforce plan: build a plan version (selector -> engine -> lines), record a
backtest. Keyword-only, one transaction, audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from gmassist.core.choices import AuditAction
from gmassist.core.models import User
from gmassist.core.permissions import SYSTEM, Action, Domain, reach
from gmassist.core.services import audit_record
from gmassist.org.models import Department
from gmassist.workforce import selectors
from gmassist.workforce.choices import DemandMethodChoice
from gmassist.workforce.engine.backtest import BacktestError, run_backtest
from gmassist.workforce.engine.demand import DemandError, DemandLine, DemandMethod
from gmassist.workforce.engine.plan import PlanResult, Scenario, project_plan
from gmassist.workforce.engine.survival import estimate_hazards
from gmassist.workforce.models import Backtest, Driver, Plan, PlanLine


def _check(by: User | object | None, action: str) -> None:
    if by is not SYSTEM and reach(by, Domain.WORKFORCE, action) is None:  # type: ignore[arg-type]
        raise PermissionDenied("you may not change workforce plans")


def backtest_run(
    *, as_of: dt.date, horizon: int = 8, plan: Plan | None = None, by: User | object
) -> Backtest:
    """Backtest the supply model as of `as_of` over `horizon` quarters on the company's
    history and record it. Raises ValidationError saying why it cannot run."""
    _check(by, Action.CHANGE)
    history = selectors.employee_history()
    try:
        # the database is the company as of today: quarters ending by today are history
        result = run_backtest(
            history.people, as_of=as_of, horizon=horizon, history_end=timezone.localdate()
        )
    except BacktestError as exc:
        raise ValidationError({"as_of": str(exc)}) from exc
    body = result.as_dict()
    body["notes"] = history.notes
    with transaction.atomic():
        backtest = Backtest.objects.create(
            as_of=as_of,
            horizon=horizon,
            plan=plan,
            result=body,
            beats_baselines=result.beats_baselines(),
        )
        audit_record(
            actor=None if by is SYSTEM else by,  # type: ignore[arg-type]
            action=AuditAction.CREATE,
            target=backtest,
            changes={"as_of": as_of.isoformat(), "horizon": horizon},
        )
    return backtest


def _demand_line(spec: dict[str, Any], current: dict[tuple[str, str], int]) -> DemandLine:
    key = (spec["department"], spec.get("job_family", ""))
    return DemandLine(
        department=key[0],
        job_family=key[1],
        method=DemandMethod(spec["method"]),
        current=current.get(key, 0),
        targets=list(spec.get("targets") or []),
        growth_percent=spec.get("growth_percent"),
        driver=spec.get("driver"),
        ratio=spec.get("ratio"),
    )


def plan_build(
    *,
    name: str,
    as_of: dt.date,
    horizon: int = 8,
    lines: list[dict[str, Any]] | None = None,
    growth_percent: float | None = None,
    runs: int = 1000,
    seed: int = 0,
    by: User | object,
) -> Plan:
    """A new version of the plan `name` as of `as_of`: its `lines` (each a dict with
    department name, job_family, method and the method's values), or, for every department
    and job family with people today, growth of `growth_percent` a year; supply simulated in
    `runs` runs from the survival hazards of the last two years. Raises ValidationError
    naming the line that cannot be computed."""
    _check(by, Action.CHANGE)
    if not 1 <= horizon <= 12:
        raise ValidationError({"horizon": f"the horizon must be 1 to 12 quarters, not {horizon}"})
    if not 1 <= runs <= 100_000:
        raise ValidationError({"runs": f"runs must be 1 to 100,000, not {runs}"})
    history = selectors.employee_history().people
    day = pd.Timestamp(as_of)
    on_books = history[
        (history["hire_date"] <= day)
        & (history["leave_date"].isna() | (history["leave_date"] > day))
    ]
    current = on_books.groupby(["department", "job_family"]).size().to_dict()
    specs = list(lines or [])
    if not specs and growth_percent is not None:
        specs = [
            {"department": d, "job_family": f, "method": "growth", "growth_percent": growth_percent}
            for d, f in sorted(current)
        ]
    departments = {d.name: d for d in Department.objects.all()}
    for spec in specs:
        if spec.get("department") not in departments:
            raise ValidationError({"lines": f"no department named {spec.get('department')!r}"})
    leavers = history["leave_date"].dropna()
    start = max(
        pd.Timestamp(as_of) - pd.DateOffset(years=2), leavers.min() if len(leavers) else day
    )
    hazards = estimate_hazards(history[history["hire_date"] <= day], start=start, end=day)
    try:
        demand_lines = [_demand_line(spec, current) for spec in specs]
        result = project_plan(
            history,
            as_of=as_of,
            horizon=horizon,
            hazards=hazards,
            lines=demand_lines,
            drivers=selectors.drivers_series(),
            runs=runs,
            seed=seed,
        )
    except (DemandError, ValueError, KeyError) as exc:
        raise ValidationError({"lines": str(exc)}) from exc
    with transaction.atomic():
        previous = Plan.objects.filter(name=name).order_by("-version").first()
        plan = Plan.objects.create(
            name=name,
            version=1 if previous is None else previous.version + 1,
            previous=previous,
            as_of=as_of,
            horizon=horizon,
            runs=runs,
            summary=_summary(result),
            created_by=None if by is SYSTEM else by,
        )
        _save_lines(plan, result, specs, departments)
        audit_record(
            actor=None if by is SYSTEM else by,  # type: ignore[arg-type]
            action=AuditAction.CREATE,
            target=plan,
            changes={"lines": len(specs), "runs": runs, "horizon": horizon},
        )
    return plan


def _summary(result: PlanResult) -> dict[str, Any]:
    return {
        "quarter_ends": [d.isoformat() for d in result.quarter_ends],
        "company": {k: [round(v, 1) for v in values] for k, values in result.company.items()},
    }


def _save_lines(
    plan: Plan, result: PlanResult, specs: list[dict[str, Any]], departments: dict[str, Department]
) -> None:
    by_key = {(s["department"], s.get("job_family", "")): s for s in specs}
    drivers = {d.name: d for d in Driver.objects.all()}
    gaps = {(g.department, g.job_family, g.quarter): g for g in result.gaps}
    rows = []
    for s, (department, family) in enumerate(result.segments):
        if department not in departments:
            continue
        spec = by_key.get((department, family))
        quarters = range(len(result.quarter_ends))
        line_gaps = [gaps[(department, family, k)] for k in quarters]
        rows.append(
            PlanLine(
                plan=plan,
                department=departments[department],
                job_family=family,
                method=spec["method"] if spec else DemandMethodChoice.TARGET,
                targets=(spec or {}).get("targets") or ([] if spec else [int(result.current[s])]),
                growth_percent=(spec or {}).get("growth_percent"),
                driver=drivers.get((spec or {}).get("driver") or ""),
                ratio=(spec or {}).get("ratio"),
                current=int(result.current[s]),
                demand=[int(v) for v in result.demand[s]],
                supply=[round(g.supply_mean, 2) for g in line_gaps],
                gap=[round(g.gap_mean, 2) for g in line_gaps],
                gap_low=[round(g.gap_low, 2) for g in line_gaps],
                gap_high=[round(g.gap_high, 2) for g in line_gaps],
            )
        )
    PlanLine.objects.bulk_create(rows)


__all__ = ["Scenario", "backtest_run", "plan_build"]
