"""The shapes of the triage endpoints."""

import datetime as dt
from typing import Annotated, Literal

from ninja import Field, Schema

from gmassist.api import ObjectId, Text
from gmassist.office.triage.choices import Category, MatterStatus, Route, Source
from gmassist.office.triage.services import MAX_NOTE, MAX_TEXT, MAX_TITLE

RouteName = Literal[tuple(Route.values)]  # type: ignore[valid-type]
CategoryName = Literal[tuple(Category.values)]  # type: ignore[valid-type]
SourceName = Literal[tuple(Source.values)]  # type: ignore[valid-type]
StatusName = Literal[tuple(MatterStatus.values)]  # type: ignore[valid-type]
Phrase = Annotated[Text, Field(min_length=1, max_length=80)]


class TriagePersonOut(Schema):
    id: int
    name: str


class TriageProposalOut(Schema):
    route: RouteName
    category: CategoryName
    owner: TriagePersonOut | None
    confidence: float = Field(description="0-1; 1 when one of the GM's rules decided")
    unsure: bool
    rule_id: int | None
    reasons: list[str] = Field(description="in the reader's language")


class TriageDecisionOut(Schema):
    route: RouteName
    category: CategoryName
    owner: TriagePersonOut | None
    accepted: bool = Field(description="the decision is the proposal")
    decided_by: TriagePersonOut | None
    decided_at: dt.datetime
    note: str


class TriageMatterOut(Schema):
    id: int
    title: str
    text: str
    language: str
    source: SourceName
    source_ref: str = Field(description='"<app_label.model>:<pk>" of the record, "" for none')
    department_id: int | None
    received_at: dt.datetime
    status: StatusName
    proposal: TriageProposalOut
    decision: TriageDecisionOut | None = Field(
        description="the latest decision, null while waiting"
    )
    task_ref: str = Field(description='the delegated task, "office.task:<pk>", "" for none')


class TriageMatterDetailOut(TriageMatterOut):
    history: list[TriageDecisionOut]


class TriageMatterIn(Schema):
    title: Annotated[Text, Field(min_length=1, max_length=MAX_TITLE)]
    text: Annotated[Text, Field(max_length=MAX_TEXT)] = ""
    source: Literal["request", "document", "finding"] = "request"
    source_ref: Annotated[Text, Field(max_length=120)] = ""
    department_id: ObjectId | None = None


class TriageDecideIn(Schema):
    route: RouteName
    owner_id: ObjectId | None = Field(None, description="required when route is 'delegate'")
    category: CategoryName | Literal[""] = Field(
        "", description="default: the proposed one, or the likeliest of the new route"
    )
    note: Annotated[Text, Field(max_length=MAX_NOTE)] = ""


class TriageMatterFilters(Schema):
    status: StatusName | None = None
    route: RouteName | None = Field(None, description="of the decision")


class TriageRuleOut(Schema):
    id: int
    position: int
    phrases_en: list[str]
    phrases_zh: list[str]
    category: CategoryName
    route: RouteName
    owner: TriagePersonOut | None
    active: bool


class TriageRuleIn(Schema):
    phrases_en: list[Phrase] = Field(default_factory=list, max_length=40)
    phrases_zh: list[Phrase] = Field(default_factory=list, max_length=40)
    category: CategoryName
    route: RouteName
    owner_id: ObjectId | None = Field(None, description="required when route is 'delegate'")
    active: bool = True


class TriageRateOut(Schema):
    decided: int
    accepted: int
    rate: float | None = Field(description="0-1, null when nothing is decided")


class TriageCategoryRateOut(TriageRateOut):
    category: CategoryName


class TriageMonthRateOut(TriageRateOut):
    month: str = Field(description="YYYY-MM of the decision")


class TriageRouteRateOut(TriageRateOut):
    route: RouteName


class TriageProposerRateOut(TriageRateOut):
    proposer: Literal["rule", "classifier", "unsure"]


class TriageReportOut(TriageRateOut):
    corrected: int
    by_category: list[TriageCategoryRateOut]
    by_month: list[TriageMonthRateOut]
    by_route: list[TriageRouteRateOut]
    by_proposer: list[TriageProposerRateOut]
