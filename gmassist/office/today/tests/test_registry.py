"""The registry's ranking and ages, without a database: heavier first, then older first; an
age in whole calendar days of company time."""

import datetime as dt
import itertools

import time_machine
from hypothesis import given
from hypothesis import strategies as st

from gmassist.office.today.registry import (
    TodayItem,
    TodaySource,
    Weight,
    age_in_days,
    ranked,
    register_today_source,
    registered_today_sources,
    since_day,
    unregister_today_source,
)

START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def item(key: str, weight: Weight, days_ago: int) -> TodayItem:
    return TodayItem(
        key=key,
        title=key,
        why="",
        url="/",
        since=START - dt.timedelta(days=days_ago),
        weight=weight,
    )


def test_heavier_comes_first_then_older():
    items = [
        item("new-normal", Weight.NORMAL, 1),
        item("old-normal", Weight.NORMAL, 30),
        item("new-critical", Weight.CRITICAL, 0),
        item("old-high", Weight.HIGH, 9),
    ]
    assert [i.key for i in ranked(items)] == [
        "new-critical",
        "old-high",
        "old-normal",
        "new-normal",
    ]


@given(
    st.lists(
        st.tuples(st.sampled_from(list(Weight)), st.integers(min_value=0, max_value=3650)),
        max_size=30,
    )
)
def test_the_ranking_keeps_every_item_and_orders_by_weight_then_age(rows):
    items = [item(f"k{n}", weight, days) for n, (weight, days) in enumerate(rows)]
    out = ranked(items)
    assert sorted(i.key for i in out) == sorted(i.key for i in items)
    for before, after in itertools.pairwise(out):
        assert before.weight >= after.weight
        if before.weight == after.weight:
            assert before.since <= after.since


def test_an_age_counts_calendar_days_and_is_never_negative():
    with time_machine.travel(dt.datetime(2026, 6, 15, 0, 5, tzinfo=dt.UTC), tick=False):
        assert age_in_days(dt.datetime(2026, 6, 14, 23, 55, tzinfo=dt.UTC)) == 1
        assert age_in_days(since_day(dt.date(2026, 6, 15))) == 0
        assert age_in_days(since_day(dt.date(2026, 5, 16))) == 30
        assert age_in_days(dt.datetime(2026, 7, 1, tzinfo=dt.UTC)) == 0


def test_sources_are_kept_in_their_order_and_replaced_by_key():
    first = TodaySource(key="zz.test.b", title="B", order=-2, items=lambda user: [])
    second = TodaySource(key="zz.test.a", title="A", order=-1, items=lambda user: [])
    try:
        register_today_source(second)
        register_today_source(first)
        register_today_source(first)
        keys = [s.key for s in registered_today_sources()]
        assert keys[:2] == ["zz.test.b", "zz.test.a"]
        assert keys.count("zz.test.b") == 1
    finally:
        unregister_today_source("zz.test.a")
        unregister_today_source("zz.test.b")
