"""Presentation of the pulse surveys: the name of the company group, the charts of a survey's
page, and a round's results (with the survey's trend) as plain data for the API and the CLI."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from gmassist.voice.surveys.choices import QuestionKind


def company_name() -> str:
    """The name of the company group (what is left outside the departments shown)."""
    return _("Whole company")


# the trend chart draws everyone shown and the groups with the lowest latest eNPS
TREND_SERIES = 6


def _latest_first(item: tuple[Any, dict[str, Any]]) -> tuple[float, str]:
    """Sort key: the group's latest eNPS, lowest first (groups to look at first)."""
    values = [v for v in item[1]["values"] if v is not None]
    return (values[-1] if values else 101.0, item[1]["label"])


def results_chart(*, results: Any, trend: list[tuple], scored: list) -> dict[str, Any]:
    """The charts of a survey's page: the eNPS of each group and the mean of each scale
    question in the chosen round's `results`, and across the rounds (`trend`) the eNPS of
    everyone shown and of the groups with the lowest latest eNPS. `scored`: the survey's
    questions that have a score."""
    chart: dict[str, Any] = {"trend": {}, "groups": {}, "questions": {}}
    if results and results.groups:
        chart["groups"] = {
            "labels": [g.group.name for g in results.groups],
            "values": [g.enps for g in results.groups],
            "label": _("eNPS (points)"),
        }
        if results.overall:
            chart["questions"] = {
                "labels": [q.text[:40] for q in scored if q.kind == QuestionKind.SCALE],
                "values": [
                    results.overall.scores[q.pk].mean
                    for q in scored
                    if q.kind == QuestionKind.SCALE
                ],
                "label": _("Mean score (1-5)"),
            }
    series: dict[Any, dict[str, Any]] = {}
    for index, (_round, round_results) in enumerate(trend):
        for group in round_results.groups:
            entry = series.setdefault(
                group.group.department_id,
                {"label": group.group.name, "values": [None] * len(trend)},
            )
            entry["values"][index] = group.enps
    overall_values = [res.overall.enps if res.overall else None for _r, res in trend]
    chart["trend"] = {
        "labels": [_("Round %(n)s") % {"n": r.number} for r, _res in trend],
        "series": [{"label": _("Everyone shown"), "values": overall_values, "key": "overall"}]
        + [
            {"label": s["label"], "values": s["values"], "key": str(key)}
            for key, s in sorted(series.items(), key=_latest_first)[:TREND_SERIES]
        ],
    }
    return chart


def results_as_dict(survey, survey_round, results, trend) -> dict[str, Any]:
    """The results of a round (and the survey's trend) as plain data: the API, the CLI."""
    questions = list(survey.questions.all())

    def group_dict(result) -> dict[str, Any]:
        return {
            "department_id": result.group.department_id,
            "name": result.group.name,
            "merged": list(result.group.merged_names),
            "respondents": result.group.respondents,
            "invited": result.invited,
            "response_rate": result.response_rate,
            "enps": result.enps,
            "scores": [
                {
                    "question_id": q.pk,
                    "kind": q.kind,
                    "mean": result.scores[q.pk].mean,
                    "enps": result.scores[q.pk].enps,
                    "answers": result.scores[q.pk].answers,
                }
                for q in questions
                if q.pk in result.scores
            ],
            "texts": [
                {"question_id": q.pk, "answers": result.texts[q.pk]}
                for q in questions
                if q.pk in result.texts
            ],
        }

    return {
        "survey_id": survey.pk,
        "title": survey.title,
        "round": survey_round.number if survey_round else None,
        "opens_on": survey_round.opens_on if survey_round else None,
        "closes_on": survey_round.closes_on if survey_round else None,
        "min_group_size": results.min_size if results else 5,
        "published": results.published if results else False,
        "final": results.is_final if results else False,
        "counts_answers_before": results.counts_before if results else None,
        "left_out": results.left_out if results else 0,
        "hidden": results.hidden if results else False,
        "respondents": results.respondents if results else 0,
        "invited": results.invited if results else 0,
        "overall": group_dict(results.overall) if results and results.overall else None,
        "groups": [group_dict(g) for g in results.groups] if results else [],
        "questions": [{"id": q.pk, "kind": q.kind, "text": q.text} for q in questions],
        "trend": [
            {
                "round": r.number,
                "opens_on": r.opens_on,
                "final": res.is_final,
                "enps": res.overall.enps if res.overall else None,
                "respondents": res.respondents,
                "groups": [
                    {"department_id": g.group.department_id, "name": g.group.name, "enps": g.enps}
                    for g in res.groups
                ],
            }
            for r, res in trend
        ],
    }


def audited_questions(value: Any) -> Any:
    """A survey's questions as its audit entries store them ([[kind, text], ...]) with each
    kind by its label in the reader's language ("enps" -> "eNPS (0-10)")."""
    if not isinstance(value, list):
        return value
    labels = dict(QuestionKind.choices)
    return [
        [str(labels.get(item[0], item[0])), *item[1:]] if isinstance(item, list) and item else item
        for item in value
    ]
