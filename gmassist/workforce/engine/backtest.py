"""The backtest: how the supply model would have forecast the head count of each department and
of the company, had it been run on an earlier day, against what happened and against two
baselines a planner would otherwise use.

On `as_of` the model knows only the history up to that day. It projects everyone then on the
books with the leaving hazards of the `ESTIMATION_YEARS` before it (`survival`), and adds hires
at the trailing rate: each department's hires per head over the last year (shrunk towards the
company's rate by `HIRE_PRIOR_PERSON_YEARS`), spread over the calendar quarters as the
company's hires were (the graduate intake of the summer), each hire then facing the new-hire
hazard. Its forecast is the expected head count at the end of each quarter.

The baselines: `carry_forward` keeps the head count of `as_of`; `trailing_rate` compounds the
net change of the year before `as_of` (the department's own, and the company's for the
company). Errors: MAE in people, MAPE in percent of the actual head count, over the quarters
whose end is within the history (quarters with nobody on the books are left out of the MAPE)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from gmassist.workforce.engine.calendar import add_months, calendar_quarter, quarter_ends
from gmassist.workforce.engine.history import head_count
from gmassist.workforce.engine.survival import (
    RETIREMENT_AGE_FEMALE,
    RETIREMENT_AGE_MALE,
    YEAR_DAYS,
    LeavingHazards,
    estimate_hazards,
    leaving_probabilities,
    retirement_ages,
)

ESTIMATION_YEARS = 2
HIRE_PRIOR_PERSON_YEARS = 20.0
METHODS = ("model", "carry_forward", "trailing_rate")


class BacktestError(ValueError):
    """The backtest cannot run on this history for this day (says why)."""


@dataclass
class Errors:
    """Mean absolute error (people) and mean absolute percentage error (%) of a forecast."""

    mae: float
    mape: float | None

    def as_dict(self) -> dict[str, float | None]:
        return {
            "mae": round(self.mae, 2),
            "mape": None if self.mape is None else round(self.mape, 2),
        }


@dataclass
class UnitBacktest:
    """A department's (or the company's) forecasts and errors per method, quarter by quarter."""

    name: str
    people: int  # on the books on as_of
    actual: list[int]
    forecasts: dict[str, list[float]]
    errors: dict[str, Errors]

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "people": self.people}
        out.update({m: self.errors[m].as_dict() for m in METHODS})
        return out


@dataclass
class BacktestResult:
    as_of: dt.date
    horizon: int  # quarters asked for
    quarter_ends: list[dt.date]  # the quarters scored (within the history)
    company: UnitBacktest
    departments: list[UnitBacktest]
    hazards: LeavingHazards
    notes: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        company = self.company.as_dict()
        return {
            "as_of": self.as_of.isoformat(),
            "horizon": self.horizon,
            "quarters_scored": len(self.quarter_ends),
            "company": {m: company[m] for m in METHODS} | {"people": self.company.people},
            "departments": [d.as_dict() for d in self.departments],
            "quarters": [
                {
                    "end": day.isoformat(),
                    "actual": self.company.actual[k],
                    **{m: round(self.company.forecasts[m][k], 1) for m in METHODS},
                }
                for k, day in enumerate(self.quarter_ends)
            ],
            "notes": self.notes,
        }

    def beats_baselines(self) -> bool:
        model = self.company.errors["model"].mae
        return all(model < self.company.errors[m].mae for m in METHODS[1:])


def errors_of(forecast: np.ndarray, actual: np.ndarray) -> Errors:
    """MAE and MAPE of `forecast` against `actual` (same length, people)."""
    absolute = np.abs(forecast - actual)
    positive = actual > 0
    mape = float(np.mean(absolute[positive] / actual[positive]) * 100) if positive.any() else None
    return Errors(mae=float(np.mean(absolute)), mape=mape)


def _ts(day: dt.date) -> pd.Timestamp:
    return pd.Timestamp(day)


def model_forecast(
    people: pd.DataFrame,
    *,
    as_of: dt.date,
    quarters: int,
    retirement_age_male: float = RETIREMENT_AGE_MALE,
    retirement_age_female: float = RETIREMENT_AGE_FEMALE,
    records_start: dt.date | None = None,
) -> tuple[pd.DataFrame, LeavingHazards]:
    """The model's expected head count per department (rows) at the end of each of `quarters`
    quarters after `as_of` (columns 0..quarters-1), from the history known on `as_of` only, and
    the hazards it used."""
    known = people[people["hire_date"] <= _ts(as_of)].copy()
    # what happened after as_of is unknown on as_of
    known.loc[known["leave_date"] > _ts(as_of), "leave_date"] = pd.NaT
    first = _ts(records_start) if records_start else known["hire_date"].min()
    window_start = max(_ts(add_months(as_of, -12 * ESTIMATION_YEARS)), first)
    hazards = estimate_hazards(
        known,
        start=window_start,
        end=_ts(as_of),
        retirement_age_male=retirement_age_male,
        retirement_age_female=retirement_age_female,
    )
    on_books = known[head_count(known, _ts(as_of))]
    departments = sorted(known["department"].unique())
    retire_age = retirement_ages(
        on_books["female"].to_numpy(bool),
        male=retirement_age_male,
        female_age=retirement_age_female,
    )
    as_of_ts = _ts(as_of)
    tenure = ((as_of_ts - on_books["hire_date"]).dt.days / YEAR_DAYS).to_numpy(float)
    age = ((as_of_ts - on_books["birth_date"]).dt.days / YEAR_DAYS).to_numpy(float)
    p = leaving_probabilities(
        hazards,
        departments=on_books["department"].to_numpy(str),
        tenure_years=tenure,
        age_years=age,
        retirement_age=retire_age,
        quarters=quarters,
    )
    staying = np.cumprod(1.0 - p, axis=1)
    stayers = (
        pd.DataFrame(staying, index=on_books["department"].to_numpy(str))
        .groupby(level=0)
        .sum()
        .reindex(departments, fill_value=0.0)
    )
    hires = trailing_hires(known, as_of=as_of)
    season = hire_season(known, as_of=as_of, records_start=first.date())
    ends = quarter_ends(as_of, quarters)
    joiners = np.zeros((len(departments), quarters))
    # a cohort of one joiner per department and quarter, weighted by the expected hires
    for k in range(quarters):
        quarter = calendar_quarter(ends[k] - dt.timedelta(days=45))
        offsets = np.full(len(departments), k * 0.25 + 0.125)
        pk = leaving_probabilities(
            hazards,
            departments=np.array(departments, dtype=str),
            tenure_years=np.zeros(len(departments)),
            age_years=np.full(len(departments), np.nan),
            retirement_age=np.full(len(departments), 99.0),
            quarters=quarters,
            start_offsets_years=offsets,
        )
        survive = np.cumprod(1.0 - pk, axis=1)
        expected = np.array([hires.get(d, 0.0) for d in departments]) * season[quarter]
        joiners[:, k:] += expected[:, None] * survive[:, k:]
    forecast = stayers.to_numpy() + joiners
    return pd.DataFrame(forecast, index=departments), hazards


def trailing_hires(people: pd.DataFrame, *, as_of: dt.date) -> dict[str, float]:
    """Each department's hires per year at the trailing rate: its hires per person-year on
    the books over the year before `as_of`, shrunk towards the company's rate as if
    `HIRE_PRIOR_PERSON_YEARS` person-years at that rate were added, times its head count on
    `as_of` (people per year)."""
    end, start = _ts(as_of), _ts(add_months(as_of, -12))
    hired = (people["hire_date"] > start) & (people["hire_date"] <= end)
    stop = people["leave_date"].fillna(end).clip(upper=end)
    begin = people["hire_date"].clip(lower=start)
    years = ((stop - begin).dt.days.clip(lower=0)) / YEAR_DAYS
    frame = pd.DataFrame(
        {"department": people["department"], "hired": hired, "years": years,
         "now": head_count(people, end)}
    )  # fmt: skip
    sums = frame.groupby("department")[["hired", "years", "now"]].sum()
    total_years = float(sums["years"].sum())
    company_rate = float(sums["hired"].sum()) / total_years if total_years > 0 else 0.0
    rate = (sums["hired"] + HIRE_PRIOR_PERSON_YEARS * company_rate) / (
        sums["years"] + HIRE_PRIOR_PERSON_YEARS
    )
    return {str(d): float(rate[d] * sums.loc[d, "now"]) for d in sums.index}


def hire_season(
    people: pd.DataFrame, *, as_of: dt.date, records_start: dt.date | None = None
) -> np.ndarray:
    """The share of a year's hires that fall in each calendar quarter (four numbers summing to
    1), from the company's hires of the whole years before `as_of`; even without a whole
    year."""
    end = _ts(as_of)
    first = _ts(records_start) if records_start else people["hire_date"].min()
    years = int((end - first).days // 365.25)
    years = min(years, 3)
    if years < 1:
        return np.full(4, 0.25)
    start = _ts(add_months(as_of, -12 * years))
    hires = people[(people["hire_date"] > start) & (people["hire_date"] <= end)]["hire_date"]
    counts = np.bincount(((hires.dt.month - 1) // 3).to_numpy(int), minlength=4).astype(float)
    if counts.sum() == 0:
        return np.full(4, 0.25)
    # a little of the even spread, so that a quarter with no hire last year is not ruled out
    season: np.ndarray = 0.9 * counts / counts.sum() + 0.1 * 0.25
    return season


def _trailing_rate_forecast(now: float, year_before: float, quarters: int) -> np.ndarray:
    rate = now / year_before if year_before > 0 else 1.0
    return now * rate ** (np.arange(1, quarters + 1) / 4.0)


def run_backtest(
    people: pd.DataFrame,
    *,
    as_of: dt.date,
    horizon: int = 8,
    history_end: dt.date | None = None,
    retirement_age_male: float = RETIREMENT_AGE_MALE,
    retirement_age_female: float = RETIREMENT_AGE_FEMALE,
    records_start: dt.date | None = None,
) -> BacktestResult:
    """The backtest of the model and both baselines from `as_of` over `horizon` quarters, on
    `people` (a cleaned history). `history_end` is the last day the history is complete for
    (default: its latest hire or leave date); quarters ending after it are not scored.
    `records_start` is the first day from which leavers are recorded (default: the earliest
    leave date): an export of today's staff and of the leavers since some day holds, before
    that day, only the people who stayed, and rates measured there would be too low.

    Raises BacktestError when `as_of` leaves no quarter to score or has no history before it."""
    if not 1 <= horizon <= 12:
        raise BacktestError(f"the horizon must be 1 to 12 quarters, not {horizon}")
    if records_start is None:
        leavers = people["leave_date"].dropna()
        records_start = leavers.min().date() if len(leavers) else people["hire_date"].min().date()
    first = records_start
    latest = max(people["hire_date"].max(), people["leave_date"].max()).date()
    end = history_end or latest
    if as_of <= first + dt.timedelta(days=365):
        raise BacktestError(
            f"--as-of {as_of} leaves less than a year of history before it "
            f"(leavers are recorded from {first})"
        )
    ends = [day for day in quarter_ends(as_of, horizon) if day <= end]
    if not ends:
        raise BacktestError(
            f"no quarter after --as-of {as_of} ends by the end of the history ({end}); "
            f"choose a day at least 3 months earlier"
        )
    forecast, hazards = model_forecast(
        people,
        as_of=as_of,
        quarters=len(ends),
        retirement_age_male=retirement_age_male,
        retirement_age_female=retirement_age_female,
        records_start=records_start,
    )
    departments = list(forecast.index)
    year_before = _ts(add_months(as_of, -12))
    now_counts = people[head_count(people, _ts(as_of))].groupby("department").size()
    before_counts = people[head_count(people, year_before)].groupby("department").size()
    actual = np.array(
        [
            people[head_count(people, _ts(day))]
            .groupby("department")
            .size()
            .reindex(departments, fill_value=0)
            .to_numpy()
            for day in ends
        ]
    ).T  # departments x quarters
    units = []
    for i, name in enumerate(departments):
        now = float(now_counts.get(name, 0))
        if now == 0 and actual[i].sum() == 0:
            continue  # a department closed before as_of
        forecasts = {
            "model": list(forecast.iloc[i].to_numpy(float)),
            "carry_forward": [now] * len(ends),
            "trailing_rate": list(
                _trailing_rate_forecast(now, float(before_counts.get(name, 0)), len(ends))
            ),
        }
        units.append(_unit(name, int(now), actual[i], forecasts))
    company_now = float(now_counts.sum())
    company_forecasts = {
        "model": list(forecast.to_numpy().sum(axis=0)),
        "carry_forward": [company_now] * len(ends),
        "trailing_rate": list(
            _trailing_rate_forecast(company_now, float(before_counts.sum()), len(ends))
        ),
    }
    company = _unit("company", int(company_now), actual.sum(axis=0), company_forecasts)
    units.sort(key=lambda u: (-u.people, u.name))
    return BacktestResult(
        as_of=as_of,
        horizon=horizon,
        quarter_ends=ends,
        company=company,
        departments=units,
        hazards=hazards,
    )


def _unit(
    name: str, people: int, actual: np.ndarray, forecasts: dict[str, list[float]]
) -> UnitBacktest:
    return UnitBacktest(
        name=name,
        people=people,
        actual=[int(a) for a in actual],
        forecasts=forecasts,
        errors={m: errors_of(np.array(f), actual.astype(float)) for m, f in forecasts.items()},
    )
