"""The meeting-slot finder: free times common to several people, in their own working hours.

Pure Python on plain data (no Django): aware datetimes in, aware UTC datetimes out. Working
hours are local wall-clock times in each person's IANA time zone (zoneinfo), so a day that
starts at 09:00 still starts at 09:00 local after a daylight-saving change, although it is an
hour earlier or later in UTC; each local day is turned into UTC on its own.

    find_slots(
        participants=[Participant(key=1, hours=WorkingHours("Europe/Berlin"), busy=[...])],
        duration=dt.timedelta(minutes=60),
        window_start=..., window_end=...,
    )
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UTC = dt.UTC
# Monday to Friday, as datetime.weekday() counts them (0 is Monday)
WORKDAYS: frozenset[int] = frozenset(range(5))
# How many slots the finder proposes by default
DEFAULT_LIMIT = 5
# The longest search window the finder accepts: beyond it nobody plans a meeting by slot
MAX_WINDOW = dt.timedelta(days=92)


class SlotError(ValueError):
    """A search the finder cannot run (says what is wrong with which input)."""


@functools.lru_cache(maxsize=512)
def zone_of(name: str) -> ZoneInfo:
    """The IANA time zone `name` ("Europe/Berlin"), or SlotError naming it when unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise SlotError(
            f"unknown time zone {name!r} (use an IANA name such as Europe/Berlin)"
        ) from None


@dataclass(frozen=True, order=True)
class Interval:
    """[start, end): two aware datetimes, start before end."""

    start: dt.datetime
    end: dt.datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise SlotError(f"interval {self.start}–{self.end} needs aware datetimes")
        if self.end <= self.start:
            raise SlotError(f"interval ends ({self.end}) before or when it starts ({self.start})")

    def overlaps(self, other: Interval) -> bool:
        """True when the two share some time (touching ends do not overlap)."""
        return self.start < other.end and other.start < self.end

    def utc(self) -> Interval:
        return Interval(self.start.astimezone(UTC), self.end.astimezone(UTC))


@dataclass(frozen=True)
class WorkingHours:
    """When a person works: from `start` to `end` local time in `zone`, on `weekdays`
    (0 Monday … 6 Sunday). The default is 09:00-18:00, Monday to Friday."""

    zone: str
    start: dt.time = dt.time(9)
    end: dt.time = dt.time(18)
    weekdays: frozenset[int] = WORKDAYS

    def __post_init__(self) -> None:
        zone_of(self.zone)
        if self.end <= self.start:
            raise SlotError(f"working hours end ({self.end}) before they start ({self.start})")
        if not self.weekdays or not set(self.weekdays) <= set(range(7)):
            raise SlotError(f"working days {sorted(self.weekdays)} must be some of 0-6")

    def intervals(self, window: Interval) -> list[Interval]:
        """The working periods of this person that meet `window`, in UTC, oldest first.

        Each local day is placed in its own UTC offset; a start or end that falls in a
        daylight-saving gap moves forward by the gap (zoneinfo's fold=0 reading, normalised
        through UTC), as a clock does."""
        zone = zone_of(self.zone)
        first = window.start.astimezone(zone).date() - dt.timedelta(days=1)
        last = window.end.astimezone(zone).date() + dt.timedelta(days=1)
        out: list[Interval] = []
        day = first
        while day <= last:
            if day.weekday() in self.weekdays:
                start = _wall_to_utc(day, self.start, zone)
                end = _wall_to_utc(day, self.end, zone)
                if end > start:
                    period = Interval(start, end)
                    if period.overlaps(window):
                        out.append(period)
            day += dt.timedelta(days=1)
        return out


def _wall_to_utc(day: dt.date, time: dt.time, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True)
class Participant:
    """One person to meet: a key the caller knows them by, their working hours and their busy
    intervals (aware, in any zone)."""

    key: Hashable
    hours: WorkingHours
    busy: Sequence[Interval] = field(default_factory=tuple)


@dataclass(frozen=True)
class Slot:
    """A proposed meeting time, in UTC, with each participant's local start and end."""

    start: dt.datetime
    end: dt.datetime

    def local(self, zone: str) -> tuple[dt.datetime, dt.datetime]:
        """The slot's start and end on the wall clock of `zone`."""
        tz = zone_of(zone)
        return self.start.astimezone(tz), self.end.astimezone(tz)


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """The union of `intervals`, in UTC, as disjoint intervals oldest first (touching ones
    are joined)."""
    ordered = sorted(interval.utc() for interval in intervals)
    out: list[Interval] = []
    for interval in ordered:
        if out and interval.start <= out[-1].end:
            if interval.end > out[-1].end:
                out[-1] = Interval(out[-1].start, interval.end)
        else:
            out.append(interval)
    return out


def intersect(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    """The times in both `a` and `b` (each disjoint and sorted), disjoint and sorted."""
    out: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start = max(a[i].start, b[j].start)
        end = min(a[i].end, b[j].end)
        if start < end:
            out.append(Interval(start, end))
        if a[i].end < b[j].end:
            i += 1
        else:
            j += 1
    return out


def subtract(free: Sequence[Interval], busy: Sequence[Interval]) -> list[Interval]:
    """`free` (disjoint, sorted) without the times of `busy` (disjoint, sorted)."""
    out: list[Interval] = []
    j = 0
    for interval in free:
        start = interval.start
        while j < len(busy) and busy[j].end <= start:
            j += 1
        k = j
        while k < len(busy) and busy[k].start < interval.end:
            if busy[k].start > start:
                out.append(Interval(start, busy[k].start))
            start = max(start, busy[k].end)
            k += 1
        if start < interval.end:
            out.append(Interval(start, interval.end))
    return out


def _aligned(moment: dt.datetime, granularity: dt.timedelta) -> dt.datetime:
    """The first multiple of `granularity` (counted from midnight UTC) at or after `moment`."""
    midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    steps = -(-(moment - midnight) // granularity)  # ceiling division of timedeltas
    return midnight + steps * granularity


def common_free_time(*, participants: Sequence[Participant], window: Interval) -> list[Interval]:
    """The times inside `window` when every participant works and nobody is busy (UTC)."""
    window = window.utc()
    free: list[Interval] = [window]
    for participant in participants:
        free = intersect(free, participant.hours.intervals(window))
    busy = merge(b for participant in participants for b in participant.busy)
    return subtract(free, busy)


def find_slots(
    *,
    participants: Sequence[Participant],
    duration: dt.timedelta,
    window_start: dt.datetime,
    window_end: dt.datetime,
    granularity: dt.timedelta = dt.timedelta(minutes=30),
    limit: int = DEFAULT_LIMIT,
) -> list[Slot]:
    """The earliest `limit` slots of `duration` between `window_start` and `window_end`
    (aware) that lie inside every participant's working hours and overlap none of their busy
    intervals, starting on multiples of `granularity` (from midnight UTC: 30 minutes gives
    :00 and :30 in every zone with a whole- or half-hour offset). Slots are UTC, oldest first,
    and may follow each other (09:00, 09:30, … when all are free)."""
    if not participants:
        raise SlotError("choose at least one participant")
    if duration <= dt.timedelta(0):
        raise SlotError(f"the duration must be positive, not {duration}")
    if granularity <= dt.timedelta(0):
        raise SlotError(f"the granularity must be positive, not {granularity}")
    if limit < 1:
        raise SlotError(f"ask for at least one slot, not {limit}")
    window = Interval(window_start, window_end).utc()
    if window.end - window.start > MAX_WINDOW:
        raise SlotError(f"search at most {MAX_WINDOW.days} days at a time")
    slots: list[Slot] = []
    for free in common_free_time(participants=participants, window=window):
        start = _aligned(free.start, granularity)
        while start + duration <= free.end:
            slots.append(Slot(start, start + duration))
            if len(slots) == limit:
                return slots
            start += granularity
    return slots


# --- repeating meetings ----------------------------------------------------------------------

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def repeat_rule(
    repeat: str, *, local_start: dt.datetime, until: dt.date | None = None
) -> dict[str, object] | None:
    """The RFC 5545 RRULE (as a dict: {"FREQ": "WEEKLY", "BYDAY": ["MO"]}) of a meeting that
    repeats `repeat` ("", "weekdays", "weekly", "fortnightly", "monthly") from `local_start`
    (aware, in the organiser's zone) up to and including the local day `until`; None for a
    meeting that does not repeat. UNTIL is in UTC, as RFC 5545 wants with a TZID start."""
    if not repeat:
        return None
    day = WEEKDAY_CODES[local_start.weekday()]
    rules: dict[str, dict[str, object]] = {
        "weekdays": {"FREQ": "WEEKLY", "BYDAY": list(WEEKDAY_CODES[:5])},
        "weekly": {"FREQ": "WEEKLY", "BYDAY": [day]},
        "fortnightly": {"FREQ": "WEEKLY", "INTERVAL": 2, "BYDAY": [day]},
        "monthly": {"FREQ": "MONTHLY", "BYMONTHDAY": [local_start.day]},
    }
    if repeat not in rules:
        raise SlotError(f"unknown repetition {repeat!r}; use one of {sorted(rules)}")
    rule = dict(rules[repeat])
    if until is not None:
        if until < local_start.date():
            raise SlotError(f"the repetition ends ({until}) before the meeting starts")
        last = dt.datetime.combine(until, dt.time(23, 59, 59), tzinfo=local_start.tzinfo)
        rule["UNTIL"] = last.astimezone(UTC)
    return rule


def occurrences(
    *,
    start: dt.datetime,
    end: dt.datetime,
    zone: str,
    repeat: str = "",
    until: dt.date | None = None,
    window: Interval,
    limit: int = 1000,
) -> list[Interval]:
    """The occurrences of a meeting from `start` to `end` (aware) that meet `window`, in UTC,
    oldest first: the meeting itself, or each repetition at the same wall-clock time in
    `zone` (a weekly 09:00 in Berlin is 08:00 UTC in winter and 07:00 UTC in summer)."""
    from dateutil import rrule as dateutil_rrule  # type: ignore[import-untyped]

    tz = zone_of(zone)
    local_start, duration = start.astimezone(tz), end - start
    rule = repeat_rule(repeat, local_start=local_start, until=until)
    window = window.utc()
    if rule is None:
        meeting = Interval(start, end).utc()
        return [meeting] if meeting.overlaps(window) else []
    frequency = {"WEEKLY": dateutil_rrule.WEEKLY, "MONTHLY": dateutil_rrule.MONTHLY}
    weekday_of = dict(zip(WEEKDAY_CODES, dateutil_rrule.weekdays, strict=True))
    byday = rule.get("BYDAY")
    bymonthday = rule.get("BYMONTHDAY")
    until_at = rule.get("UNTIL")
    # the rule runs on naive wall-clock times, each then placed in the zone: the local time
    # holds across daylight-saving changes
    naive = dateutil_rrule.rrule(
        frequency[str(rule["FREQ"])],
        dtstart=local_start.replace(tzinfo=None),
        interval=int(str(rule.get("INTERVAL", 1))),
        byweekday=[weekday_of[d] for d in byday] if isinstance(byday, list) else None,
        bymonthday=bymonthday if isinstance(bymonthday, list) else None,
        until=until_at.astimezone(tz).replace(tzinfo=None)
        if isinstance(until_at, dt.datetime)
        else None,
    )
    out: list[Interval] = []
    earliest = (window.start - duration).astimezone(tz).replace(tzinfo=None)
    for moment in naive.xafter(earliest, inc=True):
        begin = moment.replace(tzinfo=tz).astimezone(UTC)
        if begin >= window.end or len(out) >= limit:
            break
        occurrence = Interval(begin, begin + duration)
        if occurrence.overlaps(window):
            out.append(occurrence)
    return out
