"""Job handlers of the organisation app."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from gmassist.core.job_pages import JobPage, register_job_page
from gmassist.core.jobs import JobContext, JobError, job_handler


@job_handler("org.demo")
def build_demo(
    ctx: JobContext, *, tier: str, seed: int, force: bool = False, as_of: str | None = None
) -> dict[str, Any]:
    """Generate the demo company of `tier` from `seed` as of `as_of` (an ISO date; default:
    today) and write it over the demo data."""
    from gmassist.org.demo.company import TIERS
    from gmassist.org.demo.generator import generate
    from gmassist.org.demo.writer import DemoRefused, demo_company_write

    if tier not in TIERS:
        raise JobError(f"unknown tier {tier!r}; use one of {', '.join(TIERS)}")
    try:
        day = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
    except ValueError as exc:
        raise JobError(f"as_of {as_of!r} is not a date (YYYY-MM-DD)") from exc
    ctx.progress(1, f"Generating the tier-{tier} company ({TIERS[tier]:,} employees)")
    company = generate(seed=seed, tier=tier, as_of=day)
    ctx.progress(15, "Generated; writing it")
    try:
        counts = demo_company_write(company=company, force=force, progress=ctx.progress)
    except DemoRefused as exc:
        raise JobError(str(exc)) from exc
    ctx.progress(100, "Done")
    first, last = company.calendar.month_starts[[0, -2]].astype("datetime64[M]")
    return {
        "tier": tier,
        "seed": seed,
        "as_of": day.isoformat(),
        "months": f"{first}..{last}",
        "counts": counts,
    }


register_job_page(
    JobPage(kind="org.demo", title=_("Demo company"), section=(_("Home"), "home"), back="home")
)
