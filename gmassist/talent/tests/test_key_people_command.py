"""`gmassist talent key-people`: the irreplaceable per department and the table, or JSON."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from gmassist.core.choices import AuditAction
from gmassist.core.models import AuditEntry


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("talent", "key-people", *args, stdout=out)
    return out.getvalue()


def test_it_prints_the_irreplaceable_and_the_table(skilled):
    text = run()
    assert text.startswith("Key people: 6 people, 1 irreplaceable\n")
    assert "  R&D (1): Oscar Outsider (5G core network)\n" in text
    assert "Oscar Outsider" in text and "0.57" in text and "55,000" in text
    # the system's read is audited too, with no actor
    [entry] = AuditEntry.objects.filter(action=AuditAction.READ_PAY)
    assert (entry.actor, entry.target_type, entry.changes["people"]) == (
        None,
        "talent.key_people",
        6,
    )


def test_json_for_one_department_subtree(skilled):
    data = json.loads(run("--department", "SALES", "--json"))
    assert set(data) == {"people", "irreplaceable_by_department"}
    assert [p["employee_no"] for p in data["people"]] == ["E004", "E003", "E006"]
    assert data["people"][0]["score"] == 0.4002
    assert data["people"][0]["top_reason"] == "rated 5 and 1 in the last two reviews"
    assert data["irreplaceable_by_department"] == []


def test_json_lists_the_irreplaceable_per_department(skilled):
    data = json.loads(run("--json"))
    assert data["irreplaceable_by_department"] == [
        {
            "department_id": skilled.rnd.pk,
            "department_code": "RND",
            "department": "R&D",
            "people": [
                {
                    "employee_id": data["people"][0]["employee_id"],
                    "employee_no": "E005",
                    "full_name": "Oscar Outsider",
                    "skills": ["5G core network"],
                }
            ],
        }
    ]


def test_a_user_sees_only_their_scope(skilled):
    data = json.loads(run("--user", "head", "--json"))
    assert [p["employee_no"] for p in data["people"]] == ["E004", "E003", "E006"]
    with pytest.raises(CommandError, match="no department 'RND'"):
        run("--user", "head", "--department", "RND")


def test_a_user_who_sees_only_their_own_pay_is_refused(skilled):
    with pytest.raises(CommandError, match="may not see the key people"):
        run("--user", "employee")
    assert not AuditEntry.objects.filter(action=AuditAction.READ_PAY).exists()


def test_an_unknown_department_is_an_error(skilled):
    with pytest.raises(CommandError, match="no department 'NOPE'"):
        run("--department", "NOPE")
