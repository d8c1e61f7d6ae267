"""`gmassist office triage`: the matters waiting for the GM with the assistant's proposals
(`--json` for a machine), `--report` how often the GM accepted the proposal, `--evaluate` the
classifier on held-back seed examples, `--intake` feedback to the GM into the triage."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from rich.table import Table as RichTable

from gmassist.core.management.output import command_console
from gmassist.core.models import User
from gmassist.core.permissions import SYSTEM


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def add_triage_arguments(parser) -> None:
    parser.add_argument("--json", dest="as_json", action="store_true", help="print JSON")
    what = parser.add_mutually_exclusive_group()
    what.add_argument(
        "--report", action="store_true", help="how often the GM accepted the proposal"
    )
    what.add_argument(
        "--evaluate",
        action="store_true",
        help="the classifier's accuracy on a held-back quarter of the seed examples",
    )
    what.add_argument(
        "--intake",
        action="store_true",
        help="bring feedback to the GM from the days before today into the triage",
    )
    parser.add_argument("--seed", type=int, default=0, help="of the --evaluate split")
    parser.add_argument("--user", help="what this user may see (default: everything)")


def _actor(username: str | None) -> Any:
    if not username:
        return SYSTEM
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(_("No active user %(name)s.") % {"name": username})
    return user


def run_triage(
    command,
    *,
    as_json: bool,
    report: bool,
    evaluate: bool,
    intake: bool,
    seed: int,
    user: str | None = None,
    **_options,
) -> None:
    from gmassist.office.triage import engine, presenters, selectors, services

    if evaluate:
        result = engine.evaluate(engine.load_examples(), seed=seed)
        if as_json:
            command.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
            return
        table = RichTable(
            title=_("Held back: %(n)s of %(total)s seed examples (seed %(seed)s)")
            % {"n": result.n_test, "total": result.n_test + result.n_train, "seed": seed}
        )
        table.add_column(_("measure"))
        table.add_column(_("all"), justify="right")
        for language in result.by_language:
            table.add_column(language, justify="right")
        for key, label in (("category_accuracy", _("category")), ("route_accuracy", _("route"))):
            table.add_row(
                label,
                _percent(getattr(result, key)),
                *[_percent(v[key]) for v in result.by_language.values()],
            )
        table.add_row(_("unsure"), _percent(result.unsure_share))
        table.add_row(_("route, when sure"), _percent(result.route_accuracy_sure))
        command_console(command.stdout).print(table)
        return
    if intake:
        count = services.matters_from_feedback()
        command.stdout.write(_("%(n)s feedback item(s) came into the triage.") % {"n": count})
        return
    actor = _actor(user)
    if report:
        data = selectors.acceptance_report(user=actor)
        if as_json:
            command.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        console = command_console(command.stdout)
        console.print(
            _("Accepted: %(accepted)s of %(decided)s decided matters (%(rate)s).")
            % {
                "accepted": data["accepted"],
                "decided": data["decided"],
                "rate": _percent(data["rate"]),
            }
        )
        bars = presenters.acceptance_bars(data)
        for key, title in (("by_category", _("by proposed category")), ("by_month", _("by month"))):
            table = RichTable(title=title)
            for column in (title.split()[-1], _("decided"), _("accepted"), "%"):
                table.add_column(column)
            for row in bars[key]:
                table.add_row(
                    row["label"], str(row["decided"]), str(row["accepted"]), _percent(row["rate"])
                )
            console.print(table)
        return
    waiting = list(selectors.matters_waiting(user=actor))
    if as_json:
        from gmassist.office.triage.api import matter_out

        command.stdout.write(
            json.dumps([matter_out(m) for m in waiting], ensure_ascii=False, default=str)
        )
        return
    table = RichTable(title=_("%(n)s matter(s) waiting for the GM") % {"n": len(waiting)})
    for column in ("id", _("received"), _("title"), _("proposed"), _("sure"), _("reasons")):
        table.add_column(column)
    for matter in waiting:
        proposed = presenters.route_label(matter.proposed_route)
        if matter.proposed_owner:
            proposed += f" → {matter.proposed_owner}"
        table.add_row(
            str(matter.pk),
            matter.received_at.date().isoformat(),
            matter.title,
            proposed,
            _("unsure") if matter.unsure else f"{round(matter.confidence * 100)}%",
            "; ".join(presenters.proposal_reasons(matter)),
        )
    command_console(command.stdout).print(table)


ACTIONS = {"triage": (add_triage_arguments, run_triage)}
