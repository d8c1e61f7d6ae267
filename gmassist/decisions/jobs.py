"""Job handlers of the decisions register: publish (addressees in bulk, then e-mails), notify
the addressees of an amendment, and remind those who have not acknowledged."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gmassist.core.job_pages import JobPage, register_job_page
from gmassist.core.jobs import JobContext, JobError, job_handler
from gmassist.core.schedule import WEEK, recurring_job
from gmassist.decisions import selectors, services
from gmassist.decisions.models import Decision

PUBLISH = "decisions.publish"
NOTIFY = "decisions.notify"
REMIND = "decisions.remind"


def _decision(decision_id: int) -> Decision:
    decision = Decision.objects.filter(pk=decision_id).first()
    if decision is None:
        raise JobError(gettext("There is no decision %(id)s.") % {"id": decision_id})
    return decision


def _messages(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(exc.messages)
    return str(exc)


@job_handler(PUBLISH)
def publish(ctx: JobContext, *, decision_id: int, base_url: str = "") -> dict[str, Any]:
    """Publish the draft `decision_id` (0-70%: addressees), then e-mail them (70-100%).

    Safe to run twice: a decision already published is only notified (to those not yet told).
    """
    decision = _decision(decision_id)
    by = ctx.actor
    if decision.status == "draft":
        try:
            decision = services.decision_publish(
                decision=decision,
                by=by,
                progress=lambda fraction, message: ctx.progress(70 * fraction, message),
            )
        except (ValidationError, PermissionDenied) as exc:
            raise JobError(_messages(exc)) from exc
    ctx.progress(70, gettext("Published; writing to the addressees"))
    sent = services.decision_notify_addressees(
        decision=decision,
        base_url=base_url,
        progress=lambda fraction, message: ctx.progress(70 + 30 * fraction, message),
    )
    addressees = decision.acknowledgements.count()
    return {"decision_id": decision.pk, "addressees": addressees, "emails": sent}


@job_handler(NOTIFY)
def notify(ctx: JobContext, *, decision_id: int, base_url: str = "") -> dict[str, Any]:
    """E-mail the addressees not yet told of the decision's current version (an amendment)."""
    decision = _decision(decision_id)
    sent = services.decision_notify_addressees(
        decision=decision,
        base_url=base_url,
        progress=lambda fraction, message: ctx.progress(100 * fraction, message),
    )
    return {"decision_id": decision.pk, "emails": sent}


@job_handler(REMIND)
def remind(
    ctx: JobContext,
    *,
    decision_id: int | None = None,
    older_than_days: int = 3,
    base_url: str = "",
) -> dict[str, Any]:
    """Remind the addressees who have not acknowledged: of one decision, or of every live
    decision published more than `older_than_days` days ago. Running it twice reminds nobody
    twice (the job's own start is the cut-off)."""
    since = ctx.job.created_at or timezone.now()
    if decision_id is not None:
        decisions = [_decision(decision_id)]
    else:
        decisions = list(selectors.decisions_due_for_reminder(older_than_days=older_than_days))
    totals = {"decisions": len(decisions), "pending": 0, "reminded": 0, "emails": 0}
    for index, decision in enumerate(decisions):
        try:
            counts = services.decision_remind(
                decision=decision,
                by=ctx.actor,
                base_url=base_url,
                since=since,
                progress=lambda fraction, message, i=index: ctx.progress(
                    100 * (i + fraction) / len(decisions), message
                ),
            )
        except (ValidationError, PermissionDenied) as exc:
            raise JobError(_messages(exc)) from exc
        for key in ("pending", "reminded", "emails"):
            totals[key] += counts[key]
    return totals


# Weekly: a reminder a day would nag; one on Monday morning is enough.
recurring_job(
    REMIND,
    every=WEEK,
    weekday=0,
    hour=9,
    summary="remind who has not acknowledged a decision published 3+ days ago",
)


# --- how the jobs are shown (one job page for every app: core/job_pages.py) ------------------

for _kind, _title in (
    (PUBLISH, _("Publishing a decision")),
    (NOTIFY, _("Notifying an amendment")),
    (REMIND, _("Reminding the addressees")),
):
    register_job_page(
        JobPage(
            kind=_kind,
            title=_title,
            section=(_("Decisions"), "decisions:register"),
            back="decisions:register",
            outcome_template="decisions/_job_outcome.html",
        )
    )
