"""The feedback part of the demo: the recent questions whose topic is hard to tell are
classified and routed as a submission would be, the unsure ones waiting in triage."""

import datetime as dt

import numpy as np

from gmassist.org.demo.extensions import DemoContext
from gmassist.voice.feedback.demo import UNCLEAR, _unclear_items


def test_the_unclear_questions_are_classified_and_the_unsure_ones_wait_in_triage(cast):
    ctx = DemoContext(
        company=None, employee_pk=np.array([]), users={}, as_of=dt.date(2026, 3, 1), seed=1
    )
    items = _unclear_items(
        ctx, departments=[cast.hq, cast.sales, cast.sales_east], rng=np.random.default_rng(0)
    )
    assert len(items) == len(UNCLEAR) == 6
    assert [i.submitted_on for i in items] == [
        dt.date(2026, 2, 28) - dt.timedelta(days=2 * n) for n in range(6)
    ]
    waiting = [(i.subject, i.in_triage) for i in items]
    assert waiting == [
        ("Next team meeting", True),
        ("想问一下新规定", True),
        ("Still waiting", True),
        ("还是没有回音", False),
        ("A question", False),
        ("请问找谁", True),
    ]
    for item in items:
        assert item.is_anonymous and item.author is None
        assert (item.owner is None) == item.in_triage
        assert (item.topic_confidence < 0.5) == item.in_triage
        assert item.department in (cast.sales, cast.sales_east)  # never the top department
