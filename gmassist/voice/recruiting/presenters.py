"""Presentation of the recruiting contacts: why an agency is suggested, in the reader's language,
and the charts of the agencies' results and of the time to fill."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gmassist.voice.engine.recruiting import AgencyPerformance, Reason, TimeToFill


def reason_text(reason: Reason) -> str:
    """One reason of `engine.recruiting.suggest_agencies`, as a short phrase."""
    values = reason.values
    if reason.code == "speciality":
        return _("speciality: %(speciality)s") % values
    if reason.code == "family_hires":
        return (
            ngettext(
                "%(hires)d hire for %(family)s", "%(hires)d hires for %(family)s", values["hires"]
            )
            % values
        )
    if reason.code == "hire_rate":
        return _("%(hires)d hired of %(sent)d sent") % values
    if reason.code == "breaches":
        return (
            ngettext("%(count)d guarantee breach", "%(count)d guarantee breaches", values["count"])
            % values
        )
    return _("no results yet")


def performance_chart(rows: list[AgencyPerformance]) -> dict[str, Any]:
    """Candidates sent, interviewed and hired, per agency that sent anyone (grouped bars)."""
    active = [row for row in rows if row.sent]
    return {
        "labels": [row.name for row in active],
        "series": [
            {"label": str(_("Candidates sent")), "values": [row.sent for row in active]},
            {"label": str(_("Interviewed")), "values": [row.interviewed for row in active]},
            {"label": str(_("Hired")), "values": [row.hires for row in active]},
        ],
    }


def time_to_fill_chart(groups: list[TimeToFill]) -> dict[str, Any]:
    """The median days to fill of each group (a department), as bars."""
    return {
        "labels": [g.group for g in groups],
        "values": [g.median_days for g in groups],
        "label": str(_("Median days to fill")),
    }
