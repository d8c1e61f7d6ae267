"""The shapes of the workforce endpoints."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class WorkforcePlanOut(Schema):
    id: int
    name: str
    version: int
    as_of: dt.date
    horizon: int
    status: str
    runs: int
    quarter_ends: list[str]


class WorkforceLineOut(Schema):
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


class WorkforcePlanDetailOut(WorkforcePlanOut):
    company: dict[str, list[float]]
    lines: list[WorkforceLineOut]


class WorkforceGapOut(Schema):
    department: str
    job_family: str
    quarter_end: dt.date
    demand: int
    supply: float
    gap: float
    gap_low: float
    gap_high: float
    payroll_per_year: float | None


class WorkforceRequisitionPlanOut(Schema):
    department: str
    job_family: str
    count: int
    needed_by: dt.date
    open_on: dt.date
    time_to_fill_days: int
    late_days: int


class WorkforceMoveOut(Schema):
    job_family: str
    from_department: str
    to_department: str
    count: int


class WorkforceGapsOut(Schema):
    plan: int
    gaps: list[WorkforceGapOut]
    internal_moves: list[WorkforceMoveOut]
    requisitions: list[WorkforceRequisitionPlanOut]


class WorkforcePlanIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    as_of: dt.date
    horizon: int = Field(8, ge=1, le=12)
    growth_percent: float = Field(0.0, gt=-100, le=500)
    runs: int = Field(1000, ge=10, le=5000)


class WorkforceBacktestIn(Schema):
    as_of: dt.date
    horizon: int = Field(8, ge=1, le=12)


class WorkforceErrorsOut(Schema):
    mae: float
    mape: float | None


class WorkforceUnitOut(Schema):
    name: str
    people: int
    model: WorkforceErrorsOut
    carry_forward: WorkforceErrorsOut
    trailing_rate: WorkforceErrorsOut


class WorkforceCompanyBacktestOut(Schema):
    people: int
    model: WorkforceErrorsOut
    carry_forward: WorkforceErrorsOut
    trailing_rate: WorkforceErrorsOut


class WorkforceBacktestOut(Schema):
    as_of: dt.date
    horizon: int
    quarters_scored: int
    company: WorkforceCompanyBacktestOut
    departments: list[WorkforceUnitOut]
