"""The decisions API's input and output shapes."""

import datetime as dt
import uuid

from ninja import Field, Schema

from gmassist.api import ObjectId, Text
from gmassist.core.choices import Role
from gmassist.decisions.choices import DecisionStatus, ResponseKind, ResponseTheme


class AudienceIO(Schema):
    departments: list[ObjectId] = Field(
        default_factory=list, description="department ids; each with every department below it"
    )
    roles: list[Role] = Field(default_factory=list, description="logins of these roles")
    people: list[ObjectId] = Field(default_factory=list, description="employee ids")


class DecisionIn(Schema):
    title: Text = Field(min_length=1, max_length=200)
    summary: Text = Field("", max_length=5000)
    rationale: Text = Field(min_length=1, max_length=20000, description="why, in plain words")
    effective_date: dt.date
    department_id: ObjectId | None = Field(
        None, description="whose decision: a department (audience inside it), or null: company"
    )
    audience: AudienceIO


class DecisionUpdateIn(Schema):
    title: Text = Field(min_length=1, max_length=200)
    summary: Text = Field("", max_length=5000)
    rationale: Text = Field(min_length=1, max_length=20000)
    effective_date: dt.date
    audience: AudienceIO


class AmendIn(DecisionUpdateIn):
    audience: AudienceIO | None = Field(None, description="null: the audience stays as it is")
    change_note: Text = Field(min_length=1, max_length=5000, description="what changed and why")
    substantive: bool = Field(
        True, description="true: the substance changed, addressees acknowledge again"
    )


class WithdrawIn(Schema):
    reason: Text = Field(min_length=1, max_length=5000)


class RespondIn(Schema):
    kind: ResponseKind
    text: Text = Field(min_length=1, max_length=5000)
    theme: ResponseTheme = ResponseTheme.OTHER
    anonymous: bool = Field(
        False,
        description="true: stored with no user, no department and only the day; nothing links "
        "it to you",
    )


class AnswerIn(Schema):
    answer: Text = Field(min_length=1, max_length=5000)


class DecisionFilters(Schema):
    status: DecisionStatus | None = None
    search: Text = Field("", max_length=200)
    department_id: ObjectId | None = None
    pending: bool = Field(False, description="only those you still have to acknowledge")


class AcknowledgementFilters(Schema):
    acknowledged: bool | None = Field(None, description="true / false: who has / has not")


class UserName(Schema):
    id: int
    name: str


class DecisionOut(Schema):
    id: int
    title: str
    summary: str
    rationale: str
    effective_date: dt.date
    status: DecisionStatus
    version: int
    department_id: int | None
    audience: AudienceIO
    author: UserName | None
    published_at: dt.datetime | None
    withdrawn_at: dt.datetime | None
    withdrawal_reason: str
    addressee_count: int
    acknowledged_count: int = Field(description="of the current version")


class VersionOut(Schema):
    number: int
    title: str
    summary: str
    rationale: str
    effective_date: dt.date
    change_note: str
    substantive: bool
    created_at: dt.datetime


class MyAcknowledgementOut(Schema):
    addressed: bool
    needs_action: bool
    acknowledged_at: dt.datetime | None
    acknowledged_version: int | None


class DecisionDetailOut(DecisionOut):
    versions: list[VersionOut]
    mine: MyAcknowledgementOut


class AcknowledgementOut(Schema):
    """One addressee (an Acknowledgement row, read straight from the paginated queryset)."""

    employee_id: int
    name: str = Field(..., alias="employee.full_name")
    department_id: int
    department: str = Field(..., alias="department.name")
    acknowledged_at: dt.datetime | None
    acknowledged_version: int | None
    reminder_count: int


class ResponseOut(Schema):
    id: uuid.UUID
    kind: ResponseKind
    theme: ResponseTheme
    text: str
    version: int
    is_anonymous: bool
    author: str | None = Field(description="null when anonymous or not yours to see")
    department: str | None
    submitted_on: dt.date = Field(description="the day only")
    answer: str
    answered_on: dt.date | None


class DepartmentCount(Schema):
    department_id: int
    department: str
    total: int
    acknowledged: int
    pending: int
    share: float = Field(description="acknowledged / total, 0-1")


class ThemeGroup(Schema):
    key: str
    label: str
    count: int
    quotes: list[str]


class ConsensusOut(Schema):
    responses: int
    addressees: int
    counts: dict[str, int] = Field(description="per kind: support, objection, question")
    share_of_responses: dict[str, float] = Field(description="0-1 per kind")
    share_of_addressees: dict[str, float] = Field(description="0-1 per kind")
    leaning: str = Field(description='"support", "objection" or "even"')
    main_objections: list[str]
    objections_by_theme: list[ThemeGroup]
    objections_by_department: list[ThemeGroup]


class SummaryOut(Schema):
    addressees: int
    acknowledged: int
    by_department: list[DepartmentCount]
    consensus: ConsensusOut | None = Field(description="null when not yours to see")
