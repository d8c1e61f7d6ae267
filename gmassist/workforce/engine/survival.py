"""How likely people are to leave, from the company's own history: a piecewise-constant hazard
by tenure (a survival model by segment) with a multiplier per department shrunk towards the
company, and a separate hazard for people past the retirement age.

Why this shape: new hires leave far more often than people of long service, so the tenure mix
of a department drives its leaving more than its size does; a department of 12 people sees a
leaver or two a year, too few to estimate a rate of its own, so it borrows the company's rate
(as if `DEPARTMENT_PRIOR_LEAVERS` expected leavers at the company's rate were added to it).

Units: tenure and age in years; hazards per year; probabilities per quarter (a quarter is a
quarter of a year, 0.25 years)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

TENURE_BANDS = (0.0, 0.5, 1.0, 2.0, 5.0, float("inf"))  # years of service, left-closed
DEPARTMENT_PRIOR_LEAVERS = 6.0
RETIREMENT_AGE_MALE = 60.0  # years; China's statutory ages, the demo's
RETIREMENT_AGE_FEMALE = 55.0
YEAR_DAYS = 365.25


@dataclass
class LeavingHazards:
    """Yearly leaving hazards estimated on the window (`start`, `end`].

    `by_tenure[b]` is the company's hazard in tenure band b (TENURE_BANDS), for people below
    the retirement age; `department_factor[d]` multiplies it for department d (shrunk: 1.0 for
    a department with no history); `retirement_hazard` applies from the retirement age on (None:
    the history had nobody past it, and everyone is taken to retire on reaching it).
    `leavers` and `exposure_years` are the totals the rates came from."""

    by_tenure: np.ndarray
    department_factor: dict[str, float] = field(default_factory=dict)
    retirement_hazard: float | None = None
    leavers: int = 0
    exposure_years: float = 0.0

    def factor(self, department: str) -> float:
        return self.department_factor.get(department, 1.0)

    @property
    def relative_uncertainty(self) -> float:
        """The standard deviation of the log of the company's rate (a Poisson count's
        1/sqrt(n)): how unsure the rate itself is, which the simulation adds to chance."""
        return 1.0 / float(np.sqrt(max(self.leavers, 1)))


def _years(days: np.ndarray) -> np.ndarray:
    return days / YEAR_DAYS


def retirement_ages(female: np.ndarray, *, male: float, female_age: float) -> np.ndarray:
    return np.where(female, female_age, male)


def estimate_hazards(
    people: pd.DataFrame,
    *,
    start: pd.Timestamp,
    end: pd.Timestamp,
    retirement_age_male: float = RETIREMENT_AGE_MALE,
    retirement_age_female: float = RETIREMENT_AGE_FEMALE,
    department_prior: float = DEPARTMENT_PRIOR_LEAVERS,
) -> LeavingHazards:
    """The leaving hazards seen between `start` and `end` in `people` (`history` columns).

    Each person contributes, per tenure band, the years they spent in it inside the window
    while below their retirement age (exposure), and a leaver to the band of their tenure on
    the leaving day. Past the retirement age their years and leaving count towards the
    retirement hazard instead. A person with no birth date is always "below" it. With a
    boolean column `counts`, only the leavers marked True are events (the hazard of one kind
    of leaving: the others stop being exposed on their leaving day)."""
    if end <= start:
        raise ValueError(f"the estimation window is empty: {start.date()} to {end.date()}")
    hire = people["hire_date"].to_numpy("datetime64[D]")
    leave = people["leave_date"].to_numpy("datetime64[D]")
    birth = people["birth_date"].to_numpy("datetime64[D]")
    s, e = np.datetime64(start.date(), "D"), np.datetime64(end.date(), "D")
    left = ~np.isnat(leave) & (leave <= e)
    stop = np.where(left, leave, e)
    begin = np.maximum(hire, s)
    inside = stop > begin
    hire_d = hire.astype(np.int64)
    begin_d, stop_d = begin.astype(np.int64), stop.astype(np.int64)
    retire_age = retirement_ages(
        people["female"].to_numpy(bool), male=retirement_age_male, female_age=retirement_age_female
    )
    has_birth = ~np.isnat(birth)
    retire_d = np.where(
        has_birth,
        np.where(has_birth, birth, s).astype(np.int64) + np.round(retire_age * YEAR_DAYS),
        np.iinfo(np.int64).max // 2,
    ).astype(np.int64)
    working_stop = np.minimum(stop_d, retire_d)
    bands = np.array(TENURE_BANDS)
    n_bands = len(bands) - 1
    exposure = np.zeros(n_bands)
    leavers = np.zeros(n_bands)
    event = left & (leave > s) & inside
    if "counts" in people.columns:  # only some leavers count (the others end their exposure)
        event &= people["counts"].to_numpy(bool)
    leave_d = np.where(event, leave, s).astype(np.int64)
    event_working = event & (leave_d <= retire_d)
    tenure_at_leave = _years(leave_d - hire_d)
    band_of_leave = np.clip(
        np.searchsorted(bands, tenure_at_leave, side="right") - 1, 0, n_bands - 1
    )
    departments = people["department"].to_numpy(str)
    for b in range(n_bands):
        lo = hire_d + np.round(bands[b] * YEAR_DAYS) if np.isfinite(bands[b]) else None
        band_start = hire_d + np.round(bands[b] * YEAR_DAYS)
        band_end = (
            hire_d + np.round(bands[b + 1] * YEAR_DAYS)
            if np.isfinite(bands[b + 1])
            else np.full_like(hire_d, np.iinfo(np.int64).max // 2)
        )
        del lo
        overlap = np.minimum(working_stop, band_end) - np.maximum(begin_d, band_start)
        exposure_b = np.where(inside, np.clip(overlap, 0, None), 0)
        exposure[b] = _years(exposure_b.sum())
        leavers[b] = np.sum(event_working & (band_of_leave == b))
    by_tenure = np.where(exposure > 0, leavers / np.maximum(exposure, 1e-9), 0.0)
    # a band nobody was in (a young company has no 5-year people) takes its neighbour's rate
    for b in range(n_bands):
        if exposure[b] <= 0:
            known = np.nonzero(exposure > 0)[0]
            by_tenure[b] = by_tenure[known[np.argmin(np.abs(known - b))]] if len(known) else 0.0
    # the expected leavers of each person under the company's rates, to compare departments
    expected = np.zeros(len(people))
    for b in range(n_bands):
        band_start = hire_d + np.round(bands[b] * YEAR_DAYS)
        band_end = (
            hire_d + np.round(bands[b + 1] * YEAR_DAYS)
            if np.isfinite(bands[b + 1])
            else np.full_like(hire_d, np.iinfo(np.int64).max // 2)
        )
        overlap = np.minimum(working_stop, band_end) - np.maximum(begin_d, band_start)
        expected += by_tenure[b] * _years(np.where(inside, np.clip(overlap, 0, None), 0))
    frame = pd.DataFrame(
        {"department": departments, "expected": expected, "observed": event_working}
    )
    sums = frame.groupby("department", sort=True)[["expected", "observed"]].sum()
    factor = {
        str(d): float((row.observed + department_prior) / (row.expected + department_prior))
        for d, row in sums.iterrows()
    }
    retired_years = _years(
        np.where(inside, np.clip(stop_d - np.maximum(begin_d, retire_d), 0, None), 0).sum()
    )
    retired_leavers = int(np.sum(event & (leave_d > retire_d)))
    retirement_hazard = float(retired_leavers / retired_years) if retired_years >= 1.0 else None
    return LeavingHazards(
        by_tenure=by_tenure,
        department_factor=factor,
        retirement_hazard=retirement_hazard,
        leavers=int(leavers.sum()) + retired_leavers,
        exposure_years=float(exposure.sum()),
    )


def quarterly_probability(yearly_hazard: np.ndarray | float) -> np.ndarray:
    """The probability of leaving within a quarter at a constant yearly hazard."""
    return 1.0 - np.exp(-np.asarray(yearly_hazard, dtype=float) / 4.0)


def quarterly_probability_from_yearly(probability_12m: np.ndarray) -> np.ndarray:
    """The quarterly probability that compounds to `probability_12m` over four quarters (the
    talent module's leaving risk is a probability of leaving within 12 months)."""
    p = np.clip(np.asarray(probability_12m, dtype=float), 0.0, 1.0)
    out: np.ndarray = 1.0 - (1.0 - p) ** 0.25
    return out


def leaving_probabilities(
    hazards: LeavingHazards,
    *,
    departments: np.ndarray,
    tenure_years: np.ndarray,
    age_years: np.ndarray,
    retirement_age: np.ndarray,
    quarters: int,
    start_offsets_years: np.ndarray | None = None,
) -> np.ndarray:
    """Per person (rows) and quarter (columns) the probability of leaving during the quarter,
    given being there at its start: the tenure band's hazard at the quarter's middle times the
    department's factor; past the retirement age the retirement hazard (or certainty when the
    history has none). `start_offsets_years` delays a person's start (a known joiner): before
    it their probability is 0. `age_years` NaN: no retirement."""
    n = len(tenure_years)
    offsets = np.zeros(n) if start_offsets_years is None else start_offsets_years
    factors = np.array([hazards.factor(str(d)) for d in departments])
    bands = np.array(TENURE_BANDS)
    out = np.zeros((n, quarters))
    for k in range(quarters):
        middle = k * 0.25 + 0.125
        tenure = tenure_years + middle - offsets
        band = np.clip(
            np.searchsorted(bands, np.maximum(tenure, 0), side="right") - 1, 0, len(bands) - 2
        )
        # the share of the quarter the person is on the books (a joiner in mid-quarter: half)
        on_books = np.clip((tenure + 0.125) / 0.25, 0.0, 1.0)
        p = quarterly_probability(hazards.by_tenure[band] * factors * on_books)
        age = age_years + middle
        retired = ~np.isnan(age) & (age >= retirement_age)
        if hazards.retirement_hazard is None:
            p_retired = 1.0
        else:
            p_retired = float(quarterly_probability(hazards.retirement_hazard))
        p = np.where(retired, p_retired, p)
        out[:, k] = np.where(on_books > 0, p, 0.0)
    return out
