"""The shapes of the talent API: what the endpoints of `talent/api.py` take and return.

Money is yearly, in the company's currency; ratios are plain numbers (a compa-ratio of 0.95
is 95% of the band midpoint); gaps are in %.
"""

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from gmassist.api import ObjectId
from gmassist.talent.engine.pay_review import FLAGS
from gmassist.talent.selectors import KEY_PEOPLE_SORTS, PAY_REVIEW_SORTS

PayFlag = Literal[FLAGS]  # type: ignore[valid-type]
KeyPeopleSort = Literal[tuple(key for base in KEY_PEOPLE_SORTS for key in (base, f"-{base}"))]  # type: ignore[valid-type]
PayReviewSort = Literal[tuple(key for base in PAY_REVIEW_SORTS for key in (base, f"-{base}"))]  # type: ignore[valid-type]


class PayScopeFilters(Schema):
    department_id: ObjectId | None = Field(
        None, description="only this department and the departments below it"
    )
    position_id: ObjectId | None = Field(None, description="only this position")


class PayReviewFilters(PayScopeFilters):
    flag: PayFlag | None = Field(None, description="only the people with this flag")
    sort: PayReviewSort = Field("name", description='a sort key, "-" in front to reverse')


class PayReviewRowOut(Schema):
    """One person's pay against their band and their latest rating."""

    employee_id: int
    employee_no: str
    full_name: str
    department_id: int
    department: str
    position_id: int | None
    position: str
    grade: int | None
    base_pay: float | None
    band_min: float | None
    band_mid: float | None
    band_max: float | None
    compa_ratio: float | None = Field(description="base pay / band midpoint")
    band_position: float | None = Field(description="0 at the band minimum, 1 at its maximum")
    to_band_min: float = Field(description="the yearly raise that reaches the band minimum")
    over_band_max: float = Field(description="the yearly pay above the band maximum")
    last_rating: int | None = Field(description="the latest review's rating, 1-5")
    flags: list[PayFlag]


class GenderGapOut(Schema):
    """The gender pay gap within one position (and grade), adjusted for tenure and rating."""

    position_id: int | None
    position: str
    grade: int | None
    status: Literal["compared", "too_few", "not_separable"]
    n: int = Field(description="women and men with pay and a rating in the position")
    n_female: int
    n_male: int
    adjusted_gap_pct: float | None = Field(
        description="women's pay relative to men's at equal tenure and rating, in %"
    )
    raw_gap_pct: float | None
    lower_paid: Literal["female", "male"] | None
    cost_to_close: float | None = Field(
        description="yearly cost of raising the lower-paid gender to the adjusted level"
    )
    employee_ids: list[int] = Field(description="the people the estimate is made from")


class PayGapsOut(Schema):
    as_of: dt.date = Field(description="tenure is counted to this day")
    min_group: int = Field(description="the fewest people a position needs to be compared")
    min_per_gender: int = Field(description="the fewest of each gender it needs")
    gaps: list[GenderGapOut]


class KeyPeopleFilters(Schema):
    department_id: ObjectId | None = Field(
        None, description="only this department and the departments below it"
    )
    irreplaceable: bool = Field(False, description="only the irreplaceable people")
    sort: KeyPeopleSort = Field("-score", description='a sort key, "-" in front to reverse')


class KeyPersonOut(Schema):
    """One person's key-talent score, its parts and its reasons in plain words."""

    employee_id: int
    employee_no: str
    full_name: str
    department_id: int
    department_code: str
    department: str
    position: str
    grade: int | None
    score: float = Field(description="0 to 1: performance, potential, scarcity, replacement")
    performance: float | None = Field(description="mean of the last two ratings, 1-5")
    last_ratings: list[int] = Field(description="the last two ratings, latest first")
    potential: int | None = Field(description="the latest review's potential, 1-3")
    scarcity: float = Field(description="1 / (1 + other holders of the rarest level-4+ skill)")
    scarce_skill: str = Field(description="that skill; empty when none at level 4+")
    others_holding: int | None = Field(description="other current holders of it at level 4+")
    replacement_months: int = Field(description="to hire (3) and ramp up (1 per grade)")
    replacement_cost: float | None = Field(
        description="replacement months x monthly pay, company currency"
    )
    irreplaceable: bool = Field(
        description="the only level-4+ holder of a skill, or more than half of its levels"
    )
    irreplaceable_skills: list[str]
    reasons: list[str] = Field(description="strongest first, in the request's language")
    top_reason: str
