"""The schedule's part of the demo company (order 70): the GM's week as the assistant arranged
it, in English and Chinese (the weekly management meeting, 1:1s, a customer visit, the board
preparation, last week's meetings with their minutes, one cancelled), working hours in three
time zones, and imported busy calendars for the head, HR and the account manager.

Dated from the Monday of the demo's "today" (`ctx.as_of`) in the company's zone; written
through the services (so the audit log is as in real use) without e-mails; deterministic from
the seed; a handful of rows at every tier (only the demo logins have schedules).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.utils import timezone

from gmassist.core.permissions import SYSTEM
from gmassist.org.demo.extensions import DemoContext, demo_extension


def delete_schedule_demo() -> None:
    from gmassist.office.schedule.models import BusyCalendar, FeedToken, Meeting, WorkingHours

    Meeting.objects.all().delete()  # participants go with them
    BusyCalendar.objects.all().delete()  # and their busy intervals
    WorkingHours.objects.all().delete()
    FeedToken.objects.all().delete()


# (username, zone, day start, day end): the account manager serves the European key accounts
# from the Berlin office
HOURS = (
    ("gm", "Asia/Shanghai", dt.time(8, 30), dt.time(19)),
    ("assistant", "Asia/Shanghai", dt.time(8, 30), dt.time(18)),
    ("hr", "Asia/Shanghai", dt.time(9), dt.time(18)),
    ("head", "Asia/Shanghai", dt.time(9), dt.time(18, 30)),
    ("am", "Europe/Berlin", dt.time(8), dt.time(17)),
)

MANAGEMENT_MINUTES = (
    "1. 三月销售额完成预算的 96%，华东区低于预期，王总监下周提交改进计划。\n"
    "2. 人力资源部：第二季度招聘计划获批，优先补充研发岗位。\n"
    "3. 决定：客户投诉超过 48 小时未回复的，每周在例会上通报。"
)
BUDGET_MINUTES = (
    "Agreed: the Q2 budget stays at the March forecast; travel is capped at 80% of last "
    "year's. Finance circulates the final figures by Wednesday. Open: the IT renewal, "
    "decided next week after the vendor's second offer."
)


def _customer_name(rng) -> str:
    from gmassist.customers.models import GroupCustomer

    names = list(GroupCustomer.objects.order_by("-id").values_list("name", flat=True)[:20])
    return names[int(rng.integers(len(names)))] if names else "海通物流集团"


def _busy_ics(zone: str, monday: dt.date, rng, *, all_day: bool) -> bytes:
    """A calendar like the ones people export: a weekly team meeting, a few one-off
    appointments in the person's zone, now and then an all-day trip."""
    tz = ZoneInfo(zone)
    calendar = icalendar.Calendar()
    calendar.add("PRODID", "-//Demo//Exported calendar//EN")
    calendar.add("VERSION", "2.0")
    team = icalendar.Event()
    team.add("UID", f"team-{zone}@demo")
    team.add("DTSTAMP", dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    team.add("SUMMARY", "Team meeting")
    first = monday - dt.timedelta(days=28 - int(rng.integers(0, 5)))
    start = dt.datetime.combine(first, dt.time(10), tzinfo=tz)
    team.add("DTSTART", start)
    team.add("DTEND", start + dt.timedelta(hours=1))
    team.add("RRULE", {"FREQ": "WEEKLY"})
    calendar.add_component(team)
    for index in range(6):
        event = icalendar.Event()
        day = monday + dt.timedelta(days=int(rng.integers(0, 12)))
        hour = int(rng.integers(9, 17))
        begin = dt.datetime.combine(day, dt.time(hour, 30 * int(rng.integers(0, 2))), tzinfo=tz)
        event.add("UID", f"busy-{zone}-{index}@demo")
        event.add("DTSTAMP", dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
        event.add("SUMMARY", "Private")
        event.add("DTSTART", begin)
        event.add("DTEND", begin + dt.timedelta(minutes=30 * int(rng.integers(1, 5))))
        calendar.add_component(event)
    if all_day:
        trip = icalendar.Event()
        trip.add("UID", f"trip-{zone}@demo")
        trip.add("DTSTAMP", dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
        trip.add("SUMMARY", "出差")
        trip.add("DTSTART", monday + dt.timedelta(days=3))
        trip.add("DTEND", monday + dt.timedelta(days=4))
        calendar.add_component(trip)
    calendar.add_missing_timezones()
    return calendar.to_ical()


@demo_extension("office_schedule", order=70, delete=delete_schedule_demo)
def write_schedule_demo(ctx: DemoContext) -> dict[str, int]:
    """Write the demo schedule (see the module doc); returns the counts written."""
    from gmassist.office.schedule import engine, services
    from gmassist.office.schedule.models import Meeting, MeetingParticipant

    rng = ctx.rng(70)
    users = ctx.users
    gm, assistant = users.get("gm"), users.get("assistant")
    if gm is None or assistant is None:
        return {}
    head, hr, am, employee = (users.get(name) for name in ("head", "hr", "am", "employee"))
    ctx.progress(0.0, "Schedule")
    for username, zone, start, end in HOURS:
        if users.get(username) is not None:
            services.working_hours_set(
                person=users[username],
                by=SYSTEM,
                time_zone=zone,
                day_start=start,
                day_end=end,
                weekdays=range(5),
            )
    company_zone = engine.zone_of(
        settings.TIME_ZONE if settings.TIME_ZONE != "UTC" else "Asia/Shanghai"
    )
    zone_name = str(company_zone)
    monday = ctx.as_of - dt.timedelta(days=ctx.as_of.weekday())

    def at(day_offset: int, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(
            monday + dt.timedelta(days=day_offset), dt.time(hour, minute), tzinfo=company_zone
        )

    def book(
        title: str,
        start: dt.datetime,
        minutes: int,
        people,
        *,
        organiser=gm,
        by=assistant,
        **extra: Any,
    ) -> Meeting:
        return services.meeting_create(
            by=by,
            organiser=organiser,
            fields=services.MeetingFields(
                title=title,
                starts_at=start,
                ends_at=start + dt.timedelta(minutes=minutes),
                time_zone=zone_name,
                **extra,
            ),
            participants=[p for p in people if p is not None],
            send_invitations=False,
        )

    customer = _customer_name(rng)
    meetings = [
        book(
            "每周管理例会",
            at(-56, 9),
            90,
            [head, hr, assistant],
            place="总部 12 楼第一会议室",
            agenda="1. 上周销售与回款\n2. 人员与招聘\n3. 重点客户\n4. 其他事项",
            repeat="weekly",
        ),
        book(
            f"1:1 with {head}" if head else "1:1 with the head of sales",
            at(1, 14),
            45,
            [head],
            place="GM's office",
            agenda="Pipeline, the East region's plan, people on leaving watch.",
            repeat="fortnightly",
        ),
        book("1:1 与人力资源负责人", at(3, 11), 45, [hr], place="总经理办公室", repeat="weekly"),
        book(
            f"客户拜访：{customer}",
            at(2, 14),
            150,
            [head, am],
            place=f"{customer} 总部",
            agenda="续约条件；新增华南线路；账户经理交接。",
        ),
        book(
            "Board meeting preparation",
            at(4, 10),
            120,
            [assistant, hr],
            place="Board room",
            online_url="https://meet.example.com/board-prep",
            agenda="1. Q1 results and forecast\n2. Headcount plan\n"
            "3. Key-talent retention\n4. Risks",
        ),
        book("Q2 budget review", at(-3, 15), 60, [head, hr, assistant], place="Board room"),
        book("Supplier pitch: cloud telephony", at(3, 16), 45, [assistant], place="Meeting room 3"),
    ]
    if am is not None and head is not None:
        meetings.append(
            book(
                "European key accounts review",
                dt.datetime.combine(
                    monday + dt.timedelta(days=2),
                    dt.time(9),
                    tzinfo=engine.zone_of("Europe/Berlin"),
                ),
                60,
                [head],
                organiser=am,
                by=am,
            )
        )
    if employee is not None and head is not None:
        meetings.append(
            book("1:1 周例会", at(0, 16), 30, [employee], organiser=head, by=head, repeat="weekly")
        )
    services.meeting_cancel(
        meeting=meetings[6],
        by=assistant,
        reason="供应商改期到下个月。The vendor moved it to next month.",
        notify=False,
    )
    now = timezone.now()
    if meetings[5].starts_at <= now:
        services.meeting_set_minutes(meeting=meetings[5], by=assistant, minutes=BUDGET_MINUTES)
    if meetings[0].starts_at <= now:
        services.meeting_set_minutes(meeting=meetings[0], by=assistant, minutes=MANAGEMENT_MINUTES)
    # most people answered; a few invitations wait (deterministic from the seed)
    rows = list(MeetingParticipant.objects.filter(meeting__in=meetings).order_by("id"))
    for row in rows:
        row.response = (
            "accepted"
            if rng.random() < 0.75
            else ("tentative" if rng.random() < 0.3 else "needs_action")
        )
    MeetingParticipant.objects.bulk_update(rows, ["response"])
    ctx.progress(0.6, "Schedule: imported calendars")
    calendars = 0
    for username, all_day in (("head", True), ("hr", False), ("am", False)):
        person = users.get(username)
        if person is None:
            continue
        zone = next(z for name, z, *_rest in HOURS if name == username)
        services.calendar_import(
            person=person,
            by=SYSTEM,
            name={"head": "Outlook.ics", "hr": "Google Calendar.ics", "am": "Calendar.ics"}[
                username
            ],
            data=_busy_ics(zone, monday, rng, all_day=all_day),
        )
        calendars += 1
    ctx.progress(1.0, "Schedule")
    return {"meetings": len(meetings), "busy_calendars": calendars, "working_hours": len(HOURS)}
