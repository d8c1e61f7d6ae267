"""The slot finder without a database: hand-checked weeks across the daylight-saving changes of
Europe and the US with a participant in Shanghai (no DST), and properties under hypothesis."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gmassist.office.schedule.engine import (
    Interval,
    Participant,
    SlotError,
    WorkingHours,
    find_slots,
    merge,
    occurrences,
    repeat_rule,
    subtract,
)

UTC = dt.UTC
BERLIN, NEW_YORK, SHANGHAI = "Europe/Berlin", "America/New_York", "Asia/Shanghai"
HOUR = dt.timedelta(hours=1)


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def local(zone: str, *args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=ZoneInfo(zone))


# Three people who share a few hours: Berlin 08:00-18:00, New York 07:00-16:00 and a Shanghai
# colleague who takes calls 15:00-23:00.
def three(busy: dict[str, list[Interval]] | None = None) -> list[Participant]:
    busy = busy or {}
    return [
        Participant(
            "berlin", WorkingHours(BERLIN, dt.time(8), dt.time(18)), busy.get("berlin", [])
        ),
        Participant("ny", WorkingHours(NEW_YORK, dt.time(7), dt.time(16)), busy.get("ny", [])),
        Participant(
            "shanghai", WorkingHours(SHANGHAI, dt.time(15), dt.time(23)), busy.get("shanghai", [])
        ),
    ]


def first_slot(participants, day: dt.date, minutes: int = 60):
    start = dt.datetime.combine(day, dt.time(0), tzinfo=UTC)
    slots = find_slots(
        participants=participants,
        duration=dt.timedelta(minutes=minutes),
        window_start=start,
        window_end=start + dt.timedelta(days=1),
        limit=1,
    )
    return slots[0] if slots else None


def test_a_nine_oclock_start_stays_nine_local_after_the_march_change_in_berlin():
    berlin = Participant("b", WorkingHours(BERLIN))
    slots = find_slots(
        participants=[berlin],
        duration=HOUR,
        window_start=utc(2026, 3, 27),  # Friday, CET (UTC+1)
        window_end=utc(2026, 4, 1),
        granularity=HOUR,
        limit=40,
    )
    firsts = {}
    for slot in slots:
        firsts.setdefault(slot.start.astimezone(ZoneInfo(BERLIN)).date(), slot.start)
    # Friday 09:00 CET is 08:00 UTC; Monday and Tuesday 09:00 CEST are 07:00 UTC; the weekend
    # (the change is on Sunday 29 March) has no slot
    assert firsts == {
        dt.date(2026, 3, 27): utc(2026, 3, 27, 8),
        dt.date(2026, 3, 30): utc(2026, 3, 30, 7),
        dt.date(2026, 3, 31): utc(2026, 3, 31, 7),
    }
    assert all(s.local(BERLIN)[0].hour >= 9 and s.local(BERLIN)[1].hour <= 18 for s in slots)


def test_three_zones_before_the_us_change():
    slot = first_slot(three(), dt.date(2026, 3, 2))  # Monday: EST and CET
    assert (slot.start, slot.end) == (utc(2026, 3, 2, 12), utc(2026, 3, 2, 13))
    assert slot.local(NEW_YORK)[0] == local(NEW_YORK, 2026, 3, 2, 7)
    assert slot.local(BERLIN)[0] == local(BERLIN, 2026, 3, 2, 13)
    assert slot.local(SHANGHAI)[0] == local(SHANGHAI, 2026, 3, 2, 20)


def test_three_zones_between_the_us_and_the_european_change():
    slot = first_slot(three(), dt.date(2026, 3, 9))  # New York on EDT, Berlin still on CET
    assert slot.start == utc(2026, 3, 9, 11)
    assert [slot.local(z)[0].hour for z in (NEW_YORK, BERLIN, SHANGHAI)] == [7, 12, 19]


def test_three_zones_after_both_march_changes():
    slot = first_slot(three(), dt.date(2026, 3, 30))  # EDT and CEST
    assert slot.start == utc(2026, 3, 30, 11)
    assert [slot.local(z)[0].hour for z in (NEW_YORK, BERLIN, SHANGHAI)] == [7, 13, 19]


def test_three_zones_between_the_october_changes_and_after():
    between = first_slot(three(), dt.date(2026, 10, 26))  # Berlin back on CET, New York on EDT
    after = first_slot(three(), dt.date(2026, 11, 2))  # both on standard time
    assert between.start == utc(2026, 10, 26, 11)
    assert after.start == utc(2026, 11, 2, 12)
    assert [after.local(z)[0].hour for z in (NEW_YORK, BERLIN, SHANGHAI)] == [7, 13, 20]


def test_a_busy_morning_in_new_york_moves_the_slot_to_after_it():
    busy = {"ny": [Interval(local(NEW_YORK, 2026, 3, 9, 7), local(NEW_YORK, 2026, 3, 9, 8, 30))]}
    slot = first_slot(three(busy), dt.date(2026, 3, 9))
    assert slot.start == utc(2026, 3, 9, 12, 30)


def test_the_common_hours_bound_the_length_of_a_meeting():
    # on 2 November the three share 12:00-15:00 UTC: three hours fit, three and a half do not
    assert first_slot(three(), dt.date(2026, 11, 2), minutes=180).end == utc(2026, 11, 2, 15)
    assert first_slot(three(), dt.date(2026, 11, 2), minutes=210) is None


def test_slots_come_earliest_first_at_the_granularity():
    slots = find_slots(
        participants=three(),
        duration=HOUR,
        window_start=utc(2026, 3, 2),
        window_end=utc(2026, 3, 3),
        limit=3,
    )
    assert [s.start for s in slots] == [
        utc(2026, 3, 2, 12),
        utc(2026, 3, 2, 12, 30),
        utc(2026, 3, 2, 13),
    ]


def test_merge_and_subtract():
    a = Interval(utc(2026, 1, 1, 9), utc(2026, 1, 1, 10))
    b = Interval(utc(2026, 1, 1, 10), utc(2026, 1, 1, 11))
    c = Interval(utc(2026, 1, 1, 13), utc(2026, 1, 1, 14))
    assert merge([c, b, a]) == [Interval(a.start, b.end), c]
    day = [Interval(utc(2026, 1, 1, 8), utc(2026, 1, 1, 18))]
    assert subtract(day, merge([a, b, c])) == [
        Interval(utc(2026, 1, 1, 8), a.start),
        Interval(b.end, c.start),
        Interval(c.end, utc(2026, 1, 1, 18)),
    ]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: WorkingHours("Mars/Olympus"), "unknown time zone 'Mars/Olympus'"),
        (lambda: WorkingHours(BERLIN, dt.time(18), dt.time(9)), "working hours end"),
        (lambda: Interval(utc(2026, 1, 2), utc(2026, 1, 1)), "interval ends"),
        (
            lambda: find_slots(
                participants=[],
                duration=HOUR,
                window_start=utc(2026, 1, 1),
                window_end=utc(2026, 1, 2),
            ),
            "at least one participant",
        ),
        (
            lambda: find_slots(
                participants=three(),
                duration=dt.timedelta(0),
                window_start=utc(2026, 1, 1),
                window_end=utc(2026, 1, 2),
            ),
            "duration must be positive",
        ),
        (
            lambda: find_slots(
                participants=three(),
                duration=HOUR,
                window_start=utc(2026, 1, 1),
                window_end=utc(2026, 6, 1),
            ),
            "at most 92 days",
        ),
    ],
)
def test_bad_input_says_what_is_wrong(call, message):
    with pytest.raises(SlotError, match=message):
        call()


# --- properties ------------------------------------------------------------------------------

ZONES = [BERLIN, NEW_YORK, SHANGHAI, "Europe/London", "America/Los_Angeles", "Asia/Kolkata", "UTC"]
# a week around each of the four changes of 2026, and an ordinary week
WEEKS = [utc(2026, 3, 5), utc(2026, 3, 26), utc(2026, 10, 22), utc(2026, 10, 29), utc(2026, 6, 1)]


@st.composite
def hours(draw) -> WorkingHours:
    start = draw(st.integers(0, 20))
    end = draw(st.integers(start + 1, 23))
    days = draw(st.frozensets(st.integers(0, 6), min_size=1))
    return WorkingHours(draw(st.sampled_from(ZONES)), dt.time(start), dt.time(end, 30), days)


@st.composite
def busy_list(draw, week: dt.datetime) -> list[Interval]:
    out = []
    for _ in range(draw(st.integers(0, 8))):
        start = week + dt.timedelta(minutes=15 * draw(st.integers(0, 4 * 24 * 8)))
        out.append(Interval(start, start + dt.timedelta(minutes=15 * draw(st.integers(1, 24)))))
    return out


@st.composite
def searches(draw):
    week = draw(st.sampled_from(WEEKS))
    people = [
        Participant(i, draw(hours()), draw(busy_list(week))) for i in range(draw(st.integers(1, 3)))
    ]
    duration = dt.timedelta(minutes=30 * draw(st.integers(1, 6)))
    return people, duration, week, week + dt.timedelta(days=7)


def inside_working_hours(slot, hours: WorkingHours) -> bool:
    zone = ZoneInfo(hours.zone)
    day = slot.start.astimezone(zone).date()
    for d in (day - dt.timedelta(days=1), day):
        begin = dt.datetime.combine(d, hours.start, tzinfo=zone).astimezone(UTC)
        end = dt.datetime.combine(d, hours.end, tzinfo=zone).astimezone(UTC)
        if d.weekday() in hours.weekdays and begin <= slot.start and slot.end <= end:
            return True
    return False


@given(searches())
def test_a_proposed_slot_never_overlaps_a_busy_time_and_is_inside_everyones_hours(search):
    people, duration, start, end = search
    slots = find_slots(
        participants=people, duration=duration, window_start=start, window_end=end, limit=20
    )
    for slot in slots:
        assert slot.end - slot.start == duration
        assert start <= slot.start and slot.end <= end
        for person in people:
            assert not any(Interval(slot.start, slot.end).overlaps(b) for b in person.busy)
            assert inside_working_hours(slot, person.hours)
    assert [s.start for s in slots] == sorted(s.start for s in slots)


@given(searches())
def test_no_earlier_free_start_is_missed(search):
    people, duration, start, end = search
    step = dt.timedelta(minutes=30)
    found = find_slots(
        participants=people, duration=duration, window_start=start, window_end=end, limit=3
    )
    expected = []
    moment = start
    while moment + duration <= end and len(expected) < 3:
        slot = Interval(moment, moment + duration)
        if all(
            inside_working_hours(slot, p.hours) and not any(slot.overlaps(b) for b in p.busy)
            for p in people
        ):
            expected.append(moment)
        moment += step
    assert [s.start for s in found] == expected


# --- repeating meetings ----------------------------------------------------------------------


def test_a_weekly_meeting_keeps_nine_oclock_in_berlin_across_the_change():
    start = local(BERLIN, 2026, 3, 16, 9)
    found = occurrences(
        start=start,
        end=start + HOUR,
        zone=BERLIN,
        repeat="weekly",
        until=dt.date(2026, 4, 6),
        window=Interval(utc(2026, 3, 1), utc(2026, 5, 1)),
    )
    assert [o.start for o in found] == [
        utc(2026, 3, 16, 8),
        utc(2026, 3, 23, 8),
        utc(2026, 3, 30, 7),
        utc(2026, 4, 6, 7),
    ]


def test_occurrences_are_those_that_meet_the_window():
    start = local(SHANGHAI, 2026, 3, 2, 10)  # a Monday
    found = occurrences(
        start=start,
        end=start + HOUR,
        zone=SHANGHAI,
        repeat="weekdays",
        window=Interval(utc(2026, 3, 5, 2, 30), utc(2026, 3, 10)),
    )
    # Thursday's (02:00-03:00 UTC) overlaps the window's start; then Friday, Monday
    assert [o.start for o in found] == [utc(2026, 3, 5, 2), utc(2026, 3, 6, 2), utc(2026, 3, 9, 2)]


def test_the_rule_of_a_fortnightly_meeting_ends_in_utc():
    rule = repeat_rule(
        "fortnightly", local_start=local(NEW_YORK, 2026, 3, 3, 9), until=dt.date(2026, 6, 30)
    )
    assert rule == {
        "FREQ": "WEEKLY",
        "INTERVAL": 2,
        "BYDAY": ["TU"],
        "UNTIL": utc(2026, 7, 1, 3, 59, 59),
    }
    with pytest.raises(SlotError, match="before the meeting starts"):
        repeat_rule("weekly", local_start=local(NEW_YORK, 2026, 3, 3, 9), until=dt.date(2026, 3, 1))
