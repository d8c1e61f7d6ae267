"""`gmassist customers ...`: the customers analyses from the command line (`tier`, `match`,
`route`, `churn`, `evaluate-churn`). Imports and exports go through `gmassist import` and
`gmassist export` like every other entity."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gmassist.core.choices import JobStatus
from gmassist.core.management.output import command_console
from gmassist.core.management.progress import run_job_with_progress
from gmassist.core.management.users import user_by_username


def _json_flag(parser: CommandParser, shape: str) -> None:
    parser.add_argument("--json", dest="as_json", action="store_true", help=f"print {shape}")


class Command(BaseCommand):
    help = (
        "Group customers. `tier`: re-tier by the policy (one proposal). `match`: optimal "
        "account-manager matching (one proposal). `route`: service-channel routing (one "
        "proposal). `churn`: refresh the churn scores. `evaluate-churn`: the churn model's "
        "cross-validated ROC AUC on a labelled file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        tier = actions.add_parser("tier", help="re-tier every customer; proposes the changes")
        tier.add_argument(
            "--as-of", help="YYYY-MM-DD: revenue of the 12 complete months before (today)"
        )
        tier.add_argument("--user", help="propose as this user (default: the system)")
        _json_flag(tier, '{"proposal_id": ..., "changes": ...}')

        match = actions.add_parser(
            "match", help="match customers to account managers optimally; proposes the moves"
        )
        match.add_argument("--region-rule", choices=["hard", "penalty"], default="hard")
        match.add_argument(
            "--region-penalty", type=float, default=2.0, help="per customer out of region (2)"
        )
        match.add_argument(
            "--change-penalty", type=float, default=1.0, help="per changed relationship (1)"
        )
        match.add_argument("--max-changes", type=int, default=None, help="cap per run (none)")
        match.add_argument("--time-limit", type=float, default=30.0, help="seconds (30)")
        match.add_argument("--user", help="propose as this user (default: the system)")
        _json_flag(match, '{"proposal_id": ..., "moves": ..., "objective": ..., "optimal": ...}')

        route = actions.add_parser(
            "route", help="route customers with simple needs to other channels; proposes it"
        )
        route.add_argument("--as-of", help="YYYY-MM-DD: the 12 complete months before (today)")
        route.add_argument("--user", help="propose as this user (default: the system)")
        _json_flag(route, '{"proposal_id": ..., "moves": ..., "cost_before": ..., ...}')

        churn = actions.add_parser(
            "churn", help="refit the churn model on the company's history and score customers"
        )
        churn.add_argument("--as-of", help="YYYY-MM-DD: history up to the month before (today)")
        churn.add_argument("--user", help="run as this user (default: the system)")
        _json_flag(churn, '{"run_id": ..., "scores": ..., "auc": ..., ...}')

        evaluate = actions.add_parser(
            "evaluate-churn",
            help="repeated stratified cross-validated ROC AUC of the churn model on a labelled "
            "CSV or XLSX file of customers (the same procedure as `talent evaluate`)",
        )
        evaluate.add_argument("file", type=Path, help="CSV or XLSX, one row per customer")
        evaluate.add_argument("--target", required=True, help="the label column")
        evaluate.add_argument(
            "--positive", required=True, help="the label value that means 'churned'"
        )
        evaluate.add_argument("--id", dest="id_column", default=None, help="the identifier column")
        evaluate.add_argument("--folds", type=int, default=5)
        evaluate.add_argument("--repeats", type=int, default=5)
        evaluate.add_argument("--seed", type=int, default=0, help="of the fold assignment")
        _json_flag(evaluate, '{"auc_mean": ..., "auc_std": ..., "n": ...}')

    def handle(self, *args, action: str, **options) -> None:
        getattr(self, action.replace("-", "_"))(**options)

    def _run(self, kind: str, params: dict[str, Any], user: str | None, description: str):
        """Run job `kind` with a progress bar; its result, or CommandError with its error."""
        console = command_console(self.stdout)
        job = run_job_with_progress(
            kind=kind,
            params=params,
            by=user_by_username(user),
            console=console,
            description=description,
        )
        if job.status != JobStatus.SUCCEEDED:
            raise CommandError(job.error or "the job failed")
        return job.result

    def tier(self, *, as_of: str | None, user: str | None, as_json: bool, **_options) -> None:
        result = self._run("customers.tier", {"as_of": as_of}, user, "Re-tiering customers")
        if as_json:
            self.stdout.write(json.dumps(result))
        elif result["proposal_id"] is None:
            self.stdout.write("No customer changes tier: nothing to propose.")
        else:
            self.stdout.write(
                f"Proposal #{result['proposal_id']}: {result['changes']:,} customers change "
                "tier. Approve it at /proposals/ or with `gmassist proposals approve`."
            )

    def match(
        self,
        *,
        region_rule: str,
        region_penalty: float,
        change_penalty: float,
        max_changes: int | None,
        time_limit: float,
        user: str | None,
        as_json: bool,
        **_options,
    ) -> None:
        params = {
            "region_rule": region_rule,
            "region_penalty": region_penalty,
            "change_penalty": change_penalty,
            "max_changes": max_changes,
            "time_limit_s": time_limit,
        }
        result = self._run("customers.match", params, user, "Matching account managers")
        if as_json:
            self.stdout.write(json.dumps(result))
            return
        if result["proposal_id"] is None:
            self.stdout.write("The current books are already the best match: nothing to propose.")
            return
        parts = result["objective_parts"]
        proof = (
            "proven optimal"
            if result["optimal"]
            else f"not proven optimal (gap {result['gap']:.2%})"
            if result["gap"] is not None
            else "not proven optimal"
        )
        self.stdout.write(
            f"Proposal #{result['proposal_id']}: {result['moves']:,} customers move.\n"
            f"Objective {result['objective_before']:,.1f} -> {result['objective']:,.1f} "
            f"(value {parts['value']:,.1f}, region penalty {parts['region_penalty']:,.1f}, "
            f"change penalty {parts['change_penalty']:,.1f}), {proof}, "
            f"{result['solver']} in {result['seconds']:.1f} s; "
            f"{result['unassigned']:,} left without a manager."
        )

    def route(self, *, as_of: str | None, user: str | None, as_json: bool, **_options) -> None:
        result = self._run("customers.route", {"as_of": as_of}, user, "Routing service channels")
        if as_json:
            self.stdout.write(json.dumps(result))
        elif result["proposal_id"] is None:
            self.stdout.write("No customer qualifies for another channel: nothing to propose.")
        else:
            r = result
            self.stdout.write(
                f"Proposal #{r['proposal_id']}: {r['moves']:,} customers to other channels.\n"
                f"Account-manager workload {r['am_workload_before']:,} -> "
                f"{r['am_workload_after']:,} units; service cost {r['cost_before']:,.0f} -> "
                f"{r['cost_after']:,.0f} a year."
            )

    def churn(self, *, as_of: str | None, user: str | None, as_json: bool, **_options) -> None:
        result = self._run("customers.churn", {"as_of": as_of}, user, "Scoring churn risk")
        if as_json:
            self.stdout.write(json.dumps(result))
            return
        auc = "not measured" if result["auc"] is None else f"{result['auc']:.3f}"
        self.stdout.write(
            f"Churn model #{result['run_id']} as of {result['as_of']}: {result['scores']:,} "
            f"customers scored; learned from {result['snapshots']:,} customer-months "
            f"({result['churners']:,} churned); backtest ROC AUC {auc}."
        )

    def evaluate_churn(self, **options) -> None:
        """The talent command's `evaluate`, which runs the one risk-model engine's procedure:
        the same code, so that both report the same way."""
        from gmassist.talent.management.commands.talent import Command as TalentCommand

        talent = TalentCommand()
        talent.stdout, talent.stderr = self.stdout, self.stderr
        talent.evaluate(**options)
