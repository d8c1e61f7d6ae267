"""Core pages: home, language, imports with their jobs, proposals, the audit log, API tokens.

Views stay thin: they parse input with a form, read through selectors and write through
services; list pages are `ListPage`s (see `views_lib.py`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from gmassist.core import selectors, services
from gmassist.core.choices import Action, AuditAction, ProposalStatus
from gmassist.core.forms import (
    AuditFilterForm,
    DecisionForm,
    ImportForm,
    LanguageForm,
    OutsideDecisionForm,
    ThrottledPasswordChangeForm,
    TokenForm,
)
from gmassist.core.job_pages import import_outcome, job_page_context, job_page_for
from gmassist.core.models import Company, Job, Proposal, User
from gmassist.core.permissions import ALL, SUBTREE, Domain, reach, user_role
from gmassist.core.uploads import upload_save
from gmassist.core.views_lib import (
    DetailPage,
    ExportColumn,
    ListColumn,
    ListPage,
    is_htmx_partial,
    require_reach,
)

IMPORT_JOB = "core.import"

# --- home ------------------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The company at a glance for those who see many people; one's own record for the rest."""
    from gmassist.org import selectors as org_selectors

    user = request.user
    context: dict[str, Any] = {"currency": Company.get().currency, "headcount_by_department": []}
    if reach(user, Domain.PEOPLE, Action.VIEW) in (ALL, SUBTREE):
        headcount = org_selectors.headcount_by_department(user=user)
        months = org_selectors.hires_and_leavers_by_month(user=user, months=24)
        context.update(
            glance=True,
            headcount_by_department=headcount,
            headcount_total=sum(row["headcount"] for row in headcount),
            hires_and_leavers=months,
            hires_total=sum(row["hires"] for row in months),
            leavers_total=sum(row["leavers"] for row in months),
            chart_headcount={
                "labels": [row["name"] for row in headcount],
                "values": [row["headcount"] for row in headcount],
            },
            chart_flow={
                "labels": [row["month"].strftime("%Y-%m") for row in months],
                "hires": [row["hires"] for row in months],
                "leavers": [row["leavers"] for row in months],
            },
            chart_labels={
                "hires": gettext("Hires"),
                "leavers": gettext("Leavers"),
                "headcount": gettext("Active employees"),
            },
            open_proposals=selectors.proposals_shown(
                user=user, status=ProposalStatus.OPEN, what="home"
            ),
        )
    else:
        employee = org_selectors.own_employee(user=user)
        context["own_employee"] = employee
        if employee is not None:
            context.update(
                pay=org_selectors.employee_pay(user=user, employee=employee),
                reviews=list(org_selectors.employee_reviews(user=user, employee=employee)),
                skills=list(org_selectors.employee_skills(user=user, employee=employee)),
            )
    return render(request, "core/home.html", context)


@require_GET
def ping(request: HttpRequest) -> HttpResponse:
    """Liveness without the database: the whole middleware stack and a fixed answer (also the
    floor the web benchmark compares pages with)."""
    return HttpResponse("pong", content_type="text/plain")


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database check for load balancers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


# --- the inbox -------------------------------------------------------------------------------


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """What waits for the user across the apps: decisions to acknowledge, surveys, threads."""
    from gmassist.core.inbox import inbox_for

    sections = inbox_for(request.user)
    context = {
        "title": gettext("Inbox"),
        "sections": sections,
        "action_total": sum(section.action_count for section in sections),
    }
    return render(request, "core/inbox.html", context)


@login_required
@require_GET
def inbox_badge(request: HttpRequest) -> HttpResponse:
    """The navigation's inbox badge (how many items wait), fetched by htmx after the page has
    loaded, so that no page pays the inbox's queries before it is shown."""
    from gmassist.core.inbox import inbox_action_count

    count = inbox_action_count(request.user)
    if not count:
        return HttpResponse("")
    return HttpResponse(
        f' <span class="status status-open" data-testid="inbox-badge">{int(count)}</span>'
    )


# --- password --------------------------------------------------------------------------------


class PasswordChange(auth_views.PasswordChangeView):
    """Django's password change, with the old password checked as a login is (throttled)."""

    form_class = ThrottledPasswordChangeForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "request": self.request}


# --- language --------------------------------------------------------------------------------


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the language: remembered on the user's account and in Django's language cookie
    (so that the login page speaks it too)."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return HttpResponse(status=400)
    language = form.cleaned_data["language"]
    target = form.cleaned_data["next"] or reverse("home")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("home")
    user = request.user
    if user.is_authenticated and user.language != language:
        # a personal preference, not business data: no service, no audit entry
        User.objects.filter(pk=user.pk).update(language=language)
    response = HttpResponseRedirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


# --- imports ---------------------------------------------------------------------------------

IMPORT_PERMISSION = (Domain.PEOPLE, Action.IMPORT)


def _import_jobs(user: Any) -> QuerySet[Job]:
    return selectors.jobs_visible(user=user).filter(kind=IMPORT_JOB)


@login_required
def imports(request: HttpRequest) -> HttpResponse:
    """Upload a file, choose the entity and the mapping; a dry run starts at once."""
    require_reach(request.user, IMPORT_PERMISSION, ())
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            path = upload_save(upload=data["file"])
            save_as = (data.get("save_as") or "").strip()
            if save_as and data["mapping"]:
                try:
                    services.import_mapping_save(
                        entity=data["entity"], name=save_as, toml=data["mapping"], by=request.user
                    )
                except PermissionDenied:
                    form.add_error("save_as", gettext("Your role may not save mappings."))
                except ValidationError as exc:
                    form.add_error("save_as", " ".join(exc.messages))
            if form.is_valid():
                job = services.job_submit(
                    kind=IMPORT_JOB,
                    params={
                        "entity": data["entity"],
                        "path": str(path),
                        "mapping": data["mapping"],
                        "dry_run": True,
                        # the file is kept for the confirmation (swept after some hours)
                        "keep_for_confirm": True,
                    },
                    by=request.user,
                )
                return redirect("job", pk=job.pk)
        status = 200
    else:
        form = ImportForm(user=request.user)
        status = 200
    context = {"form": form, "jobs": list(_import_jobs(request.user)[:10])}
    return render(request, "core/imports.html", context, status=status)


def _import_job_or_404(request: HttpRequest, pk: int) -> Job:
    require_reach(request.user, IMPORT_PERMISSION, ())
    job = _import_jobs(request.user).filter(pk=pk).first()
    if job is None:
        raise Http404("no such import")
    return job


@login_required
@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Run a successful dry run's import for real, with the same file and mapping."""
    job = _import_job_or_404(request, pk)
    if not import_outcome(job, request.user)["may_confirm"]:
        messages.error(request, gettext("Only a dry run without errors can be confirmed."))
        return redirect("job", pk=job.pk)
    path = Path(job.params.get("path", ""))
    if not path.is_file():
        messages.error(
            request,
            gettext(
                "The uploaded file is no longer kept (uploads are deleted after %(hours)d "
                "hours, or once imported): upload it again."
            )
            % {"hours": settings.UPLOAD_KEEP_HOURS},
        )
        return redirect("job", pk=job.pk)
    os.utime(path.parent)  # not swept while its import runs
    params = {**job.params, "dry_run": False, "keep_for_confirm": False}
    new_job = services.job_submit(kind=IMPORT_JOB, params=params, by=request.user)
    return redirect("job", pk=new_job.pk)


# --- jobs ------------------------------------------------------------------------------------


@login_required
def job_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Any job: its progress while it runs (htmx polls this page), then its outcome as its kind
    declares it (`job_pages.py`). `?inline=1` keeps a job shown inside another page inline."""
    job = selectors.jobs_visible(user=request.user).filter(pk=pk).first()
    if job is None:
        raise Http404("no such job")
    page = job_page_for(job.kind)
    if page is not None:
        require_reach(request.user, page.permission, page.reaches)
    partial = is_htmx_partial(request)
    inline = partial and "inline" in request.GET
    context = job_page_context(job=job, user=request.user, inline=inline)
    response = render(request, "core/_job.html" if partial else "core/job.html", context)
    if inline and job.is_finished:
        # the page around an inline job shows what the job changed (a decision it published
        # is no longer a draft with Publish and Delete): htmx reloads it once, now it is done
        response.headers["HX-Refresh"] = "true"
    return response


# --- proposals -------------------------------------------------------------------------------


def _may_decide(user: Any) -> bool:
    return reach(user, Domain.PEOPLE, Action.APPROVE) is not None


PROPOSAL_EXPORT = [
    ExportColumn("id", "pk"),
    ExportColumn("kind", "kind"),
    ExportColumn("title", "title"),
    ExportColumn("status", "status"),
    ExportColumn("cost", "cost"),
    ExportColumn("proposed_by", "proposed_by"),
    ExportColumn("created_at", "created_at"),
    ExportColumn("decided_by", "decided_by"),
    ExportColumn("decided_at", "decided_at"),
    ExportColumn("comment", "decision_comment"),
]


class ProposalInbox(ListPage):
    """Open proposals with their rationale and evidence, each with its approve / reject form."""

    title = _("Proposals")
    template_name = "core/proposals.html"
    results_template = "core/_proposal_results.html"
    permission = (Domain.PEOPLE, Action.VIEW)
    columns = [ListColumn(_("Newest"), sort="created"), ListColumn(_("Cost"), sort="cost")]
    default_sort = "-created"
    paginate_by = 20
    export_permission = (Domain.PEOPLE, Action.EXPORT)
    export_columns = PROPOSAL_EXPORT
    export_name = "proposals"
    testid = "proposals"
    tab = "open"
    ORDER = {"created": ("created_at", "id"), "cost": ("cost", "id")}

    def get_queryset(self, *, filters: dict[str, Any], sort: str) -> QuerySet[Proposal]:
        qs = selectors.proposals_visible(user=self.request.user, status=ProposalStatus.OPEN)
        return qs.order_by(*self._order(sort))

    def _order(self, sort: str) -> list[str]:
        fields = self.ORDER[sort.lstrip("-")]
        return [("-" if sort.startswith("-") else "") + f for f in fields]

    def get_extra_context(self) -> dict[str, Any]:
        return {
            "tab": self.tab,
            "may_decide": _may_decide(self.request.user),
            "decision_form": DecisionForm(),
        }


class ProposalHistory(ProposalInbox):
    """Decided proposals: who decided, when, and why."""

    title = _("Decided proposals")
    columns = [ListColumn(_("Decided"), sort="decided"), ListColumn(_("Cost"), sort="cost")]
    default_sort = "-decided"
    tab = "history"
    ORDER = {"decided": ("decided_at", "id"), "cost": ("cost", "id")}

    def get_queryset(self, *, filters: dict[str, Any], sort: str) -> QuerySet[Proposal]:
        return selectors.proposals_decided(user=self.request.user).order_by(*self._order(sort))


class ProposalPage(DetailPage):
    template_name = "core/proposal_detail.html"
    context_object_name = "proposal"

    def get_queryset(self) -> QuerySet[Proposal]:
        return selectors.proposals_visible(user=self.request.user)

    def get_extra_context(self, obj: Proposal) -> dict[str, Any]:
        return _decision_context(self.request.user, obj, DecisionForm(), OutsideDecisionForm())


def _decision_context(
    user: Any, proposal: Proposal, form: DecisionForm, outside_form: OutsideDecisionForm
) -> dict[str, Any]:
    """What a proposal's page shows to decide it: the decision form, or why `user` may not
    decide it (it is about them, above HR's limit…), or, for a proposal about the GM, that it
    is decided outside the application and the form that records that decision."""
    may_decide = _may_decide(user)
    is_open = proposal.status == ProposalStatus.OPEN
    outside = is_open and services.proposal_needs_outside_decision(proposal=proposal)
    refusal = ""
    if is_open and may_decide and not outside:
        refusal = services.proposal_may_decide(proposal=proposal, by=user)
    return {
        "proposal": proposal,
        "object": proposal,
        "may_decide": may_decide,
        "decision_form": form,
        "decision_refusal": refusal,
        "needs_outside_decision": outside,
        "may_record_outside": outside and user_role(user) in services.OUTSIDE_RECORDERS,
        "outside_form": outside_form,
    }


@login_required
@require_POST
def proposal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve or reject a proposal; a refusal or a bad comment is shown next to the form."""
    proposal = selectors.proposals_visible(user=request.user).filter(pk=pk).first()
    if proposal is None:
        raise Http404("no such proposal")
    form = DecisionForm(request.POST)
    status = 200
    if form.is_valid():
        comment = form.cleaned_data["comment"].strip()
        try:
            if form.cleaned_data["decision"] == "approve":
                services.proposal_approve(proposal=proposal, by=request.user, comment=comment)
                messages.success(
                    request, gettext("Approved and applied: %s") % proposal.display_title
                )
            else:
                services.proposal_reject(proposal=proposal, by=request.user, comment=comment)
                messages.success(request, gettext("Rejected: %s") % proposal.display_title)
            return redirect("proposals")
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or gettext("Your role may not decide this proposal."))
            status = 403
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        proposal.refresh_from_db()
    context = _decision_context(request.user, proposal, form, OutsideDecisionForm())
    return render(request, "core/proposal_detail.html", context, status=status)


@login_required
@require_POST
def proposal_outside_decision(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the outside decision on a proposal about the GM; errors next to the form."""
    proposal = selectors.proposals_visible(user=request.user).filter(pk=pk).first()
    if proposal is None:
        raise Http404("no such proposal")
    form = OutsideDecisionForm(request.POST)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.proposal_record_outside_decision(
                proposal=proposal,
                by=request.user,
                approved=data["decision"] == "approved",
                decided_by=data["decided_by"],
                decided_on=data["decided_on"],
                reference=data["reference"],
                comment=data["comment"].strip(),
            )
            messages.success(
                request, gettext("Outside decision recorded: %s") % proposal.display_title
            )
            return redirect("proposal", pk=proposal.pk)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
            status = 403
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, messages_ in exc.message_dict.items():
                    for message in messages_:
                        form.add_error(field if field in form.fields else None, message)
            else:
                for message in exc.messages:
                    form.add_error(None, message)
                status = 409
        proposal.refresh_from_db()
    context = _decision_context(request.user, proposal, DecisionForm(), form)
    return render(request, "core/proposal_detail.html", context, status=status)


# --- audit log -------------------------------------------------------------------------------


class AuditLogPage(ListPage):
    """The audit log, for the GM: who did what, when; filterable by action, person, record and
    days."""

    title = _("Audit log")
    permission = (Domain.AUDIT, Action.VIEW)
    filter_form_class = AuditFilterForm
    columns = [
        ListColumn(_("When"), sort="at"),
        ListColumn(_("Who")),
        ListColumn(_("Action"), sort="action"),
        ListColumn(_("What")),
        ListColumn(_("Changes")),
    ]
    default_sort = "-at"
    row_template = "core/_audit_row.html"
    export_permission = (Domain.AUDIT, Action.EXPORT)
    export_name = "audit-log"
    export_columns = [
        ExportColumn("at", "at"),
        ExportColumn("actor", "actor"),
        ExportColumn("action", "action"),
        ExportColumn("target_type", "target_type"),
        ExportColumn("target_id", "target_id"),
        ExportColumn("target", "target_repr"),
        ExportColumn("changes", lambda entry: entry.changes),
    ]
    testid = "audit"
    ORDER = {"at": ("at", "id"), "action": ("action", "at", "id")}

    def get_queryset(self, *, filters: dict[str, Any], sort: str) -> QuerySet:
        qs = selectors.audit_entries(user=self.request.user, **filters)
        prefix = "-" if sort.startswith("-") else ""
        return qs.order_by(*(prefix + f for f in self.ORDER[sort.lstrip("-")]))


# --- API tokens ------------------------------------------------------------------------------


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The user's own API tokens; a new token's key is shown once, on this response only."""
    new_key = ""
    status = 200
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            try:
                _token, new_key = services.api_token_create(
                    user=request.user, name=form.cleaned_data["name"]
                )
                form = TokenForm()
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error("name", message)
        if not new_key:
            status = 200
    else:
        form = TokenForm()
    context = {
        "form": form,
        "new_key": new_key,
        "tokens": list(selectors.api_tokens_of(user=request.user)),
    }
    return render(request, "core/api_tokens.html", context, status=status)


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = selectors.api_tokens_of(user=request.user).filter(pk=pk).first()
    if token is None:
        raise Http404("no such token")
    services.api_token_revoke(token=token, by=request.user)
    messages.success(request, gettext("Token “%s” revoked.") % token.name)
    return redirect("api-tokens")


# --- notes on records ------------------------------------------------------------------------


def _noted_target(request: HttpRequest, target_type: str, target_id: str) -> Any:
    """The record a note is about, when its model takes notes and `request.user` may read
    them; 404 otherwise (a record one may not see is not found)."""
    from gmassist.core.notes import noted_record

    noted = noted_record(target_type)
    if noted is None:
        raise Http404
    record = noted.model._default_manager.filter(pk=target_id).first()
    if record is None or not noted.may_read(request.user, record):
        raise Http404
    return record


@login_required
@require_POST
def note_add(request: HttpRequest, target_type: str, target_id: str) -> HttpResponse:
    """Add a note (and a file) to a record, back to the record's page."""
    from gmassist.core.forms import NoteForm

    record = _noted_target(request, target_type, target_id)
    form = NoteForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.note_add(
                record=record,
                by=request.user,
                body=form.cleaned_data["body"],
                attachment=form.cleaned_data["attachment"],
                holds_pay=form.cleaned_data["holds_pay"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, gettext("The note is added."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(record.get_absolute_url())


@login_required
def note_file(request: HttpRequest, note_id: int) -> HttpResponse:
    """A note's attachment, as a download: for who may read the record's notes, and for an
    attachment that holds pay only for who may read that person's pay (the read audited)."""
    from django.http import FileResponse

    from gmassist.core.models import Note
    from gmassist.core.notes import noted_record
    from gmassist.core.sensitive import audit_people_read

    note = get_object_or_404(Note, pk=note_id)
    record = _noted_target(request, note.target_type, note.target_id)
    if not note.attachment:
        raise Http404
    noted = noted_record(note.target_type)
    if note.holds_pay:
        if noted is None or not noted.may_read_pay(request.user, record):
            raise PermissionDenied(gettext("This file holds pay, which your role may not read."))
        audit_people_read(
            actor=request.user,
            action=AuditAction.READ_PAY,
            employee_nos=[noted.pay_subject(record)],
            what="note attachment",
            target=record,
        )
    response = FileResponse(
        note.attachment.open("rb"), as_attachment=True, filename=note.attachment_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
