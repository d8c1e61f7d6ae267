"""The shapes of the organisation's API: what the endpoints of `org/api.py` take and return.

Money is yearly, in the company's currency. No schema of a list carries pay: pay is read
through `/api/employees/{id}/pay` only, which is audited.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from gmassist.api import ObjectId, Text
from gmassist.org.choices import EmployeeStatus, EmploymentType, PayChangeReason
from gmassist.org.selectors import EMPLOYEE_SORTS

Money = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
LeaveDays = Annotated[Decimal, Field(ge=0, max_digits=5, decimal_places=1)]
Rating = Annotated[int, Field(ge=1, le=5)]
Potential = Annotated[int, Field(ge=1, le=3)]
SkillLevel = Annotated[int, Field(ge=0, le=5)]
Grade = Annotated[int, Field(ge=0, le=32767)]
# Dates the database stores: a year of four digits.
Date = Annotated[dt.date, Field(ge=dt.date(1900, 1, 1), le=dt.date(2999, 12, 31))]
Gender = Literal["", "female", "male", "other"]
SeparationKind = Literal["voluntary", "involuntary", "retirement"]
EmployeeSort = Literal[tuple(key for base in EMPLOYEE_SORTS for key in (base, f"-{base}"))]  # type: ignore[valid-type]


class Patch(Schema):
    """A partial update: an unknown field is refused (422), not silently ignored, so that a
    client that tries to change, say, base pay learns that this is not the way."""

    model_config = ConfigDict(extra="forbid")


# --- references to other records -------------------------------------------------------------


class DepartmentRef(Schema):
    id: int
    code: str
    name: str


class PositionRef(Schema):
    id: int
    code: str
    title: str


class EmployeeRef(Schema):
    id: int
    employee_no: str
    full_name: str


class SkillRef(Schema):
    id: int
    code: str
    name: str
    category: str


# --- departments -----------------------------------------------------------------------------


class DepartmentOut(Schema):
    id: int
    code: str
    name: str
    parent_id: int | None
    head: EmployeeRef | None


class DepartmentFilters(Schema):
    search: Text = Field("", max_length=200, description="part of the code or name")
    parent_id: ObjectId | None = Field(None, description="departments directly below this one")


class DepartmentIn(Schema):
    code: Text = Field(max_length=40)
    name: Text = Field(max_length=200)
    parent_id: ObjectId | None = None
    head_id: ObjectId | None = Field(None, description="the employee who heads it")


class DepartmentPatch(Patch):
    code: Text | None = Field(None, max_length=40)
    name: Text | None = Field(None, max_length=200)
    parent_id: ObjectId | None = None
    head_id: ObjectId | None = None


# --- positions -------------------------------------------------------------------------------


class PositionOut(Schema):
    id: int
    code: str
    title: str
    job_family: str
    grade: int | None
    band_min: Decimal | None = Field(description="yearly salary band minimum")
    band_mid: Decimal | None
    band_max: Decimal | None
    currency: str


class PositionFilters(Schema):
    search: Text = Field("", max_length=200, description="part of the code or title")
    job_family: Text = Field("", max_length=100)
    grade: Grade | None = None


class PositionIn(Schema):
    code: Text = Field(max_length=60)
    title: Text = Field(max_length=200)
    job_family: Text = Field("", max_length=100)
    grade: Grade | None = None
    band_min: Money | None = None
    band_mid: Money | None = None
    band_max: Money | None = None
    currency: Text = Field("", max_length=3)


class PositionPatch(Patch):
    code: Text | None = Field(None, max_length=60)
    title: Text | None = Field(None, max_length=200)
    job_family: Text | None = Field(None, max_length=100)
    grade: Grade | None = None
    band_min: Money | None = None
    band_mid: Money | None = None
    band_max: Money | None = None
    currency: Text | None = Field(None, max_length=3)


# --- employees -------------------------------------------------------------------------------


class EmployeeOut(Schema):
    id: int
    employee_no: str
    full_name: str
    family_name: str
    given_name: str
    email: str
    department: DepartmentRef
    position: PositionRef | None
    manager: EmployeeRef | None
    hire_date: dt.date
    leave_date: dt.date | None
    location: str
    employment_type: str
    status: str


class EmployeeDetailOut(EmployeeOut):
    birth_date: dt.date | None
    gender: str
    paid_leave_days: Decimal | None = Field(description="paid-leave days per year")


class EmployeeFilters(Schema):
    search: Text = Field(
        "", max_length=200, description="start of the number, or part of the name or e-mail"
    )
    department_id: ObjectId | None = Field(None, description="this department and all below")
    position_id: ObjectId | None = None
    status: EmployeeStatus | None = None
    sort: EmployeeSort = Field("name", description='a "-" in front reverses the order')


class EmployeeIn(Schema):
    employee_no: Text = Field(max_length=40)
    full_name: Text = Field(max_length=200)
    department_id: ObjectId
    hire_date: Date
    position_id: ObjectId | None = None
    manager_id: ObjectId | None = None
    family_name: Text = Field("", max_length=100)
    given_name: Text = Field("", max_length=100)
    email: Text = Field("", max_length=254)
    leave_date: Date | None = None
    separation_type: SeparationKind | None = Field(
        None, description="with a leave date: voluntary, involuntary or retirement"
    )
    leave_reason: Text = Field("", max_length=200)
    regretted: bool | None = None
    birth_date: Date | None = None
    gender: Gender = ""
    location: Text = Field("", max_length=100)
    employment_type: EmploymentType = EmploymentType.FULL_TIME
    status: EmployeeStatus = EmployeeStatus.ACTIVE
    base_pay: Money | None = Field(None, description="starting yearly base pay")
    paid_leave_days: LeaveDays | None = None


class EmployeePatch(Patch):
    """Fields to change; base pay changes only through a pay-change proposal."""

    employee_no: Text | None = Field(None, max_length=40)
    full_name: Text | None = Field(None, max_length=200)
    department_id: ObjectId | None = None
    hire_date: Date | None = None
    position_id: ObjectId | None = None
    manager_id: ObjectId | None = None
    family_name: Text | None = Field(None, max_length=100)
    given_name: Text | None = Field(None, max_length=100)
    email: Text | None = Field(None, max_length=254)
    leave_date: Date | None = Field(
        None, description="records a leaver, with `separation_type` (the record's history says so)"
    )
    separation_type: SeparationKind | None = None
    leave_reason: Text | None = Field(None, max_length=200)
    regretted: bool | None = None
    birth_date: Date | None = None
    gender: Gender | None = None
    location: Text | None = Field(None, max_length=100)
    employment_type: EmploymentType | None = None
    status: EmployeeStatus | None = None
    paid_leave_days: LeaveDays | None = None


class PayChangeOut(Schema):
    effective_date: dt.date
    base_pay: Decimal
    previous_base_pay: Decimal | None
    reason: PayChangeReason
    note: str


class UpcomingPayOut(Schema):
    """An approved pay change that takes effect later: until then the base pay is unchanged."""

    proposal_id: int
    title: str
    takes_effect_on: dt.date
    new_base_pay: Decimal | None


class PayOut(Schema):
    """An employee's pay: yearly, in the company's currency."""

    base_pay: Decimal | None
    band_min: Decimal | None
    band_mid: Decimal | None
    band_max: Decimal | None
    compa_ratio: Decimal | None = Field(description="base pay / band midpoint")
    history: list[PayChangeOut]
    upcoming: list[UpcomingPayOut] = Field(
        description="approved changes that take effect later, soonest first"
    )


# --- reviews ---------------------------------------------------------------------------------


class ReviewOut(Schema):
    id: int
    employee: EmployeeRef
    period: str
    review_date: dt.date | None
    rating: int
    potential: int | None
    reviewer: EmployeeRef | None
    comment: str


class ReviewFilters(Schema):
    employee_id: ObjectId | None = None
    period: Text = Field("", max_length=20)


class ReviewIn(Schema):
    employee_id: ObjectId
    period: Text = Field(max_length=20, description="e.g. 2025 or 2025-H1")
    rating: Rating
    potential: Potential | None = None
    review_date: Date | None = None
    reviewer_id: ObjectId | None = None
    comment: Text = Field("", max_length=10_000)


class ReviewPatch(Patch):
    period: Text | None = Field(None, max_length=20)
    rating: Rating | None = None
    potential: Potential | None = None
    review_date: Date | None = None
    reviewer_id: ObjectId | None = None
    comment: Text | None = Field(None, max_length=10_000)


# --- skills ----------------------------------------------------------------------------------


class EmployeeSkillOut(Schema):
    id: int
    employee: EmployeeRef
    skill: SkillRef
    level: int = Field(description="0 (none) to 5 (expert)")
    assessed_on: dt.date | None


class EmployeeSkillFilters(Schema):
    employee_id: ObjectId | None = None
    skill_id: ObjectId | None = None
    min_level: SkillLevel | None = Field(None, description="at least this level")


class EmployeeSkillIn(Schema):
    employee_id: ObjectId
    skill_id: ObjectId
    level: SkillLevel
    assessed_on: Date | None = None
