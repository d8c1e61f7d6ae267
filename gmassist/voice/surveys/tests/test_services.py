"""Survey services and selectors: who may create and run surveys, the schedule (rounds opened,
skipped and sealed), answering once and anonymously, and results through the group rule."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import make_employee, make_user
from gmassist.core.choices import Role
from gmassist.core.models import AuditEntry
from gmassist.core.permissions import SYSTEM
from gmassist.voice.surveys import selectors, services
from gmassist.voice.surveys.models import (
    Survey,
    SurveyAnswer,
    SurveyParticipation,
    SurveyResponse,
    SurveyRound,
)
from gmassist.voice.surveys.services import QuestionInput

QUESTIONS = [
    QuestionInput("enps", "How likely are you to recommend us as an employer?"),
    QuestionInput("scale", "My workload is manageable."),
    QuestionInput("text", "What should we change?"),
]
DAY = dt.date(2026, 3, 2)


def new_survey(by, **extra):
    fields = {"title": "Pulse", "questions": QUESTIONS, "opens_on": DAY, "window_days": 7}
    fields.update(extra)
    return services.survey_create(by=by, **fields)


def launched(by, **extra):
    survey = new_survey(by, **extra)
    services.survey_set_status(survey=survey, by=by, status="active")
    services.surveys_open_due(today=DAY)
    return survey


def close(survey):
    """Close the survey now (as the system): its open round is sealed with its final results."""
    services.survey_set_status(survey=survey, by=SYSTEM, status="closed")


def answers_for(survey, enps=9, scale=4, text=""):
    q = {question.kind: question.pk for question in survey.questions.all()}
    return {q["enps"]: enps, q["scale"]: scale, q["text"]: text}


def test_hr_creates_a_company_survey_as_a_draft_and_it_is_audited(cast):
    survey = new_survey(cast.hr, audience_roles=["employee"])
    assert (survey.status, survey.department, survey.created_by) == ("draft", None, cast.hr)
    assert [q.kind for q in survey.questions.all()] == ["enps", "scale", "text"]
    entry = AuditEntry.objects.get(target_id=str(survey.pk))
    assert entry.changes["audience_roles"] == ["employee"]


def test_a_head_runs_surveys_for_their_subtree_only(cast):
    survey = new_survey(cast.head, department=cast.sales, audience_departments=[cast.sales_east])
    assert survey.department == cast.sales
    with pytest.raises(PermissionDenied):
        new_survey(cast.head)
    with pytest.raises(PermissionDenied):
        new_survey(cast.head, department=cast.rnd)
    with pytest.raises(PermissionDenied):
        new_survey(cast.employee, department=cast.sales_east)
    assert Survey.objects.count() == 1


def test_bad_surveys_say_what_is_wrong(cast):
    with pytest.raises(ValidationError) as exc:
        new_survey(
            cast.gm,
            title=" ",
            questions=[QuestionInput("stars", "x"), QuestionInput("text", "")],
            window_days=40,
            repeat_months=1,
            audience_roles=["boss"],
        )
    assert exc.value.message_dict == {
        "title": ["A survey needs a title."],
        "window_days": ["A round must close before the next one opens."],
        "audience_roles": [
            "Unknown role boss; use one of gm, assistant, hr, dept_head, account_manager, employee."
        ],
        "questions": ["Question 1: choose one of: enps, scale, text. Question 2 has no text."],
    }
    with pytest.raises(ValidationError) as exc:
        new_survey(cast.head, department=cast.sales, audience_departments=[cast.rnd])
    assert exc.value.message_dict == {"audience_departments": ["R&D is outside Sales."]}
    assert Survey.objects.count() == 0


def test_launching_opens_the_round_due_and_counts_who_is_asked(cast):
    survey = launched(cast.hr, audience_departments=[cast.sales])
    survey_round = SurveyRound.objects.get(survey=survey)
    assert (survey_round.number, survey_round.opens_on, survey_round.closes_on) == (
        1,
        DAY,
        dt.date(2026, 3, 8),
    )
    # Sales: the head and the account manager; Sales East: the employee
    assert survey_round.invited == {str(cast.sales.pk): 2, str(cast.sales_east.pk): 1}
    assert services.surveys_open_due(today=DAY) == {
        "surveys": 1,
        "opened": 0,
        "sealed": 0,
        "closed": 0,
        "refreshed": 0,
    }


def test_a_repeating_survey_seals_the_past_round_skips_missed_ones_and_opens_the_next(cast):
    survey = launched(cast.gm, repeat_months=1)
    assert services.surveys_open_due(today=dt.date(2026, 5, 4)) == {
        "surveys": 1,
        "opened": 1,
        "sealed": 1,
        "closed": 0,
        "refreshed": 0,
    }
    rounds = list(survey.rounds.values_list("number", "opens_on", "sealed"))
    assert rounds == [(1, DAY, True), (3, dt.date(2026, 5, 2), False)]


def test_a_one_off_survey_closes_after_its_window(cast):
    survey = launched(cast.gm)
    assert services.surveys_open_due(today=dt.date(2026, 3, 9))["closed"] == 1
    survey.refresh_from_db()
    assert survey.status == "closed" and survey.rounds.get().sealed


def test_an_answer_is_kept_apart_from_who_answered(cast):
    survey = launched(cast.gm)
    survey_round = survey.rounds.get()
    result = services.survey_answer(
        survey_round=survey_round,
        by=cast.employee,
        answers=answers_for(survey, text="More desks"),
        today=DAY,
    )
    assert result is None
    participation = SurveyParticipation.objects.get()
    response = SurveyResponse.objects.get()
    assert participation.employee_id == cast.employee.employee_id
    assert (response.department_id, response.answered_on) == (cast.sales_east.pk, DAY)
    # nothing in the response names, times or points to the person or the participation: the
    # day only, while the round is open
    assert {f.name for f in SurveyResponse._meta.concrete_fields} == {
        "id",
        "round",
        "department",
        "answered_on",
    }
    assert {f.name for f in SurveyParticipation._meta.concrete_fields} == {
        "id",
        "round",
        "employee",
    }
    assert sorted(SurveyAnswer.objects.values_list("score", "text"), key=str) == [
        (4, ""),
        (9, ""),
        (None, "More desks"),
    ]
    assert (
        AuditEntry.objects.filter(target_type__icontains="survey")
        .exclude(action__in=["create", "update"])
        .count()
        == 0
    )
    with pytest.raises(ValidationError, match="answered this round already"):
        services.survey_answer(
            survey_round=survey_round, by=cast.employee, answers=answers_for(survey), today=DAY
        )
    assert SurveyResponse.objects.count() == 1


def test_answers_are_checked_and_nothing_is_half_written(cast):
    survey = launched(cast.gm)
    survey_round = survey.rounds.get()
    bad = answers_for(survey, enps=11, scale="")
    with pytest.raises(ValidationError) as exc:
        services.survey_answer(survey_round=survey_round, by=cast.employee, answers=bad, today=DAY)
    assert exc.value.message_dict == {
        "q1": ["Give a whole number from 0 to 10."],
        "q2": ["Answer this question."],
    }
    assert SurveyParticipation.objects.count() == SurveyResponse.objects.count() == 0


def test_only_the_people_asked_may_answer_while_the_round_is_open(cast):
    survey = launched(cast.gm, audience_departments=[cast.sales])
    survey_round = survey.rounds.get()
    with pytest.raises(PermissionDenied):
        services.survey_answer(
            survey_round=survey_round, by=cast.outsider, answers=answers_for(survey), today=DAY
        )
    with pytest.raises(ValidationError, match="not open"):
        services.survey_answer(
            survey_round=survey_round,
            by=cast.employee,
            answers=answers_for(survey),
            today=dt.date(2026, 3, 9),
        )
    assert SurveyParticipation.objects.count() == 0


def test_sealing_rewrites_the_responses_with_new_ids(cast):
    survey = launched(cast.gm)
    survey_round = survey.rounds.get()
    services.survey_answer(
        survey_round=survey_round, by=cast.employee, answers=answers_for(survey), today=DAY
    )
    before = set(SurveyResponse.objects.values_list("id", flat=True))
    services.survey_set_status(survey=survey, by=cast.gm, status="closed")
    after = set(SurveyResponse.objects.values_list("id", flat=True))
    assert len(after) == 1 and before.isdisjoint(after)
    assert sorted(SurveyAnswer.objects.values_list("score", flat=True), key=str) == [4, 9]


def add_people(department, count, prefix):
    users = []
    for i in range(count):
        employee = make_employee(f"{prefix}{i}", f"{prefix} {i}", department, department_position())
        users.append(make_user(f"{prefix.lower()}{i}", Role.EMPLOYEE, employee))
    return users


def department_position():
    from gmassist.org.models import Position

    return Position.objects.first()


def answer_all(survey_round, users, enps):
    survey = survey_round.survey
    for user in users:
        services.survey_answer(
            survey_round=survey_round, by=user, answers=answers_for(survey, enps=enps), today=DAY
        )


def test_results_show_only_groups_of_five_and_a_head_only_their_subtree(cast):
    east = add_people(cast.sales_east, 4, "E")  # with Emma: 5 in Sales East
    rnd = add_people(cast.rnd, 4, "R")  # with Oscar: 5 in R&D
    survey = launched(cast.gm)
    survey_round = survey.rounds.get()
    answer_all(survey_round, [cast.employee, *east], enps=10)
    answer_all(survey_round, [cast.outsider, *rnd], enps=0)
    close(survey)
    everything = selectors.round_results(user=cast.gm, survey_round=survey_round)
    assert [(g.group.name, g.group.respondents, g.enps) for g in everything.groups] == [
        ("Sales East", 5, 100.0),
        ("R&D", 5, -100.0),
    ]
    assert (everything.overall.enps, everything.respondents) == (0.0, 10)
    head = selectors.round_results(user=cast.head, survey_round=survey_round)
    assert [(g.group.name, g.group.respondents) for g in head.groups] == [("Sales East", 5)]
    assert head.overall.group.respondents == 5
    assert selectors.round_results(user=cast.employee, survey_round=survey_round).groups == []


def test_a_small_department_left_at_the_top_folds_in_the_smallest_group(cast):
    east = add_people(cast.sales_east, 4, "E")
    rnd = add_people(cast.rnd, 3, "R")  # 4 in R&D: too few, and nothing above them but HQ
    survey = launched(cast.gm)
    survey_round = survey.rounds.get()
    answer_all(survey_round, [cast.employee, *east], enps=10)
    answer_all(survey_round, [cast.outsider, *rnd], enps=0)
    close(survey)
    results = selectors.round_results(
        user=cast.gm, survey_round=survey_round, company_name="All of us"
    )
    assert [(g.group.name, g.group.respondents, g.enps) for g in results.groups] == [
        ("All of us", 9, 11.1)
    ]
    assert results.groups[0].group.merged_names == ("R&D", "Sales East")
    # a head sees no group: their people are counted in the company group only
    assert selectors.round_results(user=cast.head, survey_round=survey_round).groups == []


def test_the_inbox_lists_open_rounds_not_yet_answered(cast):
    survey = launched(cast.gm)
    survey_round = survey.rounds.get()
    assert selectors.surveys_to_answer(user=cast.employee, today=DAY) == [survey_round]
    services.survey_answer(
        survey_round=survey_round, by=cast.employee, answers=answers_for(survey), today=DAY
    )
    assert selectors.surveys_to_answer(user=cast.employee, today=DAY) == []
    assert selectors.survey_answered(user=cast.employee, survey_round=survey_round)
    assert selectors.surveys_to_answer(user=cast.assistant, today=DAY) == []
