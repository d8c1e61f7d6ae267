"""The incentive plan: which raises, bonuses, options, leave, promotions and programmes to give
whom, within a yearly budget, to keep the most value. Solved exactly with OR-Tools CP-SAT.

Pure: numpy, pandas and OR-Tools, no Django import.

The problem
-----------
Each person i has a value V_i (key-talent score x replacement cost, company currency) and a
leaving risk p_i (probability of leaving within 12 months, from the fitted model). An option is
one pay action (nothing, a raise of k steps, or a promotion) combined with at most one extra
(nothing, a one-time bonus, stock options, extra paid-leave days, a development programme). An
option costs C_io a year and moves the person's log-odds of leaving by D_io; its effect is the
expected retained value E_io = V_i x (p_i - sigmoid(logit(p_i) + D_io)). Choose at most one
option per person, total cost within the budget, to maximise total effect: a multiple-choice
knapsack. Costs are rounded up to whole currency units (so the budget holds for the real
amounts) and effects to whole units; CP-SAT proves the optimum or reports its bound.

How each instrument moves the risk (the fitted model's response, `response[feature]` in
log-odds per unit; exact for the logistic model)
------------------------------------------------------------------------------------------
* raise of k steps (k x `raise_step` of base pay, up to `raise_max_steps`): compa-ratio rises by
  the raise over the band midpoint, and months since the last raise fall to 0:
  D = r[compa_ratio] x raise / band_mid - r[months_since_raise] x months_since_raise.
  Never above the band maximum (a raise that would cross it is not offered).
* promotion to the next grade of the same job family: pay rises by `promotion_raise` and to at
  least the new band's minimum; compa-ratio is re-measured against the new band; months since
  promotion and since raise fall to 0; grade + 1. Cost: the pay increase.
* one-time bonus (`bonus_share` of base pay), stock options (`option_units` x `option_unit_value`,
  counted in the year granted), extra paid-leave days (`leave_days` x base pay / `work_days`):
  the model has no feature for them, so each counts as a raise of its amount times its
  `*_equivalence` (an assumption, editable in the menu, not a measurement): D = r[compa_ratio]
  x amount x equivalence / band_mid.
* development programme (`development_cost` each): counts as `development_equivalence` of a
  promotion's effect through months since promotion (an assumption, editable).

Options whose effect is not positive are never offered. Money in the company's currency a year.
"""

from __future__ import annotations

import math
import time
import tomllib
from dataclasses import asdict, dataclass, field, fields
from typing import Any, TypedDict

import pandas as pd
from ortools.sat.python import cp_model

from gmassist.lib.bounded_toml import load_toml

# Up to this many options CP-SAT proves the optimum (milliseconds to seconds); above, the
# relaxation's plan and bound are used when within GAP_LIMIT (measured in bench/talent.py:
# on 20,000 people CP-SAT's own bound stayed 9% away after 50 s, the relaxation's is exact).
EXACT_OPTIONS = 20_000
GAP_LIMIT = 0.001

INSTRUMENTS = ("raise", "promotion", "bonus", "options", "leave", "development")
EXTRAS = ("bonus", "options", "leave", "development")

PEOPLE_COLUMNS = [
    "employee_id",
    "probability",
    "value",
    "base_pay",
    "band_mid",
    "band_max",
    "next_band_min",
    "next_band_mid",
    "months_since_raise",
    "months_since_promotion",
]


def gettext_noop(message: str) -> str:
    return message


class MenuError(ValueError):
    """An instrument menu that cannot be used, naming the key and what is wrong."""


@dataclass(frozen=True)
class Menu:
    """The instruments on offer and their rules (money yearly, company currency)."""

    raise_enabled: bool = True
    raise_step: float = 0.03  # share of base pay per step
    raise_max_steps: int = 4  # the cap: 4 x 3% = 12%
    promotion_enabled: bool = True
    promotion_raise: float = 0.08  # share of base pay, and at least the new band's minimum
    bonus_enabled: bool = True
    bonus_share: float = 0.10
    bonus_equivalence: float = 0.5  # a bonus is worth half the same amount in base pay
    options_enabled: bool = True
    option_units: int = 1000
    option_unit_value: float = 8.0
    options_equivalence: float = 0.6
    leave_enabled: bool = True
    leave_days: int = 5
    work_days: int = 250
    leave_equivalence: float = 1.0
    development_enabled: bool = True
    development_cost: float = 15000.0
    development_equivalence: float = 0.3  # of a promotion's effect through months since it

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


DEFAULT_MENU = Menu()

_BOUNDS = {
    "raise_step": (0.0, 1.0),
    "raise_max_steps": (0, 20),
    "promotion_raise": (0.0, 1.0),
    "bonus_share": (0.0, 2.0),
    "bonus_equivalence": (0.0, 1.0),
    "option_units": (0, 10**7),
    "option_unit_value": (0.0, 10**7),
    "options_equivalence": (0.0, 1.0),
    "leave_days": (0, 60),
    "work_days": (1, 366),
    "leave_equivalence": (0.0, 2.0),
    "development_cost": (0.0, 10**8),
    "development_equivalence": (0.0, 1.0),
}


def menu_from_dict(data: dict[str, Any]) -> Menu:
    """A menu from {key: value} on top of the defaults; unknown keys and out-of-range values
    raise MenuError naming the key."""
    known = {f.name: f for f in fields(Menu)}
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            raise MenuError(f"unknown key {key!r}; use one of {', '.join(known)}")
        default = getattr(DEFAULT_MENU, key)
        if isinstance(default, bool):
            if not isinstance(value, bool):
                raise MenuError(f"{key} must be true or false, not {value!r}")
        elif isinstance(default, int):
            if isinstance(value, bool) or not isinstance(value, int):
                raise MenuError(f"{key} must be a whole number, not {value!r}")
        else:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise MenuError(f"{key} must be a number, not {value!r}")
            value = float(value)
        low, high = _BOUNDS.get(key, (None, None))
        if low is not None and not low <= value <= high:
            raise MenuError(f"{key} must be between {low} and {high}, not {value!r}")
        values[key] = value
    return Menu(**{**DEFAULT_MENU.as_dict(), **values})


def menu_from_toml(text: str) -> Menu:
    """A menu from TOML text (`[menu]` table or top-level keys); errors name the key or line."""
    try:
        data = load_toml(text)
    except tomllib.TOMLDecodeError as exc:
        raise MenuError(f"not valid TOML: {exc}") from None
    return menu_from_dict(data.get("menu", data))


def menu_to_toml(menu: Menu) -> str:
    """The menu as TOML text, one key per line (the form's default)."""
    lines = ["[menu]"]
    for key, value in menu.as_dict().items():
        text = ("true" if value else "false") if isinstance(value, bool) else repr(value)
        lines.append(f"{key} = {text}")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Option:
    """One combination of instruments for one person."""

    person: int  # row index in the people frame
    actions: tuple[dict[str, Any], ...]
    cost: float  # yearly, company currency
    delta_logit: float
    effect: float  # expected retained value, company currency
    risk_after: float


@dataclass
class PlanLine:
    """What the plan gives one person, with its cost, effect and reasons."""

    employee_id: int
    actions: list[dict[str, Any]]
    cost: float
    effect: float
    value: float
    risk_before: float
    risk_after: float
    reasons: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class PlanResult:
    """A plan: its lines, totals, and how good it is proven to be."""

    lines: list[PlanLine]
    budget: float
    total_cost: float
    total_effect: float
    status: str  # "optimal", "feasible" (within `gap` of the bound) or "greedy"
    bound: float  # no plan within the budget retains more than this
    gap: float  # (bound - total_effect) / bound; 0 when proven optimal
    greedy_effect: float
    greedy_cost: float
    seconds: float
    candidates: int
    options: int

    def summary(self) -> dict[str, Any]:
        return {
            "budget": self.budget,
            "total_cost": round(self.total_cost, 2),
            "total_effect": round(self.total_effect, 2),
            "status": self.status,
            "bound": round(self.bound, 2),
            "gap": self.gap,
            "greedy_effect": round(self.greedy_effect, 2),
            "greedy_cost": round(self.greedy_cost, 2),
            "seconds": round(self.seconds, 3),
            "candidates": self.candidates,
            "options": self.options,
            "people": len(self.lines),
        }


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _num(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return math.nan
    return number


def person_options(
    row: dict[str, Any], index: int, menu: Menu, response: dict[str, float]
) -> list[Option]:
    """Every option of one person (see the module docstring) with a positive effect."""
    facts = _PersonFacts.of(row)
    if facts is None:
        return []
    pay_actions = _pay_actions(facts, row, menu, response)
    extras = _extras(facts, menu, response)
    options = []
    for pay_action, pay_cost, pay_delta in pay_actions:
        for extra, extra_cost, extra_delta in extras:
            if not pay_action and not extra:
                continue
            delta = pay_delta + extra_delta
            after = _sigmoid(facts.logit + delta)
            effect = facts.value * (facts.p - after)
            cost = pay_cost + extra_cost
            if effect > 0 and cost > 0:
                options.append(
                    Option(
                        person=index,
                        actions=pay_action + extra,
                        cost=cost,
                        delta_logit=delta,
                        effect=effect,
                        risk_after=after,
                    )
                )
    return _undominated(options)


# (actions, cost in the currency a year, change of the leaving logit)
_Actions = tuple[tuple[dict[str, Any], ...], float, float]


@dataclass(frozen=True)
class _PersonFacts:
    """What a person's options are computed from: pay, band midpoint and maximum (the
    currency a year), leaving probability `p` and its `logit`, the `value` of keeping them,
    months since the last raise and promotion (0 when unknown)."""

    pay: float
    mid: float
    band_max: float
    p: float
    logit: float
    value: float
    msr: float
    msp: float

    @classmethod
    def of(cls, row: dict[str, Any]) -> _PersonFacts | None:
        """The facts of `row`; None when its pay, midpoint, value or probability is missing."""
        pay = _num(row["base_pay"])
        mid = _num(row["band_mid"])
        band_max = _num(row["band_max"])
        p = min(max(_num(row["probability"]), 1e-9), 1 - 1e-9)
        value = _num(row["value"])
        if not (pay > 0 and mid > 0 and value > 0) or math.isnan(p):
            return None
        msr = _num(row["months_since_raise"])
        msr = 0.0 if math.isnan(msr) else msr
        msp = _num(row["months_since_promotion"])
        msp = 0.0 if math.isnan(msp) else msp
        logit = math.log(p) - math.log1p(-p)
        return cls(pay, mid, band_max, p, logit, value, msr, msp)


def _pay_actions(
    facts: _PersonFacts, row: dict[str, Any], menu: Menu, response: dict[str, float]
) -> list[_Actions]:
    """Nothing, each raise step up to the band maximum, or a promotion to the next grade."""
    r_compa = response.get("compa_ratio", 0.0)
    r_raise = response.get("months_since_raise", 0.0)
    r_promo = response.get("months_since_promotion", 0.0)
    r_grade = response.get("grade", 0.0)
    pay, mid, msr, msp = facts.pay, facts.mid, facts.msr, facts.msp
    pay_actions: list[_Actions] = [((), 0.0, 0.0)]
    if menu.raise_enabled:
        for k in range(1, menu.raise_max_steps + 1):
            share = round(menu.raise_step * k, 6)
            amount = pay * share
            if not math.isnan(facts.band_max) and pay + amount > facts.band_max + 1e-6:
                break  # never above the band maximum without a promotion
            delta = r_compa * amount / mid - r_raise * msr
            action = {"instrument": "raise", "share": share, "amount": round(amount, 2)}
            pay_actions.append(((action,), amount, delta))
    next_min, next_mid = _num(row["next_band_min"]), _num(row["next_band_mid"])
    if menu.promotion_enabled and next_mid > 0:
        new_pay = max(pay * (1 + menu.promotion_raise), 0.0 if math.isnan(next_min) else next_min)
        amount = new_pay - pay
        delta = r_compa * (new_pay / next_mid - pay / mid) - r_promo * msp - r_raise * msr + r_grade
        action = {"instrument": "promotion", "new_base_pay": round(new_pay, 2)}
        pay_actions.append(((action,), amount, delta))
    return pay_actions


def _extras(facts: _PersonFacts, menu: Menu, response: dict[str, float]) -> list[_Actions]:
    """Nothing, or one of: a bonus, options, extra leave days, development."""
    r_compa = response.get("compa_ratio", 0.0)
    r_promo = response.get("months_since_promotion", 0.0)
    pay, mid = facts.pay, facts.mid
    extras: list[_Actions] = [((), 0.0, 0.0)]
    if menu.bonus_enabled and menu.bonus_share > 0:
        amount = pay * menu.bonus_share
        delta = r_compa * amount * menu.bonus_equivalence / mid
        extras.append((({"instrument": "bonus", "amount": round(amount, 2)},), amount, delta))
    if menu.options_enabled and menu.option_units > 0:
        amount = menu.option_units * menu.option_unit_value
        delta = r_compa * amount * menu.options_equivalence / mid
        action = {"instrument": "options", "units": menu.option_units, "amount": round(amount, 2)}
        extras.append(((action,), amount, delta))
    if menu.leave_enabled and menu.leave_days > 0:
        amount = pay / menu.work_days * menu.leave_days
        delta = r_compa * amount * menu.leave_equivalence / mid
        action = {"instrument": "leave", "days": menu.leave_days, "amount": round(amount, 2)}
        extras.append(((action,), amount, delta))
    if menu.development_enabled and menu.development_cost > 0:
        delta = -r_promo * facts.msp * menu.development_equivalence
        action = {"instrument": "development", "amount": round(menu.development_cost, 2)}
        extras.append(((action,), menu.development_cost, delta))
    return extras


def _undominated(options: list[Option]) -> list[Option]:
    """Drop options that cost at least as much as another and retain no more (safe: such an
    option is never needed in an optimal plan)."""
    kept: list[Option] = []
    best = -math.inf
    for option in sorted(options, key=lambda o: (o.cost, -o.effect)):
        if option.effect > best + 1e-9:
            kept.append(option)
            best = option.effect
    return kept


def all_options(
    people: pd.DataFrame, menu: Menu, response: dict[str, float], budget: float
) -> list[list[Option]]:
    """The options of every person (rows of `people`), those that fit the budget alone."""
    records = people[PEOPLE_COLUMNS].to_dict("records")
    return [
        [o for o in person_options(row, i, menu, response) if o.cost <= budget]
        for i, row in enumerate(records)
    ]


def greedy_plan(options: list[list[Option]], budget: float) -> list[Option]:
    """Best effect per cost first, at most one option per person, within the budget."""
    flat = [o for person in options for o in person]
    flat.sort(key=lambda o: (-o.effect / o.cost, o.cost))
    chosen: dict[int, Option] = {}
    spent = 0.0
    for option in flat:
        if option.person in chosen or spent + math.ceil(option.cost) > budget:
            continue
        chosen[option.person] = option
        spent += math.ceil(option.cost)
    return list(chosen.values())


def _hull(person: list[Option]) -> list[Option]:
    """The options on the upper concave hull of (cost, effect) from (0, 0): the only ones the
    linear relaxation uses, in order of cost, with falling effect per extra cost."""
    hull: list[Option] = []
    for option in sorted(person, key=lambda o: (math.ceil(o.cost), -o.effect)):
        while hull:
            last = hull[-1]
            before = hull[-2] if len(hull) > 1 else None
            c0, e0 = (math.ceil(before.cost), before.effect) if before else (0, 0.0)
            c1, e1 = math.ceil(last.cost), last.effect
            c2, e2 = math.ceil(option.cost), option.effect
            if e2 <= e1:
                break
            # drop `last` when it lies on or under the line from the previous point to `option`
            if (e1 - e0) * (c2 - c0) <= (e2 - e0) * (c1 - c0):
                hull.pop()
            else:
                break
        if not hull or option.effect > hull[-1].effect:
            hull.append(option)
    return hull


def relaxation_plan(options: list[list[Option]], budget: float) -> tuple[list[Option], float]:
    """The linear relaxation's bound and a plan from it (the multiple-choice knapsack's
    convex-hull greedy, Sinha and Zoltners 1979): every person but one is whole in the
    relaxation; that one is rounded down and the budget left is filled greedily along the hulls.
    Returns (plan, bound): no plan within the budget retains more than `bound`."""
    increments = []
    for index, person in enumerate(options):
        hull = _hull(person)
        previous_cost, previous_effect = 0, 0.0
        for step, option in enumerate(hull):
            cost = math.ceil(option.cost) - previous_cost
            gain = option.effect - previous_effect
            increments.append((gain / cost if cost > 0 else math.inf, index, step, cost, gain))
            previous_cost, previous_effect = math.ceil(option.cost), option.effect
    increments.sort(key=lambda item: (-item[0], item[1], item[2]))
    hulls = [_hull(person) for person in options]
    level = [-1] * len(options)
    spent, total, bound = 0, 0.0, None
    budget_units = math.floor(budget)
    for _slope, index, step, cost, gain in increments:
        if step != level[index] + 1:
            continue  # an earlier step of this person did not fit
        if spent + cost <= budget_units:
            level[index] = step
            spent += cost
            total += gain
        elif bound is None:
            bound = total + gain * (budget_units - spent) / cost
    if bound is None:
        bound = total
    chosen = [hulls[i][level[i]] for i in range(len(options)) if level[i] >= 0]
    return chosen, bound


def solve_plan(
    people: pd.DataFrame,
    *,
    budget: float,
    response: dict[str, float],
    menu: Menu = DEFAULT_MENU,
    time_limit: float = 30.0,
    workers: int = 4,
    progress: Any = None,
    gap_limit: float = GAP_LIMIT,
) -> PlanResult:
    """The plan that retains the most expected value within `budget` (yearly, company
    currency) from the people of `people` (PEOPLE_COLUMNS).

    The linear relaxation gives a bound and a plan; the better of it and the greedy plan is
    CP-SAT's starting point, so the result is never worse than greedy. Up to `EXACT_OPTIONS`
    options CP-SAT proves the optimum ("optimal"); above, when the relaxation's plan is within
    `gap_limit` of its bound it is returned at once ("feasible", with the bound and gap),
    else CP-SAT improves it for up to `time_limit` seconds."""
    started = time.perf_counter()
    report = progress or (lambda _fraction, _message: None)
    options = all_options(people, menu, response, budget)
    greedy = greedy_plan(options, budget)
    greedy_effect = sum(o.effect for o in greedy)
    relaxed, lp_bound = relaxation_plan(options, budget)
    relaxed_effect = sum(o.effect for o in relaxed)
    start = relaxed if relaxed_effect >= greedy_effect else greedy
    start_effect = max(relaxed_effect, greedy_effect)
    report(0.2, "options ready")
    size = sum(len(person) for person in options)
    if size > EXACT_OPTIONS and (lp_bound - start_effect) <= gap_limit * lp_bound:
        # large: the relaxation's plan is already within `gap_limit` of the bound
        return _result(people, start, budget, "feasible", lp_bound, greedy, started, size)
    model = cp_model.CpModel()
    variables: list[tuple[Any, Option]] = []
    cost_terms, effect_terms = [], []
    greedy_ids = {id(o) for o in start}
    for person in options:
        if not person:
            continue
        xs = []
        for option in person:
            x = model.new_bool_var("")
            xs.append(x)
            variables.append((x, option))
            cost_terms.append(math.ceil(option.cost) * x)
            effect_terms.append(round(option.effect) * x)
            model.add_hint(x, id(option) in greedy_ids)
        model.add_at_most_one(xs)
    model.add(sum(cost_terms) <= math.floor(budget))
    model.maximize(sum(effect_terms))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(time_limit)
    solver.parameters.num_workers = workers
    status = solver.solve(model) if variables else cp_model.OPTIMAL
    report(0.9, "solved")
    if variables and status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        chosen = [option for x, option in variables if solver.value(x)]
        state = "optimal" if status == cp_model.OPTIMAL else "feasible"
    else:
        chosen, state = [], "optimal"
    if sum(o.effect for o in chosen) < start_effect - 1e-6:
        chosen, state = start, "feasible"
    return _result(people, chosen, budget, state, lp_bound, greedy, started, size)


def _result(
    people: pd.DataFrame,
    chosen: list[Option],
    budget: float,
    state: str,
    bound: float,
    greedy: list[Option],
    started: float,
    size: int,
) -> PlanResult:
    effect = sum(o.effect for o in chosen)
    greedy_effect = sum(o.effect for o in greedy)
    if state == "optimal":
        bound = effect  # proven (on effects rounded to whole currency units)
    bound = max(bound, effect)
    gap = 0.0 if state == "optimal" or bound <= 0 else (bound - effect) / bound
    records = people[PEOPLE_COLUMNS].to_dict("records")
    lines = [_line(records[o.person], o) for o in chosen]
    lines.sort(key=lambda line: (-line.effect, line.employee_id))
    return PlanResult(
        lines=lines,
        budget=float(budget),
        total_cost=float(sum(math.ceil(o.cost) for o in chosen)),
        total_effect=float(effect),
        status=state,
        bound=float(bound),
        gap=round(gap, 6),
        greedy_effect=float(greedy_effect),
        greedy_cost=float(sum(math.ceil(o.cost) for o in greedy)),
        seconds=time.perf_counter() - started,
        candidates=len(people),
        options=size,
    )


def _line(row: dict[str, Any], option: Option) -> PlanLine:
    risk_before = float(row["probability"])
    reasons: list[dict[str, Any]] = [
        {
            "template": gettext_noop("leaving risk %(before)s → %(after)s"),
            "params": {"before": f"{risk_before:.2f}", "after": f"{option.risk_after:.2f}"},
        },
        {
            "template": gettext_noop(
                "value to keep %(value)s (key-talent score × replacement cost)"
            ),
            "params": {"value": f"{float(row['value']):,.0f}"},
        },
    ]
    for action in option.actions:
        if action["instrument"] == "raise":
            compa = float(row["base_pay"]) / float(row["band_mid"])
            new = (float(row["base_pay"]) + action["amount"]) / float(row["band_mid"])
            reasons.append(
                {
                    "template": gettext_noop(
                        "a %(share)s raise moves the compa-ratio %(old)s → %(new)s"
                    ),
                    "params": {
                        "share": f"{action['share']:.0%}",
                        "old": f"{compa:.2f}",
                        "new": f"{new:.2f}",
                    },
                }
            )
        elif action["instrument"] == "promotion":
            reasons.append(
                {
                    "template": gettext_noop(
                        "%(months)s months since the last promotion; promotion to the next grade"
                    ),
                    "params": {"months": f"{float(row['months_since_promotion']):.0f}"},
                }
            )
    return PlanLine(
        employee_id=int(row["employee_id"]),
        actions=[dict(a) for a in option.actions],
        cost=float(math.ceil(option.cost)),
        effect=float(option.effect),
        value=float(row["value"]),
        risk_before=risk_before,
        risk_after=float(option.risk_after),
        reasons=reasons,
    )


class BudgetPoint(TypedDict):
    """One point of the budget curve: the best plan's effect and cost (yearly, company
    currency) at `budget`, and the solver's status for it."""

    budget: float
    total_effect: float
    total_cost: float
    status: str


def budget_curve(
    people: pd.DataFrame,
    *,
    budgets: list[float],
    response: dict[str, float],
    menu: Menu = DEFAULT_MENU,
    time_limit: float = 5.0,
) -> list[BudgetPoint]:
    """Total effect and cost of the best plan at each budget (yearly, company currency)."""
    out: list[BudgetPoint] = []
    for budget in sorted(budgets):
        result = solve_plan(
            people, budget=budget, response=response, menu=menu, time_limit=time_limit
        )
        out.append(
            {
                "budget": float(budget),
                "total_effect": round(result.total_effect, 2),
                "total_cost": round(result.total_cost, 2),
                "status": result.status,
            }
        )
    return out
