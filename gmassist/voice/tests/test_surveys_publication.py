"""Survey results cannot be differenced: the publication rule (voice/engine/survey_publication.py)
on hand-checked cases, and as properties. The main property replays rounds in which answers
arrive day by day and readers read whenever they like: whatever they read (every snapshot, the
whole round and every group), no combination of what they read gives one person's answer. The
check is exact linear algebra over the people (rationals), independent of the engine's own
cut check, which is itself checked against it."""

from __future__ import annotations

import datetime as dt
import itertools
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gmassist.voice.engine.survey_publication import (
    batches,
    cut_under,
    final_groups,
    refresh_due,
    refresh_step,
)
from gmassist.voice.engine.survey_results import DepartmentNode

DAY = dt.date(2026, 3, 2)
# HQ(1) > Sales(2) > East(3), West(4); HQ > R&D(5)
TREE = [
    DepartmentNode(1, None, "HQ"),
    DepartmentNode(2, 1, "Sales"),
    DepartmentNode(3, 2, "East"),
    DepartmentNode(4, 2, "West"),
    DepartmentNode(5, 1, "R&D"),
]


# --- exact linear algebra over the people -----------------------------------------------------


def _reduce(basis: list[tuple[int, list[Fraction]]], vector: list[Fraction]) -> list[Fraction]:
    vector = list(vector)
    for pivot, row in basis:
        if vector[pivot]:
            factor = vector[pivot]
            vector = [v - factor * r for v, r in zip(vector, row, strict=True)]
    return vector


def row_basis(rows: list[list[int]]) -> list[tuple[int, list[Fraction]]]:
    """A reduced basis of the rows' span: (pivot column, row with 1 at the pivot)."""
    basis: list[tuple[int, list[Fraction]]] = []
    for row in rows:
        vector = _reduce(basis, [Fraction(v) for v in row])
        pivot = next((i for i, v in enumerate(vector) if v), None)
        if pivot is None:
            continue
        vector = [v / vector[pivot] for v in vector]
        basis = [
            (p, [a - b[pivot] * c for a, c in zip(b, vector, strict=True)] if b[pivot] else b)
            for p, b in basis
        ]
        basis.append((pivot, vector))
    return basis


def singled_out(sets: list[set[int]], people: int) -> list[int]:
    """The people whose own answer is a linear combination of the sums over `sets`."""
    basis = row_basis([[1 if p in s else 0 for p in range(people)] for s in sets])
    found = []
    for person in range(people):
        unit = [Fraction(1 if p == person else 0) for p in range(people)]
        if not any(_reduce(basis, unit)):
            found.append(person)
    return found


def test_the_check_finds_the_differencing_of_live_results():
    # live results: the GM reads after 7 answers and after the 8th; 8 x after - 7 x before
    assert singled_out([set(range(7)), set(range(8))], 8) == [7]
    # a department of 5 and its parent of 6 (the parent's own 1 person) give that person away
    assert singled_out([set(range(5)), set(range(6))], 6) == [5]
    assert singled_out([set(range(5)), set(range(5, 10))], 10) == []


# --- a round replayed day by day --------------------------------------------------------------


def replay(people: list[tuple[int | None, int]], *, close_after: int):
    """Replay a round: `people` are (department, day index answered; after `close_after`: they
    did not answer). Each day a refresh is
    made when due (as the services do, at the first answer or the daily job), and the final
    snapshot when the round closes. Returns every published set of people, and the refresh days."""
    answers: dict[tuple[int | None, dt.date], int] = {}
    refreshes: list[dt.date] = []
    published: list[set[int]] = []
    for index in range(close_after + 1):
        today = DAY + dt.timedelta(days=index)
        by_day: dict[dt.date, int] = {}
        for (_dept, day), n in answers.items():
            by_day[day] = by_day.get(day, 0) + n
        if refresh_due(answers_by_day=by_day, refreshes=refreshes, today=today):
            refreshes.append(today)
            published.append(
                {p for p, (_d, day) in enumerate(people) if DAY + dt.timedelta(days=day) < today}
            )
        for dept, day in people:
            if day == index:
                key = (dept, today)
                answers[key] = answers.get(key, 0) + 1
    final = final_groups(departments=TREE, batches=batches(answers=answers, refreshes=refreshes))
    known = {d.id for d in TREE}
    groups = []
    for group in final.groups:
        members = set()
        for p, (dept, day) in enumerate(people):
            answered = DAY + dt.timedelta(days=day)
            batch = next(
                (i for i, bound in enumerate(refreshes) if answered < bound), len(refreshes)
            )
            answered_in_time = day <= close_after
            key = dept if dept in known else None
            if answered_in_time and batch < final.batches_used and key in group.includes:
                members.add(p)
        assert len(members) == group.respondents
        groups.append(members)
    return published + groups, refreshes, groups


people_strategy = st.lists(
    st.tuples(st.sampled_from([1, 2, 3, 4, 5, None]), st.integers(min_value=0, max_value=6)),
    min_size=0,
    max_size=36,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people=people_strategy, close_after=st.integers(min_value=1, max_value=7))
def test_no_sequence_of_readings_gives_away_one_persons_answer(people, close_after):
    published, _refreshes, groups = replay(people, close_after=close_after)
    assert singled_out(published, len(people)) == []
    # every published set has 5 or more people, and the groups never overlap
    assert all(len(s) >= 5 for s in published)
    assert sum(len(g) for g in groups) == len(set().union(*groups))


@settings(max_examples=200, deadline=None)
@given(people=people_strategy)
def test_a_refresh_comes_only_after_five_new_answers_of_earlier_days(people):
    published, refreshes, _groups = replay(people, close_after=7)
    interim = published[: len(refreshes)]
    sizes = [len(s) for s in interim]
    assert all(b - a >= 5 for a, b in zip([0, *sizes], sizes, strict=False))


# --- the cut check against brute force --------------------------------------------------------


def leaks_by_brute_force(cells: dict[tuple[int, int], int], limit: int) -> bool:
    """True when some combination of the table's row and column sums is non-zero on fewer than
    `limit` respondents (cells expanded to people; exact)."""
    people = [key for key, n in cells.items() for _ in range(n)]
    rows = sorted({r for r, _c in cells})
    columns = sorted({c for _r, c in cells})
    sets = [{i for i, key in enumerate(people) if key[0] == r} for r in rows]
    sets += [{i for i, key in enumerate(people) if key[1] == c} for c in columns]
    basis = row_basis([[1 if p in s else 0 for p in range(len(people))] for s in sets])
    rank = len(basis)
    # a combination non-zero only inside U exists iff dropping U's columns lowers the rank
    for size in range(1, limit):
        for subset in itertools.combinations(range(len(people)), size):
            keep = [p for p in range(len(people)) if p not in subset]
            reduced = row_basis([[1 if p in s else 0 for p in keep] for s in sets])
            if len(reduced) < rank:
                return True
    return False


@settings(max_examples=150, deadline=None)
@given(
    cells=st.dictionaries(
        st.tuples(st.integers(0, 2), st.integers(0, 2)), st.integers(1, 4), max_size=5
    ),
    limit=st.integers(2, 4),
)
def test_the_cut_check_agrees_with_brute_force(cells, limit):
    assert (cut_under(cells, limit=limit) is not None) == leaks_by_brute_force(cells, limit)


# --- hand-checked cases -----------------------------------------------------------------------


def test_a_refresh_waits_for_five_answers_of_the_days_before():
    day = DAY + dt.timedelta(days=2)
    answers = {DAY: 3, DAY + dt.timedelta(days=1): 1, day: 4}
    assert not refresh_due(answers_by_day=answers, refreshes=[], today=day)
    answers[DAY + dt.timedelta(days=1)] = 2
    assert refresh_due(answers_by_day=answers, refreshes=[], today=day)
    # not twice a day, and the next one after 5 more
    assert not refresh_due(answers_by_day=answers, refreshes=[day], today=day)
    later = day + dt.timedelta(days=1)
    assert not refresh_due(answers_by_day=answers, refreshes=[day], today=later)
    answers[later - dt.timedelta(days=1)] = 5
    assert refresh_due(answers_by_day=answers, refreshes=[day], today=later)


def test_a_large_round_refreshes_after_a_tenth_more():
    assert refresh_step(published=0) == 5
    assert refresh_step(published=49) == 5
    assert refresh_step(published=51) == 6
    assert refresh_step(published=20_000) == 2_000


def test_a_group_that_grew_by_one_after_a_refresh_is_merged():
    # batch 1: East 5 (published as the round's total); batch 2: East 1, West 5, R&D 5
    first, second = {3: 5}, {3: 1, 4: 5, 5: 5}
    final = final_groups(departments=TREE, batches=[first, second, {}])
    # East alone (6) minus the first refresh (5) would be the one new East answer
    assert [(g.department_id, g.respondents) for g in final.groups] == [(2, 11), (5, 5)]
    assert final.passed_up == (3, 4)


def test_fewer_than_five_after_the_last_refresh_are_left_out():
    final = final_groups(departments=TREE, batches=[{3: 5, 5: 5}, {3: 2}])
    assert [(g.department_id, g.respondents) for g in final.groups] == [(3, 5), (5, 5)]
    assert (final.batches_used, final.left_out) == (1, 2)


def test_without_refreshes_the_final_groups_are_the_tree_rules():
    final = final_groups(departments=TREE, batches=[{3: 5, 4: 6, 5: 7, 2: 5}])
    assert [g.department_id for g in final.groups] == [3, 4, 2, 5]
    assert final.passed_up == ()


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ({(0, 0): 5}, None),
        ({(0, 0): 5, (1, 0): 1, (1, 1): 5}, 1),  # a bridge: group 1's batch-0 person
        ({(0, 0): 3, (0, 1): 3, (1, 0): 3, (1, 1): 3}, None),  # every cut weighs 6
        ({(0, 0): 2, (0, 1): 2, (1, 0): 2, (1, 1): 2}, 4),
    ],
)
def test_a_cut_under_five(cells, expected):
    cut = cut_under(cells, limit=5)
    assert (cut.weight if cut else None) == expected
