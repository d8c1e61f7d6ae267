"""Churn snapshots: one row per customer and month with what was known at the end of that month
and whether the customer churned in the following months. Pure numpy/pandas (no Django import):
a selector gives the history as arrays, `gmassist.lib.risk_model` (the one risk-model engine)
fits, backtests, scores and explains.

A customer churns in the month after its last month with revenue, when it has no revenue since
(`churn_month`); it is on the books at the end of month t from its first month with revenue
until its last. The snapshot of month t holds, for the customers on the books then:

* `revenue_trend`: revenue of months t-2..t against t-5..t-3, as a change (-0.2 is 20% less;
  missing when there were not six months of revenue);
* `revenue_12m_log`: log10(1 + revenue of months t-11..t), the size of the customer;
* `months_to_renewal`: months from the end of t to the next anniversary of the contract's
  start (contracts renew yearly; 1 = it renews next month);
* `contacts_6m`, `complaints_6m`, `unresolved_6m`: service contacts, complaints and unresolved
  contacts in months t-5..t;
* `satisfaction_6m`: their mean satisfaction (1-5; missing when none was rated);
* `manager_changed_6m`: 1 when the account manager changed in months t-5..t, else 0;
* `churned` (the label): 1 when the customer churns in months t+1..t+horizon.

Months are indices 0..T-1 of the history; money in the company's currency.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from gmassist.customers.reasons import Reason
from gmassist.lib.normalize import gettext_noop

HORIZON_MONTHS = 3
FIRST_SNAPSHOT = 6  # the trend needs six months of history
TARGET = "churned"
FEATURES = (
    "revenue_trend",
    "revenue_12m_log",
    "months_to_renewal",
    "contacts_6m",
    "complaints_6m",
    "unresolved_6m",
    "satisfaction_6m",
    "manager_changed_6m",
)
FEATURE_LABELS = {
    "revenue_trend": "revenue trend (last 3 months against the 3 before)",
    "revenue_12m_log": "revenue of the last 12 months (log10)",
    "months_to_renewal": "months to contract renewal",
    "contacts_6m": "service contacts in 6 months",
    "complaints_6m": "complaints in 6 months",
    "unresolved_6m": "unresolved contacts in 6 months",
    "satisfaction_6m": "satisfaction in 6 months",
    "manager_changed_6m": "account manager changed in 6 months",
}

# A churn reason in plain words, by feature (English; translated where it is shown, see
# customers.reasons). `churn_reason` fills them in; a feature whose value is missing has its
# own sentence.
REASON_TEMPLATES = {
    "revenue_trend": gettext_noop("revenue of the last 3 months %(change)s%% against the 3 before"),
    "revenue_12m_log": gettext_noop("%(revenue)s of revenue in the last 12 months"),
    "months_to_renewal": gettext_noop("the contract renews in %(months)s months"),
    "contacts_6m": gettext_noop("%(count)s service contacts in 6 months"),
    "complaints_6m": gettext_noop("%(count)s complaints in 6 months"),
    "unresolved_6m": gettext_noop("%(count)s unresolved contacts in 6 months"),
    "satisfaction_6m": gettext_noop("mean satisfaction %(value)s (1-5) in 6 months"),
}
MISSING_TEMPLATES = {
    "revenue_trend": gettext_noop("fewer than six months of revenue: no trend yet"),
    "months_to_renewal": gettext_noop("the contract's renewal date is not known"),
    "satisfaction_6m": gettext_noop("no rated service contact in 6 months"),
}
_MANAGER_CHANGED = gettext_noop("the account manager changed in the last 6 months")
_MANAGER_KEPT = gettext_noop("the account manager did not change in the last 6 months")
_OTHER = gettext_noop("%(label)s: %(value)s")


def churn_reason(feature: str, value: float | None) -> Reason:
    """One churn reason in plain words: the snapshot's `feature` (one of FEATURES) at `value`
    (its unit as in the module docstring; None or NaN when missing). The revenue trend is shown
    as a signed percentage, the 12-month revenue back in money, counts and months whole,
    satisfaction to 1 decimal; a feature not in FEATURES by its name and value."""
    if value is None or math.isnan(value):
        if feature == "manager_changed_6m":
            return Reason(_MANAGER_KEPT)
        if feature in MISSING_TEMPLATES:
            return Reason(MISSING_TEMPLATES[feature])
        return Reason(_OTHER, {"label": FEATURE_LABELS.get(feature, feature), "value": "-"})
    if feature == "manager_changed_6m":
        return Reason(_MANAGER_KEPT if value < 0.5 else _MANAGER_CHANGED)
    if feature == "revenue_trend":
        return Reason(REASON_TEMPLATES[feature], {"change": f"{value * 100:+.0f}"})
    if feature == "revenue_12m_log":
        # back from log10(1 + revenue) to money; the clip keeps a nonsense value finite
        revenue = 10 ** min(max(value, 0.0), 300.0) - 1
        return Reason(REASON_TEMPLATES[feature], {"revenue": f"{revenue:,.0f}"})
    if feature == "months_to_renewal":
        return Reason(REASON_TEMPLATES[feature], {"months": f"{value:.0f}"})
    if feature in ("contacts_6m", "complaints_6m", "unresolved_6m"):
        return Reason(REASON_TEMPLATES[feature], {"count": f"{value:,.0f}"})
    if feature == "satisfaction_6m":
        return Reason(REASON_TEMPLATES[feature], {"value": f"{value:.1f}"})
    shown = f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"
    return Reason(_OTHER, {"label": FEATURE_LABELS.get(feature, feature), "value": shown})


@dataclass
class ChurnHistory:
    """The history the snapshots are made from, as arrays.

    `revenue` (customers × months), `renewal_month` (month of year, January 0, of each
    contract's anniversary; -1 unknown), `first_month_of_year` (January 0) of month index 0;
    contacts as parallel arrays (`contact_customer`, `contact_month`, `contact_complaint`,
    `contact_unresolved`, `contact_satisfaction` with 0 for not rated); manager changes as
    `change_customer`, `change_month`."""

    customer_ids: np.ndarray
    revenue: np.ndarray
    renewal_month: np.ndarray
    first_month_of_year: int
    contact_customer: np.ndarray
    contact_month: np.ndarray
    contact_complaint: np.ndarray
    contact_unresolved: np.ndarray
    contact_satisfaction: np.ndarray
    change_customer: np.ndarray
    change_month: np.ndarray

    @property
    def months(self) -> int:
        return int(self.revenue.shape[1])


def churn_months(revenue: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(first month with revenue, churn month) per customer; churn month -1 for customers
    with revenue in the last month (still buying) and for those who never bought."""
    has = revenue != 0
    months = revenue.shape[1]
    any_revenue = has.any(axis=1)
    first = np.where(any_revenue, has.argmax(axis=1), -1)
    last = np.where(any_revenue, months - 1 - has[:, ::-1].argmax(axis=1), -1)
    churn = np.where(any_revenue & (last < months - 1), last + 1, -1)
    return first, churn


def _per_month(
    n: int, months: int, customer: np.ndarray, month: np.ndarray, values: npt.ArrayLike
) -> np.ndarray:
    out = np.zeros((n, months))
    ok = (month >= 0) & (month < months)
    np.add.at(out, (customer[ok], month[ok]), np.asarray(values, dtype=float)[ok])
    return out


def _window(matrix: np.ndarray, t: int, width: int) -> np.ndarray:
    window: np.ndarray = matrix[:, max(0, t - width + 1) : t + 1].sum(axis=1)
    return window


def snapshots(
    history: ChurnHistory,
    *,
    horizon: int = HORIZON_MONTHS,
    months: list[int] | None = None,
    labelled: bool = True,
) -> pd.DataFrame:
    """The snapshot rows of `months` (default: every month from FIRST_SNAPSHOT on that has
    `horizon` months after it when `labelled`, else the last month alone), with columns
    customer_id, month (the index), the FEATURES and, when `labelled`, TARGET (0/1)."""
    n, total = history.revenue.shape
    if months is None:
        months = list(range(FIRST_SNAPSHOT, total - horizon)) if labelled else [total - 1]
    first, churn = churn_months(history.revenue)
    cc, cm = history.contact_customer, history.contact_month
    contacts = _per_month(n, total, cc, cm, np.ones(len(cc)))
    complaints = _per_month(n, total, cc, cm, history.contact_complaint)
    unresolved = _per_month(n, total, cc, cm, history.contact_unresolved)
    rated = history.contact_satisfaction > 0
    sat_sum = _per_month(n, total, cc, cm, history.contact_satisfaction)
    sat_n = _per_month(n, total, cc, cm, rated)
    changes = _per_month(
        n,
        total,
        history.change_customer,
        history.change_month,
        np.ones(len(history.change_customer)),
    )
    frames = []
    for t in months:
        on_books = (first >= 0) & (first <= t) & ((churn < 0) | (churn > t))
        idx = np.nonzero(on_books)[0]
        last3 = history.revenue[idx, max(0, t - 2) : t + 1].sum(axis=1)
        prev3 = history.revenue[idx, max(0, t - 5) : max(0, t - 2)].sum(axis=1)
        enough = (first[idx] <= t - 5) & (prev3 > 0)
        trend = np.where(enough, last3 / np.where(prev3 > 0, prev3, 1) - 1, np.nan)
        moy = (history.first_month_of_year + t) % 12
        renewal = history.renewal_month[idx]
        to_renewal = np.where(renewal >= 0, (renewal - moy - 1) % 12 + 1, np.nan)
        sat_count = _window(sat_n, t, 6)[idx]
        frame = pd.DataFrame(
            {
                "customer_id": history.customer_ids[idx],
                "month": t,
                "revenue_trend": np.clip(trend, -1, 3),
                "revenue_12m_log": np.log10(
                    1 + np.maximum(_window(history.revenue, t, 12)[idx], 0)
                ),
                "months_to_renewal": to_renewal,
                "contacts_6m": _window(contacts, t, 6)[idx],
                "complaints_6m": _window(complaints, t, 6)[idx],
                "unresolved_6m": _window(unresolved, t, 6)[idx],
                "satisfaction_6m": np.where(
                    sat_count > 0, _window(sat_sum, t, 6)[idx] / np.maximum(sat_count, 1), np.nan
                ),
                "manager_changed_6m": (_window(changes, t, 6)[idx] > 0).astype(float),
            }
        )
        if labelled:
            c = churn[idx]
            frame[TARGET] = ((c > t) & (c <= t + horizon)).astype(int)
        frames.append(frame)
    if not frames:
        columns = ["customer_id", "month", *FEATURES] + ([TARGET] if labelled else [])
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)
