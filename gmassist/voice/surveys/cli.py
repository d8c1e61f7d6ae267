"""`gmassist voice surveys list|results|open-due`: the pulse-survey part of the voice command.

Results are the same as on the pages and in the API: each round's published snapshot (the
group rule of voice/engine/survey_results.py and the publication rule of
voice/engine/survey_publication.py: no group of fewer than 5 respondents, no two readings that
differ by fewer than 5). The command is run by whoever holds the database, so it reads every
group, the company's included.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandError
from django.utils import timezone
from rich.table import Table as RichTable

from gmassist.core.choices import JobStatus
from gmassist.core.management.output import command_console
from gmassist.core.management.progress import run_job_with_progress
from gmassist.core.permissions import SYSTEM
from gmassist.voice.surveys.jobs import SURVEYS_OPEN_DUE
from gmassist.voice.surveys.presenters import results_as_dict


def add_survey_arguments(actions) -> None:
    """Add `surveys` and its own sub-actions to the voice command's sub-parsers."""
    surveys = actions.add_parser("surveys", help="pulse surveys: list, results, open-due")
    survey_actions = surveys.add_subparsers(dest="survey_action", required=True)
    listing = survey_actions.add_parser("list", help="every survey with its rounds")
    listing.add_argument("--json", dest="as_json", action="store_true", help="print JSON")
    results = survey_actions.add_parser(
        "results", help="a survey's results by group (5 respondents or more) and its trend"
    )
    results.add_argument("survey_id", type=int, help="the survey's id (see `surveys list`)")
    results.add_argument("--round", dest="round_number", type=int, help="default: the latest")
    results.add_argument("--json", dest="as_json", action="store_true", help="print JSON")
    open_due = survey_actions.add_parser(
        "open-due",
        help="open the rounds that are due and seal the ones whose window has passed (a job)",
    )
    open_due.add_argument("--today", help="the day to act on (YYYY-MM-DD; default today)")


def run_surveys(command, *, survey_action: str, **options: Any) -> None:
    if survey_action == "list":
        _list(command, **options)
    elif survey_action == "results":
        _results(command, **options)
    elif survey_action == "open-due":
        _open_due(command, **options)


def _list(command, *, as_json: bool, **_options) -> None:
    from gmassist.voice.surveys.models import Survey

    surveys = Survey.objects.select_related("department").prefetch_related("rounds")
    rows = [
        {
            "id": survey.pk,
            "title": survey.title,
            "status": survey.status,
            "run_for": survey.department.name if survey.department_id else None,
            "opens_on": survey.opens_on.isoformat(),
            "window_days": survey.window_days,
            "repeat_months": survey.repeat_months,
            "rounds": [
                {
                    "number": r.number,
                    "opens_on": r.opens_on.isoformat(),
                    "closes_on": r.closes_on.isoformat(),
                    "sealed": r.sealed,
                }
                for r in survey.rounds.all()
            ],
        }
        for survey in surveys.order_by("id")
    ]
    if as_json:
        command.stdout.write(json.dumps(rows, ensure_ascii=False))
        return
    table = RichTable(title=f"{len(rows)} survey(s)")
    for column in ("id", "title", "status", "run for", "repeat (months)", "rounds", "latest"):
        table.add_column(column)
    for row in rows:
        latest = row["rounds"][-1] if row["rounds"] else None
        table.add_row(
            str(row["id"]),
            row["title"],
            row["status"],
            row["run_for"] or "company",
            str(row["repeat_months"]),
            str(len(row["rounds"])),
            f"#{latest['number']} {latest['opens_on']} – {latest['closes_on']}" if latest else "—",
        )
    command_console(command.stdout).print(table)


def _results(command, *, survey_id: int, round_number: int | None, as_json: bool, **_o) -> None:
    from django.utils.translation import gettext

    from gmassist.voice.surveys import selectors
    from gmassist.voice.surveys.models import Survey

    survey = Survey.objects.filter(pk=survey_id).first()
    if survey is None:
        raise CommandError(f"there is no survey {survey_id}")
    rounds = survey.rounds.order_by("number")
    survey_round = rounds.filter(number=round_number).first() if round_number else rounds.last()
    if round_number and survey_round is None:
        raise CommandError(f"survey {survey_id} has no round {round_number}")
    company = gettext("Whole company")
    results = (
        selectors.round_results(
            user=SYSTEM, survey_round=survey_round, company_name=company, as_system=True
        )
        if survey_round
        else None
    )
    trend = selectors.survey_trend(user=SYSTEM, survey=survey, company_name=company, as_system=True)
    data = results_as_dict(survey, survey_round, results, trend)
    if as_json:
        command.stdout.write(json.dumps(data, ensure_ascii=False, default=str))
        return
    console = command_console(command.stdout)
    if survey_round is None:
        console.print(f"{survey.title}: no round has opened yet.")
        return
    if not data["published"]:
        console.print(
            f"{survey.title}, round {survey_round.number}: no results published yet (an open "
            f"round is published once a day, after {data['min_group_size']} or more new answers "
            "of the days before)."
        )
        return
    if data["hidden"]:
        console.print(
            f"{survey.title}, round {survey_round.number}: fewer than {data['min_group_size']} "
            "respondents in the whole company; nothing can be shown."
        )
        return
    scope = (
        f"groups of {data['min_group_size']} or more"
        if data["final"]
        else f"so far, the answers given before {data['counts_answers_before']}; the groups "
        "appear when the round closes"
    )
    left_out = (
        f"; {data['left_out']} answers after the last refresh not counted"
        if data["left_out"]
        else ""
    )
    table = RichTable(
        title=f"{survey.title}, round {survey_round.number} "
        f"({survey_round.opens_on} – {survey_round.closes_on}): "
        f"{data['respondents']} of {data['invited']} answered; {scope}{left_out}"
    )
    questions = [q for q in data["questions"] if q["kind"] != "text"]
    table.add_column("group")
    table.add_column("respondents", justify="right")
    table.add_column("rate", justify="right")
    table.add_column("eNPS", justify="right")
    for q in questions:
        table.add_column(f"Q{q['id']} mean", justify="right")
    for group in [*data["groups"], *([data["overall"]] if data["overall"] else [])]:
        name = group["name"] + (f" (with {', '.join(group['merged'])})" if group["merged"] else "")
        if group is data["overall"]:
            name = "all shown"
        means = {s["question_id"]: s["mean"] for s in group["scores"]}
        table.add_row(
            name,
            str(group["respondents"]),
            "—" if group["response_rate"] is None else f"{group['response_rate'] * 100:.0f}%",
            "—" if group["enps"] is None else f"{group['enps']:+.1f}",
            *["—" if means.get(q["id"]) is None else f"{means[q['id']]:.2f}" for q in questions],
        )
    console.print(table)
    trend_table = RichTable(title="Trend (eNPS of everyone shown)")
    trend_table.add_column("round")
    trend_table.add_column("opens")
    trend_table.add_column("respondents", justify="right")
    trend_table.add_column("eNPS", justify="right")
    for point in data["trend"]:
        trend_table.add_row(
            str(point["round"]),
            str(point["opens_on"]),
            str(point["respondents"]),
            "—" if point["enps"] is None else f"{point['enps']:+.1f}",
        )
    console.print(trend_table)


def _open_due(command, *, today: str | None, **_options) -> None:
    console = command_console(command.stdout)
    job = run_job_with_progress(
        kind=SURVEYS_OPEN_DUE,
        params={"today": today or timezone.localdate().isoformat()},
        by=SYSTEM,
        console=console,
        description="Surveys due",
    )
    if job.status != JobStatus.SUCCEEDED:
        raise CommandError(job.error or job.message)
    result = job.result
    command.stdout.write(
        f"Looked at {result['surveys']} active survey(s): opened {result['opened']} round(s), "
        f"sealed {result['sealed']}, closed {result['closed']} survey(s); refreshed the "
        f"results of {result.get('refreshed', 0)} open round(s)."
    )
