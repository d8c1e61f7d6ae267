"""The talent module's part of the demo company: everyone's leaving risk, scored at once.

Runs after the organisation is written (order 50), in the same transaction, so that
`make run` opens on a company whose risk, reasons and model quality are already there.
"""

from __future__ import annotations

from gmassist.core.permissions import SYSTEM
from gmassist.org.demo.extensions import DemoContext, demo_extension


def delete_talent_demo() -> None:
    from gmassist.talent.models import IncentivePlan, RiskModelRun

    IncentivePlan.objects.all().delete()
    RiskModelRun.objects.all().delete()  # the scores go with their runs


@demo_extension("talent", order=50, delete=delete_talent_demo)
def write_talent_demo(ctx: DemoContext) -> dict[str, int]:
    """Score the demo company as of the last month-end of its history."""
    from gmassist.talent.services import risk_scores_compute

    ctx.progress(0.0, "Scoring leaving risk")
    run = risk_scores_compute(
        as_of=ctx.as_of, by=SYSTEM, progress=lambda p, m: ctx.progress(p / 100, m)
    )
    return {"risk_scores": run.scored, "risk_model_runs": 1}
