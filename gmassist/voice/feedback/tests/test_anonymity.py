"""Anonymity against timing and order, for feedback: what an anonymous submission leaves in
the database (rows, keys, their order, the sender's own rows), in the logs and in e-mails."""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import logging
import re

import pytest
import time_machine
from django.core import mail

from gmassist.core.models import ApiToken
from gmassist.core.services import api_token_create
from gmassist.core.tests.anonymity_checks import physical_order, tables_written
from gmassist.voice.feedback import services
from gmassist.voice.feedback.models import Feedback, FeedbackMessage

DAY = dt.date(2026, 3, 2)
URGENT = {
    "kind": "complaint",
    "addressed_to": "gm",
    "subject": "At the team dinner",
    "body": "My supervisor touched my waist and keeps making comments about my body.",
    "anonymous": True,
}


@pytest.fixture(autouse=True)
def _mid_morning(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 31, 7, 123456), tick=False):
        yield


def bearer(user) -> dict[str, str]:
    _token, key = api_token_create(user=user, name="script")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def send(client, headers, **body):
    return client.post(
        "/api/voice/feedback",
        json.dumps({"kind": "suggestion", "subject": "Desks", "body": "More desks.", **body}),
        content_type="application/json",
        **headers,
    )


def test_an_anonymous_api_submission_leaves_the_senders_token_untouched(client, cast):
    headers = bearer(cast.employee)
    with tables_written() as written:
        response = send(client, headers, addressed_to="gm", anonymous=True)
    assert response.status_code == 201
    assert ApiToken.objects.get(user=cast.employee).last_used_at is None
    # the one table written is the feedback's own
    assert written.tables == {"voice_feedback"}


def test_a_named_api_request_still_notes_when_the_token_was_used(client, cast):
    headers = bearer(cast.employee)
    assert client.get("/api/voice/feedback", **headers).status_code == 200
    assert ApiToken.objects.get(user=cast.employee).last_used_at == dt.datetime(
        2026, 3, 2, 10, 31, 7, 123456, tzinfo=dt.UTC
    )


def test_an_anonymous_reply_by_code_touches_no_row_of_the_sender(client, cast):
    sent = services.feedback_submit(by=cast.employee, today=DAY, **URGENT)
    headers = bearer(cast.employee)
    with tables_written() as written:
        response = client.post(
            "/api/voice/follow/replies",
            json.dumps({"code": sent.reply_code, "body": "It happened again."}),
            content_type="application/json",
            **headers,
        )
    assert response.status_code == 201
    assert ApiToken.objects.get(user=cast.employee).last_used_at is None
    assert written.tables == {"voice_feedbackmessage"}


def test_an_anonymous_page_submission_writes_only_the_item(client, cast):
    client.force_login(cast.employee)
    with tables_written() as written:
        response = client.post(
            "/voice/feedback/new/",
            {
                "kind": "suggestion",
                "addressed_to": "gm",
                "subject": "Desks",
                "body": "More desks.",
                "anonymous": "on",
            },
        )
    assert response.status_code == 200 and Feedback.objects.get().is_anonymous
    assert written.tables == {"voice_feedback"}  # no session, no message, no audit entry


def test_the_days_items_are_not_kept_in_the_order_they_arrived(cast):
    subjects = [f"Item {n:02d}" for n in range(12)]
    for n, subject in enumerate(subjects):
        services.feedback_submit(
            by=cast.employee,
            kind="suggestion",
            addressed_to="gm",
            subject=subject,
            body="Text.",
            anonymous=n % 2 == 1,
            today=DAY,
        )
    stored = physical_order(Feedback, "subject")
    assert sorted(stored) == subjects
    assert stored != subjects  # the chance that a shuffle leaves them so is 1 in 12!


def test_the_days_messages_are_not_kept_in_the_order_they_arrived(cast):
    sent = [
        services.feedback_submit(
            by=cast.employee,
            kind="suggestion",
            addressed_to="gm",
            subject=f"Item {n}",
            body="Text.",
            anonymous=True,
            today=DAY,
        )
        for n in range(3)
    ]
    bodies = []
    for n in range(12):
        submitted = sent[n % 3]
        body = f"Message {n:02d}"
        services.feedback_reply_as_sender(
            feedback=submitted.feedback, body=body, code=submitted.reply_code, today=DAY
        )
        bodies.append(body)
    stored = physical_order(FeedbackMessage, "body")
    assert sorted(stored) == bodies and stored != bodies


def test_the_urgent_alert_carries_the_day_only_and_a_random_message_id(
    cast, django_capture_on_commit_callbacks
):
    cast.gm.email = "gm@x.test"
    cast.gm.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.feedback_submit(by=cast.employee, today=DAY, **URGENT)
        services.feedback_submit(by=cast.employee, today=DAY, **URGENT)
    assert len(mail.outbox) == 2
    headers = [message.message() for message in mail.outbox]
    for message in headers:
        sent_at = email.utils.parsedate_to_datetime(message["Date"])
        assert (sent_at.date(), sent_at.time()) == (DAY, dt.time(0))
        assert re.fullmatch(r"<[0-9a-f]{32}@127\.0\.0\.1>", message["Message-ID"])
        # the time of day appears nowhere (the random Message-ID aside, which may hold "1031")
        text = message.as_string().replace(message["Message-ID"], "")
        assert "10:31" not in text and "1031" not in text
    assert headers[0]["Message-ID"] != headers[1]["Message-ID"]


def test_an_anonymous_submission_writes_no_log_line(cast, caplog):
    caplog.set_level(logging.DEBUG)
    services.feedback_submit(by=cast.employee, today=DAY, **URGENT)
    lines = [r for r in caplog.records if not r.name.startswith("django.db")]
    assert lines == []
