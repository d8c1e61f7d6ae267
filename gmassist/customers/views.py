"""Customers pages: the customer list and page, the account managers, the tiering policy, the
matching and channel-routing runs, and the revenue and churn analytics.

Thin: filters come from forms, reads from the scoped selectors, writes and runs from the
services and jobs; a record the user may not see is a 404, a page their role may not use a 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gmassist.core import selectors as core_selectors
from gmassist.core import services as core_services
from gmassist.core.choices import Action
from gmassist.core.forms import NoteForm
from gmassist.core.grouping import GroupBy, GroupSum, one_of
from gmassist.core.models import Company
from gmassist.core.permissions import ALL, SUBTREE, Domain, reach, user_can
from gmassist.core.views_lib import (
    DetailPage,
    ExportColumn,
    ListColumn,
    ListPage,
    record_form_response,
    require_reach,
)
from gmassist.customers import presenters, selectors, services
from gmassist.customers.choices import CustomerStatus, PolicyKind, ServiceChannel, Tier
from gmassist.customers.engine.tiering import PolicyError, TieringPolicy, policy_to_toml
from gmassist.customers.forms import (
    CHURN_BAND_LABELS,
    FIELD_OF_TOML_KEY,
    ChannelRulesTomlForm,
    CustomerFilterForm,
    CustomerRecordForm,
    ManagerFilterForm,
    MatchRunForm,
    ServiceContactChangeForm,
    ServiceContactForm,
    TieringPolicyForm,
    TieringPolicyTomlForm,
)
from gmassist.customers.models import AccountManager, GroupCustomer, ServiceContact

# the pages about many customers' managers are for the roles that see more than their own book
MANY_BOOKS = (ALL, SUBTREE)
CUSTOMERS = (Domain.CUSTOMERS, Action.VIEW)


def customer_tabs(user: Any, current: str) -> dict[str, Any]:
    """The customers pages' tabs the user may use, with `current` marked."""
    tabs = [("list", _("Customers"), "customers:list")]
    how_far = reach(user, *CUSTOMERS)
    if how_far in MANY_BOOKS:
        tabs.append(("managers", _("Account managers"), "customers:managers"))
    elif how_far is not None:
        tabs.append(("managers", _("My book"), "customers:my_manager_page"))
    tabs.append(("analytics", _("Analytics"), "customers:analytics"))
    tabs.append(("tiering", _("Tiering policy"), "customers:tiering"))
    if reach(user, Domain.CUSTOMERS, Action.PROPOSE) == ALL:
        tabs.append(("matching", _("Matching"), "customers:matching"))
        tabs.append(("routing", _("Service channels"), "customers:routing"))
    return {
        "tabs": [{"key": k, "label": label, "url": reverse(name)} for k, label, name in tabs],
        "tab": current,
    }


# --- customers -------------------------------------------------------------------------------


class CustomerListPage(ListPage):
    """Group customers: filters, search, sorting by column, trailing-12-month revenue, export."""

    title = _("Customers")
    template_name = "customers/customer_list.html"
    permission = CUSTOMERS
    filter_form_class = CustomerFilterForm
    columns = [
        ListColumn(_("Code"), sort="code"),
        ListColumn(_("Name"), sort="name"),
        ListColumn(_("Tier"), sort="tier", key="tier", optional=True),
        ListColumn(_("Industry"), sort="industry", key="industry", optional=True),
        ListColumn(_("Region"), sort="region", key="region", optional=True),
        ListColumn(_("Account manager"), sort="manager", key="manager", optional=True),
        ListColumn(_("Status"), sort="status", key="status", optional=True),
        ListColumn(_("Service channel"), key="channel", optional=True, shown_by_default=False),
        ListColumn(
            _("Revenue, last 12 months"), sort="revenue", numeric=True, key="revenue", optional=True
        ),
        ListColumn(_("Churn risk"), sort="churn", numeric=True, key="churn", optional=True),
    ]
    default_sort = "code"
    row_template = "customers/_customer_row.html"
    export_permission = (Domain.CUSTOMERS, Action.EXPORT)
    export_name = "customers"
    # the columns hidden on the page leave the export; the ones of the customers import
    # (scale, contract, channel) are always in it
    export_columns = [
        ExportColumn("code", "code"),
        ExportColumn("name", "name"),
        ExportColumn("industry", "industry.code", column="industry"),
        ExportColumn("industry_name", "industry.name", column="industry"),
        ExportColumn("scale", "scale"),
        ExportColumn("region", "region", column="region"),
        ExportColumn("contract_start", "contract_start"),
        ExportColumn("contract_end", "contract_end"),
        ExportColumn("status", "status", column="status"),
        ExportColumn("tier", "tier", column="tier"),
        ExportColumn("service_channel", "service_channel"),
        ExportColumn("account_manager", "account_manager.employee.employee_no", column="manager"),
        ExportColumn(
            "account_manager_name", "account_manager.employee.full_name", column="manager"
        ),
        ExportColumn("revenue_12m", "revenue_12m", column="revenue"),
        ExportColumn("churn_risk", "churn_risk", column="churn"),
    ]
    testid = "customers"
    model = GroupCustomer
    group_by = [
        GroupBy("tier", _("Tier"), field="tier", choices=Tier, empty_label=_("Not tiered")),
        GroupBy("industry", _("Industry"), field="industry_id", name="industry__name"),
        GroupBy(
            "manager",
            _("Account manager"),
            field="account_manager_id",
            name="account_manager__employee__full_name",
            empty_label=_("No account manager"),
        ),
        GroupBy("channel", _("Service channel"), field="service_channel", choices=ServiceChannel),
        GroupBy(
            "churn",
            _("Churn risk"),
            expression=lambda: F("churn_band"),  # customer_list's alias
            choices=CHURN_BAND_LABELS,
            parse=one_of(CHURN_BAND_LABELS),
            empty_label=_("Not scored"),
        ),
        GroupBy("region", _("Region"), field="region", empty_label=_("No region")),
        GroupBy("status", _("Status"), field="status", choices=CustomerStatus),
    ]
    # revenue in the company's currency, over the trailing 12 months the list shows
    group_sums = [GroupSum("revenue", _("Revenue, last 12 months"), "revenue_12m")]
    views_key = "customers:list"

    as_of: Any = None  # the latest month with revenue, read once per request

    def get_queryset(self, *, filters: dict[str, Any], sort: str) -> QuerySet[GroupCustomer]:
        self.as_of = selectors.revenue_as_of()
        return selectors.customer_list(
            user=self.request.user, sort=sort, as_of=self.as_of, **filters
        )

    def get_export_queryset(self, *, filters: dict[str, Any], sort: str) -> QuerySet[GroupCustomer]:
        return selectors.customer_list(
            user=self.request.user, sort=sort, action=Action.EXPORT, **filters
        )

    def get_extra_context(self) -> dict[str, Any]:
        return {
            "currency": Company.get().currency,
            "window": selectors.trailing_window(self.as_of),
            **customer_tabs(self.request.user, "list"),
        }


class CustomerPage(DetailPage):
    """One customer: facts, revenue over the months (a chart), tier and its reasons, churn risk,
    contacts, the account manager and the history of tiers and managers."""

    template_name = "customers/customer_detail.html"
    permission = CUSTOMERS
    context_object_name = "customer"

    def get_queryset(self) -> QuerySet[GroupCustomer]:
        return selectors.customer_list(user=self.request.user)

    def get_extra_context(self, obj: GroupCustomer) -> dict[str, Any]:
        user = self.request.user
        overview = selectors.customer_overview(user=user, customer=obj)
        months = overview["revenue_months"]
        contacts = overview["contacts"]
        return {
            **overview,
            "title": str(obj),
            "currency": Company.get().currency,
            "chart_revenue": presenters.revenue_chart(months),
            "contacts_shown": selectors.CONTACTS_SHOWN,
            "satisfaction": _mean([c.satisfaction for c in contacts if c.satisfaction]),
            "manager_visible": obj.account_manager_id is not None
            and selectors.account_managers_visible(user=user)
            .filter(pk=obj.account_manager_id)
            .exists(),
            "window": selectors.trailing_window(months[-1]["month"] if months else None),
            **_record_context(user, obj),
        }


def _record_context(user: Any, customer: GroupCustomer) -> dict[str, Any]:
    """What the customer page adds for its records: whether the user may change them, the
    form that logs a contact (for who may), the record's history, and its notes and files."""
    may_change = user_can(user, Action.CHANGE, customer)
    note_form = NoteForm()
    del note_form.fields["holds_pay"]  # a customer's files hold no one's pay
    return {
        "may_change": may_change,
        "contact_form": ServiceContactForm(customer=customer) if may_change else None,
        "record_history": selectors.customer_record_history(user=user, customer=customer),
        "notes": core_selectors.record_notes(user=user, record=customer),
        "note_form": note_form,
    }


def _mean(values: list[int]) -> float | None:
    return sum(values) / len(values) if values else None


# --- records on screen -----------------------------------------------------------------------


def _changeable(request: HttpRequest, pk: int) -> GroupCustomer:
    """The customer `pk` if the user may change its records: 404 when they may not see it, 403
    when they see it but may not change it (a department head: read only); 403 for a role
    that sees no customers at all, as every customers page."""
    require_reach(request.user, CUSTOMERS, ())
    customer = get_object_or_404(selectors.customers_visible(user=request.user), pk=pk)
    if not user_can(request.user, Action.CHANGE, customer):
        raise PermissionDenied
    return customer


def _saved(request: HttpRequest, message: Any, customer: GroupCustomer) -> HttpResponse:
    messages.success(request, message)
    return redirect("customers:customer", pk=customer.pk)


@login_required
def customer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a customer's details and who to call there, checked by the customers import's
    rules as one types; the tier, manager and channel stay with their proposals."""
    customer = _changeable(request, pk)
    form = CustomerRecordForm(
        request.POST or None, user=request.user, initial=CustomerRecordForm.initial_of(customer)
    )

    def write() -> GroupCustomer:
        return services.customer_update(
            customer=customer,
            data=form.changed_record(),
            by=request.user,
            comment=form.cleaned_data.get("comment", ""),
        )

    return record_form_response(
        request,
        form,
        write=write,
        saved=lambda saved: _saved(request, gettext("The customer's record is saved."), saved),
        template="customers/record_form.html",
        context={
            "title": gettext("Edit %(name)s") % {"name": customer.name},
            "submit": gettext("Save"),
            "customer": customer,
            "note": gettext(
                "The tier, the account manager and the service channel change through their "
                "proposals (re-tiering, matching, routing), not here."
            ),
        },
    )


@login_required
def contact_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Log a service contact with a customer (the form is on the customer's page too), checked
    by the service_contacts import's rules as one types."""
    customer = _changeable(request, pk)
    form = ServiceContactForm(request.POST or None, customer=customer)

    def write() -> Any:
        return services.service_contact_create(customer=customer, by=request.user, **form.record())

    return record_form_response(
        request,
        form,
        write=write,
        saved=lambda _contact: _saved(request, gettext("The contact is logged."), customer),
        template="customers/record_form.html",
        context={
            "title": gettext("Log a contact with %(name)s") % {"name": customer.name},
            "submit": gettext("Log the contact"),
            "customer": customer,
        },
    )


@login_required
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a logged contact: satisfaction, resolved, summary (its date, channel and kind
    are its key)."""
    require_reach(request.user, CUSTOMERS, ())
    contact = get_object_or_404(
        ServiceContact.objects.restrict(request.user, Action.VIEW).select_related("customer"),
        pk=pk,
    )
    customer = _changeable(request, contact.customer_id)
    form = ServiceContactChangeForm(
        request.POST or None, initial=ServiceContactChangeForm.initial_of(contact)
    )

    def write() -> Any:
        data = {k: v for k, v in form.cleaned_data.items() if k != "comment"}
        return services.service_contact_update(
            contact=contact,
            data={k: v for k, v in data.items() if k in form.changed_data},
            by=request.user,
            comment=form.cleaned_data.get("comment", ""),
        )

    return record_form_response(
        request,
        form,
        write=write,
        saved=lambda _contact: _saved(request, gettext("The contact is saved."), customer),
        template="customers/record_form.html",
        context={
            "title": gettext("%(kind)s of %(date)s, %(name)s")
            % {
                "kind": contact.get_kind_display(),
                "date": contact.date.isoformat(),
                "name": customer.name,
            },
            "submit": gettext("Save"),
            "customer": customer,
            "contact": contact,
        },
    )


# --- account managers ------------------------------------------------------------------------


class ManagerListPage(ListPage):
    """Account managers: book, workload against capacity, revenue of the book."""

    title = _("Account managers")
    template_name = "customers/manager_list.html"
    permission = CUSTOMERS
    permission_reaches = MANY_BOOKS
    filter_form_class = ManagerFilterForm
    columns = [
        ListColumn(_("Name"), sort="name"),
        ListColumn(_("Department")),
        ListColumn(_("Region"), sort="region"),
        ListColumn(_("Customers"), sort="customers", numeric=True),
        ListColumn(_("Workload"), sort="workload", numeric=True),
        ListColumn(_("Capacity"), sort="capacity", numeric=True),
        ListColumn(_("Utilisation"), sort="utilisation", numeric=True),
        ListColumn(_("Book revenue, last 12 months"), sort="revenue", numeric=True),
    ]
    default_sort = "name"
    row_template = "customers/_manager_row.html"
    export_permission = (Domain.CUSTOMERS, Action.EXPORT)
    export_name = "account-managers"
    export_columns = [
        ExportColumn("employee_no", "employee.employee_no"),
        ExportColumn("full_name", "employee.full_name"),
        ExportColumn("department", "employee.department.code"),
        ExportColumn("region", "region"),
        ExportColumn("capacity", "capacity"),
        ExportColumn("customers", "customer_count"),
        ExportColumn("workload", "workload"),
        ExportColumn("book_revenue_12m", "book_revenue_12m"),
    ]
    testid = "managers"

    def get_queryset(self, *, filters: dict[str, Any], sort: str) -> QuerySet[AccountManager]:
        return selectors.account_manager_list(user=self.request.user, sort=sort, **filters)

    def get_extra_context(self) -> dict[str, Any]:
        return {"currency": Company.get().currency, **customer_tabs(self.request.user, "managers")}


class ManagerPage(DetailPage):
    """One account manager: the book, workload against capacity, the grades and what would
    raise each one. An account manager sees their own page only (through `restrict`)."""

    template_name = "customers/manager_detail.html"
    permission = CUSTOMERS
    context_object_name = "manager"

    def get_queryset(self) -> QuerySet[AccountManager]:
        return selectors.account_manager_list(user=self.request.user)

    def get_extra_context(self, obj: AccountManager) -> dict[str, Any]:
        user = self.request.user
        book = list(selectors.manager_book(user=user, manager=obj))
        by_tier = selectors.manager_workload_by_tier(book)
        return {
            "title": str(obj),
            "currency": Company.get().currency,
            "book": book,
            "workload_by_tier": by_tier,
            "chart_workload": presenters.workload_chart(by_tier, capacity=obj.capacity),
            "own_page": user.employee_id == obj.employee_id,
            **presenters.grades_context(selectors.manager_grades(user=user, manager=obj)),
        }


@login_required
def my_manager_page(request: HttpRequest) -> HttpResponse:
    """An account manager's own page: their book and their grades."""
    if reach(request.user, *CUSTOMERS) is None:
        raise Http404("not found")
    own = selectors.account_managers_visible(user=request.user).filter(
        employee_id=request.user.employee_id
    )
    manager = own.first() if request.user.employee_id else None
    if manager is None:
        raise Http404("not an account manager")
    return redirect("customers:manager", pk=manager.pk)


# --- the tiering policy ----------------------------------------------------------------------

TIER_JOB = "customers.tier"
MATCH_JOB = "customers.match"
ROUTE_JOB = "customers.route"
CHURN_JOB = "customers.churn"
JOB_KINDS = (TIER_JOB, MATCH_JOB, ROUTE_JOB, CHURN_JOB)


def may_change_policies(user: Any) -> bool:
    """The policies are the GM's office's: changing them reaches every customer."""
    return reach(user, Domain.CUSTOMERS, Action.CHANGE) == ALL


def may_run(user: Any) -> bool:
    """Runs that propose for every customer are the GM's office's."""
    return reach(user, Domain.CUSTOMERS, Action.PROPOSE) == ALL


def _policy_error_fields(message: str) -> tuple[str, str]:
    """(form field, message) for an engine error "scale.large: must be ..."."""
    key, _sep, rest = message.partition(": ")
    return FIELD_OF_TOML_KEY.get(key, ""), rest or message


@login_required
def tiering_policy(request: HttpRequest) -> HttpResponse:
    """The tiering policy: field by field or as TOML, with errors by field; saving makes a new
    version; "run re-tiering now" starts the job that proposes the changes."""
    require_reach(request.user, CUSTOMERS, ())
    user = request.user
    current = selectors.tiering_policy_current()
    form = TieringPolicyForm(initial=TieringPolicyForm.initial_from(current.policy))
    toml_form = TieringPolicyTomlForm(initial={"toml": current.toml})
    status = 200
    if request.method == "POST":
        if not may_change_policies(user) and request.POST.get("action") != "run":
            raise PermissionDenied
        action = request.POST.get("action")
        if action == "run":
            if not may_run(user):
                raise PermissionDenied
            job = core_services.job_submit(kind=TIER_JOB, params={}, by=user)
            return redirect("job", pk=job.pk)
        text = None
        if action == "save_form":
            form = TieringPolicyForm(request.POST)
            if form.is_valid():
                try:
                    text = policy_to_toml(TieringPolicy(**form.policy_values()))
                except PolicyError as exc:
                    field, message = _policy_error_fields(str(exc))
                    form.add_error(field or None, message)
        elif action == "save_toml":
            toml_form = TieringPolicyTomlForm(request.POST)
            if toml_form.is_valid():
                text = toml_form.cleaned_data["toml"]
        else:
            raise Http404("no such action")
        if text is not None:
            try:
                services.tiering_policy_save(text=text, by=user)
            except ValidationError as exc:
                for message in exc.message_dict.get("toml", exc.messages):
                    field, rest = _policy_error_fields(message)
                    if action == "save_form":
                        form.add_error(field or None, rest)
                    else:
                        toml_form.add_error("toml", message)
            else:
                messages.success(request, gettext("The tiering policy is saved."))
                return redirect("customers:tiering")
        status = 422
    context = {
        "title": _("Tiering policy"),
        "form": form,
        "toml_form": toml_form,
        "current": current,
        "versions": list(selectors.policy_versions(user=user, kind=PolicyKind.TIERING)[:10]),
        "may_change": may_change_policies(user),
        "may_run": may_run(user),
        "jobs": core_selectors.jobs_recent(user=user, kind=TIER_JOB),
        **customer_tabs(user, "tiering"),
    }
    return render(request, "customers/tiering_policy.html", context, status=status)


# --- matching and channel routing ------------------------------------------------------------


def _open_proposal(user: Any, kind: str) -> Any:
    return (
        core_selectors.proposals_visible(user=user, status="open")
        .filter(kind=kind)
        .order_by("-created_at", "-id")
        .first()
    )


@login_required
def matching(request: HttpRequest) -> HttpResponse:
    """Start a matching run with its options; the job's page shows its progress and then the
    proposal's moves, workloads and objective."""
    require_reach(request.user, CUSTOMERS, ())
    if not may_run(request.user):
        raise PermissionDenied
    form = MatchRunForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            job = core_services.job_submit(
                kind=MATCH_JOB, params=form.job_params(), by=request.user
            )
            return redirect("job", pk=job.pk)
        status = 422
    context = {
        "title": _("Matching"),
        "form": form,
        "jobs": core_selectors.jobs_recent(user=request.user, kind=MATCH_JOB),
        "open_proposal": _open_proposal(request.user, "customers.reassign"),
        **customer_tabs(request.user, "matching"),
    }
    return render(request, "customers/matching.html", context, status=status)


@login_required
def routing(request: HttpRequest) -> HttpResponse:
    """The service-channel rules in force and a run that proposes moving customers with simple
    needs to the call centre, partners or branches."""
    require_reach(request.user, CUSTOMERS, ())
    if not may_run(request.user):
        raise PermissionDenied
    rules = selectors.channel_rules_current()
    rules_form = ChannelRulesTomlForm(initial={"toml": rules.toml})
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "run")
        if action == "run":
            job = core_services.job_submit(kind=ROUTE_JOB, params={}, by=request.user)
            return redirect("job", pk=job.pk)
        if action != "save_rules":
            raise Http404("no such action")
        if not may_change_policies(request.user):
            raise PermissionDenied
        rules_form = ChannelRulesTomlForm(request.POST)
        if rules_form.is_valid():
            try:
                services.channel_rules_save(text=rules_form.cleaned_data["toml"], by=request.user)
            except ValidationError as exc:
                for message in exc.message_dict.get("toml", exc.messages):
                    rules_form.add_error("toml", message)
            else:
                messages.success(request, gettext("The service-channel rules are saved."))
                return redirect("customers:routing")
        status = 422
    context = {
        "title": _("Service channels"),
        "rules": rules,
        "rules_form": rules_form,
        "may_change": may_change_policies(request.user),
        "jobs": core_selectors.jobs_recent(user=request.user, kind=ROUTE_JOB),
        "open_proposal": _open_proposal(request.user, "customers.reroute"),
        **customer_tabs(request.user, "routing"),
    }
    return render(request, "customers/routing.html", context, status=status)


# --- analytics -------------------------------------------------------------------------------


@login_required
def analytics(request: HttpRequest) -> HttpResponse:
    """Revenue and ARPU by tier, industry and region; concentration (top-10 share, HHI, the
    Pareto curve); the customers whose revenue fell most; the churn model's backtest. Scoped:
    an account manager sees their own book's figures. The GM's office can refresh the churn
    scores (a job)."""
    require_reach(request.user, CUSTOMERS, ())
    user = request.user
    if request.method == "POST":
        if not may_change_policies(user):
            raise PermissionDenied
        job = core_services.job_submit(kind=CHURN_JOB, params={}, by=user)
        return redirect("job", pk=job.pk)
    context = {
        "title": _("Customer analytics"),
        "currency": Company.get().currency,
        "may_refresh_churn": may_change_policies(user),
        "jobs": core_selectors.jobs_recent(user=user, kind=CHURN_JOB),
        **presenters.analytics_context(
            selectors.revenue_analytics(user=user), selectors.churn_backtest(user=user)
        ),
        **customer_tabs(user, "analytics"),
    }
    return render(request, "customers/analytics.html", context)
