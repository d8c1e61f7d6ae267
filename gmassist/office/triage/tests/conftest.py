"""Helpers of the triage tests: a matter and a rule made through the services."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from gmassist.core.permissions import SYSTEM
from gmassist.office.triage import services

NOW = dt.datetime(2026, 3, 2, 10, 30, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _fixed_time():
    with time_machine.travel(NOW, tick=False):
        yield


def make_matter(title="The printer on the third floor is broken", text="", **extra):
    return services.matter_submit(by=SYSTEM, title=title, text=text, **extra)


def decide(matter, by, route, **extra):
    return services.matter_decide(matter=matter, by=by, route=route, **extra)


def now():
    return timezone.now()
