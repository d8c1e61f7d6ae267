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
  other manager history).
* `department_attrition_rate`: the voluntary leavers of the person's department per year over
  all the records before `s` (a longer window than a year: departments are small and a year's
  leavers are a handful) over its headcount at `s`, shrunk towards the company's rate with
  the weight of `SHRINK_HEADCOUNT` people (small departments are noisy).
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
SHRINK_HEADCOUNT = 10.0  # a department's rate counts as much as this many people at the mean
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
    "department_attrition_rate": "department's voluntary attrition rate (last 12 months)",
    FEEDBACK_FEATURE: "share of negative feedback in the department (last 6 months)",
}

# The features the demo generator's planted causes act through (org.demo.causes), for tests
# and the model-quality panel: low pay, no promotion, an unhappy department (or a bad manager,
# who heads one), a manager change.
PLANTED_CAUSE_FEATURES = {
    "low_pay": ("compa_ratio",),
    "no_promotion": ("months_since_promotion",),
    "unhappy_department": ("department_attrition_rate",),
    "manager_change": ("manager_changes_12m",),
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
    """A fitted leaving-risk model with its backtest and what the incentive plan needs."""

    model: risk_model.RiskModel
    backtest: risk_model.BacktestResult | None
    snapshot: dt.date  # the latest snapshot with a known outcome (the backtest's test month)
    n_train: int
    positives: int
    response: dict[str, float] = field(default_factory=dict)  # log-odds per unit of a feature
    version: str = MODEL_VERSION

    @property
    def auc(self) -> float | None:
        return None if self.backtest is None else self.backtest.auc


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

    def index(self, employees: np.ndarray, day: int) -> np.ndarray:
        """Index of each employee's latest record on or before `day`, or -1."""
        if len(self._key) == 0:
            return np.full(len(employees), -1)
        key = employees.astype(np.float64) * 1e6 + float(day)
        idx = np.searchsorted(self._key, key, side="right") - 1
        ok = (idx >= 0) & (self.employee[np.clip(idx, 0, None)] == employees)
        return np.where(ok, idx, -1)

    def value(
        self, employees: np.ndarray, day: int, which: int = 0, missing: float = np.nan
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
    people = history.people.reset_index(drop=True)
    emp = people["employee_id"].to_numpy(dtype=np.int64)
    hire = _days(people["hire_date"])
    leave = _days(people["leave_date"])
    dept = people["department_id"].to_numpy(dtype=np.int64)
    dept_name = people["department"].astype(str).to_numpy()
    grade_now = pd.to_numeric(people["grade"], errors="coerce").to_numpy(dtype=float)
    family = people["job_family"].fillna("").astype(str).to_numpy()

    pay = history.pay
    pay_emp = pay["employee_id"].to_numpy(dtype=np.int64)
    pay_day = _days(pay["date"])
    pay_amount = pd.to_numeric(pay["base_pay"], errors="coerce").to_numpy(dtype=float)
    reason = pay["reason"].astype(str).to_numpy()
    pay_latest = _Latest(pay_emp, pay_day, pay_amount)
    is_raise = reason != "hire"
    raise_latest = _Latest(pay_emp[is_raise], pay_day[is_raise], pay_day[is_raise])
    is_promotion = reason == "promotion"
    promo_latest = _Latest(pay_emp[is_promotion], pay_day[is_promotion], pay_day[is_promotion])
    # promotions counted per employee, to tell the grade held at an earlier day
    promo_order = np.lexsort((pay_day[is_promotion], pay_emp[is_promotion]))
    promo_emp = pay_emp[is_promotion][promo_order]
    promo_days = pay_day[is_promotion][promo_order]
    promo_count_total = pd.Series(promo_emp).value_counts()

    reviews = history.reviews
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
    review_latest = _Latest(rev_emp, rev_day, rating, changes_so_far)

    sep = history.separations
    sep_emp = sep["employee_id"].to_numpy(dtype=np.int64)
    sep_day = _days(sep["date"])
    voluntary = sep["voluntary"].astype(bool).to_numpy()
    vol_emp, vol_day = sep_emp[voluntary], sep_day[voluntary]
    emp_index = pd.Series(np.arange(len(emp)), index=emp)
    vol_row = emp_index.reindex(vol_emp).to_numpy()
    vol_known = ~np.isnan(vol_row)
    vol_dept = np.full(len(vol_emp), -1, dtype=np.int64)
    vol_dept[vol_known] = dept[vol_row[vol_known].astype(np.int64)]
    first_voluntary = np.full(len(emp), _NAT, dtype=np.int64)
    if vol_known.any():
        rows = vol_row[vol_known].astype(np.int64)
        days = vol_day[vol_known]
        first = pd.Series(days).groupby(rows).min()
        first_voluntary[first.index.to_numpy()] = first.to_numpy()

    bands = {
        (str(f), int(g)): float(m)
        for f, g, m in history.bands[BAND_COLUMNS].itertuples(index=False)
        if not pd.isna(g) and not pd.isna(m)
    }

    if known_until is None:
        known_until = history.end
    if known_until is None:
        candidates = [d for d in (pay_day.max(initial=_NAT), rev_day.max(initial=_NAT)) if d > 0]
        known_until = dt.date(1970, 1, 1) + dt.timedelta(days=int(max(candidates, default=0)))
    known_day = _day_number(known_until)

    feedback = None
    if history.feedback is not None and len(history.feedback):
        fb = history.feedback
        feedback = {
            (int(d), _day_number(s)): float(v)
            for d, s, v in fb[SIGNAL_COLUMNS].itertuples(index=False)
        }

    start = records_start(history)
    start_day = _day_number(start) if start is not None else _NAT_SAFE
    custom_columns = [c for c in people.columns if str(c).startswith("custom__")]
    frames = []
    scale_target: float | None = None
    for snapshot in sorted(snapshots, reverse=True):  # latest first: it sets the compa scale
        s = _day_number(snapshot)
        on_books = (hire <= s) & ((leave == _NAT) | (leave > s))
        rows = np.nonzero(on_books)[0]
        if len(rows) == 0:
            continue
        e = emp[rows]
        pay_then, _ = pay_latest.value(e, s)
        # the grade then: today's minus the promotions recorded after s
        promos_before = _count_before(promo_emp, promo_days, e, s)
        total = promo_count_total.reindex(e).fillna(0).to_numpy()
        grade_then = np.maximum(1.0, grade_now[rows] - (total - promos_before))
        mid = np.array(
            [
                bands.get((f, int(g)), np.nan) if not np.isnan(g) else np.nan
                for f, g in zip(family[rows], grade_then, strict=True)
            ]
        )
        compa = pay_then / mid
        median = np.nanmedian(compa) if np.isfinite(compa).any() else np.nan
        if scale_target is None:
            scale_target = median
        if np.isfinite(median) and median > 0 and scale_target and np.isfinite(scale_target):
            compa = compa * (scale_target / median)
        last_raise, _ = raise_latest.value(e, s)
        last_raise = np.where(np.isnan(last_raise), hire[rows], last_raise)
        last_promo, _ = promo_latest.value(e, s)
        last_promo = np.where(np.isnan(last_promo), hire[rows], last_promo)
        last_rating, _ = review_latest.value(e, s, 0)
        changes_now, _ = review_latest.value(e, s, 1, missing=0.0)
        year_before = _day_number(add_months(snapshot, -HORIZON_MONTHS))
        changes_then, idx_then = review_latest.value(e, year_before, 1, missing=np.nan)
        # before the first review of the window nobody's changes count: start from their first
        first_changes = _first_value(review_latest, e)
        changes_then = np.where(idx_then >= 0, changes_then, first_changes)
        manager_changes = np.where(
            np.isnan(changes_now) | np.isnan(changes_then), 0.0, changes_now - changes_then
        )
        manager_changes = np.maximum(manager_changes, 0.0)

        d = dept[rows]
        in_window = (vol_day <= s) & (vol_dept >= 0)
        # leavers per year over all the records before s
        annualise = 365.25 / max(s - start_day, 30)
        leavers = pd.Series(vol_dept[in_window]).value_counts() * annualise
        headcount = pd.Series(d).value_counts()
        company_rate = in_window.sum() * annualise / max(len(rows), 1)
        dept_rate = (
            leavers.reindex(headcount.index).fillna(0) + SHRINK_HEADCOUNT * company_rate
        ) / (headcount + SHRINK_HEADCOUNT)
        rate = dept_rate.reindex(d).to_numpy()

        horizon = _day_number(add_months(snapshot, HORIZON_MONTHS))
        left = (first_voluntary[rows] > s) & (first_voluntary[rows] <= horizon)
        label = np.where(left, POSITIVE, "no").astype(object)
        if horizon > known_day:
            label[:] = ""
        frame = pd.DataFrame(
            {
                "employee_id": e,
                "snapshot": snapshot,
                "department_id": d,
                "department": dept_name[rows],
                "compa_ratio": np.round(compa, 4),
                "months_since_raise": _months(s - last_raise),
                "months_since_promotion": _months(s - last_promo),
                "tenure_months": _months(s - hire[rows]),
                "grade": grade_then,
                "last_rating": last_rating,
                "manager_changes_12m": manager_changes,
                "department_attrition_rate": np.round(rate, 5),
            }
        )
        if feedback is not None:
            frame[FEEDBACK_FEATURE] = [feedback.get((int(x), s), np.nan) for x in d]
        for column in custom_columns:
            frame[column] = people[column].to_numpy()[rows]
        frame[TARGET] = label
        frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=["employee_id", "snapshot", "department_id", *FEATURES, TARGET])
    return pd.concat(frames[::-1], ignore_index=True)


def _months(days: np.ndarray) -> np.ndarray:
    """Days as months, capped at MONTHS_CAP."""
    return np.round(np.minimum(days / DAYS_PER_MONTH, MONTHS_CAP), 2)


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
    return LeavingModel(
        model=model,
        backtest=backtest,
        snapshot=latest,
        n_train=prepared.n,
        positives=prepared.positives,
        response=risk_model.linear_response(model),
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
    """Score the rows of one snapshot: probability of leaving voluntarily within 12 months and
    the top `reasons` columns that raise it (feature, value, effect in log-odds)."""
    if rows.empty:
        return []
    frame = model_frame(rows).drop(columns=["snapshot", TARGET], errors="ignore")
    probability = risk_model.score(leaving.model, frame)
    explained = risk_model.top_reasons(leaving.model, frame, k=reasons)
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
                        "effect": round(r.effect, 4),
                    }
                    for r in explained[i]
                ],
                features={k: _plain(v) for k, v in values[i].items()},
            )
        )
    return out


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
