"""Recruiting pages: agencies (performance table and chart, one agency), requisitions (list
with filters and the time-to-fill chart, a new one, one requisition with its candidates by
stage, sharing with the suggested agencies, adding and moving candidates, closing)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from gmassist.core.choices import Action
from gmassist.core.permissions import ALL, Domain, reach, user_can
from gmassist.core.views_lib import ExportColumn, ListColumn, ListPage
from gmassist.voice.recruiting import presenters, selectors, services
from gmassist.voice.recruiting.choices import RequisitionStatus
from gmassist.voice.recruiting.forms import (
    AgencyForm,
    CandidateForm,
    CloseForm,
    RequisitionFilterForm,
    RequisitionForm,
    ShareForm,
    StageForm,
)
from gmassist.voice.recruiting.models import Candidate, Requisition


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _require_agencies(request: HttpRequest) -> None:
    """The agency pages are for the roles that see every agency (GM, assistant, HR)."""
    if reach(request.user, Domain.RECRUITING, Action.VIEW) != ALL:
        raise PermissionDenied


# --- agencies --------------------------------------------------------------------------------


@login_required
def agencies(request: HttpRequest) -> HttpResponse:
    """Every agency with its results (sent, interview and hire rates, days to hire, fees,
    guarantee breaches) as a table and a chart; a form to add one."""
    _require_agencies(request)
    form = AgencyForm(
        request.POST or None, initial={"fee_percent": 20, "guarantee_days": 90, "status": "active"}
    )
    if request.method == "POST" and form.is_valid():
        try:
            agency = services.agency_save(by=request.user, values=form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The agency is added."))
            return redirect("voice:agency_detail", pk=agency.pk)
    rows = selectors.agency_performance_for(user=request.user)
    agencies_by_id = selectors.agencies_visible(user=request.user).in_bulk()
    table = [{"agency": agencies_by_id[row.agency_id], "row": row} for row in rows]
    chart = {"performance": presenters.performance_chart(rows)}
    context = {
        "title": _("Recruiting agencies"),
        "table": table,
        "chart": chart,
        "form": form,
        "show_form": request.method == "POST",
    }
    return render(
        request, "voice/recruiting_agencies.html", context, status=422 if form.errors else 200
    )


@login_required
def agency_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One agency: contact, terms, results, the requisitions shared with it, its candidates;
    and its details to change."""
    _require_agencies(request)
    agency = selectors.agencies_visible(user=request.user).filter(pk=pk).first()
    if agency is None:
        raise Http404("not found")
    initial = {
        **{f: getattr(agency, f) for f in services.AGENCY_FIELDS},
        "specialities": ", ".join(agency.specialities or []),
        "regions": ", ".join(agency.regions or []),
    }
    form = AgencyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.agency_save(by=request.user, values=form.cleaned_data, agency=agency)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The agency is saved."))
            return redirect("voice:agency_detail", pk=agency.pk)
    performance = next(
        (r for r in selectors.agency_performance_for(user=request.user) if r.agency_id == pk),
        None,
    )
    context = {
        "title": agency.name,
        "agency": agency,
        "row": performance,
        "shares": agency.shares.select_related(
            "requisition", "requisition__position", "requisition__department"
        ).order_by("-shared_on"),
        "candidates": selectors.candidates_visible(user=request.user)
        .filter(agency=agency)
        .order_by("-applied_on")[:100],
        "form": form,
    }
    return render(request, "voice/agency_detail.html", context, status=422 if form.errors else 200)


# --- requisitions ----------------------------------------------------------------------------


class RequisitionListPage(ListPage):
    """The requisitions the user may see, with the time to fill and the overdue urgent ones."""

    title = gettext_lazy("Requisitions")
    template_name = "voice/requisitions.html"
    permission = (Domain.RECRUITING, Action.VIEW)
    filter_form_class = RequisitionFilterForm
    columns = [
        ListColumn(gettext_lazy("Code"), sort="code"),
        ListColumn(gettext_lazy("Position")),
        ListColumn(gettext_lazy("Department"), sort="department"),
        ListColumn(gettext_lazy("Count"), numeric=True),
        ListColumn(gettext_lazy("Urgency"), sort="urgency"),
        ListColumn(gettext_lazy("Opened"), sort="opened"),
        ListColumn(gettext_lazy("Target date"), sort="target"),
        ListColumn(gettext_lazy("Candidates"), numeric=True),
        ListColumn(gettext_lazy("Agencies"), numeric=True),
        ListColumn(gettext_lazy("Status"), sort="status"),
    ]
    default_sort = "-opened"
    row_template = "voice/requisition_row.html"
    export_permission = (Domain.RECRUITING, Action.EXPORT)
    export_name = "requisitions"
    export_columns = [
        ExportColumn("code", "code"),
        ExportColumn("position", "position.title"),
        ExportColumn("job_family", "position.job_family"),
        ExportColumn("department", "department.name"),
        ExportColumn("headcount", "headcount"),
        ExportColumn("urgency", "urgency"),
        ExportColumn("reason", "reason"),
        ExportColumn("opened_on", "opened_on"),
        ExportColumn("target_date", "target_date"),
        ExportColumn("status", "status"),
        ExportColumn("closed_on", "closed_on"),
        ExportColumn("candidates", "candidate_count"),
        ExportColumn("hired", "hired_count"),
        ExportColumn("shared_with_agencies", "share_count"),
    ]
    testid = "requisitions"

    def get_queryset(self, *, filters: dict[str, Any], sort: str) -> QuerySet[Requisition]:
        return selectors.requisition_list(
            user=self.request.user, today=timezone.localdate(), sort=sort, **filters
        )

    def get_export_queryset(self, *, filters: dict[str, Any], sort: str) -> QuerySet:
        allowed = selectors.requisitions_visible(user=self.request.user, action=Action.EXPORT)
        return self.get_queryset(filters=filters, sort=sort).filter(pk__in=allowed.values("pk"))

    def get_extra_context(self) -> dict[str, Any]:
        today = timezone.localdate()
        overview = selectors.recruiting_overview(user=self.request.user, today=today)
        by_department = overview["by_department"][:15]
        return {
            "today": today,
            "overview": overview,
            "may_open": reach(self.request.user, Domain.RECRUITING, Action.CHANGE) is not None,
            "chart": {"time_to_fill": presenters.time_to_fill_chart(by_department)},
        }


@login_required
def requisition_new(request: HttpRequest) -> HttpResponse:
    if reach(request.user, Domain.RECRUITING, Action.CHANGE) is None:
        raise PermissionDenied
    form = RequisitionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            requisition = services.requisition_open(by=request.user, **data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The requisition is open."))
            return redirect("voice:requisition_detail", pk=requisition.pk)
    return render(
        request,
        "voice/requisition_form.html",
        {"title": _("Open a requisition"), "form": form},
        status=422 if form.errors else 200,
    )


def _visible_requisition(request: HttpRequest, pk: int) -> Requisition:
    requisition = selectors.requisitions_visible(user=request.user).filter(pk=pk).first()
    if requisition is None:
        raise Http404("not found")
    return requisition


def _detail(request: HttpRequest, requisition: Requisition, status: int = 200, **forms):
    user = request.user
    agencies = selectors.agencies_visible(user=user).filter(status="active").order_by("name")
    suggestions = selectors.agency_suggestions(user=user, requisition=requisition)
    shared_ids = set(requisition.shares.values_list("agency_id", flat=True))
    share_form = forms.get("share_form") or ShareForm(
        agencies=agencies.exclude(pk__in=shared_ids),
        initial={"agencies": [s.agency_id for s in suggestions[:3]]},
    )
    today = timezone.localdate()
    context = {
        "title": str(requisition),
        "requisition": requisition,
        "stages": selectors.requisition_candidates_by_stage(requisition=requisition),
        "shares": requisition.shares.select_related("agency", "shared_by").order_by("shared_on"),
        "suggestions": [
            {"s": s, "reasons": [presenters.reason_text(r) for r in s.reasons]} for s in suggestions
        ],
        "share_form": share_form,
        "candidate_form": forms.get("candidate_form") or CandidateForm(agencies=agencies),
        "close_form": forms.get("close_form") or CloseForm(),
        "stage_form": StageForm(user=user),
        "may_change": user_can(user, Action.CHANGE, requisition),
        "may_share": agencies.exists(),
        "is_open": requisition.status == RequisitionStatus.OPEN,
        "overdue_days": (today - requisition.target_date).days
        if requisition.status == RequisitionStatus.OPEN and requisition.target_date < today
        else 0,
    }
    return render(request, "voice/requisition_detail.html", context, status=status)


@login_required
def requisition_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _visible_requisition(request, pk))


@login_required
@require_POST
def requisition_share(request: HttpRequest, pk: int) -> HttpResponse:
    requisition = _visible_requisition(request, pk)
    agencies = selectors.agencies_visible(user=request.user)
    form = ShareForm(request.POST, agencies=agencies)
    if form.is_valid():
        try:
            shared = services.requisition_share(
                by=request.user,
                requisition=requisition,
                agencies=list(form.cleaned_data["agencies"]),
                message=form.cleaned_data["message"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request,
                ngettext(
                    "Shared with %(count)d agency (%(emailed)d e-mailed).",
                    "Shared with %(count)d agencies (%(emailed)d e-mailed).",
                    len(shared.shares),
                )
                % {"count": len(shared.shares), "emailed": shared.emailed},
            )
            return redirect("voice:requisition_detail", pk=requisition.pk)
    return _detail(request, requisition, status=422, share_form=form)


@login_required
@require_POST
def requisition_close(request: HttpRequest, pk: int) -> HttpResponse:
    requisition = _visible_requisition(request, pk)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            services.requisition_close(
                by=request.user, requisition=requisition, status=form.cleaned_data["status"]
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The requisition is closed."))
            return redirect("voice:requisition_detail", pk=requisition.pk)
    return _detail(request, requisition, status=422, close_form=form)


@login_required
@require_POST
def candidate_add(request: HttpRequest, pk: int) -> HttpResponse:
    requisition = _visible_requisition(request, pk)
    form = CandidateForm(request.POST, agencies=selectors.agencies_visible(user=request.user))
    if form.is_valid():
        try:
            services.candidate_add(by=request.user, requisition=requisition, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The candidate is added."))
            return redirect("voice:requisition_detail", pk=requisition.pk)
    return _detail(request, requisition, status=422, candidate_form=form)


@login_required
@require_POST
def candidate_stage(request: HttpRequest, pk: int) -> HttpResponse:
    candidate: Candidate | None = (
        selectors.candidates_visible(user=request.user).filter(pk=pk).first()
    )
    if candidate is None:
        raise Http404("not found")
    form = StageForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.candidate_move(
                by=request.user,
                candidate=candidate,
                stage=form.cleaned_data["stage"],
                on=form.cleaned_data["on"],
                hired_employee=form.cleaned_data["hired_employee"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The candidate is moved."))
            return redirect("voice:requisition_detail", pk=candidate.requisition_id)
    for error in form.errors.values():
        messages.error(request, " ".join(error))
    return _detail(request, candidate.requisition, status=422)
