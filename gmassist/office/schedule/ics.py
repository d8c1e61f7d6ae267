"""iCalendar files in and out, with the `icalendar` and `recurring-ical-events` libraries (no
Django): reading the busy times of an imported .ics, and writing a person's feed.

Reading keeps only when someone is busy, never what they are doing: titles, places and
attendees of the imported events are read by the library and dropped here. What counts as
busy: every VEVENT occurrence in the window (recurring series expanded, EXDATEs removed,
RECURRENCE-ID overrides applied by recurring-ical-events), except cancelled ones
(STATUS:CANCELLED), free ones (TRANSP:TRANSPARENT, Outlook's X-MICROSOFT-CDO-BUSYSTATUS:FREE)
and those the person declined. Times in a VTIMEZONE of the file are read through it (Outlook's
Windows names such as "W. Europe Standard Time" included); Google's X-WR-TIMEZONE places the
calendar's UTC and floating times in its zone; other floating times and all-day events are
placed in the person's own zone (an all-day event is busy from midnight to midnight there).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

from gmassist.office.schedule.engine import Interval, merge
from gmassist.office.schedule.feed_sources import FeedEntry

# Files bigger than this are refused before parsing (a year of a busy person's Outlook export
# is about 1 MB)
MAX_ICS_BYTES = 5 * 1024 * 1024
# Occurrences read from one file at most (a runaway RRULE without an end in a long window)
MAX_OCCURRENCES = 20_000
PRODID = "-//GM Assistant//gmassist office schedule//EN"


class IcsError(ValueError):
    """A file that is not a calendar the import can read; the message says what and where
    (the line, counted from 1, when it is known)."""

    def __init__(self, message: str, *, line: int | None = None):
        self.line = line
        super().__init__(f"line {line}: {message}" if line else message)


def _text(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise IcsError("the file is not text (UTF-8 or Windows-1252)")  # pragma: no cover


def _check_structure(text: str) -> list[int]:
    """Check BEGIN/END nesting line by line (the library's own errors carry no line number);
    returns the line number of each top-level VEVENT's BEGIN, in file order."""
    stack: list[tuple[str, int]] = []
    events: list[int] = []
    seen_content = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or raw[:1] in (" ", "\t"):  # blank, or a folded continuation
            continue
        name, sep, value = line.partition(":")
        key = name.split(";", 1)[0].upper()
        if not seen_content:
            seen_content = True
            if (key, value.strip().upper()) != ("BEGIN", "VCALENDAR"):
                raise IcsError(
                    "a calendar file starts with BEGIN:VCALENDAR; this is not an .ics file",
                    line=number,
                )
        if not sep:
            raise IcsError(f"{line[:40]!r} is not NAME:VALUE", line=number)
        if key == "BEGIN":
            component = value.strip().upper()
            if component == "VEVENT" and [c for c, _n in stack] == ["VCALENDAR"]:
                events.append(number)
            stack.append((component, number))
        elif key == "END":
            component = value.strip().upper()
            if not stack:
                raise IcsError(f"END:{component} without its BEGIN", line=number)
            opened, at = stack.pop()
            if opened != component:
                raise IcsError(f"END:{component} closes BEGIN:{opened} of line {at}", line=number)
    if not seen_content:
        raise IcsError("the file is empty")
    if stack:
        opened, at = stack[-1]
        raise IcsError(f"BEGIN:{opened} is never closed (END:{opened} missing)", line=at)
    return events


def parse_calendar(data: bytes | str) -> icalendar.Calendar:
    """The calendar in `data` (an .ics file's bytes), or IcsError saying what is wrong."""
    if len(data) > MAX_ICS_BYTES:
        raise IcsError(f"the file is larger than {MAX_ICS_BYTES // (1024 * 1024)} MB")
    text = _text(data)
    event_lines = _check_structure(text)
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except (ValueError, KeyError, TypeError) as exc:
        raise IcsError(f"the calendar library cannot read it: {exc}") from None
    if isinstance(calendar, list):  # several VCALENDARs in one file: use them all
        raise IcsError("the file holds several calendars; export one calendar per file")
    for line, event in zip(event_lines, calendar.walk("VEVENT"), strict=False):
        if event.get("DTSTART") is None:
            raise IcsError("an event without DTSTART (when it starts)", line=line)
        try:
            for key in ("DTSTART", "DTEND", "RECURRENCE-ID"):
                if event.get(key) is not None:
                    event[key].dt  # noqa: B018 (the library checks a broken value on access)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise IcsError(f"an event's time cannot be read: {exc}", line=line) from None
    return calendar


def _aware(value: dt.date | dt.datetime, zone: ZoneInfo, *, end: bool = False) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=zone)
    return dt.datetime.combine(value, dt.time(0), tzinfo=zone)


def _is_free(event: icalendar.Event, own_addresses: Sequence[str]) -> bool:
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return True
    if str(event.get("TRANSP", "")).upper() == "TRANSPARENT":
        return True
    if str(event.get("X-MICROSOFT-CDO-BUSYSTATUS", "")).upper() == "FREE":
        return True
    if own_addresses:
        attendees = event.get("ATTENDEE") or []
        if not isinstance(attendees, list):
            attendees = [attendees]
        for attendee in attendees:
            address = str(attendee).lower().removeprefix("mailto:")
            partstat = str(getattr(attendee, "params", {}).get("PARTSTAT", "")).upper()
            if address in own_addresses and partstat == "DECLINED":
                return True
    return False


def busy_intervals(
    data: bytes | str,
    *,
    window_start: dt.datetime,
    window_end: dt.datetime,
    zone: str,
    own_addresses: Iterable[str] = (),
) -> list[Interval]:
    """The busy times of the calendar in `data` between `window_start` and `window_end`
    (aware), merged and clipped to the window, in UTC; `zone` (IANA) places floating times and
    all-day events; `own_addresses` (e-mail addresses) are the person's, so that events they
    declined are free. Raises IcsError on a file it cannot read."""
    calendar = parse_calendar(data)
    tz = ZoneInfo(zone)
    addresses = [a.lower() for a in own_addresses if a]
    try:
        query = recurring_ical_events.of(calendar)
        occurrences = []
        for occurrence in query.between(window_start, window_end):
            occurrences.append(occurrence)
            if len(occurrences) > MAX_OCCURRENCES:
                raise IcsError(
                    f"more than {MAX_OCCURRENCES:,} events in the window; export a shorter range"
                )
    except IcsError:
        raise
    except Exception as exc:  # the library's own errors: a bad RRULE, an end before a start…
        raise IcsError(f"a recurring event cannot be expanded: {exc}") from None
    window = Interval(window_start, window_end).utc()
    out: list[Interval] = []
    for event in occurrences:
        if _is_free(event, addresses):
            continue
        start_value = event.decoded("DTSTART")
        start = _aware(start_value, tz)
        if event.get("DTEND") is not None:
            end = _aware(event.decoded("DTEND"), tz)
        elif event.get("DURATION") is not None:
            end = start + event.decoded("DURATION")
        elif isinstance(start_value, dt.datetime):
            continue  # RFC 5545: a timed event without an end takes no time
        else:
            end = start + dt.timedelta(days=1)  # a one-day all-day event
        start, end = (
            max(start.astimezone(dt.UTC), window.start),
            min(end.astimezone(dt.UTC), window.end),
        )
        if end > start:
            out.append(Interval(start, end))
    return merge(out)


# --- the feed --------------------------------------------------------------------------------


def _vcal_address(name: str, email: str, **params: str) -> icalendar.vCalAddress:
    address = icalendar.vCalAddress(f"mailto:{email}" if email else "mailto:nobody@invalid")
    if name:
        address.params["CN"] = icalendar.vText(name)
    for key, value in params.items():
        address.params[key] = icalendar.vText(value)
    return address


def feed_calendar(
    entries: Iterable[FeedEntry], *, name: str, stamp: dt.datetime, base_url: str = ""
) -> icalendar.Calendar:
    """A VCALENDAR of `entries`, valid for Outlook and Google: VERSION, PRODID, CALSCALE,
    METHOD:PUBLISH, one VEVENT per entry with UID, DTSTAMP (`stamp`, aware), DTSTART, DTEND,
    SEQUENCE and STATUS, ORGANIZER and ATTENDEEs when given, and a VTIMEZONE for every TZID
    used. `base_url` makes the entries' URLs absolute."""
    calendar = icalendar.Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", "PUBLISH")
    calendar.add("X-WR-CALNAME", name)
    stamp = stamp.astimezone(dt.UTC)
    for entry in entries:
        event = icalendar.Event()
        event.add("UID", entry.uid)
        event.add("DTSTAMP", stamp)
        event.add("SUMMARY", entry.summary)
        for key, value in (("DTSTART", entry.start), ("DTEND", entry.end)):
            if isinstance(value, dt.datetime) and value.tzinfo is None:
                raise ValueError(f"{entry.uid}: {key} {value} is floating; give it a zone")
            event.add(key, value)
        if entry.rrule:
            event.add("RRULE", entry.rrule)
        event.add("SEQUENCE", entry.sequence)
        event.add("STATUS", "CANCELLED" if entry.cancelled else "CONFIRMED")
        if not isinstance(entry.start, dt.datetime):
            event.add("TRANSP", "TRANSPARENT")  # a deadline does not make anyone busy
        if entry.description:
            event.add("DESCRIPTION", entry.description)
        if entry.location:
            event.add("LOCATION", entry.location)
        if entry.url:
            event.add("URL", base_url.rstrip("/") + entry.url if base_url else entry.url)
        if entry.organizer is not None:
            event.add("ORGANIZER", _vcal_address(entry.organizer.name, entry.organizer.email))
        for person in entry.attendees:
            event.add(
                "ATTENDEE",
                _vcal_address(
                    person.name, person.email, ROLE="REQ-PARTICIPANT", PARTSTAT=person.status
                ),
            )
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar
