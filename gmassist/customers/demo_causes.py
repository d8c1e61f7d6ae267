"""Why group customers of the demo company churn: the one place where the causes and their sizes
are written. Pure: no Django import.

The demo simulation (`demo_generator.py`) runs the 24 months of history month by month. An
active customer stops buying (its revenue stops: it churns) in a month with the probability

    base_monthly
      x falling_revenue      if its revenue of the last 3 months is below falling_revenue_ratio
                             times that of the 3 months before
      x contract_ending      if its yearly contract renews within contract_ending_months
      x unresolved_contacts  if it has unresolved_contacts_min or more unresolved service
                             contacts in the last contact_window_months
      x low_satisfaction     if the mean satisfaction of its contacts in the last
                             contact_window_months is below low_satisfaction_below
      x manager_change       if its account manager changed in the last manager_change_months

capped at `max_monthly_hazard`. These are the features the churn model reads
(`selectors.churn_snapshots`), so a model trained on the demo's own history has real causes to
find. Behind them: some customers are unhappy (`unhappy_share`: more contacts, more complaints,
lower satisfaction, fewer resolved), some start declining in a month of the window
(`decline_share`: revenue falls by `decline_monthly` a month, a competitor's offer), and some
change account manager (`manager_change_yearly`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

# the factors of the churn hazard, in the order of the table above; each is a boolean flag
CHURN_FACTORS = (
    "falling_revenue",
    "contract_ending",
    "unresolved_contacts",
    "low_satisfaction",
    "manager_change",
)


@dataclass(frozen=True)
class CustomerCauses:
    """The coefficients of the demo customers' churn hazard (rates are per month)."""

    base_monthly: float = 0.0025  # about 3% a year for a customer with no factor
    falling_revenue_ratio: float = 0.85
    falling_revenue: float = 4.0
    contract_ending_months: int = 2
    contract_ending: float = 2.5
    contact_window_months: int = 6
    unresolved_contacts_min: int = 2
    unresolved_contacts: float = 2.5
    low_satisfaction_below: float = 3.0
    low_satisfaction: float = 2.5
    manager_change_months: int = 6
    manager_change: float = 3.0
    max_monthly_hazard: float = 0.35

    unhappy_share: float = 0.15
    decline_share: float = 0.25
    decline_monthly: float = 0.08
    manager_change_yearly: float = 0.15

    def multiplier(self, factor: str) -> float:
        return float(getattr(self, factor))

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


CUSTOMER_CAUSES = CustomerCauses()


def churn_hazard(
    factors: dict[str, np.ndarray], causes: CustomerCauses = CUSTOMER_CAUSES
) -> np.ndarray:
    """Monthly probability of churning: the base rate times each active factor, capped."""
    n = len(next(iter(factors.values())))
    hazard = np.full(n, causes.base_monthly)
    for name in CHURN_FACTORS:
        hazard = np.where(factors[name], hazard * causes.multiplier(name), hazard)
    return np.minimum(hazard, causes.max_monthly_hazard)
