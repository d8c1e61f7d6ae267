"""The pay review: band position, pay against performance and gender pay gaps (no Django).

Input is one row per person (a pandas DataFrame, see PEOPLE_COLUMNS); money is yearly pay in
the company's currency, tenure in years, ratings 1-5 (the person's latest review). Every
function returns plain data that carries its evidence (the people it is about): the assistant
prepares, a person decides.

- `pay_positions`: compa-ratio (base pay / band midpoint), position in band (0 at the minimum,
  1 at the maximum), below or above the band with the amount to reach its edge, and pay
  against performance (rated high and paid low, rated low and paid high).
- `pay_summary`: the counts and amounts of the cards above the table, and the compa-ratio
  distribution.
- `gender_pay_gaps`: per position (a position has one grade), an ordinary least squares fit
  of log pay on gender + tenure + latest rating, the adjusted gap in % and the yearly cost of
  closing it; a group with too few people of either gender is reported as such, without
  numbers.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

# The columns `pay_positions` and `gender_pay_gaps` read. Missing band values, pay, rating or
# gender are allowed (None / NaN): such a person is left out of what needs the value.
PEOPLE_COLUMNS = (
    "employee_id",
    "employee_no",
    "full_name",
    "department_id",
    "department",
    "position_id",
    "position",
    "grade",
    "gender",  # "female", "male", "other" or ""
    "hire_date",  # a date
    "base_pay",  # yearly, company currency
    "band_min",
    "band_mid",
    "band_max",
    "last_rating",  # 1-5, the latest review; NaN when never reviewed
)

# Pay against performance: a latest rating of HIGH_RATING or more with a compa-ratio below
# PAID_LOW is "rated high, paid low"; a rating of LOW_RATING or less with a compa-ratio above
# PAID_HIGH is the reverse.
HIGH_RATING = 4
LOW_RATING = 2
PAID_LOW = 0.9
PAID_HIGH = 1.1

# Gender gaps are estimated only in a position with at least MIN_GAP_GROUP people (with pay and
# a rating) and at least MIN_PER_GENDER women and MIN_PER_GENDER men; a smaller group is
# reported as "too few to compare": a number from three people would name them, not a pattern.
MIN_GAP_GROUP = 10
MIN_PER_GENDER = 3

# Flags, in the order they are shown.
BELOW_BAND = "below_band"
ABOVE_BAND = "above_band"
HIGH_RATED_PAID_LOW = "high_rated_paid_low"
LOW_RATED_PAID_HIGH = "low_rated_paid_high"
FLAGS = (BELOW_BAND, ABOVE_BAND, HIGH_RATED_PAID_LOW, LOW_RATED_PAID_HIGH)

# Status of a gender-gap group.
COMPARED = "compared"
TOO_FEW = "too_few"
NOT_SEPARABLE = "not_separable"  # gender cannot be told apart from tenure and rating

# The compa-ratio distribution's bins: [lower, upper) edges, the last one open.
COMPA_BINS = (0.0, 0.8, 0.85, 0.9, 0.95, 1.0, 1.05, 1.1, 1.15, 1.2, math.inf)


def tenure_years(hire_dates: pd.Series, as_of: dt.date) -> pd.Series:
    """Years from each hire date to `as_of` (365.25-day years), never negative."""
    days = pd.Series(
        [(as_of - d).days if isinstance(d, dt.date) else np.nan for d in hire_dates],
        index=hire_dates.index,
        dtype=float,
    )
    return (days / 365.25).clip(lower=0)


def pay_positions(people: pd.DataFrame) -> pd.DataFrame:
    """Each person's place in their band and against their performance.

    Returns `people` with these columns added:
    - `compa_ratio`: base pay / band midpoint (NaN without pay or a band midpoint);
    - `band_position`: (pay - min) / (max - min), 0 at the minimum and 1 at the maximum;
    - `below_band`, `above_band`: pay below the band minimum / above its maximum;
    - `to_band_min`: the yearly raise that brings a person below the band to its minimum (0
      otherwise); `over_band_max`: how far a person above the band is over its maximum;
    - `high_rated_paid_low`, `low_rated_paid_high`: see HIGH_RATING, PAID_LOW and the reverse;
    - `flags`: the names of the flags that are set, in FLAGS order.
    """
    out = people.copy()
    pay = pd.to_numeric(out["base_pay"], errors="coerce").astype(float)
    low = pd.to_numeric(out["band_min"], errors="coerce").astype(float)
    mid = pd.to_numeric(out["band_mid"], errors="coerce").astype(float)
    high = pd.to_numeric(out["band_max"], errors="coerce").astype(float)
    rating = pd.to_numeric(out["last_rating"], errors="coerce").astype(float)
    out["base_pay"] = pay
    out["last_rating"] = rating
    out["compa_ratio"] = (pay / mid.where(mid > 0)).round(4)
    width = (high - low).where(high > low)
    out["band_position"] = ((pay - low) / width).round(4)
    out["below_band"] = (pay < low).fillna(False).astype(bool)
    out["above_band"] = (pay > high).fillna(False).astype(bool)
    out["to_band_min"] = (low - pay).where(out["below_band"], 0.0).round(2)
    out["over_band_max"] = (pay - high).where(out["above_band"], 0.0).round(2)
    compa = out["compa_ratio"]
    out["high_rated_paid_low"] = ((rating >= HIGH_RATING) & (compa < PAID_LOW)).astype(bool)
    out["low_rated_paid_high"] = ((rating <= LOW_RATING) & (compa > PAID_HIGH)).astype(bool)
    flag_table = out[list(FLAGS)]
    out["flags"] = [
        [name for name, is_set in zip(FLAGS, row, strict=True) if is_set]
        for row in flag_table.itertuples(index=False)
    ]
    return out


def compa_distribution(compa_ratios: pd.Series) -> list[dict[str, Any]]:
    """How many compa-ratios fall in each of COMPA_BINS: [{lower, upper, count}] (upper None
    for the open last bin)."""
    values = pd.to_numeric(compa_ratios, errors="coerce").dropna().to_numpy(dtype=float)
    counts, _edges = np.histogram(values, bins=np.array(COMPA_BINS))
    return [
        {
            "lower": COMPA_BINS[i],
            "upper": None if math.isinf(COMPA_BINS[i + 1]) else COMPA_BINS[i + 1],
            "count": int(counts[i]),
        }
        for i in range(len(COMPA_BINS) - 1)
    ]


def pay_summary(positions: pd.DataFrame) -> dict[str, Any]:
    """The headline numbers of a pay review from `pay_positions`'s output.

    `people` counts every row, `with_band` those with a compa-ratio; `cost_to_band_min` is the
    yearly cost of raising everyone below their band to its minimum; `over_band_max` the
    yearly amount paid above band maxima. Medians are None when nobody has a compa-ratio.
    """
    compa = positions["compa_ratio"].dropna()
    return {
        "people": len(positions),
        "with_band": len(compa),
        "median_compa_ratio": round(float(compa.median()), 3) if len(compa) else None,
        "below_band": int(positions["below_band"].sum()),
        "cost_to_band_min": round(float(positions["to_band_min"].sum()), 2),
        "above_band": int(positions["above_band"].sum()),
        "over_band_max": round(float(positions["over_band_max"].sum()), 2),
        "high_rated_paid_low": int(positions["high_rated_paid_low"].sum()),
        "low_rated_paid_high": int(positions["low_rated_paid_high"].sum()),
        "distribution": compa_distribution(positions["compa_ratio"]),
    }


@dataclass
class GenderGap:
    """The gender pay gap within one position (and so one grade).

    `adjusted_gap_pct` is women's pay relative to men's at equal tenure and latest rating, in %
    (exp(b) - 1, b the gender coefficient of the log-pay fit): -5.0 means women are paid 5%
    less. `raw_gap_pct` is the same without the adjustment (ratio of geometric means).
    `cost_to_close` is the yearly cost of raising every member of the lower-paid gender by the
    adjusted gap, after which the fitted gap is exactly zero. All numbers are None unless
    `status` is COMPARED. `employee_ids` are the people the estimate is made from (evidence).
    """

    position_id: int | None
    position: str
    grade: int | None
    status: str
    n: int
    n_female: int
    n_male: int
    adjusted_gap_pct: float | None = None
    raw_gap_pct: float | None = None
    lower_paid: str | None = None  # "female" or "male"; None when there is no gap
    cost_to_close: float | None = None
    employee_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _fit_gender_coefficient(
    log_pay: np.ndarray, female: np.ndarray, covariates: np.ndarray
) -> float | None:
    """The coefficient of `female` in an OLS of `log_pay` on [1, female, covariates], or None
    when it is not identified. Covariates that do not vary are dropped (they would be
    collinear with the intercept)."""
    keep = [j for j in range(covariates.shape[1]) if np.ptp(covariates[:, j]) > 0]
    design = np.column_stack([np.ones(len(log_pay)), female, covariates[:, keep]])
    rank = np.linalg.matrix_rank(design)
    if rank < design.shape[1]:
        return None
    coefficients, *_ = np.linalg.lstsq(design, log_pay, rcond=None)
    return float(coefficients[1])


def gender_pay_gaps(
    people: pd.DataFrame,
    *,
    as_of: dt.date,
    min_group: int = MIN_GAP_GROUP,
    min_per_gender: int = MIN_PER_GENDER,
) -> list[GenderGap]:
    """Gender pay gaps per position, adjusted for tenure (years to `as_of`) and latest rating.

    Only women and men with pay above 0 and a rating take part (the fit needs both; people of
    other or unrecorded gender are not compared with anyone, so they are not counted). Each
    position with anyone taking part gives one GenderGap, COMPARED when it has `min_group`
    people and `min_per_gender` of each gender, TOO_FEW otherwise (with only the counts).
    Sorted by cost to close (largest first), then position.
    """
    frame = people.copy()
    frame["base_pay"] = pd.to_numeric(frame["base_pay"], errors="coerce").astype(float)
    frame["last_rating"] = pd.to_numeric(frame["last_rating"], errors="coerce").astype(float)
    frame["tenure"] = tenure_years(frame["hire_date"], as_of)
    usable = frame[
        frame["gender"].isin(["female", "male"])
        & (frame["base_pay"] > 0)
        & frame["last_rating"].notna()
        & frame["tenure"].notna()
        & frame["position_id"].notna()
    ]
    gaps: list[GenderGap] = []
    for position_id, group in usable.groupby("position_id", sort=True):
        female = (group["gender"] == "female").to_numpy(dtype=float)
        n_female = int(female.sum())
        n_male = len(group) - n_female
        grade = group["grade"].iloc[0]
        gap = GenderGap(
            position_id=int(position_id),
            position=str(group["position"].iloc[0]),
            grade=None if pd.isna(grade) else int(grade),
            status=TOO_FEW,
            n=len(group),
            n_female=n_female,
            n_male=n_male,
        )
        gaps.append(gap)
        if len(group) < min_group or min(n_female, n_male) < min_per_gender:
            continue
        pay = group["base_pay"].to_numpy(dtype=float)
        log_pay = np.log(pay)
        covariates = group[["tenure", "last_rating"]].to_numpy(dtype=float)
        coefficient = _fit_gender_coefficient(log_pay, female, covariates)
        if coefficient is None:
            gap.status = NOT_SEPARABLE
            continue
        gap.status = COMPARED
        gap.employee_ids = [int(i) for i in group["employee_id"]]
        gap.adjusted_gap_pct = round((math.exp(coefficient) - 1) * 100, 2)
        raw = log_pay[female == 1].mean() - log_pay[female == 0].mean()
        gap.raw_gap_pct = round((math.exp(raw) - 1) * 100, 2)
        if abs(coefficient) < 1e-12:
            gap.lower_paid, gap.cost_to_close = None, 0.0
            continue
        lower = female == 1 if coefficient < 0 else female == 0
        gap.lower_paid = "female" if coefficient < 0 else "male"
        # raising each lower-paid member's log pay by |b| moves the fitted coefficient to 0
        gap.cost_to_close = round(float(pay[lower].sum() * (math.exp(abs(coefficient)) - 1)), 2)
    gaps.sort(key=lambda g: (-(g.cost_to_close or 0.0), g.position, g.position_id or 0))
    return gaps
