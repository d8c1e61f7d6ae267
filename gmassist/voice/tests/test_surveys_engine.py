"""The group-size rule and the survey figures, on small hand-checked trees, and as properties:
no published group has fewer than 5 respondents, groups never overlap, and together they count
everyone (or nobody)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gmassist.voice.engine.survey_results import (
    DepartmentNode,
    QuestionSpec,
    enps,
    result_groups,
    survey_results,
)

# Company > HQ(1) > Sales(2) > East(3), West(4); HQ > R&D(5)
TREE = [
    DepartmentNode(1, None, "HQ"),
    DepartmentNode(2, 1, "Sales"),
    DepartmentNode(3, 2, "East"),
    DepartmentNode(4, 2, "West"),
    DepartmentNode(5, 1, "R&D"),
]
QUESTIONS = [
    QuestionSpec(10, "enps", "Recommend us?"),
    QuestionSpec(11, "scale", "Workload is fair"),
    QuestionSpec(12, "text", "Anything else?"),
]


def summary(groups):
    return [(g.department_id, g.respondents, g.includes) for g in groups]


def test_a_department_of_five_is_its_own_group():
    groups = result_groups(departments=TREE, respondents={3: 5, 4: 6, 5: 7, 2: 5})
    assert summary(groups) == [(3, 5, (3,)), (4, 6, (4,)), (2, 5, (2,)), (5, 7, (5,))]


def test_a_small_department_is_merged_into_its_parent():
    groups = result_groups(departments=TREE, respondents={3: 4, 4: 6, 2: 2, 5: 5})
    assert summary(groups) == [(4, 6, (4,)), (2, 6, (2, 3)), (5, 5, (5,))]
    assert groups[1].merged_names == ("East",)


def test_small_departments_merge_up_more_than_one_level():
    groups = result_groups(departments=TREE, respondents={3: 2, 4: 2, 5: 9, 1: 1})
    assert summary(groups) == [(5, 9, (5,)), (1, 5, (1, 2, 3, 4))]
    assert groups[1].merged_names == ("East", "West")


def test_a_leftover_at_the_top_takes_in_the_smallest_group():
    # HQ's 2 cannot be shown alone (company 16 minus groups 14 would give them away)
    groups = result_groups(
        departments=TREE, respondents={3: 5, 4: 9, 1: 2}, company_name="Whole company"
    )
    assert summary(groups) == [(4, 9, (4,)), (None, 7, (None, 1, 2, 5, 3))]
    assert groups[1].name == "Whole company"


def test_a_company_below_five_shows_nothing():
    assert result_groups(departments=TREE, respondents={3: 2, 5: 2}) == []
    results = survey_results(departments=TREE, questions=QUESTIONS, respondents={3: 2, 5: 2})
    assert (results.hidden, results.groups, results.overall) == (True, [], None)


def test_respondents_of_no_known_department_count_at_the_company():
    groups = result_groups(departments=TREE, respondents={None: 3, 99: 2, 5: 5})
    assert summary(groups) == [(5, 5, (5,)), (None, 5, (None, 1, 2, 3, 4))]


def test_enps_is_promoters_minus_detractors_in_points():
    assert enps([10, 9, 8, 7, 6, 0]) == pytest.approx(0.0)
    assert enps([10, 10, 9, 5]) == 50.0
    assert enps([3, 3, 8]) == -66.7
    assert enps([]) is None


def test_results_give_scores_and_sorted_texts_per_group():
    respondents = {3: 5, 5: 5}
    scores = [(3, 10, s) for s in (10, 9, 8, 6, 2)] + [(5, 10, s) for s in (9, 9, 9, 9, 9)]
    scores += [(3, 11, s) for s in (1, 2, 3, 4, 5)] + [(5, 11, 4)] * 5
    texts = [(3, 12, "zebra"), (3, 12, "  apple "), (5, 12, " ")]
    results = survey_results(
        departments=TREE,
        questions=QUESTIONS,
        respondents=respondents,
        scores=scores,
        texts=texts,
        invited={3: 10, 5: 5, 2: 3},
    )
    east, rnd = results.groups
    assert (east.group.name, east.enps, east.scores[11].mean) == ("East", 0.0, 3.0)
    assert east.scores[10].distribution == (0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 1)
    assert (east.invited, east.response_rate) == (10, 0.5)
    assert east.texts == {12: ["apple", "zebra"]}
    assert (rnd.enps, rnd.texts) == (100.0, {12: []})
    assert results.overall.enps == 50.0
    assert (results.respondents, results.invited, results.hidden) == (10, 15, False)


def test_a_reader_of_a_subtree_gets_the_company_partition_cut_to_it():
    respondents = {3: 2, 4: 6, 2: 3, 5: 8}
    everything = survey_results(departments=TREE, questions=QUESTIONS, respondents=respondents)
    sales_only = survey_results(
        departments=TREE,
        questions=QUESTIONS,
        respondents=respondents,
        visible_departments={2, 3, 4},
    )
    assert [g.group for g in sales_only.groups] == [
        g.group for g in everything.groups if g.group.department_id in {2, 3, 4}
    ]
    assert sales_only.respondents == 11
    assert sales_only.overall.group.respondents == 11


@st.composite
def trees_and_counts(draw):
    size = draw(st.integers(min_value=1, max_value=25))
    nodes = [DepartmentNode(1, None, "d1")]
    for dept in range(2, size + 1):
        parent = draw(st.one_of(st.none(), st.integers(min_value=1, max_value=dept - 1)))
        nodes.append(DepartmentNode(dept, parent, f"d{dept}"))
    counts = draw(
        st.dictionaries(
            st.one_of(st.none(), st.integers(min_value=1, max_value=size + 2)),
            st.integers(min_value=0, max_value=12),
            max_size=size + 2,
        )
    )
    min_size = draw(st.integers(min_value=1, max_value=8))
    return nodes, counts, min_size


@settings(max_examples=300, deadline=None)
@given(trees_and_counts())
def test_no_published_group_is_smaller_than_the_minimum(case):
    nodes, counts, min_size = case
    groups = result_groups(departments=nodes, respondents=counts, min_size=min_size)
    assert all(group.respondents >= min_size for group in groups)


@settings(max_examples=300, deadline=None)
@given(trees_and_counts())
def test_groups_are_disjoint_and_count_everyone_or_nobody(case):
    nodes, counts, min_size = case
    groups = result_groups(departments=nodes, respondents=counts, min_size=min_size)
    included = [dept for group in groups for dept in group.includes]
    assert len(included) == len(set(included))
    total = sum(counts.values())
    assert sum(g.respondents for g in groups) == (total if total >= min_size else 0)
    known = {n.id for n in nodes}
    for group in groups:
        own = sum(
            n for dept, n in counts.items() if (dept if dept in known else None) in group.includes
        )
        assert own == group.respondents


@settings(max_examples=200, deadline=None)
@given(trees_and_counts(), st.sets(st.integers(min_value=1, max_value=27)))
def test_what_any_reader_sees_is_only_whole_groups(case, visible):
    nodes, counts, min_size = case
    results = survey_results(
        departments=nodes,
        questions=QUESTIONS,
        respondents=counts,
        visible_departments=visible,
        min_size=min_size,
    )
    assert all(g.group.respondents >= min_size for g in results.groups)
    if results.overall is not None:
        assert results.overall.group.respondents >= min_size
