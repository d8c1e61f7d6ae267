"""Reading busy times from Outlook, Google and Apple files, and writing the feed, without a
database: parsed back with icalendar and expanded with recurring-ical-events."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events

from gmassist.office.schedule.engine import Interval
from gmassist.office.schedule.feed_sources import FeedEntry, FeedPerson
from gmassist.office.schedule.ics import IcsError, busy_intervals, feed_calendar

FILES = Path(__file__).parent / "ics"
UTC = dt.UTC
BERLIN = ZoneInfo("Europe/Berlin")


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


MARCH_1, APRIL_30 = dt.datetime(2026, 3, 1, tzinfo=UTC), dt.datetime(2026, 4, 30, tzinfo=UTC)


def busy(name: str, zone: str = "UTC", start=MARCH_1, end=APRIL_30, **kw):
    return busy_intervals(
        (FILES / name).read_bytes(), window_start=start, window_end=end, zone=zone, **kw
    )


def test_outlook_reads_its_windows_zone_name_and_drops_excluded_free_and_cancelled_events():
    # weekly on Monday 09:00 Berlin time, four times, the 23rd excluded; 30 March is after
    # the change to summer time, so 07:00 UTC instead of 08:00
    assert busy("outlook.ics") == [
        Interval(utc(2026, 3, 16, 8), utc(2026, 3, 16, 9)),
        Interval(utc(2026, 3, 30, 7), utc(2026, 3, 30, 8)),
        Interval(utc(2026, 4, 6, 7), utc(2026, 4, 6, 8)),
    ]


def test_google_applies_the_moved_occurrence_and_skips_transparent_and_declined_events():
    intervals = busy("google.ics", zone="Asia/Shanghai", own_addresses=["Hank@example.com"])
    assert intervals == [
        Interval(utc(2026, 3, 2, 14), utc(2026, 3, 2, 15)),
        Interval(utc(2026, 3, 3, 14), utc(2026, 3, 3, 15)),
        Interval(utc(2026, 3, 4, 16), utc(2026, 3, 4, 17)),  # the 4th moved to 16:00
        Interval(utc(2026, 3, 5, 14), utc(2026, 3, 5, 15)),
        # the floating dinner at 18:00 is in the calendar's X-WR-TIMEZONE (New York, EST)
        Interval(utc(2026, 3, 5, 23), utc(2026, 3, 6, 0)),
        Interval(utc(2026, 3, 6, 14), utc(2026, 3, 6, 15)),
    ]


def test_a_declined_event_is_busy_for_someone_else():
    intervals = busy("google.ics", start=utc(2026, 3, 6), end=utc(2026, 3, 7))
    assert intervals == [
        Interval(utc(2026, 3, 6, 14), utc(2026, 3, 6, 16)),  # standup and the pitch, merged
    ]


def test_apple_all_day_trips_are_busy_from_midnight_to_midnight_in_the_persons_zone():
    assert busy("apple.ics", zone="Asia/Shanghai") == [
        Interval(utc(2026, 3, 9, 2), utc(2026, 3, 9, 3, 30)),
        Interval(utc(2026, 3, 10, 16), utc(2026, 3, 12, 16)),  # 11-12 March in Shanghai
    ]


def test_busy_times_are_clipped_to_the_window():
    assert busy(
        "apple.ics", zone="Asia/Shanghai", start=utc(2026, 3, 11), end=utc(2026, 3, 12)
    ) == [Interval(utc(2026, 3, 11), utc(2026, 3, 12))]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ("hello\r\n", "line 1: a calendar file starts with BEGIN:VCALENDAR"),
        (
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\nEND:VCALENDAR\r\n",
            "line 5: END:VCALENDAR closes BEGIN:VEVENT of line 3",
        ),
        (
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\nSUMMARY:no start\r\n"
            "END:VEVENT\r\nEND:VCALENDAR\r\n",
            "line 3: an event without DTSTART",
        ),
        ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", "line 1: BEGIN:VCALENDAR is never closed"),
        ("BEGIN:VCALENDAR\r\nthis line has no colon\r\nEND:VCALENDAR\r\n", "line 2: 'this line"),
        (
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:2026-03-02 10h\r\n"
            "END:VEVENT\r\nEND:VCALENDAR\r\n",
            "line 2: an event's time cannot be read",
        ),
    ],
)
def test_a_bad_file_says_which_line_and_what(text, message):
    with pytest.raises(IcsError) as caught:
        busy_intervals(
            text.encode(), window_start=utc(2026, 3, 1), window_end=utc(2026, 4, 1), zone="UTC"
        )
    assert str(caught.value).startswith(message)


# --- the feed --------------------------------------------------------------------------------


def weekly_meeting(**extra) -> FeedEntry:
    fields = {
        "uid": "meeting-7@gmassist",
        "summary": "Weekly management meeting",
        "start": dt.datetime(2026, 3, 16, 9, tzinfo=BERLIN),
        "end": dt.datetime(2026, 3, 16, 10, tzinfo=BERLIN),
        "rrule": {"FREQ": "WEEKLY", "BYDAY": "MO"},
        "sequence": 2,
        "location": "Board room",
        "url": "/office/schedule/meetings/7/",
        "organizer": FeedPerson("Grace Manager", "grace@example.com"),
        "attendees": (FeedPerson("Hank Head", "hank@example.com", "ACCEPTED"),),
    }
    fields.update(extra)
    return FeedEntry(**fields)


def deadline() -> FeedEntry:
    return FeedEntry(
        uid="decision-3-ack@gmassist",
        summary="Acknowledge: expense claims",
        start=dt.date(2026, 3, 20),
        end=dt.date(2026, 3, 21),
    )


def feed_bytes(*entries: FeedEntry) -> bytes:
    calendar = feed_calendar(
        entries, name="Grace's calendar", stamp=utc(2026, 3, 1, 8), base_url="https://gm.example"
    )
    return calendar.to_ical()


def test_the_feed_has_what_outlook_and_google_require():
    raw = feed_bytes(weekly_meeting(), deadline())
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    calendar = icalendar.Calendar.from_ical(raw)
    assert (calendar["VERSION"], calendar["CALSCALE"], calendar["METHOD"]) == (
        "2.0",
        "GREGORIAN",
        "PUBLISH",
    )
    assert calendar["PRODID"].startswith("-//GM Assistant//")
    events = calendar.walk("VEVENT")
    assert [str(e["UID"]) for e in events] == ["meeting-7@gmassist", "decision-3-ack@gmassist"]
    for event in events:
        assert {"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"} <= set(event)
        assert event.decoded("DTSTAMP") == utc(2026, 3, 1, 8)
    meeting, due = events
    assert meeting["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    assert (meeting["SEQUENCE"], str(meeting["STATUS"])) == (2, "CONFIRMED")
    assert str(meeting["ORGANIZER"]) == "mailto:grace@example.com"
    assert meeting["ORGANIZER"].params["CN"] == "Grace Manager"
    attendee = meeting["ATTENDEE"]
    assert (str(attendee), attendee.params["PARTSTAT"]) == ("mailto:hank@example.com", "ACCEPTED")
    assert str(meeting["URL"]) == "https://gm.example/office/schedule/meetings/7/"
    assert due.decoded("DTSTART") == dt.date(2026, 3, 20)
    assert str(due["TRANSP"]) == "TRANSPARENT"


def test_a_weekly_meeting_appears_each_week_at_nine_local_across_the_change():
    calendar = icalendar.Calendar.from_ical(feed_bytes(weekly_meeting()))
    starts = [
        occurrence.decoded("DTSTART")
        for occurrence in recurring_ical_events.of(calendar).between(
            utc(2026, 3, 1), utc(2026, 4, 10)
        )
    ]
    assert [s.astimezone(BERLIN).hour for s in starts] == [9, 9, 9, 9]
    assert [s.astimezone(UTC) for s in starts] == [
        utc(2026, 3, 16, 8),
        utc(2026, 3, 23, 8),
        utc(2026, 3, 30, 7),
        utc(2026, 4, 6, 7),
    ]


def test_a_cancelled_meeting_stays_in_the_feed_as_cancelled():
    calendar = icalendar.Calendar.from_ical(feed_bytes(weekly_meeting(cancelled=True, sequence=3)))
    (event,) = calendar.walk("VEVENT")
    assert (str(event["STATUS"]), event["SEQUENCE"]) == ("CANCELLED", 3)


def test_the_feed_refuses_a_floating_time():
    with pytest.raises(ValueError, match="floating"):
        feed_bytes(weekly_meeting(start=dt.datetime(2026, 3, 16, 9)))
