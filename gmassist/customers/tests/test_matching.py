"""Matching engine on hand-checked cases, and properties against a brute-force optimum."""

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gmassist.customers.engine.matching import (
    MatchCustomer,
    MatchManager,
    Move,
    match_account_managers,
)
from gmassist.customers.reasons import Reason

UNIFORM = {"A": 1, "B": 1, "C": 1}


def in_words(moves: list[Move]) -> list[tuple]:
    """Moves as (customer, from, to, the reasons in English)."""
    return [(m.customer_id, m.from_manager, m.to_manager, m.why_text) for m in moves]


def small_case():
    customers = [
        MatchCustomer("a", "A", current_manager="M2"),
        MatchCustomer("b", "B", current_manager="M1"),
        MatchCustomer("c", "C"),
    ]
    managers = [MatchManager("M1", 3, 1), MatchManager("M2", 1, 2)]
    return customers, managers


@pytest.mark.parametrize("solver", ["min_cost_flow", "mip", "cp_sat"])
def test_both_solvers_find_the_known_optimum(solver):
    customers, managers = small_case()
    result = match_account_managers(
        customers, managers, workload=UNIFORM, change_penalty=0.5, solver=solver, num_workers=1
    )
    # a (10) to the grade-3 manager is worth 30 - 0.5; b and c go to M2: 3 - 0.5 + 1.
    assert result.solver == solver
    assert result.optimal is True
    assert result.assignments == {"a": "M1", "b": "M2", "c": "M2"}
    assert result.objective == 33.0
    assert result.objective_parts == {"value": 34.0, "region_penalty": 0.0, "change_penalty": 1.0}
    assert result.objective_before == 19.0
    assert result.changes == 2
    assert in_words(result.moves) == [
        ("a", "M2", "M1", "a better-graded manager: 3 instead of 1"),
        ("b", "M1", "M2", "frees capacity at M1 for more important customers"),
        ("c", None, "M2", "had no account manager; M2 has grade 1"),
    ]
    assert result.workload_before == {"M1": 1, "M2": 1}
    assert result.workload_after == {"M1": 1, "M2": 2}


def test_auto_picks_min_cost_flow_for_uniform_workload_without_a_binding_cap():
    customers, managers = small_case()
    assert match_account_managers(customers, managers, workload=UNIFORM).solver == "min_cost_flow"
    capped = match_account_managers(customers, managers, workload=UNIFORM, max_changes=2)
    assert capped.solver == "min_cost_flow"  # 2 relationships exist: a cap of 2 cannot bind
    capped = match_account_managers(customers, managers, workload=UNIFORM, max_changes=1)
    assert capped.solver == "mip"
    assert match_account_managers(customers, managers).solver == "mip"


def test_forcing_min_cost_flow_where_it_does_not_apply_is_an_error():
    customers, managers = small_case()
    with pytest.raises(ValueError, match="different workloads"):
        match_account_managers(customers, managers, solver="min_cost_flow")
    with pytest.raises(ValueError, match="change cap binds"):
        match_account_managers(
            customers, managers, workload=UNIFORM, max_changes=0, solver="min_cost_flow"
        )


def test_workloads_a_knapsack_with_a_known_optimum():
    customers = [
        MatchCustomer("a", "A"),
        MatchCustomer("b1", "B"),
        MatchCustomer("b2", "B"),
        MatchCustomer("c", "C"),
    ]
    managers = [MatchManager("M1", 2, 5), MatchManager("M2", 1, 5)]
    result = match_account_managers(customers, managers, num_workers=1)
    # A on M1: 20 + (3 + 3 + 1) = 27 beats A on M2: 10 + 2 × 7 = 24.
    assert result.solver == "mip"
    assert result.optimal is True
    assert result.assignments == {"a": "M1", "b1": "M2", "b2": "M2", "c": "M2"}
    assert result.objective == 27.0
    assert result.workload_after == {"M1": 5, "M2": 5}


def test_when_capacity_is_short_the_most_important_customer_is_served():
    customers = [MatchCustomer("a", "A")] + [MatchCustomer(f"c{k}", "C") for k in range(5)]
    result = match_account_managers(customers, [MatchManager("M", 1, 5)], num_workers=1)
    assert result.assignments["a"] == "M"
    assert result.unassigned == ["c0", "c1", "c2", "c3", "c4"]
    # nothing changes for a customer that had no manager and still has none: not a move
    assert in_words(result.moves) == [("a", None, "M", "had no account manager; M has grade 1")]


@pytest.mark.parametrize("solver", ["min_cost_flow", "mip", "cp_sat"])
def test_hard_region_without_capacity_leaves_customers_unassigned(solver):
    customers = [
        MatchCustomer("n1", "C", region="North"),
        MatchCustomer("s1", "C", region="South", current_manager="MS"),
        MatchCustomer("s2", "C", region="South", current_manager="MS"),
    ]
    managers = [MatchManager("MN", 2, 3, "North"), MatchManager("MS", 1, 1, "South")]
    result = match_account_managers(customers, managers, solver=solver, num_workers=1)
    assert result.optimal is True
    assert result.assignments["n1"] == "MN"
    assert result.assignments["s1"] == "MS"  # the stayer is the first of equals
    assert result.unassigned == ["s2"]
    assert result.message == "1 customer(s) left without a manager: not enough capacity"
    assert in_words(result.moves) == [
        ("n1", None, "MN", "had no account manager; MN has grade 2"),
        ("s2", "MS", None, "left without a manager; not enough capacity in region South"),
    ]


@pytest.mark.parametrize(("penalty", "expected"), [(0.5, "MN"), (2.0, "MS")])
def test_penalised_region_trades_grade_against_the_penalty(penalty, expected):
    customers = [MatchCustomer("s", "C", region="South")]
    managers = [MatchManager("MN", 3, 5, "North"), MatchManager("MS", 2, 5, "South")]
    result = match_account_managers(
        customers, managers, region_rule="penalised", region_penalty=penalty
    )
    assert result.assignments == {"s": expected}
    if expected == "MN":
        assert result.objective_parts == {
            "value": 3.0,
            "region_penalty": 0.5,
            "change_penalty": 0.0,
        }
        assert result.objective == 2.5
    else:
        assert result.objective == 2.0


def test_hard_region_moves_an_out_of_region_relationship_without_counting_it():
    customers = [MatchCustomer("s", "C", region="South", current_manager="MN")]
    managers = [MatchManager("MN", 3, 5, "North"), MatchManager("MS", 2, 5, "South")]
    result = match_account_managers(customers, managers, change_penalty=10, max_changes=0)
    assert result.assignments == {"s": "MS"}
    assert result.changes == 0
    assert result.objective == 2.0
    assert in_words(result.moves) == [
        ("s", "MN", "MS", "current manager MN is outside the region South; MS has grade 2")
    ]


def test_a_manager_who_left_forces_a_move_that_is_not_penalised():
    customers = [MatchCustomer("x", "B", current_manager="gone")]
    result = match_account_managers(
        customers, [MatchManager("M", 1, 2)], change_penalty=5, max_changes=0
    )
    assert result.assignments == {"x": "M"}
    assert result.objective_parts["change_penalty"] == 0.0
    assert result.moves[0].why == (
        Reason("current manager %(manager)s is no longer available", {"manager": "gone"}),
        Reason("%(manager)s has grade %(grade)s", {"manager": "M", "grade": "1"}),
    )
    assert result.moves[0].why_text == (
        "current manager gone is no longer available; M has grade 1"
    )


def test_the_change_cap_keeps_only_the_most_valuable_move():
    customers = [
        MatchCustomer("a", "A", current_manager="M2"),
        MatchCustomer("b", "B", current_manager="M2"),
    ]
    managers = [MatchManager("M1", 5, 2), MatchManager("M2", 1, 2)]
    free = match_account_managers(customers, managers, workload=UNIFORM)
    assert free.assignments == {"a": "M1", "b": "M1"}
    capped = match_account_managers(
        customers, managers, workload=UNIFORM, max_changes=1, change_penalty=1, num_workers=1
    )
    assert capped.solver == "mip"
    assert capped.optimal is True
    assert capped.assignments == {"a": "M1", "b": "M2"}
    assert capped.changes == 1
    assert capped.objective == 50 + 3 - 1


def test_a_change_cap_that_cannot_be_met_changes_nothing_and_says_why():
    customers = [
        MatchCustomer("a", "C", current_manager="M1"),
        MatchCustomer("b", "C", current_manager="M1"),
    ]
    result = match_account_managers(
        customers, [MatchManager("M1", 1, 1), MatchManager("M2", 1, 1)], max_changes=0
    )
    assert result.status == "infeasible"
    assert result.optimal is False
    assert in_words(result.moves) == []
    assert result.assignments == {"a": "M1", "b": "M1"}
    assert "at most 0 changes" in result.message


def test_bad_input_is_rejected_early():
    with pytest.raises(ValueError, match="tier 'D'"):
        match_account_managers([MatchCustomer("x", "D")], [])
    with pytest.raises(ValueError, match="duplicate customer ids"):
        match_account_managers([MatchCustomer("x", "A"), MatchCustomer("x", "B")], [])
    with pytest.raises(ValueError, match="region_rule"):
        match_account_managers([], [], region_rule="soft")


def test_records_may_be_mappings_and_no_managers_leaves_everyone_unassigned():
    result = match_account_managers([{"customer_id": 1, "tier": "A"}], [])
    assert result.assignments == {1: None}
    assert result.unassigned == [1]


# -- properties, against a brute-force optimum on tiny instances --------------------------------

REGIONS = st.sampled_from(["N", "S", None])


@st.composite
def instances(draw):
    n_mgr = draw(st.integers(1, 3))
    managers = [
        MatchManager(f"M{j}", draw(st.integers(0, 5)), draw(st.integers(0, 7)), draw(REGIONS))
        for j in range(n_mgr)
    ]
    n_cust = draw(st.integers(0, 5))
    customers = [
        MatchCustomer(
            f"c{i}",
            draw(st.sampled_from("ABC")),
            draw(REGIONS),
            draw(st.sampled_from([None, "gone"] + [m.manager_id for m in managers])),
        )
        for i in range(n_cust)
    ]
    options = {
        "workload": draw(st.sampled_from([None, UNIFORM, {"A": 3, "B": 2, "C": 1}])),
        "region_rule": draw(st.sampled_from(["hard", "penalised"])),
        "region_penalty": draw(st.sampled_from([0.0, 0.5, 4.0])),
        "change_penalty": draw(st.sampled_from([0.0, 1.5])),
        "max_changes": draw(st.sampled_from([None, 0, 1, 2])),
    }
    return customers, managers, options


def same_region(a, b):
    return a is None or b is None or a == b


def brute_force(customers, managers, options):
    """The lexicographic optimum by enumeration: (importance left unserved, -objective)."""
    workload = options["workload"] or {"A": 5, "B": 2, "C": 1}
    weight = {"A": 10, "B": 3, "C": 1}
    ids = {m.manager_id: m for m in managers}
    best = None
    for choice in itertools.product([None, *managers], repeat=len(customers)):
        load = dict.fromkeys(ids, 0)
        unserved = value = 0.0
        changes = 0
        ok = True
        for c, m in zip(customers, choice, strict=True):
            cur = ids.get(c.current_manager)
            if cur and options["region_rule"] == "hard" and not same_region(c.region, cur.region):
                cur = None
            if cur is not None and m is not cur:
                changes += 1
                value -= options["change_penalty"]
            if m is None:
                unserved += weight[c.tier]
                continue
            if not same_region(c.region, m.region):
                if options["region_rule"] == "hard":
                    ok = False
                    break
                value -= options["region_penalty"]
            load[m.manager_id] += workload[c.tier]
            value += weight[c.tier] * m.grade
        if not ok or any(load[k] > ids[k].capacity for k in ids):
            continue
        if options["max_changes"] is not None and changes > options["max_changes"]:
            continue
        key = (unserved, -value)
        if best is None or key < best:
            best = key
    return best


@settings(max_examples=120, deadline=None)
@given(instances())
def test_matching_is_feasible_and_optimal(instance):
    customers, managers, options = instance
    result = match_account_managers(customers, managers, num_workers=1, **options)
    best = brute_force(customers, managers, options)
    if best is None:
        assert result.status == "infeasible"
        return
    assert result.optimal is True
    workload = options["workload"] or {"A": 5, "B": 2, "C": 1}
    by_id = {m.manager_id: m for m in managers}
    # every customer once, at most one manager
    assert list(result.assignments) == [c.customer_id for c in customers]
    load = dict.fromkeys(by_id, 0)
    for c in customers:
        m = result.assignments[c.customer_id]
        if m is not None:
            load[m] += workload[c.tier]
            if options["region_rule"] == "hard":
                assert same_region(c.region, by_id[m].region)
    assert load == result.workload_after
    assert all(load[k] <= by_id[k].capacity for k in by_id)
    if options["max_changes"] is not None:
        assert result.changes <= options["max_changes"]
    weight = {"A": 10, "B": 3, "C": 1}
    unserved = sum(weight[c.tier] for c in customers if result.assignments[c.customer_id] is None)
    assert (unserved, -result.objective) == pytest.approx(best)


@settings(max_examples=60, deadline=None)
@given(instances())
def test_the_optimum_is_no_worse_than_a_feasible_current_assignment(instance):
    customers, managers, options = instance
    workload = options["workload"] or {"A": 5, "B": 2, "C": 1}
    by_id = {m.manager_id: m for m in managers}
    load = dict.fromkeys(by_id, 0)
    for c in customers:
        m = by_id.get(c.current_manager)
        if m is None or (options["region_rule"] == "hard" and not same_region(c.region, m.region)):
            return  # the current assignment is not feasible
        load[m.manager_id] += workload[c.tier]
    if any(load[k] > by_id[k].capacity for k in by_id):
        return
    result = match_account_managers(customers, managers, num_workers=1, **options)
    assert result.unassigned == []
    assert result.objective >= result.objective_before - 1e-9


@settings(max_examples=60, deadline=None)
@given(instances())
def test_flow_and_cp_sat_agree_where_both_apply(instance):
    customers, managers, options = instance
    options = {**options, "workload": UNIFORM, "max_changes": None}
    flow = match_account_managers(customers, managers, solver="min_cost_flow", **options)
    sat = match_account_managers(customers, managers, solver="cp_sat", num_workers=1, **options)
    assert flow.optimal and sat.optimal
    assert flow.objective == pytest.approx(sat.objective)
    assert len(flow.unassigned) == len(sat.unassigned)


# -- the aggregated model against a per-customer model ------------------------------------------


def per_customer_optimum(customers, managers, options):
    """(importance unserved, objective) of the plain model — one boolean per customer-manager
    pair, no aggregation — solved by CP-SAT with a lexicographic weighted objective."""
    from ortools.sat.python import cp_model

    workload = options["workload"] or {"A": 5, "B": 2, "C": 1}
    weight = {"A": 10, "B": 3, "C": 1}
    ids = {m.manager_id: m for m in managers}
    model = cp_model.CpModel()
    unserved, value, changes = [], [], []
    load = {m.manager_id: [] for m in managers}
    for c in customers:
        cur = ids.get(c.current_manager)
        if cur and options["region_rule"] == "hard" and not same_region(c.region, cur.region):
            cur = None
        row = {}
        for m in managers:
            if options["region_rule"] == "hard" and not same_region(c.region, m.region):
                continue
            row[m.manager_id] = x = model.new_bool_var("")
            load[m.manager_id].append(workload[c.tier] * x)
            gain = weight[c.tier] * m.grade * 100
            if not same_region(c.region, m.region):
                gain -= options["region_penalty"] * 100
            value.append(round(gain) * x)
        model.add(sum(row.values()) <= 1)
        unserved.append(weight[c.tier] * (1 - sum(row.values())))
        if cur is not None:
            moved = 1 - row[cur.manager_id] if cur.manager_id in row else 1
            changes.append(moved)
            value.append(-round(options["change_penalty"] * 100) * moved)
    for m in managers:
        model.add(sum(load[m.manager_id]) <= m.capacity)
    if options["max_changes"] is not None:
        model.add(sum(changes) <= options["max_changes"])
    model.maximize(-(10**9) * sum(unserved) + sum(value))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    if solver.solve(model) != cp_model.OPTIMAL:
        return None
    return solver.value(sum(unserved)), solver.value(sum(value)) / 100


@st.composite
def larger_instances(draw):
    n_mgr = draw(st.integers(1, 6))
    managers = [
        MatchManager(f"M{j}", draw(st.integers(0, 5)), draw(st.integers(0, 12)), draw(REGIONS))
        for j in range(n_mgr)
    ]
    customers = [
        MatchCustomer(
            f"c{i}",
            draw(st.sampled_from("ABC")),
            draw(REGIONS),
            draw(st.sampled_from([None, "gone"] + [m.manager_id for m in managers])),
        )
        for i in range(draw(st.integers(0, 14)))
    ]
    options = {
        "workload": draw(st.sampled_from([None, {"A": 3, "B": 2, "C": 1}])),
        "region_rule": draw(st.sampled_from(["hard", "penalised"])),
        "region_penalty": draw(st.sampled_from([0.0, 0.5, 4.0])),
        "change_penalty": draw(st.sampled_from([0.0, 1.5])),
        "max_changes": draw(st.sampled_from([None, 0, 1, 3])),
    }
    return customers, managers, options


@settings(max_examples=80, deadline=None)
@given(larger_instances(), st.sampled_from(["mip", "cp_sat"]))
def test_the_aggregated_solve_equals_the_per_customer_optimum_and_is_proven(instance, solver):
    customers, managers, options = instance
    result = match_account_managers(customers, managers, solver=solver, num_workers=1, **options)
    best = per_customer_optimum(customers, managers, options)
    if best is None:
        assert result.status == "infeasible"
        return
    assert result.optimal is True
    weight = {"A": 10, "B": 3, "C": 1}
    unserved = sum(weight[c.tier] for c in customers if result.assignments[c.customer_id] is None)
    assert (unserved, round(result.objective, 6)) == (best[0], pytest.approx(best[1]))
    if options["max_changes"] is not None:
        assert result.changes <= options["max_changes"]


def test_a_binding_change_cap_is_respected_across_regions_and_proven():
    # Every customer sits with the weak manager of its region; the strong ones have room for all.
    managers = [
        MatchManager("N-weak", 1, 40, "N"),
        MatchManager("N-strong", 4, 40, "N"),
        MatchManager("S-weak", 1, 40, "S"),
        MatchManager("S-strong", 2, 40, "S"),
    ]
    customers = [MatchCustomer(f"n{k}", "ABC"[k % 3], "N", "N-weak") for k in range(9)] + [
        MatchCustomer(f"s{k}", "ABC"[k % 3], "S", "S-weak") for k in range(9)
    ]
    result = match_account_managers(
        customers, managers, change_penalty=1, max_changes=4, num_workers=1
    )
    assert (result.solver, result.optimal, result.changes) == ("mip", True, 4)
    # the 4 moves with the most to gain: the three A customers of the north (10 × 3 − 1 each),
    # then an A of the south (10 × 1 − 1) beats a B of the north (3 × 3 − 1)
    moved = sorted(m.customer_id for m in result.moves)
    assert moved[:3] == ["n0", "n3", "n6"]
    assert moved[3] in {"s0", "s3", "s6"}
    assert result.objective == result.objective_before + 3 * 29 + 9
