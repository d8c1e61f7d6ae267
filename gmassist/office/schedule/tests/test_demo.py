"""The schedule's part of the demo: the GM's week, working hours in three zones and imported
busy calendars, the same from the same seed."""

from __future__ import annotations

import datetime as dt

import numpy as np

from gmassist.office.schedule.demo import delete_schedule_demo, write_schedule_demo
from gmassist.office.schedule.models import BusyCalendar, Meeting, MeetingParticipant, WorkingHours
from gmassist.org.demo.extensions import DemoContext


def demo(cast, seed: int = 1) -> dict[str, int]:
    users = {
        "gm": cast.gm,
        "assistant": cast.assistant,
        "hr": cast.hr,
        "head": cast.head,
        "am": cast.account_manager,
        "employee": cast.employee,
    }
    ctx = DemoContext(
        company=None, employee_pk=np.array([]), users=users, as_of=dt.date(2026, 3, 4), seed=seed
    )
    return write_schedule_demo(ctx)


def test_the_demo_writes_the_gms_week(cast, monday):
    counts = demo(cast)
    assert counts == {"meetings": 9, "busy_calendars": 3, "working_hours": 5}
    gm_meetings = Meeting.objects.filter(organiser=cast.gm)
    assert gm_meetings.count() == 7
    weekly = gm_meetings.get(title="每周管理例会")
    assert (weekly.repeat, weekly.arranged_by, weekly.local_start.time()) == (
        "weekly",
        cast.assistant,
        dt.time(9),
    )
    assert weekly.minutes.startswith("1. 三月销售额")
    assert gm_meetings.get(title="Q2 budget review").minutes.startswith("Agreed:")
    assert gm_meetings.filter(status="cancelled").count() == 1
    assert WorkingHours.objects.get(user=cast.account_manager).time_zone == "Europe/Berlin"
    assert BusyCalendar.objects.filter(interval_count__gt=0).count() == 3


def test_the_demo_is_the_same_from_the_same_seed(cast, monday):
    demo(cast)
    first = list(
        MeetingParticipant.objects.order_by("meeting__title", "user_id").values_list(
            "meeting__title", "response"
        )
    )
    busy = sorted(BusyCalendar.objects.values_list("name", "interval_count"))
    delete_schedule_demo()
    assert Meeting.objects.count() == 0
    demo(cast)
    again = list(
        MeetingParticipant.objects.order_by("meeting__title", "user_id").values_list(
            "meeting__title", "response"
        )
    )
    assert again == first
    assert sorted(BusyCalendar.objects.values_list("name", "interval_count")) == busy
