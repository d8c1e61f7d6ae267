"""Reads of the voice app, always scoped to the requesting user through `restrict`.

`department_negative_share` is the one unscoped read: an aggregate (a share per department,
no text and no sender) that the talent module's leaving-risk model uses as a signal.
"""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Q, QuerySet

from gmassist.core.choices import Action
from gmassist.core.models import User
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
