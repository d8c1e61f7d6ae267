"""Service-channel routing: which customers with low, simple needs the call centre, partners or
branches can serve instead of an account manager, within each channel's capacity, and what it
does to account-manager workload and service cost. Pure Python (no Django import).

**Rules** (`ChannelRules`, a TOML file; every number is a key below):

* eligible: a customer served by an account manager whose tier is one of
  `eligibility.tiers` (default C), whose revenue over the last 12 months is at most
  `eligibility.max_revenue_12m`, who had at most `eligibility.max_contacts_12m` service
  contacts and `eligibility.max_complaints_12m` complaints in those 12 months and holds at most
  `eligibility.max_products` products: low and simple needs;
* the simplest first (fewest contacts, then lowest revenue, then id) go to the cheapest
  channel (`channels.<name>.unit_cost` a customer a year) that has room left
  (`channels.<name>.capacity` customers, those it serves already included); a customer nobody
  has room for stays with its manager;
* an account manager costs `account_manager.unit_cost` a workload unit a year (a customer is
  `account_manager.workload.<tier>` units: A 5, B 2, C 1).

Money is in the company's currency a year.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from typing import Any

from gmassist.customers.reasons import Reason
from gmassist.lib.bounded_toml import load_toml
from gmassist.lib.normalize import gettext_noop

CHANNELS = ("call_centre", "partner", "branch")
AM = "account_manager"


class RulesError(ValueError):
    """Channel rules that cannot be used; `key` is the TOML key at fault."""

    def __init__(self, key: str, message: str):
        super().__init__(f"{key}: {message}")
        self.key = key


@dataclass(frozen=True)
class ChannelSpec:
    capacity: int
    unit_cost: float


def _default_channels() -> dict[str, ChannelSpec]:
    return {
        "call_centre": ChannelSpec(capacity=300, unit_cost=800.0),
        "partner": ChannelSpec(capacity=150, unit_cost=1200.0),
        "branch": ChannelSpec(capacity=100, unit_cost=1500.0),
    }


@dataclass(frozen=True)
class ChannelRules:
    """See the module docstring; defaults are a starting point for a company to edit."""

    tiers: tuple[str, ...] = ("C",)
    max_revenue_12m: float = 100_000.0
    max_contacts_12m: int = 4
    max_complaints_12m: int = 0
    max_products: int = 2
    channels: dict[str, ChannelSpec] = field(default_factory=_default_channels)
    am_unit_cost: float = 3000.0
    workload: dict[str, int] = field(default_factory=lambda: {"A": 5, "B": 2, "C": 1})

    def __post_init__(self) -> None:
        for tier in self.tiers:
            if tier not in ("A", "B", "C"):
                raise RulesError("eligibility.tiers", f"a tier is A, B or C, got {tier!r}")
        for key, value in (
            ("eligibility.max_revenue_12m", self.max_revenue_12m),
            ("eligibility.max_contacts_12m", self.max_contacts_12m),
            ("eligibility.max_complaints_12m", self.max_complaints_12m),
            ("eligibility.max_products", self.max_products),
            ("account_manager.unit_cost", self.am_unit_cost),
        ):
            _number(key, value)
        for name, spec in self.channels.items():
            if name not in CHANNELS:
                raise RulesError(f"channels.{name}", f"unknown channel; use {', '.join(CHANNELS)}")
            _number(f"channels.{name}.capacity", spec.capacity, whole=True)
            _number(f"channels.{name}.unit_cost", spec.unit_cost)
        for tier, units in self.workload.items():
            _number(f"account_manager.workload.{tier}", units, whole=True)


def _number(key: str, value: Any, *, whole: bool = False) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RulesError(key, f"must be a number, got {value!r}")
    if not math.isfinite(value) or value < 0:
        raise RulesError(key, f"must be a number of at least 0, got {value!r}")
    if whole and int(value) != value:
        raise RulesError(key, f"must be a whole number, got {value!r}")


_ELIGIBILITY = (
    "tiers",
    "max_revenue_12m",
    "max_contacts_12m",
    "max_complaints_12m",
    "max_products",
)


def rules_from_toml(text: str) -> ChannelRules:
    """Read rules from TOML text; missing keys take the defaults. Raises `RulesError` naming
    the key for an unknown key, a wrong type or a bad value (key `toml` for bad TOML)."""
    try:
        data = load_toml(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError("toml", f"not valid TOML: {exc}") from exc
    values: dict[str, Any] = {}
    for section, body in data.items():
        if not isinstance(body, dict):
            raise RulesError(section, "must be a table such as [eligibility]")
        if section == "eligibility":
            for key, value in body.items():
                if key not in _ELIGIBILITY:
                    raise RulesError(f"eligibility.{key}", "unknown key")
                if key == "tiers":
                    if not isinstance(value, list):
                        raise RulesError("eligibility.tiers", 'must be a list such as ["C"]')
                    value = tuple(value)
                values[key] = value
        elif section == "channels":
            channels = _default_channels()
            for name, spec in body.items():
                if not isinstance(spec, dict):
                    raise RulesError(f"channels.{name}", "must be a table")
                unknown = set(spec) - {"capacity", "unit_cost"}
                if unknown:
                    raise RulesError(f"channels.{name}.{sorted(unknown)[0]}", "unknown key")
                base = channels.get(name, ChannelSpec(0, 0.0))
                channels[name] = ChannelSpec(
                    capacity=spec.get("capacity", base.capacity),
                    unit_cost=spec.get("unit_cost", base.unit_cost),
                )
            values["channels"] = channels
        elif section == "account_manager":
            for key, value in body.items():
                if key == "unit_cost":
                    values["am_unit_cost"] = value
                elif key == "workload" and isinstance(value, dict):
                    values["workload"] = {"A": 5, "B": 2, "C": 1, **value}
                else:
                    raise RulesError(f"account_manager.{key}", "unknown key")
        else:
            raise RulesError(section, "unknown table")
    return ChannelRules(**values)


def rules_to_toml(rules: ChannelRules) -> str:
    """Write `rules` as TOML text that `rules_from_toml` reads back to equal rules."""
    tiers = ", ".join(f'"{t}"' for t in rules.tiers)
    lines = [
        "[eligibility]",
        f"tiers = [{tiers}]",
        f"max_revenue_12m = {rules.max_revenue_12m!r}",
        f"max_contacts_12m = {rules.max_contacts_12m!r}",
        f"max_complaints_12m = {rules.max_complaints_12m!r}",
        f"max_products = {rules.max_products!r}",
        "",
        "[account_manager]",
        f"unit_cost = {rules.am_unit_cost!r}",
        "workload = { " + ", ".join(f"{k} = {v}" for k, v in rules.workload.items()) + " }",
    ]
    for name, spec in rules.channels.items():
        lines += ["", f"[channels.{name}]", f"capacity = {spec.capacity!r}",
                  f"unit_cost = {spec.unit_cost!r}"]  # fmt: skip
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class RouteCustomer:
    """A customer as the routing reads it: its channel now, tier, revenue over 12 months,
    contacts and complaints in 12 months, number of products."""

    customer_id: Any
    tier: str
    channel: str
    revenue_12m: float = 0.0
    contacts_12m: int = 0
    complaints_12m: int = 0
    products: int = 0


@dataclass(frozen=True)
class RouteMove:
    """A customer the plan routes to `to_channel`, and why (template and params)."""

    customer_id: Any
    to_channel: str
    why: Reason


# Why a customer moves, one template per channel so that the channel's name is translated with
# the sentence (English; translated where it is shown, see customers.reasons).
_WHY = {
    "call_centre": gettext_noop(
        "tier %(tier)s, %(revenue)s a year; in 12 months: contacts %(contacts)s, "
        "complaints %(complaints)s; products: %(products)s. The call centre serves it for "
        "%(channel_cost)s instead of %(manager_cost)s a year"
    ),
    "partner": gettext_noop(
        "tier %(tier)s, %(revenue)s a year; in 12 months: contacts %(contacts)s, "
        "complaints %(complaints)s; products: %(products)s. The partner serves it for "
        "%(channel_cost)s instead of %(manager_cost)s a year"
    ),
    "branch": gettext_noop(
        "tier %(tier)s, %(revenue)s a year; in 12 months: contacts %(contacts)s, "
        "complaints %(complaints)s; products: %(products)s. The branch serves it for "
        "%(channel_cost)s instead of %(manager_cost)s a year"
    ),
}


@dataclass
class RoutePlan:
    """The moves and their effect: customers per channel, account-manager workload (units)
    and service cost (a year) before and after."""

    moves: list[RouteMove]
    eligible: int
    customers_before: dict[str, int]
    customers_after: dict[str, int]
    am_workload_before: int
    am_workload_after: int
    cost_before: float
    cost_after: float


def _cost(rules: ChannelRules, counts: dict[str, int], am_units: int) -> float:
    channel = sum(rules.channels[c].unit_cost * n for c, n in counts.items() if c in rules.channels)
    return round(channel + rules.am_unit_cost * am_units, 2)


def plan_channels(customers: list[RouteCustomer], rules: ChannelRules | None = None) -> RoutePlan:
    """Route eligible customers to the cheapest channel with room (see the module docstring)."""
    rules = rules or ChannelRules()
    before = {AM: 0, **dict.fromkeys(rules.channels, 0)}
    units_before = 0
    for c in customers:
        before[c.channel] = before.get(c.channel, 0) + 1
        if c.channel == AM:
            units_before += rules.workload.get(c.tier, 1)
    eligible = [
        c
        for c in customers
        if c.channel == AM
        and c.tier in rules.tiers
        and c.revenue_12m <= rules.max_revenue_12m
        and c.contacts_12m <= rules.max_contacts_12m
        and c.complaints_12m <= rules.max_complaints_12m
        and c.products <= rules.max_products
    ]
    eligible.sort(key=lambda c: (c.contacts_12m, c.revenue_12m, str(c.customer_id)))
    room = {
        name: max(0, spec.capacity - before.get(name, 0)) for name, spec in rules.channels.items()
    }
    by_cost = sorted(rules.channels, key=lambda name: (rules.channels[name].unit_cost, name))
    after = dict(before)
    units_after = units_before
    moves = []
    for c in eligible:
        target = next((name for name in by_cost if room[name] > 0), None)
        if target is None:
            break
        room[target] -= 1
        after[AM] -= 1
        after[target] += 1
        units = rules.workload.get(c.tier, 1)
        units_after -= units
        moves.append(
            RouteMove(
                c.customer_id,
                target,
                Reason(
                    _WHY[target],
                    {
                        "tier": c.tier,
                        "revenue": f"{c.revenue_12m:,.0f}",
                        "contacts": c.contacts_12m,
                        "complaints": c.complaints_12m,
                        "products": c.products,
                        "channel_cost": f"{rules.channels[target].unit_cost:,.0f}",
                        "manager_cost": f"{rules.am_unit_cost * units:,.0f}",
                    },
                ),
            )
        )
    return RoutePlan(
        moves=moves,
        eligible=len(eligible),
        customers_before=before,
        customers_after=after,
        am_workload_before=units_before,
        am_workload_after=units_after,
        cost_before=_cost(rules, before, units_before),
        cost_after=_cost(rules, after, units_after),
    )
