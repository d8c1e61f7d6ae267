"""Where the modules plug into a person's iCalendar feed: each registers a source of dated
entries for one user (their meetings, the due dates of their tasks, the deadlines of the
decisions they must acknowledge, later their training sessions). The feed view turns them into
VEVENTs with the `icalendar` library.

    register_feed_source(FeedSource(key="office.tasks", entries=lambda user: [...]))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gmassist.core.models import User


@dataclass(frozen=True)
class FeedPerson:
    """An organiser or attendee of an entry: a name, an e-mail address (may be empty) and,
    for an attendee, their answer as RFC 5545 says it (PARTSTAT: NEEDS-ACTION, ACCEPTED,
    DECLINED, TENTATIVE)."""

    name: str
    email: str = ""
    status: str = "NEEDS-ACTION"


@dataclass(frozen=True)
class FeedEntry:
    """One entry of a feed.

    `uid` is stable and globally unique ("task-12@gmassist"); `start`/`end` are aware datetimes
    for timed entries, or dates for all-day ones (a due date: `end` is the next day, as RFC 5545
    wants for DTEND of a one-day event); `rrule` is an RFC 5545 RRULE value as a dict
    ({"FREQ": "WEEKLY", "BYDAY": "MO"}) for a recurring entry, None otherwise; `sequence`
    grows each time the entry changes, so calendars replace their copy; `url` is where the
    entry is in the application (absolute path).
    """

    uid: str
    summary: str
    start: dt.datetime | dt.date
    end: dt.datetime | dt.date
    description: str = ""
    location: str = ""
    url: str = ""
    rrule: dict[str, object] | None = None
    sequence: int = 0
    cancelled: bool = False
    # a meeting's organiser and attendees (ORGANIZER, ATTENDEE); none for a deadline
    organizer: FeedPerson | None = None
    attendees: tuple[FeedPerson, ...] = ()


@dataclass(frozen=True)
class FeedSource:
    key: str
    entries: Callable[[User], list[FeedEntry]]


_SOURCES: dict[str, FeedSource] = {}


def register_feed_source(source: FeedSource) -> FeedSource:
    """Register (or replace, on a re-import) a source of feed entries."""
    _SOURCES[source.key] = source
    return source


def registered_feed_sources() -> list[FeedSource]:
    """Every registered source, by key."""
    return [_SOURCES[key] for key in sorted(_SOURCES)]
