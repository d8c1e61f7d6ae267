"""Today as the page, the API and the CLI show it: one dict per line (with its age in days and
the delegate link when the tasks part is installed), one per section."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from gmassist.office.today.registry import TodayItem, age_in_days
from gmassist.office.today.selectors import TodaySection

# The tasks part of the office makes a task from a matter at this route, `?about=<about>`.
TASK_NEW_ROUTE = "office:task_new"


def delegate_url(item: TodayItem) -> str:
    """Where to delegate `item` as a task (office.tasks' new-task page about its record); ""
    when it names no record."""
    if not item.about:
        return ""
    return f"{reverse(TASK_NEW_ROUTE)}?{urlencode({'about': item.about})}"


def item_out(item: TodayItem, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """One line of Today as plain data (the API's TodayItemOut, the CLI's rows)."""
    action = item.action
    return {
        "key": item.key,
        "title": item.title,
        "why": item.why,
        "detail": item.detail,
        "url": item.url,
        "since": item.since,
        "age_days": age_in_days(item.since, now=now),
        "weight": item.weight.name.lower(),
        "about": item.about,
        "action": None
        if action is None
        else {
            "kind": action.kind,
            "label": action.label,
            "url": action.url,
            "method": action.method,
        },
        "delegate_url": delegate_url(item),
    }


def section_out(
    section: TodaySection, *, now: dt.datetime | None = None, limit: int | None = None
) -> dict[str, Any]:
    """One section as plain data: its count (all its matters) and its lines (the first
    `limit`, all of them for None)."""
    now = now or timezone.now()
    items = section.items if limit is None else section.items[:limit]
    return {
        "key": section.key,
        "title": section.title,
        "url": section.url,
        "count": section.count,
        "items": [item_out(item, now=now) for item in items],
    }
