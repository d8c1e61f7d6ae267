"""Helpers of the tests of the voice engines (and of the feedback command, which evaluates the
classifier): the classifier's evaluation made once per run."""

from __future__ import annotations

import inspect

from gmassist.voice.engine import classifier

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
