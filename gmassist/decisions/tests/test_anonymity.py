"""Anonymity against timing and order, for responses to decisions: an anonymous objection is
not kept right after its sender's named question (whose audit entry has the exact time), and
an anonymous response over the API touches no row of the sender's."""

from __future__ import annotations

import datetime as dt
import json
import logging

import time_machine

from gmassist.core.models import ApiToken, AuditEntry
from gmassist.core.services import api_token_create
from gmassist.core.tests.anonymity_checks import physical_order, tables_written
from gmassist.decisions import services
from gmassist.decisions.choices import ResponseKind
from gmassist.decisions.models import Response


def test_the_days_responses_are_not_kept_in_the_order_they_arrived(cast, published):
    texts = []
    with time_machine.travel(dt.datetime(2026, 2, 10, 9, 30, tzinfo=dt.UTC), tick=True):
        for n in range(12):
            # each sender asks by name, then objects anonymously at once
            sender = (cast.employee, cast.head, cast.account_manager)[n % 3]
            text = f"Response {n:02d}"
            services.decision_respond(
                decision=published,
                by=sender,
                kind=ResponseKind.QUESTION if n % 2 == 0 else ResponseKind.OBJECTION,
                text=text,
                anonymous=n % 2 == 1,
            )
            texts.append(text)
    stored = physical_order(Response, "text")
    assert sorted(stored) == texts
    assert stored != texts  # the chance that a shuffle leaves them so is 1 in 12!
    # the named ones are audited (with their time); the anonymous ones are not
    assert AuditEntry.objects.filter(target_type="decisions.response").count() == 6


def test_an_anonymous_api_response_touches_no_row_of_the_sender(client, cast, published):
    _token, key = api_token_create(user=cast.employee, name="script")
    with tables_written() as written:
        answer = client.post(
            f"/api/decisions/{published.pk}/responses",
            json.dumps({"kind": "objection", "text": "Too long on Thursdays.", "anonymous": True}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )
    assert answer.status_code == 201, answer.content
    assert ApiToken.objects.get(user=cast.employee).last_used_at is None
    assert written.tables == {"decisions_response"}


def test_an_anonymous_response_writes_no_log_line(cast, published, caplog):
    caplog.set_level(logging.DEBUG)
    services.decision_respond(
        decision=published, by=cast.employee, kind="objection", text="No.", anonymous=True
    )
    assert [r for r in caplog.records if not r.name.startswith("django.db")] == []


def test_an_anonymous_response_on_the_page_writes_only_the_response(client, cast, published):
    client.force_login(cast.employee)
    with tables_written() as written:
        answer = client.post(
            f"/decisions/{published.pk}/respond/",
            {"kind": "objection", "theme": "other", "text": "No.", "anonymous": "on"},
        )
    assert answer.status_code == 302
    assert Response.objects.get().is_anonymous
    assert written.tables == {"decisions_response"}  # no session, no audit entry
