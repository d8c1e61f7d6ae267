"""What the workforce pages show: charts (the JSON `talent/charts.js` draws), tables per
quarter, labels in the reader's language."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from gmassist.workforce.engine.calendar import quarter_label
from gmassist.workforce.selectors import PlanGaps


def quarter_labels(ends: list[str]) -> list[str]:
    """`2027Q1` for a quarter ending in January-March 2027 (the quarter the end falls in)."""
    return [quarter_label(dt.date.fromisoformat(e) - dt.timedelta(days=1)) for e in ends]


def company_rows(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per quarter: demand, supply and its 90% interval, leavers, people short."""
    company = summary.get("company", {})
    ends = summary.get("quarter_ends", [])
    labels = quarter_labels(ends)
    return [
        {
            "quarter": labels[k],
            "end": ends[k],
            "demand": company["demand"][k],
            "supply": company["supply"][k],
            "supply_low": company.get("supply_low", [None] * len(ends))[k],
            "supply_high": company.get("supply_high", [None] * len(ends))[k],
            "leavers": company.get("leavers", [None] * len(ends))[k],
            "short": company.get("hires_needed", [None] * len(ends))[k],
        }
        for k in range(len(ends))
    ]


def plan_chart(summary: dict[str, Any]) -> dict[str, Any]:
    """Demand and supply over the quarters, the supply's 90% interval dashed."""
    company = summary.get("company", {})
    datasets = [
        {"label": _("Demand"), "data": company.get("demand", []), "color": "#1f5fbf"},
        {"label": _("Supply"), "data": company.get("supply", []), "color": "#c4513d"},
    ]
    if "supply_low" in company:
        datasets += [
            {"label": _("Supply, 5%"), "data": company["supply_low"], "color": "#e0a090",
             "dashed": True, "points": False},
            {"label": _("Supply, 95%"), "data": company["supply_high"], "color": "#e0a090",
             "dashed": True, "points": False},
        ]  # fmt: skip
    return {
        "labels": quarter_labels(summary.get("quarter_ends", [])),
        "datasets": datasets,
        "yTitle": _("people"),
    }


def head_summary(lines: list[Any], ends: list[str]) -> dict[str, Any]:
    """The totals of the lines a department head may see (no company-wide interval: intervals
    of lines do not add up, so a head reads each line's)."""
    n = len(ends)
    demand = [sum(line.demand[k] for line in lines) for k in range(n)]
    supply = [round(sum(line.supply[k] for line in lines), 1) for k in range(n)]
    short = [round(sum(max(line.gap[k], 0) for line in lines), 1) for k in range(n)]
    return {
        "quarter_ends": ends,
        "company": {"demand": demand, "supply": supply, "hires_needed": short},
    }


def gap_rows(
    found: PlanGaps, *, quarter: int | None = None, limit: int = 60
) -> list[dict[str, Any]]:
    """The lines short (or with people to spare) at `quarter` (default: the last), the
    largest gaps first."""
    if not found.gaps:
        return []
    last = max(g.quarter for g in found.gaps) if quarter is None else quarter
    rows = [
        {
            "department": g.department,
            "job_family": g.job_family or "—",
            "demand": g.demand,
            "supply": g.supply_mean,
            "gap": g.gap_mean,
            "low": g.gap_low,
            "high": g.gap_high,
            "cost": g.payroll_per_year,
        }
        for g in found.gaps
        if g.quarter == last and abs(g.gap_mean) >= 0.5
    ]
    rows.sort(key=lambda r: (-r["gap"], r["department"], r["job_family"]))
    return rows[:limit]


def scenario_chart(summary: dict[str, Any], scenarios: list[Any]) -> dict[str, Any]:
    """The head count per quarter under the plan and under each scenario."""
    company = summary.get("company", {})
    datasets = [
        {"label": _("As planned"), "data": company.get("head_count", company.get("demand", []))}
    ]
    for scenario in scenarios:
        datasets.append({"label": scenario.name, "data": scenario.result.get("head_count", [])})
    return {
        "labels": quarter_labels(summary.get("quarter_ends", [])),
        "datasets": datasets,
        "yTitle": _("people"),
    }


def backtest_chart(result: dict[str, Any]) -> dict[str, Any]:
    """What happened and the three forecasts, quarter by quarter (company)."""
    quarters = result.get("quarters", [])
    return {
        "labels": quarter_labels([q["end"] for q in quarters]),
        "datasets": [
            {"label": _("Actual"), "data": [q["actual"] for q in quarters], "color": "#222222"},
            {"label": _("Model"), "data": [q["model"] for q in quarters], "color": "#1f5fbf"},
            {
                "label": _("Carry forward"),
                "data": [q["carry_forward"] for q in quarters],
                "color": "#646b79",
                "dashed": True,
            },
            {
                "label": _("Last year's net change rate"),
                "data": [q["trailing_rate"] for q in quarters],
                "color": "#b7791f",
                "dashed": True,
            },
        ],
        "yTitle": _("people"),
    }


def backtest_methods() -> list[tuple[str, str]]:
    return [
        ("model", _("Model")),
        ("carry_forward", _("Carry forward")),
        ("trailing_rate", _("Last year's net change rate")),
    ]
