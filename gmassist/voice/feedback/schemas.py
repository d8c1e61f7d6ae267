"""The shapes of the feedback endpoints. No schema carries anything that links an anonymous item
to its sender: `author` is null for anonymous items, and there is no time finer than a day."""

import datetime as dt
import uuid
from typing import Annotated, Literal

from ninja import Field, Schema

from gmassist.api import ObjectId, Text
from gmassist.voice.common import MAX_BODY
from gmassist.voice.feedback.choices import (
    Addressee,
    FeedbackKind,
    FeedbackStatus,
    Sentiment,
    Topic,
)
from gmassist.voice.feedback.selectors import QUEUE_SORTS
from gmassist.voice.feedback.services import MAX_SUBJECT

Kind = Literal[tuple(FeedbackKind.values)]  # type: ignore[valid-type]
To = Literal[tuple(Addressee.values)]  # type: ignore[valid-type]
TopicName = Literal[tuple(Topic.values)]  # type: ignore[valid-type]
SentimentName = Literal[tuple(Sentiment.values)]  # type: ignore[valid-type]
StatusName = Literal[tuple(FeedbackStatus.values)]  # type: ignore[valid-type]
QueueSort = Literal[tuple(k for base in QUEUE_SORTS for k in (base, f"-{base}"))]  # type: ignore[valid-type]
Subject = Annotated[Text, Field(min_length=1, max_length=MAX_SUBJECT)]
Body = Annotated[Text, Field(min_length=1, max_length=MAX_BODY)]
Code = Annotated[Text, Field(min_length=1, max_length=40)]


class FeedbackIn(Schema):
    kind: Kind
    addressed_to: To = "department"
    department_id: ObjectId | None = Field(
        None,
        description="the department it is for or about; required when addressed_to is 'department'",
    )
    subject: Subject
    body: Body
    anonymous: bool = Field(False, description="store no sender; answer with a reply code")


class FeedbackSubmittedOut(Schema):
    id: uuid.UUID
    anonymous: bool
    reply_code: str = Field(
        description="for an anonymous item: the one-time reply code (shown only here); else ''"
    )
    due_on: dt.date
    topic: TopicName
    sentiment: SentimentName
    urgent: list[str]
    in_triage: bool = Field(
        description="unsure of the topic: HR sets it, then the item gets an owner"
    )


class PersonRef(Schema):
    id: int
    name: str


class FeedbackOut(Schema):
    id: uuid.UUID
    kind: Kind
    addressed_to: To
    department_id: int | None
    department: str | None
    subject: str
    body: str
    language: str
    anonymous: bool
    author: PersonRef | None = Field(description="null for anonymous items")
    submitted_on: dt.date
    topic: TopicName
    topic_confidence: float | None = Field(
        description="the classifier's probability (0-1) that the topic is right; null once a "
        "person set the topic"
    )
    in_triage: bool = Field(description="waiting for HR to set the topic; no owner until then")
    sentiment: SentimentName
    urgent: list[str]
    owner: PersonRef | None
    due_on: dt.date
    status: StatusName
    decline_reason: str
    answered_on: dt.date | None
    closed_on: dt.date | None


class MessageOut(Schema):
    position: int
    from_sender: bool
    author: PersonRef | None = Field(description="null for the sender of an anonymous item")
    body: str
    written_on: dt.date


class ThreadOut(Schema):
    feedback: FeedbackOut
    messages: list[MessageOut]


class FeedbackFilters(Schema):
    department_id: ObjectId | None = None
    status: StatusName | None = None
    topic: TopicName | None = None
    sentiment: SentimentName | None = None
    urgent: bool = False
    overdue: bool = False
    mine: bool = Field(False, description="only the items you own")
    triage: bool = Field(False, description="only the items waiting for their topic to be set")
    sort: QueueSort = "-submitted"


class ReplyIn(Schema):
    body: Body


class StatusIn(Schema):
    status: Literal["in_progress", "closed", "declined"]
    reason: Annotated[Text, Field(max_length=MAX_BODY)] = ""


class TopicIn(Schema):
    topic: TopicName


class CodeIn(Schema):
    code: Code


class CodeReplyIn(Schema):
    code: Code
    body: Body


class TrendsFilters(Schema):
    months: int = Field(12, ge=1, le=36)
    department_id: ObjectId | None = None


class SentimentCounts(Schema):
    negative: list[int]
    neutral: list[int]
    positive: list[int]


class TopicTrend(Schema):
    topic: TopicName
    total: int
    negative: int
    neutral: int
    positive: int
    negative_share: float


class DepartmentTrend(Schema):
    department_id: int
    department: str
    total: int
    negative: int
    neutral: int
    positive: int
    negative_share: float


class TrendsOut(Schema):
    months: list[str]
    by_month: SentimentCounts
    by_topic: list[TopicTrend]
    by_department: list[DepartmentTrend]
    total: int
