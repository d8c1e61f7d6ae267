"""The incentive plan: which raises, bonuses, options, leave, promotions and programmes to give
whom, within a yearly budget, so that the company keeps more than it spends. Solved exactly
with OR-Tools CP-SAT (small cases) or the linear relaxation's plan and bound (large ones).

Pure: numpy, pandas and OR-Tools, no Django import.

What keeping a person is worth
------------------------------
A person who leaves must be replaced. The key-talent engine (`key_talent.py`) estimates what
that costs: `replacement_months` (HIRE_MONTHS = 3 to find and hire someone, plus one month per
grade for the newcomer to ramp up; 6 without a grade) times the person's monthly base pay. The
months of pay stand for the hiring cost and the output lost while the seat is empty and while
the replacement learns the job. That replacement cost is the person's value V_i here (company
currency, `value` column, as `talent.services.plan_people` passes it). The key-talent score is
a ranking, not money, and is not multiplied in.

The problem
-----------
Each person i has a value V_i and a leaving risk p_i (probability of leaving within 12 months,
from the fitted model). An option is one pay action (nothing, a raise of k steps, or a
promotion) combined with at most one extra (nothing, a one-time bonus, stock options, extra
paid-leave days, a development programme). An option costs C_io and moves the person's log-odds
of leaving by D_io; its expected retained value is E_io = V_i x (p_i - sigmoid(logit(p_i) +
D_io)): the replacement cost times the fall in the 12-month leaving risk.

Its expected NET value is N_io = E_io - C_io, both in company currency for the plan's first
year (the 12 months the risk is measured over). How each cost is counted in that year:

* a raise or a promotion: the yearly pay increase (one year of it: the risk it buys is also
  one year's; the next year's plan counts it again against the next year's risk);
* a one-time bonus, stock options (`option_units` x `option_unit_value`, valued when granted),
  extra paid-leave days (`leave_days` x base pay / `work_days`) and a development programme:
  their whole amount, in the year they are given.

Choose at most one option per person, total cost within the budget, to maximise the total net
value: a multiple-choice knapsack with the budget as a cap, not a target. An option whose net
value is not positive is never offered, so the plan spends less than the budget, or nothing,
when nothing more is worth its cost; `worth_cost` says what the plan would spend with no
budget at all (each person's best option), so a caller can say whether the budget binds. Costs
are rounded up to whole currency units (so the budget holds for the real amounts); CP-SAT
works on net values in cents and proves the optimum or reports its bound. Each line's return
is E / C (retained value per unit of cost; above 1 when the line is worth its cost).

How each instrument moves the risk (the fitted model's response, `response[feature]` in
log-odds per unit; exact for the logistic model)
------------------------------------------------------------------------------------------
* raise of k steps (k x `raise_step` of base pay, up to `raise_max_steps`): compa-ratio rises by
  the raise over the band midpoint, and months since the last raise fall to 0:
  D = r[compa_ratio] x raise / band_mid - r[months_since_raise] x months_since_raise.
  Never above the band maximum (a raise that would cross it is not offered). Someone paid at
  or above the midpoint is raised only when the fall in risk is worth the raise: nothing else
  holds it back, and at the model's usual response it rarely is.
* promotion to the next grade of the same job family: pay rises by `promotion_raise` and to at
  least the new band's minimum; compa-ratio is re-measured against the new band; months since
  promotion and since raise fall to 0; grade + 1. Cost: the pay increase.
* one-time bonus (`bonus_share` of base pay), stock options, extra paid-leave days: the model
  has no feature for them, so each counts as a raise of its amount times its `*_equivalence`
  (an assumption, editable in the menu, not a measurement): D = r[compa_ratio] x amount x
  equivalence / band_mid.
* development programme (`development_cost` each): counts as `development_equivalence` of a
  promotion's effect through months since promotion (an assumption, editable); its cost does
  not change its effect.

A line's amounts may be edited by hand before approval (`evaluate_actions` re-prices the line
with the same formulas: `with_amount` checks the band maximum and the next band's minimum).
Money in the company's currency.
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


class PlanEditError(ValueError):
    """An edit of a plan line that the rules refuse (a raise above the band maximum, a
    promotion below the next band's minimum, an amount that is not positive), in plain words."""


@dataclass(frozen=True)
class Option:
    """One combination of instruments for one person."""

    person: int  # row index in the people frame
    actions: tuple[dict[str, Any], ...]
    cost: float  # company currency, counted as the module docstring says
    delta_logit: float
    effect: float  # expected retained value, company currency
    risk_after: float

    @property
    def whole_cost(self) -> int:
        """The cost rounded up to whole currency units, as the budget counts it."""
        return math.ceil(self.cost)

    @property
    def net(self) -> float:
        """Expected net value: retained value minus the (whole) cost, company currency."""
        return self.effect - self.whole_cost


def _net_units(option: Option) -> int:
    """The net value in cents: CP-SAT's integer objective coefficient."""
    return round(option.effect * 100) - 100 * option.whole_cost


@dataclass
class PlanLine:
    """What the plan gives one person, with its cost, effect and reasons; `inputs` is the
    engine's row of the person (PEOPLE_COLUMNS, NaN as None) so that an edit re-prices the
    line as the solver priced it."""

    employee_id: int
    actions: list[dict[str, Any]]
    cost: float
    effect: float
    value: float
    risk_before: float
    risk_after: float
    reasons: list[dict[str, Any]] = field(default_factory=list)
    inputs: dict[str, Any] = field(default_factory=dict)

    @property
    def net(self) -> float:
        """Expected retained value minus cost, company currency."""
        return self.effect - self.cost


def plan_return(*, effect: float, cost: float) -> float | None:
    """Retained value per unit of cost (above 1: worth its cost); None when nothing is spent."""
    return effect / cost if cost > 0 else None


@dataclass
class PlanResult:
    """A plan: its lines, totals, and how good it is proven to be (money: company currency)."""

    lines: list[PlanLine]
    budget: float
    total_cost: float
    total_effect: float
    status: str  # "optimal", "feasible" (within `gap` of the bound) or "greedy"
    bound: float  # no plan within the budget has a higher net value than this
    gap: float  # (bound - total_net) / bound; 0 when proven optimal
    greedy_effect: float
    greedy_cost: float
    seconds: float
    candidates: int
    options: int
    greedy_net: float = 0.0
    worth_cost: float = 0.0  # what the best plan would spend with no budget
    worth_net: float = 0.0  # and its net value

    @property
    def total_net(self) -> float:
        return self.total_effect - self.total_cost

    def summary(self) -> dict[str, Any]:
        ratio = plan_return(effect=self.total_effect, cost=self.total_cost)
        return {
            "budget": self.budget,
            "total_cost": round(self.total_cost, 2),
            "total_effect": round(self.total_effect, 2),
            "total_net": round(self.total_net, 2),
            "return": None if ratio is None else round(ratio, 4),
            "status": self.status,
            "bound": round(self.bound, 2),
            "gap": self.gap,
            "greedy_effect": round(self.greedy_effect, 2),
            "greedy_cost": round(self.greedy_cost, 2),
            "greedy_net": round(self.greedy_net, 2),
            "worth_cost": round(self.worth_cost, 2),
            "worth_net": round(self.worth_net, 2),
            "budget_binds": self.worth_cost > self.budget,
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


@dataclass(frozen=True)
class _Person:
    """One row of the people frame as numbers (NaN where unknown; months 0 where unknown)."""

    pay: float
    mid: float
    band_max: float
    probability: float
    value: float
    months_since_raise: float
    months_since_promotion: float
    next_min: float
    next_mid: float

    @property
    def logit(self) -> float:
        return math.log(self.probability) - math.log1p(-self.probability)


def _person(row: dict[str, Any]) -> _Person | None:
    """The row as numbers, or None when it cannot be planned (no pay, band or value)."""
    pay, mid, value = _num(row["base_pay"]), _num(row["band_mid"]), _num(row["value"])
    p = _num(row["probability"])
    if not (pay > 0 and mid > 0 and value > 0) or math.isnan(p):
        return None
    msr = _num(row["months_since_raise"])
    msp = _num(row["months_since_promotion"])
    return _Person(
        pay=pay,
        mid=mid,
        band_max=_num(row["band_max"]),
        probability=min(max(p, 1e-9), 1 - 1e-9),
        value=value,
        months_since_raise=0.0 if math.isnan(msr) else msr,
        months_since_promotion=0.0 if math.isnan(msp) else msp,
        next_min=_num(row["next_band_min"]),
        next_mid=_num(row["next_band_mid"]),
    )


_EQUIVALENCE = {
    "bonus": "bonus_equivalence",
    "options": "options_equivalence",
    "leave": "leave_equivalence",
}


def action_cost(action: dict[str, Any], *, base_pay: float) -> float:
    """What one action costs (company currency): a promotion its pay increase over
    `base_pay`, every other action its `amount`."""
    if action["instrument"] == "promotion":
        return float(action["new_base_pay"]) - base_pay
    return float(action["amount"])


def _action_delta(
    action: dict[str, Any], person: _Person, menu: Menu, response: dict[str, float]
) -> float:
    """How one action moves the person's log-odds of leaving (the module docstring's D)."""
    r_compa = response.get("compa_ratio", 0.0)
    r_raise = response.get("months_since_raise", 0.0)
    r_promo = response.get("months_since_promotion", 0.0)
    instrument = action["instrument"]
    if instrument == "raise":
        return float(
            r_compa * float(action["amount"]) / person.mid - r_raise * person.months_since_raise
        )
    if instrument == "promotion":
        new_pay = float(action["new_base_pay"])
        return float(
            r_compa * (new_pay / person.next_mid - person.pay / person.mid)
            - r_promo * person.months_since_promotion
            - r_raise * person.months_since_raise
            + response.get("grade", 0.0)
        )
    if instrument == "development":
        return float(-r_promo * person.months_since_promotion * menu.development_equivalence)
    equivalence = float(getattr(menu, _EQUIVALENCE[instrument]))
    return float(r_compa * float(action["amount"]) * equivalence / person.mid)


def _option(
    index: int,
    actions: tuple[dict[str, Any], ...],
    person: _Person,
    menu: Menu,
    response: dict[str, float],
    *,
    cost: float | None = None,
) -> Option:
    delta = sum(_action_delta(a, person, menu, response) for a in actions)
    after = _sigmoid(person.logit + delta)
    if cost is None:
        cost = sum(action_cost(a, base_pay=person.pay) for a in actions)
    return Option(
        person=index,
        actions=actions,
        cost=cost,
        delta_logit=delta,
        effect=person.value * (person.probability - after),
        risk_after=after,
    )


def person_options(
    row: dict[str, Any], index: int, menu: Menu, response: dict[str, float]
) -> list[Option]:
    """Every option of one person (see the module docstring) whose expected net value is
    positive, the dominated ones left out."""
    person = _person(row)
    if person is None:
        return []
    pay = person.pay
    # (actions, exact cost): the costs unrounded, the amounts shown rounded to cents
    pay_actions: list[tuple[tuple[dict[str, Any], ...], float]] = [((), 0.0)]
    if menu.raise_enabled:
        for k in range(1, menu.raise_max_steps + 1):
            share = round(menu.raise_step * k, 6)
            amount = pay * share
            if not math.isnan(person.band_max) and pay + amount > person.band_max + 1e-6:
                break  # never above the band maximum without a promotion
            action = {"instrument": "raise", "share": share, "amount": round(amount, 2)}
            pay_actions.append(((action,), amount))
    if menu.promotion_enabled and person.next_mid > 0:
        floor = 0.0 if math.isnan(person.next_min) else person.next_min
        new_pay = max(pay * (1 + menu.promotion_raise), floor)
        action = {"instrument": "promotion", "new_base_pay": round(new_pay, 2)}
        pay_actions.append(((action,), new_pay - pay))

    extras: list[tuple[tuple[dict[str, Any], ...], float]] = [((), 0.0)]
    if menu.bonus_enabled and menu.bonus_share > 0:
        amount = pay * menu.bonus_share
        extras.append((({"instrument": "bonus", "amount": round(amount, 2)},), amount))
    if menu.options_enabled and menu.option_units > 0:
        amount = menu.option_units * menu.option_unit_value
        action = {"instrument": "options", "units": menu.option_units, "amount": round(amount, 2)}
        extras.append(((action,), amount))
    if menu.leave_enabled and menu.leave_days > 0:
        amount = pay / menu.work_days * menu.leave_days
        action = {"instrument": "leave", "days": menu.leave_days, "amount": round(amount, 2)}
        extras.append(((action,), amount))
    if menu.development_enabled and menu.development_cost > 0:
        action = {"instrument": "development", "amount": round(menu.development_cost, 2)}
        extras.append(((action,), menu.development_cost))

    options = []
    for pay_action, pay_cost in pay_actions:
        for extra, extra_cost in extras:
            if not pay_action and not extra:
                continue
            option = _option(
                index, pay_action + extra, person, menu, response, cost=pay_cost + extra_cost
            )
            if option.cost > 0 and option.net > 0:
                options.append(option)
    return _undominated(options)


def _undominated(options: list[Option]) -> list[Option]:
    """Drop options that cost at least as much as another and are worth no more net (safe:
    such an option is never needed in an optimal plan)."""
    kept: list[Option] = []
    best = -math.inf
    for option in sorted(options, key=lambda o: (o.whole_cost, -o.net)):
        if option.net > best + 1e-9:
            kept.append(option)
            best = option.net
    return kept


def with_amount(
    row: dict[str, Any], action: dict[str, Any], amount: float, menu: Menu
) -> dict[str, Any]:
    """`action` of the person of `row` with a new `amount` (company currency; for a promotion
    the pay increase): the share of a raise, the units of options and the days of leave follow
    from it. Raises PlanEditError when the rules refuse it: not a positive amount, a raise
    above the band maximum, a promotion below the next band's minimum."""
    person = _person(row)
    if person is None:
        raise PlanEditError("this person has no pay, band or value to re-price the line with")
    if not (math.isfinite(amount) and amount > 0):
        raise PlanEditError(f"the amount must be more than 0, not {amount!r}")
    amount = round(float(amount), 2)
    instrument = action["instrument"]
    if instrument == "raise":
        if not math.isnan(person.band_max) and person.pay + amount > person.band_max + 1e-6:
            raise PlanEditError(
                f"a raise of {amount:,.2f} takes the pay above the band maximum "
                f"{person.band_max:,.2f}: propose a promotion instead"
            )
        return {"instrument": "raise", "share": round(amount / person.pay, 6), "amount": amount}
    if instrument == "promotion":
        new_pay = round(person.pay + amount, 2)
        if not math.isnan(person.next_min) and new_pay < person.next_min - 1e-6:
            raise PlanEditError(
                f"a promotion pays at least the next band's minimum {person.next_min:,.2f}, "
                f"not {new_pay:,.2f}"
            )
        return {"instrument": "promotion", "new_base_pay": new_pay}
    if instrument == "options":
        units = max(1, round(amount / menu.option_unit_value)) if menu.option_unit_value else 1
        return {"instrument": "options", "units": units, "amount": amount}
    if instrument == "leave":
        days = round(amount / (person.pay / menu.work_days), 1)
        return {"instrument": "leave", "days": days, "amount": amount}
    if instrument in ("bonus", "development"):
        return {"instrument": instrument, "amount": amount}
    raise PlanEditError(f"unknown instrument {instrument!r}")


def evaluate_actions(
    row: dict[str, Any], actions: list[dict[str, Any]], menu: Menu, response: dict[str, float]
) -> PlanLine:
    """The plan line of the person of `row` (PEOPLE_COLUMNS) given `actions`, priced with the
    solver's formulas: cost (whole units), retained value, risk after, reasons. Raises
    PlanEditError when the row cannot be planned."""
    person = _person(row)
    if person is None:
        raise PlanEditError("this person has no pay, band or value to re-price the line with")
    option = _option(0, tuple(dict(a) for a in actions), person, menu, response)
    return _line(row, option)


def all_options(
    people: pd.DataFrame, menu: Menu, response: dict[str, float], budget: float
) -> list[list[Option]]:
    """The options of every person (rows of `people`), those that fit the budget alone."""
    return [
        [o for o in person if o.cost <= budget] for person in _every_option(people, menu, response)
    ]


def _every_option(
    people: pd.DataFrame, menu: Menu, response: dict[str, float]
) -> list[list[Option]]:
    records = people[PEOPLE_COLUMNS].to_dict("records")
    return [person_options(row, i, menu, response) for i, row in enumerate(records)]


def worth_spending(options: list[list[Option]]) -> list[Option]:
    """Each person's option of the highest net value: the best plan when the budget does not
    bind (what would be worth spending with no budget at all)."""
    return [max(person, key=lambda o: (o.net, -o.cost)) for person in options if person]


def greedy_plan(options: list[list[Option]], budget: float, *, by: str = "return") -> list[Option]:
    """At most one option per person within the budget, taken in order of net value per cost
    (`by="return"`) or of net value (`by="net"`), each as long as it fits."""
    flat = [o for person in options for o in person]
    if by == "net":
        flat.sort(key=lambda o: (-o.net, o.cost))
    else:
        flat.sort(key=lambda o: (-o.net / o.cost, o.cost))
    chosen: dict[int, Option] = {}
    spent = 0
    for option in flat:
        if option.person in chosen or spent + option.whole_cost > budget:
            continue
        chosen[option.person] = option
        spent += option.whole_cost
    return list(chosen.values())


def _net(plan: list[Option]) -> float:
    return sum(o.net for o in plan)


def _hull(person: list[Option]) -> list[Option]:
    """The options on the upper concave hull of (cost, net value) from (0, 0): the only ones
    the linear relaxation uses, in order of cost, with falling net value per extra cost."""
    hull: list[Option] = []
    for option in sorted(person, key=lambda o: (o.whole_cost, -o.net)):
        while hull:
            last = hull[-1]
            before = hull[-2] if len(hull) > 1 else None
            c0, e0 = (before.whole_cost, before.net) if before else (0, 0.0)
            c1, e1 = last.whole_cost, last.net
            c2, e2 = option.whole_cost, option.net
            if e2 <= e1:
                break
            # drop `last` when it lies on or under the line from the previous point to `option`
            if (e1 - e0) * (c2 - c0) <= (e2 - e0) * (c1 - c0):
                hull.pop()
            else:
                break
        if not hull or option.net > hull[-1].net:
            hull.append(option)
    return hull


def relaxation_plan(options: list[list[Option]], budget: float) -> tuple[list[Option], float]:
    """The linear relaxation's bound and a plan from it (the multiple-choice knapsack's
    convex-hull greedy, Sinha and Zoltners 1979) on net values: every person but one is whole
    in the relaxation; that one is rounded down and the budget left is filled greedily along
    the hulls. Returns (plan, bound): no plan within the budget has a higher net value."""
    hulls = [_hull(person) for person in options]
    increments = []
    for index, hull in enumerate(hulls):
        previous_cost, previous_net = 0, 0.0
        for step, option in enumerate(hull):
            cost = option.whole_cost - previous_cost
            gain = option.net - previous_net
            increments.append((gain / cost if cost > 0 else math.inf, index, step, cost, gain))
            previous_cost, previous_net = option.whole_cost, option.net
    increments.sort(key=lambda item: (-item[0], item[1], item[2]))
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
    """The plan of the highest expected net value (retained value minus cost, company
    currency) that costs at most `budget`, from the people of `people` (PEOPLE_COLUMNS).

    The budget is a cap: only options worth more than they cost are offered, so the plan may
    spend less, or nothing. The linear relaxation gives a bound and a plan; the best of it and
    the two greedy plans (by return, by net value) is CP-SAT's starting point, so the result is
    never worse than either greedy plan. Up to `EXACT_OPTIONS` options CP-SAT proves the
    optimum ("optimal"); above, when the relaxation's plan is within `gap_limit` of its bound
    it is returned at once ("feasible", with the bound and gap), else CP-SAT improves it for up
    to `time_limit` seconds."""
    started = time.perf_counter()
    report = progress or (lambda _fraction, _message: None)
    every = _every_option(people, menu, response)
    worth = worth_spending(every)
    options = [[o for o in person if o.cost <= budget] for person in every]
    greedy = max(
        (greedy_plan(options, budget, by="return"), greedy_plan(options, budget, by="net")),
        key=_net,
    )
    relaxed, lp_bound = relaxation_plan(options, budget)
    start = relaxed if _net(relaxed) >= _net(greedy) else greedy
    start_net = _net(start)
    report(0.2, "options ready")
    size = sum(len(person) for person in options)
    context = _Context(people, budget, lp_bound, greedy, worth, started, size)
    if size > EXACT_OPTIONS and (lp_bound - start_net) <= gap_limit * lp_bound:
        # large: the relaxation's plan is already within `gap_limit` of the bound
        return _result(context, start, "feasible")
    model = cp_model.CpModel()
    variables: list[tuple[Any, Option]] = []
    cost_terms, net_terms = [], []
    start_ids = {id(o) for o in start}
    for person in options:
        if not person:
            continue
        xs = []
        for option in person:
            x = model.new_bool_var("")
            xs.append(x)
            variables.append((x, option))
            cost_terms.append(option.whole_cost * x)
            net_terms.append(_net_units(option) * x)
            model.add_hint(x, id(option) in start_ids)
        model.add_at_most_one(xs)
    model.add(sum(cost_terms) <= math.floor(budget))
    model.maximize(sum(net_terms))
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
    if _net(chosen) < start_net - 1e-6:
        chosen, state = start, "feasible"
    return _result(context, chosen, state)


@dataclass(frozen=True)
class _Context:
    """What `_result` needs besides the chosen options."""

    people: pd.DataFrame
    budget: float
    bound: float
    greedy: list[Option]
    worth: list[Option]
    started: float
    size: int


def _result(context: _Context, chosen: list[Option], state: str) -> PlanResult:
    net = _net(chosen)
    bound = net if state == "optimal" else context.bound  # proven (on net values in cents)
    bound = max(bound, net)
    gap = 0.0 if state == "optimal" or bound <= 0 else (bound - net) / bound
    records = context.people[PEOPLE_COLUMNS].to_dict("records")
    lines = [_line(records[o.person], o) for o in chosen]
    lines.sort(key=lambda line: (-line.net, line.employee_id))
    return PlanResult(
        lines=lines,
        budget=float(context.budget),
        total_cost=float(sum(o.whole_cost for o in chosen)),
        total_effect=float(sum(o.effect for o in chosen)),
        status=state,
        bound=float(bound),
        gap=round(gap, 6),
        greedy_effect=float(sum(o.effect for o in context.greedy)),
        greedy_cost=float(sum(o.whole_cost for o in context.greedy)),
        greedy_net=float(_net(context.greedy)),
        worth_cost=float(sum(o.whole_cost for o in context.worth)),
        worth_net=float(_net(context.worth)),
        seconds=time.perf_counter() - context.started,
        candidates=len(context.people),
        options=context.size,
    )


def _months(value: Any) -> float:
    number = _num(value)
    return 0.0 if math.isnan(number) else number


def _inputs(row: dict[str, Any]) -> dict[str, Any]:
    """The engine's row as JSON can hold it: numbers, NaN as None."""
    out: dict[str, Any] = {}
    for key in PEOPLE_COLUMNS:
        value = row.get(key)
        if key == "employee_id":
            out[key] = int(value) if value is not None else None
            continue
        number = _num(value)
        out[key] = None if math.isnan(number) else number
    return out


def _line(row: dict[str, Any], option: Option) -> PlanLine:
    risk_before = float(row["probability"])
    cost = float(option.whole_cost)
    ratio = plan_return(effect=option.effect, cost=cost)
    reasons: list[dict[str, Any]] = [
        {
            "template": gettext_noop("leaving risk %(before)s → %(after)s"),
            "params": {"before": f"{risk_before:.2f}", "after": f"{option.risk_after:.2f}"},
        },
        {
            "template": gettext_noop(
                "replacing them would cost %(value)s (hiring, ramp-up and lost output)"
            ),
            "params": {"value": f"{float(row['value']):,.0f}"},
        },
        {
            "template": gettext_noop(
                "keeps %(effect)s for %(cost)s: net %(net)s, return %(ratio)s"
            ),
            "params": {
                "effect": f"{option.effect:,.0f}",
                "cost": f"{cost:,.0f}",
                "net": f"{option.effect - cost:,.0f}",
                "ratio": "–" if ratio is None else f"{ratio:.2f}",
            },
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
                    "params": {"months": f"{_months(row['months_since_promotion']):.0f}"},
                }
            )
    return PlanLine(
        employee_id=int(row["employee_id"]),
        actions=[dict(a) for a in option.actions],
        cost=cost,
        effect=float(option.effect),
        value=float(row["value"]),
        risk_before=risk_before,
        risk_after=float(option.risk_after),
        reasons=reasons,
        inputs=_inputs(row),
    )


class BudgetPoint(TypedDict):
    """One point of the budget curve: the best plan's retained value, net value and cost
    (company currency) at `budget`, and the solver's status for it."""

    budget: float
    total_effect: float
    total_net: float
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
    """Retained value, net value and cost of the best plan at each budget (company
    currency); past `worth_cost` the curve is flat: more budget buys nothing worth it."""
    out: list[BudgetPoint] = []
    for budget in sorted(budgets):
        result = solve_plan(
            people, budget=budget, response=response, menu=menu, time_limit=time_limit
        )
        out.append(
            {
                "budget": float(budget),
                "total_effect": round(result.total_effect, 2),
                "total_net": round(result.total_net, 2),
                "total_cost": round(result.total_cost, 2),
                "status": result.status,
            }
        )
    return out
