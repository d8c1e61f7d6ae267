"""The consensus engine, on hand-checked data and as properties."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from gmassist.decisions.engine import ResponseFact, consensus

DAY = dt.date(2026, 2, 1)


def fact(kind, theme="other", department="Sales", text="x", day=DAY):
    return ResponseFact(kind=kind, theme=theme, department=department, text=text, day=day)


def test_a_hand_checked_summary():
    facts = [
        fact("support"),
        fact("support"),
        fact("objection", "workload", "Sales", "Long days.", dt.date(2026, 2, 1)),
        fact("objection", "workload", "", "Too tiring.", dt.date(2026, 2, 3)),
        fact("objection", "cost", "R&D", "Who pays?"),
        fact("question"),
    ]
    summary = consensus(facts, addressees=12)
    assert summary.counts == {"support": 2, "objection": 3, "question": 1}
    assert summary.share_of_responses == {"support": 2 / 6, "objection": 3 / 6, "question": 1 / 6}
    assert summary.share_of_addressees == {
        "support": 2 / 12,
        "objection": 3 / 12,
        "question": 1 / 12,
    }
    assert summary.leaning == "objection"
    assert [(g.key, g.count, g.quotes) for g in summary.objections_by_theme] == [
        ("workload", 2, ("Too tiring.", "Long days.")),
        ("cost", 1, ("Who pays?",)),
    ]
    assert [(g.key, g.count) for g in summary.objections_by_department] == [
        ("", 1),
        ("R&D", 1),
        ("Sales", 1),
    ]
    assert summary.main_objections == ("Too tiring.", "Who pays?")


def test_no_responses_and_no_addressees_give_zeros():
    summary = consensus([], addressees=0)
    assert summary.responses == 0
    assert summary.share_of_responses == {"support": 0.0, "objection": 0.0, "question": 0.0}
    assert summary.leaning == "even"
    assert summary.main_objections == ()


facts_strategy = st.lists(
    st.builds(
        fact,
        kind=st.sampled_from(["support", "objection", "question"]),
        theme=st.sampled_from(["cost", "timing", "other"]),
        department=st.sampled_from(["", "A", "B"]),
        text=st.text(min_size=1, max_size=5),
        day=st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2026, 12, 31)),
    ),
    max_size=40,
)


@given(facts_strategy, st.integers(min_value=0, max_value=100))
def test_counts_add_up_and_shares_sum_to_one(facts, extra):
    summary = consensus(facts, addressees=len(facts) + extra)
    assert sum(summary.counts.values()) == summary.responses == len(facts)
    if facts:
        assert abs(sum(summary.share_of_responses.values()) - 1.0) < 1e-9
    assert sum(g.count for g in summary.objections_by_theme) == summary.counts["objection"]
    assert sum(g.count for g in summary.objections_by_department) == summary.counts["objection"]
    assert len(summary.main_objections) == min(3, len(summary.objections_by_theme))
    assert all(0.0 <= s <= 1.0 for s in summary.share_of_addressees.values())
