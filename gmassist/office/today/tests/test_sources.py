"""Each module's source of Today on the cast: who sees which lines, in which order, why, and
how old they are (15 June 2026)."""

import pytest

from gmassist.core.models import AuditEntry
from gmassist.office.today.presenters import section_out
from gmassist.office.today.selectors import today_count, today_for


def lines(user, key):
    section = next(s for s in today_for(user=user) if s.key == key)
    out = section_out(section)
    return [(item["title"], item["weight"], item["age_days"]) for item in out["items"]]


def whys(user, key):
    section = next(s for s in today_for(user=user) if s.key == key)
    return [item.why for item in section.items]


def test_the_gm_sees_the_proposals_they_may_decide_oldest_first(cast, desk):
    assert [title for title, _w, _a in lines(cast.gm, "core.proposals")] == [
        desk.raise_emma.display_title,
        desk.raise_head.display_title,
    ]
    assert [age for _t, _w, age in lines(cast.gm, "core.proposals")] == [14, 7]
    assert whys(cast.gm, "core.proposals") == ["Waiting for your decision"] * 2


def test_the_assistant_sees_what_waits_for_the_gm(cast, desk):
    # the assistant made the head's raise and may decide neither: both wait for the GM
    assert whys(cast.assistant, "core.proposals") == ["Waiting for the GM's decision"] * 2


def test_a_head_sees_no_proposal_about_themselves(cast, desk):
    assert lines(cast.head, "core.proposals") == []


def test_urgent_feedback_comes_before_overdue_then_oldest_first(cast, desk):
    assert lines(cast.gm, "voice.feedback") == [
        ("My manager shouts at me", "critical", 3),
        ("Late expense refunds", "high", 26),
        ("Broken lab fridge", "high", 21),
    ]
    assert whys(cast.gm, "voice.feedback") == [
        "Urgent (harassment): the GM's office handles it",
        "Owed an answer since 2026-06-03",
        "Owed an answer since 2026-06-08",
    ]


def test_a_head_sees_the_overdue_feedback_of_their_subtree_and_no_urgent_item(cast, desk):
    assert lines(cast.head, "voice.feedback") == [("Late expense refunds", "high", 26)]


def test_requisitions_past_their_target_critical_first(cast, desk):
    assert lines(cast.gm, "voice.requisitions") == [
        ("REQ-1 · Sales representative", "critical", 14),
        ("REQ-2 · Sales representative", "high", 45),
    ]
    assert lines(cast.head, "voice.requisitions") == [
        ("REQ-1 · Sales representative", "critical", 14)
    ]
    assert (
        whys(cast.gm, "voice.requisitions")[0] == "Past its target date of 2026-06-01: 0 of 1 hired"
    )


def test_a_tier_customers_at_churn_risk_or_without_a_manager(cast, desk):
    assert lines(cast.gm, "customers.key_customers") == [
        ("Acme (C1)", "critical", 13),  # since it was scored, 2 June
        ("Bolt (C2)", "critical", 5),  # since it was made, without a manager, 10 June
    ]
    # a head sees the same ages: the score's own run, as far as the head may see it
    assert lines(cast.head, "customers.key_customers") == [("Acme (C1)", "critical", 13)]
    assert whys(cast.gm, "customers.key_customers") == [
        "A-tier at high churn risk (45%)",
        "A-tier without an account manager",
    ]


def test_account_managers_over_capacity(cast, desk):
    assert [title for title, _w, _a in lines(cast.gm, "customers.managers")] == [
        "Alice Account (E006)"
    ]
    assert whys(cast.gm, "customers.managers") == ["Workload 7 units over a capacity of 5 (140%)"]


def test_decision_drafts_and_objections_to_the_version_in_force(cast, desk):
    assert lines(cast.gm, "decisions") == [
        ("Four-day week in Sales", "normal", 10),
        ("New travel policy", "normal", 6),
    ]
    assert whys(cast.gm, "decisions") == [
        "A draft waiting for you to publish it",
        "2 objections to the version in force",
    ]
    assert whys(cast.assistant, "decisions")[0] == "A draft waiting for the GM to publish it"


def test_an_outsider_of_the_subtree_sees_nothing_of_it(cast, desk):
    # the head of Sales reads nothing of R&D
    titles = [item.title for section in today_for(user=cast.head) for item in section.items]
    assert "Broken lab fridge" not in titles
    assert "REQ-2 · Sales representative" not in titles


@pytest.mark.parametrize("role", ["hr", "employee", "outsider", "account_manager"])
def test_everyone_else_has_no_today(cast, desk, role):
    user = getattr(cast, role)
    assert today_for(user=user) == []
    assert today_count(user=user) == 0


def test_key_people_whose_risk_band_rose(cast, risers):
    # Oscar's band rose too, but others hold his skill: he is not irreplaceable
    assert lines(cast.gm, "talent.risk") == [("Emma Employee", "critical", 12)]
    assert whys(cast.gm, "talent.risk") == [
        "Irreplaceable, leaving risk rose from low to high (31%)"
    ]
    assert lines(cast.head, "talent.risk") == [("Emma Employee", "critical", 12)]


def test_showing_the_risers_is_an_audited_risk_read_and_counting_them_is_not(cast, risers):
    today_count(user=cast.gm)
    assert not AuditEntry.objects.filter(actor=cast.gm, action="read_risk").exists()
    today_for(user=cast.gm)
    entry = AuditEntry.objects.get(actor=cast.gm, action="read_risk")
    assert "E004" in str(entry.changes)


def test_the_counts_are_the_lines(cast, desk, risers):
    for user in (cast.gm, cast.assistant, cast.head):
        sections = today_for(user=user)
        assert today_count(user=user) == sum(len(s.items) for s in sections)
    assert today_count(user=cast.gm) == 2 + 3 + 2 + 2 + 1 + 2 + 1
    # the head: their subtree's feedback, requisition, customer (Alice is in Sales), Alice,
    # the two decisions of Sales and Emma
    assert today_count(user=cast.head) == 0 + 1 + 1 + 1 + 1 + 2 + 1
