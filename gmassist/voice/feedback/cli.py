"""`gmassist voice evaluate|remind`: the feedback part of the voice command: the classifier's
accuracy (`evaluate`: on a held-back part of the labelled examples, or with `--test FILE` on an
outside labelled file, trained on the examples and the company's corrections) and the overdue
reminders (`remind`)."""

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
    TOPICS,
    ExamplesError,
    MeanStd,
    TopicReport,
    evaluate,
    evaluate_outside,
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
        "--test",
        type=Path,
        default=None,
        metavar="FILE",
        help="an outside labelled CSV (text, language, topic, sentiment): train on the examples "
        "and the company's topic corrections, and report the accuracy on FILE overall, per "
        "language and per topic, with the confusion table (no held-back split, no "
        "cross-validation)",
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
    test: Path | None = None,
    **_options,
) -> None:
    if test is not None:
        _evaluate_outside(command, examples=examples, test=test, as_json=as_json)
        return
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
    if result.report is not None:
        _triage_rows(table, result.report)
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


def _triage_rows(table: RichTable, report: TopicReport) -> None:
    """The rows saying what the triage threshold does: the share below it, the accuracy above."""
    below = round(report.triage_below * 100)
    table.add_row(
        _("to triage (confidence below %(percent)s%%)") % {"percent": below},
        _percent(report.triage_share),
        *[_percent(v["triage_share"]) for v in report.by_language.values()],
    )
    table.add_row(
        _("topic accuracy of the others"),
        _percent(report.accuracy_above),
        *[_percent(v["accuracy_above"]) for v in report.by_language.values()],
    )


def _evaluate_outside(command, *, examples: Path, test: Path, as_json: bool) -> None:
    """Train on `examples` and the company's corrections, measure on the outside file `test`."""
    from gmassist.voice.feedback import selectors, services

    try:
        train = load_examples(examples)
        outside = load_examples(test, urgent_required=False)
    except ExamplesError as exc:
        raise CommandError(str(exc)) from None
    if not outside:
        raise CommandError(_("%(path)s has no labelled rows.") % {"path": test})
    corrections = selectors.topic_corrections_learnt()
    result = evaluate_outside(
        train, outside, corrections=corrections, triage_below=services.triage_below()
    )
    if as_json:
        command.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
        return
    report = result.report
    console = command_console(command.stdout)
    table = RichTable(
        title=_(
            "%(path)s: %(n)s texts; trained on %(n_train)s examples and %(n_corrections)s "
            "topic corrections"
        )
        % {
            "path": test.name,
            "n": report.n,
            "n_train": result.n_train,
            "n_corrections": result.n_corrections,
        }
    )
    table.add_column(_("measure"))
    table.add_column(_("all"), justify="right")
    for language in report.by_language:
        table.add_column(language, justify="right")
    table.add_row(
        _("texts"), str(report.n), *[str(int(v["n"])) for v in report.by_language.values()]
    )
    table.add_row(
        _("topic accuracy"),
        _percent(report.topic_accuracy),
        *[_percent(v["topic_accuracy"]) for v in report.by_language.values()],
    )
    table.add_row(
        _("sentiment accuracy"),
        _percent(report.sentiment_accuracy),
        *[_percent(v["sentiment_accuracy"]) for v in report.by_language.values()],
    )
    _triage_rows(table, report)
    console.print(table)
    topics = RichTable(title=_("Per topic"))
    topics.add_column(_("topic"))
    topics.add_column(_("texts"), justify="right")
    topics.add_column(_("given their topic"), justify="right")
    topics.add_column(_("right when given it"), justify="right")
    for topic, values in report.by_topic.items():
        topics.add_row(
            topic,
            str(int(values["n"] or 0)),
            _percent(values["accuracy"]),
            _percent(values["precision"]),
        )
    console.print(topics)
    shown = [t for t in TOPICS if t in report.by_topic]
    confusion = RichTable(title=_("Confusion: labelled topic (rows) given as (columns)"))
    confusion.add_column(_("labelled"))
    for topic in shown:
        confusion.add_column(topic, justify="right")
    for topic in shown:
        counts = report.confusion.get(topic, {})
        confusion.add_row(
            topic,
            *[
                f"[bold]{counts.get(other, 0)}[/bold]"
                if other == topic
                else str(counts.get(other, 0) or "·")
                for other in shown
            ],
        )
    console.print(confusion)


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
