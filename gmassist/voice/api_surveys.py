"""The pulse-survey endpoints of the REST API (/api/voice/surveys...): list, create, read,
change, launch/close, the rounds to answer, answering (anonymously, out of the access log) and
the results. Results are each round's published snapshot (voice/engine/survey_results.py and
survey_publication.py): no group of fewer than 5 respondents and no two readings that differ by
fewer than 5, as on the pages and in the exports."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from gmassist.api import ObjectId, Text, problems, request_user
from gmassist.core.anonymity import mark_anonymous_act
from gmassist.core.choices import Action, Role
from gmassist.core.permissions import Domain, reach
from gmassist.org.models import Department
from gmassist.org.selectors import departments_everyone_names
from gmassist.voice import selectors, services
from gmassist.voice.choices import QuestionKind, SurveyRepeat, SurveyStatus
from gmassist.voice.management.surveys_cli import results_as_dict
from gmassist.voice.models import Survey, SurveyRound
from gmassist.voice.services import MAX_BODY, MAX_QUESTION_TEXT, QuestionInput

router = Router(tags=["voice"])

WRITE_PROBLEMS = problems(403, 404, 409)

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


def survey_out(survey: Survey) -> dict:
    return {
        "id": survey.pk,
        "title": survey.title,
        "description": survey.description,
        "department_id": survey.department_id,
        "audience_department_ids": sorted(survey.audience_departments.values_list("pk", flat=True)),
        "audience_roles": survey.audience_roles,
        "opens_on": survey.opens_on,
        "window_days": survey.window_days,
        "repeat_months": survey.repeat_months,
        "status": survey.status,
        "questions": [
            {"id": q.pk, "position": q.position, "kind": q.kind, "text": q.text}
            for q in survey.questions.all()
        ],
        "rounds": [
            {
                "number": r.number,
                "opens_on": r.opens_on,
                "closes_on": r.closes_on,
                "invited": r.invited_total,
                "sealed": r.sealed,
            }
            for r in survey.rounds.order_by("number")
        ],
    }


def _departments(ids: list[int], field: str) -> list[Department]:
    found = {d.pk: d for d in departments_everyone_names().filter(pk__in=ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationError(
            {field: _("No department with id %(id)s.") % {"id": ", ".join(map(str, missing))}}
        )
    return [found[i] for i in ids]


def _readable(request: HttpRequest, survey_id: int) -> Survey:
    survey = selectors.surveys_with_results(user=request_user(request)).filter(pk=survey_id).first()
    if survey is None:
        raise Http404("survey not found")
    return survey


def _changeable(request: HttpRequest, survey_id: int) -> Survey:
    user = request_user(request)
    survey = selectors.surveys_visible(user=user, action=Action.CHANGE).filter(pk=survey_id).first()
    if survey is None:
        if selectors.surveys_with_results(user=user).filter(pk=survey_id).exists():
            raise PermissionDenied(_("You may not change this survey."))
        raise Http404("survey not found")
    return survey


@router.get("/voice/surveys", response={200: list[SurveyOut], **problems(403)})
def surveys_list(request: HttpRequest):
    """The surveys whose results you may read (GM, assistant, HR: all; a head: theirs and the
    launched ones, whose results they see for their subtree's groups)."""
    user = request_user(request)
    if reach(user, Domain.SURVEYS, Action.VIEW) is None:
        raise PermissionDenied(_("Your role may not read survey results."))
    return [
        survey_out(s)
        for s in selectors.surveys_with_results(user=user)
        .prefetch_related("questions")
        .order_by("-opens_on", "-id")
    ]


@router.post("/voice/surveys", response={201: SurveyOut, **WRITE_PROBLEMS})
def survey_create(request: HttpRequest, payload: SurveyIn):
    """Create a survey as a draft (nobody is asked until it is launched)."""
    department = None
    if payload.department_id is not None:
        department = _departments([payload.department_id], "department_id")[0]
    survey = services.survey_create(
        by=request_user(request),
        title=payload.title,
        description=payload.description,
        department=department,
        audience_departments=_departments(
            payload.audience_department_ids, "audience_department_ids"
        ),
        audience_roles=payload.audience_roles,
        opens_on=payload.opens_on,
        window_days=payload.window_days,
        repeat_months=payload.repeat_months,
        questions=[QuestionInput(kind=q.kind, text=q.text) for q in payload.questions],
    )
    return Status(201, survey_out(survey))


@router.get("/voice/surveys/to-answer", response={200: list[ToAnswerOut], **problems()})
def surveys_to_answer(request: HttpRequest):
    """The open rounds that ask you and that you have not answered, closing first."""
    rounds = selectors.surveys_to_answer(user=request_user(request), today=timezone.localdate())
    return [
        {
            "survey_id": r.survey_id,
            "title": r.survey.title,
            "round": r.number,
            "closes_on": r.closes_on,
            "questions": [
                {"id": q.pk, "position": q.position, "kind": q.kind, "text": q.text}
                for q in r.survey.questions.all()
            ],
        }
        for r in rounds
    ]


@router.get("/voice/surveys/{survey_id}", response={200: SurveyOut, **problems(404)})
def survey_read(request: HttpRequest, survey_id: int):
    """One survey: questions, audience, schedule and rounds."""
    return survey_out(_readable(request, survey_id))


@router.put("/voice/surveys/{survey_id}", response={200: SurveyOut, **WRITE_PROBLEMS})
def survey_change(request: HttpRequest, survey_id: int, payload: SurveyChangeIn):
    """Change a survey; questions and the first day only until its first round has opened."""
    survey = _changeable(request, survey_id)
    survey = services.survey_update(
        survey=survey,
        by=request_user(request),
        title=payload.title,
        description=payload.description,
        audience_departments=_departments(
            payload.audience_department_ids, "audience_department_ids"
        ),
        audience_roles=payload.audience_roles,
        opens_on=payload.opens_on,
        window_days=payload.window_days,
        repeat_months=payload.repeat_months,
        questions=None
        if payload.questions is None
        else [QuestionInput(kind=q.kind, text=q.text) for q in payload.questions],
    )
    return survey_out(survey)


@router.post("/voice/surveys/{survey_id}/status", response={200: SurveyOut, **WRITE_PROBLEMS})
def survey_change_status(request: HttpRequest, survey_id: int, payload: SurveyStatusIn):
    """Launch a draft (`active`: a round due today opens at once) or close a survey."""
    survey = _changeable(request, survey_id)
    survey = services.survey_set_status(
        survey=survey, by=request_user(request), status=payload.status
    )
    if payload.status == SurveyStatus.ACTIVE:
        services.surveys_open_due(today=timezone.localdate())
    return survey_out(survey)


@router.post(
    "/voice/surveys/{survey_id}/rounds/{number}/answers",
    response={201: AnsweredOut, **WRITE_PROBLEMS},
)
def survey_answer(request: HttpRequest, survey_id: int, number: int, payload: AnswersIn):
    """Answer an open round that asks you, anonymously: the answer holds your department and
    no link to you; the request is kept out of the access log; once per round."""
    mark_anonymous_act(request)
    user = request_user(request)
    survey_round = (
        SurveyRound.objects.select_related("survey")
        .filter(survey_id=survey_id, number=number)
        .first()
    )
    if survey_round is None or not services.survey_asks(survey=survey_round.survey, user=user):
        raise Http404("no such survey round for you")
    answers = {}
    for key, value in payload.answers.items():
        if not key.isdigit():
            raise ValidationError(
                {"answers": _("Question ids are numbers, not %(key)r.") % {"key": key}}
            )
        answers[int(key)] = value
    services.survey_answer(survey_round=survey_round, by=user, answers=answers)
    return Status(201, {"answered": True})


@router.get("/voice/surveys/{survey_id}/results", response={200: ResultsOut, **problems(404)})
def survey_results(request: HttpRequest, survey_id: int, filters: Query[ResultsFilters]):
    """A round's published results: while it is open, the round as a whole (refreshed once a
    day after 5 or more new answers of the days before); once closed, by group (5 or more
    respondents each; smaller departments merged into the one above, the company hidden when
    under 5); and the eNPS trend across rounds."""
    user = request_user(request)
    survey = _readable(request, survey_id)
    rounds = survey.rounds.order_by("number")
    survey_round = rounds.filter(number=filters.round).first() if filters.round else rounds.last()
    if filters.round and survey_round is None:
        raise Http404(f"survey {survey_id} has no round {filters.round}")
    company = _("Whole company")
    results = (
        selectors.round_results(user=user, survey_round=survey_round, company_name=company)
        if survey_round
        else None
    )
    trend = selectors.survey_trend(user=user, survey=survey, company_name=company)
    data = results_as_dict(survey, survey_round, results, trend)
    data["questions"] = [
        {"id": q.pk, "position": q.position, "kind": q.kind, "text": q.text}
        for q in survey.questions.all()
    ]
    return data
