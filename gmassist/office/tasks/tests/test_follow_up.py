"""Reminders and escalation with controlled time: exact days, once each, the head chain, then
the GM's desk."""

import datetime as dt

import pytest
import time_machine

from gmassist.core.models import AuditEntry
from gmassist.office.tasks.choices import EntryKind, Escalation, TaskStatus
from gmassist.office.tasks.models import Task
from gmassist.office.tasks.services import task_set_status, tasks_follow_up


def _on(day: str):
    return time_machine.travel(dt.datetime.fromisoformat(day + "T07:00:00+00:00"), tick=False)


def _subjects(mailoutbox):
    return [(m.to[0], m.subject) for m in mailoutbox]


@pytest.fixture
def late(make_task, people, mailoutbox):
    task = make_task(due_on=dt.date(2026, 3, 6), remind_on=dt.date(2026, 3, 4))
    mailoutbox.clear()  # the assignment e-mail
    return task


def test_the_owner_is_reminded_on_the_reminder_day_once(late, mailoutbox):
    with _on("2026-03-03"):
        assert tasks_follow_up()["reminders"] == 0
    with _on("2026-03-04"):
        assert tasks_follow_up() == {"reminders": 1, "due_notices": 0, "to_heads": 0, "to_gm": 0}
        assert tasks_follow_up()["reminders"] == 0
    assert _subjects(mailoutbox) == [("employee@example.com", "Reminder: Call the bank")]


def test_the_owner_is_told_on_the_due_date(late, mailoutbox):
    with _on("2026-03-06"):
        assert tasks_follow_up() == {"reminders": 0, "due_notices": 1, "to_heads": 0, "to_gm": 0}
    assert _subjects(mailoutbox) == [("employee@example.com", "Due today: Call the bank")]


def test_a_late_task_goes_to_the_owners_head_the_day_after_then_the_gm(late, mailoutbox, people):
    with _on("2026-03-06"):
        tasks_follow_up()
    mailoutbox.clear()
    with _on("2026-03-07"):
        assert tasks_follow_up()["to_heads"] == 1
        assert tasks_follow_up()["to_heads"] == 0
    late.refresh_from_db()
    assert (late.escalation, late.escalated_to) == (Escalation.HEAD, people.head)
    assert _subjects(mailoutbox) == [
        ("head@example.com", "Late task in your department: Call the bank")
    ]
    for day in ("2026-03-08", "2026-03-09"):
        with _on(day):
            assert tasks_follow_up()["to_gm"] == 0
    with _on("2026-03-10"):
        assert tasks_follow_up()["to_gm"] == 1
        assert tasks_follow_up()["to_gm"] == 0
    late.refresh_from_db()
    assert late.escalation == Escalation.GM
    assert late.escalated_to is None
    kinds = list(late.comments.values_list("kind", flat=True))
    assert kinds == [
        EntryKind.CREATED,
        EntryKind.REMINDED,  # the job first ran after the reminder day: it still went
        EntryKind.DUE_NOTICE,
        EntryKind.ESCALATED,
        EntryKind.ESCALATED,
    ] or kinds == [
        EntryKind.CREATED,
        EntryKind.DUE_NOTICE,
        EntryKind.ESCALATED,
        EntryKind.ESCALATED,
    ]
    audited = AuditEntry.objects.filter(target_type="office.task", target_id=str(late.pk))
    assert [e.changes.get("escalation") for e in audited.order_by("id")][-2:] == [
        ["none", "head"],
        ["head", "gm"],
    ]


def test_the_head_escalates_to_the_head_above(make_task, people, mailoutbox):
    people.hq.head = people.gm.employee
    people.hq.save()
    task = make_task(owner=people.head, due_on=dt.date(2026, 3, 2))
    with _on("2026-03-03"):
        tasks_follow_up()
    task.refresh_from_db()
    assert (task.escalation, task.escalated_to) == (Escalation.HEAD, people.gm)


def test_an_owner_with_no_head_above_goes_straight_to_the_gm(make_task, people):
    task = make_task(owner=people.outsider, due_on=dt.date(2026, 3, 2))  # R&D has no head
    with _on("2026-03-03"):
        assert tasks_follow_up() == {"reminders": 0, "due_notices": 1, "to_heads": 0, "to_gm": 1}
    task.refresh_from_db()
    assert task.escalation == Escalation.GM


def test_a_finished_task_is_not_escalated(late, people):
    task_set_status(task=late, status=TaskStatus.DONE, by=people.employee)
    with _on("2026-03-12"):
        assert tasks_follow_up() == {"reminders": 0, "due_notices": 0, "to_heads": 0, "to_gm": 0}
    late.refresh_from_db()
    assert late.escalation == Escalation.NONE


def test_the_delay_to_the_gm_is_a_setting(late, settings):
    settings.TASK_ESCALATE_TO_GM_DAYS = 1
    with _on("2026-03-07"):
        tasks_follow_up()
    with _on("2026-03-08"):
        assert tasks_follow_up()["to_gm"] == 1


def test_a_new_due_date_starts_the_follow_up_again(late, people):
    from gmassist.office.tasks.services import task_update

    with _on("2026-03-07"):
        tasks_follow_up()
        task_update(task=late, by=people.gm, due_on=dt.date(2026, 3, 13))
    late.refresh_from_db()
    assert (late.escalation, late.escalated_at, late.due_notified_at) == (
        Escalation.NONE,
        None,
        None,
    )
    with _on("2026-03-14"):
        assert tasks_follow_up()["to_heads"] == 1


def test_the_remind_command_runs_the_follow_up(late, mailoutbox):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    with _on("2026-03-04"):
        call_command("office", "tasks", "remind", stdout=out)
    assert (
        out.getvalue()
        .strip()
        .endswith(
            "Sent 1 reminder(s) and 0 due-date notice(s); escalated 0 task(s) to a head and 0 to "
            "the GM's desk."
        )
    )
    assert Task.objects.get(pk=late.pk).reminded_at is not None
