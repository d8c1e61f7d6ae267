"""`gmassist talent pay-review`: the summary and the gaps, as text or JSON."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from gmassist.core.choices import AuditAction
from gmassist.core.models import AuditEntry


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("talent", "pay-review", *args, stdout=out)
    return out.getvalue()


def test_it_prints_the_summary_and_the_gaps(paid):
    text = run()
    assert text.startswith("Pay review as of ")
    assert "6 people, 6 with a band; median compa-ratio 1.00\n" in text
    assert "Below band: 1 (to reach the minimum: 4,000 a year)\n" in text
    assert "Above band: 2 (over the maximum by 25,000 a year)\n" in text
    assert "Rated high, paid low: 1\n" in text
    assert "Rated low, paid high: 1\n" in text
    assert "Sales representative" in text and "too few to compare" in text
    # the system's read is audited too, with no actor
    [entry] = AuditEntry.objects.filter(action=AuditAction.READ_PAY)
    assert (entry.actor, entry.changes["people"]) == (None, 6)


def test_json_for_one_department_subtree(paid):
    data = json.loads(run("--department", "SALES", "--json"))
    assert set(data) == {"as_of", "summary", "gaps"}
    summary = data["summary"]
    assert (summary["people"], summary["below_band"], summary["above_band"]) == (3, 1, 1)
    assert [(g["position"], g["status"], g["n"]) for g in data["gaps"]] == [
        ("Sales representative", "too_few", 3)
    ]


def test_a_user_sees_only_their_scope(paid):
    data = json.loads(run("--user", "head", "--json"))
    assert data["summary"]["people"] == 3
    with pytest.raises(CommandError, match="no department 'RND'"):
        run("--user", "head", "--department", "RND")


def test_an_unknown_department_is_an_error(paid):
    with pytest.raises(CommandError, match="no department 'NOPE'"):
        run("--department", "NOPE")
