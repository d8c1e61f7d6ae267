"""Import and export of the group-customer files: industries, account managers, customers,
monthly revenue, service contacts, and raw transactions (the entity specs that
`gmassist.core.imports` runs, with the same guarantees: all or nothing, dry run, row errors).

Natural keys: Industry.code, AccountManager by the employee number, GroupCustomer.code,
MonthlyRevenue (customer, month), ServiceContact (customer, date, channel, kind). A column
missing from the file leaves that field of existing rows as stored. Customer codes that look
like floats ("17850.0", as spreadsheets write numeric ids) are read as whole numbers ("17850").

Customers: the industry is found by code, then by unique name, and created when missing; the
account manager is given by employee number; products are one cell, codes separated by ";".

Transactions (invoice lines) have no key of their own: they are aggregated into MonthlyRevenue
per customer and month, and the file's total *replaces* the stored amount of every (customer,
month) it holds, so importing the same file twice changes nothing (a file should hold whole
months). A line is a return when its invoice number starts with "C" or its quantity or amount
is negative; it counts negative. Lines without a customer id are counted and skipped with one
warning. A customer not in the database is an error, or is created when the mapping says
`create_missing_customers = true` in [options].

The modules: `common` (customer codes), `catalogue` (industries, account managers),
`customers`, `revenue` (monthly revenue row by row, and its months), `revenue_stream` (the
same chunk by chunk, for files of millions of rows), `contacts` (service contacts),
`transactions` (invoice lines).
"""

from __future__ import annotations

from gmassist.core.imports import EntitySpec, register_entity
from gmassist.customers.importers.catalogue import (
    ACCOUNT_MANAGER_COLUMNS,
    INDUSTRY_COLUMNS,
    export_account_managers,
    export_industries,
    plan_account_managers,
    plan_industries,
)
from gmassist.customers.importers.common import customer_code
from gmassist.customers.importers.contacts import CONTACT_COLUMNS, export_contacts, plan_contacts
from gmassist.customers.importers.customers import (
    CUSTOMER_COLUMNS,
    PRODUCT_SEPARATOR,
    export_customers,
    plan_customers,
)
from gmassist.customers.importers.revenue import (
    REVENUE_COLUMNS,
    export_revenue,
    parse_month,
    plan_revenue,
)
from gmassist.customers.importers.revenue_stream import RevenueStream
from gmassist.customers.importers.transactions import (
    TRANSACTION_COLUMNS,
    export_transactions,
    is_return,
    plan_transactions,
)
from gmassist.customers.models import (
    AccountManager,
    GroupCustomer,
    Industry,
    MonthlyRevenue,
    ServiceContact,
)

register_entity(
    EntitySpec(
        "industries", Industry, INDUSTRY_COLUMNS, ("code",), plan_industries, export_industries
    )
)
register_entity(
    EntitySpec(
        "account_managers",
        AccountManager,
        ACCOUNT_MANAGER_COLUMNS,
        ("employee",),
        plan_account_managers,
        export_account_managers,
    )
)
register_entity(
    EntitySpec(
        "customers", GroupCustomer, CUSTOMER_COLUMNS, ("code",), plan_customers, export_customers
    )
)
register_entity(
    EntitySpec(
        "monthly_revenue",
        MonthlyRevenue,
        REVENUE_COLUMNS,
        ("customer", "month"),
        plan_revenue,
        export_revenue,
        stream=RevenueStream,
    )
)
register_entity(
    EntitySpec(
        "service_contacts",
        ServiceContact,
        CONTACT_COLUMNS,
        ("customer", "date", "channel", "kind"),
        plan_contacts,
        export_contacts,
    )
)
# "transactions" is registered on MonthlyRevenue, what its lines become
register_entity(
    EntitySpec(
        "transactions",
        MonthlyRevenue,
        TRANSACTION_COLUMNS,
        (),
        plan_transactions,
        export_transactions,
    )
)


__all__ = [
    "ACCOUNT_MANAGER_COLUMNS",
    "CONTACT_COLUMNS",
    "CUSTOMER_COLUMNS",
    "INDUSTRY_COLUMNS",
    "PRODUCT_SEPARATOR",
    "REVENUE_COLUMNS",
    "TRANSACTION_COLUMNS",
    "RevenueStream",
    "customer_code",
    "is_return",
    "parse_month",
    "plan_account_managers",
    "plan_contacts",
    "plan_customers",
    "plan_industries",
    "plan_revenue",
    "plan_transactions",
]
