"""The survey endpoints: success, not logged in (401), wrong scope (nothing changed), bad
input (422); results through the group rule; no answer response links to the person."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine

from conftest import assert_problem
from gmassist.voice.surveys.models import Survey, SurveyParticipation, SurveyResponse
from gmassist.voice.surveys.tests.test_services import (
    add_people,
    answer_all,
    close,
    launched,
    new_survey,
)

BODY = {
    "title": "Pulse",
    "opens_on": "2026-03-02",
    "window_days": 7,
    "repeat_months": 3,
    "questions": [
        {"kind": "enps", "text": "Would you recommend us?"},
        {"kind": "text", "text": "What should change?"},
    ],
}


@pytest.fixture(autouse=True)
def _fixed_day():
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 31, 7), tick=False):
        yield


def send(client, method, path, body=None):
    return getattr(client, method)(
        path, json.dumps(body) if body is not None else None, content_type="application/json"
    )


def test_creating_a_survey(client, cast):
    client.force_login(cast.hr)
    response = send(client, "post", "/api/voice/surveys", BODY)
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["repeat_months"], body["rounds"]) == ("draft", 3, [])
    assert [q["kind"] for q in body["questions"]] == ["enps", "text"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"questions": []}, "questions"),
        ({"repeat_months": 2}, "repeat_months"),
        ({"audience_roles": ["boss"]}, "audience_roles.0"),
        ({"audience_department_ids": [999999]}, "audience_department_ids"),
        ({"window_days": 60, "repeat_months": 1}, "window_days"),
    ],
)
def test_creating_with_bad_input_is_a_422(client, cast, change, field):
    client.force_login(cast.hr)
    body = assert_problem(send(client, "post", "/api/voice/surveys", {**BODY, **change}), 422)
    assert [e["field"] for e in body["errors"]] == [field]
    assert Survey.objects.count() == 0


def test_creating_needs_a_login_and_the_scope(client, cast):
    assert_problem(send(client, "post", "/api/voice/surveys", BODY), 401)
    client.force_login(cast.employee)
    assert_problem(send(client, "post", "/api/voice/surveys", BODY), 403)
    client.force_login(cast.head)
    assert_problem(
        send(client, "post", "/api/voice/surveys", {**BODY, "department_id": cast.rnd.pk}), 403
    )
    assert Survey.objects.count() == 0
    response = send(client, "post", "/api/voice/surveys", {**BODY, "department_id": cast.sales.pk})
    assert response.status_code == 201


def test_listing_and_reading(client, cast):
    survey = launched(cast.gm, title="Pulse 调查")
    client.force_login(cast.head)
    assert [s["title"] for s in client.get("/api/voice/surveys").json()] == ["Pulse 调查"]
    body = client.get(f"/api/voice/surveys/{survey.pk}").json()
    assert body["rounds"] == [
        {
            "number": 1,
            "opens_on": "2026-03-02",
            "closes_on": "2026-03-08",
            "invited": 6,
            "sealed": False,
        }
    ]
    client.force_login(cast.employee)
    assert_problem(client.get("/api/voice/surveys"), 403)
    assert_problem(client.get(f"/api/voice/surveys/{survey.pk}"), 404)
    client.logout()
    assert_problem(client.get("/api/voice/surveys"), 401)


def test_changing_and_launching(client, cast):
    survey = new_survey(cast.gm)
    client.force_login(cast.head)  # may read launched surveys, not change the company's
    assert_problem(
        send(client, "put", f"/api/voice/surveys/{survey.pk}", {**BODY, "title": "X"}), 404
    )
    client.force_login(cast.gm)
    changed = send(client, "put", f"/api/voice/surveys/{survey.pk}", {**BODY, "title": "Pulse Q2"})
    assert changed.json()["title"] == "Pulse Q2"
    assert_problem(
        send(client, "put", f"/api/voice/surveys/{survey.pk}", {**BODY, "window_days": 0}), 422
    )
    launched_body = send(
        client, "post", f"/api/voice/surveys/{survey.pk}/status", {"status": "active"}
    )
    assert launched_body.json()["status"] == "active" and len(launched_body.json()["rounds"]) == 1
    assert_problem(
        send(client, "post", f"/api/voice/surveys/{survey.pk}/status", {"status": "draft"}), 422
    )
    client.force_login(cast.head)
    assert_problem(
        send(client, "post", f"/api/voice/surveys/{survey.pk}/status", {"status": "closed"}), 403
    )
    survey.refresh_from_db()
    assert (survey.title, survey.status) == ("Pulse Q2", "active")
    client.logout()
    assert_problem(
        send(client, "post", f"/api/voice/surveys/{survey.pk}/status", {"status": "closed"}), 401
    )


def test_answering_once_anonymously(client, cast):
    survey = launched(cast.gm)
    enps, text = survey.questions.all()[0], survey.questions.all()[2]
    scale = survey.questions.all()[1]
    client.force_login(cast.employee)
    listed = client.get("/api/voice/surveys/to-answer").json()
    assert [(r["survey_id"], r["round"]) for r in listed] == [(survey.pk, 1)]
    url = f"/api/voice/surveys/{survey.pk}/rounds/1/answers"
    body = {"answers": {str(enps.pk): 9, str(scale.pk): 4, str(text.pk): "More desks"}}
    response = send(client, "post", url, body)
    assert response.status_code == 201 and response.json() == {"answered": True}
    assert response.wsgi_request.META["gmassist.skip_access_log"] is True
    assert_problem(send(client, "post", url, body), 409)
    assert SurveyResponse.objects.count() == SurveyParticipation.objects.count() == 1
    assert client.get("/api/voice/surveys/to-answer").json() == []


def test_answering_bad_input_wrong_scope_and_no_login(client, cast):
    survey = launched(cast.gm, audience_departments=[cast.sales])
    enps = survey.questions.all()[0]
    url = f"/api/voice/surveys/{survey.pk}/rounds/1/answers"
    assert_problem(send(client, "post", url, {"answers": {str(enps.pk): 9}}), 401)
    client.force_login(cast.outsider)
    assert_problem(send(client, "post", url, {"answers": {str(enps.pk): 9}}), 404)
    client.force_login(cast.employee)
    body = assert_problem(send(client, "post", url, {"answers": {str(enps.pk): 12}}), 422)
    assert sorted(e["field"] for e in body["errors"]) == ["q1", "q2"]
    assert_problem(send(client, "post", url, {"answers": {"x": 1}}), 422)
    assert SurveyResponse.objects.count() == SurveyParticipation.objects.count() == 0


def test_results_show_groups_of_five_only(client, cast):
    east = add_people(cast.sales_east, 4, "E")
    rnd = add_people(cast.rnd, 4, "R")
    survey = launched(cast.gm)
    survey_round = survey.rounds.get()
    answer_all(survey_round, [cast.employee, *east], enps=10)
    answer_all(survey_round, [cast.outsider, *rnd[:3]], enps=0)  # R&D: 4, merged at the top
    close(survey)
    client.force_login(cast.gm)
    body = client.get(f"/api/voice/surveys/{survey.pk}/results").json()
    assert [(g["name"], g["respondents"], g["enps"], g["merged"]) for g in body["groups"]] == [
        ("Whole company", 9, 11.1, ["R&D", "Sales East"])
    ]
    assert all(g["respondents"] >= 5 for g in body["groups"])
    client.force_login(cast.head)
    body = client.get(f"/api/voice/surveys/{survey.pk}/results").json()
    assert (body["groups"], body["overall"]) == ([], None)
    assert_problem(client.get(f"/api/voice/surveys/{survey.pk}/results?round=0"), 422)
    assert_problem(client.get(f"/api/voice/surveys/{survey.pk}/results?round=7"), 404)
    client.force_login(cast.employee)
    assert_problem(client.get(f"/api/voice/surveys/{survey.pk}/results"), 404)
    client.logout()
    assert_problem(client.get(f"/api/voice/surveys/{survey.pk}/results"), 401)
