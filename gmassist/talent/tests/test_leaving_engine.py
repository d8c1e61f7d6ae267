"""The leaving-risk model on monthly snapshots: the table, the backtest, and the causes found."""

from __future__ import annotations

import datetime as dt
from functools import cache

import numpy as np
import pandas as pd
import pytest

from gmassist.lib import risk_model
from gmassist.org.demo.generator import generate
from gmassist.talent.engine import leaving
from gmassist.talent.engine.demo_history import demo_history

AS_OF = dt.date(2026, 11, 1)


@cache
def _demo(tier: str):
    company = generate(seed=1, tier=tier, as_of=AS_OF)
    history = demo_history(company)
    table = leaving.snapshot_table(history, leaving.snapshot_days(history, end=company.as_of))
    return company, table, leaving.fit_leaving_model(table)


def _top_reasons_of_leavers(tier: str) -> dict[str, int]:
    _company, table, model = _demo(tier)
    test = table[(table["snapshot"] == model.snapshot) & (table[leaving.TARGET] == "yes")]
    return leaving.reasons_across(leaving.score_snapshot(model, test), top=3)


def _tiny_history() -> leaving.History:
    """Two people in one department: A hired 2023-01-01, raised 2024-04-01 and promoted
    2024-07-01 (grade 2 -> 3), reviewed by manager 10 then 11; B hired 2023-06-01, leaves
    voluntarily on 2025-03-15."""
    people = pd.DataFrame(
        {
            "employee_id": [1, 2],
            "department_id": [7, 7],
            "department": ["D7", "D7"],
            "job_family": ["ENG", "ENG"],
            "grade": [3, 2],
            "hire_date": [dt.date(2023, 1, 1), dt.date(2023, 6, 1)],
            "leave_date": [None, dt.date(2025, 3, 15)],
            "custom__site": ["north", "south"],
        }
    )
    pay = pd.DataFrame(
        {
            "employee_id": [1, 1, 1, 2],
            "date": [
                dt.date(2023, 1, 1),
                dt.date(2024, 4, 1),
                dt.date(2024, 7, 1),
                dt.date(2023, 6, 1),
            ],
            "base_pay": [90000.0, 99000.0, 120000.0, 80000.0],
            "reason": ["hire", "review", "promotion", "hire"],
        }
    )
    reviews = pd.DataFrame(
        {
            "employee_id": [1, 1, 1, 2],
            "date": [
                dt.date(2023, 12, 31),
                dt.date(2024, 6, 30),
                dt.date(2024, 12, 31),
                dt.date(2023, 12, 31),
            ],
            "rating": [3, 4, 5, 2],
            "reviewer_id": [10, 10, 11, 10],
        }
    )
    separations = pd.DataFrame(
        {"employee_id": [2], "date": [dt.date(2025, 3, 15)], "voluntary": [True]}
    )
    bands = pd.DataFrame(
        {"job_family": ["ENG", "ENG"], "grade": [2, 3], "band_mid": [100000.0, 125000.0]}
    )
    return leaving.History(people, pay, reviews, separations, bands, end=dt.date(2025, 12, 31))


def test_month_ends_and_adding_months_clamp_to_the_last_day():
    assert leaving.month_ends(dt.date(2024, 1, 15), dt.date(2024, 3, 31)) == [
        dt.date(2024, 1, 31),
        dt.date(2024, 2, 29),
        dt.date(2024, 3, 31),
    ]
    assert leaving.add_months(dt.date(2025, 1, 31), 1) == dt.date(2025, 2, 28)
    assert leaving.add_months(dt.date(2025, 3, 31), -12) == dt.date(2024, 3, 31)


def test_a_snapshot_row_has_the_features_as_of_its_day():
    table = leaving.snapshot_table(_tiny_history(), [dt.date(2024, 12, 31)])
    a = table[table["employee_id"] == 1].iloc[0]
    # promoted on 2024-07-01: grade 3 then, 120,000 / 125,000; one snapshot, so its median
    # compa-ratio is the scale: (0.96 + 0.80) / 2 = 0.88 both ways, nothing changes
    assert a["grade"] == 3
    assert a["compa_ratio"] == 0.96
    assert a["months_since_promotion"] == round(183 / leaving.DAYS_PER_MONTH, 2)
    assert a["months_since_raise"] == round(183 / leaving.DAYS_PER_MONTH, 2)
    assert a["last_rating"] == 5
    assert a["manager_changes_12m"] == 1  # reviewer 10 -> 11 at the 2024-12-31 review
    assert a["custom__site"] == "north"
    assert a[leaving.TARGET] == "no"
    b = table[table["employee_id"] == 2].iloc[0]
    assert b["compa_ratio"] == 0.8
    assert b[leaving.TARGET] == "yes"  # leaves 2025-03-15, within 12 months


def test_the_grade_before_a_promotion_is_the_grade_held_then():
    table = leaving.snapshot_table(_tiny_history(), [dt.date(2024, 5, 31), dt.date(2024, 12, 31)])
    a = table[table["employee_id"] == 1].set_index("snapshot")
    assert a.loc[dt.date(2024, 5, 31), "grade"] == 2
    assert a.loc[dt.date(2024, 12, 31), "grade"] == 3


def test_a_leaver_is_off_the_books_after_leaving_and_late_snapshots_have_no_label():
    table = leaving.snapshot_table(_tiny_history(), [dt.date(2025, 3, 31)])
    assert table["employee_id"].tolist() == [1]
    assert table[leaving.TARGET].tolist() == [""]  # 2026-03-31 is after the history's end


def test_the_department_attrition_rate_is_per_person_year_and_shrunk_towards_the_company():
    history = _tiny_history()
    # C works in another department from 2023-01-01 and never leaves
    history.people = pd.concat(
        [
            history.people,
            pd.DataFrame(
                {
                    "employee_id": [3],
                    "department_id": [8],
                    "department": ["D8"],
                    "job_family": ["ENG"],
                    "grade": [2],
                    "hire_date": [dt.date(2023, 1, 1)],
                    "leave_date": [None],
                    "custom__site": ["north"],
                }
            ),
        ],
        ignore_index=True,
    )
    table = leaving.snapshot_table(history, [dt.date(2025, 6, 30)]).set_index("employee_id")
    # the window is the 24 months to 2025-06-30, from the records' start (2023-12-31) on:
    # A and C are on the books its 547 days, B until leaving on 2025-03-15 (439 days)
    years_d7 = (547 + 439) / 365.25
    years_d8 = 547 / 365.25
    company = 1 / (years_d7 + years_d8)  # B, the one voluntary leaver
    k = leaving.SHRINK_PERSON_YEARS
    assert table.loc[1, "department_attrition_rate"] == round((1 + k * company) / (years_d7 + k), 5)
    assert table.loc[3, "department_attrition_rate"] == round((0 + k * company) / (years_d8 + k), 5)


def test_a_manager_who_left_counts_as_a_manager_change():
    history = _tiny_history()
    # B (who leaves on 2025-03-15) wrote A's review of 2024-12-31 instead of manager 11
    history.reviews.loc[2, "reviewer_id"] = 2
    before = leaving.snapshot_table(history, [dt.date(2025, 2, 28)]).set_index("employee_id")
    after = leaving.snapshot_table(history, [dt.date(2025, 6, 30)]).set_index("employee_id")
    assert before.loc[1, "manager_changes_12m"] == 1  # 10 -> B at the review
    assert after.loc[1, "manager_changes_12m"] == 2  # and B has gone


def test_a_history_with_no_known_outcome_cannot_be_learnt_from():
    table = leaving.snapshot_table(_tiny_history(), [dt.date(2025, 6, 30)])
    with pytest.raises(risk_model.RiskModelError):
        leaving.fit_leaving_model(table)


def test_the_backtest_trains_only_on_outcomes_known_at_the_test_month():
    _company, table, model = _demo("S")
    labelled = table[table[leaving.TARGET] != ""]
    assert model.snapshot == max(labelled["snapshot"]) == dt.date(2025, 10, 31)
    earlier = labelled[labelled["snapshot"] <= dt.date(2024, 10, 31)]
    assert model.backtest.cut == dt.date(2025, 10, 31)
    assert model.backtest.n_train == len(earlier)
    assert model.backtest.n_test == int((labelled["snapshot"] == model.snapshot).sum())
    assert sum(b.count for b in model.backtest.calibration) == model.backtest.n_test
    assert model.backtest.auc > 0.5


def test_the_backtest_finds_the_demo_company_s_causes():
    # tier S, seed 1, test month 2025-10-31: 483 people, 73 of whom left within the year
    _company, _table, model = _demo("S")
    assert round(model.auc, 3) == 0.750


def test_the_models_reasons_for_leavers_are_the_causes_planted_in_the_demo():
    reasons = _top_reasons_of_leavers("S")
    # the three strongest are the planted pay, promotion and department (unhappy department
    # or bad manager) causes; the manager change and the short tenure are there too
    assert reasons == {
        "months_since_promotion": 56,
        "compa_ratio": 52,
        "department_attrition_rate": 35,
        "months_since_raise": 26,
        "manager_changes_12m": 20,
        "tenure_months": 16,
        "last_rating": 8,
        "grade": 3,
    }
    planted = {f for features in leaving.PLANTED_CAUSE_FEATURES.values() for f in features}
    assert planted <= set(reasons)


def test_the_model_finds_the_causes_in_a_larger_company():
    reasons = _top_reasons_of_leavers("M")
    strongest = ["months_since_promotion", "compa_ratio", "department_attrition_rate"]
    assert list(reasons)[:3] == strongest
    _company, _table, model = _demo("M")
    assert round(model.auc, 3) == 0.774
    assert model.response["compa_ratio"] < 0
    assert model.response["months_since_promotion"] > 0
    assert model.response["department_attrition_rate"] > 0
    assert model.response["manager_changes_12m"] > 0


def test_the_response_is_the_calibrated_change_in_log_odds_per_unit():
    _company, table, model = _demo("S")
    row = table[table["snapshot"] == model.snapshot].head(1)
    frame = leaving.model_frame(row).drop(columns=["snapshot", leaving.TARGET])
    before = model.probabilities(frame)[0]
    moved = frame.assign(compa_ratio=frame["compa_ratio"] + 0.1)
    after = model.probabilities(moved)[0]
    logit = np.log(after / (1 - after)) - np.log(before / (1 - before))
    assert round(float(logit), 6) == round(0.1 * model.response["compa_ratio"], 6)


def test_the_feedback_signal_joins_the_table_when_given_and_is_left_out_otherwise():
    history = _tiny_history()
    day = dt.date(2024, 12, 31)
    assert leaving.FEEDBACK_FEATURE not in leaving.snapshot_table(history, [day]).columns
    history.feedback = pd.DataFrame(
        {"department_id": [7], "snapshot": [day], "negative_share": [0.4]}
    )
    table = leaving.snapshot_table(history, [day])
    assert table[leaving.FEEDBACK_FEATURE].tolist() == [0.4, 0.4]


# --- bands, calibration and history ------------------------------------------------------------


def test_the_bands_are_the_company_s_rate_and_twice_it_never_under_the_floors():
    bands = leaving.risk_bands(0.134)  # 13.4% a year: 13% and 26%
    assert (bands.base_rate, bands.medium_from, bands.high_from) == (0.13, 0.13, 0.26)
    assert [bands.band(p) for p in (0.129, 0.13, 0.259, 0.26, 1.0)] == [
        "low",
        "medium",
        "medium",
        "high",
        "high",
    ]
    assert bands.bounds("medium") == (0.13, 0.26) and bands.bounds("high") == (0.26, None)
    assert not bands.floored
    rare = leaving.risk_bands(0.02)  # 2% a year would make 4% "high": the floors hold
    assert (rare.medium_from, rare.high_from, rare.floored) == (0.05, 0.10, True)
    unknown = leaving.risk_bands(None)
    assert (unknown.base_rate, unknown.medium_from, unknown.high_from) == (None, 0.05, 0.10)
    with pytest.raises(ValueError):
        bands.bounds("extreme")


def test_the_demo_s_scores_are_calibrated_to_its_own_leaving_rate():
    _company, table, model = _demo("S")
    backtest = model.backtest
    # the backtest month, 2025-10-31: 483 people of whom 73 left within the year (15.1%)
    assert (backtest.n_test, backtest.positives) == (483, 73)
    assert round(model.base_rate, 4) == round(73 / 483, 4) == 0.1511
    assert (round(backtest.auc_low, 3), round(backtest.auc_high, 3)) == (0.688, 0.812)
    # the slope from the backtest (a year ahead, the model spreads the risks a little too
    # much), the level from the latest known year
    assert round(model.recalibration.slope, 3) == round(backtest.recalibration.slope, 3) == 0.885
    last_year = table[table["snapshot"] == model.snapshot]
    frame = leaving.model_frame(last_year).drop(columns=["snapshot", leaving.TARGET])
    assert round(float(model.probabilities(frame).mean()), 4) == 0.1511
    now = table[table["snapshot"] == max(table["snapshot"])]
    scored = leaving.score_snapshot(model, now)
    bands = leaving.risk_bands(model.base_rate)
    assert (bands.medium_from, bands.high_from) == (0.15, 0.30)
    counts = {name: 0 for name in leaving.BAND_NAMES}
    for person in scored:
        counts[bands.band(person.probability)] += 1
    assert counts == {"low": 285, "medium": 130, "high": 85}


def test_a_person_s_history_is_today_s_model_on_each_month_end():
    _company, table, model = _demo("S")
    now = table[table["snapshot"] == max(table["snapshot"])]
    scored = leaving.score_snapshot(model, now)
    history = leaving.score_history(model, table, [p.employee_id for p in scored])
    assert (len(history.months), history.months[0], history.months[-1]) == (
        33,
        dt.date(2024, 2, 29),
        dt.date(2026, 10, 31),
    )
    for person in scored[:20]:
        line = history.probabilities[person.employee_id]
        assert len(line) == 33
        assert line[-1] == round(person.probability, 4)  # the last month is today's score
    # someone hired in the window has no score for the months before the hire
    hired = now[now["tenure_months"] < 12]["employee_id"].iloc[0]
    assert history.probabilities[int(hired)][0] is None
