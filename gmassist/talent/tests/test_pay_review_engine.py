"""The pay-review engine on small data whose every number is checked by hand."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from gmassist.talent.engine.pay_review import (
    COMPARED,
    MIN_GAP_GROUP,
    NOT_SEPARABLE,
    TOO_FEW,
    gender_pay_gaps,
    pay_positions,
    pay_summary,
)

AS_OF = dt.date(2026, 1, 1)


def person(
    i,
    pay,
    *,
    rating=3,
    gender="female",
    position_id=1,
    band=(90000, 100000, 110000),
    hired=dt.date(2020, 1, 1),
):
    low, mid, high = band if band else (None, None, None)
    return {
        "employee_id": i,
        "employee_no": f"E{i:03d}",
        "full_name": f"Person {i}",
        "department_id": 1,
        "department": "Sales",
        "position_id": position_id,
        "position": f"Position {position_id}",
        "grade": 3,
        "gender": gender,
        "hire_date": hired,
        "base_pay": pay,
        "band_min": low,
        "band_mid": mid,
        "band_max": high,
        "last_rating": rating,
    }


@pytest.fixture
def positions():
    return pay_positions(
        pd.DataFrame(
            [
                person(1, 85000, rating=5),  # below band, rated high and paid low
                person(2, 120000, rating=1),  # above band, rated low and paid high
                person(3, 100000, rating=3),  # at the midpoint
                person(4, 88000, rating=None),  # below band, never reviewed
                person(5, 50000, position_id=None, band=None),  # no band
            ]
        )
    ).set_index("employee_id")


def test_compa_ratio_and_band_position_are_exact(positions):
    assert positions["compa_ratio"].tolist()[:4] == [0.85, 1.2, 1.0, 0.88]
    assert math.isnan(positions.loc[5, "compa_ratio"])
    assert positions["band_position"].tolist()[:4] == [-0.25, 1.5, 0.5, -0.1]


def test_people_below_and_above_band_with_the_amount_to_the_edge(positions):
    assert positions["below_band"].tolist() == [True, False, False, True, False]
    assert positions["to_band_min"].tolist() == [5000.0, 0.0, 0.0, 2000.0, 0.0]
    assert positions["above_band"].tolist() == [False, True, False, False, False]
    assert positions["over_band_max"].tolist() == [0.0, 10000.0, 0.0, 0.0, 0.0]


def test_pay_against_performance_flags(positions):
    assert positions["flags"].tolist() == [
        ["below_band", "high_rated_paid_low"],
        ["above_band", "low_rated_paid_high"],
        [],
        ["below_band"],  # 0.88 but never rated: not "rated high"
        [],
    ]


def test_the_summary_counts_and_costs(positions):
    summary = pay_summary(positions)
    assert {k: v for k, v in summary.items() if k != "distribution"} == {
        "people": 5,
        "with_band": 4,
        "median_compa_ratio": 0.94,
        "below_band": 2,
        "cost_to_band_min": 7000.0,
        "above_band": 1,
        "over_band_max": 10000.0,
        "high_rated_paid_low": 1,
        "low_rated_paid_high": 1,
    }
    counts = {(b["lower"], b["upper"]): b["count"] for b in summary["distribution"]}
    assert counts[(0.85, 0.9)] == 2 and counts[(1.0, 1.05)] == 1 and counts[(1.2, None)] == 1
    assert sum(counts.values()) == 4


def test_a_gap_computed_by_hand_for_a_tiny_group():
    # same tenure and rating: the gap is the ratio of pay, 90,000 / 100,000 - 1 = -10%;
    # closing it raises both women by 1/0.9 - 1: 2 x 90,000 x 0.1111... = 20,000 a year
    people = pd.DataFrame(
        [
            person(1, 100000, gender="male"),
            person(2, 100000, gender="male"),
            person(3, 90000),
            person(4, 90000),
        ]
    )
    [gap] = gender_pay_gaps(people, as_of=AS_OF, min_group=4, min_per_gender=2)
    assert (gap.status, gap.n, gap.n_female, gap.n_male) == (COMPARED, 4, 2, 2)
    assert (gap.adjusted_gap_pct, gap.raw_gap_pct, gap.lower_paid) == (-10.0, -10.0, "female")
    assert gap.cost_to_close == 20000.0
    assert gap.employee_ids == [1, 2, 3, 4]


def test_tenure_explains_a_raw_gap_away():
    # 10 more years pay 10% more for both genders; two of the three men have them, one of the
    # three women: raw gap 1.1^(-1/3) - 1 = -3.13%, adjusted gap 0, nothing to close
    ten_years_ago = dt.date(2016, 1, 1)
    people = pd.DataFrame(
        [
            person(1, 110000, gender="male", hired=ten_years_ago),
            person(2, 110000, gender="male", hired=ten_years_ago),
            person(3, 100000, gender="male", hired=AS_OF),
            person(4, 100000, hired=AS_OF),
            person(5, 100000, hired=AS_OF),
            person(6, 110000, hired=ten_years_ago),
        ]
    )
    [gap] = gender_pay_gaps(people, as_of=AS_OF, min_group=6, min_per_gender=3)
    assert gap.status == COMPARED
    assert gap.raw_gap_pct == -3.13
    assert gap.adjusted_gap_pct == 0.0
    assert (gap.lower_paid, gap.cost_to_close) == (None, 0.0)


def test_a_planted_gap_is_found_after_tenure_and_rating():
    rows = []
    for i in range(12):
        female = i % 2 == 0
        tenure_days = 365 * (i % 5)
        rating = 1 + (i // 2) % 5
        pay = 100000 * math.exp(0.03 * tenure_days / 365.25 + 0.05 * (rating - 3))
        pay *= 0.92 if female else 1.0
        rows.append(
            person(
                i,
                pay,
                rating=rating,
                gender="female" if female else "male",
                hired=AS_OF - dt.timedelta(days=tenure_days),
            )
        )
    [gap] = gender_pay_gaps(pd.DataFrame(rows), as_of=AS_OF)
    assert (gap.status, gap.n, gap.adjusted_gap_pct, gap.lower_paid) == (
        COMPARED,
        12,
        -8.0,
        "female",
    )
    women_pay = sum(r["base_pay"] for r in rows if r["gender"] == "female")
    assert gap.cost_to_close == round(women_pay * (1 / 0.92 - 1), 2)


def test_a_group_below_the_minimum_is_too_few_to_compare_and_carries_no_numbers():
    people = pd.DataFrame(
        [person(i, 100000, gender="male") for i in range(MIN_GAP_GROUP - 1)]
        + [person(100, 50000), person(101, 50000, gender="other"), person(102, 60000, rating=None)]
    )
    [gap] = gender_pay_gaps(people, as_of=AS_OF)
    # the unrated woman and the person of other gender take no part
    assert (gap.status, gap.n, gap.n_female, gap.n_male) == (TOO_FEW, MIN_GAP_GROUP, 1, 9)
    assert (gap.adjusted_gap_pct, gap.raw_gap_pct, gap.cost_to_close) == (None, None, None)
    assert gap.employee_ids == []


def test_gender_that_coincides_with_tenure_cannot_be_separated():
    people = pd.DataFrame(
        [person(i, 100000, gender="male", hired=dt.date(2010, 1, 1)) for i in range(2)]
        + [person(i, 90000, hired=dt.date(2024, 1, 1)) for i in range(2, 4)]
    )
    [gap] = gender_pay_gaps(people, as_of=AS_OF, min_group=4, min_per_gender=2)
    assert gap.status == NOT_SEPARABLE
    assert gap.adjusted_gap_pct is None
