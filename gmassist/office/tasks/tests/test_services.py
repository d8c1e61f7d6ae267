"""Who may do what to a task, a task from a record the creator may not see, bad input."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gmassist.core.models import AuditEntry
from gmassist.office.tasks import services
from gmassist.office.tasks.choices import EntryKind, Escalation, TaskStatus
from gmassist.office.tasks.models import Task, TaskComment


def test_a_task_is_created_audited_and_the_owner_emailed(
    make_task, people, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        task = make_task(priority="high", remind_on=dt.date(2026, 3, 5))
    assert (task.owner, task.delegated_by, task.status, task.priority) == (
        people.employee,
        people.gm,
        TaskStatus.OPEN,
        "high",
    )
    entry = AuditEntry.objects.get(target_type="office.task", target_id=str(task.pk))
    assert entry.changes["owner"] == [None, "Emma Employee"]
    assert [(m.to, m.subject) for m in mailoutbox] == [
        (["employee@example.com"], "A task for you: Call the bank")
    ]


def test_a_task_about_a_customer_keeps_its_title(make_task, people):
    from gmassist.customers.models import GroupCustomer, Industry

    industry = Industry.objects.create(code="MFG", name="Manufacturing")
    customer = GroupCustomer.objects.create(code="C1", name="Acme Steel", industry=industry)
    task = make_task(about=f"customers.groupcustomer:{customer.pk}")
    assert (task.about, task.about_title) == (
        f"customers.groupcustomer:{customer.pk}",
        "Acme Steel",
    )


def test_a_task_about_a_record_the_creator_may_not_see_is_refused(people):
    rnd_person = people.outsider.employee
    with pytest.raises(ValidationError) as error:
        services.task_create(
            by=people.head,
            title="Talk to Oscar",
            owner=people.head,
            about=f"org.employee:{rnd_person.pk}",
        )
    assert error.value.message_dict == {
        "about": [f"No record org.employee:{rnd_person.pk} that you may see."]
    }
    assert Task.objects.count() == 0


def test_a_record_that_does_not_exist_reads_the_same(people):
    with pytest.raises(ValidationError) as error:
        services.task_create(by=people.gm, title="x", owner=people.gm, about="org.employee:999999")
    assert error.value.message_dict == {
        "about": ["No record org.employee:999999 that you may see."]
    }


@pytest.mark.parametrize("about", ["nonsense", "auth.group:1", "org.employee:"])
def test_a_malformed_or_unknown_about_is_a_field_error(people, about):
    with pytest.raises(ValidationError) as error:
        services.task_create(by=people.gm, title="x", owner=people.gm, about=about)
    assert list(error.value.message_dict) == ["about"]


def test_bad_input_names_every_field(people):
    with pytest.raises(ValidationError) as error:
        services.task_create(
            by=people.gm,
            title="  ",
            owner=people.employee,
            priority="whenever",
            due_on=dt.date(2026, 3, 1),
            remind_on=dt.date(2026, 3, 1),
        )
    assert sorted(error.value.message_dict) == ["due_on", "priority", "remind_on", "title"]


def test_the_reminder_must_not_be_after_the_due_date(people):
    with pytest.raises(ValidationError) as error:
        services.task_create(
            by=people.gm,
            title="x",
            owner=people.employee,
            due_on=dt.date(2026, 3, 4),
            remind_on=dt.date(2026, 3, 5),
        )
    assert error.value.message_dict == {
        "remind_on": ["The reminder must not be after the due date."]
    }


def test_a_head_gives_tasks_to_their_subtree_only(people):
    services.task_create(by=people.head, title="Visit Lin", owner=people.employee)
    with pytest.raises(PermissionDenied):
        services.task_create(by=people.head, title="x", owner=people.outsider)
    assert Task.objects.count() == 1


def test_an_employee_gives_tasks_only_to_themselves(people):
    services.task_create(by=people.employee, title="Mine", owner=people.employee)
    with pytest.raises(PermissionDenied):
        services.task_create(by=people.employee, title="x", owner=people.outsider)


def test_the_owner_works_it_and_may_not_change_the_due_date(make_task, people):
    task = make_task()
    services.task_set_status(task=task, status=TaskStatus.IN_PROGRESS, by=people.employee)
    with pytest.raises(PermissionDenied):
        services.task_update(task=task, by=people.employee, due_on=dt.date(2026, 4, 1))
    with pytest.raises(PermissionDenied):
        services.task_set_status(task=task, status=TaskStatus.CANCELLED, by=people.employee)
    task.refresh_from_db()
    assert (task.status, task.due_on) == (TaskStatus.IN_PROGRESS, dt.date(2026, 3, 6))


def test_the_delegator_changes_dates_and_priority_but_does_not_work_it(make_task, people):
    task = make_task(by=people.head)
    services.task_update(task=task, by=people.head, due_on=dt.date(2026, 3, 20), priority="urgent")
    with pytest.raises(PermissionDenied):
        services.task_set_status(task=task, status=TaskStatus.DONE, by=people.head)
    task.refresh_from_db()
    assert (task.due_on, task.priority, task.status) == (dt.date(2026, 3, 20), "urgent", "open")
    line = task.comments.get(kind=EntryKind.CHANGED)
    assert line.change == {"due_on": ["2026-03-06", "2026-03-20"], "priority": ["normal", "urgent"]}


def test_the_assistant_cancels_and_reopens_a_task_of_the_gm(make_task, people):
    task = make_task()
    services.task_set_status(task=task, status=TaskStatus.CANCELLED, by=people.assistant)
    services.task_set_status(task=task, status=TaskStatus.OPEN, by=people.assistant)
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


def test_nobody_else_changes_anything(make_task, people):
    task = make_task()
    for user in (people.outsider, people.hr, people.account_manager):
        with pytest.raises(PermissionDenied):
            services.task_set_status(task=task, status=TaskStatus.DONE, by=user)
        with pytest.raises(PermissionDenied):
            services.task_update(task=task, by=user, priority="low")
        with pytest.raises(PermissionDenied):
            services.task_comment_add(task=task, by=user, text="hello")
        with pytest.raises(PermissionDenied):
            services.task_reassign(task=task, owner=user, by=user)
    task.refresh_from_db()
    assert (task.status, task.priority, task.owner) == ("open", "normal", people.employee)
    assert TaskComment.objects.filter(kind=EntryKind.COMMENT).count() == 0


def test_done_records_when_and_reopening_clears_it(make_task, people, clock):
    task = make_task()
    services.task_set_status(task=task, status=TaskStatus.DONE, by=people.employee, note="Paid")
    task.refresh_from_db()
    assert task.completed_at is not None
    assert task.comments.get(kind=EntryKind.STATUS).text == "Paid"
    services.task_set_status(task=task, status=TaskStatus.IN_PROGRESS, by=people.employee)
    task.refresh_from_db()
    assert task.completed_at is None


def test_setting_the_same_status_is_a_conflict(make_task, people):
    task = make_task()
    with pytest.raises(ValidationError, match="already open"):
        services.task_set_status(task=task, status=TaskStatus.OPEN, by=people.employee)


def test_the_head_comments_on_their_subtree_task(make_task, people):
    task = make_task()
    comment = services.task_comment_add(task=task, by=people.head, text="I will check with Emma")
    assert (comment.author, comment.kind) == (people.head, EntryKind.COMMENT)


def test_an_empty_comment_is_refused(make_task, people):
    with pytest.raises(ValidationError):
        services.task_comment_add(task=make_task(), by=people.employee, text="   ")


def test_reassigning_restarts_the_follow_up(make_task, people):
    task = make_task()
    Task.objects.filter(pk=task.pk).update(
        escalation=Escalation.HEAD, escalated_at=task.created_at, escalated_to=people.head
    )
    services.task_reassign(
        task=task, owner=people.account_manager, by=people.gm, note="Alice knows them"
    )
    task.refresh_from_db()
    assert (task.owner, task.escalation, task.escalated_to) == (
        people.account_manager,
        Escalation.NONE,
        None,
    )
    assert task.comments.get(kind=EntryKind.REASSIGNED).change == {
        "owner": ["Emma Employee", "Alice Account"]
    }


def test_the_system_delegates_as_nobody(people):
    from gmassist.core.permissions import SYSTEM

    task = services.task_create(by=SYSTEM, title="Renew the lease", owner=people.assistant)
    assert task.delegated_by is None


def test_every_kind_of_record_of_the_existing_modules_is_registered():
    from gmassist.office.tasks.subjects import registered_task_subjects

    assert registered_task_subjects() == [
        "core.proposal",
        "customers.groupcustomer",
        "decisions.decision",
        "decisions.response",
        "office.matter",
        "org.employee",
        "voice.feedback",
        "voice.requisition",
    ]
