"""The incentive plan engine: rules, budget as a cap, net value, the known optimum, never
worse than greedy."""

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


def _brute_force(options: list[list[plan.Option]], budget: float) -> int:
    """The best net value (cents, as the solver counts it) over every choice."""
    best = 0
    for choice in itertools.product(*[[None, *person] for person in options]):
        picked = [o for o in choice if o is not None]
        if sum(math.ceil(o.cost) for o in picked) <= budget:
            best = max(best, sum(_cents(o) for o in picked))
    return best


def _cents(option: plan.Option) -> int:
    return round(option.effect * 100) - 100 * math.ceil(option.cost)


def _greedy_by_net(options: list[list[plan.Option]], budget: float) -> float:
    """A plan made by hand: the options of the highest net value first, one per person, each
    while it fits the budget; its net value."""
    chosen: dict[int, plan.Option] = {}
    spent = 0
    for option in sorted((o for person in options for o in person), key=lambda o: -o.net):
        if option.person not in chosen and spent + math.ceil(option.cost) <= budget:
            chosen[option.person] = option
            spent += math.ceil(option.cost)
    return sum(o.net for o in chosen.values())


def test_a_raise_moves_the_risk_by_the_models_response():
    people = _people(
        [{"probability": 0.5, "value": 1000000, "base_pay": 100000, "band_mid": 100000}]
    )
    (one_step,) = plan.person_options(people.iloc[0].to_dict(), 0, plan.menu_from_dict(
        {**RAISES_ONLY.as_dict(), "raise_max_steps": 1}), RESPONSE)  # fmt: skip
    # 3% of 100,000 over a midpoint of 100,000 moves the compa-ratio 0.03: log-odds -0.09
    assert one_step.cost == 3000
    assert one_step.delta_logit == pytest.approx(-0.09)
    assert one_step.risk_after == pytest.approx(1 / (1 + math.exp(0.09)))
    assert one_step.effect == pytest.approx(1000000 * (0.5 - 1 / (1 + math.exp(0.09))))
    assert one_step.net == pytest.approx(one_step.effect - 3000)


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


def _three_people() -> pd.DataFrame:
    # three people paid 100,000 at a midpoint of 100,000, each at risk 0.5, worth 100,000,
    # 300,000 and 200,000 to keep; a 3% raise (3,000) moves the compa-ratio 0.03, the log-odds
    # -3 x 0.03 = -0.09 and the risk 0.5 -> 1 / (1 + e^0.09) = 0.477515...: a fall of
    # 0.0224848248 (DROP), so it retains 2,248.48, 6,745.45 and 4,496.96
    return _people(
        [
            {"probability": 0.5, "value": 100000, "base_pay": 100000, "band_mid": 100000},
            {"probability": 0.5, "value": 300000, "base_pay": 100000, "band_mid": 100000},
            {"probability": 0.5, "value": 200000, "base_pay": 100000, "band_mid": 100000},
        ]
    )


DROP = 0.022484824791800084  # 0.5 - 1 / (1 + exp(0.09))
ONE_STEP = plan.menu_from_dict({**RAISES_ONLY.as_dict(), "raise_max_steps": 1})


def test_a_small_case_returns_its_known_optimum():
    # budget 6,000 buys two of the three 3% raises: the two worth most (2 and 3)
    result = plan.solve_plan(_three_people(), budget=6000, response=RESPONSE, menu=ONE_STEP)
    assert result.status == "optimal"
    assert [line.employee_id for line in result.lines] == [2, 3]
    assert result.total_cost == 6000
    assert result.total_effect == pytest.approx(500000 * DROP)


def test_a_small_case_spends_only_what_is_worth_its_cost():
    # budget 9,000 would buy all three raises (retaining 13,490.89 for 9,000), but person 1's
    # raise retains 2,248.48 for 3,000: a net value of -751.52, so it is not offered. The plan
    # spends 6,000 of the 9,000: it keeps 6,745.45 + 4,496.96 = 11,242.41, net 5,242.41,
    # a return of 11,242.41 / 6,000 = 1.8737.
    result = plan.solve_plan(_three_people(), budget=9000, response=RESPONSE, menu=ONE_STEP)
    assert result.status == "optimal"
    assert [line.employee_id for line in result.lines] == [2, 3]
    assert result.total_cost == 6000
    assert round(result.total_effect, 2) == 11242.41
    assert round(result.total_net, 2) == 5242.41
    assert [round(line.net, 2) for line in result.lines] == [3745.45, 1496.96]
    summary = result.summary()
    assert summary["return"] == 1.8737
    assert (summary["worth_cost"], summary["worth_net"]) == (6000, 5242.41)
    assert summary["budget_binds"] is False
    options = plan.all_options(_three_people(), ONE_STEP, RESPONSE, 9000)
    assert [len(person) for person in options] == [0, 1, 1]


def test_a_small_case_with_a_budget_that_binds():
    # 3,000 buys one raise: person 2's (net 3,745.45); 6,000 would be worth spending
    result = plan.solve_plan(_three_people(), budget=3000, response=RESPONSE, menu=ONE_STEP)
    assert [line.employee_id for line in result.lines] == [2]
    assert round(result.total_net, 2) == 3745.45
    assert result.summary()["budget_binds"] is True
    assert result.worth_cost == 6000


# The GM's report (demo company, seed 1): E000531 at compa-ratio 1.02 (316,300 at a midpoint
# of 311,000), risk 0.149, worth 118,675.76 to keep, was given a 12% raise (37,956) and five
# days' leave (6,326) for 44,282 a year, to retain 3,468.68. The model's response as fitted.
DEMO_RESPONSE = {
    "compa_ratio": -2.57353734,
    "months_since_raise": -0.01432852,
    "months_since_promotion": 0.00619953,
    "tenure_months": -0.00989407,
    "grade": -0.03950537,
    "last_rating": 0.02797881,
}
COMPA_102 = {
    "probability": 0.149021,
    "value": 118675.761876,
    "base_pay": 316300.0,
    "band_mid": 311000.0,
    "band_max": 373200.0,
    "next_band_min": 298600.0,
    "next_band_mid": 373200.0,
    "months_since_raise": 7.98,
    "months_since_promotion": 24.67,
}


def test_a_12_percent_raise_at_compa_ratio_1_02_is_not_worth_its_cost():
    people = _people([COMPA_102])
    row = people.iloc[0].to_dict()
    raise_12 = {"instrument": "raise", "share": 0.12, "amount": 37956.0}
    leave = {"instrument": "leave", "days": 5, "amount": 6326.0}
    line = plan.evaluate_actions(row, [raise_12, leave], plan.DEFAULT_MENU, DEMO_RESPONSE)
    assert line.cost == 44282
    assert round(line.effect, 2) == 3468.68  # what the old plan showed
    assert line.net < -40000
    # within the band maximum (316,300 x 1.12 = 354,256 < 373,200), so the rules alone allowed
    # it; its net value does not
    result = plan.solve_plan(people, budget=300000, response=DEMO_RESPONSE)
    assert result.lines == []
    assert (result.total_cost, result.total_effect, result.worth_cost) == (0, 0, 0)
    assert plan.person_options(row, 0, plan.DEFAULT_MENU, DEMO_RESPONSE) == []


def test_an_edited_amount_is_priced_as_the_solver_prices_it():
    people = _people([{"probability": 0.5, "value": 1e6, "base_pay": 100000, "band_mid": 100000}])
    row = people.iloc[0].to_dict()
    (option,) = plan.person_options(row, 0, ONE_STEP, RESPONSE)
    same = plan.evaluate_actions(row, list(option.actions), ONE_STEP, RESPONSE)
    assert (same.cost, same.effect) == (3000, pytest.approx(option.effect))
    bigger = plan.with_amount(row, option.actions[0], 6000, ONE_STEP)
    assert bigger == {"instrument": "raise", "share": 0.06, "amount": 6000.0}
    edited = plan.evaluate_actions(row, [bigger], ONE_STEP, RESPONSE)
    assert edited.cost == 6000
    assert edited.risk_after == pytest.approx(1 / (1 + math.exp(0.18)))
    with pytest.raises(plan.PlanEditError, match="above the band maximum"):
        plan.with_amount(row, option.actions[0], 40000, ONE_STEP)
    with pytest.raises(plan.PlanEditError, match="more than 0"):
        plan.with_amount(row, option.actions[0], 0, ONE_STEP)
    leave = plan.with_amount(row, {"instrument": "leave", "days": 5, "amount": 2000.0}, 800,
                             plan.DEFAULT_MENU)  # fmt: skip
    assert leave == {"instrument": "leave", "days": 2.0, "amount": 800.0}


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
    options = plan.all_options(people, plan.DEFAULT_MENU, RESPONSE, budget)
    assert result.total_net >= _greedy_by_net(options, budget) - 1e-6
    assert result.total_net >= result.greedy_net - 1e-6
    assert result.total_net >= 0
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
        assert line.net > 0  # never a line with a negative expected net value


@settings(max_examples=25, deadline=None)
@given(rows=st.lists(person, min_size=1, max_size=3), budget=st.floats(0, 60000))
def test_the_plan_is_the_brute_force_optimum_on_small_cases(rows, budget):
    people = _people(rows)
    menu = plan.menu_from_dict({"raise_max_steps": 2, "options_enabled": False,
                                "leave_enabled": False})  # fmt: skip
    result = plan.solve_plan(people, budget=budget, response=RESPONSE, menu=menu)
    options = plan.all_options(people, menu, RESPONSE, budget)
    assert result.status == "optimal"
    chosen = sum(round(line.effect * 100) - 100 * round(line.cost) for line in result.lines)
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
    nets = [point["total_net"] for point in curve]
    assert nets[0] == 0 == curve[0]["total_effect"]
    assert nets == sorted(nets)
    assert all(p["total_cost"] <= p["budget"] for p in curve)
    assert all(p["total_net"] == round(p["total_effect"] - p["total_cost"], 2) for p in curve)


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
    assert result.bound >= result.total_net >= result.greedy_net
    assert result.gap <= plan.GAP_LIMIT
    assert all(line.net > 0 for line in result.lines)
