"""The workforce plan's part of the demo company (order 70, after customers and talent): the
account managers' workload as a driver (from the customers module, extended by its trend), a
plan whose Enterprise Sales lines follow that workload, the rest growing 4% a year (the
company's planned growth), two scenarios (a hiring freeze, leaving up 20%) and the backtest
from the first day with a year of recorded leavers behind it. Through the services, as the
system; deterministic (the simulation's seed is fixed)."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from gmassist.core.permissions import SYSTEM
from gmassist.org.demo.extensions import DemoContext, demo_extension
from gmassist.workforce.choices import ScenarioKind
from gmassist.workforce.engine.calendar import add_months
from gmassist.workforce.engine.demand import trend_forecast

WORKLOAD = "Customer workload"
DEMO_GROWTH_PERCENT = 4.0  # the demo company's planned growth (org.demo.structure)
DEMO_RUNS = 1000
# a line of one or two (a division's head) does not scale with the customers: rounded up, its
# 1.03 people would become 2
DRIVER_MIN_PEOPLE = 5


def delete_workforce_demo() -> None:
    from gmassist.workforce.models import Backtest, Driver, Plan

    Backtest.objects.all().delete()
    Plan.objects.update(previous=None)
    Plan.objects.all().delete()  # lines and scenarios go with them
    Driver.objects.all().delete()


def _month_end_before(day: dt.date) -> dt.date:
    return dt.date(day.year, day.month, 1) - dt.timedelta(days=1)


@demo_extension("workforce", order=70, delete=delete_workforce_demo)
def write_workforce_demo(ctx: DemoContext) -> dict[str, int]:
    from gmassist.workforce import selectors, services

    as_of = _month_end_before(ctx.as_of)
    history = selectors.employee_history().people
    first = history["hire_date"].min().date()
    actual = selectors.customer_workload_series(first=add_months(as_of, -23), last=as_of)
    forecast = trend_forecast(actual, months=27)
    services.driver_save(
        name=WORKLOAD,
        unit="workload units",
        description="Group customers under contract, A 5 units, B 2, C 1 (customers module)",
        values=actual,
        forecast=forecast,
        by=SYSTEM,
    )
    ctx.progress(0.2, "workforce: driver")
    day = pd.Timestamp(as_of)
    on_books = history[
        (history["hire_date"] <= day)
        & (history["leave_date"].isna() | (history["leave_date"] > day))
    ]
    current = on_books.groupby(["department", "job_family"]).size()
    workload_now = actual[max(actual)]
    lines = []
    for (department, family), people in sorted(current.items()):
        driven = department.startswith("Enterprise Sales") and family == "Sales"
        if driven and people >= DRIVER_MIN_PEOPLE and workload_now > 0:
            # the line keeps today's workload units per salesperson
            lines.append(
                {"department": department, "job_family": family, "method": "driver",
                 "driver": WORKLOAD, "ratio": math.ceil(workload_now / people * 10) / 10}
            )  # fmt: skip
        else:
            lines.append(
                {"department": department, "job_family": family, "method": "growth",
                 "growth_percent": DEMO_GROWTH_PERCENT}
            )  # fmt: skip
    plan = services.plan_build(
        name="Plan 2027-2028",
        as_of=as_of,
        horizon=8,
        lines=lines,
        runs=DEMO_RUNS,
        by=SYSTEM,
    )
    ctx.progress(0.6, "workforce: plan")
    services.scenario_run(
        plan=plan, name="Hiring freeze", kind=ScenarioKind.HIRING_FREEZE, by=SYSTEM
    )
    services.scenario_run(
        plan=plan, name="Leaving up 20%", kind=ScenarioKind.LEAVING_UP, percent=20, by=SYSTEM
    )
    ctx.progress(0.8, "workforce: scenarios")
    leavers = history["leave_date"].dropna()
    records_start = (leavers.min() if len(leavers) else history["hire_date"].min()).date()
    backtest_day = _month_end_before(add_months(records_start, 13))
    del first
    services.backtest_run(as_of=backtest_day, horizon=8, plan=plan, by=SYSTEM)
    return {"workforce plans": 1, "workforce lines": plan.lines.count(), "backtests": 1}
