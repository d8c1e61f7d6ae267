"""Gaps: demand minus supply per line and quarter with its interval from the supply runs, what
the gap costs, and the recruitment plan (when to open each requisition so that people arrive
by the quarter they are needed, given the recorded time to fill), with moves between lines of
the same job family where one line has people to spare while another lacks them."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np

DEFAULT_TIME_TO_FILL_DAYS = 60  # when the recruiting records have no filled requisition
GAP_BLOCK_LINES = 1000


@dataclass
class Gap:
    """People short (positive) or spare (negative) in a line at a quarter's end: the mean over
    the runs and the central 90% interval; `payroll_per_year` what the shortfall's people cost
    a year at the line's average pay (money per year; None when pay is unknown)."""

    department: str
    job_family: str
    quarter: int
    quarter_end: dt.date
    demand: int
    supply_mean: float
    gap_mean: float
    gap_low: float
    gap_high: float
    chance_short: float  # share of runs with fewer people than demand
    payroll_per_year: float | None


@dataclass
class Requisition:
    """Hire `count` people into a line by `needed_by`: open on `open_on` (needed_by minus
    the time to fill); `late_days` > 0 when that day is already past on `today`, and then
    the people arrive `late_days` after they are needed (`arrives_on`)."""

    department: str
    job_family: str
    count: int
    needed_by: dt.date
    open_on: dt.date
    time_to_fill_days: int
    late_days: int

    @property
    def arrives_on(self) -> dt.date:
        return self.needed_by + dt.timedelta(days=self.late_days)


@dataclass
class _Spare:
    count: int
    gap: Gap


@dataclass
class InternalMove:
    """`count` people of `job_family` who could move from a line with people to spare."""

    job_family: str
    from_department: str
    to_department: str
    count: int
    quarter_end: dt.date


def gaps_of(
    *,
    segments: list[tuple[str, str]],
    demand: np.ndarray,
    head_count_runs: np.ndarray,
    quarter_ends: list[dt.date],
    pay_per_year: dict[tuple[str, str], float] | None = None,
    level: float = 0.9,
) -> list[Gap]:
    """One Gap per segment and quarter; `demand[s, k]` people, `head_count_runs[r, s, k]`."""
    tail = (1 - level) / 2 * 100
    n_segments = demand.shape[0]
    low = np.zeros(demand.shape)
    high = np.zeros(demand.shape)
    mean = np.zeros(demand.shape)
    short = np.zeros(demand.shape)
    # a block of lines at a time: the runs of every line at once would be gigabytes at scale
    for first in range(0, n_segments, GAP_BLOCK_LINES):
        block = slice(first, min(first + GAP_BLOCK_LINES, n_segments))
        gap_runs = demand[None, block, :] - head_count_runs[:, block, :]
        low[block] = np.percentile(gap_runs, tail, axis=0)
        high[block] = np.percentile(gap_runs, 100 - tail, axis=0)
        mean[block] = gap_runs.mean(axis=0)
        short[block] = (gap_runs > 0).mean(axis=0)
    supply = demand - mean
    out = []
    for s, (department, family) in enumerate(segments):
        pay = (pay_per_year or {}).get((department, family))
        for k, end in enumerate(quarter_ends):
            g = float(mean[s, k])
            out.append(
                Gap(
                    department=department,
                    job_family=family,
                    quarter=k,
                    quarter_end=end,
                    demand=int(demand[s, k]),
                    supply_mean=float(supply[s, k]),
                    gap_mean=g,
                    gap_low=float(low[s, k]),
                    gap_high=float(high[s, k]),
                    chance_short=float(short[s, k]),
                    payroll_per_year=None if pay is None else max(g, 0.0) * pay,
                )
            )
    return out


def recruitment_plan(
    gaps: list[Gap],
    *,
    needed_by: list[dt.date],
    time_to_fill_days: dict[str, int],
    today: dt.date,
    moves: list[InternalMove] | None = None,
) -> list[Requisition]:
    """The requisitions that close each line's expected shortfall: in each quarter, the people
    short (rounded up) beyond those already asked for in earlier quarters and those an internal
    move brings, needed by `needed_by[quarter]` (the quarter's end, the day its demand counts),
    opened `time_to_fill_days[job family]` (or `DEFAULT_TIME_TO_FILL_DAYS`) before."""
    moved: dict[tuple[str, str], int] = {}
    for move in moves or []:
        key = (move.to_department, move.job_family)
        moved[key] = max(moved.get(key, 0), move.count)
    asked: dict[tuple[str, str], int] = {}
    out = []
    for gap in sorted(gaps, key=lambda g: (g.department, g.job_family, g.quarter)):
        key = (gap.department, gap.job_family)
        short = math.ceil(gap.gap_mean - 1e-9) - moved.get(key, 0)
        more = short - asked.get(key, 0)
        if more <= 0:
            continue
        asked[key] = asked.get(key, 0) + more
        days = time_to_fill_days.get(
            gap.job_family, time_to_fill_days.get("", DEFAULT_TIME_TO_FILL_DAYS)
        )
        needed = needed_by[gap.quarter]
        open_on = needed - dt.timedelta(days=days)
        out.append(
            Requisition(
                department=gap.department,
                job_family=gap.job_family,
                count=more,
                needed_by=needed,
                open_on=max(open_on, today),
                time_to_fill_days=days,
                late_days=max(0, (today - open_on).days),
            )
        )
    return out


def internal_moves(gaps: list[Gap], *, quarter: int) -> list[InternalMove]:
    """Within each job family at `quarter`, people a line has to spare for sure (the 90%
    interval all below zero: `-gap_high`, rounded down) matched to the lines short of them,
    the largest shortfalls first."""
    at = [g for g in gaps if g.quarter == quarter]
    out = []
    for family in sorted({g.job_family for g in at}):
        spare = sorted(
            ((math.floor(-g.gap_high), g) for g in at if g.job_family == family and g.gap_high < 0),
            key=lambda x: (-x[0], x[1].department),
        )
        short = sorted(
            ((math.ceil(g.gap_mean), g) for g in at if g.job_family == family and g.gap_mean >= 1),
            key=lambda x: (-x[0], x[1].department),
        )
        pool = [_Spare(n, g) for n, g in spare if n > 0]
        for need, gap in short:
            for item in pool:
                if need <= 0:
                    break
                take = min(need, item.count)
                if take > 0:
                    out.append(
                        InternalMove(
                            job_family=family,
                            from_department=item.gap.department,
                            to_department=gap.department,
                            count=take,
                            quarter_end=gap.quarter_end,
                        )
                    )
                    item.count -= take
                    need -= take
    return out
