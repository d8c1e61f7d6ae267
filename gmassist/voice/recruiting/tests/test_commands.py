"""`gmassist voice recruiting agencies|requisitions [--json]`."""

import datetime as dt
import io
import json

import pytest
import time_machine
from django.core.management import CommandError, call_command

from gmassist.voice.recruiting.tests.factories import (
    make_agency,
    make_candidate,
    make_requisition,
)


@pytest.fixture(autouse=True)
def _fixed_day():
    with time_machine.travel(dt.datetime(2026, 3, 10, 9, 0), tick=False):
        yield


@pytest.fixture
def world(cast):
    agency = make_agency()
    east = make_requisition(cast, urgency="urgent", target_date=dt.date(2026, 3, 1))
    make_requisition(cast, code="REQ-RND", department=cast.rnd, position=cast.engineer,
                     target_date=dt.date(2026, 4, 1))  # fmt: skip
    make_candidate(east, agency=agency, stage="hired", hired_on=dt.date(2026, 2, 1))
    return agency


def run(*args) -> str:
    out = io.StringIO()
    call_command("voice", "recruiting", *args, stdout=out)
    return out.getvalue()


def test_agencies_as_json_with_their_results(world):
    [row] = json.loads(run("agencies", "--json"))
    assert (row["name"], row["sent"], row["hires"], row["hire_rate"]) == ("Alpha Search", 1, 1, 1.0)
    assert (row["median_days_to_hire"], row["fee_cost"]) == (22.0, "20000.00")


def test_requisitions_filtered_as_json_and_as_a_table(world):
    rows = json.loads(run("requisitions", "--overdue", "--json"))
    assert [(r["code"], r["overdue_days"], r["candidates"]) for r in rows] == [
        ("REQ-2026-001", 9, 1)
    ]
    table = run("requisitions")
    assert "REQ-2026-001" in table and "REQ-RND" in table


def test_a_user_sees_their_scope_and_an_unknown_user_is_an_error(world, cast):
    rows = json.loads(run("requisitions", "--json", "--user", "head"))
    assert [r["code"] for r in rows] == ["REQ-2026-001"]
    assert json.loads(run("agencies", "--json", "--user", "head")) == []
    with pytest.raises(CommandError):
        run("agencies", "--user", "nobody")
