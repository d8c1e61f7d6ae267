"""The talent's source of Today (office.today.registry): the irreplaceable people (the
key-talent engine's flag) whose leaving-risk band rose between the last two scorings (the bands
of `risk_bands`, each score read in its own run's bands). Every read of the risk goes through
`risk_scores_visible`; showing the lines audits it as a risk read, counting them (the badge)
shows nobody's risk. Registered when the talent's urls.py is imported."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from gmassist.office.today.registry import (
    TodayAction,
    TodayItem,
    TodaySource,
    Weight,
    register_today_source,
)
from gmassist.talent import selectors
from gmassist.talent.engine.leaving import BAND_NAMES
from gmassist.talent.models import RiskModelRun, RiskScore


@dataclass(frozen=True)
class Riser:
    """A key person whose risk band rose: the latest score, and the bands before and now."""

    score: RiskScore
    band_before: str
    band_now: str
    skills: list[str]


def key_people_risk_rose(*, user: Any) -> list[Riser]:
    """The irreplaceable people `user` may read the risk of whose band in the latest run is
    higher than in the run before, highest risk first ([] before two runs)."""
    runs = list(RiskModelRun.objects.order_by("-as_of", "-id")[:2])
    if len(runs) < 2:
        return []
    latest, before = runs
    bands_now, bands_before = selectors.risk_bands(latest), selectors.risk_bands(before)
    previous = RiskScore.objects.filter(run=before, employee=OuterRef("employee")).values(
        "probability"
    )[:1]
    scores = (
        selectors.risk_scores_visible(user=user)
        .filter(run=latest)
        .annotate(probability_before=Subquery(previous))
        .exclude(probability_before=None)
        .select_related("employee", "employee__department", "run")
        .order_by("-probability", "employee__employee_no")
    )
    rose = [
        (score, bands_before.band(score.probability_before), bands_now.band(score.probability))
        for score in scores
    ]
    rose = [
        (score, was, now)
        for score, was, now in rose
        if BAND_NAMES.index(now) > BAND_NAMES.index(was)
    ]
    if not rose:
        return []
    key = selectors.key_people(
        user=user, employee_ids=[score.employee_id for score, _w, _n in rose], with_pay=False
    ).scored
    skills = {
        int(row.employee_id): list(row.irreplaceable_skills)
        for row in key[key["irreplaceable"]].itertuples(index=False)
    }
    return [
        Riser(score=score, band_before=was, band_now=now, skills=skills[score.employee_id])
        for score, was, now in rose
        if score.employee_id in skills
    ]


_BAND_LABELS = {"low": _("low"), "medium": _("medium"), "high": _("high")}


def risk_items(user: Any) -> list[TodayItem]:
    risers = key_people_risk_rose(user=user)
    selectors.audit_risk_read(
        user=user, employee_nos=[r.score.employee.employee_no for r in risers], what="today"
    )
    items = []
    for riser in risers:
        employee = riser.score.employee
        url = reverse("talent:person", args=[employee.pk])
        items.append(
            TodayItem(
                key=f"org.employee:{employee.pk}:risk",
                title=employee.full_name,
                why=gettext(
                    "Irreplaceable, leaving risk rose from %(before)s to %(now)s (%(risk)s%%)"
                )
                % {
                    "before": _BAND_LABELS[riser.band_before],
                    "now": _BAND_LABELS[riser.band_now],
                    "risk": round(riser.score.probability * 100),
                },
                url=url,
                since=riser.score.run.created_at,
                weight=Weight.CRITICAL if riser.band_now == "high" else Weight.HIGH,
                action=TodayAction(kind="open", label=pgettext("a line of Today", "Open"), url=url),
                about=f"org.employee:{employee.pk}",
                detail=gettext("%(department)s · holds %(skills)s")
                % {"department": employee.department.name, "skills": ", ".join(riser.skills)},
            )
        )
    return items


def risk_count(user: Any) -> int:
    return len(key_people_risk_rose(user=user))


register_today_source(
    TodaySource(
        key="talent.risk",
        title=_("Key people whose leaving risk rose"),
        order=80,
        items=risk_items,
        count=risk_count,
        url="/talent/risk/?band=high",
    )
)
