"""Customers pages: the customer list and page, the account managers, the tiering policy, the
matching and channel-routing runs, and the revenue and churn analytics.

Thin: filters come from forms, reads from the scoped selectors, writes and runs from the
services and jobs; a record the user may not see is a 404, a page their role may not use a 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gmassist.core.choices import Action
from gmassist.core.models import Company
from gmassist.core.permissions import ALL, SUBTREE, reach
from gmassist.core.views_lib import DetailPage, ExportColumn, ListColumn, ListPage
from gmassist.customers import selectors
from gmassist.customers.choices import Tier
from gmassist.customers.forms import CustomerFilterForm, ManagerFilterForm
from gmassist.customers.models import AccountManager, GroupCustomer

# the pages about many customers' managers are for the roles that see more than their own book
MANY_BOOKS = (ALL, SUBTREE)
CUSTOMERS = ("customers", Action.VIEW)


def customer_tabs(user: Any, current: str) -> dict[str, Any]:
    """The customers pages' tabs the user may use, with `current` marked."""
    tabs = [("list", _("Customers"), "customers:list")]
    how_far = reach(user, *CUSTOMERS)
    if how_far in MANY_BOOKS:
        tabs.append(("managers", _("Account managers"), "customers:managers"))
    elif how_far is not None:
        tabs.append(("managers", _("My book"), "customers:my_manager_page"))
    return {
        "tabs": [{"key": k, "label": label, "url": reverse(name)} for k, label, name in tabs],
        "tab": current,
    }


def money_chart(rows: list[dict[str, Any]], label: str, value: str) -> dict[str, list]:
    """{labels, values} for a chart, money as floats."""
    return {
        "labels": [str(row[label]) for row in rows],
        "values": [float(row[value]) for row in rows],
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
        ListColumn(_("Tier"), sort="tier"),
        ListColumn(_("Industry"), sort="industry"),
        ListColumn(_("Region"), sort="region"),
        ListColumn(_("Account manager"), sort="manager"),
        ListColumn(_("Status"), sort="status"),
        ListColumn(_("Revenue, last 12 months"), sort="revenue", numeric=True),
    ]
    default_sort = "code"
    row_template = "customers/_customer_row.html"
    export_permission = ("customers", Action.EXPORT)
    export_name = "customers"
    export_columns = [
        ExportColumn("code", "code"),
        ExportColumn("name", "name"),
        ExportColumn("industry", "industry.code"),
        ExportColumn("industry_name", "industry.name"),
        ExportColumn("scale", "scale"),
        ExportColumn("region", "region"),
        ExportColumn("contract_start", "contract_start"),
        ExportColumn("contract_end", "contract_end"),
        ExportColumn("status", "status"),
        ExportColumn("tier", "tier"),
        ExportColumn("service_channel", "service_channel"),
        ExportColumn("account_manager", "account_manager.employee.employee_no"),
        ExportColumn("account_manager_name", "account_manager.employee.full_name"),
        ExportColumn("revenue_12m", "revenue_12m"),
    ]
    testid = "customers"

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
            "chart_revenue": {
                "labels": [row["month"].strftime("%Y-%m") for row in months],
                "datasets": [
                    {"label": gettext("Revenue"), "data": [float(r["amount"]) for r in months]}
                ],
            },
            "contacts_shown": selectors.CONTACTS_SHOWN,
            "satisfaction": _mean([c.satisfaction for c in contacts if c.satisfaction]),
            "manager_visible": obj.account_manager_id is not None
            and selectors.account_managers_visible(user=user)
            .filter(pk=obj.account_manager_id)
            .exists(),
            "window": selectors.trailing_window(months[-1]["month"] if months else None),
        }


def _mean(values: list[int]) -> float | None:
    return sum(values) / len(values) if values else None


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
    export_permission = ("customers", Action.EXPORT)
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
            "chart_workload": {
                "labels": [gettext("Workload"), gettext("Capacity")],
                "horizontal": True,
                "stacked": True,
                "datasets": [
                    {
                        "label": str(Tier(tier).label) if tier else gettext("Not tiered"),
                        "data": [units, 0],
                        "stack": "units",
                    }
                    for tier, units in by_tier.items()
                ]
                + [
                    {
                        "label": gettext("Capacity"),
                        "data": [0, obj.capacity],
                        "stack": "units",
                        "color": "#646b79",
                    }
                ],
            },
            "own_page": user.employee_id == obj.employee_id,
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
