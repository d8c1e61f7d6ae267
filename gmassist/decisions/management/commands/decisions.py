"""`gmassist decisions ...`: the decisions register from the command line (`list`, `publish`,
`remind`)."""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.table import Table as RichTable

from gmassist.core.choices import JobStatus
from gmassist.core.management.output import command_console
from gmassist.core.management.progress import run_job_with_progress
from gmassist.core.management.users import user_by_username
from gmassist.decisions import jobs, selectors, services
from gmassist.decisions.choices import DecisionStatus


class Command(BaseCommand):
    help = (
        "The decisions register. `list`: decisions with their acknowledgement counts. "
        "`publish ID`: publish a draft to its audience and e-mail them (progress bar). "
        "`remind`: e-mail those who have not acknowledged (one decision, or every decision "
        "published some days ago)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        listing = actions.add_parser("list", help="the register, newest effective date first")
        listing.add_argument(
            "--status", choices=DecisionStatus.values, help="only decisions of this status"
        )
        listing.add_argument("--search", default="", help="in the title and summary")
        listing.add_argument("--user", help="what this user may see (default: everything)")
        listing.add_argument("--json", dest="as_json", action="store_true", help="print JSON")

        publish = actions.add_parser("publish", help="publish a draft to its audience")
        publish.add_argument("decision_id", type=int)
        publish.add_argument("--user", help="publish as this user (default: the system)")
        publish.add_argument(
            "--base-url", default="", help="the site's address, for the links in the e-mails"
        )

        remind = actions.add_parser(
            "remind", help="remind the addressees who have not acknowledged"
        )
        remind.add_argument(
            "decision_id", type=int, nargs="?", help="one decision (default: every one due)"
        )
        remind.add_argument(
            "--older-than-days",
            type=int,
            default=3,
            help="without an id: decisions published at least this many days ago (default 3)",
        )
        remind.add_argument("--user", help="remind as this user (default: the system)")
        remind.add_argument("--base-url", default="", help="the site's address, for links")

    def handle(self, *args, action: str, **options) -> None:
        console = command_console(self.stdout)
        user = user_by_username(options.get("user"))
        if action == "list":
            self._list(console, user, options)
        elif action == "publish":
            self._publish(console, user, options)
        else:
            self._remind(console, user, options)

    def _list(self, console, user, options) -> None:
        decisions = selectors.decision_register(
            user=user, search=options["search"], status=options["status"]
        )
        rows = [
            {
                "id": d.pk,
                "title": d.title,
                "status": d.status,
                "version": d.version,
                "effective_date": d.effective_date.isoformat(),
                "department": d.department.code if d.department else None,
                "addressees": d.addressee_count,
                "acknowledged": d.acknowledged_count,
            }
            for d in decisions
        ]
        if options["as_json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        table = RichTable("id", "title", "status", "v", "effective", "for", "acknowledged")
        for row in rows:
            table.add_row(
                str(row["id"]),
                row["title"],
                row["status"],
                str(row["version"]),
                row["effective_date"],
                row["department"] or "company",
                f"{row['acknowledged']:,} / {row['addressees']:,}",
            )
        console.print(table)
        console.print(f"{len(rows)} decisions")

    def _decision(self, user, decision_id: int):
        decision = selectors.decisions_visible(user=user).filter(pk=decision_id).first()
        if decision is None:
            raise CommandError(f"no decision {decision_id} (see `gmassist decisions list`)")
        return decision

    def _publish(self, console, user, options) -> None:
        decision = self._decision(user, options["decision_id"])
        try:
            services.decision_check_publishable(decision=decision, by=user)
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError(_message(exc)) from None
        job = run_job_with_progress(
            kind=jobs.PUBLISH,
            params={"decision_id": decision.pk, "base_url": options["base_url"]},
            by=user,
            console=console,
            description=f"Publishing {decision.title}",
        )
        if job.status != JobStatus.SUCCEEDED:
            raise CommandError(job.error)
        self.stdout.write(
            f"Published decision {decision.pk}: {job.result['addressees']:,} addressees, "
            f"{job.result['emails']:,} e-mails sent."
        )

    def _remind(self, console, user, options) -> None:
        params: dict = {
            "older_than_days": options["older_than_days"],
            "base_url": options["base_url"],
        }
        if options["decision_id"] is not None:
            decision = self._decision(user, options["decision_id"])
            if not services.may_change(user, decision):
                raise CommandError("this user may not send reminders for this decision")
            params["decision_id"] = decision.pk
        job = run_job_with_progress(
            kind=jobs.REMIND, params=params, by=user, console=console, description="Reminding"
        )
        if job.status != JobStatus.SUCCEEDED:
            raise CommandError(job.error)
        result = job.result
        self.stdout.write(
            f"Reminded {result['reminded']:,} of {result['pending']:,} pending addressees "
            f"({result['decisions']} decisions, {result['emails']:,} e-mails sent)."
        )


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(exc.messages)
    return str(exc) or "not allowed"
