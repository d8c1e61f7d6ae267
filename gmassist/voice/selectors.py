"""Reads of the voice app, always scoped to the requesting user through `restrict`.

`department_negative_share` is the one unscoped read: an aggregate (a share per department,
no text and no sender) that the talent module's leaving-risk model uses as a signal.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Q, QuerySet

from gmassist.core.choices import Action
from gmassist.core.models import User
from gmassist.core.permissions import Domain
from gmassist.voice.choices import Sentiment
from gmassist.voice.models import Feedback


def window_start(*, as_of: dt.date, months: int) -> dt.date:
    """The first day of the `months`-month window that ends on `as_of` (inclusive).

    E.g. as_of 2026-03-15, months 6 -> 2025-09-16: the window holds exactly six months of days.
    """
    if months < 1:
        raise ValueError("months must be at least 1")
    return as_of - relativedelta(months=months) + dt.timedelta(days=1)


def department_negative_share(*, as_of: dt.date, months: int = 6) -> dict[int, float]:
    """Department id -> share (0-1) of the feedback about it that is negative.

    Counts every item (named and anonymous) submitted in the `months` months ending on `as_of`
    (inclusive), by the department it is for or about (`Feedback.department`; items to the GM
    about no department are not counted). Departments with no item in the window are absent:
    they give no signal, which is not the same as a share of 0. The share of one department
    does not include the departments below it.
    """
    start = window_start(as_of=as_of, months=months)
    rows = (
        Feedback.objects.filter(
            department__isnull=False, submitted_on__gte=start, submitted_on__lte=as_of
        )
        .values("department_id")
        .annotate(
            total=Count("id"),
            negative=Count("id", filter=Q(sentiment=Sentiment.NEGATIVE)),
        )
        .order_by("department_id")
    )
    return {row["department_id"]: row["negative"] / row["total"] for row in rows}


def feedback_visible(*, user: User | None, action: str = Action.VIEW) -> QuerySet[Feedback]:
    """The feedback items `user` may see (or do `action` to), with what lists show."""
    return Feedback.objects.restrict(user, action).select_related(
        "department", "owner", "owner__employee", "author", "author__employee"
    )


QUEUE_SORTS = {
    "submitted": ("submitted_on", "id"),
    "due": ("due_on", "id"),
    "status": ("status", "due_on", "id"),
    "topic": ("topic", "id"),
    "department": ("department__name", "id"),
}


def feedback_queue(
    *,
    user: User | None,
    today: dt.date,
    department_id: int | None = None,
    status: str | None = None,
    topic: str | None = None,
    sentiment: str | None = None,
    urgent: bool = False,
    overdue: bool = False,
    mine: bool = False,
    sort: str = "-submitted",
) -> QuerySet[Feedback]:
    """The items `user` may see, filtered: `department_id` includes the departments below it;
    `overdue` means still owed an answer after `today`'s due date; `mine` the items the user
    owns. `sort` is a key of QUEUE_SORTS, "-" first for descending."""
    from gmassist.org.selectors import department_subtree_ids
    from gmassist.voice.choices import OPEN_STATUSES

    queryset = feedback_visible(user=user)
    if department_id is not None:
        queryset = queryset.filter(
            department_id__in=sorted(department_subtree_ids(department_id=department_id))
        )
    if status:
        queryset = queryset.filter(status=status)
    if topic:
        queryset = queryset.filter(topic=topic)
    if sentiment:
        queryset = queryset.filter(sentiment=sentiment)
    if urgent:
        queryset = queryset.filter(
            Q(flag_harassment=True) | Q(flag_safety=True) | Q(flag_fraud=True)
        )
    if overdue:
        queryset = queryset.filter(status__in=OPEN_STATUSES, due_on__lt=today)
    if mine and user is not None:
        queryset = queryset.filter(owner=user)
    key = sort.lstrip("-")
    fields = QUEUE_SORTS.get(key, QUEUE_SORTS["submitted"])
    if sort.startswith("-"):
        fields = tuple("-" + f if f != "id" else f for f in fields)
    return queryset.order_by(*fields)


def feedback_sent_by(*, user: User) -> QuerySet[Feedback]:
    """The items `user` sent by name (anonymous ones are linked to nobody, so not here)."""
    return feedback_visible(user=user).filter(author=user).order_by("-submitted_on", "id")


def feedback_thread(*, feedback: Feedback) -> QuerySet:
    """The messages of an item, in order (the caller has already found the item visible, or
    holds its reply code)."""
    return feedback.messages.select_related("author", "author__employee").order_by("position")


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def feedback_trends(
    *, user: User | None, as_of: dt.date, months: int = 12, department_id: int | None = None
) -> dict:
    """Volume and sentiment over the `months` calendar months ending with `as_of`'s month, of
    the items `user` may see: per month (counts by sentiment), per topic, per department.

    Returns {"months": ["2025-04", ...], "by_month": {sentiment: [count per month]},
    "by_topic": [{"topic", "total", "negative", "neutral", "positive", "negative_share"}],
    "by_department": [{"department_id", "department", "total", ..., "negative_share"}],
    "total": n}. Shares are 0-1.
    """
    from gmassist.org.selectors import department_subtree_ids

    first = month_start(as_of) - relativedelta(months=months - 1)
    queryset = feedback_visible(user=user).filter(submitted_on__gte=first, submitted_on__lte=as_of)
    if department_id is not None:
        queryset = queryset.filter(
            department_id__in=sorted(department_subtree_ids(department_id=department_id))
        )
    labels = [(first + relativedelta(months=i)).strftime("%Y-%m") for i in range(months)]
    by_month = {s: [0] * months for s in Sentiment.values}
    index = {label: i for i, label in enumerate(labels)}
    rows = queryset.values_list(
        "submitted_on", "sentiment", "topic", "department_id", "department__name"
    )
    topics: dict[str, dict[str, int]] = {}
    departments: dict[int, dict] = {}
    total = 0
    for submitted_on, sentiment, topic, dept_id, dept_name in rows:
        total += 1
        by_month[sentiment][index[submitted_on.strftime("%Y-%m")]] += 1
        counts = topics.setdefault(topic, dict.fromkeys(Sentiment.values, 0))
        counts[sentiment] += 1
        if dept_id is not None:
            entry = departments.setdefault(
                dept_id,
                {
                    "department_id": dept_id,
                    "department": dept_name,
                    **dict.fromkeys(Sentiment.values, 0),
                },
            )
            entry[sentiment] += 1

    def finish(entry: dict) -> dict:
        entry_total = sum(entry[s] for s in Sentiment.values)
        entry["total"] = entry_total
        entry["negative_share"] = entry[Sentiment.NEGATIVE] / entry_total if entry_total else 0.0
        return entry

    by_topic = [finish({"topic": topic, **counts}) for topic, counts in topics.items()]
    by_topic.sort(key=lambda e: (-e["total"], e["topic"]))
    by_department = [finish(entry) for entry in departments.values()]
    by_department.sort(key=lambda e: (-e["negative_share"], -e["total"], e["department"]))
    return {
        "months": labels,
        "by_month": by_month,
        "by_topic": by_topic,
        "by_department": by_department,
        "total": total,
    }


# --- pulse surveys ---------------------------------------------------------------------------
#
# Results are read only through `round_results` and `survey_trend`, which read the round's
# published snapshot (made by voice/services.py under the rule of
# voice/engine/survey_publication.py): pages, API, exports and the CLI all show the same groups
# of 5 or more, and no two readings differ by fewer than 5 respondents. Raw responses are never
# read by any selector.


def surveys_visible(*, user: User | None, action: str = Action.VIEW) -> QuerySet:
    """The surveys `user` may see (or do `action` to): the "surveys" domain's rule."""
    from gmassist.voice.models import Survey

    return Survey.objects.restrict(user, action).select_related("department", "created_by")


def surveys_with_results(*, user: User | None) -> QuerySet:
    """The surveys whose results `user` may read: the visible ones, and for a department head
    also every launched company or department survey, of which they see only the groups inside
    their subtree (`result_departments`)."""
    from gmassist.core.permissions import SUBTREE, reach
    from gmassist.voice.choices import SurveyStatus
    from gmassist.voice.models import Survey

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
    from gmassist.voice.models import SurveySnapshot

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
    from gmassist.voice.models import SurveySnapshot

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
    from gmassist.voice.models import SurveyRound
    from gmassist.voice.services import survey_asks

    survey_round = (
        SurveyRound.objects.select_related("survey").filter(survey_id=survey_id, number=number)
    ).first()
    if survey_round is None or not survey_asks(survey=survey_round.survey, user=user):
        return None
    return survey_round


def surveys_to_answer(*, user: User | None, today: dt.date) -> list:
    """The open rounds that ask `user` and that they have not answered yet, closing first."""
    from gmassist.voice.choices import SurveyStatus
    from gmassist.voice.models import SurveyParticipation, SurveyRound
    from gmassist.voice.services import survey_asks

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
    from gmassist.voice.models import SurveyParticipation

    if user is None or not user.is_authenticated or not user.employee_id:
        return False
    return SurveyParticipation.objects.filter(
        round=survey_round, employee_id=user.employee_id
    ).exists()


# --- end of pulse surveys ------------------------------------------------------------------
