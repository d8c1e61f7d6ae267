"""Benchmark: every page and API list of talent, customers, voice, decisions and the inbox on
the tier's demo company (PostgreSQL), as the GM (who sees everything) and as a department head.

Each request is made in-process with Django's test `Client` (sessions, middleware, templates,
JSON rendering; no network), once to warm the caches and then `REPEAT` times; the median wall
time counts, with the number of SQL queries of the last run
(`django.test.utils.CaptureQueriesContext`). Detail pages take the first object the user may
see (through `restrict`, as the pages do).

Target: every page and list under 1 s at tier M. The demo company is built once in the bench
database (`gmassist demo --tier <tier>`) and reused while it holds that tier.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.import_employees import RESULTS_DIR, _django, ensure_database, machine_info

ROOT = Path(__file__).resolve().parent.parent
REPEAT = 3
LIMIT_MS = 1000.0
USERS = ("gm", "head")


def _first(model_path: str, user, **filters) -> Any:
    """The primary key of the first `model_path` object `user` may see, or None."""
    from django.apps import apps

    model = apps.get_model(model_path)
    return (
        model.objects.restrict(user, "view")
        .filter(**filters)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )


def _with(model_path: str, template: str, **filters) -> Callable[[Any], str | None]:
    def path(user) -> str | None:
        pk = _first(model_path, user, **filters)
        return None if pk is None else template.format(pk=pk)

    return path


# (name, path or function of the user giving the path; None = nothing to show that user)
TARGETS: tuple[tuple[str, str | Callable[[Any], str | None]], ...] = (
    ("inbox", "/inbox/"),
    ("GET /api/inbox", "/api/inbox"),
    ("talent overview", "/talent/"),
    ("talent person", _with("org.Employee", "/talent/people/{pk}/", leave_date__isnull=True)),
    ("incentive plan", "/talent/plan/"),
    ("GET /api/talent/risk-scores", "/api/talent/risk-scores"),
    ("GET /api/talent/nine-box", "/api/talent/nine-box"),
    ("GET /api/talent/risk-heatmap", "/api/talent/risk-heatmap"),
    ("GET /api/talent/plans", "/api/talent/plans"),
    ("directory", "/org/employees/"),
    ("directory grouped by manager", "/org/employees/?group=manager"),
    ("directory grouped by department", "/org/employees/?group=department"),
    ("customers list", "/customers/"),
    ("customers grouped by tier, with revenue", "/customers/?group=tier"),
    ("customers grouped by churn band", "/customers/?group=churn"),
    ("customer page", _with("customers.GroupCustomer", "/customers/{pk}/")),
    ("account managers", "/customers/managers/"),
    ("account manager page", _with("customers.AccountManager", "/customers/managers/{pk}/")),
    ("customer analytics", "/customers/analytics/"),
    ("tiering policy", "/customers/tiering/"),
    ("matching", "/customers/matching/"),
    ("channels (routing)", "/customers/routing/"),
    ("GET /api/customers", "/api/customers"),
    ("GET /api/customers/managers", "/api/customers/managers"),
    ("GET /api/customers/analytics", "/api/customers/analytics"),
    ("GET /api/customers/{id}", _with("customers.GroupCustomer", "/api/customers/{pk}")),
    ("feedback queue", "/voice/feedback/"),
    ("feedback grouped by topic", "/voice/feedback/?group=topic"),
    ("proposals grouped by kind, with cost", "/proposals/?group=kind"),
    ("audit log grouped by day", "/audit/?group=day"),
    ("feedback trends", "/voice/trends/"),
    ("surveys", "/voice/surveys/"),
    ("survey results", _with("voice.Survey", "/voice/surveys/{pk}/")),
    ("requisitions", "/voice/recruiting/requisitions/"),
    ("agencies", "/voice/recruiting/agencies/"),
    ("GET /api/voice/feedback", "/api/voice/feedback"),
    ("GET /api/voice/trends", "/api/voice/trends"),
    ("GET /api/voice/surveys", "/api/voice/surveys"),
    (
        "GET /api/voice/surveys/{id}/results",
        _with("voice.Survey", "/api/voice/surveys/{pk}/results"),
    ),
    ("GET /api/voice/recruiting/requisitions", "/api/voice/recruiting/requisitions"),
    ("GET /api/voice/recruiting/candidates", "/api/voice/recruiting/candidates"),
    ("GET /api/voice/recruiting/performance", "/api/voice/recruiting/performance"),
    ("decisions register", "/decisions/"),
    ("decision page", _with("decisions.Decision", "/decisions/{pk}/")),
    ("GET /api/decisions", "/api/decisions"),
    ("GET /api/decisions/{id}/summary", _with("decisions.Decision", "/api/decisions/{pk}/summary")),
    (
        "GET /api/decisions/{id}/acknowledgements",
        _with("decisions.Decision", "/api/decisions/{pk}/acknowledgements"),
    ),
)


def _build(tier: str, seed: int, database_url: str, console: Console) -> None:
    """The tier's demo company in the bench database, built once (`gmassist demo`)."""
    from gmassist.core.models import Company

    company = Company.objects.first()
    if company and company.is_demo and company.demo_tier == tier and company.demo_seed == seed:
        return
    console.print(f"building the tier-{tier} demo company (once, several minutes)…")
    env = {"DATABASE_URL": database_url}
    import os

    subprocess.run(
        [
            sys.executable,
            "-m",
            "gmassist.cli",
            "demo",
            "--tier",
            tier,
            "--seed",
            str(seed),
            "--force",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        check=True,
    )
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")


def measure(client, path: str, repeat: int = REPEAT) -> dict[str, Any]:
    """One warm-up request, then `repeat` timed ones: median ms, queries and status."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)
    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - start) * 1000)
    return {
        "path": path,
        "status": response.status_code,
        "ms": round(statistics.median(times), 1),
        "queries": len(queries),
    }


def run(
    *, tier: str, seed: int, database_url: str, name: str = "", only: list[str] | None = None
) -> bool:
    console = Console(width=max(Console().width, 110))
    postgres = ensure_database(database_url, console)
    _django(database_url)
    _build(tier, seed, database_url, console)

    from django.test import Client
    from django.test.utils import setup_test_environment

    from gmassist.core.models import User

    setup_test_environment()  # the test Client's response.context, 'testserver' allowed
    logging.getLogger("django.request").setLevel(logging.CRITICAL)  # a 403 is a result here
    rows: list[dict[str, Any]] = []
    for username in USERS:
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        for label, target in TARGETS:
            if only and not any(word in label for word in only):
                continue
            path = target(user) if callable(target) else target
            if path is None:
                rows.append({"target": label, "user": username, "path": None})
                continue
            row = {"target": label, "user": username, **measure(client, path)}
            rows.append(row)
            console.print(
                f"{username:5} {label:42} {row['status']} {row['ms']:9.1f} ms {row['queries']:4} q"
            )

    table = Table(title=f"Pages and API lists at tier {tier} (median of {REPEAT}, warm)")
    for column in ("page or endpoint", "GM ms", "GM queries", "head ms", "head queries"):
        first = column == "page or endpoint"
        table.add_column(column, justify="left" if first else "right", no_wrap=True)
    by_key = {(r["target"], r["user"]): r for r in rows}
    slow = []
    for label, _target in TARGETS:
        cells = [label]
        for username in USERS:
            row = by_key.get((label, username))
            if not row or row.get("path") is None:
                cells += ["-", "-"]
                continue
            status = "" if row["status"] == 200 else f" ({row['status']})"
            cells += [f"{row['ms']:,.0f}{status}", str(row["queries"])]
            if row["ms"] > LIMIT_MS:
                slow.append((label, username, row["ms"]))
        if len(cells) > 1 and any(c != "-" for c in cells[1:]):
            table.add_row(*cells)
    console.print(table)
    for label, username, ms in slow:
        console.print(f"[red]over {LIMIT_MS:.0f} ms[/red]: {label} as {username}: {ms:,.0f} ms")

    results = {
        "benchmark": "pages",
        "tier": tier,
        "seed": seed,
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine_info(postgres),
        "repeat": REPEAT,
        "limit_ms": LIMIT_MS,
        "rows": rows,
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"{name or 'pages-' + tier}.json"
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    console.print(f"written {out}")
    return not slow
