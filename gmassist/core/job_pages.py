"""How each kind of job is shown: one job page (`/jobs/<id>/`) for every app.

The job registry (`jobs.py`) says how a kind runs; this one says how it looks. An app declares,
next to its handlers in `<app>/jobs.py`, a `JobPage` for each kind: its title, the section and
page it belongs to (for the breadcrumb and the way back), who may open it, and the template
that shows a finished job's outcome (with an optional function that adds to its context). The
core view (`views.job_page`) and the templates `core/job.html` and `core/_job.html` do the rest:
the progress bar that htmx polls, the failure, and the outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gmassist.core.choices import Action, JobStatus
from gmassist.core.models import Job

OutcomeContext = Callable[[Job, Any], dict[str, Any]]


@dataclass(frozen=True)
class JobPage:
    """How jobs of `kind` are shown.

    `section` is the breadcrumb's first step (label, URL name); `back` the URL name of the page
    that starts such jobs (its link is the title's). `permission` (domain, action) and `reaches`
    are what the user's role needs, as for a list page, besides seeing the job itself.
    `outcome_template` shows a succeeded job and `failure_template` (if any) a failed one in
    place of the plain failure line; `outcome_context(job, user)` adds what they need once the
    job has finished (e.g. the proposal the job made, read through the user's scope; or
    `job_heading`/`job_subheading` to replace the title line). `scripts_template` is included
    in the full page's scripts block (e.g. the charts an outcome draws)."""

    kind: str
    title: str | Promise
    section: tuple[str | Promise, str]
    back: str
    outcome_template: str = "core/_job_outcome.html"
    failure_template: str = ""
    outcome_context: OutcomeContext | None = None
    scripts_template: str = ""
    permission: tuple[str, str] | None = None
    reaches: tuple[str, ...] = ()


_PAGES: dict[str, JobPage] = {}


def register_job_page(page: JobPage) -> JobPage:
    """Declare how jobs of `page.kind` are shown; a kind is declared once."""
    if page.kind in _PAGES and _PAGES[page.kind] != page:
        raise ValueError(f"job page for {page.kind!r} is declared twice")
    _PAGES[page.kind] = page
    return page


def job_page_for(kind: str) -> JobPage | None:
    """The page declared for `kind`, or None for a kind no app declared."""
    return _PAGES.get(kind)


def registered_job_pages() -> dict[str, JobPage]:
    return dict(_PAGES)


def job_page_context(*, job: Job, user: Any, inline: bool = False) -> dict[str, Any]:
    """What `core/_job.html` needs to show `job` to `user`: the page's labels, the result and,
    once the job has finished, its outcome's context. `inline` is for a job shown inside another
    page (a decision, the survey list): no heading, and polling keeps it inline."""
    page = job_page_for(job.kind)
    result = job.result if isinstance(job.result, dict) else {}
    context: dict[str, Any] = {
        "job": job,
        "job_result": result,
        "job_inline": inline,
        "job_title": page.title if page else job.kind,
        "job_section": (page.section[0], reverse(page.section[1])) if page else None,
        "job_back_url": reverse(page.back) if page else "",
        "outcome_template": page.outcome_template if page else "core/_job_outcome.html",
        "failure_template": page.failure_template if page else "",
        "job_scripts_template": page.scripts_template if page else "",
    }
    if job.is_finished and page is not None and page.outcome_context is not None:
        context.update(page.outcome_context(job, user))
    return context


def proposal_outcome(job: Job, user: Any) -> dict[str, Any]:
    """The outcome context of a job whose result names a proposal (`proposal_id`): the proposal,
    read through the user's scope (None if they may not see it)."""
    from gmassist.core import selectors

    proposal_id = (job.result or {}).get("proposal_id")
    if not proposal_id:
        return {"proposal": None}
    visible = selectors.proposals_visible(user=user).filter(pk=proposal_id)
    return {"proposal": visible.first()}


def import_outcome(job: Job, user: Any) -> dict[str, Any]:
    """The outcome context of an import: what it did (or, in a dry run, would do) by entity,
    its row errors and warnings, and whether the dry run may be confirmed."""
    from gmassist.core.forms import entity_label

    result = job.result if isinstance(job.result, dict) else {}
    params = job.params or {}
    counts = result.get("counts") or {}
    dry_run = bool(params.get("dry_run", False))
    entity = entity_label(params.get("entity", ""))
    return {
        "job_heading": f"{gettext('Dry run') if dry_run else gettext('Import')}: {entity}",
        "job_subheading": result.get("file_name") or PurePath(params.get("path", "")).name,
        "dry_run": dry_run,
        "report": result,
        "counts": [
            {"kind": entity_label(kind), **values}
            for kind, values in counts.items()
            if isinstance(values, dict)
        ],
        "errors": result.get("errors") or [],
        "warnings": result.get("warnings") or [],
        # a report keeps the first 1,000 of each and counts them all
        "error_count": result.get("error_count", len(result.get("errors") or [])),
        "warning_count": result.get("warning_count", len(result.get("warnings") or [])),
        "may_confirm": bool(
            job.status == JobStatus.SUCCEEDED and dry_run and not result.get("errors")
        ),
    }


register_job_page(
    JobPage(
        kind="core.import",
        title=_("Import"),
        section=(_("Imports"), "imports"),
        back="imports",
        outcome_template="core/_import_outcome.html",
        failure_template="core/_import_outcome.html",
        outcome_context=import_outcome,
        permission=("people", Action.IMPORT),
    )
)


def inline_job_context(*, user: Any, job_id: str | None) -> dict[str, Any]:
    """The context for a job shown inside another page (`?job=<id>` after starting it there):
    the job if the user may see it, else `{"job": None}`."""
    from gmassist.core import selectors

    if not job_id or not job_id.isdigit():
        return {"job": None}
    job = selectors.jobs_visible(user=user).filter(pk=int(job_id)).first()
    if job is None:
        return {"job": None}
    return job_page_context(job=job, user=user, inline=True)
