"""Leaving risk from the company's own history: monthly snapshots, a time-based backtest, scores.

Pure: pandas and numpy, no Django import. A selector reads the history into the plain frames of
`History`; this module turns it into one row per employee per month-end snapshot, labelled by
whether that person left voluntarily within the following 12 months, fits the shared risk-model
engine (`gmassist.lib.risk_model`) on it, backtests it by time and scores a month.

The features of a person at a snapshot day `s` (all from records dated on or before `s`)
----------------------------------------------------------------------------------------
* `compa_ratio`: base pay then / band midpoint of the grade held then. Positions keep only
  today's bands, so the grade then is today's grade minus the promotions recorded after `s`,
  and each snapshot's compa-ratios are scaled so that their median equals the median of the
  latest snapshot (bands are assumed to move with the company's pay; without this a
  three-year-old snapshot would look 8-12% underpaid against today's bands).
* `months_since_raise`, `months_since_promotion`: since the latest pay change that is not the
  starting pay (resp. a promotion), or since the hire; months of 30.44 days.
* `tenure_months`, `grade`, `last_rating` (1-5, the latest review).
* `department`: the department (as of today; the organisation keeps no transfer history), for
  display only: as a category it adds one column per department (slow at 100,000 people) and
  measured no better than the attrition rate below.
* `manager_changes_12m`: how many times the reviewer changed between consecutive reviews in the
  12 months before `s` (the reviewer is the manager of the day; the organisation keeps no
  other manager history), plus one when the manager of the latest review has left the
  company since that review (a change the next review would show).
* `department_attrition_rate`: the voluntary leavers of the person's department per
  person-year on its books over the `ATTRITION_WINDOW_MONTHS` before `s`, shrunk towards the
  company's rate as if `SHRINK_PERSON_YEARS` person-years at that rate were added (small
  departments, and early snapshots with little history, stay near the company's rate).
* `department_negative_share`: the share of negative feedback in the department over the
  6 months before `s`, when a feedback signal is given (the voice module's
  `department_negative_share`; the feature is left out without one).
* every custom attribute column (`custom__<name>`), as it is today.

The label `voluntary_leaver` is "yes" when the person's voluntary separation is in (s, s + 12
months], "no" otherwise, and "" (unknown) when s + 12 months is after the end of the history.

The backtest trains on the snapshots whose 12-month outcome was already known on the test
snapshot's day (s <= T - 12 months) and tests on T, the latest snapshot with a known outcome:
the model is judged only on what it could have known then. Units: probabilities in [0, 1],
months as above, rates as fractions per year.

What the features cannot see (measured on the demo, tier S, seed 1; see `org/demo/causes.py`)
--------------------------------------------------------------------------------------------
On the demo's earlier causes the backtest AUC was 0.62 while the true hazard scored the same
test month at 0.65: too weak to find. With the causes made stronger, the true hazard reaches
0.78-0.80 and a model fitted on the true factors 0.80, against 0.73 for these features as
they were: the features then missed part of the causes. Fixed since: the demo's pay records
lacked the promotions before the first recorded day (months since promotion correlated 0.71
with the truth, now 1.00); a manager who left was seen only at the next review (a change is
now counted from the leaving day); the department's rate was annualised over as little as
three months of history (now per person-year, shrunk). Still unseen, for want of data the
organisation does not keep: a manager change between two reviews (manager history), a move
between departments (transfer history: departments are today's), and a bad manager apart
from the department they head (at tier S every bad manager heads one department, whose rate
shows them; a reviewer-based manager rate measured no better and came out with the wrong sign,
so it is not a feature). The backtest is now 0.75 (95% interval about 0.69-0.81).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from gmassist.lib import risk_model
from gmassist.lib.normalize import gettext_noop

DAYS_PER_MONTH = 30.4375
HORIZON_MONTHS = 12
# A department's or manager's attrition rate is shrunk towards the company's as if this many
# person-years at the company's rate were added to its own (small teams are noisy).
SHRINK_PERSON_YEARS = 10.0
# ... over this window before the snapshot: long enough for a team of 15 to show a rate, short
# enough to follow a change of climate
ATTRITION_WINDOW_MONTHS = 24
FEEDBACK_MONTHS = 6
# Months since an event are capped here: beyond five years a few more months change nothing,
# and a linear model should not let a 30-year tenure outweigh everything else.
MONTHS_CAP = 60.0
# the first snapshot comes this many months after the records start: the window features of
# earlier snapshots are measured over what there is (rates annualised), not over a full year
FIRST_SNAPSHOT_MONTHS = 3
# Training rows are sampled down to this many (stratified by snapshot), so that a company of
# 100,000 people with three years of history fits in seconds; measured in bench/talent.py.
MAX_TRAIN_ROWS = 250_000
TARGET = "voluntary_leaver"
POSITIVE = "yes"
MODEL_VERSION = "leaving-1"

# columns of the History frames
PEOPLE_COLUMNS = [
    "employee_id",
    "department_id",
    "department",
    "job_family",
    "grade",
    "hire_date",
    "leave_date",
]
PAY_COLUMNS = ["employee_id", "date", "base_pay", "reason"]
REVIEW_COLUMNS = ["employee_id", "date", "rating", "reviewer_id"]
SEPARATION_COLUMNS = ["employee_id", "date", "voluntary"]
BAND_COLUMNS = ["job_family", "grade", "band_mid"]
SIGNAL_COLUMNS = ["department_id", "snapshot", "negative_share"]

FEATURES = (
    "compa_ratio",
    "months_since_raise",
    "months_since_promotion",
    "tenure_months",
    "grade",
    "last_rating",
    "manager_changes_12m",
    "department_attrition_rate",
)
FEEDBACK_FEATURE = "department_negative_share"

# the plain-word names the shared engine puts in its reasons (translated by the talent pages)
LABELS = {
    "manager_changes_12m": "manager changes in the last 12 months",
    "department_attrition_rate": "department's voluntary attrition rate (last 24 months)",
    FEEDBACK_FEATURE: "share of negative feedback in the department (last 6 months)",
}

# The features the demo generator's planted causes act through (org.demo.causes), for tests
# and the model-quality panel: low pay, no promotion, a bad manager (who heads a department)
# and an unhappy department through the department's attrition, a manager change, a short
# tenure.
PLANTED_CAUSE_FEATURES = {
    "low_pay": ("compa_ratio",),
    "no_promotion": ("months_since_promotion",),
    "bad_manager": ("department_attrition_rate",),
    "unhappy_department": ("department_attrition_rate",),
    "manager_change": ("manager_changes_12m",),
    "short_tenure": ("tenure_months",),
}


@dataclass
class History:
    """The company's history as plain frames (see the column lists above).

    Dates are `datetime.date` or numpy datetime64; money yearly in the company's currency;
    `people.grade` is the grade held today; `leave_date` is empty for people still employed.
    Custom attributes are extra `people` columns named `custom__<name>`.
    """

    people: pd.DataFrame
    pay: pd.DataFrame
    reviews: pd.DataFrame
    separations: pd.DataFrame
    bands: pd.DataFrame
    feedback: pd.DataFrame | None = None  # SIGNAL_COLUMNS, one row per department and snapshot
    end: dt.date | None = None  # the last day of the history (default: the latest record)


@dataclass
class LeavingModel:
    """A fitted leaving-risk model with its backtest and what the incentive plan needs.

    `recalibration` maps the fitted model's probabilities onto calibrated ones: its slope from
    the backtest's test month (how a model of this history predicted a year ahead, which is
    what today's scores do), its level so that the people of `snapshot` average `base_rate`;
    `probabilities` applies it, and `response` is in calibrated log-odds. `base_rate` is the
    company's yearly voluntary leaving rate: the share of the people on the books at
    `snapshot` who left of their own accord within the 12 months after it (the latest year
    whose outcome is known)."""

    model: risk_model.RiskModel
    backtest: risk_model.BacktestResult | None
    snapshot: dt.date  # the latest snapshot with a known outcome (the backtest's test month)
    n_train: int
    positives: int
    response: dict[str, float] = field(default_factory=dict)  # log-odds per unit of a feature
    version: str = MODEL_VERSION
    recalibration: risk_model.Recalibration = field(default_factory=risk_model.Recalibration)
    base_rate: float | None = None

    @property
    def auc(self) -> float | None:
        return None if self.backtest is None else self.backtest.auc

    def probabilities(self, frame: pd.DataFrame) -> np.ndarray:
        """The calibrated probability of leaving voluntarily within 12 months of each row of a
        snapshot table (`model_frame` columns)."""
        raw = risk_model.score(self.model, frame)
        return self.recalibration.apply(raw)


def month_ends(first: dt.date, last: dt.date) -> list[dt.date]:
    """The last day of each month from `first`'s month to `last`'s, both included."""
    out = []
    month = dt.date(first.year, first.month, 1)
    while month <= last:
        following = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
        end = following - dt.timedelta(days=1)
        if end <= last:
            out.append(end)
        month = following
    return out


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by whole months, clamped to the month's last day (Jan 31 + 1 = Feb 28)."""
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    following = dt.date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    last = (following - dt.timedelta(days=1)).day
    return dt.date(year, month + 1, min(day.day, last))


def _days(values: Any) -> np.ndarray:
    """Dates as integer days since 1970 (NaT as the minimum int64)."""
    array: npt.NDArray[np.datetime64] = pd.to_datetime(pd.Series(values), errors="coerce").to_numpy(
        dtype="datetime64[D]"
    )
    return array.astype(np.int64)


_NAT = np.iinfo(np.int64).min


class _Latest:
    """Each employee's latest record on or before a day, by binary search on (employee, day)."""

    def __init__(self, employee: np.ndarray, day: np.ndarray, *values: np.ndarray):
        order = np.lexsort((day, employee))
        self.employee = employee[order]
        self.day = day[order]
        self.values = [v[order] for v in values]
        self._key = self.employee.astype(np.float64) * 1e6 + self.day.astype(np.float64)

    def index(self, employees: np.ndarray, day: int | np.ndarray) -> np.ndarray:
        """Index of each employee's latest record on or before `day` (one day for all, or
        one per employee), or -1."""
        if len(self._key) == 0:
            return np.full(len(employees), -1)
        key = employees.astype(np.float64) * 1e6 + np.asarray(day, dtype=np.float64)
        idx = np.searchsorted(self._key, key, side="right") - 1
        ok = (idx >= 0) & (self.employee[np.clip(idx, 0, None)] == employees)
        return np.where(ok, idx, -1)

    def value(
        self,
        employees: np.ndarray,
        day: int | np.ndarray,
        which: int = 0,
        missing: float = np.nan,
    ) -> tuple[np.ndarray, np.ndarray]:
        """The `which`-th value of each employee's latest record on or before `day` (`missing`
        without one), and the record's index (-1 without one)."""
        idx = self.index(employees, day)
        picked = self.values[which][np.clip(idx, 0, None)].astype(float)
        return np.where(idx >= 0, picked, missing), idx


def snapshot_table(
    history: History, snapshots: list[dt.date], *, known_until: dt.date | None = None
) -> pd.DataFrame:
    """One row per employee on the books at each snapshot day, with the features and label of
    the module docstring; columns employee_id, snapshot, department_id, FEATURES, the feedback
    feature when given, the custom attributes and `voluntary_leaver`.

    `known_until` (default `history.end`, else the latest record) is the last day whose events
    are known: a snapshot later than it minus 12 months gets an empty label.
    """
    source = _SnapshotSource(history, known_until)
    frames = []
    scale_target: float | None = None
    for snapshot in sorted(snapshots, reverse=True):  # latest first: it sets the compa scale
        frame, median = source.frame(snapshot, scale_target)
        if frame is None:
            continue
        if scale_target is None:
            scale_target = median
        frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=["employee_id", "snapshot", "department_id", *FEATURES, TARGET])
    return pd.concat(frames[::-1], ignore_index=True)


class _SnapshotSource:
    """The history prepared for snapshots: per employee (row of `people`) arrays, and each
    employee's latest pay, raise, promotion and review on or before any day. Days are day
    numbers (since 1970-01-01); pay is in the currency of the records."""

    def __init__(self, history: History, known_until: dt.date | None):
        people = self.people = history.people.reset_index(drop=True)
        self.emp = people["employee_id"].to_numpy(dtype=np.int64)
        self.hire = _days(people["hire_date"])
        self.leave = _days(people["leave_date"])
        self.leave_or_never = np.where(self.leave == _NAT, _NEVER, self.leave)
        self.dept = people["department_id"].to_numpy(dtype=np.int64)
        self.dept_name = people["department"].astype(str).to_numpy()
        self.grade_now = pd.to_numeric(people["grade"], errors="coerce").to_numpy(dtype=float)
        self.family = people["job_family"].fillna("").astype(str).to_numpy()
        pay_day = self._index_pay(history.pay)
        rev_day = self._index_reviews(history.reviews)
        self._index_leavers(history.separations)
        self.bands = {
            (str(f), int(g)): float(m)
            for f, g, m in history.bands[BAND_COLUMNS].itertuples(index=False)
            if not pd.isna(g) and not pd.isna(m)
        }
        self.known_day = _known_day(history, known_until, pay_day, rev_day)
        self.feedback = _feedback_by_department(history)
        start = records_start(history)
        self.start_day = _day_number(start) if start is not None else _NAT_SAFE
        self.custom_columns = [c for c in people.columns if str(c).startswith("custom__")]

    def _index_pay(self, pay: pd.DataFrame) -> np.ndarray:
        """The latest pay, raise and promotion indexes, and the promotions per employee (to
        tell the grade held at an earlier day); returns the pay records' days."""
        pay_emp = pay["employee_id"].to_numpy(dtype=np.int64)
        pay_day = _days(pay["date"])
        pay_amount = pd.to_numeric(pay["base_pay"], errors="coerce").to_numpy(dtype=float)
        reason = pay["reason"].astype(str).to_numpy()
        self.pay_latest = _Latest(pay_emp, pay_day, pay_amount)
        is_raise = reason != "hire"
        self.raise_latest = _Latest(pay_emp[is_raise], pay_day[is_raise], pay_day[is_raise])
        is_promotion = reason == "promotion"
        self.promo_latest = _Latest(
            pay_emp[is_promotion], pay_day[is_promotion], pay_day[is_promotion]
        )
        promo_order = np.lexsort((pay_day[is_promotion], pay_emp[is_promotion]))
        self.promo_emp = pay_emp[is_promotion][promo_order]
        self.promo_days = pay_day[is_promotion][promo_order]
        self.promo_count_total = pd.Series(self.promo_emp).value_counts()
        return pay_day

    def _index_reviews(self, reviews: pd.DataFrame) -> np.ndarray:
        """The latest rating and the running count of reviewer changes; returns the review
        records' days."""
        rev_emp = reviews["employee_id"].to_numpy(dtype=np.int64)
        rev_day = _days(reviews["date"])
        rating = pd.to_numeric(reviews["rating"], errors="coerce").to_numpy(dtype=float)
        reviewer = pd.to_numeric(reviews["reviewer_id"], errors="coerce").to_numpy(dtype=float)
        order = np.lexsort((rev_day, rev_emp))
        rev_emp, rev_day, rating, reviewer = (
            rev_emp[order],
            rev_day[order],
            rating[order],
            reviewer[order],
        )
        same_person = np.r_[False, rev_emp[1:] == rev_emp[:-1]]
        previous_reviewer = np.r_[np.nan, reviewer[:-1]]
        changed = (
            same_person
            & ~np.isnan(reviewer)
            & ~np.isnan(previous_reviewer)
            & (reviewer != previous_reviewer)
        )
        changes_so_far = np.cumsum(changed.astype(np.int64)).astype(float)
        # cumulative changes are counted across people; subtracting a person's two values works
        # because both are read from that person's own rows
        self.review_latest = _Latest(rev_emp, rev_day, rating, changes_so_far, reviewer)
        return rev_day

    def _index_leavers(self, sep: pd.DataFrame) -> None:
        """The voluntary leavers' days and departments, and each employee's first voluntary
        leaving day (`_NAT` for none)."""
        sep_emp = sep["employee_id"].to_numpy(dtype=np.int64)
        sep_day = _days(sep["date"])
        voluntary = sep["voluntary"].astype(bool).to_numpy()
        vol_emp, self.vol_day = sep_emp[voluntary], sep_day[voluntary]
        emp_index = pd.Series(np.arange(len(self.emp)), index=self.emp)
        vol_row = emp_index.reindex(vol_emp).to_numpy()
        vol_known = ~np.isnan(vol_row)
        self.vol_dept = np.full(len(vol_emp), -1, dtype=np.int64)
        self.vol_dept[vol_known] = self.dept[vol_row[vol_known].astype(np.int64)]
        self.first_voluntary = np.full(len(self.emp), _NAT, dtype=np.int64)
        if vol_known.any():
            rows = vol_row[vol_known].astype(np.int64)
            days = self.vol_day[vol_known]
            first = pd.Series(days).groupby(rows).min()
            self.first_voluntary[first.index.to_numpy()] = first.to_numpy()

    def frame(
        self, snapshot: dt.date, scale_target: float | None
    ) -> tuple[pd.DataFrame | None, float]:
        """The rows of the employees on the books at `snapshot` (None when nobody is), and
        the median compa-ratio before scaling: compa-ratios are scaled so that their median
        is `scale_target` (the latest snapshot's, as bands drift; None: not scaled)."""
        s = _day_number(snapshot)
        on_books = (self.hire <= s) & ((self.leave == _NAT) | (self.leave > s))
        rows = np.nonzero(on_books)[0]
        if len(rows) == 0:
            return None, np.nan
        e = self.emp[rows]
        grade_then = self._grade_then(rows, e, s)
        compa, median = self._compa(rows, e, s, grade_then, scale_target)
        last_raise, _ = self.raise_latest.value(e, s)
        last_raise = np.where(np.isnan(last_raise), self.hire[rows], last_raise)
        last_promo, _ = self.promo_latest.value(e, s)
        last_promo = np.where(np.isnan(last_promo), self.hire[rows], last_promo)
        last_rating, _ = self.review_latest.value(e, s, 0)
        manager, review_idx = self.review_latest.value(e, s, 2)
        d = self.dept[rows]
        frame = pd.DataFrame(
            {
                "employee_id": e,
                "snapshot": snapshot,
                "department_id": d,
                "department": self.dept_name[rows],
                "compa_ratio": np.round(compa, 4),
                "months_since_raise": _months(s - last_raise),
                "months_since_promotion": _months(s - last_promo),
                "tenure_months": _months(s - self.hire[rows]),
                "grade": grade_then,
                "last_rating": last_rating,
                "manager_changes_12m": self._manager_changes(e, s, snapshot, manager, review_idx),
                "department_attrition_rate": np.round(self._department_attrition(d, s), 5),
            }
        )
        if self.feedback is not None:
            frame[FEEDBACK_FEATURE] = [self.feedback.get((int(x), s), np.nan) for x in d]
        for column in self.custom_columns:
            frame[column] = self.people[column].to_numpy()[rows]
        frame[TARGET] = self._label(rows, s, snapshot)
        return frame, median

    def _grade_then(self, rows: np.ndarray, e: np.ndarray, s: int) -> np.ndarray:
        """The grade at day `s`: today's minus the promotions recorded after `s` (at least 1)."""
        promos_before = _count_before(self.promo_emp, self.promo_days, e, s)
        total = self.promo_count_total.reindex(e).fillna(0).to_numpy()
        grade: np.ndarray = np.maximum(1.0, self.grade_now[rows] - (total - promos_before))
        return grade

    def _compa(
        self,
        rows: np.ndarray,
        e: np.ndarray,
        s: int,
        grade_then: np.ndarray,
        scale_target: float | None,
    ) -> tuple[np.ndarray, float]:
        """The compa-ratio at day `s` (pay then / today's band midpoint of the grade then),
        scaled to `scale_target`'s median; and the median before scaling."""
        pay_then, _ = self.pay_latest.value(e, s)
        mid = np.array(
            [
                self.bands.get((f, int(g)), np.nan) if not np.isnan(g) else np.nan
                for f, g in zip(self.family[rows], grade_then, strict=True)
            ]
        )
        compa = pay_then / mid
        median = np.nanmedian(compa) if np.isfinite(compa).any() else np.nan
        target = median if scale_target is None else scale_target
        if np.isfinite(median) and median > 0 and target and np.isfinite(target):
            compa = compa * (target / median)
        return compa, median

    def _manager_changes(
        self,
        e: np.ndarray,
        s: int,
        snapshot: dt.date,
        manager: np.ndarray,
        review_idx: np.ndarray,
    ) -> np.ndarray:
        """Reviewer changes in the 12 months to `s` (counted from a person's first review when
        it is within them), plus one when the manager of the latest review (`manager`, that
        review's index `review_idx`) has left the company since it: a change the next review
        would show."""
        latest = self.review_latest
        changes_now, _ = latest.value(e, s, 1, missing=0.0)
        year_before = _day_number(add_months(snapshot, -HORIZON_MONTHS))
        changes_then, idx_then = latest.value(e, year_before, 1, missing=np.nan)
        # before the first review of the window nobody's changes count: start from their first
        first_changes = _first_value(latest, e)
        changes_then = np.where(idx_then >= 0, changes_then, first_changes)
        manager_changes = np.where(
            np.isnan(changes_now) | np.isnan(changes_then), 0.0, changes_now - changes_then
        )
        reviewed_on = latest.day[np.clip(review_idx, 0, None)] if len(latest.day) else e * 0
        manager_left = self._leave_day_of(manager)
        gone = (review_idx >= 0) & (manager_left > reviewed_on) & (manager_left <= s)
        return np.maximum(manager_changes, 0.0) + gone

    def _leave_day_of(self, employees: np.ndarray) -> np.ndarray:
        """Each employee's leaving day (`_NEVER` for none, or for NaN: nobody)."""
        if not hasattr(self, "_leave_by_emp"):
            series = pd.Series(self.leave_or_never, index=self.emp)
            self._leave_by_emp = series[~series.index.duplicated()]
        known = ~np.isnan(employees)
        out = np.full(len(employees), _NEVER, dtype=np.int64)
        if known.any():
            found = self._leave_by_emp.reindex(employees[known].astype(np.int64)).to_numpy()
            out[known] = np.where(np.isnan(found), _NEVER, found).astype(np.int64)
        return out

    def _window(self, s: int) -> tuple[int, int]:
        """The attrition window (first day, last day) ending on `s`."""
        return max(s - int(ATTRITION_WINDOW_MONTHS * DAYS_PER_MONTH), self.start_day), s

    def _department_attrition(self, d: np.ndarray, s: int) -> np.ndarray:
        """Each row's department's voluntary leavers per person-year on its books over the
        `ATTRITION_WINDOW_MONTHS` to `s`, shrunk towards the company's rate (`_shrunk`).
        Departments are today's (the organisation keeps no transfer history)."""
        first, last = self._window(s)
        left = (self.vol_day > first) & (self.vol_day <= last) & (self.vol_dept >= 0)
        exposure = _overlap_years(self.hire, self.leave_or_never, first, last)
        return _shrunk(
            groups=d,
            leaver_groups=self.vol_dept[left],
            exposure_groups=self.dept,
            exposure=exposure,
        )

    def _label(self, rows: np.ndarray, s: int, snapshot: dt.date) -> np.ndarray:
        """ "yes" for a voluntary leaver within 12 months after `s`, "no" otherwise; "" for
        all when those months are not all known yet."""
        horizon = _day_number(add_months(snapshot, HORIZON_MONTHS))
        first = self.first_voluntary[rows]
        left = (first > s) & (first <= horizon)
        label = np.where(left, POSITIVE, "no").astype(object)
        if horizon > self.known_day:
            label[:] = ""
        return label


def _known_day(
    history: History, known_until: dt.date | None, pay_day: np.ndarray, rev_day: np.ndarray
) -> int:
    """The last day whose events are known: `known_until`, else the history's end, else the
    latest pay or review record."""
    if known_until is None:
        known_until = history.end
    if known_until is None:
        candidates = [d for d in (pay_day.max(initial=_NAT), rev_day.max(initial=_NAT)) if d > 0]
        known_until = dt.date(1970, 1, 1) + dt.timedelta(days=int(max(candidates, default=0)))
    return _day_number(known_until)


def _feedback_by_department(history: History) -> dict[tuple[int, int], float] | None:
    """(department id, snapshot day) -> the share of negative feedback, when there is any."""
    if history.feedback is None or not len(history.feedback):
        return None
    return {
        (int(d), _day_number(s)): float(v)
        for d, s, v in history.feedback[SIGNAL_COLUMNS].itertuples(index=False)
    }


def _months(days: np.ndarray) -> np.ndarray:
    """Days as months, capped at MONTHS_CAP."""
    return np.round(np.minimum(days / DAYS_PER_MONTH, MONTHS_CAP), 2)


def _overlap_years(start: np.ndarray, end: np.ndarray, first: int, last: int) -> np.ndarray:
    """Years of each interval [start, end) (days) within (first, last]."""
    days = np.minimum(end, last + 1) - np.maximum(start, first + 1)
    years: np.ndarray = np.maximum(days, 0) / 365.25
    return years


def _shrunk(
    *,
    groups: np.ndarray,
    leaver_groups: np.ndarray,
    exposure_groups: np.ndarray,
    exposure: np.ndarray,
) -> np.ndarray:
    """For each of `groups` (a department or manager per row; -1: none), its leavers
    (`leaver_groups`, one item per leaver) per person-year (`exposure` years of
    `exposure_groups`), shrunk towards the rate over all groups: (leavers + k x rate) /
    (person-years + k) with k = SHRINK_PERSON_YEARS, so that a group seen for a few
    person-years stays near the company's rate. A row of no group gets the overall rate."""
    leavers = pd.Series(leaver_groups, dtype=np.int64).value_counts()
    years = pd.Series(exposure).groupby(exposure_groups).sum()
    total_years = float(years.sum())
    overall = len(leaver_groups) / total_years if total_years > 0 else 0.0
    rate = (leavers.reindex(years.index).fillna(0) + SHRINK_PERSON_YEARS * overall) / (
        years + SHRINK_PERSON_YEARS
    )
    out: np.ndarray = rate.reindex(groups).fillna(overall).to_numpy(dtype=float)
    return out


def _day_number(day: dt.date) -> int:
    return int(np.datetime64(day, "D").astype(np.int64))


def _count_before(
    emp_sorted: np.ndarray, days_sorted: np.ndarray, e: np.ndarray, s: int
) -> np.ndarray:
    """How many records (sorted by employee, day) each employee of `e` has on or before `s`."""
    if len(emp_sorted) == 0:
        return np.zeros(len(e))
    key = emp_sorted.astype(np.float64) * 1e6 + days_sorted.astype(np.float64)
    start = np.searchsorted(key, e.astype(np.float64) * 1e6 + float(_NAT_SAFE), side="left")
    stop = np.searchsorted(key, e.astype(np.float64) * 1e6 + float(s), side="right")
    return (stop - start).astype(float)


_NAT_SAFE = -(10**5)  # a day before any record (1696), safe in the float key
_NEVER = 10**6  # a day after any record (4707): "not yet" for an interval's end


def _first_value(latest: _Latest, e: np.ndarray) -> np.ndarray:
    """Each employee's cumulative-change value at their first review (NaN without reviews)."""
    start = np.searchsorted(latest.employee, e, side="left")
    ok = (start < len(latest.employee)) & (
        latest.employee[np.clip(start, 0, max(len(latest.employee) - 1, 0))] == e
    )
    if len(latest.employee) == 0:
        return np.full(len(e), np.nan)
    values = latest.values[1][np.clip(start, 0, len(latest.employee) - 1)]
    return np.where(ok, values, np.nan)


def records_start(history: History) -> dt.date | None:
    """The first day of the recorded history: the earliest review or separation."""
    firsts = [
        pd.Timestamp(frame["date"].min()).date()
        for frame in (history.reviews, history.separations)
        if len(frame) and not pd.isna(frame["date"].min())
    ]
    return min(firsts) if firsts else None


def snapshot_days(history: History, *, end: dt.date, months: int | None = None) -> list[dt.date]:
    """The month-end snapshots from `FIRST_SNAPSHOT_MONTHS` after the records start (a first
    review must be on file) to the last month-end on or before `end`; the last `months` of them
    if given."""
    start = records_start(history) or end
    first = add_months(start, FIRST_SNAPSHOT_MONTHS)
    days = month_ends(first, end)
    return days[-months:] if months else days


def model_frame(table: pd.DataFrame) -> pd.DataFrame:
    """The snapshot table without the columns the model must not see (ids, the snapshot)."""
    return table.drop(columns=["employee_id", "department_id", "department"], errors="ignore")


def _sample(table: pd.DataFrame, limit: int, seed: int) -> pd.DataFrame:
    if len(table) <= limit:
        return table
    return table.sample(n=limit, random_state=seed).sort_index()


def fit_leaving_model(
    table: pd.DataFrame, *, seed: int = 0, max_rows: int = MAX_TRAIN_ROWS
) -> LeavingModel:
    """Backtest by time, then fit on every labelled snapshot (sampled to `max_rows`).

    Raises `risk_model.RiskModelError` when the history has no known outcome or one class.
    """
    labelled = table[table[TARGET] != ""]
    if labelled.empty:
        raise risk_model.RiskModelError(
            gettext_noop("no snapshot is 12 months old yet: the history is too short to learn from")
        )
    latest = max(labelled["snapshot"])
    train_until = add_months(latest, -HORIZON_MONTHS)
    backtest = None
    backtest_rows = labelled[
        (labelled["snapshot"] <= train_until) | (labelled["snapshot"] == latest)
    ]
    earlier = backtest_rows[backtest_rows["snapshot"] <= train_until]
    if earlier[TARGET].nunique() == 2 and backtest_rows[TARGET].nunique() == 2:
        test_rows = backtest_rows[backtest_rows["snapshot"] == latest]
        if test_rows[TARGET].nunique() == 2:
            sampled = pd.concat([_sample(earlier, max_rows, seed), test_rows])
            backtest = risk_model.backtest_by_time(
                model_frame(sampled),
                target=TARGET,
                positive=POSITIVE,
                date_column="snapshot",
                cut=latest,
                labels=LABELS,
            )
    fit_rows = _sample(labelled, max_rows, seed)
    prepared = risk_model.prepare_table(
        model_frame(fit_rows).drop(columns=["snapshot"]), target=TARGET, positive=POSITIVE
    )
    model = risk_model.fit_risk_model(prepared, labels=LABELS, seed=seed)
    # Calibration: the slope is the backtest's (how far a model of this history over- or
    # under-states differences a year ahead); the level is set so that the people of the
    # latest known year average the share of them who left, the company's base rate. Then "2x
    # the base rate" means twice as likely to leave as the company's people were last year.
    last_year = labelled[labelled["snapshot"] == latest]
    base_rate = float((last_year[TARGET] == POSITIVE).mean()) if len(last_year) else None
    recalibration = risk_model.Recalibration()
    if backtest is not None and base_rate is not None and 0 < base_rate < 1:
        raw = risk_model.score(model, model_frame(last_year).drop(columns=["snapshot", TARGET]))
        recalibration = risk_model.recalibration_to_mean(
            raw, slope=backtest.recalibration.slope, mean=base_rate
        )
    return LeavingModel(
        model=model,
        backtest=backtest,
        snapshot=latest,
        n_train=prepared.n,
        positives=prepared.positives,
        # calibrated log-odds = intercept + slope x fitted log-odds: per unit, slope x response
        response={k: v * recalibration.slope for k, v in risk_model.linear_response(model).items()},
        recalibration=recalibration,
        base_rate=base_rate,
    )


@dataclass
class ScoredPerson:
    """One person's risk at a snapshot: probability, reasons (strongest first), features."""

    employee_id: int
    probability: float
    reasons: list[dict[str, Any]]
    features: dict[str, Any]


def score_snapshot(
    leaving: LeavingModel, rows: pd.DataFrame, *, reasons: int = 3
) -> list[ScoredPerson]:
    """Score the rows of one snapshot: calibrated probability of leaving voluntarily within 12
    months and the top `reasons` columns that raise it (feature, value, effect in calibrated
    log-odds)."""
    if rows.empty:
        return []
    frame = model_frame(rows).drop(columns=["snapshot", TARGET], errors="ignore")
    probability = leaving.probabilities(frame)
    explained = risk_model.top_reasons(leaving.model, frame, k=reasons)
    slope = leaving.recalibration.slope
    feature_columns = [c for c in leaving.model.spec.columns if c in rows.columns]
    values = rows[feature_columns].to_dict("records")
    out = []
    for i, employee_id in enumerate(rows["employee_id"].to_numpy()):
        out.append(
            ScoredPerson(
                employee_id=int(employee_id),
                probability=float(probability[i]),
                reasons=[
                    {
                        "feature": r.feature,
                        "value": _plain(r.value),
                        "effect": round(r.effect * slope, 4),
                    }
                    for r in explained[i]
                ],
                features={k: _plain(v) for k, v in values[i].items()},
            )
        )
    return out


@dataclass(frozen=True)
class RiskHistory:
    """Each person's calibrated leaving probability at every month-end snapshot, by one model:
    `months` (oldest first) and, per employee id, one probability per month (None where the
    person was not on the books)."""

    months: list[dt.date]
    probabilities: dict[int, list[float | None]]


def score_history(
    leaving: LeavingModel, table: pd.DataFrame, employee_ids: list[int]
) -> RiskHistory:
    """The risk of `employee_ids` at every snapshot of `table`, scored by `leaving` (today's
    model) on the features of each month-end: one model for the whole line, so that the line
    moves with what happened to the person rather than with refits of the model. Rounded to
    4 decimals."""
    months = sorted(set(table["snapshot"]))
    ids = pd.Index(employee_ids)
    rows = table[table["employee_id"].isin(ids)]
    matrix = np.full((len(ids), len(months)), np.nan)
    if not rows.empty:
        frame = model_frame(rows).drop(columns=["snapshot", TARGET], errors="ignore")
        column = pd.Index(months).get_indexer(rows["snapshot"])
        matrix[ids.get_indexer(rows["employee_id"]), column] = np.round(
            leaving.probabilities(frame), 4
        )
    # as Python floats first: a NaN (not on the books) is the one value not equal to itself
    out = {
        int(employee_id): [None if p != p else p for p in line]
        for employee_id, line in zip(ids.tolist(), matrix.tolist(), strict=True)
    }
    return RiskHistory(months=months, probabilities=out)


# The bands of leaving risk are the company's own: medium from its yearly voluntary leaving
# rate, high from twice it, each never under its floor (a company where 2% leave a year should
# not call a 4% risk high).
MEDIUM_MULTIPLE = 1.0
HIGH_MULTIPLE = 2.0
MEDIUM_FLOOR = 0.05
HIGH_FLOOR = 0.10
BAND_NAMES = ("low", "medium", "high")


@dataclass(frozen=True)
class RiskBands:
    """The leaving-risk bands of a model run: `medium_from` and `high_from` are the lower
    limits (probabilities of leaving within 12 months; high includes 1), from `base_rate`,
    the company's yearly voluntary leaving rate to a whole percent (None: not known)."""

    base_rate: float | None
    medium_from: float
    high_from: float

    def band(self, probability: float) -> str:
        """ "low", "medium" or "high"."""
        if probability >= self.high_from:
            return "high"
        if probability >= self.medium_from:
            return "medium"
        return "low"

    def bounds(self, band: str) -> tuple[float, float | None]:
        """[lower, upper) of a band (upper None: up to 1 included); ValueError for another
        name."""
        limits = {
            "low": (0.0, self.medium_from),
            "medium": (self.medium_from, self.high_from),
            "high": (self.high_from, None),
        }
        if band not in limits:
            raise ValueError(f"unknown band {band!r}; use one of {list(BAND_NAMES)}")
        return limits[band]

    @property
    def floored(self) -> bool:
        """Whether a floor, not the company's rate, sets a limit."""
        if self.base_rate is None:
            return True
        return (
            self.medium_from > self.base_rate * MEDIUM_MULTIPLE + 1e-9
            or self.high_from > self.base_rate * HIGH_MULTIPLE + 1e-9
        )


def risk_bands(base_rate: float | None) -> RiskBands:
    """The bands for a company whose yearly voluntary leaving rate is `base_rate` (a share;
    None: unknown, the floors only): medium from the rate, high from twice it, rounded to a
    whole percent first so that the limits read as they are computed ("2 x 13% = 26%")."""
    if base_rate is None or not np.isfinite(base_rate):
        return RiskBands(base_rate=None, medium_from=MEDIUM_FLOOR, high_from=HIGH_FLOOR)
    rate = round(float(base_rate), 2)
    return RiskBands(
        base_rate=rate,
        medium_from=round(max(rate * MEDIUM_MULTIPLE, MEDIUM_FLOOR), 4),
        high_from=round(max(rate * HIGH_MULTIPLE, HIGH_FLOOR), 4),
    )


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and np.isnan(value):
        return None
    return value


def reasons_across(scored: list[ScoredPerson], *, top: int = 1) -> dict[str, int]:
    """How often each feature is among the `top` reasons of the scored people, most first."""
    counts: dict[str, int] = {}
    for person in scored:
        for reason in person.reasons[:top]:
            counts[reason["feature"]] = counts.get(reason["feature"], 0) + 1
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
