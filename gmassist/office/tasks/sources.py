"""Where the delegated tasks show outside their own pages: the inbox section "Your tasks", the
Today sources (the GM's desk, late tasks one delegated, late tasks of a head's departments) and
the feed source of one's open tasks' due dates.

Imported by the part's urls.py and jobs.py (which core.registry imports at start-up), so that
every process has them, the CLI's `gmassist office today` as well as the web.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gmassist.core.inbox import InboxItem, InboxSection, register_inbox_section
from gmassist.office.schedule.feed_sources import FeedEntry, FeedSource, register_feed_source
from gmassist.office.today.registry import (
    TodayAction,
    TodayItem,
    TodaySource,
    Weight,
    register_today_source,
)

# --- the inbox: one's own open tasks ---------------------------------------------------------


def _status_word(task) -> str:
    from gmassist.office.tasks import presenters

    return presenters.lateness(task, timezone.localdate()) or str(task.get_status_display())


def _my_task_items(user) -> list[InboxItem]:
    from gmassist.office.tasks import selectors

    return [
        InboxItem(
            title=task.title,
            url=reverse("office:task", args=[task.pk]),
            due=task.due_on,
            status=_status_word(task),
            needs_action=True,
            detail=gettext("From %(name)s") % {"name": task.delegated_by}
            if task.delegated_by_id and task.delegated_by_id != user.pk
            else str(task.get_priority_display()),
        )
        for task in selectors.tasks_owned_open(user=user)[:10]
    ]


def _my_task_count(user) -> int:
    from gmassist.office.tasks import selectors

    return selectors.tasks_owned_open(user=user).count()


register_inbox_section(
    InboxSection(
        key="office.tasks",
        title=_("Your tasks"),
        order=25,
        items=_my_task_items,
        action_count=_my_task_count,
        url="/office/tasks/?whose=mine&status=open_any",
    )
)


# --- Today -----------------------------------------------------------------------------------


def _since(task) -> dt.datetime:
    return task.escalated_at or task.created_at


def _open_action(task) -> TodayAction:
    return TodayAction(
        kind="open", label=gettext("Open"), url=reverse("office:task", args=[task.pk])
    )


def _late_detail(task) -> str:
    from gmassist.office.tasks import presenters

    return gettext("%(owner)s · %(late)s") % {
        "owner": task.owner,
        "late": presenters.lateness(task, timezone.localdate()),
    }


def _at_gm_desk(user) -> list[TodayItem]:
    from gmassist.office.tasks import selectors

    return [
        TodayItem(
            key=f"office.task:{task.pk}",
            title=task.title,
            why=gettext("Late, and its owner's head did not get it done: it is now the GM's."),
            url=reverse("office:task", args=[task.pk]),
            since=_since(task),
            weight=Weight.HIGH,
            action=_open_action(task),
            detail=_late_detail(task),
        )
        for task in selectors.tasks_at_gm_desk(user=user)
    ]


def _late_delegated(user) -> list[TodayItem]:
    from gmassist.office.tasks import selectors

    return [
        TodayItem(
            key=f"office.task:{task.pk}",
            title=task.title,
            why=gettext("You delegated it and it is late."),
            url=reverse("office:task", args=[task.pk]),
            since=_since(task),
            weight=Weight.HIGH,
            action=_open_action(task),
            detail=_late_detail(task),
        )
        for task in selectors.tasks_late_delegated_by(user=user, today=timezone.localdate())
    ]


def _late_in_subtree(user) -> list[TodayItem]:
    from gmassist.office.tasks import selectors

    return [
        TodayItem(
            key=f"office.task:{task.pk}",
            title=task.title,
            why=gettext("Late in your departments."),
            url=reverse("office:task", args=[task.pk]),
            since=_since(task),
            weight=Weight.HIGH,
            action=_open_action(task),
            detail=_late_detail(task),
        )
        for task in selectors.tasks_late_in_subtree(user=user, today=timezone.localdate())
    ]


def _count(selector_name: str, *, dated: bool):
    def count(user) -> int:
        from gmassist.office.tasks import selectors

        selector = getattr(selectors, selector_name)
        if dated:
            return selector(user=user, today=timezone.localdate()).count()
        return selector(user=user).count()

    return count


register_today_source(
    TodaySource(
        key="office.tasks.gm_desk",
        title=_("Late tasks escalated to the GM"),
        order=30,
        items=_at_gm_desk,
        count=_count("tasks_at_gm_desk", dated=False),
        url="/office/tasks/?overdue=on",
    )
)
register_today_source(
    TodaySource(
        key="office.tasks.delegated_late",
        title=_("Late tasks you delegated"),
        order=31,
        items=_late_delegated,
        count=_count("tasks_late_delegated_by", dated=True),
        url="/office/tasks/?whose=delegated&overdue=on",
    )
)
register_today_source(
    TodaySource(
        key="office.tasks.subtree_late",
        title=_("Late tasks in your departments"),
        order=32,
        items=_late_in_subtree,
        count=_count("tasks_late_in_subtree", dated=True),
        url="/office/tasks/?whose=subtree&overdue=on",
    )
)


# --- the iCalendar feed: the due dates of one's own open tasks ------------------------------


def _due_entries(user) -> list[FeedEntry]:
    from gmassist.office.tasks import selectors

    entries = []
    for task in selectors.tasks_owned_open(user=user).filter(due_on__isnull=False):
        entries.append(
            FeedEntry(
                uid=f"task-{task.pk}@gmassist",
                summary=gettext("Due: %(title)s") % {"title": task.title},
                start=task.due_on,
                end=task.due_on + dt.timedelta(days=1),
                description=task.description,
                url=reverse("office:task", args=[task.pk]),
                # the row changes with every edit: a calendar replaces its copy when it grows
                sequence=int(task.updated_at.timestamp()),
            )
        )
    return entries


register_feed_source(FeedSource(key="office.tasks", entries=_due_entries))
