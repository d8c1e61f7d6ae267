"""The voice endpoints: success, not logged in (401), wrong scope (404/403, nothing changed),
bad input (422); and no response field that links an anonymous item to its sender."""

import datetime as dt
import json

import pytest
import time_machine

from conftest import assert_problem
from gmassist.voice.feedback.models import Feedback, FeedbackMessage
from gmassist.voice.feedback.tests.conftest import make_feedback

SEND = {
    "kind": "complaint",
    "subject": "Weekend shifts",
    "body": "We work every weekend and the team is exhausted.",
}


@pytest.fixture(autouse=True)
def _fixed_day():
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 31, 7), tick=False):
        yield


def post(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


def test_sending_named_feedback(client, cast):
    client.force_login(cast.employee)
    response = post(client, "/api/voice/feedback", {**SEND, "department_id": cast.sales_east.pk})
    assert response.status_code == 201
    body = response.json()
    assert (body["anonymous"], body["reply_code"], body["topic"]) == (False, "", "workload")
    assert body["due_on"] == "2026-03-16"
    assert Feedback.objects.get().author == cast.employee


def test_sending_anonymously_answers_with_a_code_and_stores_no_sender(client, cast):
    client.force_login(cast.employee)
    response = post(
        client,
        "/api/voice/feedback",
        {**SEND, "department_id": cast.sales_east.pk, "anonymous": True},
    )
    body = response.json()
    assert response.status_code == 201 and len(body["reply_code"]) == 24
    assert response.wsgi_request.META["gmassist.skip_access_log"] is True
    assert Feedback.objects.get().author_id is None


def test_sending_needs_a_login(client, cast):
    assert_problem(
        post(client, "/api/voice/feedback", {**SEND, "department_id": cast.sales.pk}), 401
    )
    assert Feedback.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "rant"}, "kind"),
        ({"subject": ""}, "subject"),
        ({"department_id": 999999}, "department_id"),
        ({"department_id": None}, "department"),
    ],
)
def test_sending_bad_input_is_a_422(client, cast, change, field):
    client.force_login(cast.employee)
    body = assert_problem(
        post(client, "/api/voice/feedback", {**SEND, "department_id": cast.sales.pk, **change}), 422
    )
    assert [e["field"] for e in body["errors"]] == [field]
    assert Feedback.objects.count() == 0


def test_the_list_is_scoped_and_names_no_anonymous_sender(client, cast):
    make_feedback(department=cast.sales, subject="named", author=cast.employee)
    make_feedback(
        department=cast.sales, subject="anon", is_anonymous=True, reply_code_digest="a" * 64
    )
    make_feedback(department=cast.rnd, subject="rnd")
    client.force_login(cast.head)
    body = client.get("/api/voice/feedback?sort=submitted").json()
    assert body["count"] == 2
    by_subject = {item["subject"]: item for item in body["items"]}
    assert by_subject["named"]["author"] == {"id": cast.employee.pk, "name": "Emma Employee"}
    assert by_subject["anon"]["author"] is None
    assert set(by_subject["anon"]) == set(by_subject["named"])
    assert "reply_code_digest" not in json.dumps(body)
    client.force_login(cast.gm)
    assert client.get("/api/voice/feedback").json()["count"] == 3
    assert_problem(client.get("/api/voice/feedback?sort=nonsense"), 422)


def test_the_list_needs_a_login(client, cast):
    assert_problem(client.get("/api/voice/feedback"), 401)


def test_reading_an_item_out_of_scope_is_a_404(client, cast):
    item = make_feedback(department=cast.rnd)
    client.force_login(cast.head)
    assert_problem(client.get(f"/api/voice/feedback/{item.pk}"), 404)
    client.force_login(cast.gm)
    assert client.get(f"/api/voice/feedback/{item.pk}").json()["feedback"]["subject"] == "A subject"


def test_answering_and_the_anonymous_thread_by_code(client, cast):
    client.force_login(cast.employee)
    code = post(
        client,
        "/api/voice/feedback",
        {**SEND, "department_id": cast.sales_east.pk, "anonymous": True},
    ).json()["reply_code"]
    item = Feedback.objects.get()
    client.force_login(cast.head)
    answer = post(client, f"/api/voice/feedback/{item.pk}/replies", {"body": "Two hires."})
    assert answer.status_code == 201
    assert answer.json()["author"] == {"id": cast.head.pk, "name": "Hank Head"}
    client.force_login(cast.outsider)
    thread = post(client, "/api/voice/follow", {"code": code}).json()
    assert thread["feedback"]["status"] == "answered"
    assert [m["body"] for m in thread["messages"]] == ["Two hires."]
    reply = post(client, "/api/voice/follow/replies", {"code": code, "body": "Thanks"})
    assert reply.status_code == 201 and reply.json()["author"] is None
    assert_problem(post(client, "/api/voice/follow", {"code": "WRONG"}), 404)
    assert_problem(post(client, "/api/voice/follow", {"code": ""}), 422)
    client.logout()
    assert_problem(post(client, "/api/voice/follow", {"code": code}), 401)


def test_answering_out_of_scope_changes_nothing(client, cast):
    item = make_feedback(department=cast.sales, owner=cast.head)
    client.force_login(cast.hr)  # sees it, does not own it
    assert_problem(post(client, f"/api/voice/feedback/{item.pk}/replies", {"body": "Hi"}), 403)
    assert_problem(post(client, f"/api/voice/feedback/{item.pk}/status", {"status": "closed"}), 403)
    client.force_login(cast.outsider)
    assert_problem(post(client, f"/api/voice/feedback/{item.pk}/replies", {"body": "Hi"}), 404)
    item.refresh_from_db()
    assert item.status == "new" and FeedbackMessage.objects.count() == 0


def test_status_changes_and_a_decline_needs_a_reason(client, cast):
    item = make_feedback(department=cast.sales, owner=cast.head)
    client.force_login(cast.head)
    body = assert_problem(
        post(client, f"/api/voice/feedback/{item.pk}/status", {"status": "declined"}), 422
    )
    assert [e["field"] for e in body["errors"]] == ["reason"]
    assert_problem(post(client, f"/api/voice/feedback/{item.pk}/status", {"status": "new"}), 422)
    response = post(client, f"/api/voice/feedback/{item.pk}/status", {"status": "in_progress"})
    assert response.json()["status"] == "in_progress"
    assert_problem(post(client, f"/api/voice/feedback/{item.pk}/replies", {"body": ""}), 422)


def test_trends(client, cast):
    make_feedback(
        department=cast.sales, sentiment="negative", topic="pay", submitted_on=dt.date(2026, 3, 1)
    )
    client.force_login(cast.hr)
    body = client.get("/api/voice/trends?months=2").json()
    assert body["months"] == ["2026-02", "2026-03"]
    assert body["by_month"] == {"negative": [0, 1], "neutral": [0, 0], "positive": [0, 0]}
    assert body["by_department"] == [
        {
            "department_id": cast.sales.pk,
            "department": "Sales",
            "total": 1,
            "negative": 1,
            "neutral": 0,
            "positive": 0,
            "negative_share": 1.0,
        }
    ]
    assert_problem(client.get("/api/voice/trends?months=0"), 422)
    client.force_login(cast.employee)
    assert_problem(client.get("/api/voice/trends"), 403)
    client.logout()
    assert_problem(client.get("/api/voice/trends"), 401)
