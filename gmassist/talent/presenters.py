"""How the talent app's numbers are shown: charts, nine-box and risk-band labels, plan actions
and reasons in the reader's language, built from what the selectors read (so selectors only
read and views only wire). Used by the pages and the API alike."""

from __future__ import annotations

from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from gmassist.talent import selectors
from gmassist.talent.engine import leaving
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


# a band's name with its limits (probabilities within 12 months, as whole percents)
BAND_TEMPLATES = {
    "low": _("Low (under %(medium)s)"),
    "medium": _("Medium (%(medium)s to %(high)s)"),
    "high": _("High (%(high)s and up)"),
}
BAND_NAMES = {"low": _("Low"), "medium": _("Medium"), "high": _("High")}


def percent(share: float | None) -> str:
    """A share (0-1) as a whole percent, e.g. "13%"; "—" for none."""
    return "—" if share is None else f"{share:.0%}"


def _limits(bands: leaving.RiskBands) -> dict[str, str]:
    return {
        "medium": percent(bands.medium_from),
        "high": percent(bands.high_from),
        "rate": percent(bands.base_rate),
        "medium_floor": percent(leaving.MEDIUM_FLOOR),
        "high_floor": percent(leaving.HIGH_FLOOR),
    }


def band_label(name: str, bands: leaving.RiskBands) -> str:
    """A band with its limits in the active language, e.g. "High (26% and up)"."""
    return str(BAND_TEMPLATES[name]) % _limits(bands)


def band_labels(bands: leaving.RiskBands) -> list[str]:
    """The risk bands' headings with their limits, low first."""
    return [band_label(name, bands) for name in leaving.BAND_NAMES]


def bands_explained(bands: leaving.RiskBands) -> str:
    """What the bands mean, in a sentence of the active language."""
    limits = _limits(bands)
    if bands.base_rate is None:
        return (
            gettext(
                "High: %(high)s and up within 12 months; medium: %(medium)s to %(high)s; low: "
                "under %(medium)s. The company's yearly leaving rate is not known yet."
            )
            % limits
        )
    if bands.floored:
        return (
            gettext(
                "High: %(high)s and up within 12 months; medium: %(medium)s to %(high)s; low: "
                "under %(medium)s. The company's yearly leaving rate, %(rate)s, is low: medium "
                "never starts under %(medium_floor)s nor high under %(high_floor)s."
            )
            % limits
        )
    return (
        gettext(
            "High: at least twice the company's yearly leaving rate of %(rate)s (%(high)s and up "
            "within 12 months); medium: at least that rate (%(medium)s to %(high)s); low: under "
            "%(medium)s. The rate is the share of the people here a year ago who left of their "
            "own accord within the year."
        )
        % limits
    )


def high_risk_label(bands: leaving.RiskBands) -> str:
    """The overview's words under the number at high risk."""
    limits = _limits(bands)
    if bands.base_rate is None or bands.floored:
        return gettext("at high risk (%(high)s and up within 12 months)") % limits
    return (
        gettext(
            "at high risk: at least 2× the company's %(rate)s yearly leaving rate (%(high)s and "
            "up within 12 months)"
        )
        % limits
    )


INSTRUMENT_LABELS = {
    "raise": _("Raise %(share)s (%(amount)s a year)"),
    "promotion": _("Promotion to the next grade (new pay %(new_base_pay)s)"),
    "bonus": _("One-time bonus %(amount)s"),
    "options": _("%(units)s stock options (%(amount)s)"),
    "leave": _("%(days)s extra days of paid leave (%(amount)s)"),
    "development": _("Development programme (%(amount)s)"),
}


def calibration_chart(run: RiskModelRun | None) -> dict[str, Any] | None:
    """The backtest's calibration as the chart draws it: predicted against observed per bin,
    as the model predicted and after recalibration (when the run has it)."""
    bins = [b for b in (run.calibration if run else []) if b.get("count")]
    if not bins or run is None:
        return None
    after = [b for b in (run.calibration_after or []) if b.get("count")]
    datasets: list[dict[str, Any]] = [
        {
            "label": gettext("Backtest, as predicted"),
            "showLine": False,
            "data": [{"x": b["mean_predicted"], "y": b["observed_rate"]} for b in bins],
        }
    ]
    if after:
        datasets.append(
            {
                "label": gettext("Backtest, recalibrated"),
                "showLine": False,
                "color": "#2f7d4f",
                "data": [{"x": b["mean_predicted"], "y": b["observed_rate"]} for b in after],
            }
        )
    return {
        "xLinear": True,
        "xPercent": True,
        "percent": True,
        "xMax": 1,
        "yMax": 1,
        "xTitle": gettext("Predicted leaving risk"),
        "yTitle": gettext("Observed leaving rate"),
        "datasets": [
            *datasets,
            {
                "label": gettext("Perfect calibration"),
                "data": [{"x": 0, "y": 0}, {"x": 1, "y": 1}],
                "dashed": True,
                "points": False,
                "color": "#646b79",
            },
        ],
    }


def model_quality(run: RiskModelRun | None) -> str:
    """The backtest in a sentence of the active language: ROC AUC with its 95% interval, on how
    many people and leavers, trained on what was known by when; "" without a backtest."""
    if run is None or run.backtest_auc is None or run.backtest_month is None:
        return ""
    params = {
        "auc": f"{run.backtest_auc:.2f}",
        "n": f"{run.backtest_test_rows:,}",
        "leavers": f"{run.backtest_leavers:,}",
        "month": run.backtest_month.isoformat(),
    }
    if run.backtest_auc_low is None or run.backtest_auc_high is None:
        return (
            gettext(
                "ROC AUC %(auc)s on %(n)s people, %(leavers)s leavers, trained on what was "
                "known by %(month)s."
            )
            % params
        )
    params["low"] = f"{run.backtest_auc_low:.2f}"
    params["high"] = f"{run.backtest_auc_high:.2f}"
    return (
        gettext(
            "ROC AUC %(auc)s (95%% CI %(low)s–%(high)s) on %(n)s people, %(leavers)s leavers, "
            "trained on what was known by %(month)s."
        )
        % params
    )


def history_chart(
    model_history: list[dict[str, Any]],
    scored_then: list[dict[str, Any]],
    bands: leaving.RiskBands,
) -> dict[str, Any] | None:
    """A person's risk month by month as the chart draws it: today's model on each month-end
    (`model_history`), the scores made at the time when there is more than one
    (`scored_then`), and the band limits as dashed lines; month labels in the active
    language. None with fewer than two months."""
    series = model_history or scored_then
    if len(series) < 2:
        return None
    months = [h["as_of"] for h in series]
    # a short month for the axis, as each language writes it ("Mar 2024", "2024年3月"): the
    # Django date format is translated
    month_format = gettext("M Y")
    labels = [date_format(month, month_format) for month in months]
    datasets: list[dict[str, Any]] = [
        {
            "label": gettext("Leaving risk (today's model)")
            if model_history
            else gettext("Leaving risk"),
            "data": [round(h["probability"], 4) for h in series],
            "color": "#c4513d",
        }
    ]
    if model_history and len(scored_then) > 1:
        then = {h["as_of"]: h["probability"] for h in scored_then}
        datasets.append(
            {
                "label": gettext("As scored that month"),
                "data": [None if m not in then else round(then[m], 4) for m in months],
                "color": "#1f5fbf",
                "showLine": False,
            }
        )
    for name, limit, color in (
        ("high", bands.high_from, "#c4513d"),
        ("medium", bands.medium_from, "#b7791f"),
    ):
        datasets.append(
            {
                "label": band_label(name, bands),
                "data": [limit] * len(months),
                "dashed": True,
                "points": False,
                "color": color,
            }
        )
    return {"percent": True, "labels": labels, "datasets": datasets}


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


def shaded_heatmap(cells: list[dict[str, Any]], bands: leaving.RiskBands) -> list[dict[str, Any]]:
    """The heat map's cells (`selectors.risk_heatmap_cells`) with their shades (`heat_level`):
    each band's count by its share of the department, the mean risk by its distance to twice
    the high band's limit."""
    for cell in cells:
        cell["band_cells"] = [
            {
                "band": name,
                "count": cell["bands"][name],
                "heat": heat_level(cell["bands"][name] / cell["people"]),
            }
            for name in leaving.BAND_NAMES
        ]
        cell["heat"] = heat_level(cell["mean_risk"] / bands.high_from / 2)
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


# what the edit form of a plan line calls each action's amount
AMOUNT_LABELS = {
    "raise": _("Raise, a year"),
    "promotion": _("Pay increase of the promotion, a year"),
    "bonus": _("Bonus, once"),
    "options": _("Stock options, value"),
    "leave": _("Paid leave, value"),
    "development": _("Development programme, cost"),
}


def _money(value: Any) -> str:
    return f"{float(value):,.0f}"


def plan_spending_note(summary: dict[str, Any], *, budget: Any) -> str:
    """What the plan spends of its budget and why, in the active language: the whole budget
    only when more would still be worth it; less, or nothing, when no other action is worth
    its cost ("Spend 41,200 of the 300,000 budget: no other action is worth its cost"); ""
    for a plan made before plans said so."""
    if "worth_cost" not in summary:
        return ""
    values = {
        "cost": _money(summary.get("total_cost") or 0),
        "budget": _money(budget),
        "net": _money(summary.get("total_net") or 0),
        "worth": _money(summary.get("worth_cost") or 0),
        "worth_net": _money(summary.get("worth_net") or 0),
    }
    if summary.get("edited"):
        return (
            gettext(
                "Edited by hand: spends %(cost)s of the %(budget)s budget for a net value of "
                "%(net)s."
            )
            % values
        )
    if not summary.get("total_cost"):
        return gettext("Spend nothing of the %(budget)s budget: no action is worth its cost.") % (
            values
        )
    if summary.get("budget_binds"):
        return (
            gettext(
                "Spend %(cost)s of the %(budget)s budget. The budget is the limit: spending "
                "%(worth)s would be worth it, for a net value of %(worth_net)s."
            )
            % values
        )
    return (
        gettext("Spend %(cost)s of the %(budget)s budget: no other action is worth its cost.")
        % values
    )


def plan_left_out(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """Who was left out of the plan's candidates and why, in the active language: the GM
    ("decided outside the application"), the plan's maker and HR ("nobody decides their own
    case")."""
    from gmassist.talent.services import EXCLUDED_REASONS

    return [
        {
            "employee_id": person["employee_id"],
            "employee_no": person["employee_no"],
            "full_name": person["full_name"],
            "reason": gettext(EXCLUDED_REASONS.get(person["reason"], person["reason"])),
        }
        for person in summary.get("left_out") or []
    ]


def line_return(*, effect: float, cost: Any) -> float | None:
    """A line's return: retained value per unit of cost; None when it costs nothing."""
    return effect / float(cost) if float(cost) > 0 else None


def action_amount(action: dict[str, Any], *, base_pay: float | None) -> float | None:
    """The amount an edit changes (company currency): a promotion's pay increase over
    `base_pay` (None when the pay is not known), every other action's amount."""
    if action.get("instrument") == "promotion":
        if base_pay is None:
            return None
        return round(float(action["new_base_pay"]) - base_pay, 2)
    amount = action.get("amount")
    return None if amount is None else float(amount)


def line_edit_fields(line: Any) -> list[dict[str, Any]]:
    """The fields of a plan line's edit form: one per action, {instrument, name, label,
    amount}."""
    base_pay = (line.inputs or {}).get("base_pay")
    if base_pay is None and line.employee.base_pay is not None:
        base_pay = float(line.employee.base_pay)
    fields = []
    for action in line.actions:
        instrument = action.get("instrument", "")
        amount = action_amount(action, base_pay=base_pay)
        if amount is None or instrument not in AMOUNT_LABELS:
            continue
        fields.append(
            {
                "instrument": instrument,
                "name": f"amount_{instrument}",
                "label": AMOUNT_LABELS[instrument],
                "amount": f"{amount:.0f}" if float(amount).is_integer() else f"{amount:.2f}",
            }
        )
    return fields


def person_risk_evidence(*, user: Any, employee: Any) -> list[dict[str, Any]]:
    """The leaving risk in the evidence of a proposal about `employee`, when `user` may read it
    (the read audited by `person_risk`): the latest probability and the month it describes
    (numbers only, so that every reader reads it in their language)."""
    risk = selectors.person_risk(user=user, employee=employee)
    latest = risk["latest"] if risk else None
    if latest is None:
        return []
    value = f"{latest.probability:.0%} ({latest.as_of.isoformat()})"
    return [{"label": gettext_noop("leaving risk in the next 12 months"), "value": value}]
