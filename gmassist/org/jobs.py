"""Job handlers of the organisation app."""

from __future__ import annotations

from typing import Any

from gmassist.core.jobs import JobContext, JobError, job_handler


@job_handler("org.demo")
def build_demo(ctx: JobContext, *, tier: str, seed: int, force: bool = False) -> dict[str, Any]:
    """Generate the demo company of `tier` from `seed` and write it over the demo data."""
    from gmassist.org.demo.generator import TIERS, generate
    from gmassist.org.demo.writer import DemoRefused, demo_company_write

    if tier not in TIERS:
        raise JobError(f"unknown tier {tier!r}; use one of {', '.join(TIERS)}")
    ctx.progress(1, f"Generating the tier-{tier} company ({TIERS[tier]:,} employees)")
    company = generate(seed=seed, tier=tier)
    ctx.progress(15, "Generated; writing it")
    try:
        counts = demo_company_write(company=company, force=force, progress=ctx.progress)
    except DemoRefused as exc:
        raise JobError(str(exc)) from exc
    ctx.progress(100, "Done")
    return {"tier": tier, "seed": seed, "counts": counts}
