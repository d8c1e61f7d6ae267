"""The workforce pages: plans, a plan (demand, supply, gaps, recruitment plan), its scenarios
side by side, and the backtest. Thin: parse, call selectors and services, present."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gmassist.core.permissions import ALL, Action, Domain, reach
from gmassist.core.views_lib import require_reach
from gmassist.workforce import presenters, selectors, services
from gmassist.workforce.forms import BacktestForm, PlanBuildForm, ScenarioForm
from gmassist.workforce.models import Plan

VIEW = (Domain.WORKFORCE, Action.VIEW)


def _may(user: Any, action: str) -> bool:
    return reach(user, Domain.WORKFORCE, action) is not None


def _plan(user: Any, pk: int) -> Plan:
    plan = selectors.plans_visible(user=user).filter(pk=pk).first()
    if plan is None:
        raise Http404("no such plan")
    return plan


def _summary(user: Any, plan: Plan) -> dict[str, Any]:
    """The company figures for those who see the whole company, the sum of their lines for a
    department head."""
    if reach(user, Domain.WORKFORCE, Action.VIEW) == ALL:
        return plan.summary
    lines = list(selectors.plan_lines(user=user, plan=plan))
    return presenters.head_summary(lines, plan.summary.get("quarter_ends", []))


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """The plans (newest first) and, for those who may change them, a form that builds a new
    version: every department and job family growing by a yearly percentage."""
    user = request.user
    require_reach(user, VIEW, ())
    form = PlanBuildForm(request.POST or None, initial={"as_of": timezone.localdate().isoformat()})
    if request.method == "POST":
        if not _may(user, Action.CHANGE):
            raise PermissionDenied
        if form.is_valid():
            try:
                plan = services.plan_build(
                    name=form.cleaned_data["name"],
                    as_of=form.cleaned_data["as_of"],
                    horizon=form.cleaned_data["horizon"],
                    growth_percent=form.cleaned_data["growth_percent"],
                    runs=form.cleaned_data["runs"],
                    by=user,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("%(plan)s built.") % {"plan": plan})
                return redirect("workforce:plan", pk=plan.pk)
    plans = list(selectors.plans_visible(user=user)[:50])
    return render(
        request,
        "workforce/overview.html",
        {
            "title": _("Workforce plan"),
            "plans": plans,
            "form": form,
            "may_change": _may(user, Action.CHANGE),
            "backtest": selectors.latest_backtest(user=user),
            "whole_company": reach(user, Domain.WORKFORCE, Action.VIEW) == ALL,
        },
        status=400 if form.errors else 200,
    )


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A plan: demand and supply per quarter (chart and table), the gaps with their interval
    and cost, internal moves, the recruitment plan; "propose requisitions" makes one proposal
    per line of the recruitment plan (nothing opens until approved)."""
    user = request.user
    require_reach(user, VIEW, ())
    plan = _plan(user, pk)
    if request.method == "POST":
        if not _may(user, Action.PROPOSE):
            raise PermissionDenied
        proposals = services.plan_requisitions_propose(plan=plan, by=user)
        messages.success(
            request,
            ngettext(
                "%(n)d requisition proposed: it opens once approved.",
                "%(n)d requisitions proposed: they open once approved.",
                len(proposals),
            )
            % {"n": len(proposals)},
        )
        return redirect("workforce:plan", pk=plan.pk)
    summary = _summary(user, plan)
    found = selectors.plan_gaps(user=user, plan=plan)
    versions = list(selectors.plans_visible(user=user).filter(name=plan.name).order_by("-version"))
    return render(
        request,
        "workforce/plan.html",
        {
            "title": str(plan),
            "plan": plan,
            "rows": presenters.company_rows(summary),
            "chart": presenters.plan_chart(summary),
            "gaps": presenters.gap_rows(found),
            "moves": found.moves,
            "requisitions": found.requisitions,
            "versions": versions,
            "may_propose": _may(user, Action.PROPOSE),
            "whole_company": reach(user, Domain.WORKFORCE, Action.VIEW) == ALL,
        },
    )


@login_required
def plan_scenarios(request: HttpRequest, pk: int) -> HttpResponse:
    """A plan's scenarios side by side (head count, people short and leavers per quarter);
    those who may change plans add one."""
    user = request.user
    require_reach(user, VIEW, (ALL,))
    plan = _plan(user, pk)
    form = ScenarioForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not _may(user, Action.CHANGE):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.scenario_run(
                    plan=plan,
                    name=form.cleaned_data["name"],
                    kind=form.cleaned_data["kind"],
                    percent=form.cleaned_data["percent"],
                    department=form.cleaned_data["department"],
                    by=user,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                return redirect("workforce:scenarios", pk=plan.pk)
        status = 400
    scenarios = list(selectors.scenarios_of(user=user, plan=plan))
    labels = presenters.quarter_labels(plan.summary.get("quarter_ends", []))
    columns = [(_("As planned"), plan.summary.get("company", {}))] + [
        (s.name, s.result) for s in scenarios
    ]
    return render(
        request,
        "workforce/scenarios.html",
        {
            "title": _("Scenarios of %(plan)s") % {"plan": plan},
            "whole_company": True,
            "plan": plan,
            "form": form,
            "may_change": _may(user, Action.CHANGE),
            "columns": columns,
            "labels": labels,
            "chart": presenters.scenario_chart(plan.summary, scenarios),
        },
        status=status,
    )


@login_required
def backtest(request: HttpRequest) -> HttpResponse:
    """The latest backtest: the model's and both baselines' errors for the company and per
    department, and the company's head count against the three forecasts."""
    user = request.user
    require_reach(user, VIEW, (ALL,))
    form = BacktestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not _may(user, Action.CHANGE):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.backtest_run(
                    as_of=form.cleaned_data["as_of"], horizon=form.cleaned_data["horizon"], by=user
                )
            except ValidationError as exc:
                form.add_error("as_of", exc.message_dict.get("as_of", exc.messages))
            else:
                return redirect("workforce:backtest")
        status = 400
    latest = selectors.latest_backtest(user=user)
    return render(
        request,
        "workforce/backtest.html",
        {
            "title": _("Backtest of the workforce plan"),
            "backtest": latest,
            "result": latest.result if latest else None,
            "chart": presenters.backtest_chart(latest.result) if latest else None,
            "methods": presenters.backtest_methods(),
            "whole_company": True,
            "form": form,
            "may_change": _may(user, Action.CHANGE),
        },
        status=status,
    )
