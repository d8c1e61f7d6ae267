"""core.anonymity: moving rows to random places keeps their values and keys, and on a busy day
moves a bounded number of them, the new one always among them."""

from __future__ import annotations

import datetime as dt

from gmassist.core.anonymity import rows_shuffle_physical_order
from gmassist.core.tests.anonymity_checks import physical_order
from gmassist.voice.feedback.models import Feedback
from gmassist.voice.feedback.tests.conftest import make_feedback

DAY = dt.date(2026, 3, 2)


def test_rows_move_with_their_values_and_keys(db):
    items = [make_feedback(subject=f"Item {n:02d}", submitted_on=DAY) for n in range(12)]
    before = {f.pk: f.subject for f in items}
    moved = rows_shuffle_physical_order(Feedback.objects.filter(submitted_on=DAY))
    assert sorted(moved) == sorted(before)
    assert dict(Feedback.objects.values_list("pk", "subject")) == before
    assert physical_order(Feedback) != [f.pk for f in items]


def test_on_a_busy_day_only_so_many_move_and_the_new_one_is_among_them(db):
    items = [make_feedback(subject=f"Item {n:02d}", submitted_on=DAY) for n in range(12)]
    newest = items[-1]
    moved = rows_shuffle_physical_order(
        Feedback.objects.filter(submitted_on=DAY), including=newest.pk, at_most=4
    )
    assert len(moved) == 4 and newest.pk in moved
    # the moved rows are now the last four, in some order
    assert set(physical_order(Feedback)[-4:]) == set(moved)
