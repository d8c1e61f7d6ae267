"""Where the modules plug into Today: each registers a source of matters that need attention.

A source is a function of the reader that returns that reader's matters (through the module's
own selectors, so the permission rule stays the module's business), and a function that counts
them without building them (the badge on every page uses it). The Today page, its badge,
`GET /api/office/today` and `gmassist office today` all read through `today_for` /
`today_count`, so their counts agree.

    register_today_source(
        TodaySource(
            key="office.tasks.overdue",
            title=_("Overdue delegated tasks"),
            order=30,
            items=lambda user: [TodayItem(...)],
            count=lambda user: ...,
        )
    )
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.functional import Promise

if TYPE_CHECKING:
    from gmassist.core.models import User


class Weight(IntEnum):
    """How much a matter weighs in the ranking of Today: heavier first, then older first."""

    CRITICAL = 3  # harm to the company if it waits a day (an urgent complaint, a key customer)
    HIGH = 2  # late, or about to be (an overdue task, a requisition past its target)
    NORMAL = 1  # waiting for the reader (a proposal, a document, a meeting today)


@dataclass(frozen=True)
class TodayAction:
    """The one action a line offers: `kind` is "approve", "delegate" or "open"; `url` where it
    goes; `method` "get" (a link) or "post" (a button that acts, with the CSRF token)."""

    kind: str
    label: str
    url: str
    method: str = "get"


@dataclass(frozen=True)
class TodayItem:
    """One matter on Today.

    `key` is stable across requests ("core.proposal:12"); `why` says in one short, translated
    sentence why it is the reader's (the GM's, the head's); `since` is when it started waiting
    (its age is counted from it, in days); `about` names the record as "<app_label.model>:<pk>"
    so that a task can be delegated from it (office.tasks), "" when there is none.
    """

    key: str
    title: str
    why: str
    url: str
    since: dt.datetime
    weight: Weight = Weight.NORMAL
    action: TodayAction | None = None
    about: str = ""
    detail: str = ""  # one short line under the title (who, how much, since when)


@dataclass(frozen=True)
class TodaySource:
    """A kind of matter on Today, registered by a module.

    `items(user)` returns the reader's matters of this kind (all of them: Today shows counts
    that agree with the module's own pages; the page keeps each source's list short);
    `count(user)`, when given, counts them without building them; else the items are counted.
    `url` is the module's own page with the whole list, "" when none.
    """

    key: str
    title: str | Promise
    order: int
    items: Callable[[User], list[TodayItem]]
    count: Callable[[User], int] | None = None
    url: str = ""


_SOURCES: dict[str, TodaySource] = {}


def register_today_source(source: TodaySource) -> TodaySource:
    """Register (or replace, on a re-import) a source of Today's matters."""
    _SOURCES[source.key] = source
    return source


def unregister_today_source(key: str) -> None:
    """Remove a source (for tests that register their own)."""
    _SOURCES.pop(key, None)


def registered_today_sources() -> list[TodaySource]:
    """Every registered source, in their `order`."""
    return sorted(_SOURCES.values(), key=lambda source: (source.order, source.key))


# --- helpers for the sources -----------------------------------------------------------------


def since_day(day: dt.date) -> dt.datetime:
    """The start of `day` in the company's time zone, as an aware datetime: the `since` of a
    matter whose module keeps only the day it began (feedback, a requisition's target date)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def age_in_days(since: dt.datetime, *, now: dt.datetime | None = None) -> int:
    """How many whole calendar days (company time) a matter has waited since `since`: 0 on
    the day it began, never negative (a `since` in the future is 0)."""
    today = timezone.localdate(now or timezone.now())
    return max(0, (today - timezone.localdate(since)).days)


def ranked(items: list[TodayItem]) -> list[TodayItem]:
    """`items` in Today's order: heavier first, then the oldest first, then by key (stable
    from one request to the next)."""
    return sorted(items, key=lambda item: (-int(item.weight), item.since, item.key))
