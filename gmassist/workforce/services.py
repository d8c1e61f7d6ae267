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
from gmassist.org.models import Department, Position
from gmassist.voice.recruiting.models import RecruitingAgency
from gmassist.workforce import selectors
from gmassist.workforce.choices import DemandMethodChoice, ScenarioKind, SupplySource
from gmassist.workforce.engine.backtest import BacktestError, run_backtest
from gmassist.workforce.engine.demand import DemandError, DemandLine, DemandMethod
from gmassist.workforce.engine.plan import PlanResult, project_plan
from gmassist.workforce.engine.plan import Scenario as EngineScenario
from gmassist.workforce.engine.survival import estimate_hazards
from gmassist.workforce.models import Backtest, Driver, DriverValue, Plan, PlanLine, Scenario


def _estimation_start(known: pd.DataFrame, day: pd.Timestamp) -> pd.Timestamp:
    """Where the leaving hazards are measured from: two years before `day`, not before the
    first recorded leaver (before it the records hold only those who stayed), and from the
    first hire when nobody has left by `day`."""
    leavers = known["leave_date"].dropna()
    leavers = leavers[leavers <= day]
    first = leavers.min() if len(leavers) else known["hire_date"].min()
    start = max(day - pd.DateOffset(years=2), first)
    return start if start < day else known["hire_date"].min()


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
    use_risk_model: bool = True,
    by: User | object,
) -> Plan:
    """A new version of the plan `name` as of `as_of`: its `lines` (each a dict with
    department name, job_family, method and the method's values), or, for every department
    and job family with people today, growth of `growth_percent` a year; supply simulated in
    `runs` runs: each person's voluntary leaving from the talent module's risk score when its
    latest run is trusted (`selectors.trusted_leaving_risk`) and `use_risk_model`, the other
    leaving from the survival hazards; else all leaving from the survival hazards of the last
    two years. Raises ValidationError naming the line that cannot be computed."""
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
    known = history[history["hire_date"] <= day]
    if known.empty:
        first = history["hire_date"].min().date()
        raise ValidationError(
            {"as_of": f"nobody was on the books on {as_of}: the first hire is on {first}"}
        )
    start = _estimation_start(known, day)
    hazards = estimate_hazards(known, start=start, end=day)
    risk = selectors.trusted_leaving_risk(as_of=as_of) if use_risk_model else None
    other_hazards = None
    if risk is not None:
        # the hazards of the leaving the risk model does not predict: involuntary, retirement
        others = known.assign(counts=~known["voluntary"])
        other_hazards = estimate_hazards(others, start=start, end=day)
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
            risk_12m=None if risk is None else risk[0],  # type: ignore[arg-type]
            other_hazards=other_hazards,
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
            supply_source=SupplySource.SURVIVAL if risk is None else SupplySource.RISK_MODEL,
            summary=_summary(result) | ({} if risk is None else {"risk_run": risk[1]}),
            created_by=None if by is SYSTEM else by,
        )
        _save_lines(plan, result, specs, departments, selectors.line_pay())
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
    plan: Plan,
    result: PlanResult,
    specs: list[dict[str, Any]],
    departments: dict[str, Department],
    pay: dict[tuple[str, str], float],
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
                payroll_per_person=pay.get((department, family)),
            )
        )
    PlanLine.objects.bulk_create(rows)


__all__ = ["Scenario", "backtest_run", "plan_build"]


def _actor(by: User | object) -> User | None:
    return None if by is SYSTEM else by  # type: ignore[return-value]


def _plan_inputs(plan: Plan) -> tuple[pd.DataFrame, Any, list[DemandLine]]:
    """The history, hazards and demand lines a plan was built from, to run it again."""
    history = selectors.employee_history().people
    day = pd.Timestamp(plan.as_of)
    known = history[history["hire_date"] <= day]
    hazards = estimate_hazards(known, start=_estimation_start(known, day), end=day)
    lines = [
        DemandLine(
            department=line.department.name,
            job_family=line.job_family,
            method=DemandMethod(line.method),
            current=line.current,
            targets=list(line.targets or []),
            growth_percent=line.growth_percent,
            driver=line.driver.name if line.driver else None,
            ratio=line.ratio,
        )
        for line in plan.lines.select_related("department", "driver")
    ]
    return history, hazards, lines


def scenario_run(
    *,
    plan: Plan,
    name: str,
    kind: str,
    percent: float | None = None,
    department: Department | None = None,
    by: User | object,
) -> Scenario:
    """Run `plan` again under a scenario and keep its company figures per quarter: a hiring
    freeze (the head count is the supply), demand up or down by `percent`, leaving up by
    `percent`, or `department` closed (its demand zero). Raises ValidationError by field."""
    _check(by, Action.CHANGE)
    errors: dict[str, str] = {}
    if kind not in ScenarioKind.values:
        errors["kind"] = f"unknown scenario kind {kind!r}"
    if kind in (ScenarioKind.GROWTH, ScenarioKind.LEAVING_UP) and (
        percent is None or not -100 < percent <= 500
    ):
        errors["percent"] = "give a percentage above -100 and at most 500"
    if kind == ScenarioKind.DEPARTMENT_CLOSED and department is None:
        errors["department"] = "choose the department that closes"
    if not name.strip():
        errors["name"] = "give the scenario a name"
    elif Scenario.objects.filter(plan=plan, name=name.strip()).exists():
        errors["name"] = f"the plan already has a scenario named {name.strip()!r}"
    if errors:
        raise ValidationError(errors)
    variant = EngineScenario(
        hiring_freeze=kind == ScenarioKind.HIRING_FREEZE,
        demand_percent=(percent or 0.0) if kind == ScenarioKind.GROWTH else 0.0,
        leaving_percent=(percent or 0.0) if kind == ScenarioKind.LEAVING_UP else 0.0,
        closed_department=department.name if department is not None else None,
    )
    history, hazards, lines = _plan_inputs(plan)
    risk = (
        selectors.trusted_leaving_risk(as_of=plan.as_of)
        if plan.supply_source == SupplySource.RISK_MODEL
        else None
    )
    other_hazards = None
    if risk is not None:  # as the plan was built: the risk model's voluntary leaving
        day = pd.Timestamp(plan.as_of)
        known = history[history["hire_date"] <= day]
        other_hazards = estimate_hazards(
            known.assign(counts=~known["voluntary"]), start=_estimation_start(known, day), end=day
        )
    result = project_plan(
        history,
        as_of=plan.as_of,
        horizon=plan.horizon,
        hazards=hazards,
        lines=lines,
        drivers=selectors.drivers_series(),
        runs=min(plan.runs, 1000),
        seed=0,
        scenario=variant,
        risk_12m=None if risk is None else risk[0],  # type: ignore[arg-type]
        other_hazards=other_hazards,
    )
    with transaction.atomic():
        scenario = Scenario.objects.create(
            plan=plan,
            name=name.strip(),
            kind=kind,
            percent=percent,
            department=department,
            result=_summary(result)["company"],
        )
        audit_record(
            actor=_actor(by),
            action=AuditAction.CREATE,
            target=scenario,
            changes={
                "kind": kind,
                "percent": percent,
                "department": getattr(department, "code", ""),
            },
        )
    return scenario


# --- the plan becomes proposals: requisitions in the recruiting module ------------------------

REQUISITIONS = "workforce.requisition"


def requisition_validate(payload: dict[str, Any]) -> dict[str, Any]:
    """A proposed requisition of a plan line: the line, the position and department, how many
    people (1-500), by when (`needed_by`), and the agencies to share it with."""
    errors: dict[str, str] = {}
    line = PlanLine.objects.filter(pk=payload.get("line_id")).select_related("plan").first()
    if line is None:
        errors["line_id"] = "no such plan line"
    try:
        count = int(payload.get("count", 0))
    except (TypeError, ValueError):
        count = 0
    if not 1 <= count <= 500:
        errors["count"] = "the number of people must be 1 to 500"
    if not Position.objects.filter(pk=payload.get("position_id")).exists():
        errors["position_id"] = "no such position"
    try:
        needed_by = dt.date.fromisoformat(str(payload.get("needed_by")))
    except ValueError:
        errors["needed_by"] = "needed_by must be a date (YYYY-MM-DD)"
        needed_by = None
    agency_ids = payload.get("agency_ids") or []
    if not isinstance(agency_ids, list) or not all(isinstance(a, int) for a in agency_ids):
        errors["agency_ids"] = "agency_ids must be a list of agency ids"
    elif RecruitingAgency.objects.filter(pk__in=agency_ids).count() != len(set(agency_ids)):
        errors["agency_ids"] = "an agency of agency_ids does not exist"
    if errors:
        raise ValidationError(errors)
    assert line is not None and needed_by is not None
    return {
        "line_id": line.pk,
        "plan_id": line.plan_id,
        "department_id": line.department_id,
        "position_id": int(payload["position_id"]),
        "count": count,
        "needed_by": needed_by.isoformat(),
        "open_on": str(payload.get("open_on") or ""),
        "agency_ids": sorted(set(agency_ids)),
    }


def requisition_apply(proposal: Any, by: User | None) -> dict[str, Any]:
    """Open the requisition through the recruiting services (and share it with the chosen
    agencies); returns its code."""
    from gmassist.voice.recruiting.choices import RequisitionReason
    from gmassist.voice.recruiting.services import requisition_open, requisition_share

    payload = proposal.payload
    line = PlanLine.objects.select_related("plan").get(pk=payload["line_id"])
    requisition = requisition_open(
        by=by,
        position=Position.objects.get(pk=payload["position_id"]),
        department=Department.objects.get(pk=payload["department_id"]),
        # a requisition late on the plan is to be filled as soon as it can be
        target_date=max(dt.date.fromisoformat(payload["needed_by"]), timezone.localdate()),
        headcount=payload["count"],
        reason=RequisitionReason.GROWTH if line.demand and line.demand[-1] > line.current
        else RequisitionReason.REPLACEMENT,
        reason_note=f"{line.plan}: {line}",
    )  # fmt: skip
    agencies = list(RecruitingAgency.objects.filter(pk__in=payload["agency_ids"]))
    if agencies:
        requisition_share(by=by, requisition=requisition, agencies=agencies)
    return {"requisition_id": requisition.pk, "code": requisition.code, "shared": len(agencies)}


def requisition_subjects(payload: dict[str, Any]) -> set[int]:
    return set()  # a requisition is about a position to fill, nobody in particular


def plan_requisitions_propose(
    *, plan: Plan, by: User | object, agency_ids: list[int] | None = None
) -> list[Any]:
    """One proposal per line of the plan's recruitment plan that the proposer may see:
    open a requisition for the people short, by the day they are needed. Nothing opens until
    someone allowed approves it. Returns the proposals."""
    _check(by, Action.PROPOSE)
    from gmassist.core.services import proposal_create

    found = selectors.plan_gaps(user=by, plan=plan)
    proposals = []
    with transaction.atomic():
        for item in found.requisitions:
            line = found.lines[(item.department, item.job_family)]
            position = selectors.line_position(line=line)
            if position is None:
                continue
            title = f"{item.count} × {position.title}, {item.department}"
            proposals.append(
                proposal_create(
                    kind=REQUISITIONS,
                    title=title,
                    payload={
                        "line_id": line.pk,
                        "position_id": position.pk,
                        "count": item.count,
                        "needed_by": item.needed_by.isoformat(),
                        "open_on": item.open_on.isoformat(),
                        "agency_ids": list(agency_ids or []),
                    },
                    rationale=(
                        f"{plan}: {item.department} / {item.job_family or '-'} is short of "
                        f"{item.count} by {item.needed_by}; the recorded time to fill is "
                        f"{item.time_to_fill_days} days, so the requisition opens on {item.open_on}"
                    ),
                    by=by,
                    department=line.department,
                )
            )
    return proposals


def driver_save(
    *,
    name: str,
    unit: str = "",
    description: str = "",
    values: dict[dt.date, float],
    forecast: dict[dt.date, float] | None = None,
    by: User | object,
) -> Driver:
    """Create or replace the driver `name` with its monthly `values` (actuals) and `forecast`
    (months after them), keyed by any day of the month. Raises ValidationError on a month
    given twice or a negative value."""
    _check(by, Action.CHANGE)
    rows: dict[dt.date, tuple[float, bool]] = {}
    for series, is_forecast in ((values, False), (forecast or {}, True)):
        for day, value in series.items():
            month = dt.date(day.year, day.month, 1)
            if month in rows:
                raise ValidationError({"values": f"{name}: the month {month:%Y-%m} is given twice"})
            if value < 0:
                raise ValidationError({"values": f"{name}: {month:%Y-%m} is negative ({value})"})
            rows[month] = (float(value), is_forecast)
    with transaction.atomic():
        driver, _ = Driver.objects.update_or_create(
            name=name, defaults={"unit": unit, "description": description}
        )
        DriverValue.objects.filter(driver=driver).delete()
        DriverValue.objects.bulk_create(
            DriverValue(driver=driver, month=m, value=v, forecast=f)
            for m, (v, f) in sorted(rows.items())
        )
        audit_record(
            actor=_actor(by),
            action=AuditAction.UPDATE,
            target=driver,
            changes={"months": len(rows), "forecast_months": len(forecast or {})},
        )
    return driver
