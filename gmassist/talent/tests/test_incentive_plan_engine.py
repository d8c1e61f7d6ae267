"""The incentive plan engine: rules, budget, the known optimum, and never worse than greedy."""

from __future__ import annotations

import itertools
import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gmassist.talent.engine import incentive_plan as plan

RESPONSE = {
    "compa_ratio": -3.0,
    "months_since_raise": 0.02,
    "months_since_promotion": 0.01,
    "grade": 0.0,
}
RAISES_ONLY = plan.menu_from_dict(
    {
        "promotion_enabled": False,
        "bonus_enabled": False,
        "options_enabled": False,
        "leave_enabled": False,
        "development_enabled": False,
    }
)


def _people(rows: list[dict]) -> pd.DataFrame:
    base = {
        "band_max": 130000.0,
        "next_band_min": math.nan,
        "next_band_mid": math.nan,
        "months_since_raise": 0.0,
        "months_since_promotion": 0.0,
    }
    return pd.DataFrame(
        [{"employee_id": i + 1, **base, **row} for i, row in enumerate(rows)],
        columns=plan.PEOPLE_COLUMNS,
    )


def _brute_force(options: list[list[plan.Option]], budget: float) -> float:
    best = 0.0
    for choice in itertools.product(*[[None, *person] for person in options]):
        picked = [o for o in choice if o is not None]
        if sum(math.ceil(o.cost) for o in picked) <= budget:
            best = max(best, sum(round(o.effect) for o in picked))
    return best


def test_a_raise_moves_the_risk_by_the_models_response():
    people = _people(
        [{"probability": 0.5, "value": 100000, "base_pay": 100000, "band_mid": 100000}]
    )
    (one_step,) = plan.person_options(people.iloc[0].to_dict(), 0, plan.menu_from_dict(
        {**RAISES_ONLY.as_dict(), "raise_max_steps": 1}), RESPONSE)  # fmt: skip
    # 3% of 100,000 over a midpoint of 100,000 moves the compa-ratio 0.03: log-odds -0.09
    assert one_step.cost == 3000
    assert one_step.delta_logit == pytest.approx(-0.09)
    assert one_step.risk_after == pytest.approx(1 / (1 + math.exp(0.09)))
    assert one_step.effect == pytest.approx(100000 * (0.5 - 1 / (1 + math.exp(0.09))))


def test_a_raise_is_never_offered_above_the_band_maximum():
    people = _people([{"probability": 0.5, "value": 1e6, "base_pay": 125000, "band_mid": 110000}])
    options = plan.person_options(people.iloc[0].to_dict(), 0, RAISES_ONLY, RESPONSE)
    # 125,000 + 3% = 128,750 fits under 130,000; + 6% = 132,500 does not
    assert [o.actions[0]["share"] for o in options] == [0.03]


def test_a_promotion_pays_at_least_the_new_band_minimum():
    people = _people(
        [
            {
                "probability": 0.4,
                "value": 1e6,
                "base_pay": 100000,
                "band_mid": 100000,
                "next_band_min": 115000,
                "next_band_mid": 130000,
                "months_since_promotion": 48,
            }
        ]
    )
    menu = plan.menu_from_dict({**RAISES_ONLY.as_dict(), "promotion_enabled": True,
                                "raise_enabled": False})  # fmt: skip
    (promotion,) = plan.person_options(people.iloc[0].to_dict(), 0, menu, RESPONSE)
    assert promotion.actions[0] == {"instrument": "promotion", "new_base_pay": 115000.0}
    assert promotion.cost == 15000


def test_a_small_case_returns_its_known_optimum():
    # three people, raises of one step only; budget 6,000 buys two of the three 3% raises
    people = _people(
        [
            {"probability": 0.5, "value": 100000, "base_pay": 100000, "band_mid": 100000},
            {"probability": 0.5, "value": 300000, "base_pay": 100000, "band_mid": 100000},
            {"probability": 0.5, "value": 200000, "base_pay": 100000, "band_mid": 100000},
        ]
    )
    menu = plan.menu_from_dict({**RAISES_ONLY.as_dict(), "raise_max_steps": 1})
    result = plan.solve_plan(people, budget=6000, response=RESPONSE, menu=menu)
    assert result.status == "optimal"
    assert [line.employee_id for line in result.lines] == [2, 3]
    assert result.total_cost == 6000
    drop = 0.5 - 1 / (1 + math.exp(0.09))
    assert result.total_effect == pytest.approx(500000 * drop)


def test_the_menu_names_the_bad_key():
    with pytest.raises(plan.MenuError, match="raise_step must be between"):
        plan.menu_from_toml("[menu]\nraise_step = 3\n")
    with pytest.raises(plan.MenuError, match="unknown key 'bonus'"):
        plan.menu_from_toml("bonus = 1\n")
    with pytest.raises(plan.MenuError, match="not valid TOML"):
        plan.menu_from_toml("raise_step = \n")
    assert plan.menu_from_toml(plan.menu_to_toml(plan.DEFAULT_MENU)) == plan.DEFAULT_MENU


person = st.fixed_dictionaries(
    {
        "probability": st.floats(0.02, 0.9),
        "value": st.floats(10000, 2_000_000),
        "base_pay": st.floats(50000, 200000),
        "band_mid": st.floats(60000, 180000),
        "band_max": st.floats(80000, 260000),
        "next_band_min": st.one_of(st.just(math.nan), st.floats(60000, 250000)),
        "next_band_mid": st.one_of(st.just(math.nan), st.floats(80000, 300000)),
        "months_since_raise": st.floats(0, 60),
        "months_since_promotion": st.floats(0, 60),
    }
)


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(person, min_size=1, max_size=8), budget=st.floats(0, 120000))
def test_a_plan_never_exceeds_the_budget_or_a_rule_and_is_never_worse_than_greedy(rows, budget):
    people = _people(rows)
    result = plan.solve_plan(people, budget=budget, response=RESPONSE, time_limit=5)
    assert result.total_cost <= budget
    assert len({line.employee_id for line in result.lines}) == len(result.lines)
    assert result.total_effect >= result.greedy_effect - 1e-6
    by_id = people.set_index("employee_id")
    for line in result.lines:
        row = by_id.loc[line.employee_id]
        pay_actions = [a for a in line.actions if a["instrument"] in ("raise", "promotion")]
        assert len(pay_actions) <= 1
        assert len(line.actions) - len(pay_actions) <= 1
        for action in pay_actions:
            if action["instrument"] == "raise":
                assert row["base_pay"] + action["amount"] <= row["band_max"] + 0.01
                assert action["share"] <= 0.12 + 1e-9
            else:
                assert not math.isnan(row["next_band_mid"])
                minimum = row["next_band_min"]
                assert math.isnan(minimum) or action["new_base_pay"] >= minimum - 0.01
        assert line.effect > 0


@settings(max_examples=25, deadline=None)
@given(rows=st.lists(person, min_size=1, max_size=3), budget=st.floats(0, 60000))
def test_the_plan_is_the_brute_force_optimum_on_small_cases(rows, budget):
    people = _people(rows)
    menu = plan.menu_from_dict({"raise_max_steps": 2, "options_enabled": False,
                                "leave_enabled": False})  # fmt: skip
    result = plan.solve_plan(people, budget=budget, response=RESPONSE, menu=menu)
    options = plan.all_options(people, menu, RESPONSE, budget)
    assert result.status == "optimal"
    chosen = sum(round(line.effect) for line in result.lines)
    assert chosen == _brute_force(options, budget)


def test_the_budget_curve_grows_with_the_budget():
    people = _people(
        [
            {
                "probability": 0.3 + 0.05 * i,
                "value": 200000 + 10000 * i,
                "base_pay": 100000,
                "band_mid": 110000,
                "months_since_raise": 20,
            }
            for i in range(6)
        ]
    )
    curve = plan.budget_curve(people, budgets=[0, 5000, 20000, 80000], response=RESPONSE)
    effects = [point["total_effect"] for point in curve]
    assert effects[0] == 0
    assert effects == sorted(effects)
    assert all(p["total_cost"] <= p["budget"] for p in curve)


def test_a_large_plan_is_within_the_gap_limit_of_the_relaxations_bound():
    import numpy as np

    rng = np.random.default_rng(0)
    n = 3000
    mid = rng.uniform(80000, 200000, n)
    people = pd.DataFrame(
        {
            "employee_id": np.arange(n),
            "probability": rng.uniform(0.1, 0.6, n),
            "value": rng.uniform(1e5, 2e6, n),
            "base_pay": mid * rng.uniform(0.75, 1.15, n),
            "band_mid": mid,
            "band_max": mid * 1.2,
            "next_band_min": mid * 1.05,
            "next_band_mid": mid * 1.2,
            "months_since_raise": rng.uniform(0, 40, n),
            "months_since_promotion": rng.uniform(0, 60, n),
        }
    )
    result = plan.solve_plan(people, budget=3_000_000, response=RESPONSE)
    assert result.options > plan.EXACT_OPTIONS
    assert result.status == "feasible"
    assert result.total_cost <= 3_000_000
    assert result.bound >= result.total_effect >= result.greedy_effect
    assert result.gap <= plan.GAP_LIMIT
