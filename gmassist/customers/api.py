"""The customers endpoints of the REST API: customers (list, detail with revenue, contacts,
history, tier reasons and churn), account managers (list, detail with grades), revenue
analytics, the tiering policy, and the runs (re-tiering, matching, routing, churn scores) as
jobs. Reads go through the scoped selectors, writes through the services; proposals are core's
(`/api/proposals`), job status too (`/api/jobs/{id}`)."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router
from ninja.pagination import paginate

from gmassist.api import (
    ObjectId,
    PageNumberPagination,
    problems,
    reference_or_422,
    request_user,
    visible_or_404,
)
from gmassist.core.models import User
from gmassist.core.permissions import reach
from gmassist.customers import selectors
from gmassist.customers.models import AccountManager, Industry
from gmassist.customers.schemas import (
    CustomerDetailOut,
    CustomerFilters,
    CustomerOut,
    ManagerDetailOut,
    ManagerFilters,
    ManagerOut,
)
from gmassist.customers.views import CUSTOMERS, MANY_BOOKS

router = Router(tags=["customers"])


def _require(user: User, reaches: tuple[str, ...] = ()) -> None:
    """403 unless the user's role sees customers (and reaches that far, when given)."""
    how_far = reach(user, *CUSTOMERS)
    if how_far is None or (reaches and how_far not in reaches):
        raise PermissionDenied(_("Your role may not see group customers."))


# --- customers -------------------------------------------------------------------------------


@router.get("/customers", response={200: list[CustomerOut], **problems(403)})
@paginate(PageNumberPagination)
def customer_list(request: HttpRequest, filters: Query[CustomerFilters]):
    """Group customers you may see (an account manager: their own book), filtered and sorted,
    with revenue over the last 12 months."""
    user = request_user(request)
    _require(user)
    industry = reference_or_422(
        Industry.objects, filters.industry_id, field="industry_id", user=user
    )
    manager = reference_or_422(
        AccountManager.objects, filters.manager_id, field="manager_id", user=user
    )
    return selectors.customer_list(
        user=user,
        search=filters.search,
        tier=filters.tier,
        industry_id=industry.pk if industry else None,
        region=filters.region,
        manager_id=manager.pk if manager else None,
        unassigned=filters.unassigned,
        status=filters.status,
        channel=filters.channel,
        sort=filters.sort,
    )


# --- account managers ------------------------------------------------------------------------


@router.get("/customers/managers", response={200: list[ManagerOut], **problems(403)})
@paginate(PageNumberPagination)
def manager_list(request: HttpRequest, filters: Query[ManagerFilters]):
    """Account managers you may see with their book: customers, workload against capacity,
    revenue over the last 12 months. For the roles that see more than one book."""
    user = request_user(request)
    _require(user, MANY_BOOKS)
    return selectors.account_manager_list(
        user=user,
        search=filters.search,
        region=filters.region,
        over_capacity=filters.over_capacity,
        sort=filters.sort,
    )


@router.get(
    "/customers/managers/{manager_id}",
    response={200: ManagerDetailOut, **problems(404)},
)
def manager_detail(request: HttpRequest, manager_id: ObjectId):
    """One account manager (an account manager: only themselves) with the workload by tier and
    the grades."""
    user = request_user(request)
    manager = visible_or_404(selectors.account_manager_list(user=user), manager_id)
    book = list(selectors.manager_book(user=user, manager=manager))
    manager.workload_by_tier = selectors.manager_workload_by_tier(book)
    grades = selectors.manager_grades(user=user, manager=manager)
    manager.grades = grades.as_dict() if grades is not None else None
    return manager


# --- one customer: last, so that /customers/managers and the like are not taken for an id ---


@router.get(
    "/customers/{customer_id}",
    response={200: CustomerDetailOut, **problems(404)},
)
def customer_detail(request: HttpRequest, customer_id: ObjectId):
    """One customer with its revenue by month (the last 24), latest contacts, tier and manager
    history, its tier under the current policy with the reasons, and its churn risk."""
    user = request_user(request)
    customer = visible_or_404(selectors.customer_list(user=user), customer_id)
    overview = selectors.customer_overview(user=user, customer=customer)
    history = overview.pop("history")
    return {
        **_customer_fields(customer),
        **overview,
        "tier_history": history["tiers"],
        "manager_history": history["managers"],
    }


def _customer_fields(customer: Any) -> dict[str, Any]:
    return {name: getattr(customer, name) for name in CustomerOut.model_fields}
