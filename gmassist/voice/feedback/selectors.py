"""Reads of the feedback, always scoped to the requesting user through `restrict`.

`department_negative_share` is an unscoped read: an aggregate (a share per department, no
text and no sender) that the talent module's leaving-risk model uses as a signal. So are the
topic corrections the company's classifier learns from (`topic_corrections_learnt`,
`topic_corrections_version`): the application trains it, for everyone's submissions.
"""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery

from gmassist.core.choices import Action
from gmassist.core.models import User
from gmassist.core.permissions import ALL, Domain, reach
from gmassist.voice.engine.classifier import CorrectedTopic
from gmassist.voice.feedback.choices import Sentiment
from gmassist.voice.feedback.models import Feedback, TopicCorrection


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
    triage: bool = False,
    sort: str = "-submitted",
) -> QuerySet[Feedback]:
    """The items `user` may see, filtered: `department_id` includes the departments below it;
    `overdue` means still owed an answer after `today`'s due date; `mine` the items the user
    owns; `triage` the items waiting for their topic to be set. `sort` is a key of
    QUEUE_SORTS, "-" first for descending."""
    from gmassist.org.selectors import department_subtree_ids
    from gmassist.voice.feedback.choices import OPEN_STATUSES

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
    if triage:
        queryset = queryset.filter(in_triage=True)
    key = sort.lstrip("-")
    fields = QUEUE_SORTS.get(key, QUEUE_SORTS["submitted"])
    if sort.startswith("-"):
        fields = tuple("-" + f if f != "id" else f for f in fields)
    return queryset.order_by(*fields)


def feedback_triage(*, user: User | None) -> QuerySet[Feedback]:
    """The items waiting for their topic to be set, oldest first, for those who set topics
    (the "feedback_topics" policy: HR and the GM's office); nothing for anyone else."""
    if reach(user, Domain.FEEDBACK_TOPICS, Action.VIEW) != ALL:
        return Feedback.objects.none()
    return feedback_visible(user=user).filter(in_triage=True).order_by("submitted_on", "id")


def topic_corrections_version() -> tuple[int, int]:
    """(how many topic corrections there are, the highest id): changes whenever one is added
    or removed (ids only grow and rows are never changed), so it keys the trained classifier."""
    row = TopicCorrection.objects.aggregate(count=Count("id"), last=Max("id"))
    return row["count"], row["last"] or 0


def _latest_corrections() -> QuerySet[TopicCorrection]:
    latest = TopicCorrection.objects.filter(feedback=OuterRef("feedback")).order_by("-id")
    return TopicCorrection.objects.filter(pk=Subquery(latest.values("pk")[:1]))


def topic_corrections_learnt() -> list[CorrectedTopic]:
    """What the company's classifier learns from the corrections: each corrected item's text
    (subject and body, as it was classified) with its latest topic, in the order corrected.
    Only the text and the topic: nothing about the sender."""
    rows = (
        _latest_corrections()
        .order_by("id")
        .values_list("feedback__subject", "feedback__body", "new_topic")
    )
    return [CorrectedTopic(text=f"{subject}\n{body}", topic=topic) for subject, body, topic in rows]


def topic_corrections_count() -> int:
    """How many items' topics a person set: the corrections the classifier learns from."""
    return TopicCorrection.objects.values("feedback").distinct().count()


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
