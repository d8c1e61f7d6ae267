"""The shapes of the customers API: what the endpoints of `customers/api.py` take and return.

Money is in the company's currency; revenue over "the last 12 months" is the 12 months up to
the latest month with revenue in the company's data. Workload is in units (an A customer 5,
B 2, C 1); capacity likewise. Risks and shares are fractions from 0 to 1.
"""

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from gmassist.api import ObjectId, Text
from gmassist.customers.choices import ContactKind, CustomerStatus, ServiceChannel
from gmassist.customers.importers.contacts import SUMMARY_MAX_LENGTH
from gmassist.customers.selectors import CUSTOMER_SORTS, MANAGER_SORTS
from gmassist.org.schemas import Date, Patch

CustomerSort = Literal[tuple(key for base in CUSTOMER_SORTS for key in (base, f"-{base}"))]  # type: ignore[valid-type]
ManagerSort = Literal[tuple(key for base in MANAGER_SORTS for key in (base, f"-{base}"))]  # type: ignore[valid-type]
TierFilter = Literal["A", "B", "C", "-"]


# --- references ------------------------------------------------------------------------------


class IndustryRef(Schema):
    id: int
    code: str
    name: str
    strategic: bool


class ManagerRef(Schema):
    id: int
    employee_id: int
    employee_no: str = Field(alias="employee.employee_no")
    full_name: str = Field(alias="employee.full_name")


# --- customers -------------------------------------------------------------------------------


class CustomerFilters(Schema):
    search: Text = Field("", max_length=100, description="start of the code or part of the name")
    tier: TierFilter | None = Field(None, description='A, B, C, or "-" for not tiered yet')
    industry_id: ObjectId | None = None
    region: Text | None = Field(None, max_length=100)
    manager_id: ObjectId | None = Field(None, description="customers of this account manager")
    unassigned: bool = Field(False, description="only the customers without an account manager")
    status: CustomerStatus | None = None
    channel: ServiceChannel | None = Field(None, description="only this service channel")
    sort: CustomerSort = Field("code", description='a sort key, "-" in front to reverse')


class CustomerOut(Schema):
    id: int
    code: str
    name: str
    industry: IndustryRef | None
    scale: int | None = Field(description="number of employees or lines")
    region: str
    contract_start: dt.date | None
    contract_end: dt.date | None
    products: list[str]
    status: CustomerStatus
    tier: str = Field(description='A, B, C, or "" before the customer is tiered')
    service_channel: ServiceChannel
    account_manager: ManagerRef | None
    contact_name: str = Field(description="who to call at the customer")
    contact_phone: str
    contact_email: str
    address: str
    revenue_12m: float = Field(description="revenue in the last 12 months")


class RevenueMonthOut(Schema):
    month: dt.date = Field(description="the first day of the month")
    amount: float


class ContactOut(Schema):
    id: int
    date: dt.date
    channel: ServiceChannel
    kind: ContactKind
    satisfaction: int | None = Field(description="1-5")
    resolved: bool
    summary: str = Field(description="what it was about and what was agreed")


# --- records sent to the API: checked by the customers and service_contacts imports' rules --

Satisfaction = Annotated[int, Field(ge=1, le=5)]
Scale = Annotated[int, Field(ge=0, le=2_147_483_647)]


class ServiceContactIn(Schema):
    """A contact to log: one a day per customer, channel and kind."""

    model_config = ConfigDict(extra="forbid")

    date: Date
    channel: ServiceChannel = Field(description="who served the customer")
    kind: ContactKind
    satisfaction: Satisfaction | None = Field(
        None, description="1 (very dissatisfied) to 5 (very satisfied); null: not asked"
    )
    resolved: bool = False
    summary: Text = Field("", max_length=SUMMARY_MAX_LENGTH)


class ServiceContactPatch(Patch):
    """What may change on a logged contact; its date, channel and kind are its key."""

    satisfaction: Satisfaction | None = None
    resolved: bool | None = None
    summary: Text | None = Field(None, max_length=SUMMARY_MAX_LENGTH)


class CustomerPatch(Patch):
    """A customer's details to change (only the fields sent). The code does not change; the
    tier, the account manager and the service channel change through their proposals."""

    name: Text | None = Field(None, max_length=200)
    industry_id: ObjectId | None = None
    scale: Scale | None = Field(None, description="number of employees or lines")
    region: Text | None = Field(None, max_length=100)
    contract_start: Date | None = None
    contract_end: Date | None = None
    products: list[Annotated[Text, Field(max_length=200)]] | None = Field(
        None, max_length=500, description="product codes"
    )
    status: CustomerStatus | None = None
    contact_name: Text | None = Field(None, max_length=200)
    contact_phone: Text | None = Field(None, max_length=50)
    contact_email: Text | None = Field(None, max_length=254)
    address: Text | None = Field(None, max_length=300)


class TierChangeOut(Schema):
    at: dt.datetime
    from_tier: str
    to_tier: str
    proposal_id: int | None


class ManagerChangeOut(Schema):
    at: dt.datetime
    from_manager: ManagerRef | None
    to_manager: ManagerRef | None
    proposal_id: int | None


class ReasonOut(Schema):
    text: str = Field(description="the reason in the requester's language")
    template: str | None = Field(
        description="the English template with %(name)s placeholders (null for a reason stored "
        "as plain text before reasons were structured)"
    )
    params: dict[str, Any] = Field(description="the values the template's placeholders take")


class TierExplainedOut(Schema):
    tier: str = Field(description="the tier the re-tiering gives")
    from_tier: str
    score: float | None
    reasons: list[str] = Field(description="the reasons in the requester's language")
    reason_details: list[ReasonOut] = Field(
        description="the same reasons with their template and params"
    )
    proposal_id: int
    pending: bool = Field(description="true: an open re-tiering proposes it; false: approved")


class ChurnReasonOut(Schema):
    feature: str
    label: str
    value: Any
    effect: float = Field(description="how much it raises the risk, in log-odds")
    text: str = Field(description="the reason in the requester's language")
    template: str | None = Field(
        None, description="the English template (null for scores made before it was stored)"
    )
    params: dict[str, Any] = Field(default_factory=dict)


class ChurnOut(Schema):
    risk: float = Field(description="probability of churning within the horizon, 0-1")
    level: Literal["low", "medium", "high"] = Field(description="high from 0.5, medium from 0.2")
    reasons: list[ChurnReasonOut] = Field(description="the strongest reasons, strongest first")
    as_of: dt.date = Field(description="the month scored")
    horizon_months: int


class CustomerDetailOut(CustomerOut):
    revenue_months: list[RevenueMonthOut] = Field(description="the last 24 months, oldest first")
    contacts: list[ContactOut] = Field(description="the latest 20 service contacts")
    tier_history: list[TierChangeOut]
    manager_history: list[ManagerChangeOut]
    tier_explained: TierExplainedOut | None = Field(
        description="why the customer has (or would get) its tier, from the re-tiering "
        "proposals; null when no re-tiering explains it"
    )
    churn: ChurnOut | None = Field(description="the latest churn score, null when not scored")


# --- account managers ------------------------------------------------------------------------


class ManagerFilters(Schema):
    search: Text = Field("", max_length=100, description="part of the name, start of the number")
    region: Text | None = Field(None, max_length=100)
    over_capacity: bool = Field(False, description="only the managers above their capacity")
    sort: ManagerSort = Field("name", description='a sort key, "-" in front to reverse')


class DepartmentRef(Schema):
    id: int
    code: str
    name: str


class ManagerOut(Schema):
    id: int
    employee_id: int
    employee_no: str = Field(alias="employee.employee_no")
    full_name: str = Field(alias="employee.full_name")
    department: DepartmentRef = Field(alias="employee.department")
    region: str
    capacity: int
    customer_count: int
    workload: int
    utilisation: float | None = Field(description="workload / capacity")
    book_revenue_12m: float


class ManagerDetailOut(ManagerOut):
    workload_by_tier: dict[str, int] = Field(description='units by tier ("" for not tiered)')
    grades: dict[str, Any] | None = Field(
        description="the four grades, the composite, what would raise each (`to_raise` in the "
        "requester's language, `to_raise_details` with template and params); grades drawn "
        "from pay are left out for roles that may not see this manager's pay"
    )


# --- analytics -------------------------------------------------------------------------------


class ParetoPointOut(Schema):
    x: float = Field(description="share of customers, largest first (0-1)")
    y: float = Field(description="share of revenue they make (0-1)")


class AnalyticsOut(Schema):
    month: str = Field(description="the last month counted, YYYY-MM")
    total: float
    customers: int
    arpu_monthly: float = Field(description="revenue per paying customer a month")
    by_tier: list[dict[str, Any]]
    by_industry: list[dict[str, Any]]
    by_region: list[dict[str, Any]]
    concentration: dict[str, float] = Field(description="top_share (0-1), hhi (0-10,000)")
    fallers: list[dict[str, Any]]
    pareto: list[ParetoPointOut]
    churn_backtest: dict[str, Any] | None = Field(
        description="the latest churn model's time-based backtest (the GM's office only)"
    )


# --- the tiering policy ----------------------------------------------------------------------


class TieringPolicyValues(Schema):
    """The policy field by field (see the tiering engine); shares and growth as fractions."""

    model_config = ConfigDict(extra="forbid")

    a_revenue_share: float = 0.80
    b_revenue_share: float = 0.15
    contribution_weight: float = 1.0
    scale_weight: float = 0.25
    scale_large: float = 1000
    scale_medium: float = 100
    strategic_weight: float = 0.25
    strategic_industries: list[Text] = []
    growth_weight: float = 0.25
    growth_full_points_at: float = 0.30
    a_min_score: float = 1.0
    b_min_score: float = 0.5


class TieringPolicyOut(Schema):
    toml: str
    policy: TieringPolicyValues
    saved_at: dt.datetime | None = Field(description="null: the defaults, nothing saved yet")
    saved_by_id: int | None


class TieringPolicyIn(Schema):
    """Either the TOML text or the policy as JSON, not both."""

    model_config = ConfigDict(extra="forbid")

    toml: Text | None = Field(None, max_length=20_000)
    policy: TieringPolicyValues | None = None


class ChannelRulesOut(Schema):
    toml: str = Field(description="eligibility, account-manager cost and workload, channels")
    saved_at: dt.datetime | None = Field(description="null: the defaults, nothing saved yet")
    saved_by_id: int | None


class ChannelRulesIn(Schema):
    model_config = ConfigDict(extra="forbid")

    toml: Text = Field(max_length=20_000)


# --- runs ------------------------------------------------------------------------------------


class MatchRunIn(Schema):
    model_config = ConfigDict(extra="forbid")

    region_rule: Literal["hard", "penalty"] = "hard"
    region_penalty: float = Field(2.0, ge=0, le=1e6)
    change_penalty: float = Field(1.0, ge=0, le=1e6)
    max_changes: int | None = Field(None, ge=0, le=10_000_000, description="null: no cap")
    time_limit_s: float = Field(30.0, ge=1, le=600)
