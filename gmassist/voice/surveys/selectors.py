"""Reads of the pulse surveys, always scoped to the requesting user.

Results are read only through `round_results` and `survey_trend`, which read the round's
published snapshot (made by surveys/services.py under the rule of
voice/engine/survey_publication.py): pages, API, exports and the CLI all show the same groups
of 5 or more, and no two readings differ by fewer than 5 respondents. Raw responses are never
read by any selector.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from gmassist.core.choices import Action
from gmassist.core.models import User
from gmassist.core.permissions import Domain
from gmassist.voice.surveys.choices import SurveyStatus
from gmassist.voice.surveys.models import Survey, SurveyParticipation, SurveyRound, SurveySnapshot


def surveys_visible(*, user: User | None, action: str = Action.VIEW) -> QuerySet:
    """The surveys `user` may see (or do `action` to): the "surveys" domain's rule."""
    return Survey.objects.restrict(user, action).select_related("department", "created_by")


def surveys_with_results(*, user: User | None) -> QuerySet:
    """The surveys whose results `user` may read: the visible ones, and for a department head
    also every launched company or department survey, of which they see only the groups inside
    their subtree (`result_departments`)."""
    from gmassist.core.permissions import SUBTREE, reach

    visible = Survey.objects.restrict(user, Action.VIEW)
    if reach(user, Domain.SURVEYS, Action.VIEW) == SUBTREE:
        visible = Survey.objects.filter(
            Q(pk__in=visible.values("pk")) | ~Q(status=SurveyStatus.DRAFT)
        )
    return visible.select_related("department", "created_by")


def result_departments(*, user: User | None, action: str = Action.VIEW) -> set[int] | None:
    """The departments whose result groups `user` may read: None for all (the company group
    included), the headed subtree for a head, nothing for the others."""
    from gmassist.core.permissions import ALL, SUBTREE, headed_subtree_ids, reach

    how_far = reach(user, Domain.SURVEYS, action)
    if how_far == ALL:
        return None
    if how_far == SUBTREE:
        return set(headed_subtree_ids(user))
    return set()


def department_nodes() -> list:
    """Every department as the results engine needs it (id, parent id, name)."""
    from gmassist.org.models import Department
    from gmassist.voice.engine.survey_results import DepartmentNode

    return [
        DepartmentNode(pk, parent_id, name)
        for pk, parent_id, name in Department.objects.values_list("id", "parent_id", "name")
    ]


# `round_results(snapshot=...)` when the caller has not read the snapshot
LOOK_UP = object()


def round_results(
    *,
    user: User | None,
    survey_round,
    with_texts: bool = True,
    company_name: str = "",
    action: str = Action.VIEW,
    as_system: bool = False,
    snapshot: Any = LOOK_UP,
):
    """The published results of `survey_round` that `user` may read (`RoundResults`): its
    snapshot (voice/engine/survey_publication.py; never the answers themselves), the groups
    whose department `user` may see, with the free texts when `with_texts`. `company_name`
    names the company group. `as_system`: every group (the CLI, run by whoever holds the
    database). `snapshot`: the round's snapshot (or None) when the caller read it already."""
    from gmassist.voice.engine.survey_results import (
        MIN_GROUP,
        RoundResults,
        results_for_reader,
        results_from_data,
    )

    if snapshot is LOOK_UP:
        snapshot = SurveySnapshot.objects.filter(round_id=survey_round.pk).first()
    if snapshot is None:
        return RoundResults(
            groups=[],
            overall=None,
            respondents=0,
            invited=0,
            hidden=False,
            min_size=MIN_GROUP,
            published=False,
            is_final=False,
        )
    published = results_from_data(snapshot.data)
    published.is_final = snapshot.is_final
    published.counts_before = snapshot.counts_before
    published.left_out = snapshot.left_out
    published.hidden = (
        snapshot.is_final
        and snapshot.respondents == 0
        and bool(snapshot.left_out or survey_round.responses.exists())
    )
    return results_for_reader(
        published,
        visible_departments=None if as_system else result_departments(user=user, action=action),
        company_name=company_name or "Company",
        with_texts=with_texts,
    )


def survey_trend(
    *, user: User | None, survey, company_name: str = "", as_system: bool = False
) -> list[tuple]:
    """[(round, RoundResults without texts)] for every round of `survey`, oldest first: the
    eNPS and scores of each group `user` may read across rounds (groups of 5 or more)."""
    snapshots = {s.round_id: s for s in SurveySnapshot.objects.filter(round__survey=survey)}
    return [
        (
            survey_round,
            round_results(
                user=user,
                survey_round=survey_round,
                with_texts=False,
                company_name=company_name,
                as_system=as_system,
                snapshot=snapshots.get(survey_round.pk),
            ),
        )
        for survey_round in survey.rounds.order_by("number")
    ]


def survey_round_asking(*, user: User | None, survey_id: int, number: int):
    """Round `number` of survey `survey_id` when the survey asks `user` (answering is for the
    people asked, not a read of the surveys domain), else None."""
    from gmassist.voice.surveys.services import survey_asks

    survey_round = (
        SurveyRound.objects.select_related("survey").filter(survey_id=survey_id, number=number)
    ).first()
    if survey_round is None or not survey_asks(survey=survey_round.survey, user=user):
        return None
    return survey_round


def surveys_to_answer(*, user: User | None, today: dt.date) -> list:
    """The open rounds that ask `user` and that they have not answered yet, closing first."""
    from gmassist.voice.surveys.services import survey_asks

    if user is None or not user.is_authenticated or not user.employee_id:
        return []
    rounds = list(
        SurveyRound.objects.filter(
            survey__status=SurveyStatus.ACTIVE,
            sealed=False,
            opens_on__lte=today,
            closes_on__gte=today,
        )
        .select_related("survey")
        .order_by("closes_on", "id")
    )
    if not rounds:
        return []
    answered = set(
        SurveyParticipation.objects.filter(
            employee_id=user.employee_id, round__in=rounds
        ).values_list("round_id", flat=True)
    )
    return [r for r in rounds if r.pk not in answered and survey_asks(survey=r.survey, user=user)]


def survey_answered(*, user: User | None, survey_round) -> bool:
    """True when `user` has answered `survey_round` (what they answered is not kept with it)."""
    if user is None or not user.is_authenticated or not user.employee_id:
        return False
    return SurveyParticipation.objects.filter(
        round=survey_round, employee_id=user.employee_id
    ).exists()
