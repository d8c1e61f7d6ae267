"""Key and irreplaceable people: who the company can least afford to lose, and why (no Django).

Inputs are plain data frames (see PEOPLE_COLUMNS, REVIEW_COLUMNS, HOLDING_COLUMNS and
SKILL_TOTAL_COLUMNS); money is yearly base pay in the company's currency, ratings 1-5,
potential 1-3, skill levels 0-5. Per person:

- **performance**: the mean of the last two review ratings (the only one when there is one;
  NaN when never reviewed). Reviews are ordered by review date (undated last), then period.
- **potential**: the potential of the latest review that records one (1-3; NaN when none).
- **skill scarcity**: for each skill the person holds at level EXPERT_LEVEL (4) or more, `others`
  is how many OTHER current employees hold it at 4+ (counted over the whole company, not only
  the people scored); that skill's scarcity is 1 / (1 + others), and the person's scarcity is
  the maximum over their skills (0 with no skill at 4+). 1.0 means nobody else holds it.
- **replacement cost**: months to hire and ramp up a replacement (`replacement_months`: HIRE_MONTHS
  to hire plus one month per grade to ramp up, so 3 + grade; NO_GRADE_MONTHS without a grade)
  times monthly pay (yearly base pay / 12), in the company's currency. NaN when the pay is
  unknown (or not visible to the reader).
- **score** in [0, 1]: the weighted sum (WEIGHTS) of four components each in [0, 1]:
  performance (rating - 1) / 4, potential (potential - 1) / 2, scarcity as is, and replacement
  cost / (cost + reference_cost), where reference_cost is a yardstick in the same currency (the
  selector passes the company's average yearly base pay: replacing someone at the cost of one
  average year's pay counts 0.5). A missing component counts 0.
- **irreplaceable**: the company would lose a skill, or most of it, if this person left: for at
  least one skill they are the only current holder at 4+, or their level is more than half of
  the sum of the levels of all the level-4+ holders of that skill.
- **reasons**: plain words (`Reason`, English by `str()`, translatable by its template), the
  strongest contribution to the score first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from gmassist.lib.normalize import gettext_noop

PEOPLE_COLUMNS = (
    "employee_id",
    "employee_no",
    "full_name",
    "department_id",
    "department_code",
    "department",
    "position",
    "grade",  # NaN / None when the position has no grade
    "base_pay",  # yearly, company currency; NaN when unknown or not visible
)
REVIEW_COLUMNS = ("employee_id", "review_date", "period", "rating", "potential")
HOLDING_COLUMNS = ("employee_id", "skill_id", "skill", "level")
# per skill, over every current employee of the company: holders at EXPERT_LEVEL+, sum of levels
SKILL_TOTAL_COLUMNS = ("skill_id", "holders", "total_level")

EXPERT_LEVEL = 4
HIRE_MONTHS = 3  # to find and hire a replacement
NO_GRADE_MONTHS = 6  # hire and ramp-up when the position has no grade
MONTHS_PER_YEAR = 12

# The score's weights (they sum to 1): what a person does now and could do, how hard their
# skills are to find, and what replacing them costs.
WEIGHTS = {"performance": 0.35, "potential": 0.15, "scarcity": 0.35, "replacement": 0.15}


@dataclass(frozen=True)
class Reason:
    """One reason in plain words: `template` with %-style named `params` (already formatted).

    str() is the English sentence; a Django caller translates `template` and fills in `params`.
    `component` names the score component it explains and `weight` its share of the score.
    """

    component: str
    template: str
    params: dict[str, Any] = field(default_factory=dict)
    weight: float = 0.0

    def __str__(self) -> str:
        return self.template % self.params


def replacement_months(grade: Any) -> int:
    """Months to hire and ramp up a replacement: HIRE_MONTHS + grade (NO_GRADE_MONTHS without)."""
    if grade is None or (isinstance(grade, float) and math.isnan(grade)):
        return NO_GRADE_MONTHS
    return HIRE_MONTHS + int(grade)


def _about(amount: float) -> str:
    """An amount as a person says it: to the thousand (to the ten below 1,000), with commas."""
    rounded = round(amount, -3) if amount >= 1000 else round(amount, -1)
    return f"{rounded:,.0f}"


def _nan(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _reviews_by_person(reviews: pd.DataFrame) -> dict[int, tuple[list[int], float]]:
    """{employee id: (the two latest ratings, latest first, and the latest potential or NaN)}.

    Latest = dated reviews before undated ones, then the later date, then the later period.
    Column operations over the whole frame (no loop per person: 100,000 reviews of 20,000
    people take tens of milliseconds)."""
    out: dict[int, tuple[list[int], float]] = {}
    if reviews.empty:
        return out
    frame = pd.DataFrame(
        {
            "employee_id": reviews["employee_id"].astype("int64"),
            "_dated": reviews["review_date"].notna(),
            "_date": pd.to_datetime(reviews["review_date"]),
            "_period": reviews["period"].astype(str),
            "rating": pd.to_numeric(reviews["rating"], errors="coerce"),
            "potential": pd.to_numeric(reviews["potential"], errors="coerce"),
        }
    )
    frame = frame.sort_values(
        ["employee_id", "_dated", "_date", "_period"],
        ascending=[True, False, False, False],
        na_position="last",
        kind="stable",
    )
    rated = frame[frame["rating"].notna()]
    rated = rated[rated.groupby("employee_id", sort=False).cumcount() < 2]
    potentials = (
        frame[frame["potential"].notna()].groupby("employee_id", sort=False)["potential"].first()
    )
    for employee_id in frame["employee_id"].unique().tolist():
        out[employee_id] = ([], math.nan)
    for employee_id, rating in zip(
        rated["employee_id"].tolist(), rated["rating"].tolist(), strict=True
    ):
        out[employee_id][0].append(int(rating))
    for employee_id, potential in zip(potentials.index.tolist(), potentials.tolist(), strict=True):
        out[employee_id] = (out[employee_id][0], float(potential))
    return out


@dataclass
class _Skill:
    skill_id: int
    name: str
    level: int
    others: int
    scarcity: float
    irreplaceable: bool
    only_holder: bool


def _skills_by_person(
    holdings: pd.DataFrame, skill_totals: pd.DataFrame
) -> dict[int, list[_Skill]]:
    totals = {
        int(row.skill_id): (int(row.holders), float(row.total_level))
        for row in skill_totals.itertuples(index=False)
    }
    out: dict[int, list[_Skill]] = {}
    for row in holdings.itertuples(index=False):
        level = int(row.level)
        if level < EXPERT_LEVEL:
            continue
        holders, total_level = totals.get(int(row.skill_id), (1, float(level)))
        # the totals include this person; never fewer than them
        holders, total_level = max(holders, 1), max(total_level, float(level))
        others = holders - 1
        only = others == 0
        out.setdefault(int(row.employee_id), []).append(
            _Skill(
                skill_id=int(row.skill_id),
                name=str(row.skill),
                level=level,
                others=others,
                scarcity=1.0 / (1 + others),
                irreplaceable=only or level > total_level / 2,
                only_holder=only,
            )
        )
    return out


def _scarcity_reason(skill: _Skill, weight: float) -> Reason:
    params = {"skill": skill.name, "level": skill.level, "others": skill.others}
    if skill.others == 0:
        template = gettext_noop("holds %(skill)s at level %(level)d; nobody else does")
    elif skill.others == 1:
        template = gettext_noop("holds %(skill)s at level %(level)d; only 1 other person does")
    else:
        template = gettext_noop(
            "holds %(skill)s at level %(level)d; only %(others)d other people do"
        )
    return Reason("scarcity", template, params, weight)


def key_talent(
    people: pd.DataFrame,
    reviews: pd.DataFrame,
    holdings: pd.DataFrame,
    skill_totals: pd.DataFrame,
    *,
    reference_cost: float | None,
    weights: dict[str, float] | None = None,
) -> pd.DataFrame:
    """Each person's key-talent score, its parts, the irreplaceable flag and the reasons.

    Returns `people` (one row each, same order) with these columns added: `last_ratings` (list,
    latest first, at most two), `performance`, `potential`, `scarcity`, `scarce_skill` (the name
    of the skill that gives the scarcity, "" when none), `others_holding` (how many others hold
    it at 4+, None when none), `replacement_months`, `replacement_cost`, the four components
    `c_performance`, `c_potential`, `c_scarcity`, `c_replacement` (each in [0, 1]), `score`,
    `irreplaceable`, `irreplaceable_skills` (names), `reasons` (list of Reason, strongest
    first) and `top_reason` (the first, in English; "" when none).
    """
    weights = dict(WEIGHTS if weights is None else weights)
    by_reviews = _reviews_by_person(reviews)
    by_skills = _skills_by_person(holdings, skill_totals)
    out = people.copy().reset_index(drop=True)
    records = [
        _person_record(
            person, by_reviews, by_skills, reference_cost=reference_cost, weights=weights
        )
        for person in out.itertuples(index=False)
    ]
    added = pd.DataFrame(records, columns=_ADDED_COLUMNS)
    added["irreplaceable"] = added["irreplaceable"].astype(bool)
    # a count or None, not a float with NaN
    added["others_holding"] = pd.Series([r["others_holding"] for r in records], dtype=object)
    for name in ("performance", "potential", "replacement_cost"):
        added[name] = added[name].astype(float)
    return pd.concat([out, added], axis=1)


_ADDED_COLUMNS = [
    "last_ratings",
    "performance",
    "potential",
    "scarcity",
    "scarce_skill",
    "others_holding",
    "replacement_months",
    "replacement_cost",
    "c_performance",
    "c_potential",
    "c_scarcity",
    "c_replacement",
    "score",
    "irreplaceable",
    "irreplaceable_skills",
    "reasons",
    "top_reason",
]


def _person_record(
    person: Any,
    by_reviews: dict[int, tuple[list[int], float]],
    by_skills: dict[int, list[_Skill]],
    *,
    reference_cost: float | None,
    weights: dict[str, float],
) -> dict[str, Any]:
    """The added columns (`_ADDED_COLUMNS`) of one person (a row of `people`)."""
    employee_id = int(person.employee_id)
    ratings, potential = by_reviews.get(employee_id, ([], math.nan))
    last_two = ratings[:2]
    performance = sum(last_two) / len(last_two) if last_two else math.nan
    skills = sorted(by_skills.get(employee_id, []), key=lambda s: (-s.scarcity, -s.level, s.name))
    top = skills[0] if skills else None
    months = replacement_months(person.grade)
    pay = person.base_pay
    cost = math.nan if _nan(pay) else round(months * float(pay) / MONTHS_PER_YEAR, 2)
    components = _components(performance, potential, top, cost, reference_cost)
    score = sum(weights[name] * value for name, value in components.items())
    reasons = _reasons(
        components=components,
        weights=weights,
        skills=skills,
        ratings=last_two,
        potential=potential,
        cost=cost,
        months=months,
    )
    return {
        "last_ratings": last_two,
        "performance": round(performance, 4) if not math.isnan(performance) else math.nan,
        "potential": potential,
        "scarcity": round(components["scarcity"], 4),
        "scarce_skill": top.name if top else "",
        "others_holding": top.others if top else None,
        "replacement_months": months,
        "replacement_cost": cost,
        "c_performance": round(components["performance"], 4),
        "c_potential": round(components["potential"], 4),
        "c_scarcity": round(components["scarcity"], 4),
        "c_replacement": round(components["replacement"], 4),
        "score": round(min(max(score, 0.0), 1.0), 4),
        "irreplaceable": any(s.irreplaceable for s in skills),
        "irreplaceable_skills": sorted(s.name for s in skills if s.irreplaceable),
        "reasons": reasons,
        "top_reason": str(reasons[0]) if reasons else "",
    }


def _components(
    performance: float,
    potential: float,
    top: _Skill | None,
    cost: float,
    reference_cost: float | None,
) -> dict[str, float]:
    """The score's four components, each in [0, 1] (0 when unknown): performance (rating
    1-5), potential (1-3), the scarcity of the scarcest skill, the replacement cost against
    `reference_cost` (the currency)."""
    return {
        "performance": 0.0 if math.isnan(performance) else (performance - 1) / 4,
        "potential": 0.0 if math.isnan(potential) else (potential - 1) / 2,
        "scarcity": top.scarcity if top else 0.0,
        "replacement": (
            cost / (cost + reference_cost)
            if reference_cost and reference_cost > 0 and not math.isnan(cost) and cost > 0
            else 0.0
        ),
    }


# the order reasons of equal weight are told in
_COMPONENT_ORDER = ("scarcity", "performance", "potential", "replacement")


def _reasons(
    *,
    components: dict[str, float],
    weights: dict[str, float],
    skills: list[_Skill],
    ratings: list[int],
    potential: float,
    cost: float,
    months: int,
) -> list[Reason]:
    reasons: list[Reason] = []
    for name in _COMPONENT_ORDER:
        weight = round(weights[name] * components[name], 4)
        if weight <= 0:
            continue
        if name == "scarcity":
            top = skills[0]
            reasons.append(_scarcity_reason(top, weight))
            for skill in skills:
                if skill.irreplaceable and not skill.only_holder:
                    reasons.append(
                        Reason(
                            "scarcity",
                            gettext_noop(
                                "holds more than half of the company's level-4+ expertise in "
                                "%(skill)s"
                            ),
                            {"skill": skill.name},
                            weight,
                        )
                    )
                    break
        elif name == "performance":
            if len(ratings) >= 2:
                reasons.append(
                    Reason(
                        name,
                        gettext_noop("rated %(last)d and %(previous)d in the last two reviews"),
                        {"last": ratings[0], "previous": ratings[1]},
                        weight,
                    )
                )
            else:
                reasons.append(
                    Reason(
                        name,
                        gettext_noop("rated %(last)d in the only review"),
                        {"last": ratings[0]},
                        weight,
                    )
                )
        elif name == "potential":
            reasons.append(
                Reason(
                    name,
                    gettext_noop("potential %(potential)d of 3 in the latest review"),
                    {"potential": int(potential)},
                    weight,
                )
            )
        else:
            reasons.append(
                Reason(
                    name,
                    gettext_noop("replacing would cost about %(cost)s (%(months)d months of pay)"),
                    {"cost": _about(cost), "months": months},
                    weight,
                )
            )
    # strongest first; a stable sort keeps the component order between equals
    reasons.sort(key=lambda r: -r.weight)
    return reasons


def irreplaceable_by_department(scored: pd.DataFrame) -> list[dict[str, Any]]:
    """The irreplaceable people per department: [{department_id, department_code, department,
    people: [{employee_id, employee_no, full_name, skills}]}], the departments with the most
    first (then by name), each department's people by name."""
    flagged = scored[scored["irreplaceable"]]
    out: list[dict[str, Any]] = []
    for (department_id, code, name), group in flagged.groupby(
        ["department_id", "department_code", "department"], sort=False
    ):
        group = group.sort_values(["full_name", "employee_no"], kind="stable")
        out.append(
            {
                "department_id": int(department_id),
                "department_code": str(code),
                "department": str(name),
                "people": [
                    {
                        "employee_id": int(row.employee_id),
                        "employee_no": str(row.employee_no),
                        "full_name": str(row.full_name),
                        "skills": list(row.irreplaceable_skills),
                    }
                    for row in group.itertuples(index=False)
                ],
            }
        )
    out.sort(key=lambda d: (-len(d["people"]), d["department"], d["department_code"]))
    return out
