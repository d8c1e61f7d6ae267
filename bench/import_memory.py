"""Benchmark: the peak memory of importing large and hostile files, with the default limits.

Each file is imported as a dry run (`import_file`, every check, nothing written) in a fresh
process, whose peak resident memory (VmHWM, and its growth over the process's start) is
measured; the files are generated under bench/data/ when missing:

- employees-100k: the tier-L head count of employees as plain rows (100,000 rows, ~11 MB);
- employees-200mb: the 200 MB CSV of the trust report (1.8 M rows): refused at the row limit;
- revenue-2m: 2 million monthly revenue rows of 83,334 customers (created in the benchmark's
  database when missing), the streamed import (memory bounded by a chunk); and the same file
  against customers that do not exist (2 million row errors: the report stays bounded);
- xlsx-shared-400mb: a 0.4 MB workbook holding one shared string of 400 MB;
- xlsx-3m-rows: a 0.9 MB-class workbook of 3 million rows.

`--unbounded` also imports the 200 MB file with no limits (what the server did before), for
comparison. Results: bench/results/import_memory.json. No timed assertion: it reports.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.import_employees import (
    DATA_DIR,
    RESULTS_DIR,
    _django,
    _measure,
    ensure_database,
    machine_info,
)

HEADER = (
    "employee_no,full_name,email,department,position,hire_date,birth_date,gender,location,"
    "base_pay\n"
)


def _employee_line(n: int) -> str:
    return (
        f"N{n:07d},Person Number {n},p{n}@example.com,D{n % 40:02d},P{n % 25:02d},"
        f"20{10 + n % 14}-0{1 + n % 9}-1{n % 10},19{60 + n % 35}-0{1 + n % 9}-2{n % 8},"
        f"{'MF'[n % 2]},City {n % 30},{50_000 + n % 70_000}\n"
    )


def employees_csv(name: str, *, rows: int = 0, megabytes: int = 0) -> Path:
    path = DATA_DIR / f"memory-{name}.csv"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        f.write(HEADER)
        n, size = 0, 0
        while (rows and n < rows) or (megabytes and size < megabytes << 20):
            line = _employee_line(n)
            f.write(line)
            size += len(line)
            n += 1
    return path


def revenue_csv(rows: int, prefix: str = "C") -> Path:
    path = DATA_DIR / f"memory-revenue-{prefix}-{rows}.csv"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        f.write("customer,month,amount\n")
        for n in range(rows):
            month = f"{2024 + n % 24 // 12}-{1 + n % 12:02d}"
            f.write(f"{prefix}{n // 24:06d},{month},{1000 + n % 997}\n")
    return path


def ensure_customers(count: int) -> None:
    """The customers C000000 … of the revenue file, in the benchmark's database."""
    from gmassist.customers.models import GroupCustomer

    if GroupCustomer.objects.filter(code__startswith="C").count() >= count:
        return
    GroupCustomer.objects.bulk_create(
        [GroupCustomer(code=f"C{n:06d}", name=f"Customer {n}") for n in range(count)],
        batch_size=5_000,
        ignore_conflicts=True,
    )


def hostile_xlsx(name: str) -> Path:
    from gmassist.lib.tests.hostile_files import repeated, row, xlsx

    path = DATA_DIR / f"memory-{name}.xlsx"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    header = row(1, "employee_no", "full_name", "department", "hire_date")
    if name == "shared-400mb":
        data = xlsx([header, row(2, "N1", 0, "D1", "2024-01-01")], [repeated("x", 400_000_000)])
    else:
        data = xlsx(
            [header, *(f'<row r="{n}"><c><v>{n}</v></c></row>' for n in range(2, 3_000_001))]
        )
    path.write_bytes(data)
    return path


def _import(database_url: str, entity: str, path: str, unbounded: bool) -> dict[str, Any]:
    _django(database_url)
    from gmassist.core.imports import ImportFailed, import_file, problem_count
    from gmassist.core.permissions import SYSTEM
    from gmassist.lib.tabular import Limits

    limits = Limits(rows=10**9, columns=10**6, cell_chars=10**9) if unbounded else None

    def work() -> dict[str, Any]:
        try:
            report = import_file(
                entity=entity, path=Path(path), mapping=None, by=SYSTEM, dry_run=True, limits=limits
            )
            outcome = f"{report.rows:,} rows checked"
        except ImportFailed as exc:
            report = exc.report
            first = report.errors[0]
            errors = problem_count(report.errors)
            outcome = first.reason if first.row is None else f"{errors:,} row errors"
        return {"rows": report.rows, "outcome": outcome}

    return _measure(work)


def _child(args: tuple[str, str, str, bool], queue: Any) -> None:
    queue.put(_import(*args))


def measure_in_child(*args: Any) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_child, args=(args, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def run(*, database_url: str, unbounded: bool = False, name: str = "import_memory") -> bool:
    console = Console()
    version = ensure_database(database_url, console)
    ensure_customers(2_000_000 // 24 + 1)
    cases = [
        ("employees-100k", "employees", employees_csv("employees-100k", rows=100_000), False),
        ("employees-200mb", "employees", employees_csv("employees-200mb", megabytes=200), False),
        ("revenue-2m", "monthly_revenue", revenue_csv(2_000_000), False),
        ("revenue-2m, unknown customers", "monthly_revenue", revenue_csv(2_000_000, "X"), False),
        ("xlsx-shared-400mb", "employees", hostile_xlsx("shared-400mb"), False),
        ("xlsx-3m-rows", "employees", hostile_xlsx("3m-rows"), False),
    ]
    if unbounded:
        cases.append(("employees-200mb, no limits", "employees", cases[1][2], True))
    results: dict[str, Any] = {}
    table = Table(title="Peak memory of a dry-run import (default limits)")
    for column in ("file", "size", "outcome", "seconds", "peak RSS", "+RSS"):
        table.add_column(column, justify="left" if column in ("file", "outcome") else "right")
    for label, entity, path, no_limits in cases:
        console.print(f"importing {label} ...")
        started = time.perf_counter()
        result = measure_in_child(database_url, entity, str(path), no_limits)
        result["file_mb"] = path.stat().st_size / 2**20
        result["wall_seconds"] = time.perf_counter() - started
        results[label] = result
        table.add_row(
            label,
            f"{result['file_mb']:,.1f} MB",
            result["outcome"][:60],
            f"{result['seconds']:.1f}",
            f"{result['peak_rss_mb']:,.0f} MB",
            f"{result['extra_mb']:,.0f} MB",
        )
        console.print(
            f"  {result['outcome'][:70]}: {result['seconds']:.1f} s, "
            f"peak {result['peak_rss_mb']:,.0f} MB (+{result['extra_mb']:,.0f} MB)"
        )
        _save(name, version, results)
    console.print(table)
    return True


def _save(name: str, version: str, results: dict[str, Any]) -> None:
    """Write what is measured so far (a long run keeps its first results)."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = {
        "name": name,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine_info(version),
        "results": results,
    }
    (RESULTS_DIR / f"{name}.json").write_text(json.dumps(out, indent=2) + "\n")
