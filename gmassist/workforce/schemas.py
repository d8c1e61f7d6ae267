"""The shapes of the workforce endpoints."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class PlanOut(Schema):
    id: int
    name: str
    version: int
    as_of: dt.date
    horizon: int
    status: str
    runs: int
    quarter_ends: list[str]


class LineOut(Schema):
    id: int
    department: str
    job_family: str
    method: str
    current: int
    demand: list[int]
    supply: list[float]
    gap: list[float]
    gap_low: list[float]
    gap_high: list[float]


class PlanDetailOut(PlanOut):
    company: dict[str, list[float]]
    lines: list[LineOut]


class GapOut(Schema):
    department: str
    job_family: str
    quarter_end: dt.date
    demand: int
    supply: float
    gap: float
    gap_low: float
    gap_high: float
    payroll_per_year: float | None


class RequisitionPlanOut(Schema):
    department: str
    job_family: str
    count: int
    needed_by: dt.date
    open_on: dt.date
    time_to_fill_days: int
    late_days: int


class MoveOut(Schema):
    job_family: str
    from_department: str
    to_department: str
    count: int


class GapsOut(Schema):
    plan: int
    gaps: list[GapOut]
    internal_moves: list[MoveOut]
    requisitions: list[RequisitionPlanOut]


class PlanIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    as_of: dt.date
    horizon: int = Field(8, ge=1, le=12)
    growth_percent: float = Field(0.0, gt=-100, le=500)
    runs: int = Field(1000, ge=10, le=5000)


class BacktestIn(Schema):
    as_of: dt.date
    horizon: int = Field(8, ge=1, le=12)


class ErrorsOut(Schema):
    mae: float
    mape: float | None


class UnitOut(Schema):
    name: str
    people: int
    model: ErrorsOut
    carry_forward: ErrorsOut
    trailing_rate: ErrorsOut


class CompanyBacktestOut(Schema):
    people: int
    model: ErrorsOut
    carry_forward: ErrorsOut
    trailing_rate: ErrorsOut


class BacktestOut(Schema):
    as_of: dt.date
    horizon: int
    quarters_scored: int
    company: CompanyBacktestOut
    departments: list[UnitOut]
