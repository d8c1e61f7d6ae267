"""How the customers app's numbers and reasons are shown: charts, labels and reason texts in the
reader's language, built from what the selectors read (so selectors only read and views only
wire). Used by the pages, the API and the CLI alike."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gmassist.customers.choices import Tier
from gmassist.customers.engine import grades as grades_engine
from gmassist.customers.models import Industry
from gmassist.customers.reasons import Reason, stored_reason


def reason_text(reason: Any) -> str:
    """A reason of the customers engines in the active language: a `Reason` or its stored form
    ({"template", "params"}) is translated and filled in; a plain string or a churn reason with
    only a "text" (payloads written before reasons were structured) is shown as it is. A
    translation whose placeholders do not fit its params falls back to the English."""
    reason = stored_reason(reason)
    if not isinstance(reason, Reason):
        return reason
    try:
        return gettext(reason.template) % reason.params
    except (KeyError, TypeError, ValueError):
        return str(reason)


def reason_detail(reason: Any) -> dict[str, Any]:
    """A reason for the API: {"text" (the active language), "template" (English, None for a
    reason stored as plain text), "params"}."""
    structured = stored_reason(reason)
    if isinstance(structured, Reason):
        return {"text": reason_text(structured), **structured.as_dict()}
    return {"text": structured, "template": None, "params": {}}


def reason_texts(reasons: Any) -> list[str]:
    """`reason_text` of each of `reasons` (a list as stored; one plain string, as payloads
    written before reasons were structured hold, is shown as it is; anything else gives [])."""
    if isinstance(reasons, str):
        return [reasons] if reasons else []
    return [reason_text(r) for r in reasons] if isinstance(reasons, list | tuple) else []


GRADE_LABELS = {
    "post": _("Post grade"),
    "salary": _("Salary grade"),
    "assessment": _("Assessment grade"),
    "training": _("Training grade"),
}


ASSESSMENT_PART_LABELS = {
    "reviews": _("reviews"),
    "book_growth": _("growth of the book"),
    "satisfaction": _("customer satisfaction"),
}


def grades_context(grades: Any) -> dict[str, Any]:
    """The grades as the manager page shows them: one row per grade with its weight in the
    composite and what would raise it; nothing when the user may not read them."""
    if grades is None:
        return {"grades": None}
    return {
        "grades": grades,
        "grade_rows": [
            {
                "key": key,
                "label": label,
                "value": getattr(grades, key),
                "weight": round(grades_engine.WEIGHTS[key] * 100),
                "to_raise": reason_texts(grades.to_raise.get(key, [])),
            }
            for key, label in GRADE_LABELS.items()
        ],
        "assessment_parts": [
            (ASSESSMENT_PART_LABELS.get(key, key), value)
            for key, value in grades.assessment_parts.items()
        ],
    }


GROUP_LABELS = {"tier": _("tier"), "industry": _("industry"), "region": _("region")}


def _group_chart(rows: list[dict[str, Any]], column: str, horizontal: bool) -> dict[str, Any]:
    labels = [
        (row[column] or gettext("none")) if column != "tier" else (row[column] or "—")
        for row in rows
    ]
    return {
        "labels": labels,
        "horizontal": horizontal,
        "datasets": [
            {"label": gettext("Revenue"), "data": [row["revenue_12m"] for row in rows]},
        ],
    }


def analytics_context(data: dict[str, Any], backtest: dict[str, Any] | None) -> dict[str, Any]:
    """Revenue by tier, industry and region, concentration with its Pareto curve, the fallers,
    and the churn model's backtest, as the analytics page shows them, from
    `selectors.revenue_analytics` (`data`, money in the company's currency) and
    `selectors.churn_backtest` (`backtest`, rates as fractions)."""
    curve = data["pareto"]
    groups = []
    for column in ("tier", "industry", "region"):
        rows = data[f"by_{column}"]
        if column == "tier":
            rows = sorted(rows, key=lambda row: row["tier"] or "Z")
        groups.append(
            {
                "column": column,
                "label": GROUP_LABELS[column],
                "rows": rows,
                "chart": _group_chart(rows, column, horizontal=column != "tier"),
                "chart_id": f"analytics-chart-{column}-data",
                "arpu_chart_id": f"analytics-chart-{column}-arpu-data",
                "arpu_chart": {
                    "labels": [row[column] or "—" for row in rows],
                    "horizontal": column != "tier",
                    "datasets": [
                        {
                            "label": gettext("ARPU a month"),
                            "data": [row["arpu_monthly"] for row in rows],
                            "color": "#2f7d4f",
                        }
                    ],
                },
            }
        )
    context: dict[str, Any] = {
        "analytics": data,
        "groups": groups,
        "chart_pareto": {
            "xLinear": True,
            "xPercent": True,
            "percent": True,
            "xMax": 1,
            "yMax": 1,
            "xTitle": gettext("Share of customers, largest first"),
            "yTitle": gettext("Share of revenue"),
            "datasets": [
                {
                    "label": gettext("Customers' cumulative revenue"),
                    "data": curve,
                    "points": False,
                    "fill": True,
                },
                {
                    "label": gettext("Equal revenue"),
                    "data": [{"x": 0, "y": 0}, {"x": 1, "y": 1}],
                    "dashed": True,
                    "points": False,
                    "color": "#646b79",
                },
            ],
        },
        "backtest": backtest,
    }
    calibration = ((backtest or {}).get("backtest") or {}).get("calibration") or []
    if calibration:
        context["chart_calibration"] = {
            "xLinear": True,
            "xPercent": True,
            "percent": True,
            "xMax": 1,
            "yMax": 1,
            "xTitle": gettext("Predicted churn risk"),
            "yTitle": gettext("Observed churn rate"),
            "datasets": [
                {
                    "label": gettext("Backtest"),
                    "showLine": False,
                    "data": [
                        {"x": row["mean_predicted"], "y": row["observed_rate"]}
                        for row in calibration
                        if row.get("count")
                    ],
                },
                {
                    "label": gettext("Perfect calibration"),
                    "data": [{"x": 0, "y": 0}, {"x": 1, "y": 1}],
                    "dashed": True,
                    "points": False,
                    "color": "#646b79",
                },
            ],
        }
    return context


def revenue_chart(months: list[dict[str, Any]]) -> dict[str, Any]:
    """A customer's monthly revenue as the chart draws it (money in the company's currency)."""
    return {
        "labels": [row["month"].strftime("%Y-%m") for row in months],
        "datasets": [{"label": gettext("Revenue"), "data": [float(r["amount"]) for r in months]}],
    }


def workload_chart(by_tier: dict[str, int], *, capacity: int) -> dict[str, Any]:
    """A manager's workload units stacked by tier against their capacity (units)."""
    return {
        "labels": [gettext("Workload"), gettext("Capacity")],
        "horizontal": True,
        "stacked": True,
        "datasets": [
            {
                "label": str(Tier(tier).label) if tier else gettext("Not tiered"),
                "data": [units, 0],
                "stack": "units",
            }
            for tier, units in by_tier.items()
        ]
        + [
            {
                "label": gettext("Capacity"),
                "data": [0, capacity],
                "stack": "units",
                "color": "#646b79",
            }
        ],
    }


def audited_industry(value: Any) -> Any:
    """An industry in a customer's history ([old id, new id], or one id) by its name and code,
    "Telecom (TEL)"; an industry deleted since stays its id."""
    ids = [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, int)]
    if not ids:
        return value
    names = {i.pk: f"{i.name} ({i.code})" for i in Industry.objects.filter(pk__in=ids)}
    if isinstance(value, list):
        return [names.get(v, v) if isinstance(v, int) else v for v in value]
    return names.get(value, value)
