"""Pages of the decisions register: the register, a decision (with acknowledgement status,
questions, objections and the consensus summary), drafting, publishing, amending,
withdrawing, acknowledging, responding, answering and reminding. Thin: forms in, services
and selectors out."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from gmassist.core.anonymity import mark_anonymous_act
from gmassist.core.choices import Action
from gmassist.core.job_pages import inline_job_context
from gmassist.core.permissions import Domain, reach
from gmassist.core.services import job_submit
from gmassist.core.views_lib import ExportColumn, ListColumn, ListPage
from gmassist.decisions import jobs, selectors, services
from gmassist.decisions.choices import ResponseKind, ResponseTheme
from gmassist.decisions.forms import (
    AnswerForm,
    DecisionForm,
    RegisterFilterForm,
    RespondForm,
    WithdrawForm,
)
from gmassist.decisions.models import Decision

# how many of those who have not acknowledged the page lists (the API pages through all)
PENDING_SHOWN = 50


def _decision_or_404(request: HttpRequest, pk: int) -> Decision:
    decision = selectors.decisions_visible(user=request.user).filter(pk=pk).first()
    if decision is None:
        raise Http404("no such decision")
    return decision


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _form_errors(form: Any, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form, by field where the form has the field."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- the register ----------------------------------------------------------------------------


class RegisterPage(ListPage):
    title = _("Decisions")
    permission = (Domain.DECISIONS, Action.VIEW)
    filter_form_class = RegisterFilterForm
    columns = [
        ListColumn(_("Title"), sort="title"),
        ListColumn(_("Status"), sort="status"),
        ListColumn(_("Effective"), sort="effective_date"),
        ListColumn(_("Decided for")),
        ListColumn(_("Acknowledged"), numeric=True),
    ]
    default_sort = "-effective_date"
    row_template = "decisions/_register_row.html"
    template_name = "decisions/register.html"
    export_permission = (Domain.DECISIONS, Action.EXPORT)
    export_columns = [
        ExportColumn(_("Title"), "title"),
        ExportColumn(_("Status"), "get_status_display"),
        ExportColumn(_("Effective"), "effective_date"),
        ExportColumn(_("Version"), "version"),
        ExportColumn(_("Decided for"), "department.name"),
        ExportColumn(_("Addressees"), "addressee_count"),
        ExportColumn(_("Acknowledged"), "acknowledged_count"),
    ]
    export_name = "decisions"
    testid = "decisions"

    def get_queryset(self, *, filters: dict[str, Any], sort: str) -> QuerySet[Decision]:
        return selectors.decision_register(user=self.request.user, sort=sort, **filters)

    def clean_filters(self, form: Any) -> dict[str, Any]:
        return form.selector_filters()

    def get_extra_context(self) -> dict[str, Any]:
        return {"may_draft": reach(self.request.user, Domain.DECISIONS, Action.CHANGE) is not None}


# --- one decision ----------------------------------------------------------------------------


def _chart(by_department: list[dict]) -> dict[str, Any]:
    return {
        "labels": [row["department"] for row in by_department],
        "acknowledged": [row["acknowledged"] for row in by_department],
        "pending": [row["pending"] for row in by_department],
        "names": {"acknowledged": gettext("Acknowledged"), "pending": gettext("Not yet")},
    }


def _detail_context(request: HttpRequest, decision: Decision, **extra: Any) -> dict[str, Any]:
    user = request.user
    mine = selectors.own_acknowledgement(user=user, decision=decision)
    readers = selectors.may_read_responses(user=user, decision=decision)
    sees_status = reach(user, Domain.DECISIONS, Action.VIEW) not in (None, "self")
    context: dict[str, Any] = {
        "title": decision.title,
        "decision": decision,
        "audience": services.audience_of(decision),
        "versions": list(selectors.decision_versions(decision=decision)),
        "mine": mine,
        "needs_action": mine is not None and decision.is_live and mine.acknowledged_at is None,
        "may_respond": mine is not None and decision.is_live,
        "may_change": services.may_change(user, decision),
        "may_approve": services.may_approve(user, decision),
        "readers": readers,
        "questions": list(selectors.decision_questions(decision=decision)),
        "respond_form": extra.pop("respond_form", None) or RespondForm(),
        "answer_form": AnswerForm(),
        "job": None,
    }
    if sees_status and decision.status != "draft":
        by_department = selectors.acknowledgement_by_department(user=user, decision=decision)
        pending = selectors.addressees_list(user=user, decision=decision, acknowledged=False)
        context.update(
            by_department=by_department,
            addressees=sum(row["total"] for row in by_department),
            acknowledged=sum(row["acknowledged"] for row in by_department),
            pending_rows=list(pending[:PENDING_SHOWN]),
            pending_total=sum(row["pending"] for row in by_department),
            chart=_chart(by_department),
        )
    if readers and decision.status != "draft":
        summary = selectors.decision_consensus(user=user, decision=decision)
        themes = dict(ResponseTheme.choices)
        context.update(
            consensus=summary,
            objections_by_theme=[
                {"label": themes.get(g.key, g.key), "count": g.count, "quotes": g.quotes}
                for g in summary.objections_by_theme
            ],
            objections_by_department=[
                {"label": g.key or gettext("Anonymous"), "count": g.count, "quotes": g.quotes}
                for g in summary.objections_by_department
            ],
            consensus_rows=[
                {
                    "kind": kind,
                    "label": label,
                    "count": summary.counts[kind],
                    "share": summary.share_of_responses[kind],
                    "share_of_addressees": summary.share_of_addressees[kind],
                }
                for kind, label in (
                    (ResponseKind.SUPPORT, gettext("Support")),
                    (ResponseKind.OBJECTION, gettext("Objections")),
                    (ResponseKind.QUESTION, gettext("Questions")),
                )
            ],
            others=list(
                selectors.decision_responses(user=user, decision=decision).exclude(
                    kind=ResponseKind.QUESTION
                )[:100]
            ),
        )
    context.update(extra)
    return context


@login_required
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A decision: what, why, for whom, its versions; for its addressees the acknowledge and
    respond forms; for those who see it, who has acknowledged and what people said."""
    decision = _decision_or_404(request, pk)
    job = inline_job_context(user=request.user, job_id=request.GET.get("job"))
    return render(request, "decisions/detail.html", _detail_context(request, decision, **job))


# --- drafting, publishing, amending, withdrawing ---------------------------------------------


def _initial(decision: Decision) -> dict[str, Any]:
    return {
        "title": decision.title,
        "summary": decision.summary,
        "rationale": decision.rationale,
        "effective_date": decision.effective_date,
        "department": decision.department_id,
        "audience_departments": list(decision.audience_departments.all()),
        "audience_roles": decision.audience_roles,
        "audience_people": " ".join(decision.audience_people.values_list("employee_no", flat=True)),
        "substantive": True,
    }


@login_required
def decision_create(request: HttpRequest) -> HttpResponse:
    """Draft a new decision."""
    if reach(request.user, Domain.DECISIONS, Action.CHANGE) is None:
        raise PermissionDenied
    form = DecisionForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                decision = services.decision_create(
                    by=request.user,
                    title=data["title"],
                    summary=data["summary"],
                    rationale=data["rationale"],
                    effective_date=data["effective_date"],
                    department=data["department"],
                    audience=form.audience(),
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, gettext("Draft saved. Publish it when it is ready."))
                return redirect("decisions:detail", pk=decision.pk)
        status = 422
    context = {"form": form, "title": gettext("New decision"), "mode": "create"}
    return render(request, "decisions/form.html", context, status=status)


@login_required
def decision_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Rewrite a draft."""
    decision = _decision_or_404(request, pk)
    if not services.may_change(request.user, decision):
        raise PermissionDenied
    if decision.status != "draft":
        return redirect("decisions:amend", pk=decision.pk)
    form = DecisionForm(request.POST or None, user=request.user, initial=_initial(decision))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.decision_update(
                    decision=decision,
                    by=request.user,
                    title=data["title"],
                    summary=data["summary"],
                    rationale=data["rationale"],
                    effective_date=data["effective_date"],
                    audience=form.audience(),
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, gettext("Draft saved."))
                return redirect("decisions:detail", pk=decision.pk)
        status = 422
    context = {"form": form, "title": decision.title, "decision": decision, "mode": "edit"}
    return render(request, "decisions/form.html", context, status=status)


def _same_audience(a: services.Audience, b: services.Audience) -> bool:
    return (
        {d.pk for d in a.departments} == {d.pk for d in b.departments}
        and set(a.roles) == set(b.roles)
        and {p.pk for p in a.people} == {p.pk for p in b.people}
    )


@login_required
def decision_amend(request: HttpRequest, pk: int) -> HttpResponse:
    """Amend a published decision (a new version; the addressees are told by e-mail)."""
    decision = _decision_or_404(request, pk)
    if not services.may_approve(request.user, decision):
        raise PermissionDenied
    form = DecisionForm(
        request.POST or None, user=request.user, amending=True, initial=_initial(decision)
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            audience = form.audience()
            try:
                services.decision_amend(
                    decision=decision,
                    by=request.user,
                    title=data["title"],
                    summary=data["summary"],
                    rationale=data["rationale"],
                    effective_date=data["effective_date"],
                    change_note=data["change_note"],
                    substantive=data["substantive"],
                    audience=None
                    if _same_audience(audience, services.audience_of(decision))
                    else audience,
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                job = job_submit(
                    kind=jobs.NOTIFY,
                    params={"decision_id": decision.pk, "base_url": _base_url(request)},
                    by=request.user,
                )
                messages.success(request, gettext("Amended; the addressees are being told."))
                return redirect(f"/decisions/{decision.pk}/?job={job.pk}")
        status = 422
    context = {"form": form, "title": decision.title, "decision": decision, "mode": "amend"}
    return render(request, "decisions/form.html", context, status=status)


@login_required
def decision_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw a published decision, with the reason."""
    decision = _decision_or_404(request, pk)
    if not services.may_approve(request.user, decision):
        raise PermissionDenied
    form = WithdrawForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.decision_withdraw(
                    decision=decision, by=request.user, reason=form.cleaned_data["reason"]
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, gettext("The decision is withdrawn."))
                return redirect("decisions:detail", pk=decision.pk)
        status = 422
    context = {"form": form, "title": decision.title, "decision": decision}
    return render(request, "decisions/withdraw.html", context, status=status)


def _post_outcome(request: HttpRequest, decision: Decision, action) -> HttpResponse:
    """Run `action()`; a refusal by the data is a message on the decision's page (409)."""
    try:
        result = action()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        context = _detail_context(request, decision)
        return render(request, "decisions/detail.html", context, status=409)
    return result


@login_required
@require_POST
def decision_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish a draft as a job; the page follows its progress."""
    decision = _decision_or_404(request, pk)
    if not services.may_approve(request.user, decision):
        raise PermissionDenied

    def publish() -> HttpResponse:
        services.decision_check_publishable(decision=decision, by=request.user)
        job = job_submit(
            kind=jobs.PUBLISH,
            params={"decision_id": decision.pk, "base_url": _base_url(request)},
            by=request.user,
        )
        return redirect(f"/decisions/{decision.pk}/?job={job.pk}")

    return _post_outcome(request, decision, publish)


@login_required
@require_POST
def decision_remind(request: HttpRequest, pk: int) -> HttpResponse:
    """Remind those who have not acknowledged (a job)."""
    decision = _decision_or_404(request, pk)
    if not services.may_change(request.user, decision):
        raise PermissionDenied

    def remind() -> HttpResponse:
        services.decision_check_remindable(decision=decision, by=request.user)
        job = job_submit(
            kind=jobs.REMIND,
            params={"decision_id": decision.pk, "base_url": _base_url(request)},
            by=request.user,
        )
        messages.success(request, gettext("Reminders are on their way."))
        return redirect(f"/decisions/{decision.pk}/?job={job.pk}")

    return _post_outcome(request, decision, remind)


@login_required
@require_POST
def decision_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a draft."""
    decision = _decision_or_404(request, pk)
    if not services.may_change(request.user, decision):
        raise PermissionDenied

    def delete() -> HttpResponse:
        services.decision_delete_draft(decision=decision, by=request.user)
        messages.success(request, gettext("Draft deleted."))
        return redirect("decisions:register")

    return _post_outcome(request, decision, delete)


# --- the addressees' side --------------------------------------------------------------------


@login_required
@require_POST
def decision_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    """Acknowledge the decision (from its page or the inbox)."""
    decision = _decision_or_404(request, pk)

    def acknowledge() -> HttpResponse:
        services.decision_acknowledge(decision=decision, by=request.user)
        messages.success(request, gettext("Acknowledged. Thank you."))
        return redirect("decisions:detail", pk=decision.pk)

    return _post_outcome(request, decision, acknowledge)


@login_required
@require_POST
def decision_respond(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask, object or support, named or anonymous."""
    decision = _decision_or_404(request, pk)
    form = RespondForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        if data["anonymous"]:
            mark_anonymous_act(request)
        try:
            services.decision_respond(
                decision=decision,
                by=request.user,
                kind=data["kind"],
                theme=data["theme"],
                text=data["text"],
                anonymous=data["anonymous"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                gettext("Sent anonymously: nothing links it to you.")
                if data["anonymous"]
                else gettext("Sent."),
            )
            return redirect("decisions:detail", pk=decision.pk)
    context = _detail_context(request, decision, respond_form=form)
    return render(request, "decisions/detail.html", context, status=422)


@login_required
@require_POST
def response_answer(request: HttpRequest, pk: int, response_id: uuid.UUID) -> HttpResponse:
    """Answer a question."""
    decision = _decision_or_404(request, pk)
    response = (
        selectors.responses_readable(user=request.user, decision=decision)
        .filter(pk=response_id)
        .first()
    )
    if response is None:
        raise Http404("no such question")
    if not services.may_change(request.user, decision):
        raise PermissionDenied
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.response_answer(
                response=response, by=request.user, answer=form.cleaned_data["answer"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, gettext("Answer published."))
            return redirect("decisions:detail", pk=decision.pk)
    else:
        messages.error(request, gettext("Write the answer."))
    return render(request, "decisions/detail.html", _detail_context(request, decision), status=422)
