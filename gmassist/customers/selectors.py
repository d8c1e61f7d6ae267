"""Reads of group customers, always scoped to the requesting user."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from django.db.models import (
    Avg,
    Case,
    CharField,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from gmassist.core.choices import Action, AuditAction
from gmassist.customers.choices import CustomerStatus, PolicyKind, ServiceChannel
from gmassist.customers.engine.analytics import revenue_summary
from gmassist.customers.engine.channels import (
    ChannelRules,
    RouteCustomer,
    RulesError,
    rules_from_toml,
    rules_to_toml,
)
from gmassist.customers.engine.churn import ChurnHistory
from gmassist.customers.engine.grades import (
    ManagerFacts,
    ManagerGrades,
    grade_manager,
    grade_managers,
)
from gmassist.customers.engine.matching import MatchCustomer, MatchManager
from gmassist.customers.engine.tiering import (
    CustomerRecord,
    PolicyError,
    TieringPolicy,
    policy_from_toml,
    policy_to_toml,
)
from gmassist.customers.models import (
    AccountManager,
    ChurnRun,
    ChurnScore,
    CustomerPolicy,
    GroupCustomer,
    Industry,
    ManagerHistory,
    MonthlyRevenue,
    ServiceContact,
    TierHistory,
)
from gmassist.customers.presenters import reason_detail, reason_texts

if TYPE_CHECKING:
    from gmassist.core.models import User


def scoped(queryset: QuerySet, user: User | None, action: str = Action.VIEW) -> QuerySet:
    """`queryset` as `user` may use it for `action`: everything for `SYSTEM` (the CLI without
    --user, a scheduled job), nothing for None."""
    return queryset.restrict(user, action)


def customers_visible(*, user: User | None, action: str = Action.VIEW) -> QuerySet[GroupCustomer]:
    """The customers `user` may see (or change, export: `action`; `SYSTEM` sees all),
    with industry and manager."""
    return (
        scoped(GroupCustomer.objects, user, action)
        .select_related("industry", "account_manager__employee")
        .order_by("code")
    )


def _months_back(month: dt.date, count: int) -> dt.date:
    """The first day of the month `count` months before `month`'s."""
    index = month.year * 12 + month.month - 1 - count
    return dt.date(index // 12, index % 12 + 1, 1)


def customer_revenue_records(
    *, user: User | None, as_of: dt.date, include_lost: bool = False
) -> list[CustomerRecord]:
    """Each visible customer's revenue in the 12 months up to and including `as_of`'s month and
    in the 12 before, with scale and industry name: the input of `engine.tiering.tier_customers`.

    One query (two filtered sums over the revenue rows); money in the company's currency as
    floats, customers with no revenue at 0. Lost customers are left out unless `include_lost`.
    """
    end = as_of.replace(day=1)
    start, prev_start = _months_back(end, 11), _months_back(end, 23)
    zero = Value(Decimal(0), output_field=DecimalField(max_digits=18, decimal_places=2))
    customers = customers_visible(user=user)
    if not include_lost:
        customers = customers.exclude(status=CustomerStatus.LOST)
    rows = (
        customers.order_by()
        .annotate(
            revenue_12m=Coalesce(
                Sum(
                    "revenue__amount", filter=Q(revenue__month__gte=start, revenue__month__lte=end)
                ),
                zero,
            ),
            revenue_prev_12m=Coalesce(
                Sum(
                    "revenue__amount",
                    filter=Q(revenue__month__gte=prev_start, revenue__month__lt=start),
                ),
                zero,
            ),
        )
        .values_list("id", "revenue_12m", "revenue_prev_12m", "scale", "industry__name")
        .order_by("code")
    )
    return [
        CustomerRecord(
            customer_id=pk,
            revenue_12m=float(revenue),
            revenue_prev_12m=float(previous),
            scale=float(scale or 0),
            industry=industry or "",
        )
        for pk, revenue, previous, scale, industry in rows
    ]


def last_complete_month(day: dt.date) -> dt.date:
    """The first day of the month before `day`'s: the last month whose books are closed."""
    return _months_back(day.replace(day=1), 1)


@dataclass(frozen=True)
class CurrentPolicy:
    """The current tiering policy: the engine's `TieringPolicy`, its TOML text, and the saved
    row it comes from (None when nothing was saved yet: the defaults)."""

    policy: TieringPolicy
    toml: str
    record: CustomerPolicy | None


def tiering_policy_current() -> CurrentPolicy:
    """The tiering policy in force: the latest saved version, else the defaults.

    Not scoped: the policy is no secret (like positions). A saved text that no longer parses
    (the engine's rules tightened since) falls back to the defaults rather than stopping the
    monthly job; saving it again shows the error.
    """
    record = (
        CustomerPolicy.objects.filter(kind=PolicyKind.TIERING)
        .order_by("-created_at", "-id")
        .first()
    )
    if record is not None:
        try:
            return CurrentPolicy(policy_from_toml(record.toml), record.toml, record)
        except PolicyError:
            pass
    default = TieringPolicy()
    return CurrentPolicy(default, policy_to_toml(default), None)


def tiering_policy_effective(policy: TieringPolicy) -> TieringPolicy:
    """`policy` with the industries flagged strategic in the database added to its own list."""
    flagged = Industry.objects.filter(strategic=True).values_list("name", flat=True)
    names = tuple(dict.fromkeys([*policy.strategic_industries, *flagged]))
    return replace(policy, strategic_industries=names)


def manager_facts(
    *, managers: QuerySet[AccountManager], as_of: dt.date | None = None
) -> list[ManagerFacts]:
    """What `engine.grades` grades each of `managers` on (not scoped: the caller checks who may
    read pay). The book is the customers a manager serves now; its growth compares their
    revenue of the 12 complete months before `as_of`'s month (default: today) with the 12
    before; satisfaction is the mean of their contacts' ratings in those 12 months. Four
    queries, whatever the number of managers."""
    from gmassist.org.models import Review

    end = last_complete_month(as_of or dt.date.today())
    start, prev_start = _months_back(end, 11), _months_back(end, 23)
    rows = list(
        managers.select_related("employee__position").only(
            "id",
            "employee__id",
            "employee__base_pay",
            "employee__position__grade",
            "employee__position__band_mid",
        )
    )
    ids = [m.pk for m in rows]
    books: dict[int, dict[str, float]] = {}
    revenue = (
        MonthlyRevenue.objects.filter(
            customer__account_manager_id__in=ids, month__gte=prev_start, month__lte=end
        )
        .values("customer__account_manager_id")
        .annotate(
            now=Sum("amount", filter=Q(month__gte=start)),
            before=Sum("amount", filter=Q(month__lt=start)),
        )
    )
    for row in revenue:
        books[row["customer__account_manager_id"]] = {
            "now": float(row["now"] or 0),
            "before": float(row["before"] or 0),
        }
    satisfaction = dict(
        ServiceContact.objects.filter(
            customer__account_manager_id__in=ids,
            date__gte=start,
            date__lt=_months_back(end, -1),
            satisfaction__isnull=False,
        )
        .values("customer__account_manager_id")
        .annotate(mean=Avg("satisfaction"))
        .values_list("customer__account_manager_id", "mean")
    )
    ratings: dict[int, list[int]] = {}
    reviews = Review.objects.filter(employee_id__in=[m.employee_id for m in rows]).order_by(
        "employee_id", "-review_date", "-period"
    )
    for employee_id, rating in reviews.values_list("employee_id", "rating"):
        ratings.setdefault(employee_id, []).append(rating)
    facts = []
    for m in rows:
        position = m.employee.position
        pay = m.employee.base_pay
        book = books.get(m.pk)
        growth = (
            book["now"] / book["before"] - 1 if book is not None and book["before"] > 0 else None
        )
        facts.append(
            ManagerFacts(
                manager_id=m.pk,
                position_grade=position.grade if position else None,
                compa_ratio=(
                    float(pay / position.band_mid)
                    if position and position.band_mid and pay is not None
                    else None
                ),
                ratings=tuple(ratings.get(m.employee_id, ())),
                book_growth=growth,
                satisfaction=(
                    float(satisfaction[m.pk]) if satisfaction.get(m.pk) is not None else None
                ),
            )
        )
    return facts


def manager_grades(
    *, user: User | None, manager: AccountManager, as_of: dt.date | None = None
) -> ManagerGrades | None:
    """The manager's four grades, composite and what would raise each (`engine.grades`), or
    None when `user` may not read the manager's pay (the grades read it): the manager
    themselves, their department heads, HR, the GM's office. A read of someone else's grades
    is written to the audit log, like a read of their pay."""
    from gmassist.core.sensitive import audit_people_read
    from gmassist.org.models import Employee

    allowed = Employee.objects.restrict(user, Action.VIEW_PAY).filter(pk=manager.employee_id)
    if not allowed.exists():
        return None
    facts = manager_facts(managers=AccountManager.objects.filter(pk=manager.pk), as_of=as_of)
    if not facts:
        return None
    audit_people_read(
        actor=user,
        action=AuditAction.READ_PAY,
        employee_nos=[manager.employee.employee_no],
        what="account-manager grades",
        target=manager.employee,
        extra={"read": "account-manager grades"},
    )
    return grade_manager(facts[0])


def manager_grades_all(*, as_of: dt.date | None = None) -> dict[int, ManagerGrades]:
    """Every account manager's grades by manager id, for the matching (the system's read: the
    service that proposes records it)."""
    return {
        g.manager_id: g
        for g in grade_managers(manager_facts(managers=AccountManager.objects.all(), as_of=as_of))
    }


def matching_problem(
    *, as_of: dt.date | None = None
) -> tuple[list[MatchCustomer], list[MatchManager], dict[int, ManagerGrades]]:
    """The matching engine's input (the system's read, for `services.match_customers`): every
    customer that is not lost and is served by account managers (not routed to another
    channel), with its tier (untiered counts as C), region and current manager; every account
    manager with capacity, region and composite grade (`manager_grades_all`). Also returns the
    grades by manager id, for the proposal's reasons."""
    grades = manager_grades_all(as_of=as_of)
    managers = [
        MatchManager(
            manager_id=pk,
            grade=grades[pk].composite,
            capacity=capacity,
            region=region or None,
        )
        for pk, capacity, region in AccountManager.objects.order_by("pk").values_list(
            "pk", "capacity", "region"
        )
    ]
    customers = [
        MatchCustomer(
            customer_id=pk,
            tier=tier or "C",
            region=region or None,
            current_manager=manager_id,
        )
        for pk, tier, region, manager_id in GroupCustomer.objects.exclude(
            status=CustomerStatus.LOST
        )
        .filter(service_channel=ServiceChannel.ACCOUNT_MANAGER)
        .order_by("pk")
        .values_list("pk", "tier", "region", "account_manager_id")
    ]
    return customers, managers, grades


@dataclass(frozen=True)
class CurrentRules:
    """The current service-channel rules, their TOML text and the saved row (None: defaults)."""

    rules: ChannelRules
    toml: str
    record: CustomerPolicy | None


def channel_rules_current() -> CurrentRules:
    """The service-channel rules in force: the latest saved version, else the defaults."""
    record = (
        CustomerPolicy.objects.filter(kind=PolicyKind.CHANNELS)
        .order_by("-created_at", "-id")
        .first()
    )
    if record is not None:
        try:
            return CurrentRules(rules_from_toml(record.toml), record.toml, record)
        except RulesError:
            pass
    default = ChannelRules()
    return CurrentRules(default, rules_to_toml(default), None)


def routing_candidates(*, as_of: dt.date | None = None) -> list[RouteCustomer]:
    """Every customer that is not lost, as the channel routing reads it (the system's read):
    channel, tier (untiered counts as C), revenue of the 12 complete months before `as_of`'s
    month, contacts and complaints in those months, number of products. Three queries."""
    end = last_complete_month(as_of or dt.date.today())
    start = _months_back(end, 11)
    revenue = dict(
        MonthlyRevenue.objects.filter(month__gte=start, month__lte=end)
        .values("customer_id")
        .annotate(total=Sum("amount"))
        .values_list("customer_id", "total")
    )
    contacts = {
        row["customer_id"]: row
        for row in ServiceContact.objects.filter(date__gte=start, date__lt=_months_back(end, -1))
        .values("customer_id")
        .annotate(n=Count("id"), complaints=Count("id", filter=Q(kind="complaint")))
    }
    out = []
    for pk, tier, channel, products in (
        GroupCustomer.objects.exclude(status=CustomerStatus.LOST)
        .order_by("pk")
        .values_list("pk", "tier", "service_channel", "products")
    ):
        row = contacts.get(pk, {})
        out.append(
            RouteCustomer(
                customer_id=pk,
                tier=tier or "C",
                channel=channel,
                revenue_12m=float(revenue.get(pk) or 0),
                contacts_12m=row.get("n", 0),
                complaints_12m=row.get("complaints", 0),
                products=len(products or []),
            )
        )
    return out


def churn_history(
    *, as_of: dt.date | None = None, months: int = 24
) -> tuple[ChurnHistory, dt.date]:
    """The history the churn model learns from (the system's read): every customer's revenue
    in the `months` complete months before `as_of`'s month (default: today), their contacts and
    manager changes (not first assignments) in those months, their contracts' renewal months.
    Returns the history and the first day of its first month."""
    end = last_complete_month(as_of or dt.date.today())
    first = _months_back(end, months - 1)
    customers = list(GroupCustomer.objects.order_by("pk").values_list("pk", "contract_start"))
    ids = np.array([pk for pk, _start in customers], dtype=np.int64)
    position = {pk: i for i, pk in enumerate(ids.tolist())}
    revenue = np.zeros((len(ids), months))

    def index(day: dt.date) -> int:
        return (day.year - first.year) * 12 + day.month - first.month

    rows = MonthlyRevenue.objects.filter(month__gte=first, month__lte=end).values_list(
        "customer_id", "month", "amount"
    )
    for customer_id, month, amount in rows.iterator(chunk_size=20000):
        revenue[position[customer_id], index(month)] = float(amount)
    contacts = list(
        ServiceContact.objects.filter(date__gte=first, date__lt=_months_back(end, -1)).values_list(
            "customer_id", "date", "kind", "resolved", "satisfaction"
        )
    )
    changes = list(
        ManagerHistory.objects.filter(
            from_manager__isnull=False, at__date__gte=first, at__date__lt=_months_back(end, -1)
        ).values_list("customer_id", "at")
    )
    history = ChurnHistory(
        customer_ids=ids,
        revenue=revenue,
        renewal_month=np.array(
            [start.month - 1 if start else -1 for _pk, start in customers], dtype=np.int64
        ),
        first_month_of_year=first.month - 1,
        contact_customer=np.array([position[c[0]] for c in contacts], dtype=np.int64),
        contact_month=np.array([index(c[1]) for c in contacts], dtype=np.int64),
        contact_complaint=np.array([c[2] == "complaint" for c in contacts], dtype=float),
        contact_unresolved=np.array([not c[3] for c in contacts], dtype=float),
        contact_satisfaction=np.array([c[4] or 0 for c in contacts], dtype=float),
        change_customer=np.array([position[c[0]] for c in changes], dtype=np.int64),
        change_month=np.array(
            [index(timezone.localtime(c[1]).date()) for c in changes], dtype=np.int64
        ),
    )
    return history, first


def customer_churn(*, user: User | None, customer: GroupCustomer) -> dict[str, Any] | None:
    """The customer's latest churn score, or None when there is none or `user` may not see the
    customer: {"risk" (0-1), "reasons" [{feature, label, value, effect, text (in the active
    language), template, params (None and {} for scores made before reasons were
    structured)}], "as_of" (the
    month scored), "run_id", "horizon_months", "history" [{"as_of", "risk"}, oldest first]}."""
    scores = list(
        scoped(ChurnScore.objects, user)
        .filter(customer=customer)
        .select_related("run")
        .order_by("-run__as_of", "-run_id")
    )
    if not scores:
        return None
    latest = scores[0]
    return {
        "risk": latest.risk,
        "reasons": [{**r, **reason_detail(r)} for r in latest.reasons or [] if isinstance(r, dict)],
        "as_of": latest.run.as_of,
        "run_id": latest.run_id,
        "horizon_months": latest.run.horizon_months,
        "history": [{"as_of": s.run.as_of, "risk": s.risk} for s in reversed(scores)],
    }


def churn_backtest(*, user: User | None) -> dict[str, Any] | None:
    """How the latest churn model was measured, or None (no run, or `user` may not see the
    model: the GM's office may): {"run_id", "as_of", "horizon_months", "snapshots",
    "churners", "backtest": {"auc", "cut", "n_train", "n_test", "calibration": [{low, high,
    count, mean_predicted, observed_rate}]}, "model": {"features", "coefficients"}}."""
    run = scoped(ChurnRun.objects, user).order_by("-as_of", "-id").first()
    if run is None:
        return None
    return {
        "run_id": run.pk,
        "as_of": run.as_of,
        "horizon_months": run.horizon_months,
        "snapshots": run.snapshots,
        "churners": run.churners,
        "backtest": run.backtest,
        "model": run.model_summary,
    }


def revenue_analytics(*, user: User | None, as_of: dt.date | None = None) -> dict[str, Any]:
    """ARPU and revenue by tier, industry and region, concentration (top-10 share, HHI) and the
    customers whose revenue fell most, over the customers `user` may see (`engine.analytics`;
    revenue of the 12 complete months before `as_of`'s month, default today). Returns
    {"month" (the last month counted), "total", "customers", "arpu_monthly", "by_tier",
    "by_industry", "by_region", "concentration", "fallers" (each with code and name), "pareto"
    (`revenue_pareto_curve` with its default points, from the same read: the revenue rows are
    summed once)}."""
    month = last_complete_month(as_of or dt.date.today())
    records = customer_revenue_records(user=user, as_of=month, include_lost=True)
    extra = {
        pk: (code, name, tier, region)
        for pk, code, name, tier, region in customers_visible(user=user).values_list(
            "pk", "code", "name", "tier", "region"
        )
    }
    frame = pd.DataFrame(
        {
            "customer_id": [r.customer_id for r in records],
            "revenue_12m": [r.revenue_12m for r in records],
            "revenue_prev_12m": [r.revenue_prev_12m for r in records],
            "industry": [r.industry for r in records],
            "tier": [extra[r.customer_id][2] for r in records],
            "region": [extra[r.customer_id][3] for r in records],
        }
    )
    summary = revenue_summary(frame)
    for row in summary["fallers"]:
        row["code"], row["name"] = extra[row["customer_id"]][:2]
    return {"month": f"{month:%Y-%m}", **summary, "pareto": _pareto_curve(records)}


# --- reads for pages and the API ---

# workload units of a customer served by an account manager, by tier (an untiered customer
# counts as C until it is tiered): the matching engine's defaults
WORKLOAD_BY_TIER = {"A": 5, "B": 2, "C": 1, "": 1}

# the orders the customer list (page and API) can be sorted by; "-" in front reverses them
CUSTOMER_SORTS: dict[str, tuple[str, ...]] = {
    "code": ("code",),
    "name": ("name", "code"),
    "tier": ("tier", "code"),
    "industry": ("industry__name", "code"),
    "region": ("region", "code"),
    "manager": ("account_manager__employee__full_name", "code"),
    "status": ("status", "code"),
    "revenue": ("revenue_12m", "code"),
    "contract_end": ("contract_end", "code"),
    "churn": ("churn_risk", "code"),
}

# The churn-risk filter of the customer list: (lowest, highest) probability of churning within
# the model's horizon; "high" is where the worklist starts.
CHURN_BANDS: dict[str, tuple[float, float]] = {
    "high": (0.3, 1.01),
    "medium": (0.1, 0.3),
    "low": (0.0, 0.1),
}


def churn_band_of(risk: str) -> Case:
    """An expression: the CHURN_BANDS key ("high", "medium", "low") of the churn risk at
    `risk` (a path or an annotation, a probability 0-1), None when not scored."""
    return Case(
        *(
            When(**{f"{risk}__gte": low, f"{risk}__lt": high}, then=Value(band))
            for band, (low, high) in CHURN_BANDS.items()
        ),
        default=None,
        output_field=CharField(),
    )


MANAGER_SORTS: dict[str, tuple[str, ...]] = {
    "name": ("employee__full_name", "employee__employee_no"),
    "region": ("region", "employee__full_name"),
    "customers": ("customer_count", "employee__full_name"),
    "workload": ("workload", "employee__full_name"),
    "capacity": ("capacity", "employee__full_name"),
    "utilisation": ("utilisation", "employee__full_name"),
    "revenue": ("book_revenue_12m", "employee__full_name"),
}

# the pay columns of an employee shown only by name: never read by these pages
_EMPLOYEE_PAY = ("base_pay", "custom")


def _ordered(qs: QuerySet, sorts: dict[str, tuple[str, ...]], sort: str) -> QuerySet:
    """`qs` ordered by the sort key `sort` of `sorts` ("-" in front: reversed, nulls last)."""
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in sorts:
        raise ValueError(f"unknown sort {sort!r}; use one of {sorted(sorts)}")
    order = [
        F(name).desc(nulls_last=True) if descending else F(name).asc(nulls_last=True)
        for name in sorts[key]
    ]
    return qs.order_by(*order)


def revenue_as_of() -> dt.date | None:
    """The latest month with revenue in the company's data (its first day), or None.

    Trailing-12-month revenue is counted up to this month, so that a file of past years still
    shows its revenue. It is a date, not a customer's data, so it is read unscoped.
    """
    return MonthlyRevenue.objects.aggregate(latest=Max("month"))["latest"]


def trailing_window(as_of: dt.date | None) -> tuple[dt.date, dt.date] | None:
    """The first and last month (first days) of the 12 months up to `as_of`'s month."""
    if as_of is None:
        return None
    end = as_of.replace(day=1)
    return _months_back(end, 11), end


def _revenue_in(window: tuple[dt.date, dt.date] | None, customer: str = "pk") -> Any:
    """A subquery: the revenue of the customer at `customer` (an outer path) in `window`,
    in the company's currency (0 without revenue or without a window)."""
    zero = Value(Decimal(0), output_field=DecimalField(max_digits=18, decimal_places=2))
    if window is None:
        return zero
    start, end = window
    total = (
        MonthlyRevenue.objects.filter(
            customer_id=OuterRef(customer), month__gte=start, month__lte=end
        )
        .order_by()
        .values("customer_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(
        Subquery(total, output_field=DecimalField(max_digits=18, decimal_places=2)), zero
    )


def customer_list(
    *,
    user: User | None,
    search: str = "",
    tier: str | None = None,
    industry_id: int | None = None,
    region: str | None = None,
    manager_id: int | None = None,
    unassigned: bool = False,
    status: str | None = None,
    channel: str | None = None,
    churn: str | None = None,
    sort: str = "code",
    as_of: dt.date | None = None,
    action: str = Action.VIEW,
) -> QuerySet[GroupCustomer]:
    """The customers `user` may see (or export: `action`), filtered, sorted, with
    `revenue_12m`: revenue in the 12 months up to `as_of` (default: the latest month with
    revenue), in the company's currency, and `churn_risk`: the probability (0-1) of churning
    of its latest churn score that `user` may see (None: not scored, or not theirs to see).
    `churn` keeps a band of CHURN_BANDS ("high": the worklist); the alias `churn_band` is the
    band's key (None: not scored), for grouping.

    `search` matches the start of the code or any part of the name; `tier` "-" means not tiered
    yet; `unassigned` keeps the customers without an account manager; `sort` is a key of
    CUSTOMER_SORTS, "-" in front for the reverse order (ValueError for an unknown one).
    """
    qs = customers_visible(user=user, action=action).defer(
        *(f"account_manager__employee__{name}" for name in _EMPLOYEE_PAY)
    )
    search = search.strip()
    if search:
        qs = qs.filter(Q(code__istartswith=search) | Q(name__icontains=search))
    if tier:
        qs = qs.filter(tier="" if tier == "-" else tier)
    if industry_id is not None:
        qs = qs.filter(industry_id=industry_id)
    if region:
        qs = qs.filter(region=region)
    if manager_id is not None:
        qs = qs.filter(account_manager_id=manager_id)
    if unassigned:
        qs = qs.filter(account_manager__isnull=True)
    if status:
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(service_channel=channel)
    window = trailing_window(as_of or revenue_as_of())
    latest_score = (
        scoped(ChurnScore.objects, user)
        .filter(customer=OuterRef("pk"))
        .order_by("-run__as_of", "-run_id")
        .values("risk")[:1]
    )
    qs = qs.annotate(revenue_12m=_revenue_in(window), churn_risk=Subquery(latest_score))
    # the band of the latest score in one subquery (read only when grouped by it): a CASE on
    # `churn_risk` would run the score's subquery once per band and row
    qs = qs.alias(churn_band=Subquery(latest_score.values(band=churn_band_of("risk"))[:1]))
    if churn:
        if churn not in CHURN_BANDS:
            raise ValueError(f"unknown churn band {churn!r}; use one of {sorted(CHURN_BANDS)}")
        low, high = CHURN_BANDS[churn]
        qs = qs.filter(churn_risk__gte=low, churn_risk__lt=high)
    return _ordered(qs, CUSTOMER_SORTS, sort)


def customer_regions(*, user: User | None) -> list[str]:
    """The regions of the customers `user` may see, sorted (for a filter's choices)."""
    return sorted(
        set(
            customers_visible(user=user)
            .exclude(region="")
            .order_by()
            .values_list("region", flat=True)
            .distinct()
        )
    )


def industries_visible(*, user: User | None) -> QuerySet[Industry]:
    """The industries (reference data everyone may read), by name."""
    return Industry.objects.restrict(user, Action.VIEW)


def customer_revenue_months(
    *, user: User | None, customer: GroupCustomer, months: int = 24, as_of: dt.date | None = None
) -> list[dict[str, Any]]:
    """The customer's revenue per month for the `months` months up to `as_of` (default: the
    latest month with revenue), oldest first, 0 for a month without revenue:
    [{month (first day), amount (Decimal, the company's currency)}]. Empty when `user` may not
    see the customer's revenue or there is no revenue at all."""
    as_of = as_of or revenue_as_of()
    if as_of is None:
        return []
    end = as_of.replace(day=1)
    start = _months_back(end, months - 1)
    amounts = dict(
        MonthlyRevenue.objects.restrict(user, Action.VIEW)
        .filter(customer=customer, month__gte=start, month__lte=end)
        .values_list("month", "amount")
    )
    series = []
    for back in range(months - 1, -1, -1):
        month = _months_back(end, back)
        series.append({"month": month, "amount": amounts.get(month, Decimal(0))})
    return series


def customer_contacts(*, user: User | None, customer: GroupCustomer) -> QuerySet[ServiceContact]:
    """The customer's service contacts `user` may see, latest first."""
    return (
        ServiceContact.objects.restrict(user, Action.VIEW)
        .filter(customer=customer)
        .order_by("-date", "-id")
    )


def customer_history(*, user: User | None, customer: GroupCustomer) -> dict[str, list]:
    """The customer's tier and manager changes `user` may see, latest first:
    {"tiers": [TierHistory], "managers": [ManagerHistory]}."""
    people = ("by__employee", "proposal")
    managers = ("from_manager__employee", "to_manager__employee")
    deferred = [f"{path}__{name}" for path in ("by__employee", *managers) for name in _EMPLOYEE_PAY]
    tiers = (
        TierHistory.objects.restrict(user, Action.VIEW)
        .filter(customer=customer)
        .select_related(*people)
        .defer(*deferred[:2])
    )
    changes = (
        ManagerHistory.objects.restrict(user, Action.VIEW)
        .filter(customer=customer)
        .select_related(*people, *managers)
        .defer(*deferred)
    )
    return {"tiers": list(tiers), "managers": list(changes)}


def _book_aggregate(value: Any, *, served_only: bool = False) -> Any:
    """A subquery: `value` aggregated over the customers of the manager at OuterRef("pk")
    (0 for none). A subquery rather than a join, so that the managers' query has no GROUP BY
    that would evaluate the revenue subquery once per customer row."""
    customers = GroupCustomer.objects.filter(account_manager_id=OuterRef("pk"))
    if served_only:
        customers = customers.filter(
            status__in=[CustomerStatus.ACTIVE, CustomerStatus.DORMANT],
            service_channel=ServiceChannel.ACCOUNT_MANAGER,
        )
    total = customers.order_by().values("account_manager_id").annotate(total=value).values("total")
    return Coalesce(Subquery(total, output_field=IntegerField()), Value(0))


def _workload_expression() -> Any:
    """The workload of a manager's book in units: Σ WORKLOAD_BY_TIER over the active customers
    served by the manager (not routed to another channel)."""
    whens = [When(tier=tier, then=Value(units)) for tier, units in WORKLOAD_BY_TIER.items()]
    return _book_aggregate(
        Sum(Case(*whens, default=Value(1), output_field=IntegerField())), served_only=True
    )


def account_managers_visible(*, user: User | None) -> QuerySet[AccountManager]:
    """The account managers `user` may see (an account manager: themselves), with employee,
    department and position; pay is never read here."""
    return (
        AccountManager.objects.restrict(user, Action.VIEW)
        .select_related("employee__department", "employee__position")
        .defer(*(f"employee__{name}" for name in _EMPLOYEE_PAY))
    )


def account_manager_list(
    *,
    user: User | None,
    search: str = "",
    region: str | None = None,
    over_capacity: bool = False,
    sort: str = "name",
    as_of: dt.date | None = None,
) -> QuerySet[AccountManager]:
    """The account managers `user` may see, each with `customer_count` (customers served),
    `workload` (units, see `_workload_expression`), `utilisation` (workload / capacity, None
    for no capacity) and `book_revenue_12m` (trailing-12-month revenue of the customers served,
    the company's currency); filtered, sorted by a key of MANAGER_SORTS.

    Counts and sums run over all the manager's customers: a department head reads the books of
    their subtree's managers whole, and an account manager only their own.
    """
    qs = account_managers_visible(user=user)
    search = search.strip()
    if search:
        qs = qs.filter(
            Q(employee__employee_no__istartswith=search) | Q(employee__full_name__icontains=search)
        )
    if region:
        qs = qs.filter(region=region)
    window = trailing_window(as_of or revenue_as_of())
    book_revenue: Any = Value(
        Decimal(0), output_field=DecimalField(max_digits=18, decimal_places=2)
    )
    if window is not None:
        start, end = window
        revenue = (
            MonthlyRevenue.objects.filter(
                customer__account_manager_id=OuterRef("pk"), month__gte=start, month__lte=end
            )
            .order_by()
            .values("customer__account_manager_id")
            .annotate(total=Sum("amount"))
            .values("total")
        )
        book_revenue = Coalesce(
            Subquery(revenue, output_field=DecimalField(max_digits=18, decimal_places=2)),
            book_revenue,
        )
    qs = qs.annotate(
        customer_count=_book_aggregate(Count("pk")),
        workload=_workload_expression(),
        book_revenue_12m=book_revenue,
    ).annotate(
        utilisation=Case(
            When(capacity=0, then=Value(None)),
            default=ExpressionWrapper(
                Cast(F("workload"), FloatField()) / Cast(F("capacity"), FloatField()),
                output_field=FloatField(),
            ),
            output_field=FloatField(),
        )
    )
    if over_capacity:
        qs = qs.filter(workload__gt=F("capacity"))
    return _ordered(qs, MANAGER_SORTS, sort)


def manager_book(
    *, user: User | None, manager: AccountManager, sort: str = "-revenue"
) -> QuerySet[GroupCustomer]:
    """The customers `manager` serves that `user` may see, with `revenue_12m`."""
    return customer_list(user=user, manager_id=manager.pk, sort=sort)


CONTACTS_SHOWN = 20


def customer_overview(*, user: User | None, customer: GroupCustomer) -> dict[str, Any]:
    """What the customer page and the API's customer detail show besides the record itself,
    all through `restrict`: `revenue_months` (the last 24 months, see
    `customer_revenue_months`), the latest `contacts` (CONTACTS_SHOWN of them), `history`
    (tier and manager changes), `tier_explained` (the tier under the current policy, with its
    score and reasons, or None) and `churn` (the latest churn score, or None)."""
    history = customer_history(user=user, customer=customer)
    return {
        "revenue_months": customer_revenue_months(user=user, customer=customer),
        "contacts": list(customer_contacts(user=user, customer=customer)[:CONTACTS_SHOWN]),
        "history": history,
        "tier_explained": customer_tier_explained(customer=customer, tiers=history["tiers"]),
        "churn": _with_level(customer_churn(user=user, customer=customer)),
    }


# churn risk levels for display: high from CHURN_HIGH, medium from CHURN_MEDIUM (0-1)
CHURN_HIGH, CHURN_MEDIUM = 0.5, 0.2


def _with_level(churn: dict[str, Any] | None) -> dict[str, Any] | None:
    if churn is None:
        return None
    risk = churn["risk"]
    level = "high" if risk >= CHURN_HIGH else "medium" if risk >= CHURN_MEDIUM else "low"
    return {**churn, "level": level}


RETIER_KIND = "customers.retier"  # services.RETIER; selectors do not import the services


def _retier_change(payload: Any, customer_id: int) -> dict[str, Any] | None:
    for change in (payload or {}).get("changes", []) if isinstance(payload, dict) else []:
        if isinstance(change, dict) and change.get("customer_id") == customer_id:
            return change
    return None


def customer_tier_explained(
    *, customer: GroupCustomer, tiers: list[TierHistory]
) -> dict[str, Any] | None:
    """Why the customer has its tier, from the re-tiering proposals (the engine's reasons are
    stored with each change): the open re-tiering when it would change the tier ("pending"),
    else the approved one that set the current tier. None when no re-tiering explains it (the
    tier was imported, or set before the policy ran).

    Returns {tier, score, reasons, proposal_id, pending}. The caller has already checked that
    the user may see the customer; only this customer's entry is read from the proposals.
    """
    from gmassist.core.choices import ProposalStatus
    from gmassist.core.models import Proposal

    open_one = (
        Proposal.objects.filter(kind=RETIER_KIND, status=ProposalStatus.OPEN)
        .order_by("-created_at", "-id")
        .values_list("pk", "payload")
        .first()
    )
    if open_one is not None:
        change = _retier_change(open_one[1], customer.pk)
        if change is not None:
            return _explained(change, open_one[0], pending=True)
    setting = next((t for t in tiers if t.proposal_id and t.to_tier == customer.tier), None)
    if setting is None:
        return None
    payload = Proposal.objects.filter(pk=setting.proposal_id).values_list("payload", flat=True)
    change = _retier_change(payload.first(), customer.pk)
    return _explained(change, setting.proposal_id, pending=False) if change else None


def _explained(change: dict[str, Any], proposal_id: int, *, pending: bool) -> dict[str, Any]:
    return {
        "tier": change.get("to", ""),
        "from_tier": change.get("from", ""),
        "score": change.get("score"),
        "reasons": reason_texts(change.get("reasons", [])),
        "reason_details": [reason_detail(r) for r in change.get("reasons", []) or []],
        "proposal_id": proposal_id,
        "pending": pending,
    }


def manager_workload_by_tier(book: list[GroupCustomer]) -> dict[str, int]:
    """The workload units of a book by tier ("" for not tiered): the customers served by the
    account manager that are not lost."""
    by_tier = dict.fromkeys(WORKLOAD_BY_TIER, 0)
    for customer in book:
        served = customer.service_channel == ServiceChannel.ACCOUNT_MANAGER
        if served and customer.status != CustomerStatus.LOST:
            by_tier[customer.tier] += WORKLOAD_BY_TIER[customer.tier]
    return by_tier


def revenue_pareto_curve(
    *, user: User | None, as_of: dt.date | None = None, points: int = 50
) -> list[dict[str, float]]:
    """The Pareto (Lorenz) curve of the revenue of the customers `user` may see: customers
    ranked by revenue, largest first, and for each share of them (0-1, `points` + 1 steps) the
    share of revenue they make (0-1). Revenue of the 12 complete months before `as_of`'s month
    (default: today), as in `revenue_analytics`; negative revenue counts as 0. Empty when there
    is no revenue."""
    month = last_complete_month(as_of or dt.date.today())
    records = customer_revenue_records(user=user, as_of=month, include_lost=True)
    return _pareto_curve(records, points=points)


def _pareto_curve(records: list[CustomerRecord], *, points: int = 50) -> list[dict[str, float]]:
    """`revenue_pareto_curve` of revenue records already read."""
    import numpy as np

    revenue = np.sort(np.clip([r.revenue_12m for r in records], 0, None))[::-1]
    total = float(revenue.sum()) if len(revenue) else 0.0
    if total <= 0:
        return []
    cumulative = np.concatenate([[0.0], np.cumsum(revenue) / total])
    n = len(revenue)
    curve = []
    for step in range(points + 1):
        share = step / points
        curve.append({"x": round(share, 4), "y": round(float(cumulative[round(share * n)]), 4)})
    return curve


def policy_versions(*, user: User | None, kind: str) -> QuerySet[CustomerPolicy]:
    """The saved versions of a customers policy (`PolicyKind`) the user may see, newest
    first, with who saved them."""
    return (
        CustomerPolicy.objects.restrict(user, Action.VIEW)
        .filter(kind=kind)
        .select_related("saved_by")
        .order_by("-created_at", "-id")
    )


def customer_history_readable(*, user: User | None, customer: GroupCustomer) -> bool:
    """Whether `user` reads `customer`'s history and notes: whoever sees the customer (it
    holds no pay)."""
    return customers_visible(user=user).filter(pk=customer.pk).exists()


def customer_record_history(*, user: User | None, customer: GroupCustomer) -> list[Any] | None:
    """The changes made to `customer`'s record and its service contacts on screen or through
    the API (who, when, each change as [old, new], why), newest first; None when `user` may
    not read them (`customer_history_readable`)."""
    from gmassist.core.selectors import record_history

    if not customer_history_readable(user=user, customer=customer):
        return None
    contacts = {
        c.pk: c for c in ServiceContact.objects.filter(customer=customer).only("date", "kind")
    }
    entries = record_history(record=customer, related=contacts.values())
    for entry in entries:
        # which contact an entry is about, named on the page by its date and kind
        entry.contact = (
            contacts.get(int(entry.target_id))
            if entry.target_type == "customers.servicecontact"
            else None
        )
    return entries
