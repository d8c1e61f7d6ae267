"""Talent benchmark: leaving-risk scoring of everyone and an incentive plan against greedy.

On generated data, no database (the engine is what is measured; the selectors' reads are the
import and web benchmarks' business): the demo generator's company of the tier, its history
as the talent selector would read it, then

1. scoring: monthly snapshots, the time-based backtest, the fit and the score of everyone on
   the books at the last month-end, with their top reasons and their risk at every month-end
   before (target: under 30 s at tier L);
2. the incentive plan over the 20,000 highest risks with a budget of 2% of their yearly pay,
   side by side with the greedy plan (best net value per cost first) (target: proven optimal
   or within 0.1% of the bound on net value, under 60 s, never worse than greedy).

A person's value here is their replacement cost ((3 + grade) months of pay, the key-talent
engine's rule), as the talent selector passes it. Results in bench/results/talent-<tier>.json.
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
from gmassist.talent.engine import incentive_plan, leaving
from gmassist.talent.engine.demo_history import demo_history

RESULTS_DIR = Path(__file__).parent / "results"
PLAN_PEOPLE = 20_000
BUDGET_SHARE = 0.02
SCORING_TARGET = 30.0
PLAN_TARGET = 60.0
GAP_TARGET = 0.001


def run(*, tier: str = "L", seed: int = 1, name: str = "", as_of: dt.date | None = None) -> bool:
    console = Console()
    as_of = as_of or dt.date(2026, 11, 1)
    started = time.perf_counter()
    company = generate(seed=seed, tier=tier, as_of=as_of)
    generated = time.perf_counter() - started
    history = demo_history(company)

    started = time.perf_counter()
    day = as_of.replace(day=1) - dt.timedelta(days=1)
    table = leaving.snapshot_table(history, leaving.snapshot_days(history, end=day))
    built = time.perf_counter() - started
    fitted = leaving.fit_leaving_model(table)
    fit = time.perf_counter() - started - built
    current = table[table["snapshot"] == day]
    scored = leaving.score_snapshot(fitted, current)
    leaving.score_history(fitted, table, [person.employee_id for person in scored])
    scoring = time.perf_counter() - started

    people = _plan_people(company, current, scored)
    budget = float(round(people["base_pay"].sum() * BUDGET_SHARE, -3))
    started = time.perf_counter()
    result = incentive_plan.solve_plan(
        people, budget=budget, response=fitted.response, time_limit=50
    )
    planning = time.perf_counter() - started

    results = {
        "tier": tier,
        "seed": seed,
        "as_of": as_of.isoformat(),
        "machine": {
            "python": platform.python_version(),
            "processor": platform.machine(),
            "cpus": _cpus(),
        },
        "generate_seconds": round(generated, 2),
        "scoring": {
            "snapshot_rows": len(table),
            "table_seconds": round(built, 2),
            "fit_and_backtest_seconds": round(fit, 2),
            "scored": len(scored),
            "seconds": round(scoring, 2),
            "target_seconds": SCORING_TARGET,
            "backtest_auc": round(fitted.auc, 4) if fitted.auc is not None else None,
            "train_rows": fitted.n_train,
        },
        "plan": {
            "people": len(people),
            "budget": budget,
            **result.summary(),
            "seconds": round(planning, 2),
            "target_seconds": PLAN_TARGET,
            "target_gap": GAP_TARGET,
            "net_vs_greedy": round(result.total_net / result.greedy_net, 6)
            if result.greedy_net
            else None,
        },
    }
    table_out = Table(title=f"Talent at tier {tier} ({len(scored):,} people scored)")
    for column in ("", "measured", "target", "met"):
        table_out.add_column(column)
    ok_scoring = scoring < SCORING_TARGET
    ok_plan = (
        planning < PLAN_TARGET
        and result.gap <= GAP_TARGET
        and result.total_net >= result.greedy_net - 1e-6
    )
    table_out.add_row(
        "scoring everyone (s)", f"{scoring:.1f}", f"< {SCORING_TARGET:.0f}", _yes(ok_scoring)
    )
    table_out.add_row("backtest ROC AUC", f"{fitted.auc:.3f}", "", "")
    table_out.add_row(
        f"plan over {len(people):,} people (s)",
        f"{planning:.1f}",
        f"< {PLAN_TARGET:.0f}",
        _yes(planning < PLAN_TARGET),
    )
    table_out.add_row(
        "plan: status, gap to bound",
        f"{result.status}, {result.gap:.4%} (bound {result.bound:,.0f})",
        f"optimal or ≤ {GAP_TARGET:.1%}",
        _yes(result.gap <= GAP_TARGET),
    )
    table_out.add_row(
        "plan vs greedy (net value)",
        f"{result.total_net:,.0f} vs {result.greedy_net:,.0f} "
        f"({result.total_net / max(result.greedy_net, 1e-9):.4f}×); spends "
        f"{result.total_cost:,.0f} of {budget:,.0f}",
        "≥ 1×",
        _yes(result.total_net >= result.greedy_net - 1e-6),
    )
    console.print(table_out)
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"{name or 'talent-' + tier}.json"
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    console.print(f"Results: {out}")
    return ok_scoring and ok_plan


def _yes(ok: bool) -> str:
    return "yes" if ok else "NO"


def _cpus() -> int:
    import os

    return os.cpu_count() or 0


def _plan_people(company, current: pd.DataFrame, scored) -> pd.DataFrame:
    """The 20,000 highest risks with pay, bands and a value (see the module docstring)."""
    risk = pd.Series({p.employee_id: p.probability for p in scored})
    top = risk.sort_values(ascending=False).index[:PLAN_PEOPLE]
    positions = company.positions
    position = company.people["position"][top]
    pay = company.people["base_pay"][top].astype(float)
    grade = np.array([positions[i].grade for i in position])
    by_grade = {(p.job_family, p.grade): p for p in positions}
    following = [by_grade.get((positions[i].job_family, positions[i].grade + 1)) for i in position]
    rows = current.set_index("employee_id").loc[top]
    return pd.DataFrame(
        {
            "employee_id": top,
            "probability": risk.loc[top].to_numpy(),
            "value": pay / 12 * (3 + grade),
            "base_pay": pay,
            "band_mid": [float(positions[i].band_mid) for i in position],
            "band_max": [float(positions[i].band_max) for i in position],
            "next_band_min": [float(f.band_min) if f else np.nan for f in following],
            "next_band_mid": [float(f.band_mid) if f else np.nan for f in following],
            "months_since_raise": rows["months_since_raise"].to_numpy(),
            "months_since_promotion": rows["months_since_promotion"].to_numpy(),
        }
    )


if __name__ == "__main__":
    import sys

    raise SystemExit(0 if run(tier=sys.argv[1] if len(sys.argv) > 1 else "L") else 1)
