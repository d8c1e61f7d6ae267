"""Fixtures of the task tests: the cast with e-mail addresses, and a task maker."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from gmassist.office.tasks import services

# every test runs on Monday 2026-03-02 at 09:00 UTC unless it travels elsewhere
MONDAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _monday():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def clock(_monday):
    return _monday


@pytest.fixture
def people(cast):
    for user in (
        cast.gm,
        cast.assistant,
        cast.hr,
        cast.head,
        cast.employee,
        cast.outsider,
        cast.account_manager,
    ):
        user.email = f"{user.username}@example.com"
        user.save(update_fields=["email"])
    return cast


@pytest.fixture
def make_task(people):
    def make(**overrides):
        values = {
            "by": people.gm,
            "title": "Call the bank",
            "owner": people.employee,
            "due_on": dt.date(2026, 3, 6),
        }
        values.update(overrides)
        return services.task_create(**values)

    return make
