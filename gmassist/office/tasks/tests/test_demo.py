"""The tasks' part of the demo: a week of delegated tasks, with the follow-up run each day."""

import datetime as dt

import numpy as np

from gmassist.office.tasks.choices import EntryKind, Escalation
from gmassist.office.tasks.demo import PLANS, write_tasks_demo
from gmassist.office.tasks.models import Task, TaskComment
from gmassist.org.demo.extensions import DemoContext


def _ctx(people):
    users = {
        "gm": people.gm,
        "assistant": people.assistant,
        "hr": people.hr,
        "head": people.head,
        "am": people.account_manager,
        "employee": people.employee,
    }
    return DemoContext(
        company=None, employee_pk=np.array([]), users=users, as_of=dt.date(2026, 3, 2), seed=1
    )


def test_the_demo_week_has_every_task_some_done_some_late_and_one_at_the_gm_desk(
    people, mailoutbox
):
    people.hq.head = people.gm.employee  # the GM heads the company, as in the demo company
    people.hq.save()
    counts = write_tasks_demo(_ctx(people))
    assert counts == {"tasks": len(PLANS), "late": 5, "at_gm_desk": 1, "comments": 15}
    assert mailoutbox == []  # history, not news
    at_desk = Task.objects.get(escalation=Escalation.GM)
    assert at_desk.title == "Answer the complaint about delivery delays"
    # escalated to the head's head the day after its due date, to the GM's desk 3 days later
    escalations = at_desk.comments.filter(kind=EntryKind.ESCALATED).order_by("created_at")
    assert [e.created_at.date() for e in escalations] == [dt.date(2026, 2, 26), dt.date(2026, 3, 1)]
    assert Task.objects.filter(status="done").count() == 8
    assert TaskComment.objects.filter(text__contains="排班方案").count() == 1


def test_the_demo_is_the_same_from_the_same_seed(people):
    write_tasks_demo(_ctx(people))
    first = list(Task.objects.order_by("title").values_list("title", "about", "status"))
    Task.objects.all().delete()
    write_tasks_demo(_ctx(people))
    assert list(Task.objects.order_by("title").values_list("title", "about", "status")) == first
