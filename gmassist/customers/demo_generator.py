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
    one of the managers (the demo's `am` user).

    Every draw comes from one random stream, in this order: the managers, who the customers
    are, the initial books, the 24 months, the names and products, the capacities."""
    rng = np.random.default_rng([seed, 4242])
    starts = month_starts(as_of)
    n = n_customers
    k = min(n_managers or manager_count(n), len(candidate_people))
    if k < 1:
        raise ValueError("no people to make account managers of")
    person, m_region = _managers(rng, k, candidate_people, candidate_cities, must_manage)
    who = _Customers.draw(rng, n, starts, causes)
    manager, by_region = _initial_books(rng, n, k, who.region, m_region)
    months = _Months(rng, who, manager, by_region, k, starts, causes)
    months.run()
    contacts = _dedupe_contacts(months.contact_parts)
    status = np.where(months.churn_month >= 0, "lost", "active").astype(object)
    contract_end = _contract_end(who.contract_start, months.churn_month, starts, as_of)
    products = [
        ";".join(sorted(rng.choice(PRODUCTS, rng.integers(1, 5), replace=False))) for _ in range(n)
    ]
    names = _names(rng, who.industry, who.region)
    tiers, tier_changes = _tiers(months.revenue, who.start_month, who.scale, who.industry)
    now_tiers = _tiers_now(months.revenue, who.scale, who.industry)
    capacity = _capacities(rng, k, m_region, who.region, tiers, now_tiers, months.churn_month)
    mc = _manager_change_arrays(months.changes)
    return CustomerDemo(
        seed=seed,
        as_of=as_of,
        month_starts=starts,
        customers={
            "code": np.array([f"G{i + 1:06d}" for i in range(n)], dtype=object),
            "name": names,
            "industry": who.industry,
            "scale": who.scale,
            "region": np.array(REGIONS, dtype=object)[who.region],
            "contract_start": who.contract_start,
            "contract_end": contract_end,
            "products": np.array(products, dtype=object),
            "status": status,
            "tier": tiers,
            "manager": manager,
            "churn_month": months.churn_month,
            "unhappy": who.unhappy,
            "declining_from": np.where(who.declining, who.decline_from, -1),
            "initial_manager": _initial(manager, mc),
        },
        revenue=months.revenue,
        contacts=contacts,
        managers={
            "person": person,
            "region": np.array(REGIONS, dtype=object)[m_region],
            "capacity": capacity,
        },
        manager_changes=mc,
        tier_changes=tier_changes,
        factor_stats=months.factor_stats,
        causes=causes,
    )


def _managers(
    rng: np.random.Generator,
    k: int,
    candidate_people: np.ndarray,
    candidate_cities: np.ndarray,
    must_manage: int | None,
) -> tuple[np.ndarray, np.ndarray]:
    """`k` managers drawn from the candidates (`must_manage` among them): their people and
    regions (by city, else drawn; every region gets one when there are enough)."""
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
    return person, m_region


@dataclass(frozen=True)
class _Customers:
    """Who the customers are (one item per customer): industry and region (indexes), scale
    (staff), revenue level (CNY a month) and monthly growth, the season's multiplier per
    month, when the contract started (and in which month of the window, and of the year),
    and the planted causes: unhappy, declining from a month."""

    industry: np.ndarray
    region: np.ndarray
    scale: np.ndarray
    level: np.ndarray
    growth: np.ndarray
    season: np.ndarray
    contract_start: np.ndarray
    start_month: np.ndarray
    anniversary: np.ndarray
    unhappy: np.ndarray
    declining: np.ndarray
    decline_from: np.ndarray

    @classmethod
    def draw(
        cls, rng: np.random.Generator, n: int, starts: np.ndarray, causes: CustomerCauses
    ) -> _Customers:
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
            (contract_start.astype("datetime64[M]") - window_start.astype("datetime64[M]")).astype(
                int
            ),
        )
        anniversary = contract_start.astype("datetime64[M]").astype(int) % 12  # month of year
        unhappy = rng.random(n) < causes.unhappy_share
        declining = rng.random(n) < causes.decline_share
        decline_from = np.where(declining, rng.integers(3, MONTHS, n), MONTHS + 1)
        return cls(
            industry,
            region,
            scale,
            level,
            growth,
            season,
            contract_start,
            start_month,
            anniversary,
            unhappy,
            declining,
            decline_from,
        )


def _initial_books(
    rng: np.random.Generator, n: int, k: int, region: np.ndarray, m_region: np.ndarray
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Each customer's first manager (index; -1: nobody), of its region drawn at random (a
    few from another region, a few with nobody); and the managers of each region."""
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
    return manager, by_region


class _Months:
    """The 24 months, one after the other: who churns (from what was known at the end of the
    month before), the month's revenue, its service contacts, and the manager changes.
    `manager` (each customer's) changes in place."""

    def __init__(
        self,
        rng: np.random.Generator,
        who: _Customers,
        manager: np.ndarray,
        by_region: list[np.ndarray],
        k: int,
        starts: np.ndarray,
        causes: CustomerCauses,
    ):
        n = len(who.region)
        self.rng, self.who, self.manager, self.by_region = rng, who, manager, by_region
        self.k, self.starts, self.causes = k, starts, causes
        self.revenue = np.zeros((n, MONTHS))
        self.active = np.zeros(n, dtype=bool)
        self.churn_month = np.full(n, -1, dtype=np.int64)
        self.unresolved = np.zeros((n, MONTHS), dtype=np.int64)
        self.sat_sum = np.zeros((n, MONTHS))
        self.sat_n = np.zeros((n, MONTHS), dtype=np.int64)
        self.last_change = np.full(n, -100, dtype=np.int64)
        # (customers, month, from managers, to managers)
        self.changes: list[tuple[np.ndarray, int, np.ndarray, np.ndarray]] = []
        self.contact_parts: list[dict[str, np.ndarray]] = []
        self.factor_stats = dict.fromkeys(CHURN_FACTORS, 0)
        self.noise = rng.lognormal(0.0, 0.08, (n, MONTHS))

    def run(self) -> None:
        for m in range(MONTHS):
            self.active |= (self.who.start_month == m) & (self.churn_month < 0)
            if m >= 6:
                self._churn(m)
            idx = np.nonzero(self.active)[0]
            self._revenue(m, idx)
            self._contacts(m, idx)
            self._change_managers(m, idx)

    def _churn(self, m: int) -> None:
        """Who leaves in month `m`, from the hazards of the churn factors."""
        causes, who = self.causes, self.who
        idx = np.nonzero(self.active)[0]
        last3 = self.revenue[idx, m - 3 : m].sum(axis=1)
        prev3 = self.revenue[idx, m - 6 : m - 3].sum(axis=1)
        known6 = who.start_month[idx] <= m - 6
        lo = max(0, m - causes.contact_window_months)
        rated = self.sat_n[idx, lo:m].sum(axis=1)
        mean_sat = np.where(
            rated > 0, self.sat_sum[idx, lo:m].sum(axis=1) / np.maximum(rated, 1), 5
        )
        to_renewal = (who.anniversary[idx] - ((m - 1 + _month0(self.starts)) % 12) - 1) % 12 + 1
        factors = {
            "falling_revenue": known6 & (last3 < causes.falling_revenue_ratio * prev3),
            "contract_ending": to_renewal <= causes.contract_ending_months,
            "unresolved_contacts": self.unresolved[idx, lo:m].sum(axis=1)
            >= causes.unresolved_contacts_min,
            "low_satisfaction": (rated > 0) & (mean_sat < causes.low_satisfaction_below),
            "manager_change": (m - self.last_change[idx]) <= causes.manager_change_months,
        }
        hazard = churn_hazard(factors, causes)
        gone = self.rng.random(len(idx)) < hazard
        self.churn_month[idx[gone]] = m
        self.active[idx[gone]] = False
        for name in CHURN_FACTORS:
            self.factor_stats[name] += int(np.sum(factors[name] & gone))

    def _revenue(self, m: int, idx: np.ndarray) -> None:
        """The revenue of month `m` of the active customers `idx` (CNY, to the cent)."""
        who = self.who
        decline = np.where(
            m >= who.decline_from[idx],
            (1 - self.causes.decline_monthly) ** (m - who.decline_from[idx]),
            1.0,
        )
        self.revenue[idx, m] = np.round(
            who.level[idx]
            * (1 + who.growth[idx]) ** m
            * who.season[m]
            * decline
            * self.noise[idx, m],
            2,
        )

    def _contacts(self, m: int, idx: np.ndarray) -> None:
        """The service contacts of month `m`: more, and worse, for unhappy and declining
        customers."""
        rng, who = self.rng, self.who
        rate = 0.3 + 0.6 * who.unhappy[idx] + 0.4 * (m >= who.decline_from[idx])
        per = rng.poisson(rate)
        customers = np.repeat(idx, per)
        if not len(customers):
            return
        sad = who.unhappy[customers]
        kind = np.where(
            rng.random(len(customers)) < np.where(sad, 0.45, 0.12),
            2,
            rng.choice([0, 1, 3, 4, 5], len(customers), p=[0.35, 0.3, 0.15, 0.12, 0.08]),
        )
        sat = np.clip(
            np.round(
                np.where(
                    sad,
                    rng.normal(2.3, 0.9, len(customers)),
                    rng.normal(4.1, 0.7, len(customers)),
                )
            ),
            1,
            5,
        ).astype(np.int64)
        sat[rng.random(len(customers)) < 0.25] = 0  # not asked
        resolved = rng.random(len(customers)) < np.where(sad, 0.45, 0.92)
        channel = rng.choice(len(CONTACT_CHANNELS), len(customers), p=[0.55, 0.35, 0.1])
        day = rng.integers(0, 28, len(customers))
        np.add.at(self.unresolved[:, m], customers, (~resolved).astype(np.int64))
        np.add.at(self.sat_sum[:, m], customers, sat.astype(float))
        np.add.at(self.sat_n[:, m], customers, (sat > 0).astype(np.int64))
        self.contact_parts.append(
            {
                "customer": customers,
                "date": self.starts[m] + day.astype("timedelta64[D]"),
                "channel": channel,
                "kind": kind,
                "satisfaction": sat,
                "resolved": resolved,
            }
        )

    def _change_managers(self, m: int, idx: np.ndarray) -> None:
        """Manager changes of month `m` (a manager leaves the region, a book is rebalanced):
        to another manager of the customer's region (of anyone's when it has fewer than two)."""
        manager, rng = self.manager, self.rng
        has = idx[manager[idx] >= 0]
        moving = has[rng.random(len(has)) < self.causes.manager_change_yearly / 12]
        if not len(moving) or self.k <= 1:
            return
        new = manager[moving].copy()
        for i, c in enumerate(moving):
            options = self.by_region[self.who.region[c]]
            if len(options) < 2:
                options = np.arange(self.k)
            options = options[options != manager[c]]
            new[i] = rng.choice(options)
        self.changes.append((moving, m, manager[moving].copy(), new))
        manager[moving] = new
        self.last_change[moving] = m


def _contract_end(
    contract_start: np.ndarray, churn_month: np.ndarray, starts: np.ndarray, as_of: dt.date
) -> np.ndarray:
    """A lost customer's contract ended when it left; a current one's runs to the next
    renewal (a year after the start, or after a later anniversary)."""
    as_of_month = np.datetime64(as_of, "M")
    years = (as_of_month - contract_start.astype("datetime64[M]")).astype(int) // 12 + 1
    renewal = contract_start.astype("datetime64[M]") + (12 * years).astype("timedelta64[M]")
    contract_end = renewal.astype("datetime64[D]") - 1
    left_end = starts[np.maximum(churn_month, 0)] - 1
    return np.where(churn_month >= 0, np.maximum(left_end, contract_start), contract_end)


def _names(rng: np.random.Generator, industry: np.ndarray, region: np.ndarray) -> np.ndarray:
    """A name per customer: a word, its industry's suffix, its region."""
    words = rng.integers(0, len(NAME_WORDS), len(industry))
    return np.array(
        [
            f"{NAME_WORDS[words[i]]} {NAME_SUFFIX[INDUSTRIES[industry[i]][0]]} {REGIONS[region[i]]}"
            for i in range(len(industry))
        ],
        dtype=object,
    )


def _capacities(
    rng: np.random.Generator,
    k: int,
    m_region: np.ndarray,
    region: np.ndarray,
    tiers: np.ndarray,
    now_tiers: np.ndarray,
    churn_month: np.ndarray,
) -> np.ndarray:
    """Each manager's capacity in workload units: the capacities cover each region's books
    (at the heavier of the old and the current tiers, so that re-tiering fits) with headroom,
    spread around the region's mean."""
    units = {"A": 5, "B": 2, "C": 1}
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
    return capacity


def _manager_change_arrays(
    changes: list[tuple[np.ndarray, int, np.ndarray, np.ndarray]],
) -> dict[str, np.ndarray]:
    """The manager changes as columns: customer, month, from_manager, to_manager."""
    if not changes:
        return {
            key: np.zeros(0, dtype=np.int64)
            for key in ("customer", "month", "from_manager", "to_manager")
        }
    return {
        "customer": np.concatenate([c for c, _m, _f, _t in changes]),
        "month": np.concatenate([np.full(len(c), mm) for c, mm, _f, _t in changes]),
        "from_manager": np.concatenate([f for _c, _m, f, _t in changes]),
        "to_manager": np.concatenate([t for _c, _m, _f, t in changes]),
    }


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
