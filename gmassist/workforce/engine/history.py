"""The employee history the plan and the backtest read: one row per person who ever worked here.

Columns of `people` (a pandas DataFrame):
  employee_id   any hashable id, unique
  department    the department's name or code (as of today: the organisation keeps no transfer
                history, so a person who moved counts in their present department throughout)
  job_family    str, "" when unknown
  grade         int or NaN
  hire_date     date, required
  leave_date    date or NaT (still employed)
  birth_date    date or NaT (unknown: no retirement is projected for that person)
  female        bool or NaN (which retirement age applies; unknown: the male one)

`clean_history` accepts a real export's quirks and says what it did about each."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

REQUIRED_COLUMNS = ("employee_id", "department", "hire_date")
OPTIONAL_COLUMNS = {
    "job_family": "",
    "grade": float("nan"),
    "leave_date": pd.NaT,
    "birth_date": pd.NaT,
    "female": float("nan"),
}


class HistoryError(ValueError):
    """The history cannot be read: a required column is missing or no row is usable."""


@dataclass
class CleanHistory:
    """The usable rows and, per quirk, how many rows had it (what was done is in the key)."""

    people: pd.DataFrame
    notes: dict[str, int] = field(default_factory=dict)


def _dates(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, errors="coerce", format="mixed").dt.normalize()


def clean_history(people: pd.DataFrame) -> CleanHistory:
    """The rows of `people` the models can use, with the quirks of a real export handled:

    * a missing or unreadable hire date: the row is dropped (nothing can be said of it);
    * a leave date before the hire date: dropped as a data error;
    * the same employee id twice (a rehire exported as two rows, or a duplicate): each row
      is kept as its own spell of employment when the spells do not overlap, otherwise only
      the latest spell is kept;
    * a missing department: counted in "(no department)";
    * a birth date that makes the person younger than 14 or older than 80 at hire: ignored.

    Raises HistoryError naming the missing columns."""
    missing = [c for c in REQUIRED_COLUMNS if c not in people.columns]
    if missing:
        raise HistoryError(f"the employee history lacks the column(s): {', '.join(missing)}")
    frame = people.copy()
    for column, default in OPTIONAL_COLUMNS.items():
        if column not in frame.columns:
            frame[column] = default
    notes: dict[str, int] = {}
    frame["hire_date"] = _dates(frame["hire_date"])
    frame["leave_date"] = _dates(frame["leave_date"])
    frame["birth_date"] = _dates(frame["birth_date"])
    no_hire = frame["hire_date"].isna()
    if no_hire.any():
        notes["dropped: no readable hire date"] = int(no_hire.sum())
    frame = frame[~no_hire]
    backwards = frame["leave_date"].notna() & (frame["leave_date"] < frame["hire_date"])
    if backwards.any():
        notes["dropped: leave date before hire date"] = int(backwards.sum())
    frame = frame[~backwards]
    department = frame["department"].astype("string").str.strip()
    blank = department.isna() | (department == "")
    if blank.any():
        notes["counted in (no department): no department"] = int(blank.sum())
    frame["department"] = department.where(~blank, "(no department)").astype(str)
    frame["job_family"] = frame["job_family"].fillna("").astype(str).str.strip()
    age_at_hire = (frame["hire_date"] - frame["birth_date"]).dt.days / 365.25
    odd_age = frame["birth_date"].notna() & ((age_at_hire < 14) | (age_at_hire > 80))
    if odd_age.any():
        notes["birth date ignored: age at hire below 14 or above 80"] = int(odd_age.sum())
    frame.loc[odd_age, "birth_date"] = pd.NaT
    frame = frame.sort_values(["employee_id", "hire_date"], kind="stable")
    duplicated = frame["employee_id"].duplicated(keep=False)
    if duplicated.any():
        keep = pd.Series(True, index=frame.index)
        for _, spells in frame[duplicated].groupby("employee_id", sort=False):
            previous_end = None
            for index, row in spells.iterrows():
                if previous_end is not None and (
                    pd.isna(previous_end) or row.hire_date <= previous_end
                ):
                    keep[index] = True
                    keep[spells.index[spells.index.get_loc(index) - 1]] = False
                previous_end = row.leave_date
        overlapping = int((~keep).sum())
        rehires = int(duplicated.sum()) - overlapping
        if rehires:
            notes["kept as separate spells: the same employee id twice (rehire)"] = rehires
        if overlapping:
            notes["dropped: an earlier overlapping row of the same employee id"] = overlapping
        frame = frame[keep]
    if frame.empty:
        raise HistoryError("no row of the employee history has a usable hire date")
    frame = frame.reset_index(drop=True)
    frame["female"] = frame["female"].astype("boolean").fillna(False).astype(bool)
    frame["grade"] = pd.to_numeric(frame["grade"], errors="coerce")
    return CleanHistory(people=frame, notes=notes)


def head_count(people: pd.DataFrame, day: pd.Timestamp) -> pd.Series:
    """Who is on the books at the end of `day` (hired on or before it, not yet left), as a
    boolean Series over `people`."""
    hired = people["hire_date"] <= day
    staying = people["leave_date"].isna() | (people["leave_date"] > day)
    return hired & staying
