"""A/B/C tiering of group customers by contribution, scale, strategic industry and growth.

Pure Python with numpy (no Django import). A selector builds the customer records, this module
grades them, a service turns `tier_changes` into one proposal.

The formula (every number below is a field of `TieringPolicy` and a key of its TOML file):

1. **Contribution band (Pareto).** Customers are ranked by trailing-12-month revenue, largest
   first (revenue below zero counts as zero). A customer is in band A when the customers ranked
   strictly above it make less than `a_revenue_share` (default 80%) of the total: band A is the
   customers that make the top 80% of revenue, including the one that crosses the line, and a
   cut-off that falls exactly on a customer boundary stops there. Band B likewise up to
   `a_revenue_share + b_revenue_share` (default 80% + 15%), band C the rest. Customers with equal
   revenue share the rank and the band of the first of them, so a tie never splits across a
   cut-off. A customer with no revenue is in band C. Revenue is compared in whole cents and the
   cut-offs with exact fractions, so a boundary is exact.
2. **Points**, each between 0 and 1: contribution 1 for band A, 0.5 for B, 0 for C; scale 1 at
   `scale.large` employees or lines or more, 0.5 at `scale.medium` or more, else 0; strategic 1
   when the industry is one of `strategic.industries` (case and surrounding spaces ignored);
   growth = revenue growth over the previous 12 months / `growth.full_points_at`, clipped to
   [0, 1] (0 when there was no revenue the year before).
3. **Score** = Σ weight × points, and the tier is A when score ≥ `tiers.a_min_score`, B when
   score ≥ `tiers.b_min_score`, else C. With the default weights (contribution 1, the others
   0.25 each) and thresholds (1.0, 0.5) the Pareto band is a floor: the other criteria can raise
   a customer by one tier, never lower it, and C → A needs more than they can give.
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from gmassist.customers.reasons import Reason
from gmassist.lib.bounded_toml import load_toml
from gmassist.lib.normalize import gettext_noop

TIERS = ("A", "B", "C")
RECORD_COLUMNS = ("customer_id", "revenue_12m", "revenue_prev_12m", "scale", "industry")
_CENTS = 100  # revenue is compared in whole cents so that ties and cut-offs are exact


class PolicyError(ValueError):
    """A tiering policy that cannot be used; `key` is the TOML key at fault (e.g. `scale.large`)."""

    def __init__(self, key: str, message: str):
        super().__init__(f"{key}: {message}")
        self.key = key


@dataclass(frozen=True)
class TieringPolicy:
    """How customers are graded; see the module docstring for the formula.

    Shares and growth are fractions (0.8 is 80%), scale is a number of employees or lines.
    """

    a_revenue_share: float = 0.80
    b_revenue_share: float = 0.15
    contribution_weight: float = 1.0
    scale_weight: float = 0.25
    scale_large: float = 1000
    scale_medium: float = 100
    strategic_weight: float = 0.25
    strategic_industries: tuple[str, ...] = field(default=())
    growth_weight: float = 0.25
    growth_full_points_at: float = 0.30
    a_min_score: float = 1.0
    b_min_score: float = 0.5

    def __post_init__(self) -> None:
        _validate(self)


# TOML layout: (section, key) for every field, in the order they are written.
_TOML_KEYS: dict[str, tuple[str, str]] = {
    "a_revenue_share": ("contribution", "a_revenue_share"),
    "b_revenue_share": ("contribution", "b_revenue_share"),
    "contribution_weight": ("contribution", "weight"),
    "scale_weight": ("scale", "weight"),
    "scale_large": ("scale", "large"),
    "scale_medium": ("scale", "medium"),
    "strategic_weight": ("strategic", "weight"),
    "strategic_industries": ("strategic", "industries"),
    "growth_weight": ("growth", "weight"),
    "growth_full_points_at": ("growth", "full_points_at"),
    "a_min_score": ("tiers", "a_min_score"),
    "b_min_score": ("tiers", "b_min_score"),
}
_FIELD_BY_KEY = {f"{section}.{key}": name for name, (section, key) in _TOML_KEYS.items()}


def _key(name: str) -> str:
    section, key = _TOML_KEYS[name]
    return f"{section}.{key}"


def _validate(policy: TieringPolicy) -> None:
    for f in fields(policy):
        value = getattr(policy, f.name)
        if f.name == "strategic_industries":
            if not isinstance(value, tuple) or not all(isinstance(v, str) for v in value):
                raise PolicyError(_key(f.name), "must be a list of industry names")
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise PolicyError(_key(f.name), f"must be a number, got {value!r}")
        if not math.isfinite(value) or value < 0:
            raise PolicyError(_key(f.name), f"must be a number of at least 0, got {value!r}")
    if not 0 < policy.a_revenue_share <= 1:
        raise PolicyError(
            _key("a_revenue_share"), f"must be above 0 and at most 1, got {policy.a_revenue_share}"
        )
    if policy.a_revenue_share + policy.b_revenue_share > 1 + 1e-12:
        raise PolicyError(
            _key("b_revenue_share"),
            f"a_revenue_share + b_revenue_share must be at most 1, got "
            f"{policy.a_revenue_share} + {policy.b_revenue_share}",
        )
    if policy.scale_medium > policy.scale_large:
        raise PolicyError(
            _key("scale_medium"),
            f"must not exceed scale.large ({policy.scale_large}), got {policy.scale_medium}",
        )
    if policy.growth_full_points_at <= 0:
        raise PolicyError(_key("growth_full_points_at"), "must be above 0")
    if policy.b_min_score <= 0:
        raise PolicyError(_key("b_min_score"), "must be above 0, or every customer would be B")
    if policy.b_min_score > policy.a_min_score:
        raise PolicyError(
            _key("b_min_score"),
            f"must not exceed tiers.a_min_score ({policy.a_min_score}), got {policy.b_min_score}",
        )


def policy_from_toml(text: str) -> TieringPolicy:
    """Read a policy from TOML text; missing keys take the defaults.

    Raises `PolicyError` naming the key for an unknown key, a wrong type or a bad value, and for
    text that is not TOML at all (key `toml`).
    """
    try:
        data = load_toml(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError("toml", f"not valid TOML: {exc}") from exc
    values: dict[str, Any] = {}
    for section, body in data.items():
        if not isinstance(body, dict):
            raise PolicyError(section, "must be a table such as [contribution]")
        for key, value in body.items():
            name = _FIELD_BY_KEY.get(f"{section}.{key}")
            if name is None:
                raise PolicyError(f"{section}.{key}", "unknown key")
            if name == "strategic_industries":
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise PolicyError(f"{section}.{key}", "must be a list of industry names")
                value = tuple(value)
            elif isinstance(value, bool) or not isinstance(value, int | float):
                raise PolicyError(f"{section}.{key}", f"must be a number, got {value!r}")
            values[name] = value
    return TieringPolicy(**values)


def policy_to_toml(policy: TieringPolicy) -> str:
    """Write `policy` as TOML text that `policy_from_toml` reads back to an equal policy."""
    lines: list[str] = []
    current = None
    for name, (section, key) in _TOML_KEYS.items():
        if section != current:
            if lines:
                lines.append("")
            lines.append(f"[{section}]")
            current = section
        value = getattr(policy, name)
        if isinstance(value, tuple):
            # A JSON string is a valid TOML basic string (same escapes).
            text = "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in value) + "]"
        else:
            text = repr(value)
        lines.append(f"{key} = {text}")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class CustomerRecord:
    """One customer as the tiering needs it: revenue in the company's currency per 12 months,
    scale as a number of employees or lines, industry as its name."""

    customer_id: Any
    revenue_12m: float
    revenue_prev_12m: float = 0.0
    scale: float = 0.0
    industry: str = ""


@dataclass(frozen=True)
class TierResult:
    """A customer's proposed tier, its score and the reasons (`Reason`: template and params)."""

    customer_id: Any
    tier: str
    score: float
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class TierChange:
    """A customer whose tier would change (`from_tier` None for a customer without a tier)."""

    customer_id: Any
    from_tier: str | None
    to_tier: str
    reasons: tuple[Reason, ...]


def _columns(customers: Any) -> dict[str, np.ndarray]:
    if isinstance(customers, pd.DataFrame):
        missing = [c for c in RECORD_COLUMNS[:2] if c not in customers.columns]
        if missing:
            raise ValueError(f"customers frame lacks the columns {missing}")
        n = len(customers)
        get = customers.get
        return {
            "customer_id": customers["customer_id"].to_numpy(dtype=object),
            "revenue_12m": customers["revenue_12m"].to_numpy(dtype=float),
            "revenue_prev_12m": (
                get("revenue_prev_12m").to_numpy(dtype=float)
                if "revenue_prev_12m" in customers
                else np.zeros(n)
            ),
            "scale": (get("scale").to_numpy(dtype=float) if "scale" in customers else np.zeros(n)),
            "industry": (
                get("industry").fillna("").astype(str).to_numpy(dtype=object)
                if "industry" in customers
                else np.full(n, "", dtype=object)
            ),
        }
    rows = [r if isinstance(r, CustomerRecord) else CustomerRecord(**dict(r)) for r in customers]
    return {
        "customer_id": np.array([r.customer_id for r in rows], dtype=object),
        "revenue_12m": np.array([r.revenue_12m for r in rows], dtype=float),
        "revenue_prev_12m": np.array([r.revenue_prev_12m or 0.0 for r in rows], dtype=float),
        "scale": np.array([r.scale or 0.0 for r in rows], dtype=float),
        "industry": np.array([r.industry or "" for r in rows], dtype=object),
    }


def _ceil_fraction(shares: tuple[float, ...], total: int) -> int:
    """ceil(sum(shares) × total) computed exactly, each share taken as its shortest decimal
    (so 0.8 + 0.15 is 19/20, not the float 0.9500000000000001)."""
    product = sum((Fraction(repr(float(s))) for s in shares), Fraction(0)) * total
    return -((-product.numerator) // product.denominator)


def _percent(share: float) -> str:
    return f"{round(share * 100, 4):g}%"


def tier_frame(customers: Any, policy: TieringPolicy | None = None) -> pd.DataFrame:
    """Grade customers, vectorised; one row per customer in the order of `tier_customers`.

    `customers` is a DataFrame with the columns of `CustomerRecord` (only `customer_id` and
    `revenue_12m` required) or an iterable of `CustomerRecord` or mappings with its fields.
    Returns the columns customer_id, tier, score, band (the Pareto band), rank (1 = largest
    revenue, ties share the rank), revenue_12m, growth (NaN without previous revenue),
    scale_points, strategic (bool), growth_points, reasons (a tuple of `Reason`).
    """
    policy = policy or TieringPolicy()
    cols = _columns(customers)
    ids = cols["customer_id"]
    n = len(ids)
    revenue = np.nan_to_num(cols["revenue_12m"], nan=0.0)
    previous = np.nan_to_num(cols["revenue_prev_12m"], nan=0.0)
    scale = np.nan_to_num(cols["scale"], nan=0.0)
    industry = cols["industry"]

    cents = np.rint(np.maximum(revenue, 0.0) * _CENTS).astype(np.int64)
    order = np.argsort(-cents, kind="stable")
    sorted_cents = cents[order]
    cum_before = np.cumsum(sorted_cents) - sorted_cents
    # Ties share the cumulative revenue and rank of the first customer of their group.
    starts = np.ones(n, dtype=bool)
    starts[1:] = sorted_cents[1:] != sorted_cents[:-1]
    first = np.maximum.accumulate(np.where(starts, np.arange(n), 0)) if n else np.zeros(0, int)
    total = int(sorted_cents.sum())
    a_limit = _ceil_fraction((policy.a_revenue_share,), total)
    ab_limit = _ceil_fraction((policy.a_revenue_share, policy.b_revenue_share), total)
    group_before = cum_before[first]
    sorted_band = np.where(group_before < a_limit, 0, np.where(group_before < ab_limit, 1, 2))
    sorted_band[sorted_cents <= 0] = 2
    band = np.empty(n, dtype=np.int64)
    band[order] = sorted_band
    rank = np.empty(n, dtype=np.int64)
    rank[order] = first + 1

    contribution_points = np.array([1.0, 0.5, 0.0])[band]
    scale_points = np.where(
        scale >= policy.scale_large, 1.0, np.where(scale >= policy.scale_medium, 0.5, 0.0)
    )
    strategic_set = {s.strip().casefold() for s in policy.strategic_industries}
    strategic = (
        np.array([str(i).strip().casefold() in strategic_set for i in industry], dtype=bool)
        if strategic_set
        else np.zeros(n, dtype=bool)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = np.where(previous > 0, (revenue - previous) / previous, np.nan)
    growth_points = np.clip(np.nan_to_num(growth, nan=0.0) / policy.growth_full_points_at, 0, 1)
    score = (
        policy.contribution_weight * contribution_points
        + policy.scale_weight * scale_points
        + policy.strategic_weight * strategic
        + policy.growth_weight * growth_points
    )
    score = np.round(score, 6)
    tier = np.where(score >= policy.a_min_score, 0, np.where(score >= policy.b_min_score, 1, 2))

    frame = pd.DataFrame(
        {
            "customer_id": ids,
            "tier_code": tier,
            "score": score,
            "band_code": band,
            "rank": rank,
            "revenue_12m": revenue,
            "growth": growth,
            "scale": scale,
            "scale_points": scale_points,
            "strategic": strategic,
            "industry": industry,
            "growth_points": growth_points,
        }
    )
    frame = frame.sort_values(
        ["tier_code", "score", "customer_id"], ascending=[True, False, True], kind="stable"
    ).reset_index(drop=True)
    frame["reasons"] = _reasons(frame, policy, n)
    letters = np.array(TIERS, dtype=object)
    frame["tier"] = letters[frame["tier_code"].to_numpy()]
    frame["band"] = letters[frame["band_code"].to_numpy()]
    return frame[
        [
            "customer_id",
            "tier",
            "score",
            "band",
            "rank",
            "revenue_12m",
            "growth",
            "scale_points",
            "strategic",
            "growth_points",
            "reasons",
        ]
    ]


# The reasons' templates (English; translated where they are shown, see customers.reasons).
_BAND_TEMPLATES = (
    gettext_noop("top %(share)s of revenue: %(revenue)s a year (rank %(rank)s of %(count)s)"),
    gettext_noop("next %(share)s of revenue: %(revenue)s a year (rank %(rank)s of %(count)s)"),
    gettext_noop("remaining %(share)s of revenue: %(revenue)s a year (rank %(rank)s of %(count)s)"),
)
_NO_REVENUE = gettext_noop("no revenue in the last 12 months")
_LARGE = gettext_noop("large customer: %(scale)s employees or lines (≥ %(limit)s)")
_MEDIUM = gettext_noop("medium customer: %(scale)s employees or lines (≥ %(limit)s)")
_STRATEGIC = gettext_noop("strategic industry: %(industry)s")
_GREW = gettext_noop("revenue grew %(percent)s%%")
_RAISED = gettext_noop(
    "raised from %(from_tier)s to %(to_tier)s by the other criteria: score %(score)s "
    "(A from %(a_min)s, B from %(b_min)s)"
)
_LOWERED = gettext_noop(
    "lowered from %(from_tier)s to %(to_tier)s by the other criteria: score %(score)s "
    "(A from %(a_min)s, B from %(b_min)s)"
)


def _reasons(frame: pd.DataFrame, policy: TieringPolicy, n: int) -> list[tuple[Reason, ...]]:
    band_shares = (
        _percent(policy.a_revenue_share),
        _percent(policy.b_revenue_share),
        _percent(max(0.0, 1 - policy.a_revenue_share - policy.b_revenue_share)),
    )
    count = f"{n:,}"
    a_min, b_min = f"{policy.a_min_score:.2f}", f"{policy.b_min_score:.2f}"
    no_revenue = (Reason(_NO_REVENUE),)
    use_scale = policy.scale_weight > 0
    use_strategic = policy.strategic_weight > 0
    use_growth = policy.growth_weight > 0
    out: list[tuple[Reason, ...]] = []
    # Python scalars (tolist) format several times faster than numpy ones
    for tier, score, band, rank, revenue, growth, scale, s_pts, strat, ind, g_pts in zip(
        frame["tier_code"].tolist(),
        frame["score"].tolist(),
        frame["band_code"].tolist(),
        frame["rank"].tolist(),
        frame["revenue_12m"].tolist(),
        frame["growth"].tolist(),
        frame["scale"].tolist(),
        frame["scale_points"].tolist(),
        frame["strategic"].tolist(),
        frame["industry"].tolist(),
        frame["growth_points"].tolist(),
        strict=True,
    ):
        if revenue > 0 and round(revenue * _CENTS) > 0:
            reasons = [
                Reason(
                    _BAND_TEMPLATES[band],
                    {
                        "share": band_shares[band],
                        "revenue": f"{revenue:,.0f}",
                        "rank": f"{rank:,}",
                        "count": count,
                    },
                )
            ]
        else:
            reasons = list(no_revenue)
        if use_scale and s_pts > 0:
            large = s_pts == 1.0
            limit = policy.scale_large if large else policy.scale_medium
            reasons.append(
                Reason(
                    _LARGE if large else _MEDIUM,
                    {"scale": f"{scale:,.0f}", "limit": f"{limit:,.0f}"},
                )
            )
        if use_strategic and strat:
            reasons.append(Reason(_STRATEGIC, {"industry": str(ind).strip()}))
        if use_growth and g_pts > 0:
            reasons.append(Reason(_GREW, {"percent": f"{growth * 100:.0f}"}))
        if tier != band:
            reasons.append(
                Reason(
                    _RAISED if tier < band else _LOWERED,
                    {
                        "from_tier": TIERS[band],
                        "to_tier": TIERS[tier],
                        "score": f"{score:.2f}",
                        "a_min": a_min,
                        "b_min": b_min,
                    },
                )
            )
        out.append(tuple(reasons))
    return out


def tier_customers(customers: Any, policy: TieringPolicy | None = None) -> list[TierResult]:
    """Grade customers A/B/C by `policy` (the default policy when None).

    `customers`: an iterable of `CustomerRecord` (or mappings with its fields) or a DataFrame
    with its columns. Returns one `TierResult` per customer, ordered by tier (A first), then score
    (highest first), then customer id, so the same input always gives the same list.
    """
    frame = tier_frame(customers, policy)
    return [
        TierResult(cid, tier, float(score), reasons)
        for cid, tier, score, reasons in zip(
            frame["customer_id"].to_numpy(),
            frame["tier"].to_numpy(),
            frame["score"].to_numpy(),
            frame["reasons"].to_numpy(),
            strict=True,
        )
    ]


def tier_changes(
    current: Mapping[Any, str | None], proposed: Iterable[TierResult]
) -> list[TierChange]:
    """The moves a proposal lists: customers whose proposed tier differs from `current`.

    `current` maps customer id to its present tier (None or absent: no tier yet). The changes
    keep the order of `proposed` (most important first when it comes from `tier_customers`).
    """
    return [
        TierChange(r.customer_id, current.get(r.customer_id), r.tier, r.reasons)
        for r in proposed
        if current.get(r.customer_id) != r.tier
    ]
