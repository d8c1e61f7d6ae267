"""The pulse-survey endpoints of the REST API (/api/voice/surveys...): list, create, read,
change, launch/close, the rounds to answer, answering (anonymously, out of the access log) and
the results. Results are each round's published snapshot (voice/engine/survey_results.py and
survey_publication.py): no group of fewer than 5 respondents and no two readings that differ by
fewer than 5, as on the pages and in the exports. Their shapes are in schemas.py."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.responses import Status

from gmassist.api import problems, request_user
from gmassist.core.anonymity import mark_anonymous_act
from gmassist.core.choices import Action
from gmassist.core.permissions import Domain, reach
from gmassist.org.models import Department
from gmassist.org.selectors import departments_everyone_names
from gmassist.voice.surveys import selectors, services
from gmassist.voice.surveys.choices import SurveyStatus
from gmassist.voice.surveys.models import Survey
from gmassist.voice.surveys.presenters import results_as_dict
from gmassist.voice.surveys.schemas import (
    AnsweredOut,
    AnswersIn,
    ResultsFilters,
    ResultsOut,
    SurveyChangeIn,
    SurveyIn,
    SurveyOut,
    SurveyStatusIn,
    ToAnswerOut,
)
from gmassist.voice.surveys.services import QuestionInput

router = Router(tags=["voice"])
# The endpoints were first written in this module's old place: their operation ids stay
# (gmassist/api.py, GmassistAPI.get_openapi_operation_id).
OPERATION_ID_MODULE = "gmassist.voice.api_surveys"

WRITE_PROBLEMS = problems(403, 404, 409)


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
    survey_round = selectors.survey_round_asking(user=user, survey_id=survey_id, number=number)
    if survey_round is None:
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
