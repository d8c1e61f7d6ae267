"""`gmassist voice surveys list|results|open-due`: output, JSON, the group rule, errors."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from gmassist.voice.surveys import services
from gmassist.voice.surveys.models import SurveyRound
from gmassist.voice.surveys.tests.test_services import (
    DAY,
    add_people,
    answer_all,
    close,
    launched,
    new_survey,
)


def run(*args) -> str:
    out = io.StringIO()
    call_command("voice", "surveys", *args, stdout=out)
    return out.getvalue()


def test_open_due_opens_the_rounds_due_through_a_job(cast):
    survey = new_survey(cast.gm)
    services.survey_set_status(survey=survey, by=cast.gm, status="active")
    out = run("open-due", "--today", DAY.isoformat())
    assert out == (
        "Looked at 1 active survey(s): opened 1 round(s), sealed 0, closed 0 survey(s); "
        "refreshed the results of 0 open round(s).\n"
    )
    assert SurveyRound.objects.get().opens_on == DAY


def test_open_due_rejects_a_bad_day(cast):
    with pytest.raises(CommandError, match="is not a date"):
        run("open-due", "--today", "2026-13-01")


def test_list_as_json(cast):
    launched(cast.gm, title="Pulse 调查")
    rows = json.loads(run("list", "--json"))
    assert [(r["title"], r["status"], len(r["rounds"])) for r in rows] == [
        ("Pulse 调查", "active", 1)
    ]
    assert "Pulse 调查" in run("list")


def test_results_show_groups_of_five_only(cast):
    east = add_people(cast.sales_east, 4, "E")
    rnd = add_people(cast.rnd, 3, "R")
    survey = launched(cast.gm)
    survey_round = survey.rounds.get()
    answer_all(survey_round, [cast.employee, *east], enps=10)
    answer_all(survey_round, [cast.outsider, *rnd], enps=0)
    close(survey)
    data = json.loads(run("results", str(survey.pk), "--json"))
    assert [(g["name"], g["respondents"], g["enps"]) for g in data["groups"]] == [
        ("Whole company", 9, 11.1)
    ]
    assert data["trend"] == [
        {
            "round": 1,
            "opens_on": "2026-03-02",
            "final": True,
            "enps": 11.1,
            "respondents": 9,
            "groups": [{"department_id": None, "name": "Whole company", "enps": 11.1}],
        }
    ]
    table = run("results", str(survey.pk))
    assert "Whole company (with R&D, Sales East)" in table and "+11.1" in table


def test_results_of_too_few_say_so(cast):
    survey = launched(cast.gm)
    answer_all(survey.rounds.get(), [cast.employee], enps=10)
    assert "no results published yet" in run("results", str(survey.pk))
    close(survey)
    assert "fewer than 5 respondents" in run("results", str(survey.pk))
    assert json.loads(run("results", str(survey.pk), "--json"))["groups"] == []


def test_results_of_an_unknown_survey_or_round(cast):
    survey = launched(cast.gm)
    with pytest.raises(CommandError, match="no survey 999"):
        run("results", "999")
    with pytest.raises(CommandError, match="has no round 4"):
        run("results", str(survey.pk), "--round", "4")
