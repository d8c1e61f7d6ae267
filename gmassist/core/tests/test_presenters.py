"""Stored evidence and audit changes as a person reads them, in English and Chinese."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import translation

from gmassist.core.presenters import (
    audit_change_lines,
    audit_page_text,
    change_lines,
    readable_value,
)


@pytest.mark.parametrize(
    ("value", "english", "chinese"),
    [
        ("80300.00", "80,300", "80,300"),
        ("14564.28", "14,564.28", "14,564.28"),
        (Decimal("0.125"), "0.125", "0.125"),
        (1790, "1,790", "1,790"),
        (True, "Yes", "是"),
        (False, "No", "否"),
        (None, "—", "—"),
        (
            {"account_manager": 1790, "call_centre": 0},
            "account manager: 1,790; call centre: 0",
            None,
        ),
        (["A", "B"], "A, B", "A, B"),
        ("0.98 → 1.05", "0.98 → 1.05", "0.98 → 1.05"),
        ("2026-01-01", "2026-01-01", "2026-01-01"),
        ("E004", "E004", "E004"),
    ],
)
def test_a_stored_value_reads_as_a_person_writes_it(value, english, chinese):
    with translation.override("en"):
        assert readable_value(value) == english
    if chinese is not None:
        with translation.override("zh-hans"):
            assert readable_value(value) == chinese


def test_an_audit_change_reads_field_old_to_new():
    changes = {"base_pay": ["100000.00", "112000.00"], "effective_date": "2027-01-01"}

    with translation.override("en"):
        assert change_lines(changes) == [
            ("base pay", "100,000 → 112,000"),
            ("effective date", "2027-01-01"),
        ]


def test_a_change_that_is_not_an_object_is_one_line():
    with translation.override("en"):
        assert change_lines("deleted") == [("", "deleted")]


def test_the_audit_log_and_the_proposal_page_show_words_and_numbers_not_python(client, cast):
    import datetime as dt

    from gmassist.core.permissions import SYSTEM
    from gmassist.core.services import proposal_approve
    from gmassist.org.models import Employee
    from gmassist.org.services import pay_change_propose

    proposal = pay_change_propose(
        employee=Employee.objects.get(employee_no="E004"),
        new_base_pay=Decimal("112000"),
        effective_date=dt.date(2026, 1, 1),
        rationale="below the band",
        by=SYSTEM,
    )
    proposal_approve(proposal=proposal, by=cast.gm)
    client.force_login(cast.gm)

    audit = client.get("/audit/").content.decode()
    card = client.get(f"/proposals/{proposal.pk}/").content.decode()

    assert "<li>base pay: 100,000 → 112,000</li>" in audit
    assert "{&#x27;" not in audit and "True" not in audit
    assert '<td class="num">100,000 CNY</td>' in card


@pytest.mark.parametrize(
    ("what", "english", "chinese"),
    [
        ("home", "home page", "首页"),
        ("/talent/risk/", "/talent/risk/", "/talent/risk/"),
        ("api heat map", "API: heat map", "API：热力图"),
        ("export employees", "export: Employees", "导出：员工"),
        ("api talent.riskscore", "API: risk score", None),
    ],
)
def test_the_page_an_audited_read_was_made_on_reads_in_the_readers_language(what, english, chinese):
    with translation.override("en"):
        assert audit_page_text(what) == english
    if chinese is not None:
        with translation.override("zh-hans"):
            assert audit_page_text(what) == chinese


def test_a_surveys_audited_questions_read_with_their_kinds_label():
    entry = SimpleNamespace(
        target_type="voice.survey", changes={"questions": [["enps", "Would you recommend us?"]]}
    )

    with translation.override("zh-hans"):
        lines = audit_change_lines(entry)

    assert lines == [("问题", "eNPS（0-10）, Would you recommend us?")]


def test_a_change_of_a_related_record_reads_as_the_records_not_their_ids(cast):
    entry = SimpleNamespace(
        target_type="org.employee",
        changes={
            "department": [cast.sales_east.pk, cast.rnd.pk],
            "manager": [None, cast.head.employee_id],
        },
    )

    with translation.override("en"):
        lines = audit_change_lines(entry)

    assert lines == [("department", "Sales East → R&D"), ("manager", "— → Hank Head (E003)")]
