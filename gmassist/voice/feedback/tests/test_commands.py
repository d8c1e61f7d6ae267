"""`gmassist voice evaluate` and `gmassist voice remind`."""

import datetime as dt
import io
import json

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from gmassist.voice.feedback.tests.conftest import make_feedback

pytestmark = pytest.mark.usefixtures("evaluations_once_per_run")


def run(*args) -> str:
    out = io.StringIO()
    call_command("voice", *args, stdout=out)
    return out.getvalue()


def test_evaluate_prints_the_held_back_accuracy_as_json():
    body = json.loads(run("evaluate", "--json"))
    assert body["seed"] == 0 and body["test_share"] == 0.25
    assert body["n_train"] + body["n_test"] >= 300
    assert set(body["by_language"]) == {"en", "zh"}
    assert 0 <= body["topic_accuracy"] <= 1


def test_evaluate_prints_a_table():
    out = run("evaluate")
    assert "topic accuracy" in out and "urgent recall" in out


def test_evaluate_refuses_a_bad_share_and_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="between 0 and 1"):
        run("evaluate", "--test-share", "1.5")
    with pytest.raises(CommandError, match="no labelled examples"):
        run("evaluate", "--examples", str(tmp_path / "none.csv"))


def test_remind_writes_to_the_owners_of_overdue_items(cast, settings):
    settings.SITE_URL = "https://gm.example.com/"
    cast.head.email = "head@x.test"
    cast.head.save()
    item = make_feedback(department=cast.sales, owner=cast.head, submitted_on=dt.date(2026, 3, 1))
    out = run("remind", "--today", "2026-04-01")
    assert "Reminded 1 owner(s) of 1 overdue item(s)." in out
    assert [m.to for m in mail.outbox] == [["head@x.test"]]
    # the job has no request: the link is made absolute from SITE_URL
    assert f"https://gm.example.com/voice/feedback/{item.pk}/" in mail.outbox[0].body


def test_remind_refuses_a_bad_day(cast):
    with pytest.raises(CommandError, match="not a date"):
        run("remind", "--today", "yesterday")
