"""The triage's part of the demo: a week of matters in both languages, most decided, a few
rules, deterministic."""

import datetime as dt

import numpy as np

from gmassist.office.triage.demo import MATTERS, RULES, delete_triage_demo, write_triage_demo
from gmassist.office.triage.models import Matter, TriageDecision, TriageRule
from gmassist.org.demo.extensions import DemoContext


def _context(cast, seed=1):
    users = {"gm": cast.gm, "assistant": cast.assistant, "hr": cast.hr, "head": cast.head}
    return DemoContext(
        company=None, employee_pk=np.array([]), users=users, as_of=dt.date(2026, 3, 2), seed=seed
    )


def test_the_demo_writes_a_week_of_matters_most_accepted(cast):
    counts = write_triage_demo(_context(cast))
    assert counts == {"triage_rules": 3, "triage_matters": 20, "triage_decisions": 15}
    assert TriageRule.objects.count() == len(RULES) and Matter.objects.count() == len(MATTERS)
    languages = set(Matter.objects.values_list("language", flat=True))
    assert languages == {"en", "zh"}
    assert set(Matter.objects.values_list("proposed_category", flat=True)) == {
        "overall", "image", "interests", "privacy", "habits", "unrelated", "detail",
    }  # fmt: skip
    decided = Matter.objects.filter(status="decided")
    assert decided.count() == 15 and Matter.objects.filter(status="waiting").count() == 5
    accepted = decided.filter(accepted=True).count()
    assert accepted == 12  # most confirmed, three changed
    days = {m.received_at.date() for m in Matter.objects.all()}
    assert min(days) == dt.date(2026, 2, 24) and max(days) == dt.date(2026, 3, 2)
    delegated = decided.filter(route="delegate")
    assert all(m.owner is not None for m in delegated)


def test_the_demo_is_the_same_from_the_same_seed(cast):
    write_triage_demo(_context(cast))
    first = list(Matter.objects.values_list("title", "received_at", "proposed_route", "route"))
    delete_triage_demo()
    assert TriageDecision.objects.count() == 0 and Matter.objects.count() == 0
    write_triage_demo(_context(cast))
    again = list(Matter.objects.values_list("title", "received_at", "proposed_route", "route"))
    assert again == first
