"""`gmassist demo`: build the demo company of a tier from a seed, as a job with a progress bar."""

from __future__ import annotations

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gmassist.core.choices import JobStatus
from gmassist.core.management.output import command_console
from gmassist.core.management.progress import run_job_with_progress
from gmassist.core.permissions import SYSTEM
from gmassist.org.demo.company import TIERS
from gmassist.org.demo.writer import demo_refusal
from gmassist.org.models import Employee


class Command(BaseCommand):
    help = (
        "Build the demo company (S: 500, M: 20,000, L: 100,000 employees, three years of "
        "history) from a seed, replacing earlier demo data. Refuses to touch real data "
        "without --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tier", choices=sorted(TIERS), default="S")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--as-of",
            type=dt.date.fromisoformat,
            default=None,
            metavar="YYYY-MM-DD",
            help="the day the data is as of (default: today); the three years of history end "
            "with the month before",
        )
        parser.add_argument(
            "--force", action="store_true", help="replace the data even if it is not demo data"
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when there are employees already"
        )

    def handle(
        self,
        *args,
        tier: str,
        seed: int,
        force: bool,
        if_empty: bool,
        as_of: dt.date | None = None,
        **options,
    ) -> None:
        as_of = as_of or dt.date.today()
        console = command_console(self.stdout)
        if if_empty and Employee.objects.exists():
            console.print("There are employees already: the demo company is not built.")
            return
        reason = demo_refusal(force=force)
        if reason:
            raise CommandError(f"Not building the demo: {reason}")
        started = time.monotonic()
        job = run_job_with_progress(
            kind="org.demo",
            params={"tier": tier, "seed": seed, "force": force, "as_of": as_of.isoformat()},
            by=SYSTEM,
            console=console,
            description=f"Building the tier-{tier} demo company",
        )
        if job.status != JobStatus.SUCCEEDED:
            raise CommandError(f"The demo was not built (job #{job.pk}): {job.error}")
        counts = job.result.get("counts", {})
        console.print(
            f"Demo company built: tier {tier}, seed {seed}, as of {as_of} (history "
            f"{job.result.get('months', '')}), "
            f"{counts.get('active', 0):,} employees now and {counts.get('left', 0):,} who left, "
            f"{counts.get('departments', 0):,} departments, "
            f"{counts.get('proposals', 0)} open pay proposals, in "
            f"{time.monotonic() - started:.1f} s. `gmassist demo-logins` shows the logins."
        )
