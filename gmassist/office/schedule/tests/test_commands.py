"""`gmassist office schedule` and `gmassist office slots`."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from gmassist.office.schedule.tests.conftest import at, book


@pytest.fixture(autouse=True)
def _monday(monday):
    return monday


def run(*args: str) -> str:
    out = StringIO()
    call_command("office", *args, stdout=out)
    return out.getvalue()


def test_the_schedule_shows_the_gms_week_by_default(cast):
    book(organiser=cast.gm, title="Weekly management meeting", start=at(2, 9), repeat="weekly")
    book(organiser=cast.head, title="Not the GM's", start=at(3, 9))
    data = json.loads(run("schedule", "--json"))
    assert (data["person"], data["time_zone"], data["week"]) == (
        "Grace Manager",
        "Asia/Shanghai",
        "2026-03-02",
    )
    assert [(i["day"], i["title"], i["status"]) for i in data["items"]] == [
        ("2026-03-02", "Weekly management meeting", "organiser")
    ]
    table = run("schedule", "--week", "2026-03-09")
    assert "09:00–10:00" in table and "Weekly management meeting" in table
    assert "meetings: 1" in table


def test_the_schedule_of_a_user_is_what_they_see(cast):
    book(
        organiser=cast.head, title="Pipeline review", start=at(4, 15), participants=[cast.employee]
    )
    data = json.loads(run("schedule", "--user", "employee", "--json"))
    assert [(i["title"], i["start"]) for i in data["items"]] == [
        ("Pipeline review", "2026-03-04T15:00:00+08:00")
    ]
    with pytest.raises(CommandError, match="--week 'soon' is not a date"):
        run("schedule", "--week", "soon")


def test_slots_for_several_people(cast):
    book(organiser=cast.head, start=at(2, 9), minutes=180)
    data = json.loads(
        run(
            "slots",
            "--with",
            "head,employee",
            "--minutes",
            "60",
            "--from",
            "2026-03-02",
            "--days",
            "1",
            "--limit",
            "2",
            "--json",
        )
    )
    assert [s["start"] for s in data] == ["2026-03-02 04:00:00+00:00", "2026-03-02 04:30:00+00:00"]
    assert [p["name"] for p in data[0]["local"]] == ["Hank Head", "Emma Employee"]
    with pytest.raises(CommandError, match="no active user nobody"):
        run("slots", "--with", "head,nobody")
    with pytest.raises(CommandError, match="search 1 to 31 days"):
        run("slots", "--with", "head", "--days", "60")
