"""What the tasks put in the inbox, on Today and in the iCalendar feed."""

import datetime as dt

from gmassist.core.inbox import inbox_action_count
from gmassist.office.schedule.feed_sources import registered_feed_sources
from gmassist.office.tasks.choices import Escalation, TaskStatus
from gmassist.office.tasks.models import Task
from gmassist.office.tasks.services import task_set_status
from gmassist.office.today.registry import registered_today_sources


def _source(key):
    return next(s for s in registered_today_sources() if s.key == key)


def test_the_inbox_lists_my_open_tasks(make_task, people):
    make_task(title="Call the bank")
    done = make_task(title="Old one")
    task_set_status(task=done, status=TaskStatus.DONE, by=people.employee)
    from gmassist.core.inbox import inbox_sections

    section = next(s for s in inbox_sections() if s.key == "office.tasks")
    items = section.items(people.employee)
    assert [(i.title, i.due, i.status) for i in items] == [
        ("Call the bank", dt.date(2026, 3, 6), "due in 4 days")
    ]
    assert section.action_count(people.employee) == 1
    assert inbox_action_count(people.outsider) == 0


def test_today_shows_the_gm_the_tasks_at_the_desk_and_the_late_ones_delegated(
    make_task, people, clock
):
    at_desk = make_task(title="At the desk", due_on=dt.date(2026, 3, 2))
    make_task(title="Late", due_on=dt.date(2026, 3, 3))
    make_task(title="Not late", due_on=dt.date(2026, 3, 30))
    Task.objects.filter(pk=at_desk.pk).update(
        escalation=Escalation.GM, escalated_at=at_desk.created_at
    )
    clock.move_to(dt.datetime(2026, 3, 5, 9, 0, tzinfo=dt.UTC))
    desk = _source("office.tasks.gm_desk")
    delegated = _source("office.tasks.delegated_late")
    assert [i.title for i in desk.items(people.gm)] == ["At the desk"]
    assert [i.title for i in delegated.items(people.gm)] == ["Late"]
    assert (desk.count(people.gm), delegated.count(people.gm)) == (1, 1)
    assert desk.items(people.head) == [] and desk.count(people.employee) == 0


def test_today_shows_a_head_the_late_tasks_of_their_subtree(make_task, people, clock):
    make_task(title="Emma's", due_on=dt.date(2026, 3, 3))
    make_task(title="Oscar's", owner=people.outsider, due_on=dt.date(2026, 3, 3))
    clock.move_to(dt.datetime(2026, 3, 5, 9, 0, tzinfo=dt.UTC))
    source = _source("office.tasks.subtree_late")
    items = source.items(people.head)
    assert [(i.title, i.detail) for i in items] == [("Emma's", "Emma Employee · 2 days late")]
    assert source.count(people.head) == 1
    assert source.items(people.gm) == []  # the GM's office reads the desk and its own


def test_the_feed_has_the_due_dates_of_my_open_tasks(make_task, people):
    task = make_task(title="Call the bank")
    make_task(title="No date", due_on=None)
    source = next(s for s in registered_feed_sources() if s.key == "office.tasks")
    entries = source.entries(people.employee)
    assert [(e.uid, e.summary, e.start, e.end) for e in entries] == [
        (f"task-{task.pk}@gmassist", "Due: Call the bank", dt.date(2026, 3, 6), dt.date(2026, 3, 7))
    ]
    assert source.entries(people.outsider) == []
