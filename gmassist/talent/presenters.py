"""How the talent app's numbers are shown: charts, nine-box and risk-band labels, plan actions
and reasons in the reader's language, built from what the selectors read (so selectors only
read and views only wire). Used by the pages and the API alike."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gmassist.talent import selectors
from gmassist.talent.models import RiskModelRun


def compa_chart(distribution: list[dict]) -> dict[str, list]:
    """The compa-ratio distribution as the chart draws it: {labels, values}."""
    labels = []
    for bin_ in distribution:
        if bin_["lower"] == 0:
            labels.append(f"< {bin_['upper']:.2f}")
        elif bin_["upper"] is None:
            labels.append(f"≥ {bin_['lower']:.2f}")
        else:
            labels.append(f"{bin_['lower']:.2f}–{bin_['upper']:.2f}")
    return {"labels": labels, "values": [bin_["count"] for bin_ in distribution]}


PERFORMANCE_LABELS = {
    "low": _("Performance below 3"),
    "medium": _("Performance 3 to 4"),
    "high": _("Performance 4 and up"),
}


POTENTIAL_LABELS = {"low": _("Potential 1"), "medium": _("Potential 2"), "high": _("Potential 3")}


BAND_LABELS = {
    "low": _("Low (under 10%)"),
    "medium": _("Medium (10% to 25%)"),
    "high": _("High (25% and up)"),
}


INSTRUMENT_LABELS = {
    "raise": _("Raise %(share)s (%(amount)s a year)"),
    "promotion": _("Promotion to the next grade (new pay %(new_base_pay)s)"),
    "bonus": _("One-time bonus %(amount)s"),
    "options": _("%(units)s stock options (%(amount)s)"),
    "leave": _("%(days)s extra days of paid leave (%(amount)s)"),
    "development": _("Development programme (%(amount)s)"),
}


def calibration_chart(run: RiskModelRun | None) -> dict[str, Any] | None:
    """The backtest's calibration as the chart draws it: predicted against observed per bin."""
    bins = [b for b in (run.calibration if run else []) if b.get("count")]
    if not bins:
        return None
    return {
        "xLinear": True,
        "xPercent": True,
        "percent": True,
        "xMax": 1,
        "yMax": 1,
        "xTitle": gettext("Predicted leaving risk"),
        "yTitle": gettext("Observed leaving rate"),
        "datasets": [
            {
                "label": gettext("Backtest"),
                "showLine": False,
                "data": [{"x": b["mean_predicted"], "y": b["observed_rate"]} for b in bins],
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


def heat_level(share: float) -> int:
    """A cell's shade on the heat map, 0 (white) to 10 (red), by the share of the row: the
    class heat-<level> of talent.css (a class, not an inline style, for the CSP)."""
    return round(10 * max(0.0, min(share, 1.0)))


def action_text(action: dict[str, Any]) -> str:
    """One action of a plan line in the active language."""
    params = {
        key: f"{value:.0%}"
        if key == "share"
        else f"{value:,.0f}"
        if isinstance(value, float)
        else value
        for key, value in action.items()
    }
    template = INSTRUMENT_LABELS.get(action.get("instrument", ""))
    return str(template) % params if template else str(action)


def plan_line_reason_text(reason: dict[str, Any]) -> str:
    return gettext(reason["template"]) % reason.get("params", {})


def shaded_heatmap(cells: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The heat map's cells (`selectors.risk_heatmap_cells`) with their shades (`heat_level`):
    each band's count by its share of the department, the mean risk by its distance to high."""
    for cell in cells:
        cell["band_cells"] = [
            {
                "band": name,
                "count": cell["bands"][name],
                "heat": heat_level(cell["bands"][name] / cell["people"]),
            }
            for name, _low, _high in selectors.RISK_BANDS
        ]
        cell["heat"] = heat_level(cell["mean_risk"] / selectors.HIGH_RISK / 2)
    return cells


def nine_box_rows(grid: dict[str, Any], *, selected: str = "") -> list[dict[str, Any]]:
    """The nine-box grid (`selectors.nine_box_ids`) as rows, high performance first: each row's
    label and its three cells (key "<performance>-<potential>", head count, whether chosen)."""
    return [
        {
            "level": level,
            "label": PERFORMANCE_LABELS[level],
            "cells": [
                {
                    "key": f"{level}-{pot}",
                    "count": len(grid["cells"][f"{level}-{pot}"]),
                    "selected": selected == f"{level}-{pot}",
                }
                for pot, _v in selectors.POTENTIAL_LEVELS
            ],
        }
        for level, _low in reversed(selectors.PERFORMANCE_LEVELS)
    ]


def potential_labels() -> list[str]:
    """The nine-box's column headings, low potential first."""
    return [POTENTIAL_LABELS[p] for p, _v in selectors.POTENTIAL_LEVELS]


def band_labels() -> list[str]:
    """The risk bands' headings, low first."""
    return [BAND_LABELS[name] for name, _low, _high in selectors.RISK_BANDS]
