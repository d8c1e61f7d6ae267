"""The shapes of the documents endpoints."""

import datetime as dt
from typing import Annotated, Literal

from ninja import Field, Schema

from gmassist.api import ObjectId, Text
from gmassist.office.documents.choices import (
    Decision,
    DocumentKind,
    DocumentStatus,
    Routing,
    StepStatus,
)
from gmassist.office.documents.services import MAX_APPROVERS, TEXT_MAX, TITLE_MAX

KindName = Literal[tuple(DocumentKind.values)]  # type: ignore[valid-type]
StatusName = Literal[tuple(DocumentStatus.values)]  # type: ignore[valid-type]
RoutingName = Literal[tuple(Routing.values)]  # type: ignore[valid-type]
StepStatusName = Literal[tuple(StepStatus.values)]  # type: ignore[valid-type]
DecisionName = Literal[tuple(Decision.values)]  # type: ignore[valid-type]
Show = Literal["all", "awaiting", "mine", "in_flight", "archive"]


class DocumentPersonRef(Schema):
    id: int
    name: str


class DocumentFilters(Schema):
    show: Show = Field(
        "all",
        description="awaiting: your decision (also as a deputy); mine: written by you; "
        "in_flight: in review or back for changes; archive: approved; all: all you may see",
    )
    search: Text = Field("", max_length=100, description="a part of the title")
    kind: KindName | None = None
    status: StatusName | None = None


class DocumentIn(Schema):
    """A new document, sent as a form (multipart) with its file, or with `text`."""

    title: Annotated[Text, Field(min_length=1, max_length=TITLE_MAX)]
    kind: KindName = "memo"
    summary: Text = Field("", max_length=2000)
    text: Text = Field("", max_length=TEXT_MAX, description="the document written here, or ''")
    routing: RoutingName = "sequence"
    min_approvals: int | None = Field(
        None, ge=1, le=MAX_APPROVERS, description="in parallel: approvals needed (null: all)"
    )
    approvers: list[ObjectId] = Field(
        description="the approvers' user ids, in their order (repeat the field)",
        min_length=1,
        max_length=MAX_APPROVERS,
    )
    department_id: ObjectId | None = None
    about_employee_id: ObjectId | None = Field(
        None, description="the employee it is about, who then never decides it"
    )
    submit: bool = Field(True, description="send for approval now (false: keep a draft)")


class DocumentDecideIn(Schema):
    decision: DecisionName
    comment: Text = Field("", max_length=2000, description="required for changes and reject")


class DocumentVersionIn(Schema):
    text: Text = Field("", max_length=TEXT_MAX)
    note: Text = Field("", max_length=500, description="what changed")


class DocumentStepOut(Schema):
    order: int
    approver: DocumentPersonRef
    status: StepStatusName
    decided_by: DocumentPersonRef | None
    on_behalf_of: DocumentPersonRef | None = Field(
        description="the approver, when a deputy decided"
    )
    decided_at: dt.datetime | None
    comment: str


class DocumentVersionOut(Schema):
    number: int
    file_name: str
    file_kind: str = Field(description='"pdf", "docx", or "" for a written version')
    file_size: int
    sha256: str
    text: str
    note: str
    created_at: dt.datetime
    download: str = Field(description="the path of its download")
    steps: list[DocumentStepOut]


class DocumentOut(Schema):
    id: int
    title: str
    kind: KindName
    status: StatusName
    routing: RoutingName
    min_approvals: int | None
    author: DocumentPersonRef
    department_id: int | None
    about_employee_id: int | None
    summary: str
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None
    archived_at: dt.datetime | None
    url: str


class DocumentDetailOut(DocumentOut):
    versions: list[DocumentVersionOut] = Field(description="newest first")
    may_decide: bool
    decide_refusal: str = Field(description="why you may not decide it now, or ''")
    on_behalf_of: DocumentPersonRef | None = Field(
        description="whom you would decide it for as their deputy"
    )
    approval_record: str = Field(description="the path of the approval record, '' until approved")
