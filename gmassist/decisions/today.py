"""The decisions' source of Today (office.today.registry): drafts waiting to be published by
the reader (or, for the GM's office, by the GM) and decisions in force with objections to
their current version (an amendment answers the objections to the version before it).
Registered when the decisions' urls.py is imported."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, Min
from django.urls import reverse
from django.utils.translation import gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _

from gmassist.core.choices import Action
from gmassist.core.permissions import Domain, may
from gmassist.decisions import selectors
from gmassist.decisions.choices import LIVE_STATUSES, DecisionStatus, ResponseKind
from gmassist.decisions.models import Response
from gmassist.office.today.registry import (
    TodayAction,
    TodayItem,
    TodaySource,
    Weight,
    register_today_source,
    since_day,
)


def _drafts(user: Any) -> list[tuple[Any, bool]]:
    """The drafts waiting on `user`, oldest first, with whether `user` may publish them: the
    ones they may publish, and for the GM's office every draft (the GM publishes them)."""
    from gmassist.office.today.selectors import today_reach

    whole_office = today_reach(user) == "all"
    drafts = []
    for decision in selectors.decisions_visible(user=user).filter(status=DecisionStatus.DRAFT):
        publishes = may(
            user, Domain.DECISIONS, Action.APPROVE, department_id=decision.department_id
        )
        if publishes or whole_office:
            drafts.append((decision, publishes))
    return sorted(drafts, key=lambda pair: (pair[0].created_at, pair[0].pk))


def _objections(user: Any) -> list[dict[str, Any]]:
    """Per decision in force that `user` sees: its objections to the current version that
    `user` may read ({"decision_id", "objections", "first"}: the count and the first day)."""
    live = selectors.decisions_visible(user=user).filter(status__in=LIVE_STATUSES)
    return list(
        Response.objects.restrict(user, Action.VIEW)
        .filter(
            decision__in=live.values("pk"),
            kind=ResponseKind.OBJECTION,
            version=F("decision__version"),
        )
        .order_by()
        .values("decision_id")
        .annotate(objections=Count("pk"), first=Min("submitted_on"))
    )


def decision_items(user: Any) -> list[TodayItem]:
    items = []
    for decision, publishes in _drafts(user):
        url = reverse("decisions:detail", args=[decision.pk])
        author = str(decision.author) if decision.author_id else gettext("the assistant")
        items.append(
            TodayItem(
                key=f"decisions.decision:{decision.pk}:draft",
                title=decision.title,
                why=gettext("A draft waiting for you to publish it")
                if publishes
                else gettext("A draft waiting for the GM to publish it"),
                url=url,
                since=decision.created_at,
                weight=Weight.NORMAL,
                action=TodayAction(kind="open", label=gettext("Review"), url=url),
                about=f"decisions.decision:{decision.pk}",
                detail=gettext("Drafted by %(who)s · takes effect %(date)s")
                % {"who": author, "date": decision.effective_date.isoformat()},
            )
        )
    rows = _objections(user)
    decisions = selectors.decisions_visible(user=user).in_bulk([row["decision_id"] for row in rows])
    for row in rows:
        decision = decisions[row["decision_id"]]
        url = reverse("decisions:detail", args=[decision.pk])
        items.append(
            TodayItem(
                key=f"decisions.decision:{decision.pk}:objections",
                title=decision.title,
                why=ngettext(
                    "%(count)s objection to the version in force",
                    "%(count)s objections to the version in force",
                    row["objections"],
                )
                % {"count": row["objections"]},
                url=url,
                since=since_day(row["first"]),
                weight=Weight.NORMAL,
                action=TodayAction(kind="open", label=pgettext("a line of Today", "Open"), url=url),
                about=f"decisions.decision:{decision.pk}",
                detail=gettext("Version %(version)s · in force since %(date)s")
                % {"version": decision.version, "date": decision.effective_date.isoformat()},
            )
        )
    return items


def decision_count(user: Any) -> int:
    return len(_drafts(user)) + len(_objections(user))


register_today_source(
    TodaySource(
        key="decisions",
        title=_("Decisions: drafts and objections"),
        order=70,
        items=decision_items,
        count=decision_count,
        url="/decisions/",
    )
)
