"""The shapes of the customers API: what the endpoints of `customers/api.py` take and return.

Money is in the company's currency; revenue over "the last 12 months" is the 12 months up to
the latest month with revenue in the company's data. Workload is in units (an A customer 5,
B 2, C 1); capacity likewise. Risks and shares are fractions from 0 to 1.
"""

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema

from gmassist.api import ObjectId, Text
from gmassist.customers.choices import ContactKind, CustomerStatus, ServiceChannel
from gmassist.customers.selectors import CUSTOMER_SORTS, MANAGER_SORTS

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
    revenue_12m: float = Field(description="revenue in the last 12 months")


class RevenueMonthOut(Schema):
    month: dt.date = Field(description="the first day of the month")
    amount: float


class ContactOut(Schema):
    date: dt.date
    channel: ServiceChannel
    kind: ContactKind
    satisfaction: int | None = Field(description="1-5")
    resolved: bool


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


class TierExplainedOut(Schema):
    tier: str = Field(description="the tier the re-tiering gives")
    from_tier: str
    score: float | None
    reasons: list[str]
    proposal_id: int
    pending: bool = Field(description="true: an open re-tiering proposes it; false: approved")


class ChurnReasonOut(Schema):
    feature: str
    label: str
    value: Any
    effect: float = Field(description="how much it raises the risk, in log-odds")
    text: str


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
        description="the four grades, the composite and what would raise each; grades drawn "
        "from pay are left out for roles that may not see this manager's pay"
    )
