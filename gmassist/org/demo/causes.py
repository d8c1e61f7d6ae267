"""Why people leave the demo company: the one place where the causes and their sizes are written.

The demo simulation (`turnover.py`) draws every leaver from the hazards below, month by month,
so that a leaving-risk model trained on the demo data has real causes to find. `DEMO_CAUSES`
holds the coefficients; `ground_truth(seed=, tier=)` says which managers are bad and which
departments unhappy in the company made from that seed and tier. Pure: no Django import.

The monthly voluntary-leaving hazard of an employee is

    base_voluntary_monthly
      x low_pay            per 0.10 of compa-ratio (base pay / band midpoint) below
                           low_pay_compa_ratio (graded: x4 at 0.90, x12 at most)
      x no_promotion       per 12 months beyond no_promotion_months since the last promotion
                           (or the hire) (graded: x3 at 36 months, x9 at most)
      x bad_manager        if the employee's manager is one of the managers flagged bad
      x unhappy_department if the employee's department is one of the unhappy departments
      x manager_change     if the employee's manager changed in the last manager_change_months
      x short_tenure       if the employee was hired less than short_tenure_months ago

capped at `max_monthly_hazard`. Involuntary leaving is `base_involuntary_monthly` times
`low_rating_involuntary[last rating]`; retirement is `retirement_monthly` once an employee has
reached the retirement age of their gender. The general manager never leaves.

Why these sizes (measured on tier S, seed 1, as of 2026-11-01, test month 2025-10-31;
`docs/demo.md`): with the earlier flat factors (x1.4-x2.2 on a base of 0.6% a month) the
leaving model's backtest ROC AUC was 0.62, and the true hazard itself, used as the score of
the same test month, reached only 0.65 (tier M: 0.58 against 0.61; seeds 2-5: 0.54-0.62): the
causes were too weak for any model to find, not missed. Pay and career progression are what
leavers name first, and a gap grows with its size, so those two are graded; with these the
true hazard reaches 0.79 and the model 0.75 (seeds 1-8: 0.74 on average, 0.71 at the least),
and about 14% leave voluntarily a year.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

# The factors of the voluntary hazard, in the order of the table above.
VOLUNTARY_FACTORS = (
    "low_pay",
    "no_promotion",
    "bad_manager",
    "unhappy_department",
    "manager_change",
    "short_tenure",
)

# The reason recorded on a voluntary Separation, by the factor that tipped the person over.
VOLUNTARY_REASONS = {
    "low_pay": "Better pay elsewhere",
    "no_promotion": "No career progression",
    "bad_manager": "Relationship with manager",
    "unhappy_department": "Workload and team climate",
    "manager_change": "New manager after reorganisation",
    "short_tenure": "Role not as expected",
}
# Reasons of voluntary leavers whom no factor pushed (the base rate).
OTHER_VOLUNTARY_REASONS = ("Relocation", "Family reasons", "Further study", "Career change")
INVOLUNTARY_REASONS = {
    "performance": "Performance",
    "other": ("Restructuring", "Conduct", "End of contract"),
}
RETIREMENT_REASON = "Statutory retirement age"


@dataclass(frozen=True)
class DemoCauses:
    """The coefficients of the demo company's leaving hazards (rates are per month)."""

    base_voluntary_monthly: float = 0.0007  # under 1% a year for someone with no factor
    # pay: x low_pay for every 0.10 of compa-ratio below low_pay_compa_ratio, at most low_pay_max
    low_pay_compa_ratio: float = 1.0
    low_pay: float = 4.0
    low_pay_max: float = 12.0
    # promotion: x no_promotion for every 12 months beyond no_promotion_months without one
    no_promotion_months: int = 24
    no_promotion: float = 3.0
    no_promotion_max: float = 9.0
    bad_manager: float = 4.0
    unhappy_department: float = 3.5
    manager_change_months: int = 12
    manager_change: float = 2.5
    short_tenure_months: int = 12
    short_tenure: float = 2.0
    max_monthly_hazard: float = 0.25

    base_involuntary_monthly: float = 0.0015
    # multiplier of the involuntary hazard by the last performance rating (1-5)
    low_rating_involuntary: dict[int, float] = field(
        default_factory=lambda: {1: 6.0, 2: 2.0, 3: 1.0, 4: 0.5, 5: 0.5}
    )

    retirement_age_male: int = 60
    retirement_age_female: int = 55
    retirement_monthly: float = 0.2

    # How many of the leaf departments are unhappy and how many of their heads are bad managers.
    unhappy_department_share: float = 0.12
    bad_manager_share: float = 0.12

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["low_rating_involuntary"] = {str(k): v for k, v in self.low_rating_involuntary.items()}
        return data


DEMO_CAUSES = DemoCauses()


def _graded(steps: np.ndarray, per_step: float, most: float) -> np.ndarray:
    """per_step ** steps for steps > 0 (1 otherwise), at most `most`."""
    return np.minimum(np.power(per_step, np.maximum(steps, 0.0)), most)


def voluntary_factors(
    *,
    compa_ratio: np.ndarray,
    months_since_promotion: np.ndarray,
    bad_manager: np.ndarray,
    unhappy_department: np.ndarray,
    months_since_manager_change: np.ndarray,
    tenure_months: np.ndarray,
    causes: DemoCauses = DEMO_CAUSES,
) -> dict[str, np.ndarray]:
    """Each factor of `VOLUNTARY_FACTORS` as its multiplier of the hazard, for arrays of
    employees: 1.0 where it does not apply (so `multiplier > 1` says whether it does)."""
    c = causes
    return {
        "low_pay": _graded((c.low_pay_compa_ratio - compa_ratio) / 0.10, c.low_pay, c.low_pay_max),
        "no_promotion": _graded(
            (months_since_promotion - c.no_promotion_months) / 12.0, c.no_promotion,
            c.no_promotion_max,
        ),
        "bad_manager": np.where(bad_manager.astype(bool), c.bad_manager, 1.0),
        "unhappy_department": np.where(
            unhappy_department.astype(bool), c.unhappy_department, 1.0
        ),
        "manager_change": np.where(
            months_since_manager_change < c.manager_change_months, c.manager_change, 1.0
        ),
        "short_tenure": np.where(tenure_months < c.short_tenure_months, c.short_tenure, 1.0),
    }  # fmt: skip


def voluntary_hazard(
    factors: dict[str, np.ndarray], causes: DemoCauses = DEMO_CAUSES
) -> np.ndarray:
    """Monthly probability of leaving voluntarily: the base rate times each factor's multiplier
    (`voluntary_factors`), capped at `max_monthly_hazard`."""
    n = len(next(iter(factors.values())))
    hazard = np.full(n, causes.base_voluntary_monthly)
    for name in VOLUNTARY_FACTORS:
        hazard = hazard * factors[name]
    return np.minimum(hazard, causes.max_monthly_hazard)


def involuntary_hazard(last_rating: np.ndarray, causes: DemoCauses = DEMO_CAUSES) -> np.ndarray:
    """Monthly probability of being let go, by the last performance rating (1-5)."""
    table = np.ones(6)
    for rating, mult in causes.low_rating_involuntary.items():
        table[rating] = mult
    return causes.base_involuntary_monthly * table[np.clip(last_rating, 1, 5)]


def retirement_hazard(
    age_years: np.ndarray, female: np.ndarray, causes: DemoCauses = DEMO_CAUSES
) -> np.ndarray:
    """Monthly probability of retiring: `retirement_monthly` from the retirement age on."""
    age_limit = np.where(female, causes.retirement_age_female, causes.retirement_age_male)
    return np.where(age_years >= age_limit, causes.retirement_monthly, 0.0)


def ground_truth(*, seed: int, tier: str) -> dict[str, Any]:
    """What a leaving-risk model should find in the demo company of `seed` and `tier`.

    Returns the coefficients (`DEMO_CAUSES`), the employee numbers of the managers flagged bad,
    and the codes of the unhappy departments. Cheap: it builds the organisation only.
    """
    from gmassist.org.demo.structure import build_structure  # which imports this module

    structure = build_structure(seed=seed, tier=tier)
    return {
        "seed": seed,
        "tier": tier,
        "coefficients": DEMO_CAUSES.as_dict(),
        "voluntary_factors": list(VOLUNTARY_FACTORS),
        "bad_managers": sorted(structure.employee_no(p) for p in structure.bad_manager_people),
        "unhappy_departments": sorted(
            structure.departments[d].code for d in structure.unhappy_departments
        ),
    }
