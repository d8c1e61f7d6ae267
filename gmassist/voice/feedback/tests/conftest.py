"""Helpers of the feedback tests: feedback rows made directly (services are tested on their own),
and `gmassist voice evaluate` evaluating the classifier once per run."""

from __future__ import annotations

import datetime as dt

import pytest

from gmassist.voice.feedback.models import Feedback
from gmassist.voice.tests.conftest import evaluate_once


@pytest.fixture
def evaluations_once_per_run(monkeypatch):
    """`gmassist voice evaluate` evaluates through `evaluate_once`: the command's tests check
    what it prints for an evaluation, not the training again."""
    from gmassist.voice.feedback import cli

    monkeypatch.setattr(cli, "evaluate", evaluate_once)


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
