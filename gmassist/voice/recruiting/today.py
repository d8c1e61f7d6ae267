"""The recruiting's source of Today (office.today.registry): the open requisitions past their
target date (`requisition_list(overdue=True)`), critical first. Registered when the
recruiting's urls.py is imported."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from gmassist.office.today.registry import (
    TodayAction,
    TodayItem,
    TodaySource,
    Weight,
    register_today_source,
    since_day,
)
from gmassist.voice.recruiting import selectors
from gmassist.voice.recruiting.choices import Urgency


def _overdue(user: Any):
    return selectors.requisition_list(
        user=user, today=timezone.localdate(), overdue=True, sort="urgency"
    ).select_related("department", "position")


def requisition_items(user: Any) -> list[TodayItem]:
    items = []
    for requisition in _overdue(user):
        url = reverse("voice:requisition_detail", args=[requisition.pk])
        items.append(
            TodayItem(
                key=f"voice.requisition:{requisition.pk}",
                title=f"{requisition.code} · {requisition.position.title}",
                why=gettext("Past its target date of %(date)s: %(hired)s of %(count)s hired")
                % {
                    "date": requisition.target_date.isoformat(),
                    "hired": requisition.hired_count,
                    "count": requisition.headcount,
                },
                url=url,
                # it has waited since the day it was meant to be filled
                since=since_day(requisition.target_date),
                weight=Weight.CRITICAL if requisition.urgency == Urgency.CRITICAL else Weight.HIGH,
                action=TodayAction(kind="open", label=pgettext("a line of Today", "Open"), url=url),
                about=f"voice.requisition:{requisition.pk}",
                detail=gettext("%(department)s · %(urgency)s · %(candidates)s candidates")
                % {
                    "department": requisition.department.name,
                    "urgency": requisition.get_urgency_display(),
                    "candidates": requisition.candidate_count,
                },
            )
        )
    return items


def requisition_count(user: Any) -> int:
    return _overdue(user).count()


register_today_source(
    TodaySource(
        key="voice.requisitions",
        title=_("Requisitions past their target date"),
        order=50,
        items=requisition_items,
        count=requisition_count,
        url="/voice/recruiting/requisitions/?overdue=on",
    )
)
