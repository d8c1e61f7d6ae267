"""Presentation of the triage: a proposal's reasons in the reader's language, and the
acceptance report's chart (bars drawn as SVG by the template, no script needed)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from gmassist.office.triage.choices import Category, Route
from gmassist.office.triage.models import Matter


def category_label(value: str) -> str:
    return str(dict(Category.choices).get(value, value))


def route_label(value: str) -> str:
    return str(dict(Route.choices).get(value, value))


def _percent(value: float) -> int:
    return round(value * 100)


def reason_text(reason: dict[str, Any]) -> str:
    """One reason of a proposal, e.g. "mentions 'press': the company's image and management"."""
    kind = reason.get("kind")
    category = category_label(reason.get("category", ""))
    if kind == "rule":
        return _("mentions “%(phrase)s” (the GM's rule): %(category)s") % {
            "phrase": reason.get("phrase", ""),
            "category": category,
        }
    if kind == "classifier":
        return _("reads like the GM's past matters of “%(category)s”") % {"category": category}
    if kind == "runner_up":
        return _("next likeliest: %(category)s (%(percent)s%%)") % {
            "category": category,
            "percent": _percent(reason.get("confidence", 0)),
        }
    if kind == "unsure":
        return _("unsure: less than %(percent)s%% sure, the GM decides") % {
            "percent": _percent(reason.get("threshold", 0))
        }
    if kind == "owner_head":
        return _("owner: the head of %(department)s, the department it is about") % {
            "department": reason.get("department", "")
        }
    if kind == "owner_rule":
        return _("owner: named by the rule")
    return ""


def proposal_reasons(matter: Matter) -> list[str]:
    """The reasons of a matter's proposal, worded."""
    return [text for text in (reason_text(r) for r in matter.reasons or []) if text]


def acceptance_bars(report: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The report's rows with their labels and bar widths (percent of the row's decisions
    accepted, 0-100), for the chart and the tables."""

    def rows(entries: list[dict[str, Any]], key: str, label) -> list[dict[str, Any]]:
        return [
            {
                **entry,
                "label": label(entry[key]),
                "percent": None if entry["rate"] is None else round(entry["rate"] * 100, 1),
                "width": 0 if entry["rate"] is None else round(entry["rate"] * 100),
            }
            for entry in entries
        ]

    proposers = {
        "rule": _("The GM's rules"),
        "classifier": _("The classifier, sure"),
        "unsure": _("The classifier, unsure"),
    }
    return {
        "by_month": rows(report["by_month"], "month", str),
        "by_category": rows(report["by_category"], "category", category_label),
        "by_route": rows(report["by_route"], "route", route_label),
        "by_proposer": rows(report["by_proposer"], "proposer", lambda v: str(proposers[v])),
    }
