"""What the schedule pages and the API show: a week day by day, slots with each person's local
time, the subscription instructions."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from gmassist.core.models import User
from gmassist.office.schedule import engine, selectors
from gmassist.office.schedule.choices import MeetingStatus, ParticipantResponse


def week_start(day: dt.date) -> dt.date:
    """The Monday of `day`'s week."""
    return day - dt.timedelta(days=day.weekday())


def local_window(first_day: dt.date, days: int, zone: str) -> engine.Interval:
    """From midnight of `first_day` to midnight `days` days later, on `zone`'s wall clock."""
    tz = engine.zone_of(zone)
    start = dt.datetime.combine(first_day, dt.time(0), tzinfo=tz)
    end = dt.datetime.combine(first_day + dt.timedelta(days=days), dt.time(0), tzinfo=tz)
    return engine.Interval(start, end)


def _response_of(occurrence: selectors.Occurrence, person: User) -> str:
    if occurrence.meeting.organiser_id == person.pk:
        return "organiser"
    for row in occurrence.meeting.participants.all():
        if row.user_id == person.pk:
            return row.response
    return ""


def week_view(
    *, user, person: User, first_day: dt.date, zone: str, today: dt.date
) -> dict[str, Any]:
    """`person`'s week from `first_day` (a Monday) as `user` may see it, in `zone`: seven days,
    each with its meetings and busy times (imported calendars) in local time."""
    tz = engine.zone_of(zone)
    window = local_window(first_day, 7, zone)
    occurrences = selectors.meetings_of(user=user, person=person, window=window)
    busy = selectors.busy_of(user=user, person=person, window=window)
    days = []
    for offset in range(7):
        day = first_day + dt.timedelta(days=offset)
        days.append(
            {"date": day, "is_today": day == today, "items": [], "weekend": day.weekday() >= 5}
        )
    by_date = {d["date"]: d for d in days}

    def place(start: dt.datetime, end: dt.datetime, item: dict[str, Any]) -> None:
        local_start, local_end = start.astimezone(tz), end.astimezone(tz)
        day = by_date.get(local_start.date()) or by_date.get(window.start.astimezone(tz).date())
        if day is not None:
            day["items"].append({**item, "start": local_start, "end": local_end})

    for occurrence in occurrences:
        meeting = occurrence.meeting
        response = _response_of(occurrence, person)
        place(
            occurrence.start,
            occurrence.end,
            {
                "kind": "meeting",
                "title": meeting.title,
                "url": reverse("office:schedule_meeting", args=[meeting.pk]),
                "place": meeting.place or (_("Online") if meeting.online_url else ""),
                "cancelled": meeting.status == MeetingStatus.CANCELLED,
                "declined": response == ParticipantResponse.DECLINED,
                "response": response,
                "repeats": bool(meeting.repeat),
            },
        )
    for interval in busy:
        place(interval.start, interval.end, {"kind": "busy", "title": _("Busy")})
    for day in days:
        day["items"].sort(key=lambda item: (item["start"], item["kind"] != "meeting"))
    return {
        "days": days,
        "first_day": first_day,
        "last_day": first_day + dt.timedelta(days=6),
        "previous": first_day - dt.timedelta(days=7),
        "next": first_day + dt.timedelta(days=7),
        "zone": zone,
        "meeting_count": sum(1 for o in occurrences if o.meeting.status != MeetingStatus.CANCELLED),
    }


def slot_rows(
    *,
    slots: list[engine.Slot],
    people: list[User],
    hours: dict[int, engine.WorkingHours],
    minutes: int,
) -> list[dict[str, Any]]:
    """Each slot with every participant's local start and end and the link that books it."""
    rows = []
    for slot in slots:
        local = []
        for person in people:
            zone = hours[person.pk].zone
            start, end = slot.local(zone)
            local.append({"person": person, "zone": zone, "start": start, "end": end})
        query = urlencode(
            [("start", slot.start.isoformat()), ("minutes", minutes)]
            + [("with", person.pk) for person in people]
        )
        rows.append(
            {
                "start": slot.start,
                "end": slot.end,
                "local": local,
                "book_url": reverse("office:schedule_meeting_new") + "?" + query,
            }
        )
    return rows


def slots_out(
    *, slots: list[engine.Slot], people: list[User], hours: dict[int, engine.WorkingHours]
) -> list[dict[str, Any]]:
    """The slots as the API and the CLI give them: UTC and each person's local times."""
    return [
        {
            "start": slot.start,
            "end": slot.end,
            "local": [
                {
                    "user_id": person.pk,
                    "name": str(person),
                    "time_zone": hours[person.pk].zone,
                    "start": slot.local(hours[person.pk].zone)[0].isoformat(),
                    "end": slot.local(hours[person.pk].zone)[1].isoformat(),
                }
                for person in people
            ],
        }
        for slot in slots
    ]
