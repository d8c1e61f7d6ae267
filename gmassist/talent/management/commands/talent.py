"""`gmassist talent ...`: the talent analyses from the command line (`evaluate`, `pay-review`,
`key-people`, `score`, `plan`)."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from contextlib import nullcontext
from pathlib import Path

import pandas as pd
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.table import Table as RichTable

from gmassist.core.management.output import command_console
from gmassist.core.management.users import user_by_username
from gmassist.core.permissions import Domain
from gmassist.lib.risk_model import (
    PreparedTable,
    RiskModelError,
    cross_validated_auc,
    prepare_table,
)
from gmassist.lib.tabular import TabularError, read_table

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
        "Talent analyses. `evaluate`: the leaving-risk model's cross-validated ROC AUC on a file. "
        "`pay-review`: band position, pay against performance and gender pay gaps. "
        "`key-people`: key-talent scores with reasons, and the irreplaceable people."
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

        pay = actions.add_parser(
            "pay-review",
            help="the pay review's summary and the gender pay gaps within positions",
        )
        pay.add_argument(
            "--department", metavar="CODE", help="only this department and those below it"
        )
        pay.add_argument("--user", help="what this user may see (default: everyone)")
        pay.add_argument(
            "--json",
            dest="as_json",
            action="store_true",
            help='print {"as_of": ..., "summary": {...}, "gaps": [...]}',
        )

        key = actions.add_parser(
            "key-people",
            help="key-talent scores with their reasons, and the irreplaceable people per "
            "department",
        )
        key.add_argument(
            "--department", metavar="CODE", help="only this department and those below it"
        )
        key.add_argument("--user", help="what this user may see (default: everyone)")
        key.add_argument(
            "--limit", type=int, default=20, help="people in the table (default 20; 0: all)"
        )
        key.add_argument(
            "--json",
            dest="as_json",
            action="store_true",
            help='print {"people": [...], "irreplaceable_by_department": [...]}, everyone',
        )

        score = actions.add_parser(
            "score",
            help="fit, backtest and score everyone's leaving risk for a month (a job, with a "
            "progress bar); the scores of earlier months are kept",
        )
        score.add_argument(
            "--as-of",
            metavar="YYYY-MM-DD",
            help="score the month-end on or before this day (default: the last month-end)",
        )
        score.add_argument("--user", help="run as this user (gm, assistant or hr roles)")
        score.add_argument("--json", dest="as_json", action="store_true", help="print the run")

        plan = actions.add_parser(
            "plan",
            help="choose incentives within a yearly budget to keep the people at risk (a job, "
            "with a progress bar); saves a draft plan, changes nobody's pay",
        )
        plan.add_argument("--budget", type=float, required=True, help="yearly, company currency")
        plan.add_argument("--top", type=int, default=None, help="only the N highest risks")
        plan.add_argument("--menu", type=Path, default=None, help="instrument menu (TOML file)")
        plan.add_argument("--time-limit", type=float, default=30.0, help="solver seconds")
        plan.add_argument("--user", help="plan as this user (their scope and role count)")
        plan.add_argument("--limit", type=int, default=20, help="lines in the table (0: all)")
        plan.add_argument("--json", dest="as_json", action="store_true", help="print the plan")

    def handle(self, *args, action: str, **options) -> None:
        if action == "score":
            self.score(**options)
            return
        if action == "plan":
            self.plan(**options)
            return
        if action == "evaluate":
            self.evaluate(**options)
        elif action == "pay-review":
            self.pay_review(**options)
        elif action == "key-people":
            self.key_people(**options)

    def score(self, *, as_of: str | None, user: str | None, as_json: bool, **_options) -> None:
        from gmassist.core.choices import JobStatus
        from gmassist.core.management.progress import run_job_with_progress
        from gmassist.talent.services import check_may_score

        acting = user_by_username(user)
        if as_of:
            try:
                dt.date.fromisoformat(as_of)
            except ValueError:
                raise CommandError(f"--as-of {as_of!r} is not a date (YYYY-MM-DD)") from None
        try:
            check_may_score(acting)
        except PermissionDenied as exc:
            raise CommandError(f"{acting.username}: {exc}") from None
        console = command_console(self.stdout)
        job = run_job_with_progress(
            kind="talent.score",
            params={"as_of": as_of},
            by=acting,
            console=console,
            description="Scoring leaving risk",
        )
        if job.status != JobStatus.SUCCEEDED:
            raise CommandError(f"Scoring failed: {job.error}")
        result = job.result
        if as_json:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        auc = result["backtest_auc"]
        self.stdout.write(
            f"Scored {result['scored']:,} people as of {result['as_of']} "
            f"(model {result['version']}, trained on {result['train_rows']:,} snapshot rows, "
            f"{result['train_leavers']:,} leavers)"
        )
        if auc is None:
            self.stdout.write("Backtest: the history is too short for a time-based backtest")
        else:
            interval = ""
            if result.get("backtest_auc_low") is not None:
                interval = (
                    f" (95% CI {result['backtest_auc_low']:.2f}-{result['backtest_auc_high']:.2f})"
                )
            self.stdout.write(
                f"Backtest: ROC AUC {auc:.2f}{interval} on {result['backtest_test_rows']:,} "
                f"people, {result['backtest_leavers']:,} leavers, trained on what was known by "
                f"{result['backtest_month']}"
            )
        bands, counts = result["bands"], result["band_counts"]
        rate = result["base_rate"]
        self.stdout.write(
            ("Yearly voluntary leaving rate: unknown" if rate is None else
             f"Yearly voluntary leaving rate {rate:.0%}")
            + f"; bands: medium from {bands['medium_from']:.0%}, high from "
            f"{bands['high_from']:.0%} within 12 months; {counts['high']:,} high, "
            f"{counts['medium']:,} medium, {counts['low']:,} low"
        )  # fmt: skip
        reasons = ", ".join(f"{k} ({v})" for k, v in result["reason_counts"].items())
        self.stdout.write(f"Top reasons across that month's leavers: {reasons}")

    def plan(
        self,
        *,
        budget: float,
        top: int | None,
        menu: Path | None,
        time_limit: float,
        user: str | None,
        limit: int,
        as_json: bool,
        **_options,
    ) -> None:
        from django.utils import translation

        from gmassist.core.choices import JobStatus
        from gmassist.core.management.progress import run_job_with_progress
        from gmassist.talent.models import IncentivePlan
        from gmassist.talent.presenters import line_return, plan_left_out, plan_spending_note
        from gmassist.talent.services import check_may_plan

        acting = user_by_username(user)
        if budget < 0:
            raise CommandError(f"--budget must be 0 or more, not {budget}")
        if top is not None and top < 1:
            raise CommandError(f"--top must be 1 or more, not {top}")
        menu_toml = ""
        if menu is not None:
            if not menu.is_file():
                raise CommandError(f"No such file: {menu}")
            menu_toml = menu.read_text(encoding="utf-8")
        try:
            check_may_plan(acting)
        except PermissionDenied as exc:
            raise CommandError(f"{acting.username}: {exc}") from None
        job = run_job_with_progress(
            kind="talent.plan",
            params={
                "budget": budget,
                "menu_toml": menu_toml,
                "top": top,
                "time_limit": time_limit,
            },
            by=acting,
            console=command_console(self.stdout),
            description="Solving the incentive plan",
        )
        if job.status != JobStatus.SUCCEEDED:
            raise CommandError(f"Planning failed: {job.error}")
        plan = IncentivePlan.objects.get(pk=job.result["plan_id"])
        lines = sorted(
            plan.lines.select_related("employee"),
            key=lambda line: (-(line.effect - float(line.cost)), line.employee.employee_no),
        )
        summary = plan.summary
        with translation.override("en"):  # the command speaks English, whatever is active
            note = plan_spending_note(summary, budget=plan.budget)
            left_out = plan_left_out(summary)
        if as_json:
            payload = {
                "plan_id": plan.pk,
                **{k: v for k, v in summary.items()},
                "spending_note": note,
                "left_out": left_out,
                "lines": [
                    {
                        "employee_no": line.employee.employee_no,
                        "full_name": line.employee.full_name,
                        "actions": line.actions,
                        "cost": float(line.cost),
                        "effect": line.effect,
                        "net": round(line.effect - float(line.cost), 2),
                        "return": line_return(effect=line.effect, cost=line.cost),
                        "risk_before": line.risk_before,
                        "risk_after": line.risk_after,
                    }
                    for line in lines
                ],
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        bound = (
            "proven optimal"
            if summary["status"] == "optimal"
            else f"within {summary['gap']:.4%} of the bound {summary['bound']:,.0f}"
        )
        ratio = summary.get("return")
        self.stdout.write(
            f"Plan #{plan.pk}: {len(lines):,} people, cost {summary['total_cost']:,.0f} of "
            f"{summary['budget']:,.0f}, expected retained value {summary['total_effect']:,.0f}, "
            f"net value {summary['total_net']:,.0f}, return "
            f"{'–' if ratio is None else f'{ratio:.2f}'} ({bound}); greedy net "
            f"{summary['greedy_net']:,.0f}"
        )
        self.stdout.write(note)
        if left_out:
            self.stdout.write(
                "Left out of the candidates (they decide the plan): "
                + "; ".join(
                    f"{p['full_name']} ({p['employee_no']}): {p['reason']}" for p in left_out
                )
            )
        table = RichTable(
            "Employee", "Name", "Actions", "Cost", "Risk", "Retained", "Net", "Return"
        )
        for line in lines[:limit] if limit > 0 else lines:
            line_ratio = line_return(effect=line.effect, cost=line.cost)
            table.add_row(
                line.employee.employee_no,
                line.employee.full_name,
                ", ".join(_action_text(a) for a in line.actions),
                f"{line.cost:,.0f}",
                f"{line.risk_before:.2f} → {line.risk_after:.2f}",
                f"{line.effect:,.0f}",
                f"{line.effect - float(line.cost):,.0f}",
                "–" if line_ratio is None else f"{line_ratio:.2f}",
            )
        table.add_row(
            "Total",
            "",
            "",
            f"{summary['total_cost']:,.0f}",
            "",
            f"{summary['total_effect']:,.0f}",
            f"{summary['total_net']:,.0f}",
            "–" if ratio is None else f"{ratio:.2f}",
        )
        command_console(self.stdout).print(table)
        curve = ", ".join(
            f"{p['budget']:,.0f}: {p['total_cost']:,.0f} / {p['total_effect']:,.0f} / "
            f"{p.get('total_net', 0):,.0f}"
            for p in summary.get("curve", [])
        )
        self.stdout.write(f"Budget curve (budget: spent / retained / net): {curve}")

    def _department_id(self, acting, department: str | None) -> int | None:
        """The id of the department with code `department` that `acting` may see (None: all)."""
        from gmassist.org.models import Department

        if not department:
            return None
        departments = Department.objects.restrict(acting)
        found = departments.filter(code=department).first()
        if found is None:
            raise CommandError(f"no department {department!r} (that you may see)")
        return found.pk

    def key_people(
        self,
        *,
        department: str | None,
        user: str | None,
        limit: int,
        as_json: bool,
        **_options,
    ) -> None:
        from gmassist.core.choices import Action
        from gmassist.core.permissions import ALL, SUBTREE, reach
        from gmassist.talent import selectors

        acting = user_by_username(user)
        if reach(acting, Domain.PEOPLE, Action.VIEW_PAY) not in (ALL, SUBTREE):
            raise CommandError(f"{acting.username} may not see the key people")
        department_id = self._department_id(acting, department)
        result = selectors.key_people(user=acting, department_id=department_id)
        rows = selectors.key_people_rows(result)
        if as_json:
            payload = {"people": rows, "irreplaceable_by_department": result.by_department}
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        flagged = sum(len(d["people"]) for d in result.by_department)
        self.stdout.write(f"Key people: {len(rows):,} people, {flagged:,} irreplaceable")
        for dept in result.by_department:
            names = "; ".join(
                f"{p['full_name']} ({', '.join(p['skills'])})" for p in dept["people"]
            )
            self.stdout.write(f"  {dept['department']} ({len(dept['people'])}): {names}")
        console = command_console(self.stdout)
        console.print(_key_people_table(rows[:limit] if limit > 0 else rows))

    def pay_review(
        self, *, department: str | None, user: str | None, as_json: bool, **_options
    ) -> None:
        from gmassist.talent import selectors

        acting = user_by_username(user)
        department_id = self._department_id(acting, department)
        review = selectors.pay_review(user=acting, department_id=department_id)
        summary = dict(review.summary)
        gaps = [gap.as_dict() for gap in review.gaps]
        if as_json:
            payload = {"as_of": review.as_of.isoformat(), "summary": summary, "gaps": gaps}
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        s = summary
        median = "-" if s["median_compa_ratio"] is None else f"{s['median_compa_ratio']:.2f}"
        self.stdout.write(
            f"Pay review as of {review.as_of.isoformat()}: {s['people']:,} people, "
            f"{s['with_band']:,} with a band; median compa-ratio {median}\n"
            f"Below band: {s['below_band']:,} (to reach the minimum: "
            f"{s['cost_to_band_min']:,.0f} a year)\n"
            f"Above band: {s['above_band']:,} (over the maximum by {s['over_band_max']:,.0f} "
            f"a year)\n"
            f"Rated high, paid low: {s['high_rated_paid_low']:,}\n"
            f"Rated low, paid high: {s['low_rated_paid_high']:,}"
        )
        console = command_console(self.stdout)
        console.print(_gaps_table(gaps))

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


def _gaps_table(gaps: list[dict]) -> RichTable:
    table = RichTable(
        "position",
        "grade",
        "n (women/men)",
        "adjusted gap",
        "raw gap",
        "cost to close /yr",
        title="Gender pay gaps (adjusted for tenure and latest rating)",
    )
    for gap in gaps:
        grade = "" if gap["grade"] is None else str(gap["grade"])
        counts = f"{gap['n']} ({gap['n_female']}/{gap['n_male']})"
        if gap["status"] == "compared":
            numbers = (
                f"{gap['adjusted_gap_pct']:+.1f}%",
                f"{gap['raw_gap_pct']:+.1f}%",
                f"{gap['cost_to_close']:,.0f}",
            )
        elif gap["status"] == "too_few":
            numbers = ("too few to compare", "", "")
        else:
            numbers = ("gender not separable from tenure and rating", "", "")
        table.add_row(gap["position"], grade, counts, *numbers)
    return table


def _key_people_table(rows: list[dict]) -> RichTable:
    table = RichTable(
        "employee no.",
        "name",
        "department",
        "score",
        "perf.",
        "pot.",
        "scarcity",
        "replacement cost",
        "irreplaceable",
        "top reason",
        title="Key people (highest score first)",
    )
    for row in rows:
        cost = row["replacement_cost"]
        table.add_row(
            row["employee_no"],
            row["full_name"],
            row["department"],
            f"{row['score']:.2f}",
            "-" if row["performance"] is None else f"{row['performance']:.1f}",
            "-" if row["potential"] is None else str(row["potential"]),
            f"{row['scarcity']:.2f}",
            "-" if cost is None else f"{cost:,.0f}",
            "yes" if row["irreplaceable"] else "",
            row["top_reason"],
        )
    return table


def _action_text(action: dict) -> str:
    instrument = action["instrument"]
    if instrument == "raise":
        return f"raise {action['share']:.0%}"
    if instrument == "promotion":
        return f"promotion at {action['new_base_pay']:,.0f}"
    if instrument == "options":
        return f"{action['units']:,} options"
    if instrument == "leave":
        return f"{action['days']} days' leave"
    return f"{instrument} {action.get('amount', 0):,.0f}"
