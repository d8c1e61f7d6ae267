"""The task endpoints: success, no login, wrong scope (nothing changed), bad input."""

import datetime as dt

from conftest import assert_problem
from gmassist.office.tasks.models import Task


def test_the_list_is_scoped_and_filtered(client, make_task, people, clock):
    make_task(title="Late one", due_on=dt.date(2026, 3, 3))
    make_task(title="R&D", owner=people.outsider, due_on=dt.date(2026, 3, 20))
    clock.move_to(dt.datetime(2026, 3, 5, 9, 0, tzinfo=dt.UTC))
    client.force_login(people.employee)
    body = client.get("/api/office/tasks").json()
    assert [(t["title"], t["late"], t["days_late"]) for t in body["items"]] == [
        ("Late one", True, 2)
    ]
    client.force_login(people.gm)
    titles = [t["title"] for t in client.get("/api/office/tasks?overdue=true").json()["items"]]
    assert titles == ["Late one"]


def test_the_endpoints_ask_for_a_login(client, make_task):
    task = make_task()
    assert_problem(client.get("/api/office/tasks"), 401)
    assert_problem(client.get(f"/api/office/tasks/{task.pk}"), 401)


def test_a_bad_filter_is_a_422(client, people):
    client.force_login(people.gm)
    body = assert_problem(client.get("/api/office/tasks?overdue=perhaps"), 422)
    assert body["errors"][0]["field"] == "overdue"


def test_create_read_comment_and_status(client, people):
    client.force_login(people.head)
    created = client.post(
        "/api/office/tasks",
        {"title": "Visit Lin", "owner_id": people.employee.pk, "due_on": "2026-03-09"},
        content_type="application/json",
    )
    assert created.status_code == 201
    task_id = created.json()["id"]
    assert created.json()["delegated_by"] == {"id": people.head.pk, "name": "Hank Head"}
    client.force_login(people.employee)
    comment = client.post(
        f"/api/office/tasks/{task_id}/comments",
        {"text": "Booked for Tuesday"},
        content_type="application/json",
    )
    assert comment.status_code == 201 and comment.json()["comment"] == "Booked for Tuesday"
    done = client.post(
        f"/api/office/tasks/{task_id}/status", {"status": "done"}, content_type="application/json"
    )
    assert done.json()["status"] == "done"
    detail = client.get(f"/api/office/tasks/{task_id}").json()
    assert [line["kind"] for line in detail["history"]] == ["created", "comment", "status"]


def test_creating_about_a_hidden_record_is_a_422(client, people):
    client.force_login(people.head)
    body = assert_problem(
        client.post(
            "/api/office/tasks",
            {
                "title": "x",
                "owner_id": people.head.pk,
                "about": f"org.employee:{people.outsider.employee.pk}",
            },
            content_type="application/json",
        ),
        422,
    )
    assert body["errors"][0]["field"] == "about"
    assert Task.objects.count() == 0


def test_creating_for_someone_out_of_reach_is_a_403(client, people):
    client.force_login(people.employee)
    assert_problem(
        client.post(
            "/api/office/tasks",
            {"title": "x", "owner_id": people.outsider.pk},
            content_type="application/json",
        ),
        403,
    )
    assert Task.objects.count() == 0


def test_update_by_the_owner_is_a_403_and_changes_nothing(client, make_task, people):
    task = make_task()
    client.force_login(people.employee)
    assert_problem(
        client.patch(
            f"/api/office/tasks/{task.pk}",
            {"due_on": "2026-04-01"},
            content_type="application/json",
        ),
        403,
    )
    task.refresh_from_db()
    assert task.due_on == dt.date(2026, 3, 6)


def test_update_and_reassign_by_the_gm(client, make_task, people):
    task = make_task()
    client.force_login(people.gm)
    response = client.patch(
        f"/api/office/tasks/{task.pk}",
        {"priority": "urgent", "owner_id": people.account_manager.pk},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert (response.json()["priority"], response.json()["owner"]["name"]) == (
        "urgent",
        "Alice Account",
    )


def test_reading_out_of_scope_is_a_404(client, make_task, people):
    task = make_task()
    client.force_login(people.outsider)
    assert_problem(client.get(f"/api/office/tasks/{task.pk}"), 404)
    assert_problem(
        client.post(
            f"/api/office/tasks/{task.pk}/status",
            {"status": "done"},
            content_type="application/json",
        ),
        404,
    )
    task.refresh_from_db()
    assert task.status == "open"


def test_a_bad_status_is_a_422(client, make_task, people):
    task = make_task()
    client.force_login(people.employee)
    assert_problem(
        client.post(
            f"/api/office/tasks/{task.pk}/status",
            {"status": "later"},
            content_type="application/json",
        ),
        422,
    )


def test_the_list_reads_the_same_number_of_queries_for_3_or_12_tasks(client, make_task, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(people.gm)
    for n in range(3):
        make_task(title=f"Task {n}")
    with CaptureQueriesContext(connection) as few:
        assert len(client.get("/api/office/tasks").json()["items"]) == 3
    for n in range(9):
        make_task(title=f"More {n}", owner=people.head)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get("/api/office/tasks").json()["items"]) == 12
    assert len(many.captured_queries) == len(few.captured_queries)
