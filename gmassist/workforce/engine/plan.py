"""A whole plan from today's people: supply by simulation per department x job family line,
demand per line, the gaps with their intervals, and the scenarios' variants of it.

Units: people; quarters after `as_of`; money per year."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from gmassist.workforce.engine.calendar import quarter_ends
from gmassist.workforce.engine.demand import DemandLine, line_demand
from gmassist.workforce.engine.gaps import Gap, gaps_of
from gmassist.workforce.engine.history import head_count
from gmassist.workforce.engine.supply import SupplyInput, SupplyRuns, simulate_supply
from gmassist.workforce.engine.survival import (
    YEAR_DAYS,
    LeavingHazards,
    leaving_probabilities,
    quarterly_probability_from_yearly,
    retirement_ages,
)


@dataclass
class Scenario:
    """A variant: `hiring_freeze` (nobody is hired: the head count is the supply),
    `demand_percent` (every line's demand moved by this % from the plan's), `leaving_percent`
    (everyone's leaving odds up by this %), `closed_department` (its demand is zero)."""

    hiring_freeze: bool = False
    demand_percent: float = 0.0
    leaving_percent: float = 0.0
    closed_department: str | None = None


@dataclass
class PlanResult:
    """The plan's figures: `demand[s, k]` people per line and quarter; `supply` the runs;
    `gaps` one per line and quarter; `company` per quarter the totals (demand, supply mean,
    the supply's 90% interval, leavers, the head count under the scenario, the people to have
    hired by then and the demand left unfilled)."""

    quarter_ends: list[dt.date]
    segments: list[tuple[str, str]]
    current: np.ndarray
    demand: np.ndarray
    supply: SupplyRuns
    gaps: list[Gap]
    company: dict[str, list[float]] = field(default_factory=dict)


def project_plan(
    people: pd.DataFrame,
    *,
    as_of: dt.date,
    horizon: int,
    hazards: LeavingHazards,
    lines: list[DemandLine],
    drivers: dict[str, dict[dt.date, float]],
    runs: int = 1000,
    seed: int = 0,
    scenario: Scenario | None = None,
    risk_12m: dict[object, float] | None = None,
    other_hazards: LeavingHazards | None = None,
    pay_per_year: dict[tuple[str, str], float] | None = None,
    retirement_age_male: float = 60.0,
    retirement_age_female: float = 55.0,
) -> PlanResult:
    """The plan of `lines` on `people` (a cleaned history) as of `as_of`.

    Leaving per person: `risk_12m[employee_id]` (the talent module's probability of leaving
    voluntarily within 12 months) with `other_hazards` (the hazards of the other leaving) when
    given for that person, else the survival hazards of all leaving. People with a leave date
    after `as_of` are known leavers; people hired after it are known joiners. Lines with
    people today but no demand line keep their head count as demand (a plan that is silent
    keeps things as they are)."""
    scenario = scenario or Scenario()
    ends = quarter_ends(as_of, horizon)
    day = pd.Timestamp(as_of)
    here = head_count(people, day)
    joining = (people["hire_date"] > day) & (people["hire_date"] <= pd.Timestamp(ends[-1]))
    cast = people[here | joining]
    keys = list(zip(cast["department"].astype(str), cast["job_family"].astype(str), strict=True))
    segments = sorted(set(keys) | {(line.department, line.job_family) for line in lines})
    index = {s: i for i, s in enumerate(segments)}
    tenure = ((day - cast["hire_date"]).dt.days / YEAR_DAYS).to_numpy(float)
    age = ((day - cast["birth_date"]).dt.days / YEAR_DAYS).to_numpy(float)
    join_quarter = np.full(len(cast), -1)
    hire_days = cast["hire_date"].to_numpy("datetime64[D]")
    for k in reversed(range(horizon)):
        join_quarter[hire_days <= np.datetime64(ends[k], "D")] = k
    join_quarter[here[cast.index].to_numpy()] = -1
    offsets = np.where(join_quarter >= 0, -tenure, 0.0)  # a joiner's tenure starts on hiring

    def probabilities(source: LeavingHazards) -> np.ndarray:
        return leaving_probabilities(
            source,
            departments=cast["department"].to_numpy(str),
            tenure_years=np.where(join_quarter >= 0, 0.0, tenure),
            age_years=age,
            retirement_age=retirement_ages(
                cast["female"].to_numpy(bool),
                male=retirement_age_male,
                female_age=retirement_age_female,
            ),
            quarters=horizon,
            start_offsets_years=offsets,
        )

    p = probabilities(hazards)
    if risk_12m:
        # a person with a risk score: the risk model's voluntary leaving and the other leaving
        # (involuntary, retirement: `other_hazards`); stays only if neither happens
        from_risk = np.array([risk_12m.get(e, np.nan) for e in cast["employee_id"]], dtype=float)
        scored = ~np.isnan(from_risk)
        voluntary = quarterly_probability_from_yearly(np.nan_to_num(from_risk))
        other = probabilities(other_hazards) if other_hazards is not None else np.zeros_like(p)
        combined = 1 - (1 - voluntary[:, None]) * (1 - other)
        p = np.where(scored[:, None], combined, p)
    if scenario.leaving_percent:
        odds = p / np.clip(1 - p, 1e-12, None) * (1 + scenario.leaving_percent / 100)
        p = odds / (1 + odds)
    leave_days = cast["leave_date"].to_numpy("datetime64[D]")
    known_leave = np.full(len(cast), -1)
    for k in reversed(range(horizon)):
        known_leave[~np.isnat(leave_days) & (leave_days <= np.datetime64(ends[k], "D"))] = k
    data = SupplyInput(
        segments=segments,
        segment=np.array([index[key] for key in keys], dtype=np.int64),
        leave_probability=p,
        known_leave_quarter=known_leave,
        join_quarter=join_quarter,
        rate_uncertainty=hazards.relative_uncertainty,
    )
    supply = simulate_supply(data, runs=runs, seed=seed)
    current = supply.start
    demand = np.repeat(current[:, None].astype(float), horizon, axis=1)
    for line in lines:
        demand[index[(line.department, line.job_family)]] = line_demand(line, ends, drivers)
    if scenario.demand_percent:
        demand = np.round(demand * (1 + scenario.demand_percent / 100))
    if scenario.closed_department is not None:
        for s, (department, _family) in enumerate(segments):
            if department == scenario.closed_department:
                demand[s] = 0
    gaps = gaps_of(
        segments=segments,
        demand=demand,
        head_count_runs=supply.head_count,
        quarter_ends=ends,
        pay_per_year=pay_per_year,
    )
    low, high = supply.interval(0.9)
    total_supply = supply.head_count.sum(axis=1, dtype=np.int64)
    shortfall = np.array([g.gap_mean for g in gaps]).reshape(len(segments), horizon)
    shortfall = np.clip(shortfall, 0, None).sum(axis=0)
    company = {
        "demand": demand.sum(axis=0).tolist(),
        "supply": total_supply.mean(axis=0).tolist(),
        "supply_low": np.percentile(total_supply, 5, axis=0).tolist(),
        "supply_high": np.percentile(total_supply, 95, axis=0).tolist(),
        "leavers": supply.leavers.sum(axis=1, dtype=np.int64).mean(axis=0).tolist(),
        # people to have hired by the quarter's end to meet demand (none in a freeze), and the
        # demand left unfilled (all of the shortfall in a freeze)
        "hires_needed": ([0.0] * horizon if scenario.hiring_freeze else shortfall.tolist()),
        "unfilled": (shortfall.tolist() if scenario.hiring_freeze else [0.0] * horizon),
        "head_count": (
            total_supply.mean(axis=0).tolist()
            if scenario.hiring_freeze
            else np.maximum(demand.sum(axis=0), 0).tolist()
        ),
    }
    del low, high
    return PlanResult(
        quarter_ends=ends,
        segments=segments,
        current=current,
        demand=demand,
        supply=supply,
        gaps=gaps,
        company=company,
    )
