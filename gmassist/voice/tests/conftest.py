"""Helpers of the voice tests: feedback rows made directly (services are tested on their own)."""

from __future__ import annotations

import datetime as dt

import pytest

from gmassist.voice.models import Feedback


def make_feedback(
    *,
    department=None,
    sentiment: str = "neutral",
    submitted_on: dt.date = dt.date(2026, 3, 1),
    topic: str = "other",
    **extra,
) -> Feedback:
    """One feedback item with plain defaults, stored as the services would store it."""
    fields = {
        "kind": "suggestion",
        "addressed_to": "department" if department is not None else "gm",
        "department": department,
        "head_department": department,
        "subject": "A subject",
        "body": "A text",
        "topic": topic,
        "sentiment": sentiment,
        "submitted_on": submitted_on,
        "due_on": submitted_on + dt.timedelta(days=14),
    }
    fields.update(extra)
    return Feedback.objects.create(**fields)


@pytest.fixture
def feedback_factory():
    return make_feedback
