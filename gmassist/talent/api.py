"""The talent endpoints of the REST API: the pay review, the gender pay gaps, the key people,
leaving risk (scores, one person, the model, the nine-box, the heat map), scoring, and the
incentive plans.

Pay is read through `selectors.pay_review`, which is scoped to the user and audited once per
request; a role that may read nobody's pay but their own gets a 403.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from gmassist.api import (
    MappedRows,
    ObjectId,
    PageNumberPagination,
    problems,
    reference_or_422,
    request_user,
    visible_or_404,
)
from gmassist.core import services as core_services
from gmassist.core.api import JobOut
from gmassist.core.choices import Action
from gmassist.core.models import User
from gmassist.core.permissions import Domain, reach
from gmassist.org.models import Department, Position
from gmassist.talent import selectors, services
from gmassist.talent.engine import incentive_plan
from gmassist.talent.engine import pay_review as engine
from gmassist.talent.models import IncentivePlan, IncentivePlanLine, RiskScore
from gmassist.talent.presenters import (
    line_return,
    plan_left_out,
    plan_line_reason_text,
    plan_spending_note,
)
from gmassist.talent.schemas import (
    HeatmapOut,
    KeyPeopleFilters,
    KeyPersonOut,
    NineBoxOut,
    PayGapsOut,
    PayReviewFilters,
    PayReviewRowOut,
    PayScopeFilters,
    PersonRiskOut,
    PlanApproveIn,
    PlanApproveOut,
    PlanDetailOut,
    PlanIn,
    PlanLineChangeOut,
    PlanLineIn,
    PlanOut,
    RiskFilters,
    RiskModelOut,
    RiskScoreOut,
)

router = Router()


def _pay_review(user: User, filters: PayScopeFilters) -> selectors.PayReview:
    if reach(user, Domain.PEOPLE, Action.VIEW_PAY) not in selectors.PAY_OF_MANY:
        raise PermissionDenied(_("Your role may not see the pay review."))
    department = reference_or_422(
        Department.objects, filters.department_id, field="department_id", user=user
    )
    position = reference_or_422(
        Position.objects, filters.position_id, field="position_id", user=user
    )
    return selectors.pay_review(
        user=user,
        department_id=department.pk if department else None,
        position_id=position.pk if position else None,
    )


@router.get(
    "/talent/pay-review",
    response={200: list[PayReviewRowOut], **problems(403)},
    tags=["talent"],
)
@paginate(PageNumberPagination)
def pay_review_list(request: HttpRequest, filters: Query[PayReviewFilters]):
    """Everyone whose pay you may see: compa-ratio, position in band, latest rating and flags
    (below band, above band, rated high and paid low, rated low and paid high). Yearly pay in
    the company's currency. Every request is written to the audit log once."""
    review = _pay_review(request_user(request), filters)
    return selectors.pay_review_rows(review, flag=filters.flag, sort=filters.sort)


@router.get("/talent/pay-gaps", response={200: PayGapsOut, **problems(403)}, tags=["talent"])
def pay_gaps(request: HttpRequest, filters: Query[PayScopeFilters]):
    """Gender pay gaps per position, adjusted for tenure and latest rating (OLS of log pay),
    with the yearly cost of closing each; positions with too few people say so."""
    review = _pay_review(request_user(request), filters)
    return {
        "as_of": review.as_of,
        "min_group": engine.MIN_GAP_GROUP,
        "min_per_gender": engine.MIN_PER_GENDER,
        "gaps": [gap.as_dict() for gap in review.gaps],
    }


@router.get(
    "/talent/key-people",
    response={200: list[KeyPersonOut], **problems(403)},
    tags=["talent"],
)
@paginate(PageNumberPagination)
def key_people_list(request: HttpRequest, filters: Query[KeyPeopleFilters]):
    """Everyone you may see with their key-talent score (0-1), its parts (performance,
    potential, skill scarcity, replacement cost in the company's currency), whether they are
    irreplaceable, and the reasons. The replacement cost is pay: every request is written to the
    audit log once, and roles that may read only their own pay get a 403."""
    user = request_user(request)
    if reach(user, Domain.PEOPLE, Action.VIEW_PAY) not in selectors.PAY_OF_MANY:
        raise PermissionDenied(_("Your role may not see the key people."))
    department = reference_or_422(
        Department.objects, filters.department_id, field="department_id", user=user
    )
    result = selectors.key_people(user=user, department_id=department.pk if department else None)
    return selectors.key_people_rows(
        result, irreplaceable_only=filters.irreplaceable, sort=filters.sort
    )


# --- leaving risk, nine-box, heat map ---------------------------------------------------------


def _require_risk(user: User) -> None:
    """A 403 for the roles that may read nobody's risk (an employee, an account manager)."""
    if reach(user, Domain.PEOPLE, Action.VIEW_PAY) not in selectors.PAY_OF_MANY:
        raise PermissionDenied(_("Your role may not see leaving risk."))


def _bands_out(bands: Any) -> dict[str, Any]:
    return {
        "base_rate": bands.base_rate,
        "medium_from": bands.medium_from,
        "high_from": bands.high_from,
    }


def _score_out(score: RiskScore, bands: Any) -> dict[str, Any]:
    employee = score.employee
    return {
        "employee_id": employee.pk,
        "employee_no": employee.employee_no,
        "full_name": employee.full_name,
        "department_id": employee.department_id,
        "department": employee.department.name,
        "as_of": score.as_of,
        "probability": score.probability,
        "band": bands.band(score.probability),
        "reasons": [{**r, "text": selectors.risk_reason_text(r)} for r in score.reasons],
    }


RISK_ORDER = {
    "risk": ("probability", "employee__employee_no"),
    "name": ("employee__full_name", "employee__employee_no"),
    "department": ("employee__department__name", "-probability"),
}


@router.get(
    "/talent/risk-scores",
    response={200: list[RiskScoreOut], **problems(403)},
    tags=["talent"],
)
@paginate(PageNumberPagination)
def risk_score_list(request: HttpRequest, filters: Query[RiskFilters]):
    """The latest leaving risk (probability of leaving voluntarily within 12 months) of
    everyone you may see, with the top reasons in plain words. A department head sees their
    subtree; an employee or account manager gets a 403. The people of each page are audited."""
    user = request_user(request)
    _require_risk(user)
    department = reference_or_422(
        Department.objects, filters.department_id, field="department_id", user=user
    )
    run = selectors.latest_risk_run()
    bands = selectors.risk_bands(run)
    qs = selectors.risk_scores(
        user=user,
        as_of=run.as_of if run else None,
        department_id=department.pk if department else None,
        min_probability=filters.min_risk,
    )
    qs = selectors.in_risk_band(qs, filters.band, bands)
    first, *then = RISK_ORDER[filters.sort.lstrip("-")]
    if filters.sort.startswith("-"):
        first = f"-{first}"
    # the page of scores shown is audited as a read of those people's risk, as every page and
    # export showing scores is (a score is a sensitive row: talent/apps.py)
    return MappedRows(qs.order_by(first, *then), lambda score: _score_out(score, bands))


@router.get(
    "/talent/people/{employee_id}/risk",
    response={200: PersonRiskOut, **problems(403, 404)},
    tags=["talent"],
)
def person_risk(request: HttpRequest, employee_id: int):
    """One person's leaving risk now with its reasons and band, and its history month by month:
    the scores made each month, and the probability at each month-end by the latest model. A
    person whose pay you may not read is a 404; the read is audited."""
    user = request_user(request)
    _require_risk(user)
    employee = visible_or_404(
        selectors.pay_visible(user=user).select_related("department"), employee_id
    )
    risk = selectors.person_risk(user=user, employee=employee)
    if risk is None:
        raise Http404("not found")
    latest = risk["latest"]
    if latest is not None:
        latest.employee = employee
    bands = risk["bands"]
    return {
        "employee_id": employee.pk,
        "employee_no": employee.employee_no,
        "full_name": employee.full_name,
        "latest": _score_out(latest, bands) if latest is not None else None,
        "bands": _bands_out(bands),
        "history": [
            {"as_of": h["as_of"], "probability": h["probability"]} for h in risk["history"]
        ],
        "model_history": [
            {"as_of": h["as_of"], "probability": h["probability"]} for h in risk["model_history"]
        ],
    }


@router.get(
    "/talent/risk-model", response={200: RiskModelOut, **problems(403, 404)}, tags=["talent"]
)
def risk_model(request: HttpRequest):
    """The latest leaving-risk model: when it ran, what it learned from, its time-based
    backtest (ROC AUC with its 95% interval, on how many people and leavers), its calibration
    (predicted against observed per band of risk, before and after recalibration), the bands
    made from the company's yearly leaving rate. Model quality only: nobody's risk (the heat
    map counts the people in each band, for those you may see)."""
    _require_risk(request_user(request))
    run = selectors.latest_risk_run()
    if run is None:
        raise Http404("the leaving-risk model has not run yet")
    computed = ("run_at", "bands")
    names = [name for name in RiskModelOut.model_fields if name not in computed]
    fields = {name: getattr(run, name) for name in names}
    return {
        **fields,
        "run_at": run.updated_at,
        "bands": _bands_out(selectors.risk_bands(run)),
    }


@router.get("/talent/nine-box", response={200: NineBoxOut, **problems(403)}, tags=["talent"])
def nine_box(request: HttpRequest, filters: Query[KeyPeopleFilters]):
    """The nine-box grid (performance x potential) of the people you may see: the count and
    the people of each cell. Read with the key people (their pay): audited once."""
    user = request_user(request)
    _require_risk(user)
    department = reference_or_422(
        Department.objects, filters.department_id, field="department_id", user=user
    )
    result = selectors.key_people(user=user, department_id=department.pk if department else None)
    grid = selectors.nine_box_ids(result)
    cells = []
    for key, employee_ids in grid["cells"].items():
        perf, pot = key.split("-")
        cells.append(
            {
                "performance": perf,
                "potential": pot,
                "count": len(employee_ids),
                "employee_ids": employee_ids,
            }
        )
    return {"cells": cells, "unplaced": grid["unplaced"]}


@router.get("/talent/risk-heatmap", response={200: HeatmapOut, **problems(403)}, tags=["talent"])
def risk_heatmap(request: HttpRequest):
    """Leaving risk by department: people, mean risk and how many in each band of the latest
    run (see /talent/risk-model), the highest mean first. Audited as a read of their risk."""
    user = request_user(request)
    _require_risk(user)
    run = selectors.latest_risk_run()
    rows = selectors.risk_overview_rows(user=user, run=run, what="api heat map")
    return {
        "as_of": run.as_of if run else None,
        "departments": [
            {**{k: v for k, v in cell.items() if k != "bands"}, **cell["bands"]}
            for cell in selectors.risk_heatmap_cells(rows)
        ],
    }


@router.post("/talent/score", response={202: JobOut, **problems(403)}, tags=["talent"])
def score(request: HttpRequest):
    """Start fitting, backtesting and scoring everyone's leaving risk (job `talent.score`) for
    the last month-end; the GM's office and HR only. Poll `/api/jobs/{id}`."""
    user = request_user(request)
    _require_risk(user)
    services.check_may_score(user)
    return Status(202, core_services.job_submit(kind="talent.score", params={}, by=user))


# --- incentive plans ------------------------------------------------------------------------


def _plans(user: User):
    return selectors.incentive_plans_visible(user=user)


def _plan_out(plan: IncentivePlan) -> dict[str, Any]:
    summary = plan.summary or {}
    return {
        "id": plan.pk,
        "budget": float(plan.budget),
        "as_of": plan.as_of,
        "effective_date": plan.effective_date,
        "status": plan.status,
        "total_cost": float(plan.total_cost),
        "total_effect": plan.total_effect,
        "total_net": round(plan.total_effect - float(plan.total_cost), 2),
        "return_ratio": line_return(effect=plan.total_effect, cost=plan.total_cost),
        "spending_note": plan_spending_note(summary, budget=plan.budget),
        "left_out": plan_left_out(summary),
        "summary": summary,
        "created_by_id": plan.created_by_id,
        "created_at": plan.created_at,
    }


def _line_out(line: IncentivePlanLine) -> dict[str, Any]:
    return {
        "id": line.pk,
        "employee_id": line.employee_id,
        "employee_no": line.employee.employee_no,
        "full_name": line.employee.full_name,
        "actions": line.actions,
        "cost": float(line.cost),
        "effect": line.effect,
        "net": round(line.effect - float(line.cost), 2),
        "return_ratio": line_return(effect=line.effect, cost=line.cost),
        "value": line.value,
        "risk_before": line.risk_before,
        "risk_after": line.risk_after,
        "reasons": [plan_line_reason_text(r) for r in line.reasons],
        "status": line.status,
        "proposal_id": line.proposal_id,
    }


@router.post("/talent/plans", response={202: JobOut, **problems(403)}, tags=["talent"])
def plan_create(request: HttpRequest, payload: PlanIn):
    """Start an incentive plan (job `talent.plan`) within `budget` (yearly, company currency)
    for the highest risks (`top`), with the instrument menu as TOML (defaults when empty; a bad
    key is a 422 naming it). Its result names the draft plan. Poll `/api/jobs/{id}`."""
    user = request_user(request)
    _require_risk(user)
    services.check_may_plan(user)
    if payload.menu_toml.strip():
        try:
            incentive_plan.menu_from_toml(payload.menu_toml)
        except incentive_plan.MenuError as exc:
            raise ValidationError({"menu_toml": str(exc)}) from exc
    params = {"budget": payload.budget, "top": payload.top, "menu_toml": payload.menu_toml}
    return Status(202, core_services.job_submit(kind="talent.plan", params=params, by=user))


@router.get("/talent/plans", response={200: list[PlanOut], **problems(403)}, tags=["talent"])
@paginate(PageNumberPagination)
def plan_list(request: HttpRequest):
    """The incentive plans you may see, newest first (a department head their own)."""
    user = request_user(request)
    _require_risk(user)
    return MappedRows(_plans(user), _plan_out)


@router.get(
    "/talent/plans/{plan_id}", response={200: PlanDetailOut, **problems(403, 404)}, tags=["talent"]
)
def plan_detail(request: HttpRequest, plan_id: int):
    """A plan with its lines: each person's actions, cost, fall in risk, expected retained
    value, reasons in plain words, status and proposal."""
    user = request_user(request)
    _require_risk(user)
    plan = visible_or_404(_plans(user), plan_id)
    lines = selectors.incentive_plan_lines(user=user, plan=plan, what="api incentive plan")
    return {**_plan_out(plan), "lines": [_line_out(line) for line in lines]}


@router.post(
    "/talent/plans/{plan_id}/approve",
    response={200: PlanApproveOut, **problems(403, 404)},
    tags=["talent"],
)
def plan_approve(request: HttpRequest, plan_id: int, payload: PlanApproveIn):
    """Approve a plan's planned lines (all, or `line_ids`): raises become pay changes and
    promotions promotion proposals, effective on the plan's date, approved at once when you
    may decide them, else left open for the GM. Roles that may not approve get a 403."""
    user = request_user(request)
    _require_risk(user)
    plan = visible_or_404(_plans(user), plan_id)
    if reach(user, Domain.PEOPLE, Action.APPROVE) is None:
        raise PermissionDenied(_("Your role may not approve incentive plans."))
    try:
        counts = services.incentive_plan_approve(plan=plan, by=user, line_ids=payload.line_ids)
    except services.PlanError as exc:
        raise ValidationError({"line_ids": str(exc)}) from exc
    plan.refresh_from_db()
    return {**counts, "status": plan.status}


def _editable_line(user: User, plan_id: int, line_id: int) -> IncentivePlanLine:
    """The line as `user` may change it: 404 for a plan or line out of their scope, 403 for a
    role that may not make plans."""
    _require_risk(user)
    plan = visible_or_404(_plans(user), plan_id)
    line = selectors.incentive_plan_line(user=user, plan=plan, line_id=line_id)
    if line is None:
        raise Http404("no such line in that plan")
    services.check_may_plan(user)
    return line


@router.patch(
    "/talent/plans/{plan_id}/lines/{line_id}",
    response={200: PlanLineChangeOut, **problems(403, 404)},
    tags=["talent"],
)
def plan_line_update(
    request: HttpRequest, plan_id: ObjectId, line_id: ObjectId, payload: PlanLineIn
):
    """Change the amount of one action of a planned line (`instrument`, needed when the line
    has more than one; `amount` in company currency, a promotion's being its pay increase):
    the line is priced again with the plan's model (cost, retained value, net value, risk
    after) and the plan's totals follow. The roles that may make plans; never an approved or
    proposed line, never by the person it is about (403); a raise above the band maximum or a
    plan over its budget is a 422 saying why, and nothing changes. Audited."""
    user = request_user(request)
    line = _editable_line(user, plan_id, line_id)
    instruments = [a.get("instrument") for a in line.actions]
    instrument = payload.instrument
    if instrument is None:
        if len(instruments) != 1:
            raise ValidationError(
                {"instrument": f"the line has {', '.join(map(str, instruments))}: say which"}
            )
        instrument = instruments[0]
    try:
        changed = services.incentive_plan_line_update(
            line=line, by=user, amounts={instrument: payload.amount}
        )
    except services.PlanError as exc:
        raise ValidationError({"amount": str(exc)}) from exc
    changed.employee = line.employee
    return {"line": _line_out(changed), "plan": _plan_out(changed.plan)}


@router.delete(
    "/talent/plans/{plan_id}/lines/{line_id}",
    response={200: PlanOut, **problems(403, 404)},
    tags=["talent"],
)
def plan_line_drop(request: HttpRequest, plan_id: ObjectId, line_id: ObjectId):
    """Drop a planned line from its plan; returns the plan with its new totals. The rules of
    changing it: 403 for a role that may not make plans or for the person the line is about,
    422 for an approved or proposed line. Audited."""
    user = request_user(request)
    line = _editable_line(user, plan_id, line_id)
    try:
        plan = services.incentive_plan_line_drop(line=line, by=user)
    except services.PlanError as exc:
        raise ValidationError({"line_id": str(exc)}) from exc
    return _plan_out(plan)
