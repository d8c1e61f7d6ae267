"""Helpers of the voice tests: feedback rows made directly (services are tested on their own),
and the classifier's evaluation made once per run."""

from __future__ import annotations

import datetime as dt
import inspect

import pytest

from gmassist.voice.engine import classifier
from gmassist.voice.models import Feedback

_EVALUATIONS: dict[tuple, classifier.Evaluation] = {}


def evaluate_once(examples, **options) -> classifier.Evaluation:
    """`classifier.evaluate`, remembered for the run by its inputs (the examples, the split and
    the folds, defaults filled in). The evaluation is deterministic, and on the shipped set one
    costs eleven trainings (the held-back split and 5 x 2 folds): the quality test and the
    `voice evaluate` tests that ask for the same one share it instead of each training anew."""
    bound = inspect.signature(classifier.evaluate).bind(examples, **options)
    bound.apply_defaults()
    arguments = dict(bound.arguments)
    key = (tuple(arguments.pop("examples")), tuple(sorted(arguments.items())))
    if key not in _EVALUATIONS:
        _EVALUATIONS[key] = classifier.evaluate(examples, **options)
    return _EVALUATIONS[key]


@pytest.fixture
def evaluations_once_per_run(monkeypatch):
    """`gmassist voice evaluate` evaluates through `evaluate_once`: the command's tests check
    what it prints for an evaluation, not the training again."""
    from gmassist.voice.management.commands import voice

    monkeypatch.setattr(voice, "evaluate", evaluate_once)


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
