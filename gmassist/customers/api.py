"""The customers endpoints of the REST API: customers (list, detail with revenue, contacts,
history, tier reasons and churn; a customer's details changed, a service contact logged or
changed), account managers (list, detail with grades), revenue analytics, the tiering policy,
and the runs (re-tiering, matching, routing, churn scores) as jobs. Reads go through the
scoped selectors, writes through the services; proposals are core's (`/api/proposals`), job
status too (`/api/jobs/{id}`)."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from gmassist.api import (
    ObjectId,
    PageNumberPagination,
    problems,
    reference_or_422,
    request_user,
    visible_or_404,
)
from gmassist.core import services as core_services
from gmassist.core.api import JobOut
from gmassist.core.models import User
from gmassist.core.permissions import reach
from gmassist.customers import presenters, selectors, services
from gmassist.customers.engine.tiering import PolicyError, TieringPolicy, policy_to_toml
from gmassist.customers.forms import FIELD_OF_TOML_KEY, POLICY_TOML_KEYS
from gmassist.customers.models import AccountManager, Industry, ServiceContact
from gmassist.customers.schemas import (
    AnalyticsOut,
    ChannelRulesIn,
    ChannelRulesOut,
    ContactOut,
    CustomerDetailOut,
    CustomerFilters,
    CustomerOut,
    CustomerPatch,
    ManagerDetailOut,
    ManagerFilters,
    ManagerOut,
    MatchRunIn,
    ServiceContactIn,
    ServiceContactPatch,
    TieringPolicyIn,
    TieringPolicyOut,
)
from gmassist.customers.views import (
    CHURN_JOB,
    CUSTOMERS,
    MANY_BOOKS,
    MATCH_JOB,
    ROUTE_JOB,
    TIER_JOB,
    may_change_policies,
    may_run,
)

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
    manager.grades = _grades_out(grades) if grades is not None else None
    return manager


def _grades_out(grades: Any) -> dict[str, Any]:
    """The grades as the API returns them: what would raise each in the requester's language
    (`to_raise`), and with template and params (`to_raise_details`)."""
    out = grades.as_dict()
    out["to_raise"] = {k: presenters.reason_texts(v) for k, v in grades.to_raise.items()}
    out["to_raise_details"] = {
        k: [presenters.reason_detail(r) for r in v] for k, v in grades.to_raise.items()
    }
    return out


# --- analytics -------------------------------------------------------------------------------


@router.get("/customers/analytics", response={200: AnalyticsOut, **problems(403)})
def analytics(request: HttpRequest):
    """Revenue of the 12 complete months before this one, over the customers you may see:
    totals and ARPU, by tier, industry and region, concentration (top-10 share, HHI) with the
    Pareto curve, the customers whose revenue fell most, and the churn model's backtest."""
    user = request_user(request)
    _require(user)
    return {
        **selectors.revenue_analytics(user=user),  # with the Pareto curve
        "churn_backtest": selectors.churn_backtest(user=user),
    }


# --- the tiering policy ----------------------------------------------------------------------


def _policy_out() -> dict[str, Any]:
    current = selectors.tiering_policy_current()
    values = {name: getattr(current.policy, name) for name in POLICY_TOML_KEYS}
    values["strategic_industries"] = list(current.policy.strategic_industries)
    record = current.record
    return {
        "toml": current.toml,
        "policy": values,
        "saved_at": record.created_at if record else None,
        "saved_by_id": record.saved_by_id if record else None,
    }


@router.get("/customers/tiering-policy", response={200: TieringPolicyOut, **problems(403)})
def tiering_policy_get(request: HttpRequest):
    """The tiering policy in force, as TOML and field by field."""
    _require(request_user(request))
    return _policy_out()


@router.put("/customers/tiering-policy", response={200: TieringPolicyOut, **problems(400, 403)})
def tiering_policy_put(request: HttpRequest, payload: TieringPolicyIn):
    """Save a new version of the tiering policy, from TOML text (`toml`) or field by field
    (`policy`). A bad value is a 422 naming the field: `toml` (the message names the TOML key,
    e.g. "scale.large: must be a number") or `policy.<field>`. The GM's office only."""
    user = request_user(request)
    _require(user)
    if not may_change_policies(user):
        raise PermissionDenied(_("Your role may not change the tiering policy."))
    if (payload.toml is None) == (payload.policy is None):
        raise ValidationError({"toml": _("Send either toml or policy, not both.")})
    if payload.toml is not None:
        text = payload.toml
    else:
        values = payload.policy.model_dump()
        values["strategic_industries"] = tuple(values["strategic_industries"])
        try:
            text = policy_to_toml(TieringPolicy(**values))
        except PolicyError as exc:
            key, _sep, message = str(exc).partition(": ")
            field = FIELD_OF_TOML_KEY.get(key)
            raise ValidationError({f"policy.{field}" if field else "policy": message}) from exc
    services.tiering_policy_save(text=text, by=user)
    return _policy_out()


def _rules_out() -> dict[str, Any]:
    current = selectors.channel_rules_current()
    record = current.record
    return {
        "toml": current.toml,
        "saved_at": record.created_at if record else None,
        "saved_by_id": record.saved_by_id if record else None,
    }


@router.get("/customers/channel-rules", response={200: ChannelRulesOut, **problems(403)})
def channel_rules_get(request: HttpRequest):
    """The service-channel rules in force, as TOML (the defaults until some are saved)."""
    user = request_user(request)
    _require(user)
    if not may_run(user):
        raise PermissionDenied(_("Your role may not see the service-channel rules."))
    return _rules_out()


@router.put("/customers/channel-rules", response={200: ChannelRulesOut, **problems(400, 403)})
def channel_rules_put(request: HttpRequest, payload: ChannelRulesIn):
    """Save a new version of the service-channel rules from TOML; a bad value is a 422 on
    `toml` whose message names the TOML key. The GM's office only."""
    user = request_user(request)
    _require(user)
    if not may_change_policies(user):
        raise PermissionDenied(_("Your role may not change the service-channel rules."))
    services.channel_rules_save(text=payload.toml, by=user)
    return _rules_out()


# --- runs ------------------------------------------------------------------------------------


def _start(request: HttpRequest, kind: str, params: dict[str, Any], *, change: bool = False):
    user = request_user(request)
    _require(user)
    allowed = may_change_policies(user) if change else may_run(user)
    if not allowed:
        raise PermissionDenied(_("Your role may not start this run."))
    return Status(202, core_services.job_submit(kind=kind, params=params, by=user))


RUN_PROBLEMS = problems(400, 403)


@router.post("/customers/runs/tier", response={202: JobOut, **RUN_PROBLEMS})
def run_tier(request: HttpRequest):
    """Start re-tiering every customer by the policy in force (job `customers.tier`); its
    result names the proposal with the changes. Poll `/api/jobs/{id}`."""
    return _start(request, TIER_JOB, {})


@router.post("/customers/runs/match", response={202: JobOut, **RUN_PROBLEMS})
def run_match(request: HttpRequest, payload: MatchRunIn):
    """Start matching customers to account managers (job `customers.match`) with these
    options; its result has the objective, whether it is proven optimal, and the proposal."""
    return _start(request, MATCH_JOB, payload.model_dump())


@router.post("/customers/runs/route", response={202: JobOut, **RUN_PROBLEMS})
def run_route(request: HttpRequest):
    """Start routing customers with simple needs to other channels (job `customers.route`)."""
    return _start(request, ROUTE_JOB, {})


@router.post("/customers/runs/churn", response={202: JobOut, **RUN_PROBLEMS})
def run_churn(request: HttpRequest):
    """Start refitting the churn model and scoring every customer (job `customers.churn`)."""
    return _start(request, CHURN_JOB, {}, change=True)


# --- records: service contacts and a customer's details, through the imports' rules ---------

# Writes: 400 for a body that is not JSON, 403 for a visible record the role may not change.
WRITE_PROBLEMS = problems(400, 403, 404, 409)


@router.patch("/customers/contacts/{contact_id}", response={200: ContactOut, **WRITE_PROBLEMS})
def contact_update(request: HttpRequest, contact_id: ObjectId, payload: ServiceContactPatch):
    """Change a logged contact's `satisfaction`, `resolved` or `summary` (only the fields
    sent; its date, channel and kind are its key). An account manager for their own
    customers, the GM's office for all; checked by the service_contacts import's rules and
    kept in the customer's history."""
    user = request_user(request)
    contact = visible_or_404(ServiceContact.objects, contact_id, user=user)
    return services.service_contact_update(
        contact=contact, data=payload.model_dump(exclude_unset=True), by=user
    )


# --- one customer: last, so that /customers/managers and the like are not taken for an id ---


@router.post("/customers/{customer_id}/contacts", response={201: ContactOut, **WRITE_PROBLEMS})
def contact_create(request: HttpRequest, customer_id: ObjectId, payload: ServiceContactIn):
    """Log a service contact with a customer: one a day per channel and kind (a second is a
    422 on `kind`). An account manager for their own customers, the GM's office for all;
    checked by the service_contacts import's rules and stored as an imported contact is, so
    that it feeds the churn model and the channel rules the same way."""
    user = request_user(request)
    customer = visible_or_404(selectors.customers_visible(user=user), customer_id)
    contact = services.service_contact_create(customer=customer, by=user, **payload.model_dump())
    return Status(201, contact)


@router.patch("/customers/{customer_id}", response={200: CustomerOut, **WRITE_PROBLEMS})
def customer_update(request: HttpRequest, customer_id: ObjectId, payload: CustomerPatch):
    """Change a customer's details and who to call there (only the fields sent), checked by
    the customers import's rules. An account manager for their own customers, the GM's office
    for all. The tier, the account manager and the service channel are not fields here: they
    change through their proposals."""
    user = request_user(request)
    customer = visible_or_404(selectors.customers_visible(user=user), customer_id)
    data = payload.model_dump(exclude_unset=True)
    if "industry_id" in data:
        data["industry"] = reference_or_422(
            Industry.objects, data.pop("industry_id"), field="industry_id", user=user
        )
    services.customer_update(customer=customer, data=data, by=user)
    return visible_or_404(selectors.customer_list(user=user), customer.pk)


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
