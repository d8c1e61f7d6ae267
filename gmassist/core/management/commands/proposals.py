"""`gmassist proposals`: list proposals, show one, approve or reject it as a named user."""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from gmassist.core.choices import ProposalStatus
from gmassist.core.management.output import command_console
from gmassist.core.management.users import user_by_username
from gmassist.core.models import Proposal
from gmassist.core.selectors import proposals_visible
from gmassist.core.services import proposal_approve, proposal_reject


class Command(BaseCommand):
    help = "List, show, approve or reject proposals. Deciding needs --user with the right role."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action")
        listing = sub.add_parser("list", help="proposals, newest first")
        listing.add_argument("--status", choices=ProposalStatus.values, default=None)
        listing.add_argument("--user", help="list what this user may see (default: all)")
        show = sub.add_parser("show", help="one proposal with its rationale and evidence")
        show.add_argument("proposal_id", type=int)
        for name in ("approve", "reject"):
            decide = sub.add_parser(name, help=f"{name} a proposal")
            decide.add_argument("proposal_id", type=int)
            decide.add_argument("--user", required=True, help="who decides (their role counts)")
            decide.add_argument("--comment", default="")

    def handle(self, *args, action: str | None, **options) -> None:
        console = command_console(self.stdout)
        if action in (None, "list"):
            self._list(console, options.get("status"), options.get("user"))
            return
        proposal = Proposal.objects.filter(pk=options["proposal_id"]).first()
        if proposal is None:
            raise CommandError(f"no proposal #{options['proposal_id']}")
        if action == "show":
            self._show(console, proposal)
            return
        user = user_by_username(options["user"])
        try:
            if action == "approve":
                proposal = proposal_approve(proposal=proposal, by=user, comment=options["comment"])
            else:
                proposal = proposal_reject(proposal=proposal, by=user, comment=options["comment"])
        except (PermissionDenied, ValidationError) as exc:
            raise CommandError(f"proposal #{proposal.pk} not {action}d: {_message(exc)}") from exc
        console.print(f"Proposal #{proposal.pk}: {proposal.get_status_display()}.")

    def _list(self, console: Console, status: str | None, username: str | None) -> None:
        user = user_by_username(username)
        rows = proposals_visible(user=user, status=status) if user else Proposal.objects.all()
        if status and not user:
            rows = rows.filter(status=status)
        table = Table("id", "status", "title", "cost / year", "proposed by", "created")
        for p in rows.select_related("proposed_by")[:200]:
            table.add_row(
                str(p.pk),
                p.status,
                p.title,
                f"{p.cost:,.2f}",
                str(p.proposed_by or "system"),
                f"{p.created_at:%Y-%m-%d}",
            )
        console.print(table if table.row_count else "No proposals.")

    def _show(self, console: Console, p: Proposal) -> None:
        table = Table(show_header=False)
        for label, value in [
            ("proposal", f"#{p.pk} {p.kind}: {p.title}"),
            ("status", p.get_status_display()),
            ("rationale", p.rationale),
            ("evidence", json.dumps(p.evidence, ensure_ascii=False, indent=1)),
            ("cost / year", f"{p.cost:,.2f}"),
            ("expected effect", p.expected_effect),
            ("proposed by", str(p.proposed_by or "system")),
            ("decided by", f"{p.decided_by or ''} {p.decided_at or ''} {p.decision_comment}"),
        ]:
            table.add_row(label, value)
        console.print(table)


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(exc.messages)
    return str(exc)
