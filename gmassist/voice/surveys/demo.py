"""The pulse-survey part of the demo company: two company surveys, one English and one with a
Chinese title and questions, each quarterly with three rounds: two sealed and one open now (the
demo users have not answered it yet, so their inbox shows it). About 70% of each department
answers; the unhappy departments of the demo score lower and slide from round to round, so the
results page shows what the leaving-risk model should find. Results are published as
snapshots, as the services publish them: the sealed rounds' final ones, and the open round so
far (its whole, no groups yet).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from dateutil.relativedelta import relativedelta

from gmassist.org.choices import EmployeeStatus
from gmassist.org.demo.extensions import DemoContext, demo_extension
from gmassist.org.models import Department, Employee
from gmassist.voice.surveys.choices import SurveyStatus
from gmassist.voice.surveys.models import (
    Survey,
    SurveyAnswer,
    SurveyParticipation,
    SurveyQuestion,
    SurveyResponse,
    SurveyRound,
)
from gmassist.voice.surveys.services import survey_results_finalise, survey_results_refresh

SURVEY_ROUNDS = 3
SURVEY_RESPONSE_RATE = 0.7
SURVEY_TEXT_SHARE = 0.25
SURVEYS = [
    {
        "title": "Quarterly pulse",
        "description": "Five minutes, anonymous: how are things in your team?",
        "questions": [
            ("enps", "How likely are you to recommend us as an employer to a friend?"),
            ("scale", "My workload is manageable."),
            ("scale", "My manager helps me do my best work."),
            ("text", "What one thing should we change?"),
        ],
        "texts": {
            "unhappy": [
                "Too many weekend shifts; the team is exhausted.",
                "We need more people, not more meetings.",
                "Priorities change every week and nobody explains why.",
                "Overtime has become normal and it should not be.",
            ],
            "usual": [
                "Keep the flexible hours, they matter a lot.",
                "More training budget would help.",
                "Fewer status reports, please.",
                "The new tools work well; thank you.",
            ],
        },
    },
    {
        "title": "员工敬业度季度调查",
        "description": "匿名调查，大约五分钟。",
        "questions": [
            ("enps", "您有多大可能向朋友推荐本公司作为工作单位？"),
            ("scale", "我清楚公司对我的期望。"),
            ("scale", "我在这里看得到职业发展机会。"),
            ("text", "您最希望公司改进哪一件事？"),
        ],
        "texts": {
            "unhappy": [
                "加班太多，团队已经很疲惫。",
                "晋升标准不透明。",
                "工作量分配不均，希望增加人手。",
                "部门沟通太少，决定常常没有解释。",
            ],
            "usual": [
                "希望多一些培训机会。",
                "弹性工作制很好，请保留。",
                "报销流程可以再简化。",
                "团队氛围不错，谢谢。",
            ],
        },
    },
]


def delete_survey_demo() -> None:
    Survey.objects.all().delete()


@demo_extension("voice_surveys", order=21, delete=delete_survey_demo)
def write_survey_demo(ctx: DemoContext) -> dict[str, int]:
    rng = ctx.rng(21)
    company = ctx.company
    by_code = dict(Department.objects.values_list("code", "pk"))
    unhappy = {by_code.get(company.departments[i].code) for i in company.unhappy_departments}
    unhappy.discard(None)
    people = list(
        Employee.objects.exclude(status=EmployeeStatus.LEFT)
        .order_by("pk")
        .values_list("pk", "department_id")
    )
    invited: dict[str, int] = {}
    for _pk, dept in people:
        invited[str(dept)] = invited.get(str(dept), 0) + 1
    demo_employees = {u.employee_id for u in ctx.users.values() if u and u.employee_id}
    first_open = ctx.as_of - relativedelta(months=3 * (SURVEY_ROUNDS - 1)) - dt.timedelta(days=3)
    counts = {"surveys": 0, "survey_rounds": 0, "survey_responses": 0}
    for survey_index, spec in enumerate(SURVEYS):
        survey = Survey.objects.create(
            title=spec["title"],
            description=spec["description"],
            opens_on=first_open,
            window_days=14,
            repeat_months=3,
            status=SurveyStatus.ACTIVE,
            created_by=ctx.users.get("hr"),
        )
        questions = SurveyQuestion.objects.bulk_create(
            SurveyQuestion(survey=survey, position=i, kind=kind, text=text)
            for i, (kind, text) in enumerate(spec["questions"], start=1)
        )
        counts["surveys"] += 1
        for number in range(1, SURVEY_ROUNDS + 1):
            opens = first_open + relativedelta(months=3 * (number - 1))
            current = number == SURVEY_ROUNDS
            survey_round = SurveyRound.objects.create(
                survey=survey,
                number=number,
                opens_on=opens,
                closes_on=opens + dt.timedelta(days=13),
                invited=invited,
                sealed=not current,
            )
            counts["survey_rounds"] += 1
            # the open round is half-way: fewer answers so far
            rate = SURVEY_RESPONSE_RATE * (0.6 if current else 1.0)
            participations, responses, rows = [], [], []
            for employee_pk, dept in people:
                if current and employee_pk in demo_employees:
                    continue  # left for the demo users to answer themselves
                if rng.random() >= rate:
                    continue
                mood = "unhappy" if dept in unhappy else "usual"
                drift = -0.5 * (number - 1) if mood == "unhappy" else 0.15 * (number - 1)
                mean = (5.2 if mood == "unhappy" else 7.9) + drift - 0.2 * survey_index
                participations.append(
                    SurveyParticipation(round=survey_round, employee_id=employee_pk)
                )
                # an open round's answers keep their day (the results count whole days)
                day = opens + dt.timedelta(days=int(rng.integers(0, 3))) if current else None
                response = SurveyResponse(round=survey_round, department_id=dept, answered_on=day)
                responses.append(response)
                for question in questions:
                    if question.kind == "enps":
                        score = int(np.clip(round(rng.normal(mean, 1.8)), 0, 10))
                        rows.append(SurveyAnswer(response=response, question=question, score=score))
                    elif question.kind == "scale":
                        scale_mean = 1 + (mean / 10) * 4
                        score = int(np.clip(round(rng.normal(scale_mean, 0.8)), 1, 5))
                        rows.append(SurveyAnswer(response=response, question=question, score=score))
                    elif rng.random() < SURVEY_TEXT_SHARE:
                        pool = spec["texts"][mood]
                        text = pool[int(rng.integers(len(pool)))]
                        rows.append(SurveyAnswer(response=response, question=question, text=text))
            # the order of arrival is not kept: participations and responses in unrelated orders
            order = rng.permutation(len(responses))
            SurveyParticipation.objects.bulk_create(participations, batch_size=2000)
            SurveyResponse.objects.bulk_create([responses[i] for i in order], batch_size=2000)
            SurveyAnswer.objects.bulk_create(rows, batch_size=5000)
            counts["survey_responses"] += len(responses)
            # the results are published as the services publish them: final for a sealed round,
            # the round so far (the days before today) for the open one
            if current:
                survey_results_refresh(survey_round=survey_round, today=ctx.as_of)
            else:
                survey_results_finalise(
                    survey_round=survey_round, today=survey_round.closes_on + dt.timedelta(days=1)
                )
        ctx.progress((survey_index + 1) / len(SURVEYS), "Surveys")
    return counts
