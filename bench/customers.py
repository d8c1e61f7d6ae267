"""Benchmark: group customers at a DESIGN.md tier on PostgreSQL (L: 500,000 customers, 12 M
monthly revenue rows, 5,000 account managers), ours against the alternatives, side by side:

- revenue import: `import_file(entity="monthly_revenue")` with every check, into an empty
  revenue table, against a plain `COPY` of the same CSV into a table of text columns
  (target: ours / COPY <= 3);
- tiering: our selector (one SQL aggregation) + `engine.tiering.tier_frame`, against a pandas
  script that reads the revenue rows (`pandas.read_sql`) and computes the same Pareto
  cut-offs (target: ours / pandas < 1; the bands must agree);
- matching: `engine.matching.match_account_managers` (hard regions, no change penalty: the
  greedy keeps no relationships either) on the tier's customers and managers, against a greedy
  assignment (the most important customers first, each to the best-graded manager of its region
  with room): target proven optimal, strictly better objective, under 60 s (model building
  included). Then, for information, the product's default options (change penalty 1, no cap)
  and a cap of 10% of the relationships. Run in a child process with a time limit, so that a
  formulation too large for the machine is reported, not waited for.

The tier's customers are generated once (`customers.demo_generator`) and written with COPY into
the bench database, then reused while the database holds them (`--recreate` to rebuild).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import multiprocessing
import os
import queue as queue_module
import time
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from bench.import_employees import DATA_DIR, RESULTS_DIR, _django, ensure_database, machine_info

AS_OF = dt.date(2026, 11, 24)
COPY_TABLE = "bench_revenue_copy"
MATCH_LIMIT_S = 60.0
MATCH_WALL_S = 600  # the child process is stopped after this long
TARGETS = (  # label, limit, strict
    ("revenue import: ours / COPY", 3.0, False),
    ("tiering: ours / pandas", 1.0, True),
)


def generate(tier: str, seed: int):
    from gmassist.customers.demo_generator import (
        CITY_REGION,
        CUSTOMERS_BY_TIER,
        generate_customers,
        manager_count,
    )

    n = CUSTOMERS_BY_TIER[tier]
    k = manager_count(n)
    rng = np.random.default_rng(seed)
    cities = np.array(list(CITY_REGION), dtype=object)[rng.integers(0, len(CITY_REGION), k)]
    return generate_customers(
        seed=seed,
        n_customers=n,
        as_of=AS_OF,
        candidate_people=np.arange(k),
        candidate_cities=cities,
        n_managers=k,
    )


def _copy(cursor, table: str, columns: list[str], lines) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        block = []
        for line in lines:
            block.append(line)
            if len(block) == 50_000:
                copy.write("".join(block))
                block = []
        if block:
            copy.write("".join(block))


def load(demo, console: Console) -> None:
    """Write the generated customers (no revenue: the import writes it) with COPY."""
    from django.db import connection

    from gmassist.customers.demo_generator import INDUSTRIES

    started = time.perf_counter()
    now = "2026-11-24 00:00:00+00"
    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE customers_churnscore, customers_churnrun, customers_tierhistory, "
            "customers_managerhistory, customers_servicecontact, customers_monthlyrevenue, "
            "customers_groupcustomer, customers_accountmanager, customers_industry, "
            "org_employeeskill, org_review, org_paychange, org_separation, org_employee, "
            "org_department, org_position RESTART IDENTITY CASCADE"
        )
        raw = cur.cursor
        cur.execute(
            "INSERT INTO org_department (code, name, created_at, updated_at) "
            "VALUES ('SAL', 'Sales', now(), now())"
        )
        cur.execute(
            "INSERT INTO org_position (code, title, job_family, grade, band_min, band_mid, "
            "band_max, currency, created_at, updated_at) VALUES ('SAL-3', 'Account Manager', "
            "'Sales', 3, 96000, 120000, 144000, 'CNY', now(), now())"
        )
        k = len(demo.managers["person"])
        pay = np.random.default_rng(1).integers(90_000, 150_000, k)
        _copy(
            raw,
            "org_employee",
            ["employee_no", "full_name", "family_name", "given_name", "email", "department_id",
             "position_id", "hire_date", "gender", "location", "employment_type", "status",
             "base_pay", "paid_leave_days", "custom", "created_at", "updated_at"],
            (
                f"B{i:06d}\tManager {i}\t\t\tb{i}@bench.example\t1\t1\t2020-01-01\tfemale\t\t"
                f"full_time\tactive\t{pay[i]}\t10\t{{}}\t{now}\t{now}\n"
                for i in range(k)
            ),
        )  # fmt: skip
        _copy(
            raw,
            "customers_industry",
            ["code", "name", "strategic", "created_at", "updated_at"],
            (f"{c}\t{n}\t{'t' if s else 'f'}\t{now}\t{now}\n" for c, n, s in INDUSTRIES),
        )
        _copy(
            raw,
            "customers_accountmanager",
            ["employee_id", "region", "capacity", "created_at", "updated_at"],
            (
                f"{i + 1}\t{demo.managers['region'][i]}\t{demo.managers['capacity'][i]}\t"
                f"{now}\t{now}\n"
                for i in range(k)
            ),
        )
        c = demo.customers
        starts = c["contract_start"].astype(str)
        ends = c["contract_end"].astype(str)
        _copy(
            raw,
            "customers_groupcustomer",
            ["code", "name", "industry_id", "scale", "region", "contract_start", "contract_end",
             "products", "status", "tier", "service_channel", "account_manager_id",
             "created_at", "updated_at"],
            (
                f"{c['code'][i]}\t{c['name'][i]}\t{c['industry'][i] + 1}\t{c['scale'][i]}\t"
                f"{c['region'][i]}\t{starts[i]}\t{ends[i]}\t"
                f"{json.dumps(c['products'][i].split(';'))}\t{c['status'][i]}\t{c['tier'][i]}\t"
                f"account_manager\t{c['manager'][i] + 1 if c['manager'][i] >= 0 else chr(92) + 'N'}"
                f"\t{now}\t{now}\n"
                for i in range(demo.size)
            ),
        )  # fmt: skip
        cur.execute("ANALYZE")
    console.print(f"  customers written in {time.perf_counter() - started:.1f} s")


def revenue_file(demo, tier: str, seed: int, console: Console) -> tuple[Path, int]:
    """The revenue as the import reads it: customer, month, amount (one row per month)."""
    path = DATA_DIR / f"customers_revenue-{tier}-{seed}.csv"
    who, month, amount = demo.revenue_rows()
    if path.exists():
        return path, len(who)
    started = time.perf_counter()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    codes = demo.customers["code"]
    months = np.array([str(m)[:7] for m in demo.month_starts.astype("datetime64[M]")])
    with path.open("w", encoding="utf-8") as f:
        f.write("customer,month,amount\n")
        for start in range(0, len(who), 500_000):
            sl = slice(start, start + 500_000)
            lines = [
                f"{c},{m},{a:.2f}\n"
                for c, m, a in zip(
                    codes[who[sl]], months[month[sl]], amount[sl].tolist(), strict=True
                )
            ]
            f.write("".join(lines))
    console.print(f"  {len(who):,} revenue rows written to {path} in "
                  f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    return path, len(who)


# --- the measurements ------------------------------------------------------------------------


def bench_copy(database_url: str, path: Path) -> dict[str, Any]:
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {COPY_TABLE}")
    started = time.perf_counter()
    with psycopg.connect(database_url) as conn:
        conn.execute(f"CREATE TABLE {COPY_TABLE} (customer text, month text, amount text)")
        with (
            conn.cursor() as cur,
            cur.copy(f"COPY {COPY_TABLE} FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
            path.open("rb") as f,
        ):
            while block := f.read(1 << 20):
                copy.write(block)
        rows = conn.execute(f"SELECT count(*) FROM {COPY_TABLE}").fetchone()[0]
    seconds = time.perf_counter() - started
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {COPY_TABLE}")
    return {"seconds": seconds, "rows": rows}


def bench_import(path: Path) -> dict[str, Any]:
    from django.db import connection

    from gmassist.core.imports import import_file
    from gmassist.core.permissions import SYSTEM
    from gmassist.customers.models import MonthlyRevenue

    with connection.cursor() as cur:
        cur.execute("TRUNCATE customers_monthlyrevenue RESTART IDENTITY")
    started = time.perf_counter()
    report = import_file(
        entity="monthly_revenue", path=path, mapping=None, by=SYSTEM, dry_run=False
    )
    seconds = time.perf_counter() - started
    with connection.cursor() as cur:
        cur.execute("ANALYZE customers_monthlyrevenue")
    return {
        "seconds": seconds,
        "rows": MonthlyRevenue.objects.count(),
        "errors": len(report.errors),
    }


def bench_tiering() -> dict[str, Any]:
    from gmassist.customers.engine.tiering import tier_frame
    from gmassist.customers.selectors import (
        customer_revenue_records,
        last_complete_month,
        tiering_policy_current,
        tiering_policy_effective,
    )

    started = time.perf_counter()
    month = last_complete_month(AS_OF)
    policy = tiering_policy_effective(tiering_policy_current().policy)
    frame = tier_frame(customer_revenue_records(user=None, as_of=month), policy)
    seconds = time.perf_counter() - started
    bands = frame.set_index("customer_id")["band"]
    return {"seconds": seconds, "customers": len(frame), "bands": bands}


def bench_tiering_pandas(database_url: str) -> dict[str, Any]:
    """What an analyst would write: read the rows, sum, sort, cut at 80% and 95%."""
    import pandas as pd
    import sqlalchemy as sa

    engine = sa.create_engine(database_url.replace("postgres://", "postgresql+psycopg://", 1))
    started = time.perf_counter()
    revenue = pd.read_sql(
        "SELECT r.customer_id, r.amount FROM customers_monthlyrevenue r "
        "JOIN customers_groupcustomer c ON c.id = r.customer_id "
        "WHERE c.status <> 'lost' AND r.month >= '2025-11-01' AND r.month <= '2026-10-01'",
        engine,
    )
    customers = pd.read_sql(
        "SELECT id AS customer_id FROM customers_groupcustomer WHERE status <> 'lost'", engine
    )
    totals = revenue.groupby("customer_id")["amount"].sum().astype(float)
    totals = totals.reindex(customers["customer_id"], fill_value=0.0).clip(lower=0)
    ordered = totals.sort_values(ascending=False, kind="stable")
    before = ordered.cumsum() - ordered
    # ties share the cumulative revenue of the first of them
    before = before.groupby(ordered.round(2).values).transform("min")
    total = ordered.sum()
    band = np.where(before < 0.80 * total, "A", np.where(before < 0.95 * total, "B", "C"))
    band[ordered.to_numpy() <= 0] = "C"
    seconds = time.perf_counter() - started
    engine.dispose()
    return {"seconds": seconds, "bands": pd.Series(band, index=ordered.index)}


def _greedy(customers, managers, workload, weights) -> tuple[float, int]:
    """Most important first, each to the best-graded manager of its region with room."""
    by_region: dict[Any, list] = {}
    for m in sorted(managers, key=lambda m: -m.grade):
        by_region.setdefault(m.region, []).append(m)
    left = {m.manager_id: m.capacity for m in managers}
    value = 0.0
    unassigned = 0
    for c in sorted(customers, key=lambda c: -weights[c.tier]):
        units = workload[c.tier]
        for m in by_region.get(c.region, []):
            if left[m.manager_id] >= units:
                left[m.manager_id] -= units
                value += weights[c.tier] * m.grade
                break
        else:
            unassigned += 1
    return value, unassigned


def _match_child(queue, database_url: str) -> None:
    _django(database_url)
    from gmassist.customers.engine.matching import (
        DEFAULT_TIER_WEIGHTS,
        DEFAULT_WORKLOAD,
        match_account_managers,
    )
    from gmassist.customers.selectors import matching_problem

    customers, managers, _grades = matching_problem(as_of=AS_OF)
    # the greedy has no relationships to keep: compare on the same footing (no change penalty)
    started = time.perf_counter()
    greedy_value, greedy_unassigned = _greedy(
        customers, managers, DEFAULT_WORKLOAD, DEFAULT_TIER_WEIGHTS
    )
    greedy_seconds = time.perf_counter() - started
    queue.put({"greedy": {"objective": greedy_value, "unassigned": greedy_unassigned,
                          "seconds": greedy_seconds}})  # fmt: skip
    runs = {
        "ours": {},
        "ours_continuity": {"change_penalty": 1.0},
        "ours_capped": {
            "change_penalty": 1.0,
            "max_changes": sum(c.current_manager is not None for c in customers) // 10,
        },
    }
    for name, options in runs.items():
        started = time.perf_counter()
        result = match_account_managers(
            customers, managers, region_rule="hard", time_limit_s=MATCH_LIMIT_S, **options
        )
        phase2 = result.stats.get("phase2") or (None, None, None, None)
        queue.put(
            {
                name: {
                    "options": options,
                    "objective": result.objective,
                    "objective_before": result.objective_before,
                    "bound": phase2[3],
                    "optimal": result.optimal,
                    "status": result.status,
                    "solver": result.solver,
                    "classes": result.classes,
                    "changes": result.changes,
                    "unassigned": len(result.unassigned),
                    "seconds": time.perf_counter() - started,
                },
                "customers": len(customers),
                "managers": len(managers),
            }
        )


def bench_matching(database_url: str) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=_match_child, args=(queue, database_url))
    started = time.perf_counter()
    child.start()
    out: dict[str, Any] = {}
    while child.is_alive() and time.perf_counter() - started < MATCH_WALL_S:
        with contextlib.suppress(queue_module.Empty):
            out.update(queue.get(timeout=5))
        if "ours_capped" in out:
            break
    if child.is_alive() and "ours" not in out:
        child.terminate()
        out["ours"] = {
            "objective": None,
            "optimal": False,
            "status": f"stopped after {MATCH_WALL_S} s (model too large)",
            "seconds": time.perf_counter() - started,
        }
    child.join(timeout=30)
    while not queue.empty():
        out.update(queue.get())
    return out


def run(*, tier: str, seed: int, database_url: str, recreate: bool = False) -> bool:
    console = Console()
    console.print(f"[bold]Customers benchmark, tier {tier}[/bold] on {database_url}")
    version = ensure_database(database_url, console, recreate=recreate)
    _django(database_url)
    from gmassist.customers.models import GroupCustomer

    started = time.perf_counter()
    demo = generate(tier, seed)
    console.print(f"  generated {demo.size:,} customers in {time.perf_counter() - started:.1f} s")
    if GroupCustomer.objects.count() != demo.size:
        load(demo, console)
    path, rows = revenue_file(demo, tier, seed, console)
    results: dict[str, Any] = {
        "tier": tier,
        "seed": seed,
        "customers": demo.size,
        "managers": len(demo.managers["person"]),
        "revenue_rows": rows,
    }
    console.print("  COPY ...")
    results["copy"] = bench_copy(database_url, path)
    console.print("  our revenue import ...")
    results["import"] = bench_import(path)
    console.print("  tiering ...")
    ours = bench_tiering()
    theirs = bench_tiering_pandas(database_url)
    agree = ours["bands"].sort_index().equals(theirs["bands"].sort_index())
    results["tiering"] = {"seconds": ours["seconds"], "customers": ours["customers"]}
    results["tiering_pandas"] = {"seconds": theirs["seconds"], "bands_agree": bool(agree)}
    console.print("  matching ...")
    results["matching"] = bench_matching(database_url)

    ratios = {
        "revenue import: ours / COPY": results["import"]["seconds"] / results["copy"]["seconds"],
        "tiering: ours / pandas": results["tiering"]["seconds"]
        / results["tiering_pandas"]["seconds"],
    }
    table = Table(title=f"Group customers, tier {tier} ({demo.size:,} customers, {rows:,} rows)")
    for column in ("measurement", "ours", "alternative", "ratio", "target", "met"):
        table.add_column(column)
    ok = True
    for label, limit, strict in TARGETS:
        ratio = ratios[label]
        met = ratio < limit if strict else ratio <= limit
        ok &= met
        a, b = (
            (results["import"]["seconds"], results["copy"]["seconds"])
            if label.startswith("revenue")
            else (results["tiering"]["seconds"], results["tiering_pandas"]["seconds"])
        )
        table.add_row(label, f"{a:.1f} s", f"{b:.1f} s", f"{ratio:.2f}",
                      f"{'<' if strict else '<='} {limit:g}", "yes" if met else "NO")  # fmt: skip
    m = results["matching"]
    mine, greedy = m.get("ours", {}), m.get("greedy", {})
    better = (
        mine.get("objective") is not None
        and greedy.get("objective") is not None
        and mine["objective"] > greedy["objective"]
    )
    met = bool(mine.get("optimal")) and better and mine.get("seconds", 1e9) < MATCH_LIMIT_S
    ok &= met
    ratio = (
        f"{(mine.get('objective') or 0) / greedy['objective']:.4f}"
        if greedy.get("objective")
        else "-"
    )
    table.add_row(
        "matching: ours vs greedy",
        f"{mine.get('objective') or 0:,.0f} ({mine.get('status')}, "
        f"{mine.get('seconds', 0):.1f} s)",
        f"{greedy.get('objective') or 0:,.0f} ({greedy.get('seconds', 0):.1f} s)",
        ratio,
        "optimal, better, < 60 s",
        "yes" if met else "NO",
    )  # fmt: skip
    for name, label in (
        ("ours_continuity", "matching, change penalty 1 (information)"),
        ("ours_capped", "matching, change penalty 1, cap 10% (information)"),
    ):
        run = m.get(name, {})
        if run:
            table.add_row(
                label,
                f"{run['objective']:,.0f} ({run['status']}, {run['seconds']:.1f} s, "
                f"{run['changes']:,} changes)",
                f"before {run['objective_before']:,.0f}",
                "-",
                "-",
                "-",
            )
    console.print(table)
    console.print(f"  tiering bands agree with the pandas script: {agree}")
    results["ratios"] = ratios
    results["targets_met"] = ok
    results["machine"] = machine_info(version)
    results["finished"] = dt.datetime.now().isoformat(timespec="seconds")
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"customers-{tier}.json"
    out.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    console.print(f"  results in {out}")
    return ok


if __name__ == "__main__":  # python -m bench.customers --tier M
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--tier", default="L")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--recreate", action="store_true")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL")
        or "postgres://postgres@127.0.0.1:5432/gm_cust_engine_bench",
    )
    args = parser.parse_args()
    raise SystemExit(
        0
        if run(
            tier=args.tier, seed=args.seed, database_url=args.database_url, recreate=args.recreate
        )
        else 1
    )
