"""The voice pages: sending (named and anonymous), following with a reply code, the queue, one
item with answers and statuses, the trends; who sees what, role by role."""

import datetime as dt
import logging

import pytest
import time_machine

from gmassist.voice.feedback.models import Feedback, FeedbackMessage
from gmassist.voice.feedback.tests.conftest import make_feedback

FORM = {
    "kind": "complaint",
    "addressed_to": "department",
    "subject": "Weekend shifts",
    "body": "We work every weekend and the team is exhausted.",
}


@pytest.fixture(autouse=True)
def _fixed_day():
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 31, 7), tick=False):
        yield


def test_sending_named_feedback_redirects_to_the_item(client, cast):
    client.force_login(cast.employee)
    response = client.post("/voice/feedback/new/", {**FORM, "department": cast.sales_east.pk})
    item = Feedback.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/voice/feedback/{item.pk}/"
    assert item.author == cast.employee
    assert client.get(response["Location"]).status_code == 200


def test_sending_anonymously_shows_the_code_once_and_stores_no_sender(client, cast):
    client.force_login(cast.employee)
    page = client.get("/voice/feedback/new/?anonymous")
    assert page.status_code == 200
    assert b"What anonymous means here" in page.content
    response = client.post(
        "/voice/feedback/new/", {**FORM, "department": cast.sales_east.pk, "anonymous": "on"}
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    code = response.context["code"]
    item = Feedback.objects.get()
    assert (item.author_id, item.is_anonymous) == (None, True)
    assert code in response.content.decode()
    # not in the session, not in a message
    assert all(code not in str(v) for v in client.session.values())


def test_the_form_says_what_is_wrong(client, cast):
    client.force_login(cast.employee)
    response = client.post("/voice/feedback/new/", {**FORM, "subject": ""})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"subject", "department"}
    assert Feedback.objects.count() == 0


def test_sending_needs_a_login(client, cast):
    response = client.post("/voice/feedback/new/", {**FORM, "department": cast.sales.pk})
    assert response.status_code == 302 and "/login" in response["Location"]
    assert Feedback.objects.count() == 0


def test_the_sender_follows_and_answers_with_the_code_without_logging_in(client, cast):
    client.force_login(cast.employee)
    response = client.post(
        "/voice/feedback/new/", {**FORM, "department": cast.sales_east.pk, "anonymous": "on"}
    )
    code = response.context["code"]
    item = Feedback.objects.get()
    client.force_login(cast.head)
    client.post(f"/voice/feedback/{item.pk}/reply/", {"body": "Two hires are approved."})
    client.logout()
    page = client.post("/voice/feedback/follow/", {"code": code})
    assert page.status_code == 200
    assert "Two hires are approved." in page.content.decode()
    client.post("/voice/feedback/follow/", {"code": code, "action": "reply", "body": "Thanks!"})
    assert list(FeedbackMessage.objects.values_list("body", "author_id")) == [
        ("Two hires are approved.", cast.head.pk),
        ("Thanks!", None),
    ]


def test_a_wrong_code_opens_nothing(client, cast):
    response = client.post("/voice/feedback/follow/", {"code": "AAAA-BBBB"})
    assert response.status_code == 200
    assert response.context["feedback"] is None
    assert response.context["code_form"].errors == {"code": ["No feedback has this reply code."]}


def test_an_anonymous_submission_over_http_logs_nothing_that_names_the_sender(client, cast, caplog):
    client.force_login(cast.employee)
    session_key = client.session.session_key
    caplog.clear()  # the login's own lines (axes) are not the submission's
    with caplog.at_level(logging.DEBUG):
        response = client.post(
            "/voice/feedback/new/",
            {**FORM, "department": cast.sales_east.pk, "anonymous": "on"},
            REMOTE_ADDR="10.9.8.7",
        )
        code = response.context["code"]
        client.post("/voice/feedback/follow/", {"code": code, "action": "reply", "body": "More"})
        client.post("/voice/feedback/follow/", {"code": "WRONG-CODE"})
    assert response.wsgi_request.META["gmassist.skip_access_log"] is True
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in ("employee", "Emma", str(cast.employee.pk), session_key, "10.9.8.7", code):
        assert secret not in logged


def test_the_server_skips_the_access_line_of_a_marked_request():
    from gmassist.core.management.commands.serve import access_logger_class

    class Config:
        accesslog = "-"
        logconfig = logconfig_dict = logconfig_json = syslog = None
        access_log_format = "%(h)s %(r)s"

    logger = access_logger_class().__new__(access_logger_class())
    written = []
    logger.cfg = Config()
    logger.access_log = type("L", (), {"info": lambda self, fmt, atoms: written.append(fmt)})()
    logger.atoms = lambda *args: {}
    logger.access(None, None, {"gmassist.skip_access_log": True}, None)
    assert written == []
    logger.access(None, None, {}, None)
    assert written == ["%(h)s %(r)s"]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("gm", ["dept", "gm", "rnd", "urgent"]),
        ("assistant", ["dept", "gm", "rnd", "urgent"]),
        ("hr", ["dept", "gm", "rnd", "urgent"]),
        ("head", ["dept"]),
        ("employee", ["own"]),
        ("outsider", []),
    ],
)
def test_the_queue_shows_each_role_what_the_policy_allows(client, cast, role, expected):
    make_feedback(department=cast.sales_east, subject="dept", owner=cast.head)
    make_feedback(department=None, subject="gm", owner=cast.gm)
    make_feedback(department=cast.rnd, subject="rnd", owner=cast.gm)
    make_feedback(
        department=cast.sales_east,
        head_department=None,
        subject="urgent",
        flag_harassment=True,
        owner=cast.hr,
    )
    if role == "employee":
        Feedback.objects.filter(subject="dept").update(subject="own", author=cast.employee)
        expected = ["own"]
    client.force_login(getattr(cast, role))
    response = client.get("/voice/feedback/")
    assert response.status_code == 200
    assert sorted(row.subject for row in response.context["rows"]) == expected


def test_a_head_cannot_open_an_item_outside_their_subtree(client, cast):
    item = make_feedback(department=cast.rnd)
    client.force_login(cast.head)
    assert client.get(f"/voice/feedback/{item.pk}/").status_code == 404
    response = client.post(f"/voice/feedback/{item.pk}/reply/", {"body": "Hi"})
    assert response.status_code == 404
    assert FeedbackMessage.objects.count() == 0


def test_hr_reads_but_may_not_handle_an_item_it_does_not_own(client, cast):
    item = make_feedback(department=cast.sales, owner=cast.head)
    client.force_login(cast.hr)
    assert client.get(f"/voice/feedback/{item.pk}/").status_code == 200
    assert (
        client.post(f"/voice/feedback/{item.pk}/status/", {"status": "closed"}).status_code == 403
    )
    assert client.post(f"/voice/feedback/{item.pk}/reply/", {"body": "Hi"}).status_code == 403
    item.refresh_from_db()
    assert item.status == "new"
    assert FeedbackMessage.objects.filter(feedback=item).count() == 0


def test_declining_without_a_reason_is_a_422_and_changes_nothing(client, cast):
    item = make_feedback(department=cast.sales, owner=cast.head)
    client.force_login(cast.head)
    response = client.post(f"/voice/feedback/{item.pk}/status/", {"status": "declined"})
    assert response.status_code == 422
    item.refresh_from_db()
    assert item.status == "new"
    response = client.post(
        f"/voice/feedback/{item.pk}/status/", {"status": "declined", "reason": "No budget"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.decline_reason) == ("declined", "No budget")


def test_the_queue_exports_without_senders(client, cast):
    make_feedback(department=cast.sales, author=cast.employee, subject="Named one")
    client.force_login(cast.gm)
    response = client.get("/voice/feedback/?export=csv")
    text = response.content.decode()
    assert response.status_code == 200
    assert "Named one" in text and "Emma" not in text and "author" not in text


def test_trends_count_by_month_topic_and_department(client, cast):
    make_feedback(
        department=cast.sales, sentiment="negative", topic="pay", submitted_on=dt.date(2026, 3, 1)
    )
    make_feedback(
        department=cast.sales, sentiment="positive", topic="pay", submitted_on=dt.date(2026, 2, 10)
    )
    make_feedback(
        department=cast.rnd,
        sentiment="negative",
        topic="workload",
        submitted_on=dt.date(2026, 2, 11),
    )
    client.force_login(cast.gm)
    response = client.get("/voice/trends/?months=3")
    assert response.status_code == 200
    chart = response.context["chart"]
    assert chart["months"] == ["2026-01", "2026-02", "2026-03"]
    assert [s["values"] for s in chart["series"]] == [[0, 1, 1], [0, 0, 0], [0, 1, 0]]
    assert chart["departments"] == {
        "labels": ["R&D", "Sales"],
        "values": [100.0, 50.0],
        "label": "Negative share (%)",
    }
    client.force_login(cast.head)
    assert client.get("/voice/trends/").context["trends"]["total"] == 2


def test_trends_are_not_for_employees(client, cast):
    client.force_login(cast.employee)
    assert client.get("/voice/trends/").status_code == 403
    client.logout()
    assert client.get("/voice/trends/").status_code == 302


def test_the_inbox_lists_items_to_answer_and_feedback_sent(client, cast):
    from gmassist.core.inbox import inbox_for

    make_feedback(department=cast.sales, owner=cast.head, subject="Owed", author=cast.employee)
    head_section = next(s for s in inbox_for(cast.head) if s.key == "voice.feedback")
    assert [(i.title, i.needs_action) for i in head_section.items] == [("Owed", True)]
    own_section = next(s for s in inbox_for(cast.employee) if s.key == "voice.feedback")
    assert [(i.title, i.needs_action, i.detail) for i in own_section.items] == [
        ("Owed", False, "Sent by you")
    ]
