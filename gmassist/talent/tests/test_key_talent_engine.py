"""The key-talent engine on small hand-checked data: scores, scarcity, the irreplaceable rule."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gmassist.talent.engine import key_talent as engine

SKILLS = {10: "5G core network", 20: "Billing", 30: "Radio planning"}


def people_frame(rows: list[tuple]) -> pd.DataFrame:
    """(id, name, department code, grade, yearly pay) per person."""
    return pd.DataFrame(
        [
            {
                "employee_id": pk,
                "employee_no": f"E{pk:03d}",
                "full_name": name,
                "department_id": 1 if code == "NET" else 2,
                "department_code": code,
                "department": "Network" if code == "NET" else "Billing ops",
                "position": "Engineer",
                "grade": grade,
                "base_pay": pay,
            }
            for pk, name, code, grade, pay in rows
        ],
        columns=engine.PEOPLE_COLUMNS,
    )


def reviews_frame(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=engine.REVIEW_COLUMNS)


def holdings_frame(rows: list[tuple]) -> pd.DataFrame:
    """(employee id, skill id, level)."""
    return pd.DataFrame(
        [(e, s, SKILLS[s], level) for e, s, level in rows], columns=engine.HOLDING_COLUMNS
    )


def totals_frame(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=engine.SKILL_TOTAL_COLUMNS)


@pytest.fixture
def scored() -> pd.DataFrame:
    people = people_frame(
        [
            (1, "Ann", "NET", 3, 120000.0),  # 6 months x 10,000 = 60,000 to replace
            (2, "Bob", "NET", 2, 96000.0),  # 5 months x 8,000 = 40,000
            (3, "Cy", "BIL", None, math.nan),  # no grade: 6 months; pay unknown
        ]
    )
    reviews = reviews_frame(
        [
            (1, dt.date(2025, 12, 15), "2025", 5, 3),
            (1, None, "2026-H1", 2, 1),  # undated: counted after the dated ones
            (1, dt.date(2024, 12, 15), "2024", 4, 2),
            (1, dt.date(2023, 12, 15), "2023", 1, 1),  # older than the last two
            (2, dt.date(2025, 12, 15), "2025", 3, None),  # no potential recorded
        ]
    )
    holdings = holdings_frame([(1, 10, 5), (2, 10, 4), (2, 20, 4), (3, 20, 3)])
    # company-wide at level 4+: 5G core by Ann (5) and Bob (4); Billing by Bob (4) and two
    # people outside the frame (5 and 5)
    totals = totals_frame([(10, 2, 9), (20, 3, 14)])
    return engine.key_talent(people, reviews, holdings, totals, reference_cost=90000.0)


def row(frame: pd.DataFrame, name: str) -> pd.Series:
    return frame.set_index("full_name").loc[name]


def test_ann_performance_potential_scarcity_cost_and_score(scored):
    ann = row(scored, "Ann")
    assert ann["last_ratings"] == [5, 4]
    assert ann["performance"] == 4.5
    assert ann["potential"] == 3.0
    # 5G core: 1 other holder at 4+ -> 1 / (1 + 1)
    assert (ann["scarcity"], ann["scarce_skill"], ann["others_holding"]) == (
        0.5,
        "5G core network",
        1,
    )
    assert ann["replacement_months"] == 6
    assert ann["replacement_cost"] == 60000.0
    # 0.35 x (4.5-1)/4 + 0.15 x (3-1)/2 + 0.35 x 0.5 + 0.15 x 60,000 / (60,000 + 90,000)
    # = 0.30625 + 0.15 + 0.175 + 0.06 = 0.69125
    assert ann["score"] == pytest.approx(0.69125, abs=5e-5)
    assert ann["c_replacement"] == 0.4


def test_ann_is_irreplaceable_holding_more_than_half_of_the_skill(scored):
    ann = row(scored, "Ann")
    # level 5 of the 9 levels that the level-4+ holders of 5G core have: more than half
    assert ann["irreplaceable"]
    assert ann["irreplaceable_skills"] == ["5G core network"]


def test_ann_reasons_strongest_first_in_plain_words(scored):
    reasons = [str(reason) for reason in row(scored, "Ann")["reasons"]]
    assert reasons == [
        "rated 5 and 4 in the last two reviews",
        "holds 5G core network at level 5; only 1 other person does",
        "holds more than half of the company's level-4+ expertise in 5G core network",
        "potential 3 of 3 in the latest review",
        "replacing would cost about 60,000 (6 months of pay)",
    ]
    assert row(scored, "Ann")["top_reason"] == reasons[0]


def test_bob_holds_half_or_less_and_is_not_irreplaceable(scored):
    bob = row(scored, "Bob")
    assert bob["last_ratings"] == [3]
    assert bob["performance"] == 3.0
    assert math.isnan(bob["potential"])
    # 5G core (1 other: 0.5) beats Billing (2 others: 1/3)
    assert (bob["scarcity"], bob["scarce_skill"]) == (0.5, "5G core network")
    # 4 of 9 and 4 of 14: neither more than half
    assert not bob["irreplaceable"]
    assert bob["irreplaceable_skills"] == []
    assert bob["replacement_cost"] == 40000.0
    # 0.35 x 0.5 + 0 + 0.35 x 0.5 + 0.15 x 40,000 / 130,000
    assert bob["score"] == round(0.35 + 0.15 * 40000 / 130000, 4) == 0.3962
    assert [str(r) for r in bob["reasons"]] == [
        "holds 5G core network at level 4; only 1 other person does",
        "rated 3 in the only review",
        "replacing would cost about 40,000 (5 months of pay)",
    ]


def test_someone_with_nothing_known_scores_zero_with_no_reasons(scored):
    cy = row(scored, "Cy")
    assert cy["score"] == 0.0
    assert cy["scarcity"] == 0.0  # level 3 is below expert
    assert cy["scarce_skill"] == "" and cy["others_holding"] is None
    assert cy["replacement_months"] == engine.NO_GRADE_MONTHS
    assert math.isnan(cy["replacement_cost"])
    assert cy["reasons"] == [] and cy["top_reason"] == ""
    assert not cy["irreplaceable"]


@pytest.mark.parametrize(
    ("level", "holders", "total", "irreplaceable", "scarcity"),
    [
        (4, 1, 4, True, 1.0),  # the only holder
        (5, 2, 9, True, 0.5),  # 5 > 9 / 2
        (4, 2, 8, False, 0.5),  # exactly half is not more than half
        (4, 2, 9, False, 0.5),  # 4 < 4.5
        (5, 3, 9, True, round(1 / 3, 4)),  # 5 > 4.5 even with two others
        (5, 3, 15, False, round(1 / 3, 4)),
    ],
)
def test_the_irreplaceable_rule_both_ways(level, holders, total, irreplaceable, scarcity):
    scored = engine.key_talent(
        people_frame([(1, "Dee", "NET", 1, 48000.0)]),
        reviews_frame([]),
        holdings_frame([(1, 30, level)]),
        totals_frame([(30, holders, total)]),
        reference_cost=None,
    )
    dee = scored.iloc[0]
    assert bool(dee["irreplaceable"]) is irreplaceable
    assert dee["scarcity"] == scarcity
    assert dee["score"] == round(0.35 * scarcity, 4)


def test_the_sole_holder_reason_and_the_department_list():
    scored = engine.key_talent(
        people_frame([(1, "Dee", "NET", 1, 48000.0), (2, "Eve", "BIL", 1, 48000.0)]),
        reviews_frame([]),
        holdings_frame([(1, 30, 4), (2, 20, 5)]),
        totals_frame([(30, 1, 4), (20, 1, 5)]),
        reference_cost=None,
    )
    assert [str(r) for r in scored.iloc[0]["reasons"]] == [
        "holds Radio planning at level 4; nobody else does"
    ]
    assert engine.irreplaceable_by_department(scored) == [
        {
            "department_id": 2,
            "department_code": "BIL",
            "department": "Billing ops",
            "people": [
                {"employee_id": 2, "employee_no": "E002", "full_name": "Eve", "skills": ["Billing"]}
            ],
        },
        {
            "department_id": 1,
            "department_code": "NET",
            "department": "Network",
            "people": [
                {
                    "employee_id": 1,
                    "employee_no": "E001",
                    "full_name": "Dee",
                    "skills": ["Radio planning"],
                }
            ],
        },
    ]


def test_replacement_months_by_grade():
    assert [engine.replacement_months(g) for g in (1, 3, 8, None, math.nan)] == [4, 6, 11, 6, 6]


def test_weights_sum_to_one():
    assert sum(engine.WEIGHTS.values()) == pytest.approx(1.0)


def test_an_empty_frame_scores_nobody():
    scored = engine.key_talent(
        people_frame([]),
        reviews_frame([]),
        holdings_frame([]),
        totals_frame([]),
        reference_cost=100.0,
    )
    assert scored.empty and "score" in scored.columns
    assert engine.irreplaceable_by_department(scored) == []


def _latest_first_reference(rows: list[tuple]) -> dict[int, tuple[list[int], float]]:
    """The reading of review rows (REVIEW_COLUMNS) one person at a time (dated before undated,
    later date, later period): the two latest ratings and the latest potential."""
    out = {}
    for employee_id in sorted({row[0] for row in rows}):
        own = [row for row in rows if row[0] == employee_id]
        own.sort(key=lambda row: row[2], reverse=True)
        own.sort(key=lambda row: row[1] or dt.date.min, reverse=True)
        own.sort(key=lambda row: row[1] is None)
        ratings = [row[3] for row in own if row[3] is not None][:2]
        potentials = [float(row[4]) for row in own if row[4] is not None]
        out[employee_id] = (ratings, potentials[0] if potentials else math.nan)
    return out


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(1, 4),
            st.one_of(st.none(), st.dates(dt.date(2024, 1, 1), dt.date(2024, 1, 9))),
            st.sampled_from(["2023", "2024-H1", "2024-H2"]),
            st.one_of(st.none(), st.integers(1, 5)),
            st.one_of(st.none(), st.integers(1, 3)),
        ),
        max_size=25,
    )
)
def test_the_latest_two_ratings_and_potential_read_in_columns_as_one_by_one(rows):
    reviews = pd.DataFrame(rows, columns=engine.REVIEW_COLUMNS)
    got = engine._reviews_by_person(reviews)
    want = _latest_first_reference(rows)
    assert {k: v[0] for k, v in got.items()} == {k: v[0] for k, v in want.items()}
    assert {k: v[1] for k, v in got.items() if not math.isnan(v[1])} == {
        k: v[1] for k, v in want.items() if not math.isnan(v[1])
    }
