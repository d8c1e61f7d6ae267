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

**Aggregation (exact).** A pool holds the customers of one workload, importance and region:
they are interchangeable, so the model counts how many of a pool go to each manager (z[p, j])
instead of deciding each customer-manager pair. A customer whose relationship may continue also
belongs to a stay class (pool, current manager): s[c] of them stay (worth the pool's gain at
that manager), the other n_c − s[c] move into the pool at `change_penalty` each and count
against the cap. A path class → pool → manager is worth exactly what a direct arc would be
(gain − change penalty), so one arc per class replaces one per manager: at tier L (447,650
customers, 5,000 managers, 8 regions, hard rule) that is 24 pools × their region's managers =
15,000 arcs plus 15,000 stay classes, instead of 15,000 classes × ~600 managers. When moving
costs nothing and no cap binds, relationships do not change the objective and every customer is
simply in its pool. No arc is pruned, so nothing is lost. Disaggregation is deterministic: the
first members of a stay class stay; a pool's places at manager j go first to customers whose
current manager is j (never worse), then in input order.

**Min-cost flow** (`ortools.graph.python.min_cost_flow`) solves it exactly when every customer
uses the same workload w and the change cap cannot bind: stay class → its manager (−gain) or →
its pool (change penalty); pool → manager (−gain) or → sink unassigned (BIG × priority, BIG
larger than any difference in the second objective, so the costs are lexicographic); manager →
sink (capacity ⌊K_j / w⌋). The network matrix is totally unimodular, so the optimum is integral.
What a network cannot say: customers of different workloads sharing a capacity in units (a flow
would split an A customer's 5 units; the knapsack side makes it NP-hard in general) and the cap
on the number of changes (one side constraint across everything).

**MIP** (SCIP, in the ortools wheel, through `pywraplp`) runs otherwise on the same aggregated
variables — integer s, z and u (unassigned per pool), pool balance, capacity in units, the cap
as Σ (n_c − s[c]) ≤ max_changes — in two phases: the least importance unserved (skipped when a
greedy start already serves everyone within the cap), then the best value with that fixed. The
value coefficients are divided by their gcd, so the objective is integral and a bound within 1
of the solution proves it; `optimal` is True only when both phases are proven within
`time_limit_s`. Without a binding cap, parts of the model that share no manager (the regions
under the hard rule) are solved one after the other, each small. `solver="cp_sat"` runs CP-SAT
on the same model (a cross-check on small cases). `stats["phase2"]` holds (status, seconds,
solution, bound) in value units.
"""

from __future__ import annotations

import math
import os
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
from ortools.graph.python import min_cost_flow
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from gmassist.customers.reasons import Reason
from gmassist.lib.normalize import gettext_noop

OBJECTIVE_SCALE = 1000
IMPORTANCE_SCALE = 1000
DEFAULT_WORKLOAD = {"A": 5, "B": 2, "C": 1}
DEFAULT_TIER_WEIGHTS = {"A": 10.0, "B": 3.0, "C": 1.0}
_INT_LIMIT = 2**62

Solver = Literal["auto", "min_cost_flow", "mip", "cp_sat"]


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
    # the reasons, in order; a param named `manager`, `from_manager` or `to_manager` holds a
    # manager id, which the service replaces with the manager's name before storing
    why: tuple[Reason, ...]

    @property
    def why_text(self) -> str:
        """The reasons in English, joined ("a better-graded manager: 3 instead of 1")."""
        return "; ".join(str(reason) for reason in self.why)


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
class _Pool:
    """Customers of one workload, importance and region, placed anywhere they may go."""

    workload: int
    importance: float
    priority: int  # scaled importance / gcd, for the first objective
    region: str | None
    free: list[int]  # customer indices without a relationship that counts (none, gone, forced)
    arcs: dict[int, int]  # manager index -> gain (scaled integer), managers with room for one
    stays: list[int] = field(default_factory=list)  # indices of the _Stay classes of this pool


@dataclass
class _Stay:
    """Customers of one pool with the same current manager: they stay, or move into the pool
    at `change_penalty` each (and count against the cap)."""

    pool: int
    manager: int
    members: list[int]
    gain: int | None  # gain of staying; None when the manager has no room for even one


@dataclass
class _Model:
    pools: list[_Pool]
    stays: list[_Stay]
    pen_change: int
    max_changes: int | None  # only when it can bind
    n_managers: int
    capacity: list[int]


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
    `max_changes` per run (None: no cap); `time_limit_s` seconds for the whole solve;
    `solver` "auto" picks min-cost flow when it is exact, else the MIP (SCIP); "cp_sat" runs
    CP-SAT on the same aggregated model (a cross-check). Raises ValueError for bad input
    (unknown tier, duplicate ids, negative capacity, forcing "min_cost_flow" where it does not
    apply); capacity shortages are results.
    """
    started = time.perf_counter()
    workload = dict(DEFAULT_WORKLOAD if workload is None else workload)
    tier_weights = dict(DEFAULT_TIER_WEIGHTS if tier_weights is None else tier_weights)
    _check_options(workload, region_rule, region_penalty, change_penalty, max_changes, solver)
    custs = _coerce(customers, MatchCustomer)
    mgrs = _coerce(managers, MatchManager)
    m_index = _manager_index(custs, mgrs)
    units, importance = _units_and_importance(custs, workload, tier_weights)
    problem = _Problem(
        custs, mgrs, m_index, units, importance, region_rule, region_penalty, change_penalty
    )
    current = problem.continuing()
    continuing = sum(cur is not None for cur in current)
    cap_binds = max_changes is not None and max_changes < continuing
    model = _build(
        mgrs,
        units,
        importance,
        [c.region for c in custs],
        current,
        region_rule=region_rule,
        pen_region=round(region_penalty * OBJECTIVE_SCALE),
        pen_change=round(change_penalty * OBJECTIVE_SCALE),
        max_changes=max_changes if cap_binds else None,
    )
    counts, status, message, used, stats = _solve(
        model,
        solver=solver,
        cap_binds=cap_binds,
        time_limit_s=time_limit_s,
        num_workers=num_workers,
        max_changes=max_changes,
    )
    if status in ("infeasible", "unknown"):
        assigned = problem.current()  # nothing changes
    else:
        assigned = _disaggregate(model, counts, current, len(custs))
    return _result(
        problem,
        assigned,
        status=status,
        message=message,
        solver=used,
        started=started,
        n_classes=len(model.pools) + len(model.stays),
        stats=stats,
    )


@dataclass(frozen=True)
class _Problem:
    """The checked input of one matching, by index: customers, managers (`m_index`: manager
    id -> index), each customer's workload units and importance, and the rules."""

    custs: list[MatchCustomer]
    mgrs: list[MatchManager]
    m_index: dict[Any, int]
    units: list[int]
    importance: list[float]
    region_rule: str
    region_penalty: float
    change_penalty: float

    def current(self) -> list[int | None]:
        """Each customer's current manager (index); None when none, or gone."""
        return [
            self.m_index.get(c.current_manager) if c.current_manager is not None else None
            for c in self.custs
        ]

    def continuing(self) -> list[int | None]:
        """The relationship that may continue: None when there is none, the manager has gone,
        or (hard rule) the manager is outside the customer's region: such moves are free."""
        current = self.current()
        if self.region_rule == "hard":
            for i, c in enumerate(self.custs):
                cur = current[i]
                if cur is not None and not _same_region(c.region, self.mgrs[cur].region):
                    current[i] = None
        return current


def _check_options(
    workload: dict[str, int],
    region_rule: str,
    region_penalty: float,
    change_penalty: float,
    max_changes: int | None,
    solver: str,
) -> None:
    """ValueError for an option out of its range."""
    if region_rule not in ("hard", "penalised"):
        raise ValueError(f"region_rule must be 'hard' or 'penalised', got {region_rule!r}")
    if region_penalty < 0 or change_penalty < 0:
        raise ValueError("region_penalty and change_penalty must be at least 0")
    if max_changes is not None and max_changes < 0:
        raise ValueError("max_changes must be at least 0 or None")
    if solver not in ("auto", "min_cost_flow", "mip", "cp_sat"):
        raise ValueError(f"solver must be auto, min_cost_flow, mip or cp_sat, got {solver!r}")
    for tier, tier_units in workload.items():
        if isinstance(tier_units, bool) or not isinstance(tier_units, int) or tier_units < 1:
            raise ValueError(f"workload[{tier!r}] must be a whole number of units ≥ 1")


def _manager_index(custs: list[MatchCustomer], mgrs: list[MatchManager]) -> dict[Any, int]:
    """Manager id -> index; ValueError for duplicate ids, a bad capacity or grade."""
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
    return m_index


def _units_and_importance(
    custs: list[MatchCustomer], workload: dict[str, int], tier_weights: dict[str, float]
) -> tuple[list[int], list[float]]:
    """Each customer's workload units (by tier) and importance (its own, else its tier's
    weight); ValueError for a tier without a workload or an importance that is no number ≥ 0."""
    units: list[int] = []
    importance: list[float] = []
    for c in custs:
        if c.tier not in workload:
            raise ValueError(f"customer {c.customer_id!r}: tier {c.tier!r} has no workload")
        units.append(workload[c.tier])
        imp = c.importance if c.importance is not None else tier_weights.get(c.tier)
        if imp is None or not math.isfinite(imp) or imp < 0:
            raise ValueError(f"customer {c.customer_id!r}: importance must be a number ≥ 0")
        importance.append(float(imp))
    return units, importance


Counts = tuple[list[int], dict[tuple[int, int], int], list[int]]
"""A solution of the aggregated model: stayers per stay class, customers per (pool, manager),
unassigned per pool."""


def _solve(
    model: _Model,
    *,
    solver: str,
    cap_binds: bool,
    time_limit_s: float,
    num_workers: int | None,
    max_changes: int | None,
) -> tuple[Counts, str, str, str, dict[str, Any]]:
    """Min-cost flow when it is exact (one workload, no binding cap) and allowed, else the
    integer programme: (counts, status, message, the solver used, stats)."""
    uniform = len({p.workload for p in model.pools}) <= 1
    flow_ok = uniform and not cap_binds
    if solver == "min_cost_flow" and not flow_ok:
        raise ValueError(
            "min-cost flow does not apply: "
            + ("customers use different workloads" if not uniform else "the change cap binds")
        )
    stats: dict[str, Any] = {
        "pools": len(model.pools),
        "stay_classes": len(model.stays),
        "arcs": sum(len(p.arcs) for p in model.pools),
    }
    if solver in ("auto", "min_cost_flow") and flow_ok:
        counts = _solve_flow(model)
        if counts is not None:
            return counts, "optimal", "", "min_cost_flow", stats
        if solver == "min_cost_flow":
            raise ValueError("min-cost flow does not apply: the costs overflow 64-bit integers")
    used = "cp_sat" if solver == "cp_sat" else "mip"
    counts, status, message = _solve_linear(
        model, used, time_limit_s, num_workers, stats, max_changes
    )
    return counts, status, message, used, stats


def _build(
    mgrs: list[MatchManager],
    units: list[int],
    importance: list[float],
    regions: list[str | None],
    current: list[int | None],
    *,
    region_rule: str,
    pen_region: int,
    pen_change: int,
    max_changes: int | None,
) -> _Model:
    """The aggregated model: pools of interchangeable customers and their stay classes.

    A customer with a relationship that may continue belongs to a stay class (pool, manager);
    staying is worth the pool's gain at that manager, moving costs `pen_change` and puts the
    customer into the pool, from which it goes to any allowed manager like a customer without a
    relationship. Every path class → pool → manager is worth exactly gain − pen_change, as a
    direct arc would be, so the model is exact with one arc per class instead of one per
    manager. When moving costs nothing and no cap binds, the relationship does not change the
    objective: every customer is free (the disaggregation still keeps relationships first).
    """
    imp_scaled = [round(v * IMPORTANCE_SCALE) for v in importance]
    divisor = math.gcd(*imp_scaled) if any(imp_scaled) else 1
    keep_relationships = pen_change > 0 or max_changes is not None
    by_region: dict[str | None, list[int]] = defaultdict(list)
    for j, m in enumerate(mgrs):
        by_region[m.region].append(j)
    anywhere = by_region.get(None, [])

    def candidates(region: str | None) -> list[int]:
        if region_rule == "penalised" or region is None:
            return list(range(len(mgrs)))
        return sorted(by_region.get(region, []) + anywhere) if region in by_region else anywhere

    pools: dict[tuple[int, float, str | None], int] = {}
    pool_list: list[_Pool] = []
    stays: dict[tuple[int, int], int] = {}
    stay_list: list[_Stay] = []
    for i in range(len(units)):
        key = (units[i], importance[i], regions[i])
        p = pools.get(key)
        if p is None:
            arcs = {}
            for j in candidates(regions[i]):
                if mgrs[j].capacity < units[i]:
                    continue
                gain = round(importance[i] * mgrs[j].grade * OBJECTIVE_SCALE)
                if not _same_region(regions[i], mgrs[j].region):
                    gain -= pen_region
                arcs[j] = gain
            p = pools[key] = len(pool_list)
            pool_list.append(
                _Pool(units[i], importance[i], imp_scaled[i] // divisor, regions[i], [], arcs)
            )
        cur = current[i]
        if cur is None or not keep_relationships:
            pool_list[p].free.append(i)
            continue
        s = stays.get((p, cur))
        if s is None:
            s = stays[(p, cur)] = len(stay_list)
            stay_list.append(_Stay(p, cur, [], pool_list[p].arcs.get(cur)))
            pool_list[p].stays.append(s)
        stay_list[s].members.append(i)
    return _Model(
        pool_list,
        stay_list,
        pen_change if keep_relationships else 0,
        max_changes,
        len(mgrs),
        [int(m.capacity) for m in mgrs],
    )


def _solve_flow(model: _Model) -> Counts | None:
    """Min-cost flow on the aggregated network (one workload, no binding cap); None when the
    lexicographic costs would overflow 64-bit integers."""
    big = _flow_big(model)
    if big is None:
        return None
    network = _FlowNetwork(model, big)
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        np.array(network.tails, dtype=np.int32),
        np.array(network.heads, dtype=np.int32),
        np.array(network.caps, dtype=np.int64),
        np.array(network.costs, dtype=np.int64),
    )
    flow.set_nodes_supplies(np.arange(network.sink + 1, dtype=np.int32), network.supplies())
    if flow.solve() != flow.OPTIMAL:  # cannot happen: the unassigned arcs make it feasible
        raise RuntimeError("min-cost flow failed on a feasible network")
    flows = flow.flows(np.arange(len(network.tails), dtype=np.int32)).tolist()
    return network.counts(flows)


def _pool_size(model: _Model, p: _Pool) -> int:
    """The customers of pool `p`: free ones, and every member of its stay classes."""
    return len(p.free) + sum(len(model.stays[s].members) for s in p.stays)


def _flow_big(model: _Model) -> int | None:
    """The cost of leaving one unit of priority unassigned: BIG exceeds any difference in
    the second objective, which makes the costs lexicographic; None when the costs would
    overflow 64-bit integers."""
    pools = model.pools
    n_total = sum(len(p.free) for p in pools) + sum(len(s.members) for s in model.stays)
    spread = 0
    for p in pools:
        gains = [0, *p.arcs.values()]
        spread += _pool_size(model, p) * (max(gains) - min(gains) + model.pen_change)
    big = spread + 1
    worst = max((big * p.priority for p in pools), default=0) + spread
    if worst * max(n_total, 1) >= _INT_LIMIT:
        return None
    return big


class _FlowNetwork:
    """The network: nodes are pools (0..), stay classes, managers, then the sink; arcs in this
    order: per stay class, into its pool and (when it has room) to its manager; per pool, to
    each allowed manager and to the sink (unassigned, at BIG × priority); per manager, to the
    sink (capacity in customers of the one workload)."""

    def __init__(self, model: _Model, big: int):
        self.model = model
        pools, stays = model.pools, model.stays
        w = pools[0].workload if pools else 1
        n_p, n_s, n_m = len(pools), len(stays), model.n_managers
        self.sink = n_p + n_s + n_m
        self.tails: list[int] = []
        self.heads: list[int] = []
        self.caps: list[int] = []
        self.costs: list[int] = []
        for si, s in enumerate(stays):
            size = len(s.members)
            self._arc(n_p + si, s.pool, size, model.pen_change)  # move into the pool
            if s.gain is not None:
                self._arc(n_p + si, n_p + n_s + s.manager, size, -s.gain)
        self.first_pool_arc = len(self.tails)
        for pi, p in enumerate(pools):
            size = _pool_size(model, p)
            for j, gain in p.arcs.items():
                self._arc(pi, n_p + n_s + j, size, -gain)
            self._arc(pi, self.sink, size, big * p.priority)
        for j in range(n_m):
            self._arc(n_p + n_s + j, self.sink, model.capacity[j] // w, 0)

    def _arc(self, tail: int, head: int, capacity: int, cost: int) -> None:
        self.tails.append(tail)
        self.heads.append(head)
        self.caps.append(capacity)
        self.costs.append(cost)

    def supplies(self) -> np.ndarray:
        """Each pool supplies its free customers, each stay class its members; the sink
        takes them all."""
        pools, stays = self.model.pools, self.model.stays
        supplies = np.zeros(self.sink + 1, dtype=np.int64)
        for pi, p in enumerate(pools):
            supplies[pi] = len(p.free)
        for si, s in enumerate(stays):
            supplies[len(pools) + si] = len(s.members)
        supplies[self.sink] = -(
            sum(len(p.free) for p in pools) + sum(len(s.members) for s in stays)
        )
        return supplies

    def counts(self, flows: list[int]) -> Counts:
        """The solution read back from the flow on each arc (in the order they were added)."""
        stayed = []
        k = 0
        for s in self.model.stays:
            k += 1
            if s.gain is not None:
                stayed.append(int(flows[k]))
                k += 1
            else:
                stayed.append(0)
        assert k == self.first_pool_arc
        placed: dict[tuple[int, int], int] = {}
        unassigned = []
        for pi, p in enumerate(self.model.pools):
            for j in p.arcs:
                if flows[k]:
                    placed[(pi, j)] = int(flows[k])
                k += 1
            unassigned.append(int(flows[k]))
            k += 1
        return stayed, placed, unassigned


def _greedy(model: _Model) -> tuple[list[int], dict[tuple[int, int], int], list[int]]:
    """A feasible start: relationships kept where they fit (all of them when the cap binds,
    which may break the cap: then it is only a hint), then the most important pools first, each
    to its best remaining managers."""
    left = list(model.capacity)
    stayed = []
    for s in model.stays:
        w = model.pools[s.pool].workload
        k = min(len(s.members), left[s.manager] // w) if s.gain is not None else 0
        stayed.append(k)
        left[s.manager] -= k * w
    placed: dict[tuple[int, int], int] = {}
    unassigned = [0] * len(model.pools)
    for pi in sorted(range(len(model.pools)), key=lambda k: -model.pools[k].priority):
        p = model.pools[pi]
        todo = len(p.free) + sum(len(model.stays[s].members) - stayed[s] for s in p.stays)
        for j in sorted(p.arcs, key=lambda j: -p.arcs[j]):
            if todo <= 0:
                break
            k = min(todo, left[j] // p.workload)
            if k:
                placed[(pi, j)] = k
                left[j] -= k * p.workload
                todo -= k
        unassigned[pi] = todo
    return stayed, placed, unassigned


def _components(model: _Model) -> list[tuple[list[int], list[int]]]:
    """(pools, stay classes) of the parts of the model that share no manager: each can be
    solved alone when no change cap ties them together (the hard region rule splits by
    region)."""
    parent = list(range(len(model.pools) + model.n_managers))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    off = len(model.pools)
    for pi, p in enumerate(model.pools):
        for j in p.arcs:
            a, b = find(pi), find(off + j)
            if a != b:
                parent[a] = b
    for s in model.stays:
        a, b = find(s.pool), find(off + s.manager)
        if a != b:
            parent[a] = b
    groups: dict[int, tuple[list[int], list[int]]] = {}
    for pi in range(len(model.pools)):
        groups.setdefault(find(pi), ([], []))[0].append(pi)
    for si, s in enumerate(model.stays):
        groups[find(s.pool)][1].append(si)
    return list(groups.values())


def _solve_linear(
    model: _Model,
    backend: str,
    time_limit_s: float,
    num_workers: int | None,
    stats: dict[str, Any],
    max_changes: int | None,
) -> tuple[tuple[list[int], dict[tuple[int, int], int], list[int]], str, str]:
    """The aggregated model as an integer programme (SCIP, or CP-SAT), in two phases: first
    the least importance left unserved, then the best value with that fixed. Components that
    share no manager are solved one by one (unless a change cap ties them). A cap is first
    dropped: when the optimum without it, proven, keeps to the cap, it is the optimum with it
    (a relaxation's optimum that is feasible); only otherwise is the whole model solved with
    the cap. Returns counts, status and a message."""
    deadline = time.perf_counter() + time_limit_s
    if model.max_changes is not None:
        relaxed_stats: dict[str, Any] = {}
        counts, status, message = _solve_linear(
            replace(model, max_changes=None),
            backend,
            time_limit_s,
            num_workers,
            relaxed_stats,
            None,
        )
        changes = sum(len(s.members) - k for s, k in zip(model.stays, counts[0], strict=True))
        if status == "optimal" and changes <= model.max_changes:
            stats.update(relaxed_stats, cap_binds=False)
            return counts, status, message
        stats["cap_binds"] = True
        time_limit_s = max(deadline - time.perf_counter(), 0.5)
        deadline = time.perf_counter() + time_limit_s
    stayed, placed, unassigned = _greedy(model)
    parts = (
        [(list(range(len(model.pools))), list(range(len(model.stays))))]
        if model.max_changes is not None
        else _components(model)
    )
    parts.sort(key=lambda part: -sum(len(model.pools[p].arcs) for p in part[0]))
    stats["components"] = len(parts)
    proven = True
    objective = bound = 0.0
    phases: list[tuple[str, float]] = []
    for pool_ids, stay_ids in parts:
        remaining = max(deadline - time.perf_counter(), 0.5)
        out = _solve_part(
            model, pool_ids, stay_ids, backend, remaining, num_workers, (stayed, placed, unassigned)
        )
        if out["status"] == "infeasible":
            message = (
                f"no assignment keeps to at most {max_changes} changes: the current books do "
                "not fit the capacities without more moves"
            )
            stats["phase1"] = ("INFEASIBLE", round(out["seconds"], 2))
            return (stayed, placed, unassigned), "infeasible", message
        if out["status"] == "unknown":
            stats["phase1"] = ("UNKNOWN", round(out["seconds"], 2))
            return (
                (stayed, placed, unassigned),
                "unknown",
                (f"no solution found within {time_limit_s:g} s"),
            )
        proven &= out["proven"]
        objective += out["objective"]
        bound += out["bound"]
        phases.append((out["status"], out["seconds"]))
    known = not (math.isnan(objective) or math.isnan(bound))
    stats["phase2"] = (
        "OPTIMAL" if proven else "FEASIBLE",
        round(sum(s for _, s in phases), 2),
        objective / OBJECTIVE_SCALE if known else None,
        bound / OBJECTIVE_SCALE if known else None,
    )
    return (stayed, placed, unassigned), ("optimal" if proven else "feasible"), ""


def _solve_part(
    model: _Model,
    pool_ids: list[int],
    stay_ids: list[int],
    backend: str,
    limit: float,
    num_workers: int | None,
    start: Counts,
) -> dict[str, Any]:
    """Solve one component; writes its counts into `start` (the greedy, used as the hint).

    Variables: stayers s[c] per stay class, z[p, j] customers of pool p at manager j,
    u[p] unassigned of pool p. Pool balance: Σ_j z[p, j] + u[p] = free[p] + Σ_c (n_c − s[c]);
    capacity: Σ w s + Σ w z ≤ K_j; cap: Σ (n_c − s[c]) ≤ max_changes. Phase 1 minimises
    Σ priority × u, phase 2 maximises Σ gain × s − pen_change × Σ (n_c − s) + Σ gain × z
    with phase 1's optimum as a constraint. Gains are divided by their gcd (integral objective:
    a bound within 1 of the solution proves it). Returns status, proven, objective and bound
    (scaled value units) and seconds; only status and seconds when phase 1 finds nothing."""
    began = time.perf_counter()
    part = _Part(model, pool_ids, stay_ids, backend, num_workers)
    hint = part.hint(start)
    stayed, _placed, unassigned = start
    greedy_unserved = sum(model.pools[pi].priority * unassigned[pi] for pi in pool_ids)
    # the greedy keeps every relationship that fits: it meets the cap unless capacity forces
    # more changes than that
    greedy_changes = sum(len(model.stays[si].members) - stayed[si] for si in stay_ids)
    greedy_ok = model.max_changes is None or greedy_changes <= model.max_changes
    proven = True
    if greedy_ok and greedy_unserved == 0:
        best_unserved = 0  # nothing unserved: phase 1 is proven by the greedy itself
    else:
        status, value, _bound = part.lm.solve(
            part.unserved(), maximise=False, limit=limit, hint=hint if greedy_ok else None
        )
        if status in ("infeasible", "unknown"):
            return {"status": status, "seconds": time.perf_counter() - began}
        proven = status == "optimal"
        best_unserved = round(value)
        hint = part.lm.values()
    part.keep_unserved_at(best_unserved)
    status, objective, bound, values = part.best_value(
        limit=max(limit - (time.perf_counter() - began), 0.5), hint=hint
    )
    part.write(values, start)
    return {
        "proven": proven and status == "optimal",
        "status": status,
        "objective": objective,
        "bound": bound,
        "seconds": time.perf_counter() - began,
    }


class _Part:
    """The integer programme of one component (see `_solve_part`): `s_var` stayers per stay
    class (those whose manager has room), `z_var` customers per (pool, manager), `u_var`
    unassigned per pool; pool balance, capacities and the change cap as constraints."""

    def __init__(
        self,
        model: _Model,
        pool_ids: list[int],
        stay_ids: list[int],
        backend: str,
        num_workers: int | None,
    ):
        self.model = model
        self.pool_ids = pool_ids
        self.stay_ids = stay_ids
        pools, stays = model.pools, model.stays
        lm = self.lm = _LinearModel(backend, num_workers)
        self.s_var: dict[int, Any] = {}
        self.s_gain: dict[int, int] = {}  # the gain of each stay class that has a variable
        for si in stay_ids:
            s = stays[si]
            if s.gain is not None:
                self.s_var[si] = lm.var(len(s.members))
                self.s_gain[si] = s.gain
        self.z_var: dict[tuple[int, int], Any] = {}
        self.u_var: dict[int, Any] = {}
        load: dict[int, list[tuple[int, Any]]] = defaultdict(list)
        for si, var in self.s_var.items():
            load[stays[si].manager].append((pools[stays[si].pool].workload, var))
        for pi in pool_ids:
            self._add_pool(pi, load)
        for j, terms in load.items():
            if sum(w * lm.ub[v] for w, v in terms) > model.capacity[j]:
                lm.at_most(terms, model.capacity[j])
        if model.max_changes is not None:
            continuing = sum(len(stays[s].members) for s in stay_ids)
            lm.at_least([(1, v) for v in self.s_var.values()], continuing - model.max_changes)

    def _add_pool(self, pi: int, load: dict[int, list[tuple[int, Any]]]) -> None:
        """Pool `pi`'s variables (adding their workload to `load` per manager) and balance:
        Σ z + u + Σ s = free + Σ n_c."""
        model, lm = self.model, self.lm
        p = model.pools[pi]
        size = _pool_size(model, p)
        for j in p.arcs:
            ub = min(size, model.capacity[j] // p.workload)
            if ub > 0:
                self.z_var[(pi, j)] = lm.var(ub)
                load[j].append((p.workload, self.z_var[(pi, j)]))
        self.u_var[pi] = lm.var(size)
        terms = [(1, self.z_var[(pi, j)]) for j in p.arcs if (pi, j) in self.z_var]
        terms.append((1, self.u_var[pi]))
        terms += [(1, self.s_var[s]) for s in p.stays if s in self.s_var]
        lm.equal(terms, size)

    def hint(self, start: Counts) -> dict[Any, int]:
        """The values of `start` (a feasible solution, perhaps beyond the cap) per variable."""
        stayed, placed, unassigned = start
        hint = {}
        for si, v in self.s_var.items():
            hint[v] = stayed[si]
        for key, v in self.z_var.items():
            hint[v] = placed.get(key, 0)
        for pi, v in self.u_var.items():
            hint[v] = unassigned[pi]
        return hint

    def unserved(self) -> list[tuple[int, Any]]:
        """Phase 1's objective: Σ priority × u."""
        return [(self.model.pools[pi].priority, self.u_var[pi]) for pi in self.pool_ids]

    def keep_unserved_at(self, best_unserved: int) -> None:
        """Phase 1's optimum as a constraint of phase 2."""
        if best_unserved == 0:
            for v in self.u_var.values():
                self.lm.fix_zero(v)
        else:
            self.lm.at_most(self.unserved(), best_unserved)

    def best_value(
        self, *, limit: float, hint: dict[Any, int]
    ) -> tuple[str, float, float, dict[Any, int]]:
        """Phase 2: (status, objective, bound, the variables' values); objective and bound
        in scaled value units, NaN when only phase 1's solution (or the hint) is kept."""
        model = self.model
        # Constant: −pen_change × Σ n_c; each stayer gets pen_change back.
        terms = [(self.s_gain[si] + model.pen_change, v) for si, v in self.s_var.items()]
        terms += [(model.pools[pi].arcs[j], v) for (pi, j), v in self.z_var.items()]
        constant = -model.pen_change * sum(len(model.stays[s].members) for s in self.stay_ids)
        divisor = math.gcd(*(c for c, _ in terms)) if any(c for c, _ in terms) else 1
        divisor = divisor or 1
        status, value, bound = self.lm.solve(
            [(c // divisor, v) for c, v in terms], maximise=True, limit=limit, hint=hint
        )
        if status in ("infeasible", "unknown"):
            # keep phase one's solution (or the greedy), which is feasible
            return "feasible", math.nan, math.nan, hint
        return status, value * divisor + constant, bound * divisor + constant, self.lm.values()

    def write(self, values: dict[Any, int], start: Counts) -> None:
        """The component's counts from `values`, into `start`."""
        stayed, placed, unassigned = start
        for si, v in self.s_var.items():
            stayed[si] = values[v]
        for si in self.stay_ids:
            if si not in self.s_var:
                stayed[si] = 0
        for key in [k for k in placed if k[0] in set(self.pool_ids)]:
            del placed[key]
        for key, v in self.z_var.items():
            if values[v]:
                placed[key] = values[v]
        for pi, v in self.u_var.items():
            unassigned[pi] = values[v]


class _LinearModel:
    """A small integer programme for SCIP (through `pywraplp`) or CP-SAT, with integer
    coefficients; `solve` reports "optimal" only when the bound proves the solution."""

    def __init__(self, backend: str, num_workers: int | None) -> None:
        self.backend = backend
        self.num_workers = num_workers
        self.ub: dict[Any, int] = {}
        if backend == "cp_sat":
            self.model = cp_model.CpModel()
        else:
            self.solver = pywraplp.Solver.CreateSolver("SCIP")
            if self.solver is None:  # pragma: no cover - SCIP ships in the ortools wheel
                raise RuntimeError("SCIP is not available in this OR-Tools build")
        self._solution: dict[Any, int] = {}

    def var(self, ub: int) -> Any:
        if self.backend == "cp_sat":
            v = self.model.new_int_var(0, ub, "")
        else:
            v = self.solver.IntVar(0, ub, "")
        self.ub[v] = ub
        return v

    def fix_zero(self, v: Any) -> None:
        if self.backend == "cp_sat":
            self.model.add(v == 0)
        else:
            v.SetUb(0)

    def _constraint(self, terms: list[tuple[int, Any]], lo: float, hi: float) -> None:
        if self.backend == "cp_sat":
            expr = sum(c * v for c, v in terms)
            if lo == hi:
                self.model.add(expr == int(lo))
            elif math.isinf(hi):
                self.model.add(expr >= int(lo))
            else:
                self.model.add(expr <= int(hi))
            return
        con = self.solver.Constraint(lo, hi)
        for c, v in terms:
            con.SetCoefficient(v, c)

    def equal(self, terms: list[tuple[int, Any]], value: int) -> None:
        self._constraint(terms, value, value)

    def at_most(self, terms: list[tuple[int, Any]], value: int) -> None:
        self._constraint(terms, -math.inf, value)

    def at_least(self, terms: list[tuple[int, Any]], value: int) -> None:
        self._constraint(terms, value, math.inf)

    def values(self) -> dict[Any, int]:
        return dict(self._solution)

    def solve(
        self,
        objective: list[tuple[int, Any]],
        *,
        maximise: bool,
        limit: float,
        hint: dict[Any, int] | None,
    ) -> tuple[str, float, float]:
        """Returns status ("optimal", "feasible", "infeasible", "unknown"), the objective and
        the best bound."""
        if self.backend == "cp_sat":
            return self._solve_cp_sat(objective, maximise, limit, hint)
        s = self.solver
        s.Objective().Clear()
        for c, v in objective:
            s.Objective().SetCoefficient(v, c)
        s.Objective().SetOptimizationDirection(maximise)
        if hint:
            s.SetHint(list(hint), [float(x) for x in hint.values()])
        s.SetTimeLimit(max(int(limit * 1000), 500))
        params = pywraplp.MPSolverParameters()
        params.SetDoubleParam(params.RELATIVE_MIP_GAP, 0.0)
        code = s.Solve(params)
        if code == pywraplp.Solver.INFEASIBLE:
            return "infeasible", math.nan, math.nan
        if code not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
            return "unknown", math.nan, math.nan
        self._solution = {v: round(v.solution_value()) for v in self.ub}
        value = float(sum(c * self._solution[v] for c, v in objective))
        bound = s.Objective().BestBound()
        # integral objective: a bound less than 1 away proves the solution optimal
        proven = code == pywraplp.Solver.OPTIMAL or abs(bound - value) < 1 - 1e-6
        return ("optimal" if proven else "feasible"), value, bound

    def _solve_cp_sat(
        self,
        objective: list[tuple[int, Any]],
        maximise: bool,
        limit: float,
        hint: dict[Any, int] | None,
    ) -> tuple[str, float, float]:
        expr = sum(c * v for c, v in objective)
        if maximise:
            self.model.maximize(expr)
        else:
            self.model.minimize(expr)
        self.model.clear_hints()
        for v, x in (hint or {}).items():
            self.model.add_hint(v, x)
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(limit, 0.5)
        solver.parameters.num_workers = self.num_workers or min(8, os.cpu_count() or 1)
        code = solver.solve(self.model)
        if code == cp_model.INFEASIBLE:
            return "infeasible", math.nan, math.nan
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return "unknown", math.nan, math.nan
        self._solution = {v: int(solver.value(v)) for v in self.ub}
        status = "optimal" if code == cp_model.OPTIMAL else "feasible"
        return status, solver.objective_value, solver.best_objective_bound


def _disaggregate(
    model: _Model,
    counts: tuple[list[int], dict[tuple[int, int], int], list[int]],
    current: list[int | None],
    n_customers: int,
) -> list[int | None]:
    """Customers from counts, deterministically: the first stayers of each stay class stay;
    a pool's places at manager j go first to its customers whose current manager is j (a
    relationship kept is never worse), then to the others in input order; the rest wait."""
    stayed, placed, _unassigned = counts
    assigned: list[int | None] = [None] * n_customers
    members: list[list[int]] = [list(p.free) for p in model.pools]
    for si, s in enumerate(model.stays):
        for i in s.members[: stayed[si]]:
            assigned[i] = s.manager
        members[s.pool].extend(s.members[stayed[si] :])
    by_pool: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for (pi, j), k in sorted(placed.items()):
        by_pool[pi].append((j, k))
    for pi, slots in by_pool.items():
        people = sorted(members[pi])
        at: dict[int | None, list[int]] = defaultdict(list)
        for i in people:
            at[current[i]].append(i)
        taken = set()
        left = []
        for j, k in slots:
            keep = at.get(j, [])[:k]
            for i in keep:
                assigned[i] = j
                taken.add(i)
            left.append((j, k - len(keep)))
        rest = (i for i in people if i not in taken)
        for j, k in left:
            for _ in range(k):
                assigned[next(rest)] = j
    return assigned


def _grade(manager: MatchManager) -> Reason:
    return Reason(
        gettext_noop("%(manager)s has grade %(grade)s"),
        {"manager": manager.manager_id, "grade": f"{manager.grade:g}"},
    )


def _why(
    c: MatchCustomer,
    to: MatchManager | None,
    frm: MatchManager | None,
    forced: Reason | None,
    short: Reason,
) -> tuple[Reason, ...]:
    """Why customer `c` moves from `frm` to `to` (None: left without a manager)."""
    if to is None:
        left = Reason(gettext_noop("left without a manager"))
        return (left, forced, short) if forced else (left, short)
    if c.current_manager is None:
        return (Reason(gettext_noop("had no account manager")), _grade(to))
    if forced:
        return (forced, _grade(to))
    assert frm is not None
    if not _same_region(c.region, frm.region) and _same_region(c.region, to.region):
        return (
            Reason(
                gettext_noop("back to a manager in the customer's region (%(region)s)"),
                {"region": c.region},
            ),
        )
    if to.grade > frm.grade:
        return (
            Reason(
                gettext_noop("a better-graded manager: %(to_grade)s instead of %(from_grade)s"),
                {"to_grade": f"{to.grade:g}", "from_grade": f"{frm.grade:g}"},
            ),
        )
    return (
        Reason(
            gettext_noop("frees capacity at %(manager)s for more important customers"),
            {"manager": frm.manager_id},
        ),
    )


def _result(
    problem: _Problem,
    assigned: list[int | None],
    *,
    status: str,
    message: str,
    solver: str,
    started: float,
    n_classes: int,
    stats: dict[str, Any],
) -> MatchResult:
    """The MatchResult of `assigned` (each customer's manager index, None: none): the moves
    with their reasons, the workloads and the objective (value units) before and after."""
    custs, mgrs = problem.custs, problem.mgrs
    current = problem.current()
    totals = _totals(problem, current, assigned)
    moves, changes = _moves(problem, current, assigned)
    change_cost = changes * problem.change_penalty
    unassigned = [c.customer_id for c, to in zip(custs, assigned, strict=True) if to is None]
    if unassigned and not message:
        message = f"{len(unassigned)} customer(s) left without a manager: not enough capacity"
    return MatchResult(
        assignments={
            c.customer_id: (mgrs[to].manager_id if to is not None else None)
            for c, to in zip(custs, assigned, strict=True)
        },
        moves=moves,
        objective=totals.value - totals.region_cost - change_cost,
        objective_parts={
            "value": totals.value,
            "region_penalty": totals.region_cost,
            "change_penalty": change_cost,
        },
        optimal=status == "optimal",
        status=status,
        solver=solver,
        unassigned=unassigned,
        workload_before=totals.before,
        workload_after=totals.after,
        capacity=totals.capacity,
        objective_before=totals.value_before - totals.region_before,
        changes=changes,
        message=message,
        seconds=time.perf_counter() - started,
        classes=n_classes,
        stats=stats,
    )


@dataclass
class _Totals:
    """Workload units per manager (id) before and after, and the value and region penalty
    (value units) of the relationships before that are still possible, and after."""

    capacity: dict[Any, int]
    before: dict[Any, int]
    after: dict[Any, int]
    value: float = 0.0
    region_cost: float = 0.0
    value_before: float = 0.0
    region_before: float = 0.0


def _totals(problem: _Problem, current: list[int | None], assigned: list[int | None]) -> _Totals:
    mgrs = problem.mgrs
    capacity = {m.manager_id: int(m.capacity) for m in mgrs}
    totals = _Totals(capacity, dict.fromkeys(capacity, 0), dict.fromkeys(capacity, 0))
    for i, c in enumerate(problem.custs):
        cur, to = current[i], assigned[i]
        if cur is not None:
            totals.before[mgrs[cur].manager_id] += problem.units[i]
            ok = problem.region_rule == "penalised" or _same_region(c.region, mgrs[cur].region)
            if ok:
                totals.value_before += problem.importance[i] * mgrs[cur].grade
                if not _same_region(c.region, mgrs[cur].region):
                    totals.region_before += problem.region_penalty
        if to is not None:
            totals.after[mgrs[to].manager_id] += problem.units[i]
            totals.value += problem.importance[i] * mgrs[to].grade
            if not _same_region(c.region, mgrs[to].region):
                totals.region_cost += problem.region_penalty
    return totals


def _moves(
    problem: _Problem, current: list[int | None], assigned: list[int | None]
) -> tuple[list[Move], int]:
    """Every customer whose manager changes, with why; and how many of those changes count
    (a relationship that could have continued, not a forced move)."""
    mgrs = problem.mgrs
    changes = 0
    moves: list[Move] = []
    for i, c in enumerate(problem.custs):
        cur, to = current[i], assigned[i]
        to_id = mgrs[to].manager_id if to is not None else None
        if to_id == c.current_manager:
            continue
        forced = _forced(problem, c, cur)
        if forced is None and cur is not None:
            changes += 1
        short = (
            Reason(gettext_noop("not enough capacity in region %(region)s"), {"region": c.region})
            if problem.region_rule == "hard" and c.region is not None
            else Reason(gettext_noop("not enough capacity"))
        )
        why = _why(
            c,
            mgrs[to] if to is not None else None,
            mgrs[cur] if cur is not None else None,
            forced,
            short,
        )
        moves.append(Move(c.customer_id, c.current_manager, to_id, why))
    return moves, changes


def _forced(problem: _Problem, c: MatchCustomer, cur: int | None) -> Reason | None:
    """Why customer `c` must leave its current manager (index `cur`), or None when it need
    not: the manager is gone, or outside the customer's region under the hard rule."""
    if c.current_manager is not None and cur is None:
        return Reason(
            gettext_noop("current manager %(manager)s is no longer available"),
            {"manager": c.current_manager},
        )
    if (
        cur is not None
        and problem.region_rule == "hard"
        and not _same_region(c.region, problem.mgrs[cur].region)
    ):
        return Reason(
            gettext_noop("current manager %(manager)s is outside the region %(region)s"),
            {"manager": c.current_manager, "region": c.region},
        )
    return None
