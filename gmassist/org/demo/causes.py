"""Why people leave the demo company: the one place where the causes and their sizes are written.

The demo simulation (`turnover.py`) draws every leaver from the hazards below, month by month,
so that a leaving-risk model trained on the demo data has real causes to find. `DEMO_CAUSES`
holds the coefficients; `ground_truth(seed=, tier=)` says which managers are bad and which
departments unhappy in the company made from that seed and tier. Pure: no Django import.

The monthly voluntary-leaving hazard of an employee is

    base_voluntary_monthly
      x low_pay            if compa-ratio (base pay / band midpoint) < low_pay_compa_ratio
      x no_promotion       if the last promotion (or the hire) is no_promotion_months ago or more
      x bad_manager        if the employee's manager is one of the managers flagged bad
      x unhappy_department if the employee's department is one of the unhappy departments
      x manager_change     if the employee's manager changed in the last manager_change_months
      x short_tenure       if the employee was hired less than short_tenure_months ago

capped at `max_monthly_hazard`. Involuntary leaving is `base_involuntary_monthly` times
`low_rating_involuntary[last rating]`; retirement is `retirement_monthly` once an employee has
reached the retirement age of their gender. The general manager never leaves.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

# The factors of the voluntary hazard, in the order of the table above; each is a boolean flag.
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

    base_voluntary_monthly: float = 0.006  # about 7% a year for someone with no factor
    low_pay_compa_ratio: float = 0.85
    low_pay: float = 2.2
    no_promotion_months: int = 36
    no_promotion: float = 1.6
    bad_manager: float = 2.0
    unhappy_department: float = 1.8
    manager_change_months: int = 6
    manager_change: float = 1.5
    short_tenure_months: int = 12
    short_tenure: float = 1.4
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

    def multiplier(self, factor: str) -> float:
        return float(getattr(self, factor))

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["low_rating_involuntary"] = {str(k): v for k, v in self.low_rating_involuntary.items()}
        return data


DEMO_CAUSES = DemoCauses()


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
    """The boolean factor flags of `VOLUNTARY_FACTORS` for arrays of employees."""
    return {
        "low_pay": compa_ratio < causes.low_pay_compa_ratio,
        "no_promotion": months_since_promotion >= causes.no_promotion_months,
        "bad_manager": bad_manager.astype(bool),
        "unhappy_department": unhappy_department.astype(bool),
        "manager_change": months_since_manager_change < causes.manager_change_months,
        "short_tenure": tenure_months < causes.short_tenure_months,
    }


def voluntary_hazard(
    factors: dict[str, np.ndarray], causes: DemoCauses = DEMO_CAUSES
) -> np.ndarray:
    """Monthly probability of leaving voluntarily: the base rate times each active factor."""
    n = len(next(iter(factors.values())))
    hazard = np.full(n, causes.base_voluntary_monthly)
    for name in VOLUNTARY_FACTORS:
        hazard = np.where(factors[name], hazard * causes.multiplier(name), hazard)
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
