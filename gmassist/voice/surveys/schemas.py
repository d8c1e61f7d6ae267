"""The shapes of the pulse-survey endpoints (/api/voice/surveys…): surveys and their questions
and rounds, the rounds to answer, answers, and the published results with the trend."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Field, Schema

from gmassist.api import ObjectId, Text
from gmassist.core.choices import Role
from gmassist.voice.common import MAX_BODY
from gmassist.voice.surveys import services
from gmassist.voice.surveys.choices import QuestionKind, SurveyRepeat, SurveyStatus
from gmassist.voice.surveys.services import MAX_QUESTION_TEXT

KindName = Literal[tuple(QuestionKind.values)]  # type: ignore[valid-type]
RoleName = Literal[tuple(Role.values)]  # type: ignore[valid-type]
RepeatMonths = Literal[tuple(SurveyRepeat.values)]  # type: ignore[valid-type]
StatusName = Literal[tuple(SurveyStatus.values)]  # type: ignore[valid-type]


class QuestionIn(Schema):
    kind: KindName
    text: Annotated[Text, Field(min_length=1, max_length=MAX_QUESTION_TEXT)]


class SurveyIn(Schema):
    title: Annotated[Text, Field(min_length=1, max_length=200)]
    description: Annotated[Text, Field(max_length=MAX_BODY)] = ""
    department_id: ObjectId | None = Field(
        None, description="run it for this department (its subtree); null: the whole company"
    )
    audience_department_ids: list[ObjectId] = Field(
        default_factory=list, description="departments asked, each with its subtree"
    )
    audience_roles: list[RoleName] = Field(
        default_factory=list, description="roles asked; no departments and no roles: everyone"
    )
    opens_on: dt.date = Field(description="the day the first round opens")
    window_days: int = Field(14, ge=1, le=services.MAX_WINDOW_DAYS)
    repeat_months: RepeatMonths = Field(0, description="0 once; 1, 3, 6 or 12 months")
    questions: list[QuestionIn] = Field(min_length=1, max_length=services.MAX_QUESTIONS)


class SurveyChangeIn(SurveyIn):
    questions: list[QuestionIn] | None = Field(  # type: ignore[assignment]
        None, description="null: unchanged (questions cannot change once a round has opened)"
    )


class SurveyStatusIn(Schema):
    status: Literal["active", "closed"]


class QuestionOut(Schema):
    id: int
    position: int
    kind: KindName
    text: str


class RoundOut(Schema):
    number: int
    opens_on: dt.date
    closes_on: dt.date
    invited: int
    sealed: bool


class SurveyOut(Schema):
    id: int
    title: str
    description: str
    department_id: int | None
    audience_department_ids: list[int]
    audience_roles: list[str]
    opens_on: dt.date
    window_days: int
    repeat_months: int
    status: StatusName
    questions: list[QuestionOut]
    rounds: list[RoundOut]


class ToAnswerOut(Schema):
    survey_id: int
    title: str
    round: int
    closes_on: dt.date
    questions: list[QuestionOut]


class AnswersIn(Schema):
    answers: dict[str, int | Annotated[Text, Field(max_length=MAX_BODY)]] = Field(
        description="question id -> score (eNPS 0-10, scale 1-5) or text"
    )


class AnsweredOut(Schema):
    answered: bool


class ScoreOut(Schema):
    question_id: int
    kind: KindName
    mean: float | None
    enps: float | None
    answers: int


class TextsOut(Schema):
    question_id: int
    answers: list[str]


class GroupOut(Schema):
    department_id: int | None = Field(description="null: the company group (what is left)")
    name: str
    merged: list[str] = Field(description="smaller departments counted in this group")
    respondents: int = Field(description="5 or more, always")
    invited: int
    response_rate: float | None = Field(description="0-1")
    enps: float | None = Field(description="points, -100 to 100")
    scores: list[ScoreOut]
    texts: list[TextsOut]


class TrendGroupOut(Schema):
    department_id: int | None
    name: str
    enps: float | None


class TrendPointOut(Schema):
    round: int
    opens_on: dt.date
    final: bool = Field(description="false: the open round as a whole so far")
    enps: float | None
    respondents: int
    groups: list[TrendGroupOut]


class ResultsOut(Schema):
    survey_id: int
    title: str
    round: int | None
    opens_on: dt.date | None
    closes_on: dt.date | None
    min_group_size: int
    published: bool = Field(description="false: nothing published yet for this round")
    final: bool = Field(
        description="true: the closed round's groups; false: the open round as a whole, "
        "refreshed once a day after 5 or more new answers of the days before"
    )
    counts_answers_before: dt.date | None = Field(
        description="an open round's results count the answers given before this day"
    )
    left_out: int = Field(
        description="answers after the last refresh, fewer than 5, not counted at the close"
    )
    hidden: bool = Field(description="true: the whole company has fewer than 5 respondents")
    respondents: int
    invited: int
    overall: GroupOut | None = Field(description="all the groups shown, together")
    groups: list[GroupOut]
    questions: list[QuestionOut]
    trend: list[TrendPointOut]


class ResultsFilters(Schema):
    round: int | None = Field(None, ge=1, description="default: the latest round")
