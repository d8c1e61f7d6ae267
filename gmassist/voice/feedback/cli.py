"""`gmassist voice evaluate|remind`: the feedback part of the voice command: the classifier's
accuracy (`evaluate`) and the overdue reminders (`remind`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from rich.table import Table as RichTable

from gmassist.core.choices import JobStatus
from gmassist.core.management.output import command_console
from gmassist.core.management.progress import run_job_with_progress
from gmassist.core.permissions import SYSTEM
from gmassist.voice.engine.classifier import (
    SHIPPED_EXAMPLES,
    ExamplesError,
    MeanStd,
    evaluate,
    load_examples,
)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _mean_std(value: MeanStd | None) -> str:
    return "—" if value is None else f"{value.mean * 100:.1f}% ± {value.std * 100:.1f}"


def add_feedback_arguments(actions) -> None:
    """Add `evaluate` and `remind` to the voice command's sub-parsers."""
    evaluate_parser = actions.add_parser(
        "evaluate",
        help="train on a stratified, seeded part of the labelled examples and print the "
        "topic and sentiment accuracy and the urgent recall on the held-back rest, and the "
        "cross-validated mean ± std on the training part",
    )
    evaluate_parser.add_argument(
        "--examples",
        type=Path,
        default=SHIPPED_EXAMPLES,
        help="a labelled CSV (text, language, topic, sentiment, urgent); default: shipped",
    )
    evaluate_parser.add_argument(
        "--test-share", type=float, default=0.25, help="held-back share (default 0.25)"
    )
    evaluate_parser.add_argument("--seed", type=int, default=0, help="of the split")
    evaluate_parser.add_argument(
        "--folds", type=int, default=5, help="cross-validation folds (default 5)"
    )
    evaluate_parser.add_argument(
        "--repeats",
        type=int,
        default=2,
        help="cross-validation repeats (default 2; 0 for no cross-validation)",
    )
    evaluate_parser.add_argument(
        "--json", dest="as_json", action="store_true", help="print the numbers as JSON"
    )
    remind = actions.add_parser(
        "remind", help="e-mail each owner their overdue feedback (at most once a day)"
    )
    remind.add_argument("--today", help="the day to count from (YYYY-MM-DD; default today)")


def run_feedback(command, *, action: str, **options: Any) -> None:
    if action == "evaluate":
        _evaluate(command, **options)
    elif action == "remind":
        _remind(command, **options)


def _evaluate(
    command,
    *,
    examples: Path,
    test_share: float,
    seed: int,
    folds: int,
    repeats: int,
    as_json: bool,
    **_options,
) -> None:
    if not 0 < test_share < 1:
        raise CommandError("--test-share must be between 0 and 1")
    if folds < 2 or repeats < 0:
        raise CommandError(_("--folds must be at least 2 and --repeats at least 0"))
    try:
        result = evaluate(
            load_examples(examples),
            test_share=test_share,
            seed=seed,
            folds=folds,
            repeats=repeats,
        )
    except (ExamplesError, ValueError) as exc:
        raise CommandError(str(exc)) from None
    if as_json:
        command.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
        return
    console = command_console(command.stdout)
    table = RichTable(
        title=_("Held back: %(n_test)s of %(n)s texts (seed %(seed)s)")
        % {"n_test": result.n_test, "n": result.n_train + result.n_test, "seed": result.seed}
    )
    table.add_column(_("measure"))
    table.add_column(_("all"), justify="right")
    for language in result.by_language:
        table.add_column(language, justify="right")
    table.add_row(
        _("topic accuracy"),
        _percent(result.topic_accuracy),
        *[_percent(v["topic_accuracy"]) for v in result.by_language.values()],
    )
    table.add_row(
        _("sentiment accuracy"),
        _percent(result.sentiment_accuracy),
        *[_percent(v["sentiment_accuracy"]) for v in result.by_language.values()],
    )
    table.add_row(_("urgent recall"), _percent(result.urgent_recall))
    table.add_row(_("urgent precision"), _percent(result.urgent_precision))
    console.print(table)
    cv = result.cross_validation
    if cv is None:
        if repeats > 0:
            console.print(
                _("Training part too small for %(folds)s-fold cross-validation.") % {"folds": folds}
            )
        return
    cv_table = RichTable(
        title=_(
            "Cross-validated on the training part: %(n)s texts, %(folds)s folds x "
            "%(repeats)s (mean ± std)"
        )
        % {"n": cv.n, "folds": cv.folds, "repeats": cv.repeats}
    )
    cv_table.add_column(_("measure"))
    cv_table.add_column(_("all"), justify="right")
    cv_table.add_row(_("topic accuracy"), _mean_std(cv.topic_accuracy))
    cv_table.add_row(_("sentiment accuracy"), _mean_std(cv.sentiment_accuracy))
    cv_table.add_row(_("urgent recall"), _mean_std(cv.urgent_recall))
    cv_table.add_row(_("urgent precision"), _mean_std(cv.urgent_precision))
    console.print(cv_table)
    console.print(
        _(
            "The urgent rules were written with the whole labelled set in view: on it "
            "their recall and precision are upper estimates."
        )
    )


def _remind(command, *, today: str | None, **_options) -> None:
    console = command_console(command.stdout)
    job = run_job_with_progress(
        kind="voice.remind",
        params={"today": today},
        by=SYSTEM,
        console=console,
        description="Overdue feedback reminders",
    )
    if job.status != JobStatus.SUCCEEDED:
        raise CommandError(job.error or job.message)
    command.stdout.write(
        f"Reminded {job.result['owners']} owner(s) of {job.result['items']} overdue item(s)."
    )
