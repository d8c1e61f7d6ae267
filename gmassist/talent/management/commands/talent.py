"""`gmassist talent ...`: the talent analyses from the command line (for now: `evaluate`)."""

from __future__ import annotations

import json
from collections import Counter
from contextlib import nullcontext
from pathlib import Path

import pandas as pd
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.table import Table as RichTable

from gmassist.core.management.output import command_console
from gmassist.lib.tabular import TabularError, read_table
from gmassist.talent.engine.risk_model import (
    PreparedTable,
    RiskModelError,
    cross_validated_auc,
    prepare_table,
)

# from this many rows on, cross-validation takes more than a couple of seconds: show a bar
PROGRESS_ROWS = 5_000


def read_frame(path: Path) -> pd.DataFrame:
    """A CSV or XLSX file as a data frame of its cells, read as imports read files."""
    if not path.is_file():
        raise CommandError(f"No such file: {path}")
    try:
        table = read_table(path)
    except TabularError as exc:
        raise CommandError(f"Cannot read {path}: {exc}") from None
    duplicates = sorted(name for name, count in Counter(table.header).items() if count > 1)
    if duplicates:
        raise CommandError(f"Columns named more than once in {path}: {', '.join(duplicates)}")
    return pd.DataFrame([values for _row, values in table.rows], columns=table.header)


class Command(BaseCommand):
    help = (
        "Talent analyses. `evaluate`: the leaving-risk model's cross-validated ROC AUC on a file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        evaluate = actions.add_parser(
            "evaluate",
            help="repeated stratified cross-validated ROC AUC of the risk model on a labelled "
            "CSV or XLSX file",
        )
        evaluate.add_argument("file", type=Path, help="CSV or XLSX, one row per person")
        evaluate.add_argument("--target", required=True, help="the label column")
        evaluate.add_argument(
            "--positive", required=True, help="the label value that means 'left' (or churned)"
        )
        evaluate.add_argument("--id", dest="id_column", default=None, help="the identifier column")
        evaluate.add_argument("--folds", type=int, default=5)
        evaluate.add_argument("--repeats", type=int, default=5)
        evaluate.add_argument("--seed", type=int, default=0, help="of the fold assignment")
        evaluate.add_argument(
            "--json",
            dest="as_json",
            action="store_true",
            help='print {"auc_mean": ..., "auc_std": ..., "n": ...}',
        )

    def handle(self, *args, action: str, **options) -> None:
        if action == "evaluate":
            self.evaluate(**options)

    def evaluate(
        self,
        *,
        file: Path,
        target: str,
        positive: str,
        id_column: str | None,
        folds: int,
        repeats: int,
        seed: int,
        as_json: bool,
        **_options,
    ) -> None:
        console = command_console(self.stdout)
        frame = read_frame(file)
        try:
            prepared = prepare_table(frame, target=target, positive=positive, id_column=id_column)
            if as_json or prepared.n < PROGRESS_ROWS:
                result = cross_validated_auc(prepared, folds=folds, repeats=repeats, seed=seed)
            else:
                result = self._with_progress(console, prepared, folds, repeats, seed)
        except RiskModelError as exc:
            raise CommandError(str(exc)) from None
        if as_json:
            self.stdout.write(json.dumps(result.as_dict()))
            return
        console.print(_columns_table(prepared))
        console.print(
            f"{prepared.n} rows, {prepared.positives} with {target} = {prepared.positive!r}; "
            f"{repeats} x {folds}-fold stratified cross-validation"
        )
        self.stdout.write(f"ROC AUC {result.mean:.3f} ± {result.std:.3f}")

    def _with_progress(self, console, prepared: PreparedTable, folds, repeats, seed):
        from gmassist.core.management.progress import progress_bar

        with (
            progress_bar(console, "Cross-validating")
            if console.is_terminal
            else nullcontext(None) as update
        ):

            def progress(done: int, total: int) -> None:
                if update:
                    update(round(100 * done / total), f"fold {done} of {total}")

            return cross_validated_auc(
                prepared, folds=folds, repeats=repeats, seed=seed, progress=progress
            )


def _columns_table(prepared: PreparedTable) -> RichTable:
    table = RichTable("column", "used as", "why", title="Columns")
    for decision in prepared.decisions:
        table.add_row(str(decision.column), decision.kind, decision.reason)
    return table
