"""Triage pages (the GM's office only): the waiting matters with their proposals and one-click
decisions, a matter with its history, a request typed in, the decided matters, the GM's rules,
and the acceptance report."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gmassist.core.choices import Action
from gmassist.core.permissions import Domain, may
from gmassist.core.views_lib import form_errors_from
from gmassist.office.triage import presenters, selectors, services
from gmassist.office.triage.choices import Category, Route
from gmassist.office.triage.forms import DecideForm, MatterForm, RuleForm
from gmassist.office.triage.models import Matter, TriageRule

PAGE_SIZE = 25


def _require_view(request: HttpRequest) -> None:
    if not may(request.user, Domain.OFFICE_TRIAGE, Action.VIEW):
        raise PermissionDenied


def _visible_matter(request: HttpRequest, pk: int) -> Matter:
    matter = selectors.matters_visible(user=request.user).filter(pk=pk).first()
    if matter is None:
        raise Http404("not found")
    return matter


def matter_row(matter: Matter) -> dict[str, Any]:
    """What the list and the matter's page show of a matter's proposal."""
    return {
        "matter": matter,
        "reasons": presenters.proposal_reasons(matter),
        "confidence_percent": round(matter.confidence * 100),
        "route_label": presenters.route_label(matter.proposed_route),
        "category_label": presenters.category_label(matter.proposed_category),
    }


def _owners_for(matter: Matter, shortlist: list) -> list:
    """The one-click owners of a matter: its proposed owner first when not on the shortlist."""
    owner = matter.proposed_owner
    if owner is None or any(person.pk == owner.pk for person in shortlist):
        return shortlist
    return [owner, *shortlist]


def _page(request: HttpRequest, rows) -> Any:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _list_context(request: HttpRequest, *, errors: dict | None = None) -> dict[str, Any]:
    page = _page(request, selectors.matters_waiting(user=request.user))
    errors = errors or {}
    shortlist = selectors.delegate_shortlist()
    return {
        "title": _("Triage"),
        "page_obj": page,
        "rows": [
            {**matter_row(m), "errors": errors.get(m.pk, []), "owners": _owners_for(m, shortlist)}
            for m in page.object_list
        ],
        "may_decide": services.may_decide(request.user),
        "may_submit": services.may_submit(request.user),
        "threshold_percent": round(services.unsure_below() * 100),
    }


@login_required
def triage_list(request: HttpRequest) -> HttpResponse:
    """The matters waiting for the GM, the oldest first, each with its proposal."""
    _require_view(request)
    return render(request, "office/triage/list.html", _list_context(request))


@login_required
def matter_new(request: HttpRequest) -> HttpResponse:
    """The assistant (or the GM) types a matter in: a letter, a call, a document, a finding."""
    if not services.may_submit(request.user):
        raise PermissionDenied
    form = MatterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            matter = services.matter_submit(
                by=request.user,
                title=data["title"],
                text=data["text"],
                source=data["source"],
                department=data["department"],
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(
                request,
                _("The matter is in the triage; proposed: %(route)s.")
                % {"route": presenters.route_label(matter.proposed_route)},
            )
            return redirect("office:triage_matter", pk=matter.pk)
    return render(
        request,
        "office/triage/matter_new.html",
        {"title": _("A new matter"), "form": form},
        status=422 if form.is_bound and form.errors else 200,
    )


def _detail_context(request: HttpRequest, matter: Matter, form: DecideForm | None = None):
    decisions = list(selectors.matter_decisions(user=request.user, matter=matter))
    return {
        "title": matter.title,
        **matter_row(matter),
        "decisions": [
            {
                "decision": d,
                "route_label": presenters.route_label(d.route),
                "category_label": presenters.category_label(d.category),
            }
            for d in decisions
        ],
        "owners": list(selectors.delegate_choices()),
        "may_decide": services.may_decide(request.user),
        "form": form
        or DecideForm(
            initial={
                "route": matter.route or matter.proposed_route,
                "owner": matter.owner_id or matter.proposed_owner_id,
            }
        ),
        "categories": Category.choices,
        "decided_route_label": presenters.route_label(matter.route) if matter.route else "",
        "decided_category_label": presenters.category_label(matter.category)
        if matter.category
        else "",
    }


@login_required
def matter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A matter: what came in, the proposal with its reasons, the decisions so far."""
    matter = _visible_matter(request, pk)
    return render(request, "office/triage/matter.html", _detail_context(request, matter))


@login_required
@require_POST
def matter_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """The GM's one click: confirm, the GM's, delegate to someone, not the company's business
    (from the list, `return_to=list`, or the matter's page)."""
    matter = _visible_matter(request, pk)
    if not services.may_decide(request.user):
        raise PermissionDenied
    form = DecideForm(request.POST)
    from_list = request.POST.get("return_to") == "list"
    if form.is_valid():
        data = form.cleaned_data
        try:
            matter = services.matter_decide(
                matter=matter,
                by=request.user,
                route=data["route"],
                owner=data["owner"],
                category=data["category"],
                note=data["note"],
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            if matter.route == Route.DELEGATE:
                text = _("Delegated to %(owner)s.") % {"owner": matter.owner}
            else:
                text = _("Decided: %(route)s.") % {"route": presenters.route_label(matter.route)}
            messages.success(request, text)
            if from_list:
                return redirect("office:triage")
            return redirect("office:triage_matter", pk=matter.pk)
    if from_list:
        errors = {matter.pk: [e for field_errors in form.errors.values() for e in field_errors]}
        return render(
            request, "office/triage/list.html", _list_context(request, errors=errors), status=422
        )
    context = _detail_context(request, matter, form)
    return render(request, "office/triage/matter.html", context, status=422)


@login_required
def decided_list(request: HttpRequest) -> HttpResponse:
    """The decided matters, the latest first; by route, accepted or corrected."""
    _require_view(request)
    route = request.GET.get("route", "")
    route = route if route in Route.values else ""
    accepted_arg = request.GET.get("accepted", "")
    accepted = {"yes": True, "no": False}.get(accepted_arg)
    page = _page(
        request, selectors.matters_decided(user=request.user, route=route, accepted=accepted)
    )
    rows = [
        {
            **matter_row(m),
            "decided_route_label": presenters.route_label(m.route),
            "decided_category_label": presenters.category_label(m.category),
        }
        for m in page.object_list
    ]
    return render(
        request,
        "office/triage/decided.html",
        {
            "title": _("Decided matters"),
            "page_obj": page,
            "rows": rows,
            "routes": Route.choices,
            "route": route,
            "accepted": accepted_arg if accepted is not None else "",
        },
    )


def _rules_context(request: HttpRequest, form: RuleForm | None = None, editing=None):
    rules = list(selectors.rules_visible(user=request.user))
    return {
        "title": _("Triage rules"),
        "rules": [
            {
                "rule": r,
                "category_label": presenters.category_label(r.category),
                "route_label": presenters.route_label(r.route),
            }
            for r in rules
        ],
        "form": form or RuleForm(),
        "editing": editing,
        "may_edit": services.may_decide(request.user),
    }


def _rule_write(request: HttpRequest, form: RuleForm, rule: TriageRule | None):
    data = form.cleaned_data
    return services.rule_save(
        by=request.user,
        rule=rule,
        phrases_en=data["phrases_en"],
        phrases_zh=data["phrases_zh"],
        category=data["category"],
        route=data["route"],
        owner=data["owner"],
        active=data["active"],
    )


@login_required
def rules_page(request: HttpRequest) -> HttpResponse:
    """The GM's rules in their order, and a form for a new one (the GM)."""
    _require_view(request)
    form = None
    if request.method == "POST":
        if not services.may_decide(request.user):
            raise PermissionDenied
        form = RuleForm(request.POST)
        if form.is_valid():
            try:
                _rule_write(request, form, None)
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(
                    request, _("The rule is added; waiting matters are proposed again.")
                )
                return redirect("office:triage_rules")
    context = _rules_context(request, form)
    status = 422 if form is not None and form.errors else 200
    return render(request, "office/triage/rules.html", context, status=status)


def _visible_rule(request: HttpRequest, pk: int) -> TriageRule:
    rule = selectors.rules_visible(user=request.user).filter(pk=pk).first()
    if rule is None:
        raise Http404("not found")
    return rule


@login_required
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change one rule (the GM)."""
    rule = _visible_rule(request, pk)
    if not services.may_decide(request.user):
        raise PermissionDenied
    initial = {
        "phrases_en": ", ".join(rule.phrases_en),
        "phrases_zh": "，".join(rule.phrases_zh),
        "category": rule.category,
        "route": rule.route,
        "owner": rule.owner,
        "active": rule.active,
    }
    form = RuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            _rule_write(request, form, rule)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The rule is changed; waiting matters are proposed again."))
            return redirect("office:triage_rules")
    return render(
        request,
        "office/triage/rule_edit.html",
        {"title": _("Change the rule"), "form": form, "rule": rule},
        status=422 if form.is_bound and form.errors else 200,
    )


@login_required
@require_POST
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = _visible_rule(request, pk)
    if not services.may_decide(request.user):
        raise PermissionDenied
    services.rule_delete(rule=rule, by=request.user)
    messages.success(request, _("The rule is deleted."))
    return redirect("office:triage_rules")


@login_required
@require_POST
def rule_move(request: HttpRequest, pk: int) -> HttpResponse:
    rule = _visible_rule(request, pk)
    if not services.may_decide(request.user):
        raise PermissionDenied
    try:
        services.rule_move(rule=rule, by=request.user, up=request.POST.get("direction") != "down")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("office:triage_rules")


@login_required
def report_page(request: HttpRequest) -> HttpResponse:
    """How often the GM accepted the proposal: overall, per category, per month."""
    _require_view(request)
    report = selectors.acceptance_report(user=request.user)
    return render(
        request,
        "office/triage/report.html",
        {
            "title": _("Triage: how often the proposal was accepted"),
            "report": report,
            "rate_percent": None if report["rate"] is None else round(report["rate"] * 100, 1),
            "bars": presenters.acceptance_bars(report),
        },
    )
