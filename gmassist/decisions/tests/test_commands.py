"""`gmassist decisions list|publish|remind`."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from gmassist.decisions.choices import DecisionStatus
from gmassist.decisions.models import Acknowledgement


def run(*args) -> str:
    out = io.StringIO()
    call_command("decisions", *args, stdout=out)
    return out.getvalue()


def test_list_prints_the_register_as_json(cast, published, draft):
    rows = json.loads(run("list", "--json"))
    assert rows == [
        {
            "id": published.pk,
            "title": "Four-day week in Sales",
            "status": "published",
            "version": 1,
            "effective_date": "2026-03-02",
            "department": None,
            "addressees": 3,
            "acknowledged": 0,
        }
    ]


def test_list_as_a_user_shows_what_they_see(cast, published):
    assert json.loads(run("list", "--json", "--user", "outsider")) == []
    assert "1 decisions" in run("list", "--user", "employee")


def test_publish_writes_the_addressees(cast, draft):
    out = run("publish", str(draft.pk), "--user", "gm")
    assert out.strip().endswith(f"Published decision {draft.pk}: 3 addressees, 0 e-mails sent.")
    draft.refresh_from_db()
    assert draft.status == DecisionStatus.PUBLISHED


def test_publish_refuses_a_user_who_may_not(cast, draft):
    with pytest.raises(CommandError, match="may not"):
        run("publish", str(draft.pk), "--user", "assistant")
    assert Acknowledgement.objects.count() == 0


def test_publish_refuses_an_unknown_decision(cast):
    with pytest.raises(CommandError, match="no decision 999"):
        run("publish", "999")


def test_remind_one_decision(cast, published):
    out = run("remind", str(published.pk))
    assert "Reminded 3 of 3 pending addressees (1 decisions, 0 e-mails sent)." in out
    assert set(Acknowledgement.objects.values_list("reminder_count", flat=True)) == {1}


def test_remind_refuses_an_employee(cast, published):
    with pytest.raises(CommandError, match="may not"):
        run("remind", str(published.pk), "--user", "employee")
    assert set(Acknowledgement.objects.values_list("reminder_count", flat=True)) == {0}
