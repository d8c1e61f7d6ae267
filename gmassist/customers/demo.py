"""The demo company's group customers (a demo extension, written after the organisation).

Sizes by tier (DESIGN.md): S 2,000 customers, M 100,000, L 500,000, each with up to 24 months
of revenue; one account manager per 100 customers, drawn from the sales people on the books,
the demo's `am` user always one of them. What drives churn is in `demo_causes.py`, how the data
is made in `demo_generator.py`; this module writes it, in bulk (COPY on PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import Model
from django.utils import timezone

from gmassist.core.models import Proposal
from gmassist.customers.demo_generator import (
    CUSTOMERS_BY_TIER,
    INDUSTRIES,
    CustomerDemo,
    generate_customers,
)
from gmassist.customers.models import (
    AccountManager,
    CustomerPolicy,
    GroupCustomer,
    Industry,
    ManagerHistory,
    MonthlyRevenue,
    ServiceContact,
    TierHistory,
)
from gmassist.lib.bulk import INSERT, bulk_upsert, ids_by_key
from gmassist.org.demo.extensions import DemoContext, demo_extension

SALES_FAMILY = "Sales"


def delete_customer_demo() -> None:
    """Delete every customers row (and the customers proposals), children first."""
    Proposal.objects.filter(kind__startswith="customers.").delete()
    for model in (TierHistory, ManagerHistory, ServiceContact, MonthlyRevenue):
        model.objects.all().delete()
    from gmassist.customers.models import ChurnRun

    ChurnRun.objects.all().delete()
    GroupCustomer.objects.all().delete()
    AccountManager.objects.all().delete()
    Industry.objects.all().delete()
    CustomerPolicy.objects.all().delete()


def sales_candidates(ctx: DemoContext) -> tuple[np.ndarray, np.ndarray, int | None]:
    """The people who may be account managers (sales staff on the books, not heads), their
    cities, and the person of the demo's `am` user."""
    company = ctx.company
    people = company.people
    families = np.array([p.job_family for p in company.positions], dtype=object)
    grades = np.array([p.grade for p in company.positions])
    position = people["position"]
    on_books = people["status"] != "left"
    heads = np.zeros(company.size, dtype=bool)
    heads[company.department_heads] = True
    eligible = on_books & (families[position] == SALES_FAMILY) & ~heads & (grades[position] <= 6)
    am = next((login.person for login in company.logins if login.username == "am"), None)
    if am is not None:
        eligible[am] = True
    for login in company.logins:
        if login.username != "am":
            eligible[login.person] = False
    candidates = np.nonzero(eligible)[0]
    return candidates, people["location"][candidates], am


@demo_extension("customers", order=10, delete=delete_customer_demo)
def write_customer_demo(ctx: DemoContext) -> dict[str, int]:
    """Generate the tier's customers and write them; returns the counts of rows written."""
    candidates, cities, am = sales_candidates(ctx)
    ctx.progress(0.05, "Generating the group customers")
    demo = generate_customers(
        seed=ctx.seed,
        n_customers=CUSTOMERS_BY_TIER[ctx.company.tier],
        as_of=ctx.as_of,
        candidate_people=candidates,
        candidate_cities=cities,
        must_manage=am,
    )
    return write_demo(demo, employee_pk=ctx.employee_pk, progress=ctx.progress)


def insert_rows(model: type[Model], rows: list[dict[str, Any]]) -> None:
    """Insert new rows (dicts of the same attnames) fast: COPY on PostgreSQL; elsewhere one
    `executemany` with each column's distinct values converted once (`bulk_create` builds a
    model instance per row and converts every value: several times slower on SQLite)."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        bulk_upsert(model, rows, unique_fields=["id"], update_fields=[], mode=INSERT)
        return
    now = timezone.now()
    columns = list(rows[0])
    fields = {f.attname: f for f in model._meta.concrete_fields}
    timed = [c for c in ("created_at", "updated_at") if c in fields and c not in columns]
    converted = []
    for column in columns:
        model_field = fields[column]
        values = [row[column] for row in rows]
        try:
            memo = {v: model_field.get_db_prep_save(v, connection) for v in set(values)}
            converted.append([memo[v] for v in values])
        except TypeError:  # unhashable (JSON)
            converted.append([model_field.get_db_prep_save(v, connection) for v in values])
    for column in timed:
        converted.append([fields[column].get_db_prep_save(now, connection)] * len(rows))
    names = ", ".join(f'"{c}"' for c in [*columns, *timed])
    marks = ", ".join(["%s"] * (len(columns) + len(timed)))
    with connection.cursor() as cursor:
        cursor.executemany(
            f'INSERT INTO "{model._meta.db_table}" ({names}) VALUES ({marks})',
            list(zip(*converted, strict=True)),
        )


def _aware(day: np.datetime64 | dt.date, hour: int = 9) -> dt.datetime:
    value = day if isinstance(day, dt.date) else day.astype(dt.date)
    return timezone.make_aware(dt.datetime(value.year, value.month, value.day, hour))


def write_demo(demo: CustomerDemo, *, employee_pk: np.ndarray, progress=None) -> dict[str, int]:
    """Write `demo` (customers of people whose rows are `employee_pk[person]`); bulk inserts."""
    report = progress or (lambda _fraction, _message: None)
    c = demo.customers
    Industry.objects.bulk_create(
        [
            Industry(code=code, name=name, strategic=strategic)
            for code, name, strategic in INDUSTRIES
        ]
    )
    industry_pk = ids_by_key(Industry, ["code"])
    industry_ids = [industry_pk[code] for code, _n, _s in INDUSTRIES]
    managers = AccountManager.objects.bulk_create(
        [
            AccountManager(employee_id=int(employee_pk[p]), region=r, capacity=int(k))
            for p, r, k in zip(
                demo.managers["person"],
                demo.managers["region"],
                demo.managers["capacity"],
                strict=True,
            )
        ]
    )
    manager_pk = np.array([m.pk for m in managers] + [0], dtype=np.int64)  # [-1] -> unused

    def manager_id(index: int) -> int | None:
        return None if index < 0 else int(manager_pk[index])

    report(0.15, "Writing the group customers")
    starts = c["contract_start"].astype(dt.date).tolist()
    ends = c["contract_end"].astype(dt.date).tolist()
    rows = [
        {
            "code": c["code"][i],
            "name": c["name"][i],
            "industry_id": industry_ids[c["industry"][i]],
            "scale": int(c["scale"][i]),
            "region": c["region"][i],
            "contract_start": starts[i],
            "contract_end": ends[i],
            "products": c["products"][i].split(";"),
            "status": c["status"][i],
            "tier": c["tier"][i],
            "service_channel": "account_manager",
            "account_manager_id": manager_id(int(c["manager"][i])),
        }
        for i in range(demo.size)
    ]
    insert_rows(GroupCustomer, rows)
    codes = ids_by_key(GroupCustomer, ["code"])
    customer_pk = np.array([codes[code] for code in c["code"]], dtype=np.int64)

    report(0.3, "Writing the monthly revenue")
    who, month, amount = demo.revenue_rows()
    month_days = demo.month_starts.astype(dt.date).tolist()
    cents = np.round(amount * 100).astype(np.int64)
    revenue_rows = [
        {"customer_id": int(cid), "month": month_days[m], "amount": Decimal(int(a)) / 100}
        for cid, m, a in zip(customer_pk[who].tolist(), month.tolist(), cents.tolist(), strict=True)
    ]
    insert_rows(MonthlyRevenue, revenue_rows)
    del revenue_rows

    report(0.7, "Writing the service contacts")
    k = demo.contacts
    dates = k["date"].astype(dt.date).tolist()
    contact_rows = [
        {
            "customer_id": int(customer_pk[k["customer"][i]]),
            "date": dates[i],
            "channel": k["channel"][i],
            "kind": k["kind"][i],
            "satisfaction": int(k["satisfaction"][i]) or None,
            "resolved": bool(k["resolved"][i]),
        }
        for i in range(len(dates))
    ]
    insert_rows(ServiceContact, contact_rows)

    report(0.85, "Writing the tier and manager history")
    history = []
    for i in np.nonzero(c["initial_manager"] >= 0)[0]:
        first = max(c["contract_start"][i], demo.month_starts[0] - 365 * 3)
        history.append(
            {
                "customer_id": int(customer_pk[i]),
                "from_manager_id": None,
                "to_manager_id": manager_id(int(c["initial_manager"][i])),
                "at": _aware(first),
                "by_id": None,
                "proposal_id": None,
            }
        )
    mc = demo.manager_changes
    for cust, m, frm, to in zip(
        mc["customer"], mc["month"], mc["from_manager"], mc["to_manager"], strict=True
    ):
        history.append(
            {
                "customer_id": int(customer_pk[cust]),
                "from_manager_id": manager_id(int(frm)),
                "to_manager_id": manager_id(int(to)),
                "at": _aware(demo.month_starts[m] + 14),
                "by_id": None,
                "proposal_id": None,
            }
        )
    insert_rows(ManagerHistory, history)
    tc = demo.tier_changes
    tier_rows = [
        {
            "customer_id": int(customer_pk[cust]),
            "from_tier": frm,
            "to_tier": to,
            "at": _aware(demo.month_starts[min(int(m), len(demo.month_starts) - 1)]),
            "by_id": None,
            "proposal_id": None,
        }
        for cust, m, frm, to in zip(
            tc["customer"], tc["month"], tc["from_tier"], tc["to_tier"], strict=True
        )
    ]
    insert_rows(TierHistory, tier_rows)
    _default_policies()
    report(1.0, "Group customers written")
    return demo.counts()


def _default_policies() -> None:
    """The first versions of the tiering policy and of the channel rules: the defaults."""
    from gmassist.customers.engine.channels import ChannelRules, rules_to_toml
    from gmassist.customers.engine.tiering import TieringPolicy, policy_to_toml

    CustomerPolicy.objects.bulk_create(
        [
            CustomerPolicy(kind="tiering", toml=policy_to_toml(TieringPolicy())),
            CustomerPolicy(kind="channels", toml=rules_to_toml(ChannelRules())),
        ]
    )


def delete_churn_demo() -> None:
    from gmassist.customers.models import ChurnRun

    ChurnRun.objects.all().delete()  # the scores go with their runs


@demo_extension("customers_churn", order=60, delete=delete_churn_demo)
def write_churn_demo(ctx: DemoContext) -> dict[str, int]:
    """Score the demo's customers for churn as of the last month of its history, so that the
    churn worklist and the analytics open filled (after the customers and their revenue)."""
    from django.core.exceptions import ValidationError

    from gmassist.core.permissions import SYSTEM
    from gmassist.customers.models import ChurnScore
    from gmassist.customers.services import churn_scores_refresh

    ctx.progress(0.0, "Scoring churn risk")
    try:
        run = churn_scores_refresh(
            by=SYSTEM, as_of=ctx.as_of, progress=lambda p, m: ctx.progress(p / 100, m)
        )
    except ValidationError:  # a history with too few churners to learn from: no scores
        return {"churn_scores": 0, "churn_runs": 0}
    return {"churn_scores": ChurnScore.objects.filter(run=run).count(), "churn_runs": 1}
