"""The shapes of the recruiting endpoints (/api/voice/recruiting/…): agencies, requisitions,
candidates, sharing, stages and performance."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema

from gmassist.api import ObjectId, Text
from gmassist.voice.common import MAX_BODY
from gmassist.voice.recruiting import services
from gmassist.voice.recruiting.choices import (
    AgencyKind,
    AgencyStatus,
    CandidateSource,
    CandidateStage,
    RequisitionReason,
    RequisitionStatus,
    Urgency,
)
from gmassist.voice.recruiting.selectors import REQUISITION_SORTS

KindName = Literal[tuple(AgencyKind.values)]  # type: ignore[valid-type]
AgencyStatusName = Literal[tuple(AgencyStatus.values)]  # type: ignore[valid-type]
UrgencyName = Literal[tuple(Urgency.values)]  # type: ignore[valid-type]
ReasonName = Literal[tuple(RequisitionReason.values)]  # type: ignore[valid-type]
RequisitionStatusName = Literal[tuple(RequisitionStatus.values)]  # type: ignore[valid-type]
SourceName = Literal[tuple(CandidateSource.values)]  # type: ignore[valid-type]
StageName = Literal[tuple(CandidateStage.values)]  # type: ignore[valid-type]
RequisitionSort = Literal[tuple(k for b in REQUISITION_SORTS for k in (b, f"-{b}"))]  # type: ignore[valid-type]
Name = Annotated[Text, Field(min_length=1, max_length=200)]
Short = Annotated[Text, Field(max_length=200)]
Phone = Annotated[Text, Field(max_length=40)]
Note = Annotated[Text, Field(max_length=MAX_BODY)]
Label = Annotated[Text, Field(min_length=1, max_length=services.MAX_LIST_ITEM)]
Labels = Annotated[list[Label], Field(max_length=services.MAX_LIST_ITEMS)]
Percent = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)]
GuaranteeDays = Annotated[int, Field(ge=0, le=services.MAX_GUARANTEE_DAYS)]


class AgencyIn(Schema):
    name: Name
    kind: KindName = "agency"
    contact_person: Short = ""
    email: Annotated[Text, Field(max_length=254)] = ""
    phone: Phone = ""
    specialities: Labels = Field(default_factory=list, description="job families and skills")
    regions: Labels = Field(default_factory=list)
    fee_percent: Percent = Field(Decimal("20"), description="% of the hire's annual pay")
    guarantee_days: GuaranteeDays = Field(90, description="days a hire must stay")
    status: AgencyStatusName = "active"
    notes: Note = ""


class AgencyPatch(Schema):
    name: Name | None = None
    kind: KindName | None = None
    contact_person: Short | None = None
    email: Annotated[Text, Field(max_length=254)] | None = None
    phone: Phone | None = None
    specialities: Labels | None = None
    regions: Labels | None = None
    fee_percent: Percent | None = None
    guarantee_days: GuaranteeDays | None = None
    status: AgencyStatusName | None = None
    notes: Note | None = None


class AgencyOut(Schema):
    id: int
    name: str
    kind: KindName
    contact_person: str
    email: str
    phone: str
    specialities: list[str]
    regions: list[str]
    fee_percent: Decimal
    guarantee_days: int
    status: AgencyStatusName
    notes: str


class RequisitionFilters(Schema):
    department_id: ObjectId | None = Field(None, description="includes the departments below")
    urgency: UrgencyName | None = None
    status: RequisitionStatusName | None = None
    overdue: bool = Field(False, description="still open after the target date")
    sort: RequisitionSort = "-opened"


class RequisitionIn(Schema):
    position_id: ObjectId
    department_id: ObjectId
    target_date: dt.date
    headcount: int = Field(1, ge=1, le=10_000)
    urgency: UrgencyName = "normal"
    reason: ReasonName = "replacement"
    reason_note: Note = ""
    code: Annotated[Text, Field(max_length=40)] = Field("", description="default REQ-<year>-<n>")


class RequisitionPatch(Schema):
    headcount: int | None = Field(None, ge=1, le=10_000)
    urgency: UrgencyName | None = None
    target_date: dt.date | None = None
    reason: ReasonName | None = None
    reason_note: Note | None = None


class CloseIn(Schema):
    status: Literal["filled", "cancelled"]


class ShareIn(Schema):
    agency_ids: Annotated[list[ObjectId], Field(min_length=1, max_length=50)]
    message: Note = ""


class ShareOut(Schema):
    agency_id: int
    agency: str
    shared_on: dt.date


class SharedOut(Schema):
    shared: list[ShareOut]
    already_shared: list[int] = Field(description="ids of agencies it was already shared with")
    emailed: int


class RequisitionOut(Schema):
    id: int
    code: str
    position_id: int
    position: str
    job_family: str
    department_id: int
    department: str
    headcount: int
    urgency: UrgencyName
    target_date: dt.date
    reason: ReasonName
    reason_note: str
    status: RequisitionStatusName
    opened_on: dt.date
    closed_on: dt.date | None
    days_to_fill: int | None = Field(description="opened to filled, days; null unless filled")
    overdue_days: int | None = Field(description="days past the target while open; else null")
    shared_with: list[ShareOut]


class CandidateFilters(Schema):
    requisition_id: ObjectId | None = None
    agency_id: ObjectId | None = None
    stage: StageName | None = None


class CandidateIn(Schema):
    full_name: Name
    source: SourceName = "agency"
    agency_id: ObjectId | None = Field(None, description="required when the source is agency")
    email: Annotated[Text, Field(max_length=254)] = ""
    phone: Phone = ""
    applied_on: dt.date | None = Field(None, description="default today")
    notes: Note = ""


class StageIn(Schema):
    stage: StageName
    on: dt.date | None = Field(None, description="the day the stage was reached; default today")
    hired_employee_id: ObjectId | None = Field(None, description="for a hire: the employee")


class CandidateOut(Schema):
    id: int
    requisition_id: int
    requisition: str
    full_name: str
    email: str
    phone: str
    source: SourceName
    agency_id: int | None
    agency: str | None
    stage: StageName
    applied_on: dt.date
    screening_on: dt.date | None
    interview_on: dt.date | None
    offer_on: dt.date | None
    hired_on: dt.date | None
    rejected_on: dt.date | None
    withdrawn_on: dt.date | None
    hired_employee_id: int | None
    notes: str


class TimeToFillOut(Schema):
    group: str
    filled: int
    median_days: float
    min_days: int
    max_days: int


class OverdueOut(Schema):
    requisition_id: int
    code: str
    urgency: UrgencyName
    target_date: dt.date
    days_overdue: int


class AgencyPerformanceOut(Schema):
    agency_id: int
    name: str
    sent: int
    interviewed: int
    hires: int
    interview_rate: float | None = Field(description="0-1; null when nothing was sent")
    hire_rate: float | None
    median_days_to_hire: float | None = Field(description="application to hire, days")
    fee_cost: Decimal | None = Field(description="null unless you may read everyone's pay")
    hires_with_unknown_pay: int
    guarantee_breaches: int


class PerformanceOut(Schema):
    median_days_to_fill: float | None
    open: int
    filled: int
    time_to_fill_by_department: list[TimeToFillOut]
    time_to_fill_by_family: list[TimeToFillOut]
    overdue_urgent: list[OverdueOut]
    agencies: list[AgencyPerformanceOut]
