"""`gmassist office tasks`: the list as a user sees it, late ones only, JSON."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command


def _run(*args) -> str:
    out = StringIO()
    call_command("office", "tasks", *args, stdout=out)
    return out.getvalue()


def test_the_list_shows_what_the_user_may_see(make_task, people):
    make_task(title="Visit Lin")
    make_task(title="Fix the lab", owner=people.outsider)
    rows = json.loads(_run("--json", "--user", "head"))
    assert [(r["title"], r["owner"], r["due_on"]) for r in rows] == [
        ("Visit Lin", "Emma Employee", "2026-03-06")
    ]
    assert [r["title"] for r in json.loads(_run("--json"))] == ["Visit Lin", "Fix the lab"]


def test_overdue_only(make_task, people, clock):
    make_task(title="Late", due_on=dt.date(2026, 3, 3))
    make_task(title="Later", due_on=dt.date(2026, 3, 30))
    clock.move_to(dt.datetime(2026, 3, 5, 9, 0, tzinfo=dt.UTC))
    rows = json.loads(_run("list", "--overdue", "--json"))
    assert [(r["title"], r["days_late"]) for r in rows] == [("Late", 2)]


def test_the_table_names_the_count(make_task):
    make_task(title="Visit Lin")
    assert "1 task(s)" in _run()


def test_an_unknown_user_is_an_error(people):
    with pytest.raises(CommandError, match="no active user 'nobody'"):
        _run("--user", "nobody")
