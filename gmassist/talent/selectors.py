"""Reads of the talent module, always scoped to the requesting user through `restrict`.

Pay is sensitive: the pay review reads it through `pay_review_people` only, which writes ONE
audit entry per read summarising whose pay was read (how many people, in which departments,
with which filters, and their employee numbers), not one entry per person.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.utils import timezone

from gmassist.core.choices import Action, AuditAction
from gmassist.core.models import User
from gmassist.core.services import audit_record
from gmassist.org.choices import EmployeeStatus
from gmassist.org.models import Employee, Review
from gmassist.org.selectors import department_subtree_ids
from gmassist.talent.engine import pay_review as engine

# An audit entry lists the employee numbers whose pay was read up to this many; beyond, it
# keeps the count per department and says that the list was cut.
AUDIT_MAX_NUMBERS = 1000

# The orders of the pay-review table; a "-" in front reverses them. Missing values go last.
PAY_REVIEW_SORTS = {
    "name": ("full_name", "employee_no"),
    "employee_no": ("employee_no",),
    "department": ("department", "full_name"),
    "position": ("position", "full_name"),
    "base_pay": ("base_pay", "employee_no"),
    "compa_ratio": ("compa_ratio", "employee_no"),
    "band_position": ("band_position", "employee_no"),
    "last_rating": ("last_rating", "employee_no"),
}


def _restricted(queryset: QuerySet, user: User | None, action: str) -> QuerySet:
    """`queryset` as `user` may use it for `action`; everything for the system (None: the CLI
    without --user)."""
    return queryset.all() if user is None else queryset.restrict(user, action)


def latest_rating_subquery(*, user: User | None) -> Subquery:
    """The latest review rating of the employee of the outer query (OuterRef "pk") that `user`
    may see: by review date (undated last), then period."""
    reviews = (
        _restricted(Review.objects, user, Action.VIEW)
        .filter(employee=OuterRef("pk"))
        .order_by(F("review_date").desc(nulls_last=True), "-period")
        .values("rating")[:1]
    )
    return Subquery(reviews)


def latest_ratings(*, user: User | None, employee_ids: list[int]) -> dict[int, int]:
    """{employee id: latest rating} for the given employees the user may see (one query)."""
    rows = (
        _restricted(Employee.objects, user, Action.VIEW)
        .filter(pk__in=employee_ids)
        .annotate(last_rating=latest_rating_subquery(user=user))
        .filter(last_rating__isnull=False)
        .values_list("pk", "last_rating")
    )
    return dict(rows)


def pay_visible(*, user: User | None) -> QuerySet[Employee]:
    """Employees whose pay `user` may read (the one scope of the pay review); everyone for the
    system (None)."""
    return _restricted(Employee.objects, user, Action.VIEW_PAY)


def pay_review_people(
    *,
    user: User | None,
    department_id: int | None = None,
    position_id: int | None = None,
) -> pd.DataFrame:
    """The people of the pay review as `user` may see them with their pay, one row each.

    Current employees (active or on leave) whose pay the user (None: the system) may read, in
    the department and everything below it, and in the position, when given. Columns:
    engine.PEOPLE_COLUMNS plus `department_code`; money yearly in the company's currency. One
    query (plus the scope's), and one audit entry when anyone else's pay is read.
    """
    qs = pay_visible(user=user).exclude(status=EmployeeStatus.LEFT)
    filters: dict[str, Any] = {}
    if department_id is not None:
        qs = qs.filter(
            department_id__in=sorted(department_subtree_ids(department_id=department_id))
        )
        filters["department_id"] = department_id
    if position_id is not None:
        qs = qs.filter(position_id=position_id)
        filters["position_id"] = position_id
    rows = list(
        qs.annotate(last_rating=latest_rating_subquery(user=user))
        .order_by("employee_no")
        .values(
            "pk",
            "employee_no",
            "full_name",
            "department_id",
            "department__code",
            "department__name",
            "position_id",
            "position__title",
            "position__grade",
            "gender",
            "hire_date",
            "base_pay",
            "position__band_min",
            "position__band_mid",
            "position__band_max",
            "last_rating",
        )
    )
    frame = pd.DataFrame(
        [
            {
                "employee_id": r["pk"],
                "employee_no": r["employee_no"],
                "full_name": r["full_name"],
                "department_id": r["department_id"],
                "department_code": r["department__code"],
                "department": r["department__name"],
                "position_id": r["position_id"],
                "position": r["position__title"] or "",
                "grade": r["position__grade"],
                "gender": r["gender"],
                "hire_date": r["hire_date"],
                "base_pay": _float(r["base_pay"]),
                "band_min": _float(r["position__band_min"]),
                "band_mid": _float(r["position__band_mid"]),
                "band_max": _float(r["position__band_max"]),
                "last_rating": r["last_rating"],
            }
            for r in rows
        ],
        columns=[*engine.PEOPLE_COLUMNS, "department_code"],
    )
    _audit_pay_read(user=user, frame=frame, filters=filters)
    return frame


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _audit_pay_read(*, user: User | None, frame: pd.DataFrame, filters: dict[str, Any]) -> None:
    """One audit entry for a pay-review read of other people's pay (none when only one's own);
    the system's reads (the CLI without --user) are recorded with no actor."""
    own_id = user.employee_id if user is not None else None
    others = frame[frame["employee_id"] != own_id] if own_id else frame
    if others.empty:
        return
    numbers = sorted(others["employee_no"])
    audit_record(
        actor=user,
        action=AuditAction.READ_PAY,
        target_type="talent.pay_review",
        target_repr=f"Pay review: {len(numbers)} people",
        changes={
            "people": len(numbers),
            "departments": dict(sorted(Counter(others["department_code"]).items())),
            "filters": filters,
            "employee_nos": numbers[:AUDIT_MAX_NUMBERS],
            "employee_nos_cut": len(numbers) > AUDIT_MAX_NUMBERS,
        },
    )


@dataclass
class PayReview:
    """A pay review as a user may see it: every person's place (`positions`, a frame from
    engine.pay_positions), the summary and the gender gaps. Money yearly, company currency."""

    positions: pd.DataFrame
    summary: dict
    gaps: list[engine.GenderGap] = field(default_factory=list)
    as_of: dt.date | None = None


def pay_review(
    *,
    user: User | None,
    department_id: int | None = None,
    position_id: int | None = None,
    as_of: dt.date | None = None,
) -> PayReview:
    """The pay review of the people `pay_review_people` gives (read once, audited once)."""
    as_of = as_of or timezone.localdate()
    people = pay_review_people(user=user, department_id=department_id, position_id=position_id)
    positions = engine.pay_positions(people)
    return PayReview(
        positions=positions,
        summary=engine.pay_summary(positions),
        gaps=engine.gender_pay_gaps(people, as_of=as_of),
        as_of=as_of,
    )


def _clean(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def pay_review_rows(
    review: PayReview, *, flag: str | None = None, sort: str = "name"
) -> list[dict[str, Any]]:
    """The rows of the pay-review table: optionally only those with `flag` (one of
    engine.FLAGS), sorted by a key of PAY_REVIEW_SORTS ("-" for the reverse; missing values
    last either way). Unknown sorts or flags raise ValueError."""
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in PAY_REVIEW_SORTS:
        raise ValueError(f"unknown sort {sort!r}; use one of {sorted(PAY_REVIEW_SORTS)}")
    if flag and flag not in engine.FLAGS:
        raise ValueError(f"unknown flag {flag!r}; use one of {list(engine.FLAGS)}")
    frame = review.positions
    if flag:
        frame = frame[frame[flag]]
    columns = list(PAY_REVIEW_SORTS[key])
    frame = frame.sort_values(
        columns,
        ascending=[not descending] + [True] * (len(columns) - 1),
        na_position="last",
        kind="stable",
    )
    keep = [
        "employee_id",
        "employee_no",
        "full_name",
        "department_id",
        "department",
        "position_id",
        "position",
        "grade",
        "base_pay",
        "band_min",
        "band_mid",
        "band_max",
        "compa_ratio",
        "band_position",
        "to_band_min",
        "over_band_max",
        "last_rating",
        "flags",
    ]
    rows = []
    for record in frame[keep].to_dict("records"):
        row = {name: _clean(value) for name, value in record.items()}
        if row["last_rating"] is not None:
            row["last_rating"] = int(row["last_rating"])
        if row["grade"] is not None:
            row["grade"] = int(row["grade"])
        rows.append(row)
    return rows
