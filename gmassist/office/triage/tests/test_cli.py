"""`gmassist office triage`: the waiting matters with their proposals, the report, the
held-back evaluation and the intake."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from gmassist.office.triage.tests.conftest import decide, make_matter


def run(*args) -> str:
    out = StringIO()
    call_command("office", "triage", *args, stdout=out)
    return out.getvalue()


def test_it_lists_the_waiting_matters_with_their_proposals(cast):
    matter = make_matter(department=cast.sales)
    text = run()
    assert "1 matter(s) waiting for the GM" in text
    assert "Delegate → Hank Head" in text and "The printer on the third floor" in text
    [row] = json.loads(run("--json"))
    assert row["id"] == matter.pk and row["proposal"]["route"] == "delegate"


def test_it_lists_what_a_user_may_see(cast):
    make_matter()
    assert json.loads(run("--json", "--user", "hr")) == []
    with pytest.raises(CommandError, match="No active user nobody"):
        run("--user", "nobody")


def test_the_report(cast):
    decide(make_matter(department=cast.sales), cast.gm, "delegate", owner=cast.head)
    decide(make_matter(department=cast.sales), cast.gm, "gm")
    assert "Accepted: 1 of 2 decided matters (50.0%)." in run("--report")
    data = json.loads(run("--report", "--json"))
    assert (data["decided"], data["accepted"], data["rate"]) == (2, 1, 0.5)


def test_the_evaluation_on_held_back_seed_examples():
    data = json.loads(run("--evaluate", "--json"))
    assert (data["n_train"], data["n_test"]) == (165, 55)
    assert data["route_accuracy"] == 0.8545


def test_the_intake_of_feedback_to_the_gm(cast):
    assert "0 feedback item(s) came into the triage." in run("--intake")
