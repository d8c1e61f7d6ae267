"""Talent pages: the overview (nine-box, risk heat map, model quality), one person's risk and
pay, the incentive plans, the pay review and the key people."""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from gmassist.core import selectors as core_selectors
from gmassist.core import services as core_services
from gmassist.core.choices import Action
from gmassist.core.models import Company
from gmassist.core.permissions import Domain, reach
from gmassist.core.views_lib import (
    ExportColumn,
    ListColumn,
    ListPage,
    require_reach,
)
from gmassist.talent import presenters, selectors, services
from gmassist.talent.choices import PlanLineStatus, PlanStatus
from gmassist.talent.engine import key_talent, leaving
from gmassist.talent.engine import pay_review as engine
from gmassist.talent.forms import (
    FLAG_LABELS,
    IncentivePlanForm,
    KeyPeopleFilterForm,
    LeavingRiskFilterForm,
    PayReviewFilterForm,
)
from gmassist.talent.models import RiskModelRun

PAY_OF_MANY = selectors.PAY_OF_MANY


class PayReviewPage(ListPage):
    """Everyone's place in their band and against their rating, with the gender gaps above."""

    title = _("Pay review")
    template_name = "talent/pay_review.html"
    results_template = "talent/_pay_results.html"
    permission = (Domain.PEOPLE, Action.VIEW_PAY)
    permission_reaches = PAY_OF_MANY
    filter_form_class = PayReviewFilterForm
    columns = [
        ListColumn(_("Employee no."), sort="employee_no"),
        ListColumn(_("Name"), sort="name"),
        ListColumn(_("Department"), sort="department"),
        ListColumn(_("Position"), sort="position"),
        ListColumn(_("Base pay"), sort="base_pay", numeric=True),
        ListColumn(_("Band"), numeric=True),
        ListColumn(_("Compa-ratio"), sort="compa_ratio", numeric=True),
        ListColumn(_("Band position"), sort="band_position", numeric=True),
        ListColumn(_("Last rating"), sort="last_rating", numeric=True),
        ListColumn(_("Flags")),
    ]
    default_sort = "name"
    row_template = "talent/_pay_row.html"
    # a department head exports the pay of their subtree, the same people they see here
    export_permission = (Domain.PEOPLE, Action.EXPORT)
    export_name = "pay-review"
    export_columns = [
        ExportColumn(name, itemgetter(name))
        for name in (
            "employee_no",
            "full_name",
            "department",
            "position",
            "grade",
            "base_pay",
            "band_min",
            "band_mid",
            "band_max",
            "compa_ratio",
            "band_position",
            "last_rating",
            "to_band_min",
            "over_band_max",
        )
    ] + [ExportColumn("flags", lambda row: " ".join(row["flags"]))]
    testid = "pay"

    review: selectors.PayReview | None = None

    def get_queryset(self, *, filters: dict[str, Any], sort: str) -> QuerySet:
        self.review = selectors.pay_review(
            user=self.request.user,
            department_id=filters.get("department_id"),
            position_id=filters.get("position_id"),
        )
        rows = selectors.pay_review_rows(self.review, flag=filters.get("flag"), sort=sort)
        for row in rows:
            row["flag_labels"] = [(flag, FLAG_LABELS[flag]) for flag in row["flags"]]
        return rows

    def get_extra_context(self) -> dict[str, Any]:
        review = self.review
        if review is None:
            return {"review": None}
        return {
            "review": review,
            "summary": review.summary,
            "gaps": review.gaps,
            "chart_compa": presenters.compa_chart(review.summary["distribution"]),
            "chart_labels": {"people": str(_("People"))},
            "currency": Company.get().currency,
            "min_gap_group": engine.MIN_GAP_GROUP,
            "min_per_gender": engine.MIN_PER_GENDER,
            "paid_low": engine.PAID_LOW,
            "high_rating": engine.HIGH_RATING,
        }


class LeavingRiskPage(ListPage):
    """The leaving-risk worklist: the people most likely to leave within 12 months, with their
    reasons, filtered by department and band, sorted, exported; every row shown is audited."""

    title = _("Leaving risk")
    template_name = "talent/risk_list.html"
    permission = (Domain.PEOPLE, Action.VIEW_PAY)
    permission_reaches = PAY_OF_MANY
    filter_form_class = LeavingRiskFilterForm
    columns = [
        ListColumn(_("Name"), sort="name"),
        ListColumn(_("Department"), sort="department"),
        ListColumn(_("Position")),
        ListColumn(_("Leaving risk"), sort="risk", numeric=True),
        ListColumn(_("Why")),
    ]
    default_sort = "-risk"
    row_template = "talent/_risk_row.html"
    export_permission = (Domain.PEOPLE, Action.EXPORT)
    export_name = "leaving-risk"
    export_columns = [
        ExportColumn("employee_no", "employee.employee_no"),
        ExportColumn("full_name", "employee.full_name"),
        ExportColumn("department", "employee.department.name"),
        ExportColumn("position", "employee.position.title"),
        ExportColumn("as_of", "as_of"),
        ExportColumn("probability", "probability"),
        ExportColumn("band", "band"),
        ExportColumn(
            "reasons",
            lambda score: "; ".join(selectors.risk_reason_text(r) for r in score.reasons),
        ),
    ]
    testid = "risk"

    @cached_property
    def run(self) -> RiskModelRun | None:
        return selectors.latest_risk_run()

    @cached_property
    def bands(self) -> leaving.RiskBands:
        return selectors.risk_bands(self.run)

    def get_filter_form(self) -> LeavingRiskFilterForm:
        return LeavingRiskFilterForm(
            self.request.GET or None, user=self.request.user, bands=self.bands
        )

    def get_queryset(self, *, filters: dict[str, Any], sort: str) -> QuerySet:
        return selectors.risk_worklist(
            user=self.request.user, run=self.run, bands=self.bands, sort=sort, **filters
        )

    def get_extra_context(self) -> dict[str, Any]:
        return {
            "run": self.run,
            "bands_explained": presenters.bands_explained(self.bands),
            "model_quality": presenters.model_quality(self.run),
        }


class KeyPeoplePage(ListPage):
    """Who the company can least afford to lose: the key-talent score, its parts and reasons,
    with the irreplaceable people per department above."""

    title = _("Key people")
    template_name = "talent/key_people.html"
    results_template = "talent/_key_results.html"
    # the replacement cost is pay: the roles that may read the pay of more than themselves
    permission = (Domain.PEOPLE, Action.VIEW_PAY)
    permission_reaches = PAY_OF_MANY
    filter_form_class = KeyPeopleFilterForm
    columns = [
        ListColumn(_("Name"), sort="name"),
        ListColumn(_("Department"), sort="department"),
        ListColumn(_("Position"), sort="position"),
        ListColumn(_("Score"), sort="score", numeric=True),
        ListColumn(_("Performance"), sort="performance", numeric=True),
        ListColumn(_("Potential"), sort="potential", numeric=True),
        ListColumn(_("Scarcity"), sort="scarcity", numeric=True),
        ListColumn(_("Replacement cost"), sort="replacement_cost", numeric=True),
        ListColumn(_("Irreplaceable"), sort="irreplaceable"),
        ListColumn(_("Top reason")),
    ]
    default_sort = "-score"
    row_template = "talent/_key_row.html"
    export_permission = (Domain.PEOPLE, Action.EXPORT)
    export_name = "key-people"
    export_columns = [
        ExportColumn(name, itemgetter(name))
        for name in (
            "employee_no",
            "full_name",
            "department",
            "position",
            "grade",
            "score",
            "performance",
            "potential",
            "scarcity",
            "scarce_skill",
            "others_holding",
            "replacement_months",
            "replacement_cost",
            "irreplaceable",
        )
    ] + [
        ExportColumn("irreplaceable_skills", lambda row: "; ".join(row["irreplaceable_skills"])),
        ExportColumn("reasons", lambda row: "; ".join(row["reasons"])),
    ]
    testid = "key"

    result: selectors.KeyPeople | None = None

    def get_queryset(self, *, filters: dict[str, Any], sort: str) -> QuerySet:
        self.result = selectors.key_people(
            user=self.request.user, department_id=filters.get("department_id")
        )
        rows = selectors.key_people_rows(
            self.result, irreplaceable_only=bool(filters.get("irreplaceable_only")), sort=sort
        )
        return rows

    def get_extra_context(self) -> dict[str, Any]:
        result = self.result
        if result is None:
            return {"key_people": None}
        return {
            "key_people": result,
            "by_department": result.by_department,
            "irreplaceable_count": sum(len(d["people"]) for d in result.by_department),
            "currency": Company.get().currency,
            "weights": {name: round(w * 100) for name, w in key_talent.WEIGHTS.items()},
            "expert_level": key_talent.EXPERT_LEVEL,
            "hire_months": key_talent.HIRE_MONTHS,
        }


# --- overview, person, incentive plans ----------------------------------------------------------

RISK = (
    Domain.PEOPLE,
    Action.VIEW_PAY,
)  # leaving risk goes with pay: the roles that see many people's
JOB_KINDS = ("talent.score", "talent.plan")


def may_score(user: Any) -> bool:
    try:
        services.check_may_score(user)
    except PermissionDenied:
        return False
    return True


def may_plan(user: Any) -> bool:
    try:
        services.check_may_plan(user)
    except PermissionDenied:
        return False
    return True


def may_approve_plans(user: Any) -> bool:
    return reach(user, Domain.PEOPLE, Action.APPROVE) is not None


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """The talent overview: the nine-box grid, leaving risk by department (a heat map), the
    irreplaceable people and the risk model's quality; "score now" starts the scoring job.
    `?box=<performance>-<potential>` or `?department=<id>&band=<band>` lists the people of a
    cell. Reads everyone's pay and risk the user may see: one audit entry each."""
    user = request.user
    require_reach(user, RISK, PAY_OF_MANY)
    if request.method == "POST":
        if not may_score(user):
            raise PermissionDenied
        job = core_services.job_submit(kind="talent.score", params={}, by=user)
        return redirect("job", pk=job.pk)
    key = selectors.key_people(user=user)
    grid = selectors.nine_box_ids(key)  # the rows (reasons in words) only for a chosen box
    run = selectors.latest_risk_run()
    bands = selectors.risk_bands(run)
    risk_rows = selectors.risk_overview_rows(user=user, run=run)
    risk_of = {row["employee_id"]: row for row in risk_rows}
    heat = presenters.shaded_heatmap(selectors.risk_heatmap_cells(risk_rows), bands)

    selection = None
    box = request.GET.get("box", "")
    department = request.GET.get("department", "")
    band = request.GET.get("band", "")
    if box:
        if box not in grid["cells"]:
            raise Http404("no such box")
        perf, pot = box.split("-")
        box_rows = selectors.key_people_rows(selectors.key_people_of(key, grid["cells"][box]))
        people = [
            {**row, "risk": risk_of.get(row["employee_id"], {}).get("probability")}
            for row in sorted(box_rows, key=lambda r: (-r["score"], r["full_name"]))
        ]
        selection = {
            "title": f"{presenters.PERFORMANCE_LABELS[perf]} · {presenters.POTENTIAL_LABELS[pot]}",
            "people": people,
        }
    elif department or band:
        if band not in presenters.BAND_TEMPLATES or not department.isdigit():
            raise Http404("no such cell")
        people = [
            {**row, "risk": row["probability"]}
            for row in risk_rows
            if row["department_id"] == int(department) and row["band"] == band
        ]
        name = next((c["department"] for c in heat if c["department_id"] == int(department)), "")
        label = presenters.band_label(band, bands)
        selection = {"title": f"{name} · {label}", "people": people}

    context = {
        "title": _("Talent"),
        "nine_box": presenters.nine_box_rows(grid, selected=box),
        "potential_labels": presenters.potential_labels(),
        "unplaced": grid["unplaced"],
        "heat": heat,
        "band_labels": presenters.band_labels(bands),
        "bands_explained": presenters.bands_explained(bands),
        "high_risk_label": presenters.high_risk_label(bands),
        "scored": len(risk_rows),
        "high_risk": sum(1 for r in risk_rows if r["band"] == "high"),
        "model_quality": presenters.model_quality(run),
        "selection": selection,
        "by_department": key.by_department,
        "irreplaceable_count": sum(len(d["people"]) for d in key.by_department),
        "run": run,
        "chart_calibration": presenters.calibration_chart(run),
        "may_score": may_score(user),
        "jobs": (
            core_selectors.jobs_recent(user=user, kind="talent.score") if may_score(user) else []
        ),
    }
    return render(request, "talent/overview.html", context)


@login_required
def person(request: HttpRequest, pk: int) -> HttpResponse:
    """One person's leaving risk now with its reasons, its history, the key-talent factors and
    the pay position; 404 for people whose pay the user may not read. Audited: one entry for
    the risk and one for the pay."""
    user = request.user
    require_reach(user, RISK, PAY_OF_MANY)
    employee = (
        selectors.pay_visible(user=user)
        .select_related("department", "position")
        .filter(pk=pk)
        .first()
    )
    if employee is None:
        raise Http404("not found")
    risk = selectors.person_risk(user=user, employee=employee)
    if risk is None:
        raise Http404("not found")
    key = selectors.key_person(user=user, employee=employee)
    latest = risk["latest"]
    bands = risk["bands"]
    history = risk["model_history"] or risk["history"]
    context = {
        "title": employee.full_name,
        "employee": employee,
        "latest": latest,
        "band": presenters.band_label(bands.band(latest.probability), bands) if latest else "",
        "band_name": bands.band(latest.probability) if latest else "",
        "bands_explained": presenters.bands_explained(bands),
        "reasons": [selectors.risk_reason_text(r) for r in latest.reasons] if latest else [],
        "history": [
            {**h, "band": presenters.BAND_NAMES[bands.band(h["probability"])]} for h in history
        ],
        "history_by_model": bool(risk["model_history"]),
        "chart_history": presenters.history_chart(risk["model_history"], risk["history"], bands),
        "key": key,
        "currency": Company.get().currency,
        "lines": selectors.incentive_plan_lines(
            user=user, employee=employee, limit=5, what="person"
        ),
    }
    return render(request, "talent/person.html", context)


def _plans(user: Any):
    return selectors.incentive_plans_visible(user=user)


@login_required
def plan(request: HttpRequest) -> HttpResponse:
    """The incentive plan's inputs (budget, how many people, the instrument menu) and the past
    plans; a valid form starts the `talent.plan` job and shows its progress."""
    user = request.user
    require_reach(user, RISK, PAY_OF_MANY)
    allowed = may_plan(user)
    status = 200
    if request.method == "POST":
        if not allowed:
            raise PermissionDenied
        form = IncentivePlanForm(request.POST)
        if form.is_valid():
            job = core_services.job_submit(kind="talent.plan", params=form.job_params(), by=user)
            return redirect("job", pk=job.pk)
        status = 422
    else:
        form = IncentivePlanForm()
    context = {
        "title": _("Incentive plan"),
        "form": form,
        "may_plan": allowed,
        "run": selectors.latest_risk_run(),
        "plans": list(_plans(user)[:20]),
        "currency": Company.get().currency,
        "jobs": core_selectors.jobs_recent(user=user, kind="talent.plan"),
    }
    return render(request, "talent/plan.html", context, status=status)


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A plan: its lines (person, actions, cost, fall in risk, retained value, net value,
    return, reasons), totals, what it spends of the budget and why, who was left out of its
    candidates, whether it is proven optimal, the budget curve; approving all or chosen lines,
    changing a planned line's amounts or dropping it (`plan_line`)."""
    user = request.user
    require_reach(user, RISK, PAY_OF_MANY)
    plan_obj = _plans(user).filter(pk=pk).first()
    if plan_obj is None:
        raise Http404("no such plan")
    if request.method == "POST":
        if not may_approve_plans(user):
            raise PermissionDenied
        chosen = request.POST.getlist("line")
        line_ids = None
        error = ""
        if request.POST.get("which") != "all":
            if not chosen or not all(value.isdigit() for value in chosen):
                error = gettext("Choose the lines to approve, or approve all.")
            else:
                line_ids = [int(value) for value in chosen]
        if not error:
            try:
                counts = services.incentive_plan_approve(plan=plan_obj, by=user, line_ids=line_ids)
            except services.PlanError as exc:
                error = str(exc)
            else:
                messages.success(
                    request,
                    gettext(
                        "%(approved)s lines approved; %(proposed)s wait for a decision in the "
                        "proposals inbox."
                    )
                    % counts,
                )
                return redirect("talent:plan_detail", pk=plan_obj.pk)
        return _plan_page(request, plan_obj, error=error, status=422)
    return _plan_page(request, plan_obj)


def _plan_page(
    request: HttpRequest, plan_obj: Any, *, error: str = "", status: int = 200
) -> HttpResponse:
    user = request.user
    may_approve = may_approve_plans(user) and plan_obj.status != PlanStatus.APPROVED
    may_edit = may_plan(user) and plan_obj.status != PlanStatus.APPROVED
    own_employee = getattr(user, "employee_id", None)
    lines = selectors.incentive_plan_lines(user=user, plan=plan_obj, what="incentive plan")
    for line in lines:
        line.action_texts = [presenters.action_text(a) for a in line.actions]
        line.reason_texts = [presenters.plan_line_reason_text(r) for r in line.reasons]
        line.risk_fall = line.risk_before - line.risk_after
        line.net = line.effect - float(line.cost)
        line.return_ratio = presenters.line_return(effect=line.effect, cost=line.cost)
        line.editable = (
            may_edit
            and line.status == PlanLineStatus.PLANNED
            and (own_employee is None or line.employee_id != own_employee)
        )
        line.edit_fields = presenters.line_edit_fields(line) if line.editable else []
    summary = plan_obj.summary or {}
    curve = summary.get("curve") or []
    total_net = plan_obj.total_effect - float(plan_obj.total_cost)
    context = {
        "title": _("Incentive plan #%(id)s") % {"id": plan_obj.pk},
        "plan": plan_obj,
        "lines": lines,
        "summary": summary,
        "total_net": total_net,
        "total_return": presenters.line_return(
            effect=plan_obj.total_effect, cost=plan_obj.total_cost
        ),
        "spending_note": presenters.plan_spending_note(summary, budget=plan_obj.budget),
        "left_out": presenters.plan_left_out(summary),
        "gap_pct": (summary.get("gap") or 0) * 100,
        "may_approve": may_approve,
        "may_edit": may_edit and any(line.editable for line in lines),
        "error": error,
        "currency": Company.get().currency,
        "chart_curve": {
            "xLinear": True,
            "xTitle": gettext("Yearly budget"),
            "yTitle": gettext("Company currency"),
            "datasets": [
                {
                    "label": gettext("Expected retained value"),
                    "data": [{"x": p["budget"], "y": p["total_effect"]} for p in curve],
                },
                {
                    "label": gettext("Net value (retained value minus cost)"),
                    "data": [
                        {"x": p["budget"], "y": p.get("total_net", 0.0)}
                        for p in curve
                        if "total_net" in p
                    ],
                    "color": "#2f7d4f",
                },
            ],
        }
        if curve
        else None,
    }
    return render(request, "talent/plan_detail.html", context, status=status)


@login_required
@require_POST
def plan_line(request: HttpRequest, pk: int, line_id: int) -> HttpResponse:
    """Change a planned line's amounts (`amount_<instrument>` fields, company currency; only
    those that differ from the line's are sent on) or drop it (`do=drop`), then back to the
    plan. The roles that may make plans, never on an approved or proposed line, never by the
    person it is about; a refused change re-shows the plan with the reason (422)."""
    user = request.user
    require_reach(user, RISK, PAY_OF_MANY)
    plan_obj = _plans(user).filter(pk=pk).first()
    if plan_obj is None:
        raise Http404("no such plan")
    line = selectors.incentive_plan_line(user=user, plan=plan_obj, line_id=line_id)
    if line is None:
        raise Http404("no such line")
    if not may_plan(user):
        raise PermissionDenied
    try:
        if request.POST.get("do") == "drop":
            services.incentive_plan_line_drop(line=line, by=user)
            messages.success(
                request,
                gettext("%(name)s's line was dropped from the plan.")
                % {"name": line.employee.full_name},
            )
        else:
            amounts = _changed_amounts(request, line)
            if not amounts:
                messages.info(request, gettext("Nothing changed."))
            else:
                services.incentive_plan_line_update(line=line, by=user, amounts=amounts)
                messages.success(
                    request,
                    gettext("%(name)s's line was changed; the totals follow.")
                    % {"name": line.employee.full_name},
                )
    except services.PlanError as exc:
        plan_obj.refresh_from_db()
        return _plan_page(request, plan_obj, error=str(exc), status=422)
    return redirect("talent:plan_detail", pk=plan_obj.pk)


def _changed_amounts(request: HttpRequest, line: Any) -> dict[str, float]:
    """The amounts of the edit form that differ from the line's (PlanError for one that is not
    a number)."""
    amounts = {}
    for field in presenters.line_edit_fields(line):
        text = request.POST.get(field["name"], "").strip().replace(",", "")
        if not text:
            continue
        try:
            amount = float(text)
        except ValueError:
            raise services.PlanError(
                gettext("%(label)s: %(value)s is not a number.")
                % {"label": field["label"], "value": text[:40]}
            ) from None
        if abs(amount - float(field["amount"])) >= 0.005:
            amounts[field["instrument"]] = amount
    return amounts
