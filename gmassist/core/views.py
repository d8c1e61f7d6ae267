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
from django.db.models.functions import TruncDate
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
    QueryDict,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from gmassist.core import selectors, services
from gmassist.core.choices import Action, AuditAction, ProposalStatus
from gmassist.core.forms import (
    AuditFilterForm,
    DecisionForm,
    DeputyForm,
    ImportForm,
    LanguageForm,
    OutsideDecisionForm,
    SavedViewEditForm,
    SavedViewForm,
    ThrottledPasswordChangeForm,
    TokenForm,
)
from gmassist.core.grouping import GroupBy, GroupSum, parse_iso_date, user_name
from gmassist.core.job_pages import import_outcome, job_page_context, job_page_for
from gmassist.core.models import AuditEntry, Company, Job, Proposal, SavedView, User
from gmassist.core.permissions import ALL, SUBTREE, Domain, reach, user_role
from gmassist.core.presenters import audit_target_label
from gmassist.core.uploads import upload_save
from gmassist.core.views_lib import (
    DetailPage,
    ExportColumn,
    ListColumn,
    ListPage,
    is_htmx_partial,
    may_use_page,
    require_reach,
    saved_view_pages,
    saved_view_query,
)

IMPORT_JOB = "core.import"

# --- home ------------------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Today (office.today: what needs attention, ranked) for the GM's office and department
    heads; the company at a glance for the others who see many people (HR); one's own record
    for the rest."""
    from gmassist.office.today.selectors import may_read_today
    from gmassist.office.today.views import render_today

    if may_read_today(user=request.user):
        return render_today(request)
    return _glance_or_own_record(request)


@login_required
def glance(request: HttpRequest) -> HttpResponse:
    """The company at a glance (headcount, hires and leavers, open proposals) for those who
    see many people; Today links to it."""
    if reach(request.user, Domain.PEOPLE, Action.VIEW) not in (ALL, SUBTREE):
        raise PermissionDenied
    return _glance_or_own_record(request)


def _glance_or_own_record(request: HttpRequest) -> HttpResponse:
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
    """Whether `user` decides proposals at all: by their role, or as someone's deputy today."""
    return reach(user, Domain.PEOPLE, Action.APPROVE) is not None or bool(
        selectors.deputy_principals(user)
    )


def _evidence_text(proposal: Proposal) -> str:
    """A proposal's evidence as one line of text (an export's cell), in the reader's language."""
    from gmassist.core.presenters import readable_value

    parts = []
    for item in proposal.evidence or []:
        if isinstance(item, dict) and item.get("label"):
            unit = f" {item['unit']}" if item.get("unit") else ""
            parts.append(f"{gettext(item['label'])}: {readable_value(item.get('value'))}{unit}")
        else:
            parts.append(readable_value(item))
    return "; ".join(parts)


def _proposal_kind_label(kind: str) -> str:
    from gmassist.core.proposals import proposal_kind

    try:
        return str(proposal_kind(kind).label)
    except KeyError:
        return kind


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
    ExportColumn("rationale", "display_rationale", column="rationale"),
    ExportColumn("evidence", _evidence_text, column="evidence"),
]

PROPOSAL_GROUPS = [
    GroupBy("kind", _("Kind"), field="kind", display=_proposal_kind_label),
    GroupBy("status", _("Status"), field="status", choices=ProposalStatus),
    GroupBy(
        "proposer",
        _("Proposed by"),
        field="proposed_by_id",
        name=user_name("proposed_by"),
        empty_label=_("the assistant"),
    ),
]
# the yearly cost in the company's currency; a pay change's cost is that pay change, so a
# grouped list with it is audited as a read of the pay its proposals show
PROPOSAL_SUMS = [GroupSum("cost", _("Yearly cost"), "cost", reveals_rows=True)]


class ProposalInbox(ListPage):
    """Open proposals with their rationale and evidence, each with its approve / reject form;
    grouped by kind, status or proposer with their count and cost."""

    title = _("Proposals")
    template_name = "core/proposals.html"
    results_template = "core/_proposal_results.html"
    permission = (Domain.PEOPLE, Action.VIEW)
    columns = [
        ListColumn(_("Newest"), sort="created"),
        ListColumn(_("Cost"), sort="cost"),
        ListColumn(_("Rationale"), key="rationale", optional=True),
        ListColumn(_("Evidence"), key="evidence", optional=True),
    ]
    default_sort = "-created"
    paginate_by = 20
    export_permission = (Domain.PEOPLE, Action.EXPORT)
    export_columns = PROPOSAL_EXPORT
    export_name = "proposals"
    testid = "proposals"
    tab = "open"
    ORDER = {"created": ("created_at", "id"), "cost": ("cost", "id")}
    model = Proposal
    group_by = PROPOSAL_GROUPS
    group_sums = PROPOSAL_SUMS
    views_key = "proposals"

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
    columns = [
        ListColumn(_("Decided"), sort="decided"),
        ListColumn(_("Cost"), sort="cost"),
        ListColumn(_("Rationale"), key="rationale", optional=True),
        ListColumn(_("Evidence"), key="evidence", optional=True),
    ]
    default_sort = "-decided"
    tab = "history"
    ORDER = {"decided": ("decided_at", "id"), "cost": ("cost", "id")}
    views_key = "proposals-history"

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
    acting_for = None
    if is_open and may_decide and not outside:
        refusal = services.proposal_may_decide(proposal=proposal, by=user)
        if not refusal:
            acting_for = _deputyship_deciding(user, proposal)
    return {
        "acting_for": acting_for,
        "proposal": proposal,
        "object": proposal,
        "may_decide": may_decide,
        "decision_form": form,
        "decision_refusal": refusal,
        "needs_outside_decision": outside,
        "may_record_outside": outside and user_role(user) in services.OUTSIDE_RECORDERS,
        "outside_form": outside_form,
    }


def _deputyship_deciding(user: Any, proposal: Proposal) -> Any:
    """The deputyship under which `user` decides `proposal` (None: in their own right)."""
    principal = services.proposal_check_may_decide(proposal=proposal, by=user)
    if principal is None:
        return None
    rows = selectors.deputyships_acting(user=user)
    return next((row for row in rows if row.principal_id == principal.pk), None)


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
        ListColumn(_("Who"), key="actor", optional=True),
        ListColumn(_("Action"), sort="action", key="action", optional=True),
        ListColumn(_("What"), key="target", optional=True),
        ListColumn(_("Changes"), key="changes", optional=True),
    ]
    default_sort = "-at"
    row_template = "core/_audit_row.html"
    export_permission = (Domain.AUDIT, Action.EXPORT)
    export_name = "audit-log"
    export_columns = [
        ExportColumn("at", "at"),
        ExportColumn("actor", "actor", column="actor"),
        ExportColumn("action", "action", column="action"),
        ExportColumn("target_type", "target_type", column="target"),
        ExportColumn("target_id", "target_id", column="target"),
        ExportColumn("target", "target_repr", column="target"),
        ExportColumn("changes", lambda entry: entry.changes, column="changes"),
    ]
    testid = "audit"
    model = AuditEntry
    group_by = [
        GroupBy("action", _("Action"), field="action", choices=AuditAction),
        GroupBy(
            "actor",
            _("Who"),
            field="actor_id",
            name=user_name("actor"),
            empty_label=_("the system"),
        ),
        GroupBy(
            "target_type", _("Kind of record"), field="target_type", display=audit_target_label
        ),
        # the day in the company's time zone, newest first
        GroupBy(
            "day",
            _("Day"),
            expression=lambda: TruncDate("at", tzinfo=timezone.get_current_timezone()),
            parse=parse_iso_date,
            newest_first=True,
        ),
    ]
    views_key = "audit-log"
    ORDER = {"at": ("at", "id"), "action": ("action", "at", "id")}

    def get_queryset(self, *, filters: dict[str, Any], sort: str) -> QuerySet:
        qs = selectors.audit_entries(user=self.request.user, **filters)
        prefix = "-" if sort.startswith("-") else ""
        return qs.order_by(*(prefix + f for f in self.ORDER[sort.lstrip("-")]))


# --- saved views -----------------------------------------------------------------------------


def _view_page(key: str) -> type[ListPage]:
    """The list page a saved view belongs to (404 for a page that keeps none)."""
    page = saved_view_pages().get(key)
    if page is None:
        raise Http404("no such list")
    return page


def _view_address(view: SavedView) -> str:
    """The list page with the view's filters, sort, grouping and columns."""
    return reverse(view.page) + saved_view_query(view)


def _share_roles(user: Any, page: type[ListPage], view: SavedView | None = None) -> list:
    """The roles `user` may share a view of `page` with (none for a role that may not share;
    a view already shared keeps its role on offer)."""
    assert page.permission is not None  # a page with saved views has one
    if services.saved_view_may_share(user=user, domain=page.permission[0]):
        return page.share_roles()
    if view is not None and view.shared_with_role:
        return [(view.shared_with_role, view.get_shared_with_role_display())]
    return []


def _saved_views_page(
    request: HttpRequest,
    *,
    create_form: SavedViewForm | None = None,
    edit_form: SavedViewEditForm | None = None,
    edit_pk: int | None = None,
    status: int = 200,
) -> HttpResponse:
    """The saved views the user may use, page by page, with the forms to rename, share and
    delete the ones they may change; a form that failed shows its errors."""
    user = request.user
    pages = saved_view_pages()
    changeable = set(selectors.saved_views_changeable(user=user).values_list("pk", flat=True))
    sections: dict[str, dict[str, Any]] = {}
    for view in selectors.saved_views_usable(user=user):
        page = pages.get(view.page)
        if page is None or not may_use_page(user, page):
            continue
        section = sections.setdefault(
            view.page, {"title": page.title, "url": reverse(view.page), "items": []}
        )
        form = edit_form if edit_pk == view.pk and edit_form is not None else None
        section["items"].append(
            {
                "view": view,
                "url": _view_address(view),
                "mine": view.owner_id == user.pk,
                "may_change": view.pk in changeable,
                "roles": _share_roles(user, page, view),
                "form": form
                or SavedViewEditForm(
                    initial={"name": view.name, "shared_with_role": view.shared_with_role}
                ),
            }
        )
    context = {
        "title": gettext("Saved views"),
        "sections": list(sections.values()),
        "create_form": create_form,
    }
    return render(request, "core/saved_views.html", context, status=status)


def _form_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
@require_GET
def saved_views(request: HttpRequest) -> HttpResponse:
    """The user's saved views and those shared with them, with rename, share and delete."""
    return _saved_views_page(request)


@login_required
@require_POST
def saved_view_create(request: HttpRequest) -> HttpResponse:
    """Save a list page's current state (its address parameters) under a name, then show the
    list with it; a bad name, query or share is shown on the saved views page."""
    page = _view_page(request.POST.get("page", ""))
    require_reach(request.user, page.permission, page.permission_reaches)
    assert page.permission is not None
    form = SavedViewForm(request.POST)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            query = page.checked_query(QueryDict(data["query"]), request.user)
            view = services.saved_view_save(
                by=request.user,
                page=data["page"],
                name=data["name"],
                query=query,
                domain=page.permission[0],
                roles=[role for role, _label in page.share_roles()],
                shared_with_role=data["shared_with_role"],
            )
        except PermissionDenied as exc:
            form.add_error("shared_with_role", str(exc))
            status = 403
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, gettext("View “%s” saved.") % view.name)
            return HttpResponseRedirect(_view_address(view))
    return _saved_views_page(request, create_form=form, status=status)


def _changeable_view(request: HttpRequest, pk: int) -> SavedView:
    view = selectors.saved_views_changeable(user=request.user).filter(pk=pk).first()
    if view is None:
        raise Http404("no such saved view")
    return view


@login_required
@require_POST
def saved_view_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Rename a saved view or change whom it is shared with (its owner, or the GM)."""
    view = _changeable_view(request, pk)
    page = _view_page(view.page)
    assert page.permission is not None
    form = SavedViewEditForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            services.saved_view_update(
                view=view,
                by=request.user,
                name=form.cleaned_data["name"],
                shared_with_role=form.cleaned_data["shared_with_role"],
                domain=page.permission[0],
                roles=[role for role, _label in page.share_roles()],
            )
        except PermissionDenied as exc:
            form.add_error("shared_with_role", str(exc))
            status = 403
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, gettext("View “%s” saved.") % view.name)
            return redirect("saved-views")
        view.refresh_from_db()
    return _saved_views_page(request, edit_form=form, edit_pk=view.pk, status=status)


@login_required
@require_POST
def saved_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a saved view (its owner, or the GM)."""
    view = _changeable_view(request, pk)
    name = view.name
    services.saved_view_delete(view=view, by=request.user)
    messages.success(request, gettext("View “%s” deleted.") % name)
    return redirect("saved-views")


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


# --- deputies --------------------------------------------------------------------------------


def _names_for_others(user: Any) -> bool:
    return reach(user, Domain.DEPUTIES, Action.CHANGE) == ALL


@login_required
def deputies(request: HttpRequest) -> HttpResponse:
    """ "While I am away": name a deputy for a range of days, see one's deputyships (named, and
    those in which one is the deputy), end one early. The GM's office names them for anyone."""
    user = request.user
    if reach(user, Domain.DEPUTIES, Action.CHANGE) is None:
        raise PermissionDenied(gettext("Your role may not name deputies."))
    others = _names_for_others(user)
    today = timezone.localdate()
    form = DeputyForm(
        request.POST or None,
        names_for_others=others,
        initial={"starts_on": today, "ends_on": today},
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                row = services.deputy_name(
                    principal=data.get("principal") or user,
                    deputy=data["deputy"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    note=data["note"],
                    by=user,
                )
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
                status = 403
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(
                    request,
                    gettext("%(deputy)s decides for %(principal)s from %(start)s to %(end)s.")
                    % {
                        "deputy": row.deputy,
                        "principal": row.principal,
                        "start": row.starts_on.isoformat(),
                        "end": row.ends_on.isoformat(),
                    },
                )
                return redirect("deputies")
    rows = list(selectors.deputyships_visible(user=user).order_by("-starts_on", "-id")[:100])
    context = {
        "title": gettext("While I am away"),
        "form": form,
        "names_for_others": others,
        "today": today,
        "rows": [
            {
                "row": row,
                "current": row.covers(today),
                "over": row.ended_at is not None or row.ends_on < today,
                "mine": row.principal_id == user.pk,
                "as_deputy": row.deputy_id == user.pk,
            }
            for row in rows
        ],
        "suggestions": list(
            User.objects.filter(is_active=True)
            .exclude(pk=user.pk)
            .select_related("employee")
            .defer("employee__base_pay", "employee__custom")
            .order_by("username")[:500]
        ),
    }
    return render(request, "core/deputies.html", context, status=status)


@login_required
@require_POST
def deputy_end(request: HttpRequest, pk: int) -> HttpResponse:
    """End a deputyship now (the principal, the deputy or the GM's office)."""
    row = selectors.deputyships_visible(user=request.user).filter(pk=pk).first()
    if row is None:
        raise Http404("no such deputyship")
    services.deputy_end(deputyship=row, by=request.user)
    messages.success(request, gettext("The deputyship is ended."))
    return redirect("deputies")
