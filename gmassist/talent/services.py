"""Writes of the talent module: scoring leaving risk, incentive plans and their approval.

Keyword-only, one transaction each, audited. `by=SYSTEM` is the system (the CLI without --user,
the demo, a scheduled job); `by=None` is nobody and may do nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from gmassist.core.choices import Action, AuditAction
from gmassist.core.models import User
from gmassist.core.permissions import ALL, Domain, acting_user, reach
from gmassist.core.services import OUTSIDE_DECISION, OWN_CASE, audit_record
from gmassist.lib import risk_model
from gmassist.lib.phrases import Phrase
from gmassist.talent import selectors
from gmassist.talent.engine import leaving
from gmassist.talent.models import RiskModelRun, RiskScore

Progress = Callable[[float, str], None]

SCORE_BATCH = 5_000

PAY_INSTRUMENTS = ("raise", "promotion")
INCENTIVE = "talent.incentive"


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
    if reach(by, Domain.PEOPLE, Action.VIEW_PAY) != ALL:
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
    report(75, "Scoring the months before")
    history = leaving.score_history(fitted, table, [p.employee_id for p in scored])
    report(85, "Saving the scores")
    with transaction.atomic():
        run = _save_run(day, fitted, reason_counts, scored, history)
        audit_record(
            actor=by,
            action=AuditAction.CREATE,
            target=run,
            changes={"scored": len(scored), "backtest_auc": run.backtest_auc},
        )
    report(100, "Done")
    return run


def _bins(bins: list[risk_model.CalibrationBin]) -> list[dict[str, Any]]:
    return [
        {
            "low": b.low,
            "high": b.high,
            "count": b.count,
            "mean_predicted": round(b.mean_predicted, 6),
            "observed_rate": round(b.observed_rate, 6),
        }
        for b in bins
    ]


def _rounded(value: float | None, digits: int = 6) -> float | None:
    return None if value is None or value != value else round(value, digits)  # NaN: None


def _save_run(
    day: dt.date,
    fitted: leaving.LeavingModel,
    reason_counts: dict[str, int],
    scored: list[leaving.ScoredPerson],
    history: leaving.RiskHistory,
) -> RiskModelRun:
    """Save the run and its scores (the month's earlier ones replaced). Only the latest month's
    scores keep a history: its model's view of the months before supersedes earlier runs'
    (one line per person, not one per run), and a run for an earlier month (a backfill) keeps
    none."""
    backtest = fitted.backtest
    bands = leaving.risk_bands(fitted.base_rate)
    run, _created = RiskModelRun.objects.update_or_create(
        as_of=day,
        defaults={
            "version": fitted.version,
            "backtest_auc": None if backtest is None else round(backtest.auc, 6),
            "backtest_auc_low": None if backtest is None else _rounded(backtest.auc_low),
            "backtest_auc_high": None if backtest is None else _rounded(backtest.auc_high),
            "backtest_month": None if backtest is None else backtest.cut,
            "backtest_train_rows": 0 if backtest is None else backtest.n_train,
            "backtest_test_rows": 0 if backtest is None else backtest.n_test,
            "backtest_leavers": 0 if backtest is None else backtest.positives,
            "calibration": [] if backtest is None else _bins(backtest.calibration),
            "calibration_after": [] if backtest is None else _bins(backtest.calibration_after),
            "recalibration": {
                "intercept": round(fitted.recalibration.intercept, 6),
                "slope": round(fitted.recalibration.slope, 6),
            },
            "base_rate": _rounded(fitted.base_rate),
            "risk_medium_from": bands.medium_from,
            "risk_high_from": bands.high_from,
            "history_months": [month.isoformat() for month in history.months],
            "train_rows": fitted.n_train,
            "train_leavers": fitted.positives,
            "response": {k: round(v, 8) for k, v in fitted.response.items()},
            "reason_counts": reason_counts,
            "scored": len(scored),
        },
    )
    RiskScore.objects.filter(as_of=day).delete()
    keeps_history = not RiskModelRun.objects.filter(as_of__gt=day).exists()
    if keeps_history:
        RiskScore.objects.exclude(history=[]).update(history=[])
    else:
        run.history_months = []
        run.save(update_fields=["history_months"])
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
                history=history.probabilities.get(person.employee_id, []) if keeps_history else [],
                model_version=fitted.version,
                model_auc=auc,
            )
            for person in scored
        ),
        batch_size=SCORE_BATCH,
    )
    return run


def run_summary(run: RiskModelRun) -> dict[str, Any]:
    """A model run as a job result and the CLI print it: the backtest (ROC AUC with its 95%
    interval, the people and leavers of the month it predicted), the base rate and the band
    limits (probabilities within 12 months) and how many people are in each band."""
    bands = selectors.risk_bands(run)
    return {
        "as_of": run.as_of.isoformat(),
        "version": run.version,
        "scored": run.scored,
        "backtest_auc": run.backtest_auc,
        "backtest_auc_low": run.backtest_auc_low,
        "backtest_auc_high": run.backtest_auc_high,
        "backtest_month": run.backtest_month.isoformat() if run.backtest_month else None,
        "backtest_test_rows": run.backtest_test_rows,
        "backtest_leavers": run.backtest_leavers,
        "train_rows": run.train_rows,
        "train_leavers": run.train_leavers,
        "base_rate": bands.base_rate,
        "bands": {"medium_from": bands.medium_from, "high_from": bands.high_from},
        "band_counts": selectors.risk_band_counts(run),
        "reason_counts": run.reason_counts,
    }


# --- incentive plans ---------------------------------------------------------------------------

# the budget curve's points, as shares of the plan's budget
CURVE_SHARES = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0)


class PlanError(Exception):
    """A plan cannot be made (no scores yet, a bad budget or menu): the reason in plain words."""


def check_may_plan(by: User | None) -> None:
    """Planning reads the pay and risk of many people and prepares proposals for them."""
    if not selectors.risk_reach_ok(by) or reach(by, Domain.PEOPLE, Action.PROPOSE) is None:
        raise PermissionDenied("your role may not make incentive plans")


# why a person was left out of a plan's candidates (`core.services.subject_conflict`'s codes)
EXCLUDED_REASONS = {
    OUTSIDE_DECISION: gettext_noop("decided outside the application"),
    OWN_CASE: gettext_noop("nobody decides their own case"),
}


def _hr_may_approve_plans() -> bool:
    """Whether HR may approve a plan's lines: a line becomes a pay change, a promotion or an
    incentive proposal, and HR decides the kinds that let it (below the GM's limit)."""
    from gmassist.core.proposals import proposal_kind
    from gmassist.org.services import PAY_CHANGE, PROMOTION

    return any(proposal_kind(kind).hr_may_approve for kind in (PAY_CHANGE, PROMOTION, INCENTIVE))


def plan_deciders(*, by: User | None) -> dict[int, str]:
    """{employee id: why}, for the people who decide a plan `by` makes and so are never its
    lines: every GM (OUTSIDE_DECISION: their case is decided outside the application), the
    plan's maker and, when HR may approve plans, every HR user (OWN_CASE: nobody decides their
    own case). Each reason is the one decision rule's (`subject_conflict`), asked of each
    decider about themself."""
    from gmassist.core.choices import Role
    from gmassist.core.services import gm_employee_ids, subject_conflict

    gms = gm_employee_ids()
    deciders = [user for user in (acting_user(by),) if user is not None]
    if _hr_may_approve_plans():
        hr_users = User.objects.filter(is_active=True, role=Role.HR, employee__isnull=False)
        deciders += [u for u in hr_users if reach(u, Domain.PEOPLE, Action.APPROVE) is not None]
    out = dict.fromkeys(gms, OUTSIDE_DECISION)
    for user in deciders:
        if user.employee_id is None or user.employee_id in out:
            continue
        reason = subject_conflict(subjects={user.employee_id}, by=user, gm_employees=gms)
        if reason:
            out[user.employee_id] = reason
    return out


def plan_row(*, employee, score, value: float, bands: dict) -> dict[str, Any] | None:
    """The engine's row (incentive_plan.PEOPLE_COLUMNS) of one person: risk (`score`, a
    RiskScore), value (their replacement cost, company currency), pay, band and the next
    grade's band (`bands`: {(job family, grade): Position}), months since raise and promotion;
    None without a position, a band midpoint or a pay."""
    position = employee.position
    if position is None or employee.base_pay is None or not position.band_mid:
        return None
    following = bands.get((position.job_family, (position.grade or 0) + 1))
    return {
        "employee_id": employee.pk,
        "probability": score.probability,
        "value": value,
        "base_pay": float(employee.base_pay),
        "band_mid": float(position.band_mid),
        "band_max": float(position.band_max) if position.band_max else float("nan"),
        "next_band_min": float(following.band_min)
        if following and following.band_min
        else float("nan"),
        "next_band_mid": float(following.band_mid)
        if following and following.band_mid
        else float("nan"),
        "months_since_raise": score.features.get("months_since_raise") or 0.0,
        "months_since_promotion": score.features.get("months_since_promotion") or 0.0,
    }


def grade_bands() -> dict:
    """{(job family, grade): Position}: the band of each grade, for the next grade's band."""
    from gmassist.org.models import Position

    return {
        (p.job_family, p.grade): p
        for p in Position.objects.filter(grade__isnull=False).order_by("-code")
    }


def plan_people(*, user: User | None, top: int | None = None, deciders: dict | None = None):
    """The engine's people frame (incentive_plan.PEOPLE_COLUMNS) for the latest scores `user`
    may read, highest risk first (the `top` ones when given), without the plan's deciders
    (`deciders`, default `plan_deciders(by=user)`): risk, value (the replacement cost the
    key-talent engine estimates: hiring, ramp-up and lost output), pay, band and next band,
    months since raise and promotion. Audited as one read of their risk and pay."""
    import pandas as pd

    from gmassist.talent.engine import incentive_plan

    deciders = plan_deciders(by=user) if deciders is None else deciders
    scores = selectors.risk_scores(user=user).exclude(employee_id__in=sorted(deciders))
    if top:
        scores = scores[:top]
    scores = list(scores)
    key = selectors.key_people(user=user).scored
    value = {
        int(r["employee_id"]): float(r["replacement_cost"])
        for r in key[["employee_id", "replacement_cost"]].to_dict("records")
        if r["replacement_cost"] == r["replacement_cost"]  # not NaN
    }
    bands = grade_bands()
    rows = []
    for s in scores:
        row = plan_row(
            employee=s.employee, score=s, value=value.get(s.employee_id, 0.0), bands=bands
        )
        if row is not None:
            rows.append(row)
    selectors.audit_risk_read(
        user=user,
        employee_nos=[s.employee.employee_no for s in scores],
        what="incentive plan",
    )
    return pd.DataFrame(rows, columns=incentive_plan.PEOPLE_COLUMNS)


def plan_left_out(*, user: User | None, deciders: dict[int, str]) -> list[dict[str, Any]]:
    """The deciders who would have been candidates (a score `user` may read in the latest
    month), as {employee_id, employee_no, full_name, reason}: the plan page's note of who was
    left out and why. Names only, no risk or pay."""
    ids = selectors.risk_scores(user=user).filter(employee_id__in=sorted(deciders))
    rows = ids.values_list("employee_id", "employee__employee_no", "employee__full_name")
    return [
        {"employee_id": pk, "employee_no": number, "full_name": name, "reason": deciders[pk]}
        for pk, number, name in rows.order_by("employee__employee_no")
    ]


def incentive_plan_create(
    *,
    budget: float,
    by: User | None,
    menu_toml: str = "",
    top: int | None = None,
    effective_date: dt.date | None = None,
    time_limit: float = 30.0,
    progress: Progress | None = None,
):
    """Choose the incentives worth more than they cost for the people at risk, spending at
    most `budget` (company currency), and save them as a draft plan with its lines and budget
    curve; the plan's deciders are left out of its candidates (`plan_deciders`) and named in
    its summary (`left_out`). Changes nobody's pay: the plan's lines become proposals when
    approved (`incentive_plan_approve`)."""
    from gmassist.talent.engine import incentive_plan
    from gmassist.talent.models import IncentivePlan, IncentivePlanLine

    check_may_plan(by)
    report = progress or (lambda _percent, _message: None)
    if not budget >= 0:
        raise PlanError(f"the budget must be 0 or more, not {budget!r}")
    try:
        menu = incentive_plan.menu_from_toml(menu_toml) if menu_toml.strip() else None
    except incentive_plan.MenuError as exc:
        raise PlanError(f"instrument menu: {exc}") from exc
    menu = menu or incentive_plan.DEFAULT_MENU
    run = selectors.latest_risk_run()
    if run is None:
        raise PlanError("no leaving-risk scores yet: run `gmassist talent score` first")
    report(5, "Reading risk, value and pay")
    deciders = plan_deciders(by=by)
    people = plan_people(user=by, top=top, deciders=deciders)
    left_out = plan_left_out(user=by, deciders=deciders)
    report(30, "Solving the plan")
    result = incentive_plan.solve_plan(
        people, budget=budget, response=run.response, menu=menu, time_limit=time_limit
    )
    report(70, "Drawing the budget curve")
    curve = incentive_plan.budget_curve(
        people,
        budgets=[budget * share for share in CURVE_SHARES],
        response=run.response,
        menu=menu,
        time_limit=max(1.0, time_limit / 6),
    )
    today = timezone.localdate()
    effective = effective_date or (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    report(90, "Saving the plan")
    with transaction.atomic():
        plan = IncentivePlan.objects.create(
            budget=Decimal(str(round(budget, 2))),
            as_of=run.as_of,
            effective_date=effective,
            menu=menu.as_dict(),
            summary={
                **result.summary(),
                "curve": curve,
                "model_auc": run.backtest_auc,
                "response": run.response,  # the model an edited line is re-priced with
                "left_out": left_out,
            },
            total_cost=Decimal(str(result.total_cost)),
            total_effect=round(result.total_effect, 2),
            created_by=acting_user(by),
        )
        IncentivePlanLine.objects.bulk_create(
            IncentivePlanLine(
                plan=plan,
                employee_id=line.employee_id,
                actions=line.actions,
                cost=Decimal(str(line.cost)),
                effect=round(line.effect, 2),
                value=round(line.value, 2),
                risk_before=round(line.risk_before, 6),
                risk_after=round(line.risk_after, 6),
                reasons=line.reasons,
                inputs=line.inputs,
            )
            for line in result.lines
        )
        audit_record(actor=by, action=AuditAction.CREATE, target=plan, changes=plan.summary)
    report(100, "Done")
    return plan


def incentive_plan_approve(*, plan, by: User, line_ids: list[int] | None = None) -> dict:
    """Approve the plan's planned lines (all, or those of `line_ids`): a raise becomes a pay
    change and a promotion a promotion proposal, a line of extras only (bonus, options, leave,
    development) an incentive proposal (`talent.incentive`), effective on the plan's date and
    proposed in the plan maker's name. Each is approved by `by` when the one decision rule
    lets `by` decide it (`proposal_approve`: not about `by`, not made by `by` unless the GM,
    within HR's limit, not about a GM), else left open for who may; the line is then
    "proposed". A line with a pay action and extras is one incentive proposal carrying both, so
    that its whole cost is decided at once (by HR only below HR's limit). Returns
    {"approved": lines, "proposed": lines}."""
    from gmassist.core.services import proposal_approve
    from gmassist.org.models import Employee
    from gmassist.talent.choices import PlanLineStatus, PlanStatus

    if reach(by, Domain.PEOPLE, Action.APPROVE) is None:
        raise PermissionDenied("your role may not approve incentive plans")
    lines = plan.lines.filter(status=PlanLineStatus.PLANNED).select_related("employee")
    if line_ids is not None:
        unknown = sorted(set(line_ids) - set(plan.lines.values_list("pk", flat=True)))
        if unknown:
            raise PlanError(f"lines {unknown} are not in plan #{plan.pk}")
        lines = lines.filter(pk__in=line_ids)
    counts = {"approved": 0, "proposed": 0}
    proposer = plan.created_by or by
    with transaction.atomic():
        for line in lines:
            employee = Employee.objects.select_related("position", "department").get(
                pk=line.employee_id
            )
            # stored as a phrase: shown in the language of whoever reads the proposal
            rationale = Phrase(
                gettext_noop(
                    "Incentive plan #%(plan)s: leaving risk %(before)s → %(after)s, expected "
                    "retained value %(value)s"
                ),
                {
                    "plan": plan.pk,
                    "before": f"{line.risk_before:.2f}",
                    "after": f"{line.risk_after:.2f}",
                    "value": f"{line.effect:,.0f}",
                },
            )
            proposal = _line_propose(
                line=line, employee=employee, plan=plan, rationale=rationale, by=proposer
            )
            status = PlanLineStatus.APPROVED
            if proposal is not None:
                try:
                    proposal_approve(proposal=proposal, by=by, comment=f"Plan #{plan.pk}")
                except PermissionDenied:
                    status = PlanLineStatus.PROPOSED
            line.status = status
            line.proposal = proposal
            line.save(update_fields=["status", "proposal", "updated_at"])
            counts["approved" if status == PlanLineStatus.APPROVED else "proposed"] += 1
        remaining = plan.lines.filter(status=PlanLineStatus.PLANNED).exists()
        plan.status = PlanStatus.PARTLY_APPROVED if remaining else PlanStatus.APPROVED
        plan.save(update_fields=["status", "updated_at"])
        audit_record(actor=by, action=AuditAction.APPROVE, target=plan, changes=counts)
    return counts


def _line_propose(*, line, employee, plan, rationale: str | Phrase, by: User) -> Any:
    """The one proposal of a plan line: a pay change for a raise alone, a promotion for a
    promotion alone, an incentive proposal for extras (with the line's raise or promotion
    inside it, when it has one); None for a line without actions."""
    from gmassist.org.services import (
        PAY_CHANGE,
        PROMOTION,
        pay_change_payload,
        pay_change_propose,
        promotion_payload,
        promotion_propose,
    )

    pay: dict[str, Any] | None = None
    for action in line.actions:
        if action["instrument"] == "raise":
            new_base_pay = (employee.base_pay or Decimal(0)) + Decimal(str(action["amount"]))
            pay = {
                "kind": PAY_CHANGE,
                "new_base_pay": new_base_pay,
            }
        elif action["instrument"] == "promotion":
            pay = {"kind": PROMOTION, "new_base_pay": Decimal(str(action["new_base_pay"]))}
    extras = [a for a in line.actions if a.get("instrument") not in PAY_INSTRUMENTS]
    if not extras:
        if pay is None:
            return None
        propose = pay_change_propose if pay["kind"] == PAY_CHANGE else promotion_propose
        return propose(
            employee=employee,
            new_base_pay=pay["new_base_pay"],
            effective_date=plan.effective_date,
            rationale=rationale,
            by=by,
        )
    if pay is not None:
        payload = pay_change_payload if pay["kind"] == PAY_CHANGE else promotion_payload
        pay["payload"] = payload(
            employee=employee,
            new_base_pay=pay.pop("new_base_pay"),
            effective_date=plan.effective_date,
        )
    return incentive_propose(line=line, employee=employee, rationale=rationale, by=by, pay=pay)


def _pay_increase(pay: dict[str, Any] | None) -> Decimal:
    """What the raise or promotion carried by an incentive proposal adds to the yearly base
    pay (company currency; 0 for none, or for a cut)."""
    if not pay:
        return Decimal(0)
    payload = pay["payload"]
    increase = Decimal(payload["new_base_pay"]) - Decimal(payload.get("current_base_pay") or 0)
    return max(increase, Decimal(0))


def _extras_cost(actions: list[dict[str, Any]]) -> Decimal:
    """What a line's extras cost (bonus, options, leave, development; company currency)."""
    return sum(
        (
            Decimal(str(a.get("amount", 0)))
            for a in actions
            if a.get("instrument") not in PAY_INSTRUMENTS
        ),
        Decimal(0),
    )


def incentive_propose(
    *,
    line,
    employee,
    rationale: str | Phrase,
    by: User | None,
    pay: dict[str, Any] | None = None,
):
    """Propose the extras of an incentive-plan line (bonus, options, paid leave, development)
    for `employee`, with the line's raise or promotion when it has one (`pay`: {"kind":
    "org.pay_change" or "org.promotion", "payload": that kind's payload}): approving it writes
    the pay change and records the extras as granted on the line. The cost is the yearly pay
    increase plus what the extras cost, one-time amounts in full (company currency)."""
    from gmassist.core.models import Company
    from gmassist.core.services import proposal_create

    extras = [a for a in line.actions if a.get("instrument") not in PAY_INSTRUMENTS]
    increase = _pay_increase(pay)
    cost = increase + _extras_cost(extras)
    currency = Company.get().currency
    payload: dict[str, Any] = {
        "plan_id": line.plan_id,
        "line_id": line.pk,
        "employee_id": employee.pk,
        "actions": extras,
        "currency": currency,
    }
    if pay is not None:
        payload["pay"] = pay
    what = "Raise and incentives" if pay is not None else "Incentives"
    return proposal_create(
        kind=INCENTIVE,
        title=f"{what} for {employee.full_name} ({cost:,.0f} {currency})",
        payload=payload,
        rationale=rationale,
        cost=cost,
        expected_effect=Phrase(
            gettext_noop("Leaving risk %(before)s → %(after)s"),
            {"before": f"{line.risk_before:.2f}", "after": f"{line.risk_after:.2f}"},
        ),
        department=employee.department,
        subject_employee=employee,
        by=by,
    )


def _pay_kinds() -> dict[str, tuple[Any, Any]]:
    """The pay actions an incentive proposal may carry: kind -> (validate, write)."""
    from gmassist.org.services import (
        PAY_CHANGE,
        PROMOTION,
        pay_change_validate,
        pay_change_write,
        promotion_validate,
        promotion_write,
    )

    return {
        PAY_CHANGE: (pay_change_validate, pay_change_write),
        PROMOTION: (promotion_validate, promotion_write),
    }


def incentive_validate(payload: dict[str, Any]) -> dict[str, Any]:
    """Check an incentive payload against the data as it is now: its plan line exists, is
    about the same employee, who is still here, and is not approved already; the raise or
    promotion it carries passes that kind's own check."""
    from django.core.exceptions import ValidationError

    from gmassist.org.choices import EmployeeStatus
    from gmassist.talent.choices import PlanLineStatus
    from gmassist.talent.models import IncentivePlanLine

    line = (
        IncentivePlanLine.objects.select_related("employee")
        .filter(pk=payload.get("line_id"), plan_id=payload.get("plan_id"))
        .first()
    )
    if line is None:
        raise ValidationError({"line_id": f"no line {payload.get('line_id')!r} in that plan"})
    if line.employee_id != payload.get("employee_id"):
        raise ValidationError({"employee_id": "the plan line is about someone else"})
    if line.employee.status == EmployeeStatus.LEFT:
        raise ValidationError({"employee_id": f"{line.employee} has left the company"})
    if line.status == PlanLineStatus.APPROVED:
        raise ValidationError({"line_id": "the plan line is approved already"})
    actions = payload.get("actions")
    if not isinstance(actions, list) or not actions:
        raise ValidationError({"actions": "an incentive proposal grants at least one extra"})
    pay = payload.get("pay")
    if pay is not None:
        kinds = _pay_kinds()
        if not isinstance(pay, dict) or pay.get("kind") not in kinds:
            raise ValidationError({"pay": f"the pay action must be one of {sorted(kinds)}"})
        validate, _write = kinds[pay["kind"]]
        pay_payload = validate(pay.get("payload") or {})
        if pay_payload["employee_id"] != line.employee_id:
            raise ValidationError({"pay": "the pay action is about someone else"})
        payload = {**payload, "pay": {"kind": pay["kind"], "payload": pay_payload}}
    return payload


def incentive_describe(proposal) -> str:
    """ "Incentives for A. Chen: one-time bonus, stock options (12,000)", reader's language."""
    from django.utils.translation import gettext

    employee = proposal.subject_employee
    name = employee.full_name if employee is not None else f"#{proposal.payload['employee_id']}"
    pay = proposal.payload.get("pay")
    cost = _pay_increase(pay) + _extras_cost(proposal.payload.get("actions", []))
    values = {
        "name": name,
        "cost": f"{cost:,.0f}",
        "currency": proposal.payload.get("currency", ""),
    }
    if pay is None:
        return gettext("Incentives for %(name)s (%(cost)s %(currency)s)") % values
    payload = pay["payload"]
    values["old"] = f"{Decimal(payload.get('current_base_pay') or 0):,.0f}"
    values["new"] = f"{Decimal(payload['new_base_pay']):,.0f}"
    return (
        gettext(
            "Raise and incentives for %(name)s: base pay %(old)s → %(new)s, with extras"
            " (%(cost)s %(currency)s)"
        )
        % values
    )


def incentive_apply(proposal, by: User | None) -> dict[str, Any]:
    """Write the raise or promotion it carries, if any (as a pay change would), and record the
    extras as granted: the plan line is approved; the audit names each amount. Runs inside the
    approval's transaction."""
    from gmassist.talent.choices import PlanLineStatus
    from gmassist.talent.models import IncentivePlanLine

    line = IncentivePlanLine.objects.select_for_update().get(pk=proposal.payload["line_id"])
    previous = line.status
    line.status = PlanLineStatus.APPROVED
    line.proposal = proposal
    line.save(update_fields=["status", "proposal", "updated_at"])
    granted = proposal.payload["actions"]
    result: dict[str, Any] = {"line_id": line.pk, "granted": granted}
    pay = proposal.payload.get("pay")
    if pay is not None:
        _validate, write = _pay_kinds()[pay["kind"]]
        result["pay"] = write(payload=pay["payload"], proposal=proposal, by=by)
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        target=line,
        changes={"status": [previous, line.status], "granted": granted},
    )
    result["cost"] = _pay_increase(pay) + _extras_cost(granted)
    return result


# --- editing a plan's lines before approval -----------------------------------------------------


def check_may_edit_line(*, line, by: User | None) -> None:
    """A line may be changed or dropped by the roles that may make plans (`check_may_plan`),
    while it is only planned (not proposed, not approved), and never by the person it is
    about. Raises PermissionDenied or PlanError with the reason."""
    from gmassist.talent.choices import PlanLineStatus

    check_may_plan(by)
    user = acting_user(by)
    if user is not None and user.employee_id is not None and user.employee_id == line.employee_id:
        raise PermissionDenied("this line is about you: nobody decides their own case")
    if line.status != PlanLineStatus.PLANNED:
        raise PlanError(
            f"line #{line.pk} is {line.get_status_display().lower()}: only a planned line "
            "may be changed"
        )


def _plan_menu(plan):
    from gmassist.talent.engine import incentive_plan

    try:
        return incentive_plan.menu_from_dict(plan.menu or {})
    except incentive_plan.MenuError:
        return incentive_plan.DEFAULT_MENU


def _plan_response(plan) -> dict[str, float]:
    """The model's response the plan was solved with (older plans: that month's run)."""
    response = (plan.summary or {}).get("response")
    if response:
        return dict(response)
    run = RiskModelRun.objects.filter(as_of=plan.as_of).first() or selectors.latest_risk_run()
    return dict(run.response) if run is not None else {}


def _line_inputs(line) -> dict[str, Any]:
    """The engine's row of a line's person as the plan read it; for a line saved before the
    plan kept it, read again (pay, band and months now; risk and value as planned)."""
    from types import SimpleNamespace

    from gmassist.org.models import Employee

    if line.inputs:
        return dict(line.inputs)
    employee = Employee.objects.select_related("position").get(pk=line.employee_id)
    score = RiskScore.objects.filter(
        employee_id=line.employee_id, as_of=line.plan.as_of
    ).first() or SimpleNamespace(features={})
    row = plan_row(
        employee=employee,
        score=SimpleNamespace(probability=line.risk_before, features=score.features or {}),
        value=line.value,
        bands=grade_bands(),
    )
    if row is None:
        raise PlanError(f"{employee.full_name} has no position band or pay to re-price the line")
    return row


def _plan_totals_save(plan) -> None:
    """The plan's totals (cost, retained value, net value, return, people) from its lines,
    marked as edited by hand (no longer the solver's proven plan)."""
    from django.db.models import Count, Sum

    from gmassist.talent.engine.incentive_plan import plan_return

    totals = plan.lines.aggregate(cost=Sum("cost"), effect=Sum("effect"), people=Count("pk"))
    cost = totals["cost"] or Decimal(0)
    effect = float(totals["effect"] or 0.0)
    ratio = plan_return(effect=effect, cost=float(cost))
    plan.total_cost = cost
    plan.total_effect = round(effect, 2)
    plan.summary = {
        **(plan.summary or {}),
        "total_cost": float(cost),
        "total_effect": round(effect, 2),
        "total_net": round(effect - float(cost), 2),
        "return": None if ratio is None else round(ratio, 4),
        "people": totals["people"],
        "edited": True,
    }
    plan.save(update_fields=["total_cost", "total_effect", "summary", "updated_at"])


def _line_state(line) -> dict[str, Any]:
    return {
        "actions": line.actions,
        "cost": float(line.cost),
        "effect": round(float(line.effect), 2),
        "net": round(float(line.effect) - float(line.cost), 2),
        "risk_after": line.risk_after,
    }


def incentive_plan_line_update(*, line, by: User | None, amounts: dict[str, float]):
    """Change the amounts of a planned line's actions ({instrument: new amount}, company
    currency; a promotion's amount is its pay increase) and re-price the line as the solver
    would (`incentive_plan.with_amount`, `evaluate_actions`: cost, retained value, risk after,
    reasons), then the plan's totals. Refused (PlanError) for an instrument the line does not
    have, an amount the rules refuse (a raise above the band maximum...) or a plan that would
    go over its budget; nothing changes then. Audited with the line before and after."""
    from gmassist.talent.engine import incentive_plan
    from gmassist.talent.models import IncentivePlanLine

    check_may_edit_line(line=line, by=by)
    with transaction.atomic():
        locked = (
            IncentivePlanLine.objects.select_for_update().select_related("plan").get(pk=line.pk)
        )
        check_may_edit_line(line=locked, by=by)
        plan = locked.plan
        have = [a.get("instrument") for a in locked.actions]
        unknown = sorted(set(amounts) - set(have))
        if not amounts or unknown:
            raise PlanError(
                f"line #{locked.pk} has {', '.join(have) or 'no action'}; "
                f"it has no {', '.join(unknown) or 'amount to change'}"
            )
        row = _line_inputs(locked)
        menu = _plan_menu(plan)
        try:
            actions = [
                incentive_plan.with_amount(row, a, float(amounts[a["instrument"]]), menu)
                if a["instrument"] in amounts
                else dict(a)
                for a in locked.actions
            ]
            priced = incentive_plan.evaluate_actions(row, actions, menu, _plan_response(plan))
        except incentive_plan.PlanEditError as exc:
            raise PlanError(str(exc)) from exc
        cost = Decimal(str(priced.cost))
        others = sum((c for c in plan.lines.exclude(pk=locked.pk).values_list("cost", flat=True)),
                     Decimal(0))  # fmt: skip
        if others + cost > plan.budget:
            raise PlanError(
                f"the plan would cost {others + cost:,.0f}, over its budget of "
                f"{plan.budget:,.0f}: lower the amount or drop another line"
            )
        before = _line_state(locked)
        locked.actions = priced.actions
        locked.cost = cost
        locked.effect = round(priced.effect, 2)
        locked.risk_after = round(priced.risk_after, 6)
        locked.reasons = priced.reasons
        locked.inputs = priced.inputs
        locked.save(
            update_fields=["actions", "cost", "effect", "risk_after", "reasons", "inputs",
                           "updated_at"]
        )  # fmt: skip
        _plan_totals_save(plan)
        audit_record(
            actor=by,
            action=AuditAction.UPDATE,
            target=locked,
            changes={
                "plan_id": plan.pk,
                "employee_id": locked.employee_id,
                "before": before,
                "after": _line_state(locked),
            },
        )
    return locked


def incentive_plan_line_drop(*, line, by: User | None):
    """Take a planned line out of its plan (the plan's totals follow). Audited with what the
    line was. Returns the plan."""
    from gmassist.talent.models import IncentivePlanLine

    check_may_edit_line(line=line, by=by)
    with transaction.atomic():
        locked = (
            IncentivePlanLine.objects.select_for_update().select_related("plan").get(pk=line.pk)
        )
        check_may_edit_line(line=locked, by=by)
        plan = locked.plan
        audit_record(
            actor=by,
            action=AuditAction.DELETE,
            target=locked,
            changes={"plan_id": plan.pk, "employee_id": locked.employee_id, **_line_state(locked)},
        )
        locked.delete()
        _plan_totals_save(plan)
    return plan
