"""Survey pages: list, create/edit, launch, answer, results and export; success, not logged in,
wrong scope (nothing changed) and bad input; the group rule on the page and in the export."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import time_machine
from openpyxl import load_workbook

from gmassist.core.inbox import inbox_for
from gmassist.voice.surveys.models import Survey, SurveyParticipation, SurveyResponse
from gmassist.voice.surveys.tests.test_services import (
    DAY,
    add_people,
    answer_all,
    answers_for,
    close,
    launched,
    new_survey,
)

FORM = {
    "title": "Quarterly pulse",
    "description": "",
    "opens_on": "2026-03-02",
    "window_days": "10",
    "repeat_months": "3",
    "q-TOTAL_FORMS": "3",
    "q-INITIAL_FORMS": "0",
    "q-0-kind": "enps",
    "q-0-text": "Would you recommend us?",
    "q-1-kind": "scale",
    "q-1-text": "I know what is expected of me.",
    "q-2-kind": "",
    "q-2-text": "",
}


@pytest.fixture(autouse=True)
def _fixed_day():
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 31, 7), tick=False):
        yield


def test_hr_creates_a_survey_from_the_form(client, cast):
    client.force_login(cast.hr)
    assert client.get("/voice/surveys/new/").status_code == 200
    response = client.post("/voice/surveys/new/", FORM)
    survey = Survey.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/voice/surveys/{survey.pk}/"
    assert [q.text for q in survey.questions.all()] == [
        "Would you recommend us?",
        "I know what is expected of me.",
    ]
    assert (survey.repeat_months, survey.window_days, survey.status) == (3, 10, "draft")


def test_the_form_says_what_is_wrong(client, cast):
    client.force_login(cast.hr)
    response = client.post(
        "/voice/surveys/new/", {**FORM, "title": "", "q-0-kind": "", "q-1-kind": "stars"}
    )
    assert response.status_code == 422
    assert set(response.context["form"].errors) == {"title"}
    assert Survey.objects.count() == 0


def test_creating_needs_a_login_and_the_role(client, cast):
    response = client.post("/voice/surveys/new/", FORM)
    assert response.status_code == 302 and "/login" in response["Location"]
    client.force_login(cast.employee)
    assert client.post("/voice/surveys/new/", FORM).status_code == 403
    client.force_login(cast.head)  # a head must pick a department of their own subtree
    response = client.post("/voice/surveys/new/", {**FORM, "department": cast.rnd.pk})
    assert response.status_code == 422
    assert Survey.objects.count() == 0


def test_a_head_edits_only_their_own_surveys(client, cast):
    theirs = new_survey(cast.head, department=cast.sales)
    company = new_survey(cast.gm, title="Company")
    client.force_login(cast.head)
    response = client.post(f"/voice/surveys/{theirs.pk}/edit/", {**FORM, "title": "Sales pulse"})
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert theirs.title == "Sales pulse"
    assert client.post(f"/voice/surveys/{company.pk}/edit/", FORM).status_code == 404
    assert (
        client.post(f"/voice/surveys/{company.pk}/status/", {"status": "active"}).status_code == 404
    )
    company.refresh_from_db()
    assert (company.title, company.status) == ("Company", "draft")


def test_launching_opens_the_first_round(client, cast):
    survey = new_survey(cast.gm)
    client.force_login(cast.gm)
    response = client.post(f"/voice/surveys/{survey.pk}/status/", {"status": "active"})
    assert response.status_code == 302
    assert survey.rounds.get().opens_on == DAY
    page = client.get(f"/voice/surveys/{survey.pk}/")
    assert page.status_code == 200 and b"survey-not-yet" in page.content


def test_an_employee_answers_from_the_inbox_once_and_anonymously(client, cast):
    survey = launched(cast.gm)
    client.force_login(cast.employee)
    section = next(s for s in inbox_for(cast.employee) if s.key == "voice.surveys")
    url = section.items[0].url
    assert url == f"/voice/surveys/{survey.pk}/rounds/1/answer/"
    assert client.get(url).status_code == 200
    questions = {q.kind: q.position for q in survey.questions.all()}
    response = client.post(
        url,
        {
            f"q{questions['enps']}": "9",
            f"q{questions['scale']}": "4",
            f"q{questions['text']}": "ok",
        },
    )
    assert response.status_code == 200 and b"survey-answered" in response.content
    assert response.wsgi_request.META["gmassist.skip_access_log"] is True
    assert response["Cache-Control"] == "no-store"
    assert SurveyResponse.objects.count() == SurveyParticipation.objects.count() == 1
    assert next(s for s in inbox_for(cast.employee) if s.key == "voice.surveys").items == []
    again = client.post(url, {f"q{questions['enps']}": "1", f"q{questions['scale']}": "1"})
    assert b"answered this round already" in again.content
    assert SurveyResponse.objects.count() == 1


def test_answering_bad_input_not_asked_and_not_logged_in(client, cast):
    survey = launched(cast.gm, audience_departments=[cast.sales])
    url = f"/voice/surveys/{survey.pk}/rounds/1/answer/"
    response = client.post(url, {})
    assert response.status_code == 302 and "/login" in response["Location"]
    client.force_login(cast.outsider)
    assert client.post(url, {"q1": "9", "q2": "4"}).status_code == 404
    client.force_login(cast.employee)
    response = client.post(url, {"q1": "11", "q2": ""})
    assert response.status_code == 422
    assert set(response.context["form"].errors) == {"q1", "q2"}
    assert SurveyResponse.objects.count() == SurveyParticipation.objects.count() == 0


def _answered_company(cast):
    east = add_people(cast.sales_east, 4, "E")
    rnd = add_people(cast.rnd, 4, "R")
    survey = launched(cast.gm)
    survey_round = survey.rounds.get()
    answer_all(survey_round, [cast.employee, *east], enps=10)
    answer_all(survey_round, [cast.outsider, *rnd], enps=0)
    close(survey)
    return survey


def test_results_show_groups_of_five_and_a_head_only_their_subtree(client, cast):
    survey = _answered_company(cast)
    client.force_login(cast.hr)
    page = client.get(f"/voice/surveys/{survey.pk}/")
    assert page.status_code == 200
    assert [(g.group.name, g.group.respondents) for g in page.context["results"].groups] == [
        ("Sales East", 5),
        ("R&D", 5),
    ]
    assert page.context["chart"]["groups"]["values"] == [100.0, -100.0]
    assert b"voice-survey-data" in page.content
    client.force_login(cast.head)
    page = client.get(f"/voice/surveys/{survey.pk}/")
    assert [g.group.name for g in page.context["results"].groups] == ["Sales East"]
    assert b"R&amp;D" not in page.content.split(b"<details>")[0]
    client.force_login(cast.employee)
    assert client.get(f"/voice/surveys/{survey.pk}/").status_code == 403
    assert client.get("/voice/surveys/").status_code == 403


def test_a_small_round_shows_nothing(client, cast):
    survey = launched(cast.gm)
    answer_all(survey.rounds.get(), [cast.employee, cast.outsider], enps=10)
    close(survey)
    client.force_login(cast.gm)
    page = client.get(f"/voice/surveys/{survey.pk}/")
    assert page.context["results"].hidden is True
    assert b"survey-hidden" in page.content and b"voice-survey-data" not in page.content


def test_the_export_has_the_same_groups(client, cast):
    survey = _answered_company(cast)
    client.force_login(cast.gm)
    response = client.get(f"/voice/surveys/{survey.pk}/?export=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:8] == [
        "round",
        "opens_on",
        "group",
        "merged_departments",
        "respondents",
        "asked",
        "response_rate",
        "enps",
    ]
    assert [(r[2], r[4], r[7], r[8]) for r in rows[1:]] == [
        ("Sales East", "5", "100.0", "yes"),
        ("R&D", "5", "-100.0", "yes"),
    ]
    xlsx = client.get(f"/voice/surveys/{survey.pk}/?export=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["Sales East", "R&D"]
    client.force_login(cast.head)
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(f"/voice/surveys/{survey.pk}/?export=csv").content.decode("utf-8-sig")
            )
        )
    )
    assert [r[2] for r in rows[1:]] == ["Sales East"]


def test_the_list_and_the_schedule_job(client, cast):
    launched(cast.gm, title="Pulse 调查")
    client.force_login(cast.gm)
    page = client.get("/voice/surveys/")
    assert page.status_code == 200 and "Pulse 调查" in page.content.decode()
    response = client.post("/voice/surveys/open-due/")
    assert response.status_code == 302 and "?job=" in response["Location"]
    client.force_login(cast.head)
    assert client.post("/voice/surveys/open-due/").status_code == 403
    assert client.get("/voice/surveys/").status_code == 200


def test_answers_for_helper_matches_question_kinds(cast):
    survey = new_survey(cast.gm)
    assert sorted(answers_for(survey).values(), key=str) == ["", 4, 9]
