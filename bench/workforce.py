"""Workforce benchmark: a full plan and the backtest at a tier, on generated data, no database.

The demo generator's company of the tier (tier L: 100,000 people, 3 years of history), its
history as the workforce selector reads it, then

1. the plan: the leaving hazards of the last two years, every department x job family line
   growing 4% a year, supply simulated 1,000 times over 8 quarters, the gaps with their
   intervals (target: under 60 s at tier L);
2. the backtest from the first day with a year of recorded leavers before it, over 8 quarters
   (target: under 60 s at tier L).

Results in bench/results/workforce-<tier>.json.
"""

from __future__ import annotations

import datetime as dt
import json
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from gmassist.org.demo.generator import generate
from gmassist.workforce.engine.backtest import run_backtest
from gmassist.workforce.engine.calendar import add_months
from gmassist.workforce.engine.demand import DemandLine, DemandMethod
from gmassist.workforce.engine.history import clean_history, head_count
from gmassist.workforce.engine.plan import project_plan
from gmassist.workforce.engine.survival import estimate_hazards

RESULTS_DIR = Path(__file__).parent / "results"
PLAN_TARGET = 60.0
BACKTEST_TARGET = 60.0
RUNS = 1000
QUARTERS = 8


def company_history(company) -> pd.DataFrame:
    """The generated company as `engine.history` columns."""
    p = company.people
    positions = company.positions
    leave = p["leave_date"]
    return pd.DataFrame(
        {
            "employee_id": np.arange(company.size),
            "department": np.array([d.code for d in company.departments], dtype=object)[
                p["department"]
            ],
            "job_family": np.array([positions[i].job_family for i in p["position"]], dtype=object),
            "grade": np.array([positions[i].grade for i in p["position"]]),
            "hire_date": p["hire_date"],
            "leave_date": np.where(np.isnat(leave), np.datetime64("NaT"), leave),
            "birth_date": p["birth_date"],
            "female": p["gender"] == "female",
        }
    )


def run(*, tier: str = "L", seed: int = 1, name: str = "", as_of: dt.date | None = None) -> bool:
    console = Console()
    as_of = as_of or dt.date(2026, 11, 1)
    company = generate(seed=seed, tier=tier, as_of=as_of)
    history = clean_history(company_history(company)).people
    day = as_of.replace(day=1) - dt.timedelta(days=1)

    started = time.perf_counter()
    cpu_started = time.process_time()
    stamp = pd.Timestamp(day)
    on_books = history[head_count(history, stamp)]
    leavers = history["leave_date"].dropna()
    hazards = estimate_hazards(
        history, start=max(stamp - pd.DateOffset(years=2), leavers.min()), end=stamp
    )
    lines = [
        DemandLine(d, f, DemandMethod.GROWTH, current=int(n), growth_percent=4.0)
        for (d, f), n in on_books.groupby(["department", "job_family"]).size().items()
    ]
    plan = project_plan(
        history, as_of=day, horizon=QUARTERS, hazards=hazards, lines=lines, drivers={}, runs=RUNS
    )
    plan_seconds = time.perf_counter() - started
    plan_cpu_seconds = time.process_time() - cpu_started

    started = time.perf_counter()
    backtest_day = add_months(leavers.min().date(), 13).replace(day=1) - dt.timedelta(days=1)
    backtest = run_backtest(history, as_of=backtest_day, horizon=QUARTERS, history_end=day)
    backtest_seconds = time.perf_counter() - started

    errors = backtest.as_dict()["company"]
    table = Table(title=f"Workforce plan and backtest, tier {tier} ({len(on_books):,} people)")
    for column in ("what", "seconds", "CPU seconds", "target", "met"):
        table.add_column(column)
    plan_ok = plan_seconds < PLAN_TARGET
    backtest_ok = backtest_seconds < BACKTEST_TARGET
    table.add_row(
        f"plan: {len(plan.segments):,} lines, {RUNS:,} runs x {QUARTERS} quarters",
        f"{plan_seconds:.1f}", f"{plan_cpu_seconds:.1f}", f"< {PLAN_TARGET:.0f}",
        "yes" if plan_ok else "NO",
    )  # fmt: skip
    table.add_row(
        f"backtest from {backtest_day}, {len(backtest.quarter_ends)} quarters",
        f"{backtest_seconds:.1f}", "", f"< {BACKTEST_TARGET:.0f}",
        "yes" if backtest_ok else "NO",
    )  # fmt: skip
    console.print(table)
    console.print(
        "backtest MAE (people): model {m}, carry forward {c}, last year's rate {t}".format(
            m=errors["model"]["mae"],
            c=errors["carry_forward"]["mae"],
            t=errors["trailing_rate"]["mae"],
        )
    )
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / f"{name or 'workforce-' + tier}.json").write_text(
        json.dumps(
            {
                "tier": tier,
                "people": len(on_books),
                "lines": len(plan.segments),
                "runs": RUNS,
                "quarters": QUARTERS,
                "plan_seconds": round(plan_seconds, 2),
                "plan_cpu_seconds": round(plan_cpu_seconds, 2),
                "backtest_seconds": round(backtest_seconds, 2),
                "backtest": errors,
                "machine": {"python": platform.python_version(), "processor": platform.machine()},
            },
            indent=2,
        )
    )
    return plan_ok and backtest_ok
