"""Benchmark: importing the tier's employee file into PostgreSQL, ours against the alternatives.

The file is the tier's head count (100,000 rows for tier L) of the demo generator's employees,
current and left, in the canonical columns (see SELECTION for which rows). Side by
side, in one run, each measurement in a fresh process (so that its memory is its own):

- copy:     a plain `COPY` into a bare table of text columns: the limit, nothing checked;
- pandas:   `pandas.read_csv` + `DataFrame.to_sql` (SQLAlchemy, psycopg) into a fresh table:
            what a user would otherwise do;
- ours:     `gmassist.core.imports.import_file(entity="employees", ...)` with every validation,
            into an empty organisation (departments and positions are created from the file);
- reimport: the same file again over the imported data: nothing changes.

Targets: ours / copy <= 10 and ours / pandas < 1 (best times).
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import platform
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

BENCHMARKS = ("copy", "pandas", "ours", "reimport")
LABELS = {
    "copy": "(a) COPY, text table",
    "pandas": "(b) pandas to_sql",
    "ours": "(c) ours, empty db",
    "reimport": "(d) ours, re-import",
}
TARGETS = (  # (label, numerator, denominator, limit, strict)
    ("ours / COPY", "ours", "copy", 10.0, False),
    ("ours / pandas", "ours", "pandas", 1.0, True),
)
BENCH_DIR = Path(__file__).resolve().parent
DATA_DIR = BENCH_DIR / "data"
RESULTS_DIR = BENCH_DIR / "results"
COPY_TABLE = "bench_employees_copy"
PANDAS_TABLE = "bench_employees_pandas"
ORG_TABLES = (
    "org_employeeskill",
    "org_review",
    "org_paychange",
    "org_separation",
    "org_employee",
    "org_department",
    "org_position",
    "org_skill",
    "org_attributedefinition",
)


# --- the input file and the database ---------------------------------------------------------


SELECTION = (
    "the tier's head count of rows: every current employee who manages someone, then the "
    "other employees, current or left, in employee-number order whose manager is one of "
    "those (or who have none), written in employee-number order; so every manager resolves "
    "and leavers keep their share of the full history"
)


def select_rows(rows: list[list[str]], size: int) -> list[list[str]]:
    """`size` of the generator's employee rows (all of them when fewer), see SELECTION.

    The generator writes the whole history (e.g. 142,886 rows for tier L's 100,000 people);
    the benchmark's file has the tier's head count of rows, as the issue names it.
    """
    from gmassist.org.demo.generator import EMPLOYEE_CSV_COLUMNS

    if len(rows) <= size:
        return rows
    number, manager, leave = (
        EMPLOYEE_CSV_COLUMNS.index(c) for c in ("employee_no", "manager", "leave_date")
    )
    current = {r[number] for r in rows if not r[leave]}
    managers = {r[manager] for r in rows if r[number] in current and r[manager]}
    kept = [r for r in rows if r[number] in managers]
    for row in sorted(rows, key=lambda r: r[number]):
        if len(kept) >= size:
            break
        if row[number] not in managers and (not row[manager] or row[manager] in managers):
            kept.append(row)
    if len(kept) < size:
        raise ValueError(f"only {len(kept):,} rows can be selected, not {size:,}")
    return sorted(kept, key=lambda r: r[number])


def employee_file(tier: str, seed: int, console: Console) -> tuple[Path, int]:
    """The tier's employee CSV under bench/data/ (see SELECTION), generated (purely, no
    database) if missing."""
    import csv

    from gmassist.org.demo.company import TIERS
    from gmassist.org.demo.generator import EMPLOYEE_CSV_COLUMNS, employee_rows, generate

    size = TIERS[tier]
    path = DATA_DIR / f"employees-{tier}-seed{seed}-{size}.csv"
    if path.exists():
        with path.open(encoding="utf-8") as f:
            rows = sum(1 for _line in f) - 1
        return path, rows
    console.print(f"Generating the tier-{tier} company (seed {seed}) to {path} ...")
    started = time.perf_counter()
    selected = select_rows(employee_rows(generate(seed=seed, tier=tier)), size)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(EMPLOYEE_CSV_COLUMNS)
        writer.writerows(selected)
    console.print(f"  {len(selected):,} rows in {time.perf_counter() - started:.1f} s")
    return path, len(selected)


def ensure_database(database_url: str, console: Console, *, recreate: bool = False) -> str:
    """Create the database when missing (or `recreate`) and migrate it; returns the server's
    version. Regenerated initial migrations do not change an existing database: recreate."""
    import psycopg
    from psycopg import sql

    from gmassist.lib.env import database_from_url

    settings = database_from_url(database_url)
    name = settings["NAME"]
    admin = psycopg.connect(
        dbname="postgres",
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        autocommit=True,
    )
    with admin:
        if recreate:
            console.print(f"Dropping database {name}")
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            console.print(f"Creating database {name}")
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        version = admin.execute("SHOW server_version").fetchone()[0]
    _django(database_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return version


def _django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gmassist.settings")
    import django

    django.setup()


def _status_mb(field: str) -> float | None:
    """A memory figure of this process from /proc/self/status (Linux), in MB."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _reset_peak() -> None:
    """Reset the peak RSS to the current RSS (Linux), so the peak is the measured work's."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
            f.write("5")
    except OSError:
        pass


def _peak_mb() -> float:
    # ru_maxrss survives exec on Linux (a spawned child inherits its parent's peak): prefer VmHWM
    peak = _status_mb("VmHWM")
    return peak if peak is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- the measurements, each run in a fresh process -------------------------------------------


def _measure(work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    _reset_peak()
    start_rss = _status_mb("VmRSS") or _peak_mb()
    started = time.perf_counter()
    extra = work()
    seconds = time.perf_counter() - started
    peak = _peak_mb()
    return {
        "seconds": seconds,
        "peak_rss_mb": peak,
        "extra_mb": max(0.0, peak - start_rss),
        **extra,
    }


def bench_copy(database_url: str, path: str) -> dict[str, Any]:
    import psycopg

    from gmassist.org.demo.generator import EMPLOYEE_CSV_COLUMNS

    columns = ", ".join(f"{c} text" for c in EMPLOYEE_CSV_COLUMNS)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {COPY_TABLE}")

    def work() -> dict[str, Any]:
        with psycopg.connect(database_url) as conn:
            conn.execute(f"CREATE TABLE {COPY_TABLE} ({columns})")
            with (
                conn.cursor() as cur,
                cur.copy(f"COPY {COPY_TABLE} FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
                open(path, "rb") as f,
            ):
                while block := f.read(1 << 20):
                    copy.write(block)
            rows = conn.execute(f"SELECT count(*) FROM {COPY_TABLE}").fetchone()[0]
        return {"rows_written": rows}

    result = _measure(work)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {COPY_TABLE}")
    return result


def bench_pandas(database_url: str, path: str) -> dict[str, Any]:
    import pandas as pd
    import sqlalchemy as sa

    engine = sa.create_engine(database_url.replace("postgres://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP TABLE IF EXISTS {PANDAS_TABLE}"))

    def work() -> dict[str, Any]:
        frame = pd.read_csv(path)
        rows = frame.to_sql(PANDAS_TABLE, engine, if_exists="replace", index=False)
        return {"rows_written": rows}

    result = _measure(work)
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP TABLE IF EXISTS {PANDAS_TABLE}"))
    engine.dispose()
    return result


def bench_ours(database_url: str, path: str, *, again: bool) -> dict[str, Any]:
    _django(database_url)
    from django.db import connection

    from gmassist.core.imports import import_file
    from gmassist.core.permissions import SYSTEM
    from gmassist.org.models import Employee

    if not again:
        with connection.cursor() as cur:
            cur.execute(f"TRUNCATE {', '.join(ORG_TABLES)} RESTART IDENTITY CASCADE")
    elif not Employee.objects.exists():  # a re-import needs the first import's data
        import_file(entity="employees", path=Path(path), mapping=None, by=SYSTEM, dry_run=False)

    def work() -> dict[str, Any]:
        report = import_file(
            entity="employees", path=Path(path), mapping=None, by=SYSTEM, dry_run=False
        )
        return {"counts": report.counts, "errors": len(report.errors)}

    result = _measure(work)
    result["rows_written"] = Employee.objects.count()
    return result


def _run_in_child(name: str, database_url: str, path: str) -> dict[str, Any]:
    if name == "copy":
        return bench_copy(database_url, path)
    if name == "pandas":
        return bench_pandas(database_url, path)
    return bench_ours(database_url, path, again=name == "reimport")


# --- the run ---------------------------------------------------------------------------------


def machine_info(postgres_version: str) -> dict[str, Any]:
    memory_kb = 0
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            memory_kb = int(next(line for line in f if line.startswith("MemTotal")).split()[1])
    except (OSError, StopIteration, ValueError):
        pass
    import django
    import numpy
    import pandas
    import psycopg

    return {
        "cpu_count": os.cpu_count(),
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "postgres": postgres_version,
        "django": django.get_version(),
        "psycopg": psycopg.__version__,
        "numpy": numpy.__version__,
        "pandas": pandas.__version__,
    }


def run(
    *,
    tier: str,
    seed: int,
    repeat: int,
    repeat_ours: int,
    only: list[str],
    database_url: str,
    name: str,
    recreate: bool = False,
) -> bool:
    """Run the measurements, print the table, write the results; True when every target passes."""
    console = Console()
    path, rows = employee_file(tier, seed, console)
    postgres_version = ensure_database(database_url, console, recreate=recreate)
    context = multiprocessing.get_context("spawn")
    runs: dict[str, list[dict[str, Any]]] = {}
    # re-import needs our import's data, so the order is fixed
    for bench in [b for b in BENCHMARKS if b in only]:
        times = repeat if bench in ("copy", "pandas") else repeat_ours
        runs[bench] = []
        for i in range(times):
            console.print(f"{LABELS[bench]}: run {i + 1} of {times} ...", end=" ")
            with context.Pool(1) as pool:
                result = pool.apply(_run_in_child, (bench, database_url, str(path)))
            console.print(f"{result['seconds']:.2f} s")
            runs[bench].append(result)

    best = {b: min(r["seconds"] for r in results) for b, results in runs.items()}
    summary: dict[str, Any] = {}
    table = Table(title=f"Importing {rows:,} employees (tier {tier}, {path.name}) into PostgreSQL")
    for column in ("benchmark", "best s", "runs", "rows/s", "peak RSS MB", "work MB"):
        table.add_column(column, justify="left" if column == "benchmark" else "right")
    for bench, results in runs.items():
        fastest = min(results, key=lambda r: r["seconds"])
        summary[bench] = {
            "label": LABELS[bench],
            "seconds_best": round(best[bench], 3),
            "seconds_all": [round(r["seconds"], 3) for r in results],
            "rows_per_second": round(rows / best[bench]),
            "peak_rss_mb": round(max(r["peak_rss_mb"] for r in results), 1),
            "extra_mb": round(max(r["extra_mb"] for r in results), 1),
            "rows_written": fastest.get("rows_written"),
            **({"counts": fastest["counts"]} if "counts" in fastest else {}),
        }
        table.add_row(
            LABELS[bench],
            f"{best[bench]:.2f}",
            str(len(results)),
            f"{rows / best[bench]:,.0f}",
            f"{summary[bench]['peak_rss_mb']:,.0f}",
            f"{summary[bench]['extra_mb']:,.0f}",
        )
    console.print(table)
    console.print(f"Rows: {SELECTION}.", style="dim")

    targets = Table(title="Targets")
    for column in ("ratio", "value", "target", "result"):
        targets.add_column(column, justify="left" if column == "ratio" else "right")
    checks: dict[str, Any] = {}
    ok = True
    for label, top, bottom, limit, strict in TARGETS:
        if top not in best or bottom not in best:
            continue
        value = best[top] / best[bottom]
        passed = value < limit if strict else value <= limit
        ok = ok and passed
        target = f"{'<' if strict else '≤'} {limit:g}"
        checks[label] = {"value": round(value, 2), "target": target, "pass": passed}
        verdict = "[green]PASS[/green]" if passed else "[red]FAIL[/red]"
        targets.add_row(label, f"{value:.2f}", target, verdict)
    if "reimport" in best and "ours" in best:
        targets.add_row("re-import / import", f"{best['reimport'] / best['ours']:.2f}", "", "")
    console.print(targets)

    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"{name}.json"
    results = {
        "name": name,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine_info(postgres_version),
        "tier": tier,
        "seed": seed,
        "file": path.name,
        "file_bytes": path.stat().st_size,
        "rows": rows,
        "selection": SELECTION,
        "benchmarks": summary,
        "targets": checks,
    }
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    console.print(f"Results written to {out.relative_to(BENCH_DIR.parent)}")
    return ok
