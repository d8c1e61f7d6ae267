"""The demo company's group customers as plain data: who they are, 24 months of revenue, service
contacts, account managers, tiers and manager history, and churn driven by `demo_causes.py`.

`generate_customers(...)` returns a `CustomerDemo` of numpy arrays; the same seed, size, managers
and `as_of` always give the same customers. Pure: no Django import; `demo.py` writes the result
into the database and the benchmark writes it to files.

The 24 months end with the last complete month before `as_of` (as the organisation's history
does). Revenue is skewed (log-normal around a level that grows with the customer's scale: a
few customers make most of it). Contracts renew yearly on the anniversary of their start; a
churned customer's revenue stops from its churn month on and its status is lost.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from gmassist.customers.demo_causes import (
    CHURN_FACTORS,
    CUSTOMER_CAUSES,
    CustomerCauses,
    churn_hazard,
)

MONTHS = 24
CUSTOMERS_BY_TIER = {"S": 2_000, "M": 100_000, "L": 500_000}
CUSTOMERS_PER_MANAGER = 100
MIN_MANAGERS = 8
CAPACITY_HEADROOM = 1.25  # total capacity / total workload of the initial books

# (code, name, strategic)
INDUSTRIES = (
    ("GOV", "Government", True),
    ("FIN", "Finance", True),
    ("ENE", "Energy", True),
    ("MFG", "Manufacturing", False),
    ("RET", "Retail", False),
    ("LOG", "Logistics", False),
    ("HLT", "Healthcare", False),
    ("EDU", "Education", False),
    ("HOS", "Hospitality", False),
    ("MED", "Media", False),
    ("CON", "Construction", False),
    ("AGR", "Agriculture", False),
)
INDUSTRY_SHARES = np.array([0.06, 0.08, 0.05, 0.18, 0.14, 0.09, 0.08, 0.08, 0.07, 0.05, 0.08, 0.04])
REGIONS = ("North", "East", "South", "West", "Central", "Northeast", "Southwest", "Northwest")
REGION_SHARES = np.array([0.18, 0.24, 0.2, 0.1, 0.09, 0.06, 0.07, 0.06])
CITY_REGION = {
    "Beijing": "North",
    "Shanghai": "East",
    "Hangzhou": "East",
    "Nanjing": "East",
    "Shenzhen": "South",
    "Guangzhou": "South",
    "Chengdu": "West",
    "Wuhan": "Central",
    "Shenyang": "Northeast",
    "Chongqing": "Southwest",
    "Xi'an": "Northwest",
}
PRODUCTS = ("VOICE", "DATA", "CLOUD", "IOT", "SDWAN", "SECURITY", "UC", "IDC")
CONTACT_CHANNELS = ("account_manager", "call_centre", "branch")
CONTACT_KINDS = ("inquiry", "request", "complaint", "fault", "visit", "other")
NAME_WORDS = ("Hengtai", "Jinhua", "Xinda", "Huamei", "Zhongke", "Tianyu", "Ruixin", "Boda",
              "Kaiyuan", "Longteng", "Mingyang", "Shengshi", "Yuanhang", "Dongfang", "Haina",
              "Great Wall", "Pearl River", "Yangtze", "Golden Bridge", "Silver Lake",
              "恒泰", "金华", "信达", "华美", "中科", "天宇", "瑞信", "博达")  # fmt: skip
NAME_SUFFIX = {
    "GOV": "Bureau",
    "FIN": "Bank",
    "ENE": "Power",
    "MFG": "Industries",
    "RET": "Retail",
    "LOG": "Logistics",
    "HLT": "Hospital",
    "EDU": "College",
    "HOS": "Hotels",
    "MED": "Media",
    "CON": "Construction",
    "AGR": "Agritech",
}


@dataclass
class CustomerDemo:
    """Everything the writer needs; customer arrays are indexed by customer (0..n-1), managers
    by manager (0..k-1), `manager` -1 meaning none."""

    seed: int
    as_of: dt.date
    month_starts: np.ndarray  # datetime64[D], the first day of each of the 24 months
    customers: dict[str, np.ndarray]
    revenue: np.ndarray  # (customers, months) in CNY, 0 before the start and after churning
    contacts: dict[str, np.ndarray]
    managers: dict[str, np.ndarray]  # person (index given by the caller), region, capacity
    manager_changes: dict[str, np.ndarray]  # customer, month, from_manager, to_manager
    tier_changes: dict[str, np.ndarray]  # customer, month, from_tier, to_tier
    factor_stats: dict[str, int] = field(default_factory=dict)
    causes: CustomerCauses = CUSTOMER_CAUSES

    @property
    def size(self) -> int:
        return len(self.customers["code"])

    def revenue_rows(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(customer, month index, amount) of every month with revenue, month by month."""
        customer, month = np.nonzero(self.revenue.T)[::-1]
        order = np.lexsort((month, customer))
        customer, month = customer[order], month[order]
        return customer, month, self.revenue[customer, month]

    def counts(self) -> dict[str, int]:
        return {
            "industries": len(INDUSTRIES),
            "group_customers": self.size,
            "lost_customers": int(np.sum(self.customers["status"] == "lost")),
            "account_managers": len(self.managers["person"]),
            "monthly_revenue": int(np.count_nonzero(self.revenue)),
            "service_contacts": len(self.contacts["customer"]),
            "manager_changes": len(self.manager_changes["customer"]),
        }


def manager_count(n_customers: int) -> int:
    """How many account managers serve `n_customers` (one per CUSTOMERS_PER_MANAGER)."""
    return max(MIN_MANAGERS, round(n_customers / CUSTOMERS_PER_MANAGER))


def month_starts(as_of: dt.date) -> np.ndarray:
    """The first days of the 24 complete months before `as_of`'s month."""
    last = np.datetime64(as_of, "M")
    return (last - MONTHS + np.arange(MONTHS)).astype("datetime64[D]")


def generate_customers(
    *,
    seed: int,
    n_customers: int,
    as_of: dt.date,
    candidate_people: np.ndarray,
    candidate_cities: np.ndarray,
    must_manage: int | None = None,
    n_managers: int | None = None,
    causes: CustomerCauses = CUSTOMER_CAUSES,
) -> CustomerDemo:
    """Generate `n_customers` customers served by managers drawn from `candidate_people`
    (whatever indices the caller uses for people, with their cities); `must_manage` is always
    one of the managers (the demo's `am` user)."""
    rng = np.random.default_rng([seed, 4242])
    starts = month_starts(as_of)
    n = n_customers
    k = min(n_managers or manager_count(n), len(candidate_people))
    if k < 1:
        raise ValueError("no people to make account managers of")

    # --- managers: sales people, one of them the demo's account manager ---------------------
    pool = np.arange(len(candidate_people))
    chosen = rng.choice(pool, k, replace=False)
    if must_manage is not None:
        where = np.nonzero(candidate_people == must_manage)[0]
        if len(where) and where[0] not in chosen:
            chosen[0] = where[0]
    person = np.asarray(candidate_people)[chosen]
    region_index = {r: i for i, r in enumerate(REGIONS)}
    m_region = np.array(
        [
            region_index.get(CITY_REGION.get(str(c), ""), -1)
            for c in np.asarray(candidate_cities)[chosen]
        ]
    )
    m_region[m_region < 0] = rng.integers(0, len(REGIONS), int(np.sum(m_region < 0)))
    # every region has at least one manager when there are enough of them
    for r in range(len(REGIONS)):
        if k >= len(REGIONS) and not np.any(m_region == r):
            counts = np.bincount(m_region, minlength=len(REGIONS))
            crowded = np.nonzero(m_region == np.argmax(counts))[0]
            movable = [j for j in crowded if person[j] != must_manage] or list(crowded)
            m_region[movable[-1]] = r

    # --- who the customers are --------------------------------------------------------------
    industry = rng.choice(len(INDUSTRIES), n, p=INDUSTRY_SHARES / INDUSTRY_SHARES.sum())
    region = rng.choice(len(REGIONS), n, p=REGION_SHARES / REGION_SHARES.sum())
    scale = np.maximum(5, np.round(rng.lognormal(np.log(300), 1.3, n))).astype(np.int64)
    level = 60.0 * scale**0.85 * rng.lognormal(0.0, 1.2, n)  # CNY a month
    growth = rng.normal(0.004, 0.008, n)
    season = 1 + 0.06 * np.sin(2 * np.pi * (np.arange(MONTHS) + rng.integers(0, 12)) / 12)
    # 70% were customers before the window (contracts 1-6 years old), the rest signed in it
    window_start = starts[0]
    old = rng.random(n) < 0.7
    start_offset_days = np.where(
        old,
        -rng.integers(1, 6 * 365, n),
        rng.integers(0, (MONTHS - 2) * 30, n),
    )
    contract_start = window_start + start_offset_days.astype("timedelta64[D]")
    start_month = np.maximum(
        0,
        (contract_start.astype("datetime64[M]") - window_start.astype("datetime64[M]")).astype(int),
    )
    anniversary = contract_start.astype("datetime64[M]").astype(int) % 12  # month of year
    unhappy = rng.random(n) < causes.unhappy_share
    declining = rng.random(n) < causes.decline_share
    decline_from = np.where(declining, rng.integers(3, MONTHS, n), MONTHS + 1)

    # --- initial books: a manager of the customer's region, drawn at random ------------------
    by_region = [np.nonzero(m_region == r)[0] for r in range(len(REGIONS))]
    manager = np.full(n, -1, dtype=np.int64)
    for r in range(len(REGIONS)):
        members = np.nonzero(region == r)[0]
        options = by_region[r] if len(by_region[r]) else np.arange(k)
        manager[members] = rng.choice(options, len(members))
    # some customers are served from another region (a manager who moved, an old favour)
    stray = rng.random(n) < 0.04
    manager[stray] = rng.integers(0, k, int(stray.sum()))
    manager[rng.random(n) < 0.01] = -1  # a few have nobody

    # --- the months ---------------------------------------------------------------------------
    revenue = np.zeros((n, MONTHS))
    active = np.zeros(n, dtype=bool)
    churn_month = np.full(n, -1, dtype=np.int64)
    unresolved = np.zeros((n, MONTHS), dtype=np.int64)
    sat_sum = np.zeros((n, MONTHS))
    sat_n = np.zeros((n, MONTHS), dtype=np.int64)
    last_change = np.full(n, -100, dtype=np.int64)
    changes: list[tuple[np.ndarray, int, np.ndarray, np.ndarray]] = []
    contact_parts: list[dict[str, np.ndarray]] = []
    factor_stats = dict.fromkeys(CHURN_FACTORS, 0)
    noise = rng.lognormal(0.0, 0.08, (n, MONTHS))
    w = causes.contact_window_months
    for m in range(MONTHS):
        active |= (start_month == m) & (churn_month < 0)
        # churn, from what was known at the end of the month before
        if m >= 6:
            idx = np.nonzero(active)[0]
            last3 = revenue[idx, m - 3 : m].sum(axis=1)
            prev3 = revenue[idx, m - 6 : m - 3].sum(axis=1)
            known6 = start_month[idx] <= m - 6
            lo = max(0, m - w)
            rated = sat_n[idx, lo:m].sum(axis=1)
            mean_sat = np.where(rated > 0, sat_sum[idx, lo:m].sum(axis=1) / np.maximum(rated, 1), 5)
            to_renewal = (anniversary[idx] - ((m - 1 + _month0(starts)) % 12) - 1) % 12 + 1
            factors = {
                "falling_revenue": known6 & (last3 < causes.falling_revenue_ratio * prev3),
                "contract_ending": to_renewal <= causes.contract_ending_months,
                "unresolved_contacts": unresolved[idx, lo:m].sum(axis=1)
                >= causes.unresolved_contacts_min,
                "low_satisfaction": (rated > 0) & (mean_sat < causes.low_satisfaction_below),
                "manager_change": (m - last_change[idx]) <= causes.manager_change_months,
            }
            hazard = churn_hazard(factors, causes)
            gone = rng.random(len(idx)) < hazard
            churn_month[idx[gone]] = m
            active[idx[gone]] = False
            for name in CHURN_FACTORS:
                factor_stats[name] += int(np.sum(factors[name] & gone))
        idx = np.nonzero(active)[0]
        decline = np.where(
            m >= decline_from[idx], (1 - causes.decline_monthly) ** (m - decline_from[idx]), 1.0
        )
        revenue[idx, m] = np.round(
            level[idx] * (1 + growth[idx]) ** m * season[m] * decline * noise[idx, m], 2
        )
        # service contacts of the month
        rate = 0.3 + 0.6 * unhappy[idx] + 0.4 * (m >= decline_from[idx])
        per = rng.poisson(rate)
        who = np.repeat(idx, per)
        if len(who):
            sad = unhappy[who]
            kind = np.where(
                rng.random(len(who)) < np.where(sad, 0.45, 0.12),
                2,
                rng.choice([0, 1, 3, 4, 5], len(who), p=[0.35, 0.3, 0.15, 0.12, 0.08]),
            )
            sat = np.clip(
                np.round(
                    np.where(sad, rng.normal(2.3, 0.9, len(who)), rng.normal(4.1, 0.7, len(who)))
                ),
                1,
                5,
            ).astype(np.int64)
            sat[rng.random(len(who)) < 0.25] = 0  # not asked
            resolved = rng.random(len(who)) < np.where(sad, 0.45, 0.92)
            channel = rng.choice(len(CONTACT_CHANNELS), len(who), p=[0.55, 0.35, 0.1])
            day = rng.integers(0, 28, len(who))
            np.add.at(unresolved[:, m], who, (~resolved).astype(np.int64))
            np.add.at(sat_sum[:, m], who, sat.astype(float))
            np.add.at(sat_n[:, m], who, (sat > 0).astype(np.int64))
            contact_parts.append(
                {
                    "customer": who,
                    "date": starts[m] + day.astype("timedelta64[D]"),
                    "channel": channel,
                    "kind": kind,
                    "satisfaction": sat,
                    "resolved": resolved,
                }
            )
        # manager changes (a manager leaves the region, a book is rebalanced)
        has = idx[manager[idx] >= 0]
        moving = has[rng.random(len(has)) < causes.manager_change_yearly / 12]
        if len(moving) and k > 1:
            new = manager[moving].copy()
            for i, c in enumerate(moving):
                options = by_region[region[c]]
                if len(options) < 2:
                    options = np.arange(k)
                options = options[options != manager[c]]
                new[i] = rng.choice(options)
            changes.append((moving, m, manager[moving].copy(), new))
            manager[moving] = new
            last_change[moving] = m

    contacts = _dedupe_contacts(contact_parts)
    status = np.where(churn_month >= 0, "lost", "active").astype(object)
    # a lost customer's contract ended when it left; a current one's runs to the next renewal
    as_of_month = np.datetime64(as_of, "M")
    years = (as_of_month - contract_start.astype("datetime64[M]")).astype(int) // 12 + 1
    renewal = contract_start.astype("datetime64[M]") + (12 * years).astype("timedelta64[M]")
    contract_end = renewal.astype("datetime64[D]") - 1
    left_end = starts[np.maximum(churn_month, 0)] - 1
    contract_end = np.where(churn_month >= 0, np.maximum(left_end, contract_start), contract_end)

    products = [
        ";".join(sorted(rng.choice(PRODUCTS, rng.integers(1, 5), replace=False))) for _ in range(n)
    ]
    words = rng.integers(0, len(NAME_WORDS), n)
    names = np.array(
        [
            f"{NAME_WORDS[words[i]]} {NAME_SUFFIX[INDUSTRIES[industry[i]][0]]} {REGIONS[region[i]]}"
            for i in range(n)
        ],
        dtype=object,
    )
    tiers, tier_changes = _tiers(revenue, start_month, scale, industry)
    # the capacities cover each region's books (at the heavier of the old and the current
    # tiers, so that re-tiering fits) with headroom, spread around the region's mean
    units = {"A": 5, "B": 2, "C": 1}
    now_tiers = _tiers_now(revenue, scale, industry)
    workload = np.maximum(np.vectorize(units.get)(tiers), np.vectorize(units.get)(now_tiers)) * (
        churn_month < 0
    )
    capacity = np.zeros(k, dtype=np.int64)
    for r in range(len(REGIONS)):
        members = np.nonzero(m_region == r)[0]
        if not len(members):
            continue
        need = workload[region == r].sum() * CAPACITY_HEADROOM
        spread = rng.uniform(0.75, 1.25, len(members))
        capacity[members] = np.maximum(10, np.ceil(need * spread / spread.sum()))
    if changes:
        mc = {
            "customer": np.concatenate([c for c, _m, _f, _t in changes]),
            "month": np.concatenate([np.full(len(c), mm) for c, mm, _f, _t in changes]),
            "from_manager": np.concatenate([f for _c, _m, f, _t in changes]),
            "to_manager": np.concatenate([t for _c, _m, _f, t in changes]),
        }
    else:
        mc = {
            key: np.zeros(0, dtype=np.int64)
            for key in ("customer", "month", "from_manager", "to_manager")
        }
    return CustomerDemo(
        seed=seed,
        as_of=as_of,
        month_starts=starts,
        customers={
            "code": np.array([f"G{i + 1:06d}" for i in range(n)], dtype=object),
            "name": names,
            "industry": industry,
            "scale": scale,
            "region": np.array(REGIONS, dtype=object)[region],
            "contract_start": contract_start,
            "contract_end": contract_end,
            "products": np.array(products, dtype=object),
            "status": status,
            "tier": tiers,
            "manager": manager,
            "churn_month": churn_month,
            "unhappy": unhappy,
            "declining_from": np.where(declining, decline_from, -1),
            "initial_manager": _initial(manager, mc),
        },
        revenue=revenue,
        contacts=contacts,
        managers={
            "person": person,
            "region": np.array(REGIONS, dtype=object)[m_region],
            "capacity": capacity,
        },
        manager_changes=mc,
        tier_changes=tier_changes,
        factor_stats=factor_stats,
        causes=causes,
    )


def _month0(starts: np.ndarray) -> int:
    """The month of year (January 0) of the first month of the window."""
    return int(starts[0].astype("datetime64[M]").astype(int) % 12)


def _initial(manager: np.ndarray, mc: dict[str, np.ndarray]) -> np.ndarray:
    """Each customer's manager before the changes of the window (the first change's from)."""
    initial = manager.copy()
    # later changes first, so that the earliest change's from wins
    for c, f in zip(mc["customer"][::-1], mc["from_manager"][::-1], strict=True):
        initial[c] = f
    return initial


def _dedupe_contacts(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """All contacts, one per customer, day, channel and kind (the table's natural key)."""
    if not parts:
        return {
            "customer": np.zeros(0, dtype=np.int64),
            "date": np.zeros(0, dtype="datetime64[D]"),
            "channel": np.zeros(0, dtype=object),
            "kind": np.zeros(0, dtype=object),
            "satisfaction": np.zeros(0, dtype=np.int64),
            "resolved": np.zeros(0, dtype=bool),
        }
    data = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    key = np.stack(
        [data["customer"], data["date"].astype(np.int64), data["channel"], data["kind"]], axis=1
    )
    _unique, first = np.unique(key, axis=0, return_index=True)
    first.sort()
    out = {name: values[first] for name, values in data.items()}
    out["channel"] = np.array(CONTACT_CHANNELS, dtype=object)[out["channel"]]
    out["kind"] = np.array(CONTACT_KINDS, dtype=object)[out["kind"]]
    return out


def _tiers(
    revenue: np.ndarray, start_month: np.ndarray, scale: np.ndarray, industry: np.ndarray
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The tiers the customers carry: graded by the default policy 12 months ago (those who
    were customers then), else when they signed; the tiering job will find what changed since.
    Returns the tiers and the tier history (everyone's first tier)."""
    from gmassist.customers.engine.tiering import TieringPolicy, tier_frame

    n = len(start_month)
    policy = TieringPolicy(strategic_industries=tuple(name for _c, name, s in INDUSTRIES if s))
    names = np.array([name for _c, name, _s in INDUSTRIES], dtype=object)[industry]

    def grade(end: int, members: np.ndarray) -> np.ndarray:
        frame = tier_frame(_frame(revenue, members, end, scale, names), policy)
        out = np.empty(n, dtype=object)
        out[frame["customer_id"].to_numpy(dtype=np.int64)] = frame["tier"].to_numpy()
        return out[members]

    tiers = np.full(n, "C", dtype=object)
    month = np.zeros(n, dtype=np.int64)
    old = np.nonzero(start_month <= 11)[0]
    new = np.nonzero(start_month > 11)[0]
    if len(old):
        tiers[old] = grade(11, old)
        month[old] = 12
    if len(new):
        tiers[new] = grade(MONTHS - 1, new)
        month[new] = start_month[new]
    order = np.lexsort((np.arange(n), month))
    return tiers, {
        "customer": order,
        "month": month[order],
        "from_tier": np.full(n, "", dtype=object),
        "to_tier": tiers[order],
    }


def _tiers_now(revenue: np.ndarray, scale: np.ndarray, industry: np.ndarray) -> np.ndarray:
    """Every customer's tier by the default policy on the last 12 months."""
    from gmassist.customers.engine.tiering import TieringPolicy, tier_frame

    policy = TieringPolicy(strategic_industries=tuple(name for _c, name, s in INDUSTRIES if s))
    names = np.array([name for _c, name, _s in INDUSTRIES], dtype=object)[industry]
    members = np.arange(len(scale))
    frame = tier_frame(_frame(revenue, members, MONTHS - 1, scale, names), policy)
    out = np.empty(len(scale), dtype=object)
    out[frame["customer_id"].to_numpy(dtype=np.int64)] = frame["tier"].to_numpy()
    return out


def _frame(
    revenue: np.ndarray, members: np.ndarray, end: int, scale: np.ndarray, names: np.ndarray
) -> pd.DataFrame:
    """The tiering engine's input for `members` as of month `end` (an index of the window)."""
    return pd.DataFrame(
        {
            "customer_id": members,
            "revenue_12m": revenue[members, max(0, end - 11) : end + 1].sum(axis=1),
            "revenue_prev_12m": revenue[members, max(0, end - 23) : max(0, end - 11)].sum(axis=1),
            "scale": scale[members].astype(float),
            "industry": names[members],
        }
    )


def churn_history(demo: CustomerDemo):
    """The demo as `engine.churn.ChurnHistory` (what the selector reads from the database)."""
    from gmassist.customers.engine.churn import ChurnHistory

    k = demo.contacts
    month_index = (
        k["date"].astype("datetime64[M]") - demo.month_starts[0].astype("datetime64[M]")
    ).astype(int)
    return ChurnHistory(
        customer_ids=np.arange(demo.size),
        revenue=demo.revenue,
        renewal_month=demo.customers["contract_start"].astype("datetime64[M]").astype(int) % 12,
        first_month_of_year=_month0(demo.month_starts),
        contact_customer=k["customer"],
        contact_month=month_index,
        contact_complaint=(k["kind"] == "complaint").astype(float),
        contact_unresolved=(~k["resolved"]).astype(float),
        contact_satisfaction=k["satisfaction"].astype(float),
        change_customer=demo.manager_changes["customer"],
        change_month=demo.manager_changes["month"],
    )
