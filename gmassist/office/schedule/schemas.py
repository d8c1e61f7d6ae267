"""The shapes of the schedule endpoints: meetings, slots, imported calendars, the feed address."""

import datetime as dt
from typing import Annotated, Literal

from ninja import Field, Schema

from gmassist.api import ObjectId, Text
from gmassist.office.schedule.choices import MeetingStatus, ParticipantResponse, Repeat
from gmassist.office.schedule.models import MAX_TITLE

RepeatName = Literal[tuple(Repeat.values)]  # type: ignore[valid-type]
StatusName = Literal[tuple(MeetingStatus.values)]  # type: ignore[valid-type]
ResponseName = Literal[tuple(ParticipantResponse.values)]  # type: ignore[valid-type]
Answer = Literal["accepted", "tentative", "declined"]
Title = Annotated[Text, Field(min_length=1, max_length=MAX_TITLE)]
Zone = Annotated[
    Text, Field(min_length=1, max_length=64, description="an IANA time zone, e.g. Europe/Berlin")
]


class PersonRef(Schema):
    id: int
    name: str


class ParticipantOut(Schema):
    user: PersonRef
    response: ResponseName  # type: ignore[valid-type]


class MeetingIn(Schema):
    title: Title
    starts_at: dt.datetime = Field(
        description="with its UTC offset, e.g. 2026-03-05T14:00:00+08:00"
    )
    ends_at: dt.datetime
    time_zone: Zone
    place: Annotated[Text, Field(max_length=200)] = ""
    online_url: Annotated[Text, Field(max_length=500)] = ""
    agenda: Annotated[Text, Field(max_length=10_000)] = ""
    repeat: RepeatName = ""  # type: ignore[valid-type]
    repeat_until: dt.date | None = Field(None, description="the last day it repeats on (local)")
    participant_ids: list[ObjectId] = Field(default_factory=list, max_length=200)
    organiser_id: ObjectId | None = Field(
        None, description="book it in this person's name (the GM's office only); default: you"
    )


class MeetingOut(Schema):
    id: int
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    time_zone: str
    place: str
    online_url: str
    organiser: PersonRef
    arranged_by: PersonRef | None
    agenda: str
    minutes: str
    repeat: RepeatName  # type: ignore[valid-type]
    repeat_until: dt.date | None
    rrule: str = Field(description="the RFC 5545 RRULE of a repeating meeting, '' otherwise")
    status: StatusName  # type: ignore[valid-type]
    cancel_reason: str
    sequence: int
    participants: list[ParticipantOut]


class MeetingFilters(Schema):
    start: dt.date | None = Field(None, description="meetings that occur on or after this day")
    end: dt.date | None = Field(None, description="… and before this day")


class CancelIn(Schema):
    reason: Annotated[Text, Field(min_length=1, max_length=2000)]


class MinutesIn(Schema):
    minutes: Annotated[Text, Field(min_length=1, max_length=50_000)]


class AnswerIn(Schema):
    response: Answer


class SlotFilters(Schema):
    with_ids: str = Field(
        ...,
        alias="with",
        pattern=r"^\d{1,19}(,\d{1,19}){0,49}$",
        description="user ids, comma-separated",
    )
    minutes: int = Field(60, ge=5, le=600)
    start: dt.date | None = Field(None, alias="from", description="default: today")
    days: int = Field(7, ge=1, le=31)
    limit: int = Field(8, ge=1, le=50)
    include_me: bool = Field(True, description="false: a time for the others only")


class SlotPersonOut(Schema):
    user_id: int
    name: str
    time_zone: str
    start: str = Field(description="local start, ISO 8601 with offset")
    end: str


class SlotOut(Schema):
    start: dt.datetime
    end: dt.datetime
    local: list[SlotPersonOut]


class CalendarOut(Schema):
    id: int
    name: str
    imported_at: dt.datetime
    window_start: dt.datetime
    window_end: dt.datetime
    interval_count: int


class FeedTokenOut(Schema):
    url: str = Field(description="the feed's address, shown this once")
    prefix: str
    created_at: dt.datetime
