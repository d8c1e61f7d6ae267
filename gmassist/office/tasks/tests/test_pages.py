"""The task pages: success, no login, wrong scope (nothing changed), bad input."""

import datetime as dt

from gmassist.office.tasks.choices import EntryKind, TaskStatus
from gmassist.office.tasks.models import Task


def test_the_list_shows_a_head_their_subtree_and_not_others(client, make_task, people):
    make_task(title="Visit Lin")
    make_task(title="Fix the lab", owner=people.outsider)
    client.force_login(people.head)
    response = client.get("/office/tasks/")
    assert response.status_code == 200
    assert [t.title for t in response.context["page_obj"]] == ["Visit Lin"]


def test_the_list_filters_what_i_delegated_and_what_is_late(client, make_task, people, clock):
    make_task(title="Late one", due_on=dt.date(2026, 3, 3))
    make_task(title="On time", due_on=dt.date(2026, 3, 20))
    clock.move_to(dt.datetime(2026, 3, 5, 9, 0, tzinfo=dt.UTC))
    client.force_login(people.gm)
    response = client.get("/office/tasks/?whose=delegated&overdue=on")
    assert [t.title for t in response.context["page_obj"]] == ["Late one"]
    assert response.context["late_delegated"] == 1


def test_the_list_asks_for_a_login(client):
    assert client.get("/office/tasks/").status_code == 302


def test_new_from_a_record_prefills_the_title_and_link(client, people):
    client.force_login(people.head)
    about = f"org.employee:{people.employee.employee.pk}"
    response = client.get(f"/office/tasks/new/?about={about}")
    assert response.status_code == 200
    form = response.context["form"]
    assert (form.initial["title"], form.initial["about"]) == ("Emma Employee", about)


def test_new_from_a_record_i_may_not_see_is_a_404(client, people):
    client.force_login(people.head)
    response = client.get(f"/office/tasks/new/?about=org.employee:{people.outsider.employee.pk}")
    assert response.status_code == 404


def test_posting_a_new_task_creates_it(client, people):
    client.force_login(people.head)
    response = client.post(
        "/office/tasks/new/",
        {
            "title": "Visit Lin",
            "owner": people.employee.pk,
            "due_on": "2026-03-09",
            "priority": "high",
            "description": "",
        },
    )
    task = Task.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/office/tasks/{task.pk}/"
    assert (task.owner, task.delegated_by, task.due_on) == (
        people.employee,
        people.head,
        dt.date(2026, 3, 9),
    )


def test_a_bad_new_task_is_a_422_and_nothing_is_made(client, people):
    client.force_login(people.head)
    response = client.post(
        "/office/tasks/new/", {"title": "x", "owner": people.outsider.pk, "priority": "normal"}
    )
    assert response.status_code == 422
    assert list(response.context["form"].errors) == ["owner"]  # not one of the head's people
    response = client.post(
        "/office/tasks/new/",
        {"title": "x", "owner": people.employee.pk, "due_on": "2026-02-01", "priority": "normal"},
    )
    assert response.status_code == 422
    assert response.context["form"].errors == {
        "due_on": ["The due date cannot be in the past (today is 2026-03-02)."]
    }
    assert Task.objects.count() == 0


def test_the_task_page_shows_history_and_the_owners_buttons(client, make_task, people):
    task = make_task()
    client.force_login(people.employee)
    response = client.get(f"/office/tasks/{task.pk}/")
    assert response.status_code == 200
    assert [value for value, _label in response.context["statuses"]] == [
        "in_progress",
        "waiting",
        "done",
    ]
    assert response.context["may_manage"] is False
    assert [line.kind for line in response.context["history"]] == ["created"]


def test_the_task_page_is_a_404_out_of_scope(client, make_task, people):
    task = make_task()
    client.force_login(people.outsider)
    assert client.get(f"/office/tasks/{task.pk}/").status_code == 404
    assert client.post(f"/office/tasks/{task.pk}/status/", {"status": "done"}).status_code == 404
    assert client.post(f"/office/tasks/{task.pk}/comments/", {"text": "hi"}).status_code == 404
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN
    assert task.comments.filter(kind=EntryKind.COMMENT).count() == 0


def test_the_owner_marks_it_done(client, make_task, people):
    task = make_task()
    client.force_login(people.employee)
    response = client.post(f"/office/tasks/{task.pk}/status/", {"status": "done"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE


def test_the_delegator_may_not_mark_it_done(client, make_task, people):
    task = make_task(by=people.head)
    client.force_login(people.head)
    assert client.post(f"/office/tasks/{task.pk}/status/", {"status": "done"}).status_code == 403
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


def test_a_bad_status_is_a_422(client, make_task, people):
    task = make_task()
    client.force_login(people.employee)
    assert client.post(f"/office/tasks/{task.pk}/status/", {"status": "later"}).status_code == 422


def test_a_comment_is_added_and_an_empty_one_is_a_422(client, make_task, people):
    task = make_task()
    client.force_login(people.employee)
    response = client.post(f"/office/tasks/{task.pk}/comments/", {"text": "Called them"})
    assert response.status_code == 302
    assert client.post(f"/office/tasks/{task.pk}/comments/", {"text": ""}).status_code == 422
    assert list(task.comments.filter(kind="comment").values_list("text", flat=True)) == [
        "Called them"
    ]


def test_the_edit_page_is_the_managers(client, make_task, people):
    task = make_task()
    client.force_login(people.employee)
    assert client.get(f"/office/tasks/{task.pk}/edit/").status_code == 403
    client.force_login(people.assistant)
    response = client.post(
        f"/office/tasks/{task.pk}/edit/",
        {"title": "Call the bank today", "due_on": "2026-03-04", "priority": "urgent"},
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.title, task.due_on, task.priority) == (
        "Call the bank today",
        dt.date(2026, 3, 4),
        "urgent",
    )


def test_reassigning_from_the_page(client, make_task, people):
    task = make_task()
    client.force_login(people.gm)
    response = client.post(
        f"/office/tasks/{task.pk}/reassign/", {"owner": people.account_manager.pk, "note": ""}
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.owner == people.account_manager


def test_the_delegate_button_is_on_a_feedback_item(client, people):
    from gmassist.voice.feedback.models import Feedback

    item = Feedback.objects.create(
        kind="complaint",
        addressed_to="gm",
        subject="Parking is full",
        body="Every morning.",
        submitted_on=dt.date(2026, 3, 1),
        topic="facilities",
        sentiment="negative",
        due_on=dt.date(2026, 3, 15),
        owner=people.gm,
    )
    client.force_login(people.gm)
    html = client.get(f"/voice/feedback/{item.pk}/").content.decode()
    assert f"/office/tasks/new/?about=voice.feedback%3A{item.pk}" in html


def test_the_delegate_button_is_on_a_customer(client, people):
    from gmassist.customers.models import GroupCustomer, Industry

    industry = Industry.objects.create(code="MFG", name="Manufacturing")
    customer = GroupCustomer.objects.create(code="C1", name="Acme Steel", industry=industry)
    client.force_login(people.gm)
    html = client.get(f"/customers/{customer.pk}/").content.decode()
    assert f"/office/tasks/new/?about=customers.groupcustomer%3A{customer.pk}" in html


def test_an_employee_gives_the_new_task_to_themselves_by_default(client, people):
    client.force_login(people.employee)
    form = client.get("/office/tasks/new/").context["form"]
    assert [u.pk for u in form.fields["owner"].queryset] == [people.employee.pk]
    assert form.fields["owner"].initial == people.employee.pk


def test_the_delegate_button_is_on_an_objection_and_makes_a_task_about_it(client, people):
    from gmassist.decisions.services import (
        Audience,
        decision_create,
        decision_publish,
        decision_respond,
    )

    decision = decision_create(
        by=people.gm,
        title="Shared desks",
        rationale="The floor is 41% occupied.",
        effective_date=dt.date(2026, 4, 1),
        audience=Audience(departments=(people.hq,)),
    )
    decision_publish(decision=decision, by=people.gm)
    objection = decision_respond(
        decision=decision,
        by=people.employee,
        kind="objection",
        text="Sales needs fixed desks for the phones.",
        anonymous=True,
    )
    client.force_login(people.gm)
    html = client.get(f"/decisions/{decision.pk}/").content.decode()
    about = f"decisions.response:{objection.pk}"
    assert f"/office/tasks/new/?about={about.replace(':', '%3A')}" in html
    form = client.get(f"/office/tasks/new/?about={about}").context["form"]
    assert form.initial["title"] == "Shared desks: Sales needs fixed desks for the phones."


def test_a_late_row_says_how_late(client, make_task, people, clock):
    make_task(title="Late one", due_on=dt.date(2026, 3, 3))
    clock.move_to(dt.datetime(2026, 3, 6, 9, 0, tzinfo=dt.UTC))
    client.force_login(people.gm)
    html = client.get("/office/tasks/").content.decode()
    assert 'data-testid="task-late">3 days late</span>' in html
