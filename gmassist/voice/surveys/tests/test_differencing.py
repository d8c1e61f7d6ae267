"""Survey results cannot be differenced, end to end: reading before and after one answer shows
the same results; an open round is published as a whole once a day after 5 new answers of the
days before; the final groups never step by fewer than 5 from what was published; and the
answers of an open round are not kept in the order people answered."""

from __future__ import annotations

import datetime as dt
import json
import logging

import time_machine

from gmassist.core.models import ApiToken
from gmassist.core.services import api_token_create
from gmassist.core.tests.anonymity_checks import physical_order, tables_written
from gmassist.voice.surveys import selectors, services
from gmassist.voice.surveys.models import SurveyAnswer, SurveyParticipation, SurveyResponse
from gmassist.voice.surveys.tests.test_services import (
    DAY,
    add_people,
    answers_for,
    close,
    launched,
)

NEXT = DAY + dt.timedelta(days=1)


def answer(survey_round, users, *, day, enps=9, text=""):
    for user in users:
        services.survey_answer(
            survey_round=survey_round,
            by=user,
            answers=answers_for(survey_round.survey, enps=enps, text=text),
            today=day,
        )


def figures(results):
    return [
        (
            g.group.name,
            g.group.respondents,
            g.enps,
            [(q, s.distribution) for q, s in sorted(g.scores.items())],
            sorted(g.texts.items()),
        )
        for g in results.groups
    ]


def test_reading_before_and_after_one_answer_shows_the_same_results(cast):
    people = add_people(cast.sales_east, 7, "E")
    survey = launched(cast.gm)
    survey_round = survey.rounds.get()
    answer(survey_round, people, day=DAY, enps=8, text="Fine")
    answer(survey_round, [cast.outsider], day=NEXT, enps=2)  # publishes DAY's seven
    before = selectors.round_results(user=cast.gm, survey_round=survey_round)
    assert (before.published, before.is_final, before.respondents) == (True, False, 7)
    # the probe: one more answer, with a text, then read again
    answer(survey_round, [cast.employee], day=NEXT, enps=0, text="My manager shouts at me")
    after = selectors.round_results(user=cast.gm, survey_round=survey_round)
    assert figures(after) == figures(before)
    assert "My manager shouts at me" not in str(figures(after))


def test_an_open_round_is_published_the_day_after_five_answers_as_a_whole(cast):
    people = add_people(cast.sales_east, 4, "E")
    survey = launched(cast.gm)
    survey_round = survey.rounds.get()
    answer(survey_round, [cast.employee, *people[:3]], day=DAY)
    answer(survey_round, [people[3]], day=NEXT)
    # four answers of the days before: nothing yet
    assert selectors.round_results(user=cast.gm, survey_round=survey_round).published is False
    assert services.surveys_open_due(today=NEXT + dt.timedelta(days=1))["refreshed"] == 1
    results = selectors.round_results(
        user=cast.gm, survey_round=survey_round, company_name="Everyone"
    )
    assert [(g.group.name, g.group.respondents) for g in results.groups] == [("Everyone", 5)]
    assert (results.is_final, results.counts_before) == (False, NEXT + dt.timedelta(days=1))
    # the whole round is the company's: a head sees nothing of it until it closes
    head = selectors.round_results(user=cast.head, survey_round=survey_round)
    assert (head.published, head.groups) == (True, [])


def test_a_department_survey_is_published_so_far_to_its_head(cast):
    people = add_people(cast.sales_east, 4, "E")
    survey = launched(cast.head, department=cast.sales)
    survey_round = survey.rounds.get()
    answer(survey_round, [cast.employee, *people], day=DAY)
    services.surveys_open_due(today=NEXT)
    results = selectors.round_results(user=cast.head, survey_round=survey_round)
    assert [(g.group.name, g.group.respondents) for g in results.groups] == [("Sales", 5)]


def test_the_final_groups_never_step_by_fewer_than_five_from_a_refresh(cast):
    east = add_people(cast.sales_east, 5, "E")
    rnd = add_people(cast.rnd, 4, "R")
    survey = launched(cast.gm)
    survey_round = survey.rounds.get()
    answer(survey_round, east, day=DAY, enps=10)
    # the next day: one more in Sales East (the refresh of DAY's five is made first), R&D's five
    answer(survey_round, [cast.employee], day=NEXT, enps=0)
    answer(survey_round, [cast.outsider, *rnd], day=NEXT, enps=5)
    close(survey)
    results = selectors.round_results(user=cast.gm, survey_round=survey_round)
    # Sales East alone (6) minus the refresh (5) would be the sixth person's answer
    assert [(g.group.name, g.group.respondents, g.group.merged_names) for g in results.groups] == [
        ("Headquarters", 11, ("Sales East", "R&D"))
    ]
    assert selectors.round_results(user=cast.head, survey_round=survey_round).groups == []


def test_fewer_than_five_answers_after_the_last_refresh_are_left_out(cast):
    people = add_people(cast.sales_east, 6, "E")
    survey = launched(cast.gm)
    survey_round = survey.rounds.get()
    answer(survey_round, people[:5], day=DAY, enps=10)
    answer(survey_round, [people[5], cast.employee], day=NEXT, enps=0, text="Late")
    close(survey)
    results = selectors.round_results(user=cast.gm, survey_round=survey_round)
    assert [(g.group.name, g.group.respondents, g.enps) for g in results.groups] == [
        ("Sales East", 5, 100.0)
    ]
    assert (results.is_final, results.left_out) == (True, 2)


def test_pages_api_and_export_show_the_open_round_as_published(client, cast):
    people = add_people(cast.sales_east, 4, "E")
    survey = launched(cast.gm)
    survey_round = survey.rounds.get()
    answer(survey_round, [cast.employee, *people], day=DAY, enps=10)
    with time_machine.travel(dt.datetime(2026, 3, 3, 9, 0), tick=False):
        services.surveys_open_due(today=NEXT)
        answer(survey_round, [cast.outsider], day=NEXT, enps=0)
        client.force_login(cast.gm)
        page = client.get(f"/voice/surveys/{survey.pk}/")
        assert b"survey-so-far" in page.content
        assert page.context["results"].respondents == 5
        body = client.get(f"/api/voice/surveys/{survey.pk}/results").json()
        assert (body["final"], body["counts_answers_before"], body["respondents"]) == (
            False,
            "2026-03-03",
            5,
        )
        assert [(g["name"], g["enps"]) for g in body["groups"]] == [("Whole company", 100.0)]
        export = client.get(f"/voice/surveys/{survey.pk}/?export=csv").content.decode("utf-8-sig")
        assert export.splitlines()[1].split(",")[2:9] == [
            "Whole company",
            "",
            "5",
            "10",
            "0.5",
            "100.0",
            "2026-03-03",
        ]
        client.force_login(cast.head)
        page = client.get(f"/voice/surveys/{survey.pk}/")
        assert b"survey-open-whole-only" in page.content


def test_an_open_rounds_answers_are_not_kept_in_the_order_people_answered(cast):
    people = [cast.employee, *add_people(cast.sales_east, 11, "E")]
    survey = launched(cast.gm)
    survey_round = survey.rounds.get()
    texts = []
    for n, person in enumerate(people):
        text = f"Answer {n:02d}"
        answer(survey_round, [person], day=DAY, text=text)
        texts.append(text)
    # the participations are in the order people answered; the answers are not
    assert physical_order(SurveyParticipation, "employee") == [p.employee_id for p in people]
    stored = [t for t in physical_order(SurveyAnswer, "text") if t]
    assert sorted(stored) == texts and stored != texts
    responses = physical_order(SurveyResponse, "id")
    first_texts = [
        SurveyAnswer.objects.filter(response_id=r).exclude(text="").get().text for r in responses
    ]
    assert first_texts != texts


def test_sealing_forgets_the_days(cast):
    survey = launched(cast.gm)
    answer(survey.rounds.get(), [cast.employee], day=DAY)
    assert list(SurveyResponse.objects.values_list("answered_on", flat=True)) == [DAY]
    close(survey)
    assert list(SurveyResponse.objects.values_list("answered_on", flat=True)) == [None]


def test_an_answer_over_the_api_leaves_the_token_untouched_and_logs_nothing(client, cast, caplog):
    survey = launched(cast.gm)
    _token, key = api_token_create(user=cast.employee, name="script")
    questions = {q.kind: q.pk for q in survey.questions.all()}
    caplog.set_level(logging.DEBUG)
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 31, 7), tick=False), tables_written() as w:
        response = client.post(
            f"/api/voice/surveys/{survey.pk}/rounds/1/answers",
            json.dumps({"answers": {str(questions["enps"]): 9, str(questions["scale"]): 4}}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )
    assert response.status_code == 201, response.content
    assert ApiToken.objects.get(user=cast.employee).last_used_at is None
    # the answer's own rows, and the round's note that its results were considered today
    assert w.tables == {
        "voice_surveyparticipation",
        "voice_surveyresponse",
        "voice_surveyanswer",
        "voice_surveyround",
    }
    assert [r for r in caplog.records if not r.name.startswith("django.db")] == []
