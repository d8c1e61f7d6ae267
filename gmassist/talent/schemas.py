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


# --- leaving risk, the nine-box, incentive plans -------------------------------------------------

RiskBand = Literal["low", "medium", "high"]
RiskSort = Literal["risk", "-risk", "name", "-name", "department", "-department"]


class RiskFilters(Schema):
    department_id: ObjectId | None = Field(
        None, description="only this department and the departments below it"
    )
    band: RiskBand | None = Field(
        None,
        description="the latest run's bands (see /talent/risk-model): medium from the "
        "company's yearly leaving rate, high from twice it",
    )
    min_risk: float | None = Field(None, ge=0, le=1, description="only risks from this (0-1)")
    sort: RiskSort = Field("-risk", description='a sort key, "-" in front to reverse')


class RiskReasonOut(Schema):
    feature: str
    value: float | int | str | None
    effect: float = Field(description="how much it raises the log-odds of leaving")
    text: str = Field(description="in plain words, in the request's language")


class RiskScoreOut(Schema):
    """One person's latest leaving risk: the probability of leaving voluntarily in 12 months."""

    employee_id: int
    employee_no: str
    full_name: str
    department_id: int
    department: str
    as_of: dt.date
    probability: float
    band: RiskBand = Field(description="in the bands of the run that scored it")
    reasons: list[RiskReasonOut]


class RiskHistoryPointOut(Schema):
    as_of: dt.date
    probability: float


class RiskBandsOut(Schema):
    """The bands of a model run: lower limits (probabilities within 12 months) made from the
    company's yearly voluntary leaving rate: medium from the rate, high from twice it, never
    under 5% and 10%."""

    base_rate: float | None = Field(description="the yearly voluntary leaving rate, 0-1")
    medium_from: float
    high_from: float


class PersonRiskOut(Schema):
    employee_id: int
    employee_no: str
    full_name: str
    latest: RiskScoreOut | None
    bands: RiskBandsOut
    history: list[RiskHistoryPointOut] = Field(
        description="the scores made each month, oldest first"
    )
    model_history: list[RiskHistoryPointOut] = Field(
        description="the probability at each month-end by the latest model, on what was known "
        "that month, oldest first"
    )


class CalibrationBinOut(Schema):
    low: float
    high: float
    count: int
    mean_predicted: float
    observed_rate: float


class RiskModelOut(Schema):
    """The latest fit of the leaving-risk model and its time-based backtest."""

    as_of: dt.date
    version: str
    run_at: dt.datetime
    scored: int
    train_rows: int = Field(description="monthly snapshots it learned from")
    train_leavers: int
    backtest_auc: float | None
    backtest_auc_low: float | None = Field(description="the 95% interval's lower end (DeLong)")
    backtest_auc_high: float | None = Field(description="the 95% interval's upper end")
    backtest_month: dt.date | None = Field(
        description="the month it predicted, from what was known then"
    )
    backtest_train_rows: int
    backtest_test_rows: int = Field(description="the people of the backtest month")
    backtest_leavers: int = Field(description="those of them who left within 12 months")
    calibration: list[CalibrationBinOut] = Field(description="the backtest, as predicted")
    calibration_after: list[CalibrationBinOut] = Field(description="the backtest, recalibrated")
    recalibration: dict[str, float] = Field(
        description="calibrated log-odds = intercept + slope x the model's log-odds"
    )
    bands: RiskBandsOut
    reason_counts: dict[str, int] = Field(description="top reasons across the backtest's leavers")


class NineBoxCellOut(Schema):
    performance: RiskBand = Field(description="low: mean rating under 3, medium 3-4, high 4+")
    potential: RiskBand = Field(description="low: 1, medium: 2, high: 3")
    count: int
    employee_ids: list[int]


class NineBoxOut(Schema):
    cells: list[NineBoxCellOut]
    unplaced: int = Field(description="people without a rating or a potential")


class HeatmapRowOut(Schema):
    department_id: int
    department: str
    people: int
    mean_risk: float
    low: int
    medium: int
    high: int


class HeatmapOut(Schema):
    as_of: dt.date | None
    departments: list[HeatmapRowOut]


class PlanIn(Schema):
    budget: float = Field(ge=0, le=1e12, description="yearly, company currency")
    top: int | None = Field(None, ge=1, le=1_000_000, description="only the highest risks")
    menu_toml: str = Field("", max_length=20_000, description="the instrument menu as TOML")


class PlanLeftOutOut(Schema):
    employee_id: int
    employee_no: str
    full_name: str
    reason: str = Field(
        description="why: decided outside the application (the GM), or nobody decides their "
        "own case (the plan's maker, HR when HR may approve)"
    )


class PlanOut(Schema):
    id: int
    budget: float
    as_of: dt.date
    effective_date: dt.date
    status: str
    total_cost: float = Field(description="company currency, the plan's first year")
    total_effect: float = Field(description="expected retained value, company currency")
    total_net: float = Field(description="expected retained value minus cost")
    return_ratio: float | None = Field(
        description="retained value / cost (above 1: worth its cost); null when nothing spent"
    )
    spending_note: str = Field(
        description="what the plan spends of its budget and why, in the request's language"
    )
    left_out: list[PlanLeftOutOut] = Field(
        description="the plan's deciders, left out of its candidates, and why"
    )
    summary: dict
    created_by_id: int | None
    created_at: dt.datetime


class PlanLineOut(Schema):
    id: int
    employee_id: int
    employee_no: str
    full_name: str
    actions: list[dict]
    cost: float
    effect: float = Field(description="expected retained value, company currency")
    net: float = Field(description="expected retained value minus cost")
    return_ratio: float | None = Field(description="retained value / cost")
    value: float = Field(description="what replacing the person would cost")
    risk_before: float
    risk_after: float
    reasons: list[str]
    status: str
    proposal_id: int | None


class PlanDetailOut(PlanOut):
    lines: list[PlanLineOut]


class PlanLineIn(Schema):
    amount: float = Field(
        gt=0,
        le=1e10,
        description="the action's new amount, company currency (a promotion's: its pay "
        "increase); the line and the plan's totals are priced again",
    )
    instrument: Literal["raise", "promotion", "bonus", "options", "leave", "development"] | None = (
        Field(None, description="which action of the line; needed when it has more than one")
    )


class PlanLineChangeOut(Schema):
    line: PlanLineOut
    plan: PlanOut


class PlanApproveIn(Schema):
    line_ids: list[ObjectId] | None = Field(None, description="these lines only; none: all")


class PlanApproveOut(Schema):
    approved: int
    proposed: int = Field(description="left open in the proposals inbox for the GM")
    status: str
