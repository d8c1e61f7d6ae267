"""Helpers of the schedule tests: meetings made through the service, a fixed Monday morning."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from gmassist.core.permissions import SYSTEM
from gmassist.office.schedule import services
from gmassist.office.schedule.models import Meeting

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Monday 2 March 2026, 08:30 in Shanghai
NOW = dt.datetime(2026, 3, 2, 8, 30, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _company_in_shanghai(settings):
    settings.TIME_ZONE = "Asia/Shanghai"


@pytest.fixture
def monday():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def at(day: int, hour: int, minute: int = 0, zone: ZoneInfo = SHANGHAI) -> dt.datetime:
    """A time in March 2026 (Shanghai unless told)."""
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=zone)


def book(
    *,
    organiser,
    title: str = "Quarterly review",
    start: dt.datetime | None = None,
    minutes: int = 60,
    participants=(),
    by=None,
    zone: str = "Asia/Shanghai",
    **extra,
) -> Meeting:
    start = start or at(2, 10)
    fields = services.MeetingFields(
        title=title,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=minutes),
        time_zone=zone,
        **extra,
    )
    return services.meeting_create(
        by=by or organiser,
        fields=fields,
        participants=list(participants),
        organiser=organiser if by is not None else None,
        send_invitations=False,
    )


__all__ = ["SYSTEM", "at", "book"]
