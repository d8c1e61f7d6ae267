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

from gmassist.core.choices import Action, AuditAction
from gmassist.core.models import User
from gmassist.core.permissions import ALL, Domain, acting_user, reach
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


# --- incentive plans ---------------------------------------------------------------------------

# the budget curve's points, as shares of the plan's budget
CURVE_SHARES = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0)


class PlanError(Exception):
    """A plan cannot be made (no scores yet, a bad budget or menu): the reason in plain words."""


def check_may_plan(by: User | None) -> None:
    """Planning reads the pay and risk of many people and prepares proposals for them."""
    if not selectors.risk_reach_ok(by) or reach(by, Domain.PEOPLE, Action.PROPOSE) is None:
        raise PermissionDenied("your role may not make incentive plans")


def plan_people(*, user: User | None, top: int | None = None):
    """The engine's people frame (incentive_plan.PEOPLE_COLUMNS plus names) for the latest
    scores `user` may read, highest risk first (the `top` ones when given): risk, value
    (key-talent score x replacement cost), pay, band and next band, months since raise and
    promotion. Audited as one read of their risk and pay."""
    import pandas as pd

    from gmassist.org.models import Position
    from gmassist.talent.engine import incentive_plan

    scores = selectors.risk_scores(user=user)
    if top:
        scores = scores[:top]
    scores = list(scores)
    key = selectors.key_people(user=user).scored
    value = {
        int(r["employee_id"]): float(r["score"]) * float(r["replacement_cost"])
        for r in key[["employee_id", "score", "replacement_cost"]].to_dict("records")
        if r["replacement_cost"] == r["replacement_cost"]  # not NaN
    }
    bands = {
        (p.job_family, p.grade): p
        for p in Position.objects.filter(grade__isnull=False).order_by("-code")
    }
    rows = []
    for s in scores:
        employee = s.employee
        position = employee.position
        if position is None or employee.base_pay is None or not position.band_mid:
            continue
        following = bands.get((position.job_family, (position.grade or 0) + 1))
        rows.append(
            {
                "employee_id": employee.pk,
                "probability": s.probability,
                "value": value.get(employee.pk, 0.0),
                "base_pay": float(employee.base_pay),
                "band_mid": float(position.band_mid),
                "band_max": float(position.band_max) if position.band_max else float("nan"),
                "next_band_min": float(following.band_min)
                if following and following.band_min
                else float("nan"),
                "next_band_mid": float(following.band_mid)
                if following and following.band_mid
                else float("nan"),
                "months_since_raise": s.features.get("months_since_raise") or 0.0,
                "months_since_promotion": s.features.get("months_since_promotion") or 0.0,
            }
        )
    selectors.audit_risk_read(
        user=user,
        employee_nos=[s.employee.employee_no for s in scores],
        what="incentive plan",
    )
    return pd.DataFrame(rows, columns=incentive_plan.PEOPLE_COLUMNS)


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
    """Choose incentives for the people at risk within `budget` (yearly, company currency)
    and save them as a draft plan with its lines and budget curve. Changes nobody's pay: the
    plan's lines become proposals when approved (`incentive_plan_approve`)."""
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
    people = plan_people(user=by, top=top)
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
            summary={**result.summary(), "curve": curve, "model_auc": run.backtest_auc},
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
            )
            for line in result.lines
        )
        audit_record(actor=by, action=AuditAction.CREATE, target=plan, changes=plan.summary)
    report(100, "Done")
    return plan


PAY_INSTRUMENTS = ("raise", "promotion")
INCENTIVE = "talent.incentive"


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
            rationale = (
                f"Incentive plan #{plan.pk}: leaving risk {line.risk_before:.2f} → "
                f"{line.risk_after:.2f}, expected retained value {line.effect:,.0f}"
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


def _line_propose(*, line, employee, plan, rationale: str, by: User) -> Any:
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
    *, line, employee, rationale: str, by: User | None, pay: dict[str, Any] | None = None
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
        expected_effect=f"Leaving risk {line.risk_before:.2f} → {line.risk_after:.2f}",
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
