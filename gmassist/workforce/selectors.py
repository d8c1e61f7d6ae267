"""Reads of the workforce plan, scoped to the requesting user, and the history the engine
learns from."""

from __future__ import annotations

import datetime as dt
import statistics

import pandas as pd
from django.db.models import QuerySet

from gmassist.core.models import User
from gmassist.core.permissions import Action
from gmassist.org.models import Employee
from gmassist.voice.recruiting.models import Requisition
from gmassist.workforce.engine.history import CleanHistory, clean_history
from gmassist.workforce.models import Backtest, Driver, Plan, PlanLine

HISTORY_COLUMNS = [
    "employee_id",
    "department",
    "job_family",
    "grade",
    "hire_date",
    "leave_date",
    "birth_date",
    "gender",
]


def employee_history() -> CleanHistory:
    """Everyone who ever worked here, as the engine takes it (`engine.history`): department
    names, job family, grade, hire, leave and birth dates, women (for the retirement age).

    A system read, not scoped: the supply model learns from the whole company's history, and
    what leaves the engine are counts per department and job family, never a person."""
    rows = Employee.objects.order_by("pk").values_list(
        "pk",
        "department__name",
        "position__job_family",
        "position__grade",
        "hire_date",
        "leave_date",
        "birth_date",
        "gender",
    )
    frame = pd.DataFrame(list(rows), columns=HISTORY_COLUMNS)
    frame["female"] = frame["gender"] == "female"
    return clean_history(frame.drop(columns=["gender"]))


def time_to_fill_days() -> dict[str, int]:
    """The median days from opening to filling a requisition per job family ("" for all),
    from the recruiting records' filled requisitions."""
    rows = Requisition.objects.filter(status="filled", closed_on__isnull=False).values_list(
        "position__job_family", "opened_on", "closed_on"
    )
    days: dict[str, list[int]] = {}
    for family, opened, closed in rows:
        filled_in = (closed - opened).days
        days.setdefault(family or "", []).append(filled_in)
        if family:
            days.setdefault("", []).append(filled_in)
    return {family: round(statistics.median(values)) for family, values in days.items()}


def plans_visible(*, user: User | None) -> QuerySet[Plan]:
    return Plan.objects.restrict(user, Action.VIEW)


def plan_lines(*, user: User | None, plan: Plan) -> QuerySet[PlanLine]:
    """The plan's lines the user may see (a head: the lines of their subtree)."""
    return (
        PlanLine.objects.restrict(user, Action.VIEW)
        .filter(plan=plan)
        .select_related("department", "driver")
    )


def drivers_series() -> dict[str, dict[dt.date, float]]:
    """Every driver's monthly values, by name."""
    out: dict[str, dict[dt.date, float]] = {}
    for driver in Driver.objects.prefetch_related("values"):
        out[driver.name] = {v.month: v.value for v in driver.values.all()}
    return out


def latest_backtest(*, user: User | None) -> Backtest | None:
    return Backtest.objects.restrict(user, Action.VIEW).first()
