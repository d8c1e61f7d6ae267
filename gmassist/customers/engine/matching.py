"""Optimal matching of group customers to account managers, solved exactly with OR-Tools.

Pure Python (no Django import). A selector builds the customer and manager records, this module
proposes who serves whom, a service turns the moves into one proposal.

**The problem.** Customer i has a tier (A/B/C), workload w_i (units, by tier: A 5, B 2, C 1 by
default), importance v_i (its own score, or the weight of its tier: A 10, B 3, C 1 by default,
so that an A customer counts more per unit of workload than a B, and a B more than a C), a region
and perhaps a current manager. Manager j has a grade g_j (any number, higher is better), a
capacity K_j in workload units and a region. Assigning i to j is worth v_i × g_j. Under the hard
region rule i may only go to a manager of its own region (a customer or manager without a region
matches any); under the penalised rule any pair is allowed and a pair across regions costs
`region_penalty`. Continuity: a customer moved away from its current manager costs
`change_penalty` (being left without a manager counts as a move), and at most `max_changes` such
moves are allowed per run. A move forced on us (the current manager has gone, or is outside the
customer's region under the hard rule) is neither penalised nor counted against the cap.

**Objective, lexicographic.** First serve as much importance as the capacities allow: minimise
Σ v_i over customers left unassigned (nothing is left unassigned when everything fits; when it
does not, the least important customers wait). Then maximise
value − region penalties − change penalties. Unassigned customers are listed in the result, never
raised as an exception.

**Integer scaling.** Both solvers need integers. A pair's value is rounded to
1/`OBJECTIVE_SCALE` (0.001) of the currency-free value unit, each penalty likewise, and
importance to 1/`IMPORTANCE_SCALE`, then divided by the gcd of all importances (tier weights
10, 3, 1 stay 10, 3, 1). "Proven optimal" is about this scaled objective; the reported objective
is recomputed in floating point from the final assignment, so it can differ from the best real
optimum by at most 0.0005 per customer.

**Aggregation (exact).** Customers with the same workload, importance, region and current manager
are interchangeable, so the models work on such classes with integer counts x[c, j] (how many of
class c go to manager j) instead of one variable per customer-manager pair; with tier weights
as importance this shrinks 20,000 customers to a few thousand classes.

**Min-cost flow** (`ortools.graph.python.min_cost_flow`) solves the problem exactly, and fast,
when every customer uses the same workload w and the change cap cannot bind (`max_changes` is
None or at least the number of customers with a current relationship): source → class c
(supply n_c) → manager j (cost −gain) → sink (capacity ⌊K_j / w⌋), plus class c → sink for the
unassigned (cost BIG × importance, BIG larger than any possible difference in the second
objective, which makes the objective lexicographic). Region rules and the change penalty are
arc costs or missing arcs; the network matrix is totally unimodular, so the optimum is integral.
What the network cannot say: (a) customers of different workloads sharing a capacity — a flow
would split an A customer's 5 units across managers (the generalised assignment problem, NP-hard);
(b) a cap on the number of changes, a side constraint across all customers that the value of a
pair (a product v_i × g_j) does not let us route through one shared bottleneck node.
**CP-SAT** (`ortools.sat.python.cp_model`) runs otherwise, on the same classes, in two phases
(first objective, then the second with the first fixed at its optimum), hinted with the current
assignment; `optimal` is True only when CP-SAT proves both phases optimal within `time_limit_s`.
"""

from __future__ import annotations

import math
import os
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from ortools.graph.python import min_cost_flow
from ortools.sat.python import cp_model

OBJECTIVE_SCALE = 1000
IMPORTANCE_SCALE = 1000
DEFAULT_WORKLOAD = {"A": 5, "B": 2, "C": 1}
DEFAULT_TIER_WEIGHTS = {"A": 10.0, "B": 3.0, "C": 1.0}
_INT_LIMIT = 2**62

Solver = Literal["auto", "min_cost_flow", "cp_sat"]


@dataclass(frozen=True)
class MatchCustomer:
    """A customer to place: `importance` None means the weight of its tier."""

    customer_id: Any
    tier: str
    region: str | None = None
    current_manager: Any = None
    importance: float | None = None


@dataclass(frozen=True)
class MatchManager:
    """An account manager: composite grade (higher is better), capacity in workload units."""

    manager_id: Any
    grade: float
    capacity: int
    region: str | None = None


@dataclass(frozen=True)
class Move:
    """One change of the proposal; `to_manager` None means left without a manager."""

    customer_id: Any
    from_manager: Any
    to_manager: Any
    why: str


@dataclass
class MatchResult:
    """The proposed assignment and how good it is.

    `objective` = value − region penalty − change penalty (`objective_parts`), of the proposed
    assignment; `objective_before` the same for the current relationships that are still
    possible. `optimal` is True when the solver proved it (min-cost flow always does). `status`
    is "optimal", "feasible" (time limit reached with a solution), "infeasible" (the change cap
    cannot be met; nothing changes) or "unknown" (no solution within the time limit).
    """

    assignments: dict[Any, Any]
    moves: list[Move]
    objective: float
    objective_parts: dict[str, float]
    optimal: bool
    status: str
    solver: str
    unassigned: list[Any]
    workload_before: dict[Any, int]
    workload_after: dict[Any, int]
    capacity: dict[Any, int]
    objective_before: float = 0.0
    changes: int = 0
    message: str = ""
    seconds: float = 0.0
    classes: int = 0
    stats: dict[str, Any] = field(default_factory=dict)


def _coerce(records: Iterable[Any], kind: type) -> list[Any]:
    return [r if isinstance(r, kind) else kind(**dict(r)) for r in records]


def _same_region(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a == b


@dataclass
class _Class:
    members: list[int]
    workload: int
    importance: float
    priority: int  # scaled importance / gcd, for the first objective
    region: str | None
    current: int | None  # manager index when the relationship may continue, else None
    arcs: dict[int, int]  # manager index -> gain (scaled integer)
    unassigned_gain: int


def match_account_managers(
    customers: Iterable[MatchCustomer | Mapping[str, Any]],
    managers: Iterable[MatchManager | Mapping[str, Any]],
    *,
    workload: Mapping[str, int] | None = None,
    tier_weights: Mapping[str, float] | None = None,
    region_rule: Literal["hard", "penalised"] = "hard",
    region_penalty: float = 0.0,
    change_penalty: float = 0.0,
    max_changes: int | None = None,
    time_limit_s: float = 30.0,
    solver: Solver = "auto",
    num_workers: int | None = None,
) -> MatchResult:
    """Assign customers to account managers; see the module docstring for the model.

    Inputs: `MatchCustomer` / `MatchManager` records (or mappings with their fields);
    `workload` units per tier; `tier_weights` importance per tier when a customer has none;
    `region_penalty` and `change_penalty` in value units (importance × grade) per customer;
    `max_changes` per run (None: no cap); `solver` "auto" picks min-cost flow when it is exact,
    else CP-SAT. Raises ValueError for bad input (unknown tier, duplicate ids, negative capacity,
    forcing "min_cost_flow" where it does not apply); capacity shortages are results.
    """
    started = time.perf_counter()
    workload = dict(DEFAULT_WORKLOAD if workload is None else workload)
    tier_weights = dict(DEFAULT_TIER_WEIGHTS if tier_weights is None else tier_weights)
    if region_rule not in ("hard", "penalised"):
        raise ValueError(f"region_rule must be 'hard' or 'penalised', got {region_rule!r}")
    if region_penalty < 0 or change_penalty < 0:
        raise ValueError("region_penalty and change_penalty must be at least 0")
    if max_changes is not None and max_changes < 0:
        raise ValueError("max_changes must be at least 0 or None")
    for tier, units in workload.items():
        if isinstance(units, bool) or not isinstance(units, int) or units < 1:
            raise ValueError(f"workload[{tier!r}] must be a whole number of units ≥ 1")
    custs = _coerce(customers, MatchCustomer)
    mgrs = _coerce(managers, MatchManager)
    m_index = {m.manager_id: j for j, m in enumerate(mgrs)}
    if len(m_index) != len(mgrs):
        raise ValueError("duplicate manager ids")
    if len({c.customer_id for c in custs}) != len(custs):
        raise ValueError("duplicate customer ids")
    for m in mgrs:
        if int(m.capacity) != m.capacity or m.capacity < 0:
            raise ValueError(f"manager {m.manager_id!r}: capacity must be a whole number ≥ 0")
        if not math.isfinite(m.grade):
            raise ValueError(f"manager {m.manager_id!r}: grade must be a number")

    units = []
    importance = []
    for c in custs:
        if c.tier not in workload:
            raise ValueError(f"customer {c.customer_id!r}: tier {c.tier!r} has no workload")
        units.append(workload[c.tier])
        imp = c.importance if c.importance is not None else tier_weights.get(c.tier)
        if imp is None or not math.isfinite(imp) or imp < 0:
            raise ValueError(f"customer {c.customer_id!r}: importance must be a number ≥ 0")
        importance.append(float(imp))

    pen_region = round(region_penalty * OBJECTIVE_SCALE)
    pen_change = round(change_penalty * OBJECTIVE_SCALE)
    imp_scaled = [round(v * IMPORTANCE_SCALE) for v in importance]
    divisor = math.gcd(*imp_scaled) if any(imp_scaled) else 1

    by_region: dict[str | None, list[int]] = defaultdict(list)
    for j, m in enumerate(mgrs):
        by_region[m.region].append(j)
    anywhere = by_region.get(None, [])

    def candidates(region: str | None) -> list[int]:
        if region_rule == "penalised" or region is None:
            return list(range(len(mgrs)))
        return sorted(by_region.get(region, []) + anywhere) if region in by_region else anywhere

    # Classes of interchangeable customers.
    classes: dict[tuple, _Class] = {}
    forced = 0
    for i, c in enumerate(custs):
        cur = m_index.get(c.current_manager) if c.current_manager is not None else None
        if (
            cur is not None
            and region_rule == "hard"
            and not _same_region(c.region, mgrs[cur].region)
        ):
            cur = None
        if c.current_manager is not None and cur is None:
            forced += 1
        key = (units[i], importance[i], c.region, cur)
        cls = classes.get(key)
        if cls is None:
            cls = _Class(
                [],
                units[i],
                importance[i],
                imp_scaled[i] // divisor,
                c.region,
                cur,
                {},
                -pen_change if cur is not None else 0,
            )
            for j in candidates(c.region):
                if mgrs[j].capacity < units[i]:
                    continue
                gain = round(importance[i] * mgrs[j].grade * OBJECTIVE_SCALE)
                if not _same_region(c.region, mgrs[j].region):
                    gain -= pen_region
                if cur is not None and j != cur:
                    gain -= pen_change
                cls.arcs[j] = gain
            classes[key] = cls
        cls.members.append(i)
    class_list = list(classes.values())
    continuing = sum(len(c.members) for c in class_list if c.current is not None)

    uniform = len({c.workload for c in class_list}) <= 1
    cap_binds = max_changes is not None and max_changes < continuing
    flow_ok = uniform and not cap_binds
    if solver == "min_cost_flow" and not flow_ok:
        raise ValueError(
            "min-cost flow does not apply: "
            + ("customers use different workloads" if not uniform else "the change cap binds")
        )
    use_flow = solver == "min_cost_flow" or (solver == "auto" and flow_ok)
    counts: list[dict[int, int]] | None = None
    stats: dict[str, Any] = {}
    status = "optimal"
    message = ""
    if use_flow:
        counts = _solve_flow(class_list, mgrs)
        if counts is None and solver == "min_cost_flow":
            raise ValueError("min-cost flow does not apply: the costs overflow 64-bit integers")
        use_flow = counts is not None
    if not use_flow:
        counts, status, message, stats = _solve_cp_sat(
            class_list, mgrs, max_changes, continuing, time_limit_s, num_workers
        )

    return _result(
        custs,
        mgrs,
        units,
        importance,
        class_list,
        counts,
        status,
        message,
        "min_cost_flow" if use_flow else "cp_sat",
        region_rule,
        region_penalty,
        change_penalty,
        m_index,
        started,
        stats,
    )


def _solve_flow(class_list: list[_Class], mgrs: list[MatchManager]) -> list[dict[int, int]] | None:
    """Min-cost flow on the classes; None when the lexicographic costs would overflow."""
    n_total = sum(len(c.members) for c in class_list)
    spread = 0
    for c in class_list:
        gains = [*c.arcs.values(), c.unassigned_gain]
        spread += len(c.members) * (max(gains) - min(gains))
    big = spread + 1
    worst = max((big * c.priority + abs(c.unassigned_gain) for c in class_list), default=0)
    worst = max([worst, *(abs(g) for c in class_list for g in c.arcs.values())])
    if worst * max(n_total, 1) >= _INT_LIMIT:
        return None
    w = class_list[0].workload if class_list else 1
    n_cls, n_mgr = len(class_list), len(mgrs)
    sink = n_cls + n_mgr
    tails, heads, caps, costs = [], [], [], []
    for ci, c in enumerate(class_list):
        size = len(c.members)
        for j, gain in c.arcs.items():
            tails.append(ci)
            heads.append(n_cls + j)
            caps.append(size)
            costs.append(-gain)
        tails.append(ci)
        heads.append(sink)
        caps.append(size)
        costs.append(big * c.priority - c.unassigned_gain)
    first_manager_arc = len(tails)
    for j, m in enumerate(mgrs):
        tails.append(n_cls + j)
        heads.append(sink)
        caps.append(int(m.capacity) // w)
        costs.append(0)
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        np.array(tails, dtype=np.int32),
        np.array(heads, dtype=np.int32),
        np.array(caps, dtype=np.int64),
        np.array(costs, dtype=np.int64),
    )
    supplies = np.zeros(sink + 1, dtype=np.int64)
    for ci, c in enumerate(class_list):
        supplies[ci] = len(c.members)
    supplies[sink] = -n_total
    flow.set_nodes_supplies(np.arange(sink + 1, dtype=np.int32), supplies)
    if flow.solve() != flow.OPTIMAL:  # cannot happen: the unassigned arcs make it feasible
        raise RuntimeError("min-cost flow failed on a feasible network")
    flows = flow.flows(np.arange(first_manager_arc, dtype=np.int32))
    counts: list[dict[int, int]] = []
    k = 0
    for c in class_list:
        got: dict[int, int] = {}
        for j in c.arcs:
            if flows[k]:
                got[j] = int(flows[k])
            k += 1
        k += 1  # the unassigned arc
        counts.append(got)
    return counts


def _solve_cp_sat(
    class_list: list[_Class],
    mgrs: list[MatchManager],
    max_changes: int | None,
    continuing: int,
    time_limit_s: float,
    num_workers: int | None,
) -> tuple[list[dict[int, int]], str, str, dict[str, Any]]:
    """CP-SAT on the classes, in two phases; returns counts, status, a message and stats."""
    stats: dict[str, Any] = {}
    deadline = time.perf_counter() + time_limit_s
    model = cp_model.CpModel()
    xs: list[dict[int, cp_model.IntVar]] = []
    us: list[cp_model.IntVar] = []
    load: dict[int, list] = defaultdict(list)
    for ci, c in enumerate(class_list):
        size = len(c.members)
        row = {}
        for j in c.arcs:
            ub = min(size, int(mgrs[j].capacity) // c.workload)
            if ub > 0:
                row[j] = model.new_int_var(0, ub, f"x{ci}_{j}")
                load[j].append((c.workload, ub, row[j]))
        u = model.new_int_var(0, size, f"u{ci}")
        model.add(sum(row.values()) + u == size)
        xs.append(row)
        us.append(u)
    # Hint: a greedy assignment (current relationships first, then the most important classes
    # to the best remaining pair), so CP-SAT starts from a complete solution.
    left = {j: int(m.capacity) for j, m in enumerate(mgrs)}
    greedy = [dict.fromkeys(row, 0) for row in xs]
    for ci, c in enumerate(class_list):
        if c.current is not None and c.current in xs[ci]:
            k = min(len(c.members), left[c.current] // c.workload)
            greedy[ci][c.current] = k
            left[c.current] -= k * c.workload
    for ci in sorted(range(len(class_list)), key=lambda k: -class_list[k].priority):
        c = class_list[ci]
        todo = len(c.members) - sum(greedy[ci].values())
        for j in sorted(xs[ci], key=lambda j: -c.arcs[j]):
            if todo <= 0:
                break
            k = min(todo, left[j] // c.workload)
            greedy[ci][j] += k
            left[j] -= k * c.workload
            todo -= k
    for ci, row in enumerate(xs):
        for j, var in row.items():
            model.add_hint(var, greedy[ci][j])
        model.add_hint(us[ci], len(class_list[ci].members) - sum(greedy[ci].values()))
    for j, terms in load.items():
        # proto.domain[-1] is not the upper bound in this binding: keep our own.
        if sum(wl * ub for wl, ub, _ in terms) > mgrs[j].capacity:
            model.add(sum(wl * v for wl, _, v in terms) <= int(mgrs[j].capacity))
    if max_changes is not None and max_changes < continuing:
        stays = [
            xs[ci][c.current]
            for ci, c in enumerate(class_list)
            if c.current is not None and c.current in xs[ci]
        ]
        model.add(sum(stays) >= continuing - max_changes)

    def run(limit: float) -> tuple[cp_model.CpSolver, Any]:
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(limit, 0.5)
        solver.parameters.num_workers = num_workers or min(8, os.cpu_count() or 1)
        return solver, solver.solve(model)

    unserved = sum(c.priority * u for c, u in zip(class_list, us, strict=True))
    model.minimize(unserved)
    solver, status = run(deadline - time.perf_counter())
    stats["phase1"] = (solver.status_name(status), round(solver.wall_time, 2))
    if status == cp_model.INFEASIBLE:
        message = (
            f"no assignment keeps to at most {max_changes} changes: the current books do not "
            "fit the capacities without more moves"
        )
        return [], "infeasible", message, stats
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return [], "unknown", f"no solution found within {time_limit_s:g} s", stats
    proven = status == cp_model.OPTIMAL
    best_unserved = round(solver.objective_value)
    model.clear_hints()
    for row, u in zip(xs, us, strict=True):
        for var in row.values():
            model.add_hint(var, solver.value(var))
        model.add_hint(u, solver.value(u))
    model.add(unserved <= best_unserved)
    gain = sum(
        c.arcs[j] * var for c, row in zip(class_list, xs, strict=True) for j, var in row.items()
    ) + sum(c.unassigned_gain * u for c, u in zip(class_list, us, strict=True))
    model.maximize(gain)
    solver2, status2 = run(deadline - time.perf_counter())
    stats["phase2"] = (
        solver2.status_name(status2),
        round(solver2.wall_time, 2),
        solver2.objective_value / OBJECTIVE_SCALE,
        solver2.best_objective_bound / OBJECTIVE_SCALE,
    )
    if status2 in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        solver, proven = solver2, proven and status2 == cp_model.OPTIMAL
    else:
        proven = False  # keep phase one's assignment, which is feasible
    counts = [
        {j: int(solver.value(var)) for j, var in row.items() if solver.value(var)} for row in xs
    ]
    return counts, "optimal" if proven else "feasible", "", stats


def _why(
    c: MatchCustomer, to: MatchManager | None, frm: MatchManager | None, forced: str, short: str
) -> str:
    if to is None:
        return f"left without a manager: {short}"
    if c.current_manager is None:
        return f"had no account manager; {to.manager_id} has grade {to.grade:g}"
    if forced:
        return f"{forced}; {to.manager_id} has grade {to.grade:g}"
    assert frm is not None
    if not _same_region(c.region, frm.region) and _same_region(c.region, to.region):
        return f"back to a manager in the customer's region ({c.region})"
    if to.grade > frm.grade:
        return f"a better-graded manager: {to.grade:g} instead of {frm.grade:g}"
    return f"frees capacity at {frm.manager_id} for more important customers"


def _result(
    custs: list[MatchCustomer],
    mgrs: list[MatchManager],
    units: list[int],
    importance: list[float],
    class_list: list[_Class],
    counts: list[dict[int, int]],
    status: str,
    message: str,
    solver: str,
    region_rule: str,
    region_penalty: float,
    change_penalty: float,
    m_index: dict[Any, int],
    started: float,
    stats: dict[str, Any],
) -> MatchResult:
    current = [
        m_index.get(c.current_manager) if c.current_manager is not None else None for c in custs
    ]
    assigned: list[int | None]
    if status in ("infeasible", "unknown"):
        assigned = list(current)  # nothing changes
    else:
        assigned = [None] * len(custs)
        for c, got in zip(class_list, counts, strict=True):
            members = iter(c.members)
            order = sorted(got, key=lambda j: (j != c.current, j))  # the stayers first
            for j in order:
                for _ in range(got[j]):
                    assigned[next(members)] = j
    capacity = {m.manager_id: int(m.capacity) for m in mgrs}
    before = dict.fromkeys(capacity, 0)
    after = dict.fromkeys(capacity, 0)
    value = region_cost = value_before = region_before = 0.0
    changes = 0
    moves: list[Move] = []
    for i, c in enumerate(custs):
        cur, to = current[i], assigned[i]
        if cur is not None:
            before[mgrs[cur].manager_id] += units[i]
            ok = region_rule == "penalised" or _same_region(c.region, mgrs[cur].region)
            if ok:
                value_before += importance[i] * mgrs[cur].grade
                if not _same_region(c.region, mgrs[cur].region):
                    region_before += region_penalty
        if to is not None:
            after[mgrs[to].manager_id] += units[i]
            value += importance[i] * mgrs[to].grade
            if not _same_region(c.region, mgrs[to].region):
                region_cost += region_penalty
    for i, c in enumerate(custs):
        cur, to = current[i], assigned[i]
        to_id = mgrs[to].manager_id if to is not None else None
        if to_id == c.current_manager:
            continue
        forced = ""
        if c.current_manager is not None and cur is None:
            forced = f"current manager {c.current_manager} is no longer available"
        elif (
            cur is not None
            and region_rule == "hard"
            and not _same_region(c.region, mgrs[cur].region)
        ):
            forced = f"current manager {c.current_manager} is outside the region {c.region}"
        elif cur is not None:
            changes += 1
        short = (
            f"not enough capacity in region {c.region}"
            if region_rule == "hard" and c.region is not None
            else "not enough capacity"
        )
        if to is None and forced:
            short = f"{forced}; {short}"
        moves.append(
            Move(
                c.customer_id,
                c.current_manager,
                to_id,
                _why(
                    c,
                    mgrs[to] if to is not None else None,
                    mgrs[cur] if cur is not None else None,
                    forced,
                    short,
                ),
            )
        )
    change_cost = changes * change_penalty
    unassigned = [c.customer_id for c, to in zip(custs, assigned, strict=True) if to is None]
    if unassigned and not message:
        message = f"{len(unassigned)} customer(s) left without a manager: not enough capacity"
    return MatchResult(
        assignments={
            c.customer_id: (mgrs[to].manager_id if to is not None else None)
            for c, to in zip(custs, assigned, strict=True)
        },
        moves=moves,
        objective=value - region_cost - change_cost,
        objective_parts={
            "value": value,
            "region_penalty": region_cost,
            "change_penalty": change_cost,
        },
        optimal=status == "optimal",
        status=status,
        solver=solver,
        unassigned=unassigned,
        workload_before=before,
        workload_after=after,
        capacity=capacity,
        objective_before=value_before - region_before,
        changes=changes,
        message=message,
        seconds=time.perf_counter() - started,
        classes=len(class_list),
        stats=stats,
    )
