"""`python -m bench`: run the benchmarks and print their tables (see bench/__init__.py)."""

from __future__ import annotations

import argparse
import os
import sys

from bench import (
    customers,
    import_employees,
    import_memory,
    pages,
    talent,
    web_latency,
    workforce,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/gmassist_bench"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--tier", choices=["S", "M", "L"], default="L", help="data size (L)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of COPY and pandas; the best counts (3)"
    )
    parser.add_argument(
        "--repeat-ours", type=int, default=1, help="runs of our import and re-import (1)"
    )
    parser.add_argument(
        "--only",
        nargs="+",
        choices=import_employees.BENCHMARKS,
        default=list(import_employees.BENCHMARKS),
        help="which measurements to run (all)",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
        help="PostgreSQL to run on; created and migrated when missing "
        f"(DATABASE_URL, else {DEFAULT_DATABASE_URL})",
    )
    parser.add_argument(
        "--recreate",
        action="store_true",
        help="drop and recreate the database first (after migrations were regenerated)",
    )
    parser.add_argument("--name", default="", help="results file name (import_employees-<tier>)")
    parser.add_argument(
        "--suite",
        choices=["all", "import", "web", "talent", "customers", "pages", "memory", "workforce"],
        default="all",
        help="import: the employee import; web: page and API latency under load; talent: "
        "leaving-risk scoring and the incentive plan on generated data; pages: every new page "
        "and API list, one request at a time, as the GM and a department head; memory: the peak "
        "memory of importing large and hostile files; workforce: a plan of 1,000 simulation runs "
        "over 8 quarters and the backtest on generated data (all)",
    )
    parser.add_argument(
        "--unbounded",
        action="store_true",
        help="memory: also import the 200 MB file with no limits, as before they existed",
    )
    parser.add_argument("--web-seconds", type=int, default=10, help="load per page (10 s)")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn processes (2)")
    args = parser.parse_args(argv)
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("the benchmarks need PostgreSQL: give a postgres:// DATABASE_URL")
    ok = True
    if args.suite in ("all", "import"):
        ok = import_employees.run(
            tier=args.tier,
            seed=args.seed,
            repeat=args.repeat,
            repeat_ours=args.repeat_ours,
            only=args.only,
            database_url=args.database_url,
            name=args.name or f"import_employees-{args.tier}",
            recreate=args.recreate,
        )
    if args.suite in ("all", "customers"):  # its own database: the tier's customers are kept
        ok = (
            customers.run(
                tier=args.tier, seed=args.seed, database_url=args.database_url + "_customers"
            )
            and ok
        )
    if args.suite in ("all", "web"):
        # its own database: the web benchmark keeps the tier's demo company between runs
        ok = (
            web_latency.run(
                tier=args.tier,
                seed=args.seed,
                seconds=args.web_seconds,
                database_url=args.database_url + "_web",
                workers=args.web_workers,
                name=f"web_latency-{args.tier}",
            )
            and ok
        )
    if args.suite in ("all", "talent"):
        ok = talent.run(tier=args.tier, seed=args.seed, name=f"talent-{args.tier}") and ok
    if args.suite in ("all", "workforce"):
        ok = workforce.run(tier=args.tier, seed=args.seed, name=f"workforce-{args.tier}") and ok
    if args.suite in ("all", "pages"):  # its own database: the tier's demo company is kept
        ok = (
            pages.run(tier=args.tier, seed=args.seed, database_url=args.database_url + "_pages")
            and ok
        )
    if args.suite in ("all", "memory"):  # its own database: dry runs only, nothing written
        ok = (
            import_memory.run(database_url=args.database_url + "_memory", unbounded=args.unbounded)
            and ok
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
