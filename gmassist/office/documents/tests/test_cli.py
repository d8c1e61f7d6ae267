"""`gmassist office documents`: what awaits a user and what is in flight."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command


def _json(**options):
    out = StringIO()
    call_command("office", "documents", "--json", stdout=out, **options)
    return json.loads(out.getvalue())


def test_it_lists_what_awaits_the_user_and_what_is_in_flight(cast, sequence_doc, parallel_doc):
    body = _json(user="gm")
    assert [row["title"] for row in body["awaiting"]] == ["Travel policy 2027"]
    assert [(row["title"], row["waiting_for"]) for row in body["in_flight"]] == [
        ("Supply contract with Acme", ["Hank Head"]),
        ("Travel policy 2027", ["Hank Head", "Grace Manager", "assistant"]),
    ]


def test_as_the_system_it_lists_everything_in_flight(cast, sequence_doc, parallel_doc):
    body = _json()
    assert body["awaiting"] == []
    assert len(body["in_flight"]) == 2


def test_an_outsider_sees_nothing(cast, sequence_doc):
    assert _json(user="outsider") == {"awaiting": [], "in_flight": []}


def test_an_unknown_user_is_an_error(cast):
    with pytest.raises(CommandError, match="no active user 'nobody'"):
        _json(user="nobody")


def test_the_table_names_the_sections(cast, sequence_doc):
    out = StringIO()
    call_command("office", "documents", "--user", "head", stdout=out)
    assert "Awaiting your decision (1)" in out.getvalue()
    assert "In flight (1)" in out.getvalue()
