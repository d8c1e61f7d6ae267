"""A leaving-risk table made from the pure demo generator: one row per employee at a snapshot.

The features are those of the talent issue as of the snapshot day (pay position in band, time
since promotion and raise, tenure, ratings, department...), the label is whether the person left
voluntarily within the following 12 months. It also holds columns a real HR export would have
and the engine must drop: the employee number, the name, a constant, and the leave date (which
leaks the label). Pure: no Django import.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from gmassist.org.demo.company import DAYS_PER_MONTH, DemoCompany
from gmassist.org.demo.structure import BAND_DRIFT_PER_YEAR

SNAPSHOT = dt.date(2025, 11, 1)


def _last_before(person: np.ndarray, when: np.ndarray, value: np.ndarray, n: int, day):
    """The value of each person's latest record dated on or before `day` (NaN if none)."""
    out = np.full(n, np.nan)
    keep = when <= day
    order = np.lexsort((when[keep], person[keep]))  # by person, then date: the last wins
    out[person[keep][order]] = value[keep][order]
    return out


def leaving_table(company: DemoCompany, snapshot: dt.date = SNAPSHOT) -> pd.DataFrame:
    """Employees on the books on `snapshot`, their features then, and `voluntary_leaver`."""
    p = company.people
    n = company.size
    day = np.datetime64(snapshot, "D")
    year_after = np.datetime64(snapshot.replace(year=snapshot.year + 1), "D")
    leave = p["leave_date"]
    has_left = ~np.isnat(leave)
    on_books = (p["hire_date"] <= day) & (~has_left | (leave >= day))

    sep = company.separations
    voluntary = np.zeros(n, dtype=bool)
    in_window = (sep["type"] == "voluntary") & (sep["date"] >= day) & (sep["date"] < year_after)
    voluntary[sep["person"][in_window]] = True

    pay = company.pay_changes
    pay_then = _last_before(pay["person"], pay["date"], pay["base_pay"].astype(float), n, day)
    pay_then = np.where(np.isnan(pay_then), p["base_pay"], pay_then)
    is_promotion = pay["reason"] == "promotion"
    promotions_after = np.bincount(pay["person"][is_promotion & (pay["date"] > day)], minlength=n)
    days = pay["date"].astype(np.int64).astype(float)
    last_promotion = _last_before(
        pay["person"][is_promotion], pay["date"][is_promotion], days[is_promotion], n, day
    )
    is_raise = pay["reason"] != "hire"
    last_raise = _last_before(
        pay["person"][is_raise], pay["date"][is_raise], days[is_raise], n, day
    )
    hire_days = p["hire_date"].astype(np.int64).astype(float)
    today = float(day.astype(np.int64))

    positions = company.positions
    grade_now = np.array([positions[i].grade for i in p["position"]])
    grade_then = np.maximum(1, grade_now - promotions_after)
    family = np.array([positions[i].code.split("-")[0] for i in p["position"]])
    band_mid = {(pos.code.split("-")[0], pos.grade): pos.band_mid for pos in positions}
    drift = (1 + BAND_DRIFT_PER_YEAR) ** (snapshot.year - company.calendar.band_year)
    mid_then = np.array(
        [band_mid.get((f, g), np.nan) for f, g in zip(family, grade_then, strict=True)]
    )
    compa = pay_then / (mid_then * drift)

    rev = company.reviews
    rev_days = rev["date"]
    last_rating = _last_before(rev["person"], rev_days, rev["rating"].astype(float), n, day)
    earlier = rev_days <= day - 150  # the review half a year before the last
    previous_rating = _last_before(
        rev["person"][earlier], rev_days[earlier], rev["rating"][earlier].astype(float), n, day
    )

    departments = np.array([d.code for d in company.departments], dtype=object)
    table = pd.DataFrame(
        {
            "employee_no": p["employee_no"],
            "full_name": p["full_name"],
            "email": p["email"],
            "company": "Demo Company",
            "department": departments[p["department"]],
            "job_family": family,
            "grade": grade_then,
            "compa_ratio": np.round(compa, 3),
            "months_since_promotion": np.round(
                (today - np.where(np.isnan(last_promotion), hire_days, last_promotion))
                / DAYS_PER_MONTH,
                1,
            ),
            "months_since_raise": np.round(
                (today - np.where(np.isnan(last_raise), hire_days, last_raise)) / DAYS_PER_MONTH,
                1,
            ),
            "tenure_months": np.round((today - hire_days) / DAYS_PER_MONTH, 1),
            "last_rating": last_rating,
            "previous_rating": previous_rating,
            "age_years": np.round((today - p["birth_date"].astype(np.int64)) / 365.25, 1),
            "gender": p["gender"],
            "employment_type": p["employment_type"],
            "location": p["location"],
            "leave_date": np.where(has_left, leave.astype(str), ""),
            "voluntary_leaver": np.where(voluntary, "yes", "no"),
        }
    )
    return table.loc[on_books].reset_index(drop=True)
