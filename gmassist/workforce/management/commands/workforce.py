"""`gmassist workforce ...`: the workforce plan from the command line (`plan`, `gaps`,
`backtest`)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from rich.table import Table as RichTable

from gmassist.core.management.output import command_console
from gmassist.core.management.users import user_by_username
from gmassist.workforce import selectors, services


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--as-of {value!r} is not a date (YYYY-MM-DD)") from exc


class Command(BaseCommand):
    help = (
        "The workforce plan. `plan`: build a plan version (every department and job family "
        "growing by --growth %% a year) and print its company totals. `gaps`: a plan's gaps "
        "per line and quarter with their 90%% interval and the recruitment plan. `backtest`: "
        "how the supply model would have forecast head counts from --as-of, against what "
        "happened and two baselines."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        plan = actions.add_parser("plan", help="build a plan version")
        plan.add_argument("--name", default="Workforce plan")
        plan.add_argument("--as-of", help="the plan's day (default: today)")
        plan.add_argument("--horizon", type=int, default=8, help="quarters (1-12, default 8)")
        plan.add_argument("--growth", type=float, default=0.0, help="% a year for every line")
        plan.add_argument("--runs", type=int, default=1000, help="simulation runs (default 1000)")
        plan.add_argument("--user", help="as this user (default: the system)")
        plan.add_argument("--json", dest="as_json", action="store_true")

        gaps = actions.add_parser("gaps", help="a plan's gaps and recruitment plan")
        gaps.add_argument("--plan", type=int, help="the plan's id (default: the latest)")
        gaps.add_argument("--user", help="what this user may see (default: everything)")
        gaps.add_argument("--json", dest="as_json", action="store_true")

        backtest = actions.add_parser("backtest", help="the supply model against history")
        backtest.add_argument("--as-of", required=True, help="the past day to forecast from")
        backtest.add_argument("--horizon", type=int, default=8, help="quarters (default 8)")
        backtest.add_argument("--user", help="as this user (default: the system)")
        backtest.add_argument("--json", dest="as_json", action="store_true")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        console = command_console(self.stdout)
        user = user_by_username(options.get("user"))
        try:
            if action == "plan":
                self._plan(console, user, options)
            elif action == "gaps":
                self._gaps(console, user, options)
            else:
                self._backtest(console, user, options)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc

    def _plan(self, console: Any, user: Any, options: dict[str, Any]) -> None:
        as_of = _date(options["as_of"]) if options["as_of"] else timezone.localdate()
        plan = services.plan_build(
            name=options["name"],
            as_of=as_of,
            horizon=options["horizon"],
            growth_percent=options["growth"],
            runs=options["runs"],
            by=user,
        )
        if options["as_json"]:
            self.stdout.write(json.dumps({"id": plan.pk, "version": plan.version} | plan.summary))
            return
        company = plan.summary["company"]
        table = RichTable(title=f"{plan} (id {plan.pk}), as of {plan.as_of}, {plan.runs} runs")
        for column in ("quarter end", "demand", "supply", "supply 90%", "leavers", "people short"):
            table.add_column(column, justify="right")
        for k, end in enumerate(plan.summary["quarter_ends"]):
            table.add_row(
                end,
                f"{company['demand'][k]:.0f}",
                f"{company['supply'][k]:.1f}",
                f"{company['supply_low'][k]:.0f}-{company['supply_high'][k]:.0f}",
                f"{company['leavers'][k]:.1f}",
                f"{company['hires_needed'][k]:.1f}",
            )
        console.print(table)

    def _gaps(self, console: Any, user: Any, options: dict[str, Any]) -> None:
        plans = selectors.plans_visible(user=user)
        plan = plans.filter(pk=options["plan"]).first() if options["plan"] else plans.first()
        if plan is None:
            raise CommandError("no such plan (see `gmassist workforce plan`)")
        found = selectors.plan_gaps(user=user, plan=plan)
        gaps, moves, requisitions = found.gaps, found.moves, found.requisitions
        short = [g for g in gaps if g.gap_mean >= 0.5]
        if options["as_json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "plan": plan.pk,
                        "gaps": [
                            {
                                "department": g.department,
                                "job_family": g.job_family,
                                "quarter_end": g.quarter_end.isoformat(),
                                "demand": g.demand,
                                "supply": g.supply_mean,
                                "gap": g.gap_mean,
                                "interval": [g.gap_low, g.gap_high],
                            }
                            for g in short
                        ],
                        "requisitions": [
                            {
                                "department": r.department,
                                "job_family": r.job_family,
                                "count": r.count,
                                "open_on": r.open_on.isoformat(),
                                "needed_by": r.needed_by.isoformat(),
                                "late_days": r.late_days,
                            }
                            for r in requisitions
                        ],
                        "internal_moves": [
                            {
                                "from": m.from_department,
                                "to": m.to_department,
                                "job_family": m.job_family,
                                "count": m.count,
                            }
                            for m in moves
                        ],
                    }
                )
            )
            return
        table = RichTable(title=f"Gaps of {plan} (people short; 90% interval)")
        for column in ("department", "job family", "quarter end", "demand", "supply", "gap"):
            table.add_column(column)
        for g in short:
            table.add_row(
                g.department, g.job_family or "-", g.quarter_end.isoformat(), str(g.demand),
                f"{g.supply_mean:.1f}", f"{g.gap_mean:.1f} ({g.gap_low:.0f} to {g.gap_high:.0f})",
            )  # fmt: skip
        console.print(table)
        hires = RichTable(title="Recruitment plan (open by, given the recorded time to fill)")
        for column in ("department", "job family", "people", "open on", "needed by", "late"):
            hires.add_column(column)
        for r in requisitions:
            hires.add_row(
                r.department, r.job_family or "-", str(r.count), r.open_on.isoformat(),
                r.needed_by.isoformat(), f"{r.late_days} days" if r.late_days else "",
            )  # fmt: skip
        console.print(hires)

    def _backtest(self, console: Any, user: Any, options: dict[str, Any]) -> None:
        backtest = services.backtest_run(
            as_of=_date(options["as_of"]), horizon=options["horizon"], by=user
        )
        body = backtest.result
        if options["as_json"]:
            self.stdout.write(json.dumps(body))
            return
        table = RichTable(
            title=(
                f"Backtest as of {body['as_of']}: {body['quarters_scored']} of {body['horizon']} "
                "quarters within the history; MAE in people, MAPE in %"
            )
        )
        table.add_column("unit")
        table.add_column("people", justify="right")
        for method in ("model", "carry forward", "trailing rate"):
            table.add_column(f"{method} MAE", justify="right")
            table.add_column(f"{method} MAPE", justify="right")
        units = [{"name": "company", **body["company"]}, *body["departments"]]
        for unit in units:
            cells = [unit["name"], str(unit["people"])]
            for method in ("model", "carry_forward", "trailing_rate"):
                errors = unit[method]
                cells += [
                    f"{errors['mae']:.2f}",
                    "-" if errors["mape"] is None else f"{errors['mape']:.2f}",
                ]
            table.add_row(*cells)
        console.print(table)
