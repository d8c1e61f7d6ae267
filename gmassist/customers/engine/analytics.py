"""Revenue analytics of group customers: ARPU and revenue by tier, industry and region, revenue
concentration, and the customers whose revenue fell most. Pure pandas (no Django import).

Input: one row per customer with `customer_id`, `revenue_12m` and `revenue_prev_12m` (the
company's currency, the 12 complete months before the as-of month and the 12 before those),
and the grouping columns `tier`, `industry`, `region` (text, "" for none).

* ARPU = revenue of the 12 months / customers with revenue in them / 12: average revenue per
  paying customer a month.
* Top-10 share = revenue of the 10 largest customers / all revenue (0-1).
* HHI (Herfindahl-Hirschman index) = Σ (customer's share of revenue × 100)², from near 0 (many
  small customers) to 10,000 (one customer makes everything); above 1,500 is usually read as
  concentrated, above 2,500 as highly concentrated.
* Fallers: customers with revenue the year before, ordered by the fall in money (prev - now),
  with the fall as a fraction of the year before.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

GROUPS = ("tier", "industry", "region")
TOP = 10


def by_group(frame: pd.DataFrame, column: str) -> list[dict[str, Any]]:
    """Customers, paying customers, revenue, share of revenue and monthly ARPU per value of
    `column`, largest revenue first."""
    revenue = frame["revenue_12m"].clip(lower=0)
    total = float(revenue.sum())
    data = frame.assign(_revenue=revenue, _paying=revenue > 0)
    grouped = data.groupby(frame[column].fillna("").astype(str), sort=False).agg(
        customers=("customer_id", "size"), paying=("_paying", "sum"), revenue=("_revenue", "sum")
    )
    rows = [
        {
            column: name,
            "customers": int(row.customers),
            "paying": int(row.paying),
            "revenue_12m": round(float(row.revenue), 2),
            "share": round(float(row.revenue) / total, 6) if total else 0.0,
            "arpu_monthly": (
                round(float(row.revenue) / float(row.paying) / 12, 2) if row.paying else 0.0
            ),
        }
        for name, row in grouped.iterrows()
    ]
    return sorted(rows, key=lambda r: (-r["revenue_12m"], r[column]))


def concentration(revenue_12m: np.ndarray | pd.Series, top: int = TOP) -> dict[str, float]:
    """Top-`top` share (0-1) and HHI (0-10,000) of the revenue (negative counts as 0)."""
    values = np.clip(np.asarray(revenue_12m, dtype=float), 0, None)
    total = values.sum()
    if total <= 0:
        return {"top_share": 0.0, "hhi": 0.0, "customers": len(values)}
    shares = values / total
    largest = np.sort(values)[::-1][:top].sum()
    return {
        "top_share": round(float(largest / total), 6),
        "hhi": round(float(np.sum((shares * 100) ** 2)), 2),
        "customers": len(values),
    }


def fallers(frame: pd.DataFrame, limit: int = TOP) -> list[dict[str, Any]]:
    """The `limit` customers whose revenue fell most in money, with the fall as a fraction."""
    previous = frame["revenue_prev_12m"].astype(float)
    fall = previous - frame["revenue_12m"].astype(float)
    rows = frame.assign(fall=fall)[(previous > 0) & (fall > 0)]
    rows = rows.sort_values(["fall", "customer_id"], ascending=[False, True]).head(limit)
    return [
        {
            "customer_id": row.customer_id,
            "revenue_12m": round(float(row.revenue_12m), 2),
            "revenue_prev_12m": round(float(row.revenue_prev_12m), 2),
            "fall": round(float(row.fall), 2),
            "fall_share": round(float(row.fall) / float(row.revenue_prev_12m), 6),
        }
        for row in rows.itertuples()
    ]


def revenue_summary(frame: pd.DataFrame, *, top: int = TOP) -> dict[str, Any]:
    """Everything above: {"total", "customers", "arpu_monthly", "by_tier", "by_industry",
    "by_region", "concentration", "fallers"}."""
    revenue = frame["revenue_12m"].clip(lower=0) if len(frame) else pd.Series(dtype=float)
    paying = int((revenue > 0).sum())
    total = float(revenue.sum())
    return {
        "total": round(total, 2),
        "customers": len(frame),
        "arpu_monthly": round(total / paying / 12, 2) if paying else 0.0,
        **{f"by_{g}": by_group(frame, g) if len(frame) else [] for g in GROUPS},
        "concentration": concentration(revenue, top),
        "fallers": fallers(frame, top) if len(frame) else [],
    }
