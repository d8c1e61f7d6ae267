"""The shapes of `GET /api/office/today`: the reader's sections, their lines and counts."""

import datetime as dt
from typing import Literal

from ninja import Field, Schema


class TodayFilters(Schema):
    section: str | None = Field(
        None, max_length=100, description="only this section (its key, e.g. 'voice.feedback')"
    )
    limit: int | None = Field(
        None, ge=1, le=500, description="at most this many lines per section (default: all)"
    )


class TodayActionOut(Schema):
    kind: Literal["approve", "delegate", "open"]
    label: str
    url: str
    method: Literal["get", "post"]


class TodayItemOut(Schema):
    key: str = Field(description="stable across requests, e.g. 'core.proposal:12'")
    title: str
    why: str = Field(description="why it is the reader's, in the reader's language")
    detail: str
    url: str = Field(description="where the matter is (absolute path)")
    since: dt.datetime = Field(description="when it started waiting")
    age_days: int = Field(description="whole days since `since`, company time")
    weight: Literal["critical", "high", "normal"]
    about: str = Field(description="the record as '<app_label.model>:<pk>', '' when none")
    action: TodayActionOut | None
    delegate_url: str = Field(description="where to delegate it as a task, '' when not offered")


class TodaySectionOut(Schema):
    key: str
    title: str
    url: str = Field(description="the module's own list, '' when none")
    count: int = Field(description="all the section's matters (its lines may be fewer)")
    items: list[TodayItemOut]


class TodayOut(Schema):
    count: int = Field(description="every section's matters: the navigation badge's number")
    reach: Literal["all", "subtree"]
    sections: list[TodaySectionOut]
