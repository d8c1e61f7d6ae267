"""Writes of the talent module: scoring leaving risk, incentive plans and their approval.

Keyword-only, one transaction each, audited. `by=None` is the system (the CLI without --user,
the demo, a scheduled job).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from gmassist.core.choices import Action, AuditAction
from gmassist.core.models import User
from gmassist.core.permissions import ALL, reach
from gmassist.core.services import audit_record
from gmassist.lib import risk_model
from gmassist.talent import selectors
from gmassist.talent.engine import leaving
from gmassist.talent.models import RiskModelRun, RiskScore

Progress = Callable[[float, str], None]

SCORE_BATCH = 5_000


class ScoringError(Exception):
    """The history cannot be scored (too short, one class only): the reason in plain words."""


def last_month_end(day: dt.date) -> dt.date:
    """The last day of the month before `day`'s, or `day` itself when it is a month-end."""
    following = day + dt.timedelta(days=1)
    if following.day == 1:
        return day
    return day.replace(day=1) - dt.timedelta(days=1)


def check_may_score(by: User | None) -> None:
    """Scoring reads everyone's history: the system and the roles that see all people."""
    if by is not None and reach(by, "people", Action.VIEW_PAY) != ALL:
        raise PermissionDenied("your role may not score the whole company's leaving risk")


def risk_scores_compute(
    *, as_of: dt.date | None = None, by: User | None, progress: Progress | None = None
) -> RiskModelRun:
    """Fit the leaving-risk model on the history up to `as_of` (default: today), backtest it,
    and score everyone on the books at the last month-end on or before `as_of`.

    Replaces the scores of that month (safe to run twice); earlier months are kept as history.
    Probabilities are of leaving voluntarily within 12 months. Raises ScoringError when the
    history is too short or has no leaver.
    """
    check_may_score(by)
    report = progress or (lambda _percent, _message: None)
    day = last_month_end(as_of or timezone.localdate())
    report(5, "Reading the history")
    history = selectors.leaving_history(end=day)
    report(20, "Building the monthly snapshots")
    days = leaving.snapshot_days(history, end=day)
    if not days or days[-1] != day:
        days = [*days, day] if days and days[-1] < day else [day]
    history.feedback = selectors.department_feedback_signal(snapshots=days)
    table = leaving.snapshot_table(history, days, known_until=day)
    report(40, "Fitting and backtesting the model")
    try:
        fitted = leaving.fit_leaving_model(table)
    except risk_model.RiskModelError as exc:
        raise ScoringError(str(exc)) from exc
    report(65, "Scoring")
    current = table[table["snapshot"] == day]
    scored = leaving.score_snapshot(fitted, current)
    test = table[(table["snapshot"] == fitted.snapshot) & (table[leaving.TARGET] == "yes")]
    reason_counts = leaving.reasons_across(leaving.score_snapshot(fitted, test), top=3)
    report(85, "Saving the scores")
    with transaction.atomic():
        run = _save_run(day, fitted, reason_counts, scored)
        audit_record(
            actor=by,
            action=AuditAction.CREATE,
            target=run,
            changes={"scored": len(scored), "backtest_auc": run.backtest_auc},
        )
    report(100, "Done")
    return run


def _save_run(
    day: dt.date,
    fitted: leaving.LeavingModel,
    reason_counts: dict[str, int],
    scored: list[leaving.ScoredPerson],
) -> RiskModelRun:
    backtest = fitted.backtest
    run, _created = RiskModelRun.objects.update_or_create(
        as_of=day,
        defaults={
            "version": fitted.version,
            "backtest_auc": None if backtest is None else round(backtest.auc, 6),
            "backtest_month": None if backtest is None else backtest.cut,
            "backtest_train_rows": 0 if backtest is None else backtest.n_train,
            "backtest_test_rows": 0 if backtest is None else backtest.n_test,
            "calibration": []
            if backtest is None
            else [
                {
                    "low": b.low,
                    "high": b.high,
                    "count": b.count,
                    "mean_predicted": round(b.mean_predicted, 6),
                    "observed_rate": round(b.observed_rate, 6),
                }
                for b in backtest.calibration
            ],
            "train_rows": fitted.n_train,
            "train_leavers": fitted.positives,
            "response": {k: round(v, 8) for k, v in fitted.response.items()},
            "reason_counts": reason_counts,
            "scored": len(scored),
        },
    )
    RiskScore.objects.filter(as_of=day).delete()
    auc = run.backtest_auc
    RiskScore.objects.bulk_create(
        (
            RiskScore(
                run=run,
                employee_id=person.employee_id,
                as_of=day,
                probability=round(min(max(person.probability, 0.0), 1.0), 6),
                reasons=person.reasons,
                features=person.features,
                model_version=fitted.version,
                model_auc=auc,
            )
            for person in scored
        ),
        batch_size=SCORE_BATCH,
    )
    return run


def run_summary(run: RiskModelRun) -> dict[str, Any]:
    """A model run as a job result and the CLI print it."""
    return {
        "as_of": run.as_of.isoformat(),
        "version": run.version,
        "scored": run.scored,
        "backtest_auc": run.backtest_auc,
        "backtest_month": run.backtest_month.isoformat() if run.backtest_month else None,
        "train_rows": run.train_rows,
        "train_leavers": run.train_leavers,
        "reason_counts": run.reason_counts,
    }
