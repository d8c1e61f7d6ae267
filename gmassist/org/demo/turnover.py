"""Leavers and hires, month by month: who leaves is drawn from the hazards of `causes.py`, each
leaver's job opens up (a head's goes to an internal successor when there is one), and open
positions are filled with a monthly chance, the company growing to plan. Functions of the
running `simulation.Simulation`; their random draws come from its stream, in a fixed order."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from gmassist.org.demo.causes import (
    INVOLUNTARY_REASONS,
    OTHER_VOLUNTARY_REASONS,
    RETIREMENT_REASON,
    VOLUNTARY_FACTORS,
    VOLUNTARY_REASONS,
    involuntary_hazard,
    retirement_hazard,
    voluntary_factors,
    voluntary_hazard,
)
from gmassist.org.demo.company import DAYS_PER_MONTH, DAYS_PER_YEAR, MONTHS, TIERS
from gmassist.org.demo.structure import (
    EMPLOYMENT_TYPE_SHARES,
    EMPLOYMENT_TYPES,
    GENERAL,
    LOCATIONS,
    band_factor,
    position_index,
)

if TYPE_CHECKING:
    from gmassist.org.demo.simulation import Simulation

SEPARATION_TYPES = ("voluntary", "involuntary", "retirement")  # a separation's type, by index
# The reasons a Separation can give, in one list; separations refer to them by index.
REASONS = (
    *VOLUNTARY_REASONS.values(),
    *OTHER_VOLUNTARY_REASONS,
    INVOLUNTARY_REASONS["performance"],
    *INVOLUNTARY_REASONS["other"],
    RETIREMENT_REASON,
)
_REASON_INDEX = {reason: i for i, reason in enumerate(REASONS)}
# The chance that an open position is filled in a month, by calendar month (January first).
FILL_BY_MONTH = np.array([0.5, 0.25, 0.65, 0.55, 0.55, 0.5, 0.8, 0.85, 0.75, 0.55, 0.55, 0.45])
GRADUATE_MONTHS = (6, 7, 8)  # July-September: most positions added then go to graduates


# -- leaving ----------------------------------------------------------------------------------


def leave(sim: Simulation, month: int, day: int) -> None:
    """Who leaves this month, drawn from the hazards of `causes.py`; their jobs open up."""
    p = sim.people
    rng = sim.rng
    active = np.nonzero(p["active"])[0]
    active = active[active != sim.gm]
    manager = sim.managers(active)
    factors = _voluntary_factors(sim, active, manager, month, day)
    h_vol = voluntary_hazard(factors, sim.causes)
    h_inv = involuntary_hazard(p["last_rating"][active], sim.causes)
    age = (day - p["birth_day"][active]) / DAYS_PER_YEAR
    h_ret = retirement_hazard(age, p["female"][active], sim.causes)
    u = rng.random(len(active))
    voluntary = u < h_vol
    involuntary = ~voluntary & (u < h_vol + h_inv)
    retiring = ~voluntary & ~involuntary & (u < h_vol + h_inv + h_ret)
    sim.expected_leavers = float(np.minimum(h_vol + h_inv + h_ret, 1.0).sum())
    _count_factor_months(sim, factors, voluntary)

    leaving = voluntary | involuntary | retiring
    leavers = active[leaving]
    if not len(leavers):
        return
    sep_type = np.where(voluntary[leaving], 0, np.where(involuntary[leaving], 1, 2))
    reason = _reasons(sim, factors, leaving, voluntary[leaving], involuntary[leaving], leavers)
    rating = p["last_rating"][leavers]
    regretted = np.where(sep_type == 0, (rating >= 4).astype(np.int8), 0)
    regretted = np.where(sep_type == 2, -1, regretted)
    offset = rng.integers(0, 27, len(leavers))  # day 1..27 of the month
    p.cols["active"][leavers] = False
    p.cols["leave_day"][leavers] = day + offset
    p.cols["separation_type"][leavers] = sep_type
    p.cols["reason"][leavers] = reason
    p.cols["regretted"][leavers] = regretted
    p.cols["manager_at_leave"][leavers] = manager[leaving]
    _open_positions(sim, leavers, day + offset + 1, month)


def _voluntary_factors(
    sim: Simulation, active: np.ndarray, manager: np.ndarray, month: int, day: int
) -> dict[str, np.ndarray]:
    """Which of the causes of voluntary leaving apply to each active person this month."""
    p = sim.people
    pos = position_index(p["family"][active], p["grade"][active])
    compa = p["pay"][active] / (sim.band_mid[pos] * band_factor(sim.calendar, month))
    return voluntary_factors(
        compa_ratio=compa,
        months_since_promotion=(day - p["last_promotion_day"][active]) / DAYS_PER_MONTH,
        bad_manager=np.where(manager >= 0, sim.bad[np.maximum(manager, 0)], False),
        unhappy_department=np.isin(p["department"][active], sim.structure.unhappy_departments),
        months_since_manager_change=(day - p["manager_change_day"][active]) / DAYS_PER_MONTH,
        tenure_months=(day - p["hire_day"][active]) / DAYS_PER_MONTH,
        causes=sim.causes,
    )


def _count_factor_months(
    sim: Simulation, factors: dict[str, np.ndarray], voluntary: np.ndarray
) -> None:
    """Person-months and voluntary leavers with and without each factor (`factor_stats`)."""
    for name, multiplier in factors.items():
        flag = multiplier > 1.0
        stats = sim.factor_stats[name]
        stats["with_months"] += int(flag.sum())
        stats["with_leavers"] += int((flag & voluntary).sum())
        stats["without_months"] += int((~flag).sum())
        stats["without_leavers"] += int((~flag & voluntary).sum())


def _reasons(
    sim: Simulation,
    factors: dict[str, np.ndarray],
    leaving: np.ndarray,
    voluntary: np.ndarray,
    involuntary: np.ndarray,
    leavers: np.ndarray,
) -> np.ndarray:
    """Each leaver's reason (an index into REASONS); `voluntary` and `involuntary` are per
    leaver, `leaving` per active person."""
    rng = sim.rng
    reason = np.full(len(leavers), _REASON_INDEX[RETIREMENT_REASON])
    # a voluntary leaver's reason is the factor that tipped them, drawn in proportion to
    # how much each of their factors added to their hazard (the base counts as 1, a factor
    # as its multiplier less 1)
    vol_rows = np.nonzero(voluntary)[0]
    if len(vol_rows):
        weights = np.column_stack(
            [np.ones(len(vol_rows))]
            + [factors[f][leaving][vol_rows] - 1.0 for f in VOLUNTARY_FACTORS]
        )
        cumulative = np.cumsum(weights, axis=1)
        draw = rng.random(len(vol_rows)) * cumulative[:, -1]
        choice = (cumulative < draw[:, None]).sum(axis=1)
        factor_reasons = np.array([_REASON_INDEX[VOLUNTARY_REASONS[f]] for f in VOLUNTARY_FACTORS])
        others = np.array([_REASON_INDEX[r] for r in OTHER_VOLUNTARY_REASONS])
        base_reason = others[rng.integers(0, len(others), len(vol_rows))]
        reason[vol_rows] = np.where(
            choice == 0, base_reason, factor_reasons[np.maximum(choice - 1, 0)]
        )
    inv_rows = np.nonzero(involuntary)[0]
    if len(inv_rows):
        low = sim.people["last_rating"][leavers[inv_rows]] <= 2
        other_inv = np.array([_REASON_INDEX[r] for r in INVOLUNTARY_REASONS["other"]])
        reason[inv_rows] = np.where(
            low,
            _REASON_INDEX[INVOLUNTARY_REASONS["performance"]],
            other_inv[rng.integers(0, len(other_inv), len(inv_rows))],
        )
    return reason


def _open_positions(
    sim: Simulation, leavers: np.ndarray, free_from: np.ndarray, month: int
) -> None:
    """Each leaver leaves an open position from the day after they leave (`free_from`),
    filled later (see `hire_for_open_positions`): a head's goes to an internal successor,
    whose own job opens instead; with nobody to promote, an outside hire heads the department
    this month. Some jobs reopen a grade lower."""
    p = sim.people
    head_of = {int(h): d for d, h in enumerate(sim.head)}
    for i, person in enumerate(leavers):
        person = int(person)
        dept = int(p["department"][person])
        grade = int(p["grade"][person])
        family = int(p["family"][person])
        day = int(free_from[i])
        if head_of.get(person) == dept:
            successor = _internal_successor(sim, dept)
            if successor < 0:
                sim.pending_head.append((dept, family, grade, day))
                continue
            # the successor's old job is the one to fill
            family = int(p["family"][successor])
            grade = int(p["grade"][successor])
            sim.make_head(dept, successor, month, day)
        elif sim.rng.random() < 0.4:
            grade = max(1, grade - 1)
        sim.open_positions.append((dept, family, grade, day))


def _internal_successor(sim: Simulation, dept: int) -> int:
    """The active member of `dept` with the highest grade, then the longest service."""
    p = sim.people
    members = np.nonzero(p["active"] & (p["department"] == dept))[0]
    members = members[~np.isin(members, sim.head)]
    if not len(members):
        return -1
    order = np.lexsort((p["hire_day"][members], -p["grade"][members].astype(int)))
    return int(members[order[0]])


# -- hiring -----------------------------------------------------------------------------------


def hire_for_open_positions(sim: Simulation, month: int, day: int) -> None:
    """Fill some of the open positions, and the positions the company grows by.

    Each open position (a leaver's, or one of the plan's new ones, plus a pipeline of about
    the expected leavers of a month that keeps the head count on plan) is filled this month
    with the chance `FILL_BY_MONTH` of its calendar month, oldest first; never beyond the
    tier's size, and in the last month exactly up to it. A department whose head left
    with nobody to promote gets an outside head this month.
    """
    heads = sim.pending_head
    sim.pending_head = []
    queue = sim.open_positions
    n, growth_open = _hires_this_month(sim, month, len(heads) + len(queue))
    n = max(n, len(heads))
    rest = n - len(heads)
    n_growth = round(rest * growth_open / max(1, growth_open + len(queue)))
    n_queue = min(len(queue), rest - n_growth)
    n_growth = rest - n_queue
    filled = heads + queue[:n_queue]
    sim.open_positions = queue[n_queue:]
    if not n:
        return
    dept = np.array([f[0] for f in filled] + [0] * n_growth, dtype=np.int64)
    family = np.array([f[1] for f in filled] + [0] * n_growth, dtype=np.int64)
    grade = np.array([f[2] for f in filled] + [0] * n_growth, dtype=np.int64)
    earliest = np.array([max(0, f[3] - day) for f in filled] + [0] * n_growth)
    graduate = np.zeros(n, dtype=bool)
    if n_growth:
        _new_positions(sim, month, slice(len(filled), n), dept, family, grade, graduate)
    hire_offset = sim.rng.integers(np.minimum(earliest, 27), 28)
    head_of = np.full(n, -1)
    head_of[: len(heads)] = [h[0] for h in heads]
    _hire(sim, dept, family, grade, day + hire_offset, month, head_of, graduate)


def _hires_this_month(sim: Simulation, month: int, waiting: int) -> tuple[int, int]:
    """(how many people are hired this month, how many new positions are open beyond the
    `waiting` ones): drawn with the month's fill chance, up to the plan and the tier's
    size; the last month exactly up to the size."""
    size = TIERS[sim.structure.tier]
    active = int(sim.people["active"].sum())
    if month == MONTHS - 1:
        n = size - active
        return n, max(0, n - waiting)
    target = sim.planned_head_count(month)
    growth = target - sim.planned_head_count(month - 1)
    mean_fill = float(FILL_BY_MONTH.mean())
    pipeline = (1 - mean_fill) / mean_fill * (sim.expected_leavers + growth)
    wanted = max(0, round(target + pipeline - active))
    fill = FILL_BY_MONTH[sim.calendar.calendar_month(month)]
    n = min(int(sim.rng.binomial(wanted, fill)), size - active)
    return n, max(0, wanted - waiting)


def _new_positions(
    sim: Simulation,
    month: int,
    new: slice,
    dept: np.ndarray,
    family: np.ndarray,
    grade: np.ndarray,
    graduate: np.ndarray,
) -> None:
    """The department, job family and grade of the positions the company grows by (at
    `new` in the arrays): mostly junior, graduates in July-September."""
    rng = sim.rng
    n_growth = new.stop - new.start
    dept[new] = rng.choice(sim.leaves, n_growth, p=sim.leaf_weight)
    family[new] = np.where(
        rng.random(n_growth) < 0.8,
        sim.dept_family[dept[new]],
        rng.integers(0, GENERAL, n_growth),
    )
    grade[new] = rng.choice([1, 2, 3], n_growth, p=[0.5, 0.35, 0.15])
    if sim.calendar.calendar_month(month) in GRADUATE_MONTHS:
        graduate[new] = rng.random(n_growth) < 0.75
        grade[graduate] = 1


def _hire(
    sim: Simulation,
    dept: np.ndarray,
    family: np.ndarray,
    grade: np.ndarray,
    hire_day: np.ndarray,
    month: int,
    head_of: np.ndarray,
    graduate: np.ndarray,
) -> None:
    """Hire people; `head_of` is the department each new head heads (-1: not a head)."""
    rng = sim.rng
    k = len(dept)
    female = rng.random(k) < 0.45
    employment_type = rng.choice(len(EMPLOYMENT_TYPES), k, p=EMPLOYMENT_TYPE_SHARES)
    new_head = head_of >= 0
    employment_type = np.where(new_head | graduate, 0, employment_type)
    grade = np.where(employment_type == 3, 1, grade)
    age = np.clip(24 + 2.5 * (grade - 1) + rng.normal(0, 4, k), 21, 50)
    age = np.where(graduate, np.clip(22.5 + rng.normal(0, 1, k), 21, 26), age)
    compa = np.clip(rng.normal(0.98, 0.07, k), 0.8, 1.2)
    pos = position_index(family, grade)
    pay = np.round(sim.band_mid[pos] * band_factor(sim.calendar, month) * compa, -2)
    latent = rng.normal(0, 1, k)
    location = np.where(
        rng.random(k) < 0.93, sim.dept_location[dept], rng.integers(0, len(LOCATIONS), k)
    )
    idx = sim.people.append(
        department=dept, family=family, grade=grade, hire_day=hire_day,
        birth_day=hire_day - (age * DAYS_PER_YEAR).astype(np.int64), female=female, pay=pay,
        last_promotion_day=hire_day, manager_change_day=np.full(k, -(10**6)), latent=latent,
        last_rating=np.full(k, 3), active=np.ones(k, dtype=bool), leave_day=np.full(k, -1),
        separation_type=np.full(k, -1), reason=np.full(k, -1), regretted=np.full(k, -1),
        manager_at_leave=np.full(k, -1), employment_type=employment_type, location=location,
    )  # fmt: skip
    if len(sim.bad) < sim.people.n:
        grown = np.zeros(2 * sim.people.n, dtype=bool)
        grown[: len(sim.bad)] = sim.bad
        sim.bad = grown
    sim.pay_changes.add(person=idx, day=hire_day, pay=pay, previous=-1, reason=0)
    for i in np.nonzero(new_head)[0]:  # an outside hire heads a department
        d = int(head_of[i])
        sim.head[d] = int(idx[i])
        affected = sim.reports_of([d])
        sim.people.cols["manager_change_day"][affected] = int(hire_day[i])
