"""Job handlers of the customers app: re-tiering, matching, channel routing, churn scores."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from gmassist.core.jobs import JobContext, JobError, job_handler


def _date(value: str | None, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise JobError(f"{name} {value!r} is not a date (YYYY-MM-DD)") from exc


@job_handler("customers.tier")
def retier_job(ctx: JobContext, *, as_of: str | None = None) -> dict[str, Any]:
    """Re-tier every customer by the current policy; one proposal with the changes (or none)."""
    from gmassist.customers.services import retier_customers

    ctx.progress(5, "Reading revenue and grading customers")
    try:
        proposal = retier_customers(by=ctx.job.created_by, as_of=_date(as_of, "as_of"))
    except (PermissionDenied, ValidationError) as exc:
        raise JobError(str(exc)) from exc
    ctx.progress(100, "Done")
    if proposal is None:
        return {"proposal_id": None, "changes": 0}
    return {"proposal_id": proposal.pk, "changes": len(proposal.payload["changes"])}
