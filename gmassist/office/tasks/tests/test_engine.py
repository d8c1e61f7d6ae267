"""The follow-up rule without a database: which step comes on which day, once each."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gmassist.office.tasks.engine import GM, HEAD, Step, TaskDates, follow_up, head_chain

DUE = dt.date(2026, 3, 6)


def test_nothing_happens_before_the_reminder_day():
    task = TaskDates(due_on=DUE, remind_on=dt.date(2026, 3, 4))
    assert follow_up(task, today=dt.date(2026, 3, 3), gm_after_days=3) == []


def test_the_reminder_comes_on_its_day():
    task = TaskDates(due_on=DUE, remind_on=dt.date(2026, 3, 4))
    assert follow_up(task, today=dt.date(2026, 3, 4), gm_after_days=3) == [Step.REMIND]


def test_a_reminder_already_sent_is_not_sent_again():
    task = TaskDates(due_on=DUE, remind_on=dt.date(2026, 3, 4), reminded_on=dt.date(2026, 3, 4))
    assert follow_up(task, today=dt.date(2026, 3, 5), gm_after_days=3) == []


def test_the_due_date_notice_comes_on_the_due_date_not_the_reminder():
    task = TaskDates(due_on=DUE, remind_on=DUE)
    assert follow_up(task, today=DUE, gm_after_days=3) == [Step.DUE]


def test_the_day_after_the_due_date_the_head_is_told():
    task = TaskDates(due_on=DUE, due_notified_on=DUE)
    assert follow_up(task, today=dt.date(2026, 3, 7), gm_after_days=3) == [Step.ESCALATE_HEAD]


def test_the_gm_desk_comes_exactly_gm_after_days_after_the_head():
    task = TaskDates(
        due_on=DUE, due_notified_on=DUE, escalation=HEAD, escalated_on=dt.date(2026, 3, 7)
    )
    assert follow_up(task, today=dt.date(2026, 3, 9), gm_after_days=3) == []
    assert follow_up(task, today=dt.date(2026, 3, 10), gm_after_days=3) == [Step.ESCALATE_GM]


def test_nothing_more_at_the_gm_desk():
    task = TaskDates(due_on=DUE, due_notified_on=DUE, escalation=GM, escalated_on=DUE)
    assert follow_up(task, today=dt.date(2026, 4, 30), gm_after_days=3) == []


def test_a_task_without_a_due_date_is_only_reminded():
    task = TaskDates(due_on=None, remind_on=dt.date(2026, 3, 1))
    assert follow_up(task, today=dt.date(2026, 3, 20), gm_after_days=0) == [Step.REMIND]


def test_a_negative_delay_is_refused():
    with pytest.raises(ValueError, match="gm_after_days"):
        follow_up(TaskDates(due_on=DUE), today=DUE, gm_after_days=-1)


def _apply(task: TaskDates, steps: list[Step], today: dt.date) -> TaskDates:
    values = task.__dict__.copy()
    for step in steps:
        if step == Step.REMIND:
            values["reminded_on"] = today
        elif step == Step.DUE:
            values["due_notified_on"] = today
        elif step == Step.ESCALATE_HEAD:
            values.update(escalation=HEAD, escalated_on=today)
        elif step == Step.ESCALATE_GM:
            values.update(escalation=GM, escalated_on=today)
    return TaskDates(**values)


@given(
    due_in=st.integers(min_value=0, max_value=20),
    remind_before=st.one_of(st.none(), st.integers(min_value=0, max_value=10)),
    gm_after=st.integers(min_value=0, max_value=10),
    twice=st.booleans(),
)
def test_run_every_day_each_step_happens_once_and_in_order(due_in, remind_before, gm_after, twice):
    start = dt.date(2026, 1, 1)
    due = start + dt.timedelta(days=due_in)
    remind = None if remind_before is None else max(start, due - dt.timedelta(days=remind_before))
    task = TaskDates(due_on=due, remind_on=remind)
    taken: list[tuple[Step, dt.date]] = []
    for offset in range(due_in + gm_after + 5):
        today = start + dt.timedelta(days=offset)
        for _run in range(2 if twice else 1):
            steps = follow_up(task, today=today, gm_after_days=gm_after)
            taken += [(step, today) for step in steps]
            task = _apply(task, steps, today)
    names = [step for step, _day in taken]
    assert len(names) == len(set(names))
    days = dict(taken)
    assert days[Step.DUE] == due
    assert days[Step.ESCALATE_HEAD] == due + dt.timedelta(days=1)
    assert days[Step.ESCALATE_GM] == due + dt.timedelta(days=1 + gm_after)
    if remind is not None and remind < due:
        assert days[Step.REMIND] == remind
    else:
        assert Step.REMIND not in days


PARENT = {1: None, 2: 1, 3: 2, 4: 1}  # HQ > Sales > Sales East; HQ > R&D
HEADS = {1: 100, 2: 200, 3: None, 4: None}


def test_the_head_of_a_department_without_its_own_head_is_the_one_above():
    assert head_chain(department_id=3, owner_employee_id=7, parent_of=PARENT, head_of=HEADS) == 200


def test_a_head_escalates_to_the_head_above():
    assert (
        head_chain(department_id=2, owner_employee_id=200, parent_of=PARENT, head_of=HEADS) == 100
    )


def test_the_top_head_has_nobody_above():
    assert (
        head_chain(department_id=1, owner_employee_id=100, parent_of=PARENT, head_of=HEADS) is None
    )


def test_a_cycle_in_the_tree_ends_the_search():
    assert (
        head_chain(
            department_id=1, owner_employee_id=5, parent_of={1: 2, 2: 1}, head_of={1: 5, 2: None}
        )
        is None
    )
