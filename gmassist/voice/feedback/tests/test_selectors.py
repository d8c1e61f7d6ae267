"""The voice selectors: the negative share per department that the talent risk model reads."""

import datetime as dt

import pytest

from gmassist.voice.feedback.selectors import department_negative_share, window_start
from gmassist.voice.feedback.tests.conftest import make_feedback


def test_the_window_holds_exactly_the_months_before_as_of():
    assert window_start(as_of=dt.date(2026, 3, 15), months=6) == dt.date(2025, 9, 16)
    assert window_start(as_of=dt.date(2026, 3, 31), months=1) == dt.date(2026, 3, 1)


def test_a_window_of_no_months_is_refused():
    with pytest.raises(ValueError, match="at least 1"):
        window_start(as_of=dt.date(2026, 3, 15), months=0)


def test_negative_share_per_department_in_the_window(cast):
    as_of = dt.date(2026, 3, 15)
    for sentiment in ("negative", "negative", "neutral", "positive"):
        make_feedback(department=cast.sales, sentiment=sentiment, submitted_on=as_of)
    make_feedback(department=cast.rnd, sentiment="positive", submitted_on=dt.date(2025, 9, 16))
    # outside the six months (one day too early, one day too late): not counted
    make_feedback(department=cast.rnd, sentiment="negative", submitted_on=dt.date(2025, 9, 15))
    make_feedback(department=cast.rnd, sentiment="negative", submitted_on=dt.date(2026, 3, 16))
    # anonymous items count like named ones; items to the GM about no department do not
    make_feedback(
        department=cast.sales_east,
        sentiment="negative",
        submitted_on=as_of,
        is_anonymous=True,
        reply_code_digest="a" * 64,
    )
    make_feedback(department=None, sentiment="negative", submitted_on=as_of)

    shares = department_negative_share(as_of=as_of, months=6)

    assert shares == {cast.sales.pk: 0.5, cast.rnd.pk: 0.0, cast.sales_east.pk: 1.0}


def test_departments_without_feedback_give_no_signal(cast):
    assert department_negative_share(as_of=dt.date(2026, 3, 15)) == {}
