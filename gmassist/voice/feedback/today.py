"""The feedback's source of Today (office.today.registry): the items still owed an answer that
are urgent (a harassment, safety or fraud flag: the GM's office handles them) or past their due
date, through `feedback_queue` and its notions of urgent and overdue. Registered when the
feedback's urls.py is imported."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gmassist.office.today.registry import (
    TodayAction,
    TodayItem,
    TodaySource,
    Weight,
    register_today_source,
    since_day,
)
from gmassist.voice.feedback import selectors
from gmassist.voice.feedback.choices import OPEN_STATUSES, UrgentFlag
from gmassist.voice.feedback.models import Feedback


def feedback_needing_attention(*, user: Any, today: dt.date) -> QuerySet[Feedback]:
    """The items `user` may see that are still owed an answer and urgent, or overdue on
    `today` (company date); oldest first."""
    urgent = (
        selectors.feedback_queue(user=user, today=today, urgent=True)
        .filter(status__in=OPEN_STATUSES)
        .values("pk")
    )
    overdue = selectors.feedback_queue(user=user, today=today, overdue=True).values("pk")
    return (
        selectors.feedback_visible(user=user)
        .filter(Q(pk__in=urgent) | Q(pk__in=overdue))
        .order_by("submitted_on", "id")
    )


def _why(item: Feedback, today: dt.date) -> str:
    if item.is_urgent:
        flags = ", ".join(str(UrgentFlag(flag).label).lower() for flag in item.urgent_flags)
        if item.due_on < today:
            return gettext("Urgent (%(flags)s), and owed an answer since %(due)s") % {
                "flags": flags,
                "due": item.due_on.isoformat(),
            }
        return gettext("Urgent (%(flags)s): the GM's office handles it") % {"flags": flags}
    return gettext("Owed an answer since %(due)s") % {"due": item.due_on.isoformat()}


def _detail(item: Feedback) -> str:
    where = str(item.department) if item.department_id else gettext("To the GM")
    owner = str(item.owner) if item.owner_id else gettext("no owner yet")
    return gettext("%(where)s · %(kind)s · owner: %(owner)s") % {
        "where": where,
        "kind": item.get_kind_display(),
        "owner": owner,
    }


def feedback_items(user: Any) -> list[TodayItem]:
    today = timezone.localdate()
    items = []
    for item in feedback_needing_attention(user=user, today=today):
        url = reverse("voice:feedback_detail", args=[item.pk])
        items.append(
            TodayItem(
                key=f"voice.feedback:{item.pk}",
                title=item.subject,
                why=_why(item, today),
                url=url,
                since=since_day(item.submitted_on),
                weight=Weight.CRITICAL if item.is_urgent else Weight.HIGH,
                action=TodayAction(kind="open", label=gettext("Answer"), url=url),
                about=f"voice.feedback:{item.pk}",
                detail=_detail(item),
            )
        )
    return items


def feedback_count(user: Any) -> int:
    return feedback_needing_attention(user=user, today=timezone.localdate()).count()


register_today_source(
    TodaySource(
        key="voice.feedback",
        title=_("Urgent and overdue feedback"),
        order=40,
        items=feedback_items,
        count=feedback_count,
        url="/voice/feedback/?overdue=on",
    )
)
