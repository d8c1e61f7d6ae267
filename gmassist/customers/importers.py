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
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from gmassist.core.imports import (
    BOOL,
    CHOICE,
    DATE,
    DECIMAL,
    INT,
    NAME,
    REF,
    TEXT,
    CatalogueLookup,
    ChunkPlanner,
    Column,
    EntitySpec,
    ImportContext,
    ParsedRow,
    Plan,
    RowChunk,
    column_choices,
    count,
    explain,
    given_values,
    merge_rows,
    money,
    out_of_range_reason,
    register_entity,
    row_error,
    save_rows,
    text_or_empty,
)
from gmassist.customers.choices import ContactKind, CustomerStatus, ServiceChannel, Tier
from gmassist.customers.models import (
    AccountManager,
    GroupCustomer,
    Industry,
    MonthlyRevenue,
    ServiceContact,
)
from gmassist.lib import normalize
from gmassist.lib.bulk import Staging, bulk_upsert, ids_by_key
from gmassist.org.models import Employee

PRODUCT_SEPARATOR = ";"
_FLOAT_ID = re.compile(r"^(-?\d+)\.0*$")


def customer_code(value: Any) -> str:
    """A customer id as a code: trimmed, "17850.0" read as "17850"."""
    text = normalize.clean_text(value)
    match = _FLOAT_ID.match(text)
    return match.group(1) if match else text


def _customer_ids() -> dict[str, int]:
    return ids_by_key(GroupCustomer, ["code"])


def _resolve_customer(ctx: ImportContext, row: ParsedRow, codes: dict[str, int]) -> int | None:
    value = row.values.get("customer")
    if not value:
        ctx.error(row, "customer", _("the customer is required"))
        return None
    pk = codes.get(customer_code(value))
    if pk is None:
        ctx.error(row, "customer", _("no customer with this code"))
    return pk


# --- industries ------------------------------------------------------------------------------

INDUSTRY_COLUMNS = (
    Column("code", max_length=40),
    Column("name", NAME, max_length=200),
    Column("strategic", BOOL),
)


def plan_industries(ctx: ImportContext) -> Plan:
    existing = {r["code"]: r for r in Industry.objects.values("code", "name", "strategic")}
    incoming = []
    for row in ctx.rows:
        code = row.values.get("code")
        if not code:
            ctx.error(row, "code", _("the code is required"))
            continue
        given = given_values(row, {"name": "name", "strategic": "strategic"})
        if "strategic" in given and given["strategic"] is None:
            given["strategic"] = False
        incoming.append((row, code, {"code": code, **given}))
    new_rows, changed_rows, counts = merge_rows(
        ctx,
        needs=gettext_noop("a new industry needs %(field)s"),
        existing=existing,
        incoming=incoming,
        defaults={"name": None, "strategic": False},
        required={"name": "name"},
    )

    def write() -> None:
        save_rows(Industry, new_rows, changed_rows, ["code"], ["name", "strategic"])

    return Plan(counts={"industries": counts}, write=write)


def export_industries(queryset: QuerySet) -> Iterator[list[Any]]:
    for row in queryset.order_by("code").values_list("code", "name", "strategic").iterator(2000):
        yield list(row)


# --- account managers ------------------------------------------------------------------------

ACCOUNT_MANAGER_COLUMNS = (
    Column("employee", REF),
    Column("region", NAME, max_length=100),
    Column("capacity", INT),
)


def plan_account_managers(ctx: ImportContext) -> Plan:
    numbers = ids_by_key(Employee, ["employee_no"])
    existing = {
        r["employee_id"]: r
        for r in AccountManager.objects.values("employee_id", "region", "capacity")
    }
    incoming = []
    for row in ctx.rows:
        number = row.values.get("employee")
        if not number:
            ctx.error(row, "employee", _("the employee number is required"))
            continue
        employee = numbers.get(number)
        if employee is None:
            ctx.error(row, "employee", _("no employee with this employee number"))
            continue
        given = given_values(row, {"region": "region", "capacity": "capacity"})
        if "region" in given:
            given["region"] = text_or_empty(given["region"])
        if given.get("capacity") is not None and not 0 <= given["capacity"] <= 1_000_000:
            ctx.error(row, "capacity", out_of_range_reason(0, 1_000_000))
        if "capacity" in given and given["capacity"] is None:
            del given["capacity"]
        incoming.append((row, employee, {"employee_id": employee, **given}))
    new_rows, changed_rows, counts = merge_rows(
        ctx,
        needs=gettext_noop("a new account manager needs %(field)s"),
        existing=existing,
        incoming=incoming,
        defaults={"region": "", "capacity": AccountManager._meta.get_field("capacity").default},
        required={},
    )

    def write() -> None:
        save_rows(AccountManager, new_rows, changed_rows, ["employee_id"], ["region", "capacity"])

    return Plan(counts={"account_managers": counts}, write=write)


def export_account_managers(queryset: QuerySet) -> Iterator[list[Any]]:
    rows = queryset.order_by("employee__employee_no").values_list(
        "employee__employee_no", "region", "capacity"
    )
    for row in rows.iterator(chunk_size=2000):
        yield list(row)


# --- customers -------------------------------------------------------------------------------

CUSTOMER_COLUMNS = (
    Column("code", max_length=40),
    Column("name", NAME, max_length=200),
    Column("industry", REF),
    Column("scale", INT),
    Column("region", NAME, max_length=100),
    Column("contract_start", DATE),
    Column("contract_end", DATE),
    Column("products", TEXT),
    Column("status", CHOICE, choices=column_choices(CustomerStatus)),
    Column("tier", CHOICE, choices=column_choices(Tier)),
    Column("service_channel", CHOICE, choices=column_choices(ServiceChannel)),
    Column("account_manager", REF),
)
_CUSTOMER_FIELDS = [
    "name",
    "industry_id",
    "scale",
    "region",
    "contract_start",
    "contract_end",
    "products",
    "status",
    "tier",
    "service_channel",
    "account_manager_id",
]
_CUSTOMER_DEFAULTS = {
    "name": None,
    "industry_id": None,
    "scale": None,
    "region": "",
    "contract_start": None,
    "contract_end": None,
    "products": [],
    "status": CustomerStatus.ACTIVE.value,
    "tier": "",
    "service_channel": ServiceChannel.ACCOUNT_MANAGER.value,
    "account_manager_id": None,
}


def _products(value: str | None) -> list[str]:
    if not value:
        return []
    parts = (normalize.clean_name(p) for p in re.split(r"[;,]", value))
    return list(dict.fromkeys(p for p in parts if p))  # in order, without repeats


def _industry_lookup() -> CatalogueLookup:
    return CatalogueLookup(
        list(Industry.objects.values_list("id", "code", "name")),
        ambiguous=gettext_noop("%(count)d industries are named %(value)r: give the code"),
        max_length=40,
    )


def _create_industries(industries: CatalogueLookup) -> dict[str, int]:
    """Create the industries planned by `industries`; every code -> id."""
    if industries.new:
        bulk_upsert(
            Industry,
            [{"code": c, "name": n[:200], "strategic": False} for c, n in industries.new.items()],
            unique_fields=["code"],
            update_fields=["name"],
        )
    return ids_by_key(Industry, ["code"])


def plan_customers(ctx: ImportContext) -> Plan:
    existing = {r["code"]: r for r in GroupCustomer.objects.values("code", *_CUSTOMER_FIELDS)}
    industries = _industry_lookup()
    managers = dict(AccountManager.objects.values_list("employee__employee_no", "id"))
    incoming = []
    for row in ctx.rows:
        code = row.values.get("code")
        if not code:
            ctx.error(row, "code", _("the code is required"))
            continue
        code = customer_code(code)
        values = row.values
        given = given_values(
            row,
            {
                "name": "name",
                "scale": "scale",
                "contract_start": "contract_start",
                "contract_end": "contract_end",
                "status": "status",
                "tier": "tier",
                "service_channel": "service_channel",
            },
        )
        for name, default in (("status", CustomerStatus.ACTIVE), ("tier", "")):
            if name in given and given[name] is None:
                given[name] = str(default)
        if "service_channel" in given and given["service_channel"] is None:
            given["service_channel"] = ServiceChannel.ACCOUNT_MANAGER.value
        if "region" in values:
            given["region"] = text_or_empty(values["region"])
        if "products" in values:
            given["products"] = _products(values["products"])
        if given.get("scale") is not None and not 0 <= given["scale"] <= 2_147_483_647:
            ctx.error(row, "scale", _("must not be negative"))
        if "industry" in values:
            given["industry_id"] = None
            if values["industry"]:
                try:
                    pk, new_code = industries.resolve(values["industry"])
                except ValueError as exc:
                    ctx.error(row, "industry", str(exc))
                else:
                    given["industry_id"] = pk if pk is not None else new_code
        if "account_manager" in values:
            given["account_manager_id"] = None
            number = values["account_manager"]
            if number:
                given["account_manager_id"] = managers.get(number)
                if given["account_manager_id"] is None:
                    ctx.error(
                        row,
                        "account_manager",
                        _("no account manager with this employee number"),
                    )
        merged = {**_CUSTOMER_DEFAULTS, **existing.get(code, {}), **given}
        start, end = merged["contract_start"], merged["contract_end"]
        if start and end and end < start:
            ctx.error(row, "contract_end", _("the contract cannot end before it starts"))
        incoming.append((row, code, {"code": code, **given}))
    new_rows, changed_rows, counts = merge_rows(
        ctx,
        needs=gettext_noop("a new customer needs %(field)s"),
        existing=existing,
        incoming=incoming,
        defaults=_CUSTOMER_DEFAULTS,
        required={"name": "name"},
    )

    def write() -> None:
        industry_ids = _create_industries(industries)
        for row in (*new_rows, *changed_rows):
            if isinstance(row["industry_id"], str):
                row["industry_id"] = industry_ids[row["industry_id"]]
        save_rows(GroupCustomer, new_rows, changed_rows, ["code"], _CUSTOMER_FIELDS)

    return Plan(
        counts={"customers": counts, "industries": count(created=len(industries.new))},
        write=write,
    )


def export_customers(queryset: QuerySet) -> Iterator[list[Any]]:
    rows = queryset.order_by("code").values_list(
        "code",
        "name",
        "industry__code",
        "scale",
        "region",
        "contract_start",
        "contract_end",
        "products",
        "status",
        "tier",
        "service_channel",
        "account_manager__employee__employee_no",
    )
    for row in rows.iterator(chunk_size=5000):
        values = list(row)
        values[7] = PRODUCT_SEPARATOR.join(values[7] or [])
        yield values


# --- monthly revenue -------------------------------------------------------------------------

REVENUE_COLUMNS = (
    Column("customer", REF),
    Column("month", TEXT),
    Column("amount", DECIMAL),
)
_YEAR_MONTH = re.compile(r"^(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*月?|(\d{2}))$")


def parse_month(value: Any, *, today: dt.date, slash_order: str = "mdy") -> dt.date:
    """The first day of a month given as 2024-03, 2024/3, 202403, 2024年3月 or as the date of
    its first day (a date on another day is an error: it would hide a file of daily amounts)."""
    if isinstance(value, dt.date):
        date = value.date() if isinstance(value, dt.datetime) else value
    else:
        text = normalize.clean_text(value)
        if match := _YEAR_MONTH.match(text):
            year, month = int(match.group(1)), int(match.group(2) or match.group(3))
            if not 1 <= month <= 12:
                raise normalize.Problem(
                    gettext_noop("not a month: %(value)r (use e.g. 2024-03)"), value=text
                )
            return dt.date(year, month, 1)
        try:
            date = normalize.parse_date(text, today=today, slash_order=slash_order)
        except ValueError:
            raise normalize.Problem(
                gettext_noop("not a month: %(value)r (use e.g. 2024-03)"), value=text
            ) from None
    if date.day != 1:
        raise normalize.Problem(
            gettext_noop("a month is written as 2024-03 or as its first day, not %(value)s"),
            value=date.isoformat(),
        )
    return date


def plan_revenue(ctx: ImportContext) -> Plan:
    codes = _customer_ids()
    existing = {
        (r["customer_id"], r["month"]): r
        for r in MonthlyRevenue.objects.values("customer_id", "month", "amount")
    }
    incoming = []
    seen: dict[tuple[int, dt.date], int] = {}
    for row in ctx.rows:
        customer = _resolve_customer(ctx, row, codes)
        raw = row.values.get("month")
        month = None
        if not raw:
            ctx.error(row, "month", _("the month is required"))
        else:
            try:
                month = parse_month(
                    raw, today=ctx.today, slash_order=ctx.mapping.options.date_order
                )
            except ValueError as exc:
                ctx.error(row, "month", explain(exc))
        if customer is None or month is None:
            continue
        if (customer, month) in seen:  # "2024-03" and "2024-03-01" are the same month
            reason = _("duplicate %(key)s: also on row %(row)d")
            ctx.error(
                row, "month", reason % {"key": "customer + month", "row": seen[(customer, month)]}
            )
            continue
        seen[(customer, month)] = row.number
        given = {}
        if "amount" in row.values:
            given["amount"] = money(row.values["amount"])
        incoming.append(
            (row, (customer, month), {"customer_id": customer, "month": month, **given})
        )
    new_rows, changed_rows, counts = merge_rows(
        ctx,
        needs=gettext_noop("a new monthly revenue needs %(field)s"),
        existing=existing,
        incoming=incoming,
        defaults={"amount": None},
        required={"amount": "amount"},
    )

    def write() -> None:
        save_rows(MonthlyRevenue, new_rows, changed_rows, ["customer_id", "month"], ["amount"])

    return Plan(counts={"monthly_revenue": counts}, write=write)


# plain amounts a fast path takes as they are: at most 14 digits before the point and 2 after
# (the stored precision, so nothing to round); anything else goes through normalize
_PLAIN_AMOUNT = re.compile(r"-?\d{1,14}(?:\.\d{1,2})?\Z").match
_PLAIN_WHOLE_AMOUNT = re.compile(r"-?\d{1,14}\Z").match  # with a decimal comma


class RevenueStream(ChunkPlanner):
    """The monthly-revenue import in bounded memory (`EntitySpec.stream`), with the same checks
    and messages as `plan_revenue`.

    Per chunk: the customer codes are looked up in one array operation (an index of the stored
    codes), the months parsed once per distinct cell, the plain amounts taken as written; the
    odd cells (spaces, "17850.0", thousand separators) go through the usual parsers. Checked
    rows are staged on the database with their row numbers; a few int arrays per row (about
    20 bytes) stay for the duplicate check at the end, which needs the whole file.
    """

    def __init__(self, ctx: ImportContext):
        import numpy as np
        import pandas as pd

        self.ctx = ctx
        codes = _customer_ids()
        self.codes = codes
        self.code_by_id: dict[int, str] | None = None
        # stored codes a file gives as they are; a float-looking stored code never matches
        # (the file's "1.0" is read as "1"), as in the row-by-row plan
        plain = {code: pk for code, pk in codes.items() if not _FLOAT_ID.match(code)}
        self.code_index = pd.Index(list(plain), dtype=object)
        self.code_ids = np.fromiter(plain.values(), dtype=np.int64, count=len(plain))
        mapped = ctx.mapping.values
        self.fast_customer = "customer" in ctx.columns and "customer" not in mapped
        self.fast_amount = "amount" in ctx.columns and "amount" not in mapped
        self.plain_amount = _PLAIN_WHOLE_AMOUNT if ctx.decimal_comma else _PLAIN_AMOUNT
        self.months: dict[Any, Any] = {}  # parsed month text -> date or Problem
        self.month_texts: dict[Any, int] = {}  # parsed month text -> id (textual duplicates)
        self.aliases: dict[str, int] = {}  # a customer written otherwise than its code -> id
        self.seen_unresolved: dict[tuple, int] = {}  # (customer, month) texts -> first row
        self.parts: list[tuple] = []  # per chunk: rows, id keys, text keys, month cells
        self.no_amount: list[tuple[int, int, dt.date, Any]] = []  # row, customer, month, cell
        self.staging = Staging(MonthlyRevenue, key=["customer_id", "month"], values=["amount"])

    def chunk(self, rows: RowChunk) -> None:
        import numpy as np
        import pandas as pd

        ctx, n = self.ctx, len(rows)
        everything = np.arange(n)
        # customers: one index lookup; the rest parsed as any REF cell, then by code
        customer_text = np.empty(n, dtype=object)
        customer_ids = np.full(n, -1, dtype=np.int64)
        if self.fast_customer:
            cells = rows.cells("customer")
            found = self.code_index.get_indexer(cells)
            hit = found >= 0
            customer_ids[hit] = self.code_ids[found[hit]]
            customer_text[hit] = cells[hit]
            odd = np.flatnonzero(~hit)
        else:
            odd = everything
        amounts_text = np.empty(n, dtype=object)
        amount_cells = rows.cells("amount") if "amount" in ctx.columns else None
        if self.fast_amount:
            plain = self.plain_amount
            amount_ok = np.fromiter(
                (type(c) is str and plain(c) is not None for c in amount_cells), bool, n
            )
            amounts_text[amount_ok] = amount_cells[amount_ok]
            odd_amounts = np.flatnonzero(~amount_ok)
        else:
            odd_amounts = everything if ctx.has("amount") else np.empty(0, dtype=np.int64)
        # the generic parsers on the odd cells, in column order (their errors first in a row)
        for name in ctx.positions or ():
            if name == "customer" and len(odd):
                customer_text[odd] = rows.parse("customer", odd)
            elif name == "amount" and len(odd_amounts):
                for i, value in zip(
                    odd_amounts.tolist(), rows.parse("amount", odd_amounts), strict=True
                ):
                    amounts_text[i] = None if value is None else str(money(value))
        for name, position_missing in (("customer", odd), ("amount", odd_amounts)):
            if name not in ctx.positions and ctx.has(name) and len(position_missing):
                values = rows.parse(name, position_missing)
                if name == "customer":
                    customer_text[position_missing] = values
                else:
                    amounts_text[position_missing] = [
                        None if v is None else str(money(v)) for v in values
                    ]
        for i in odd.tolist():
            text = customer_text[i]
            if text:
                pk = self.codes.get(customer_code(text))
                if pk is not None:
                    customer_ids[i] = pk
        # months: each distinct cell parsed once
        month_cells = rows.cells("month")
        codes_, distinct = pd.factorize(pd.Series(month_cells, dtype=object), use_na_sentinel=False)
        distinct_values = rows_parse_distinct(rows, "month", codes_, distinct)
        month_of = [self._month(v) for v in distinct_values]
        month_date = np.array(
            [m if isinstance(m, dt.date) else None for m in month_of], dtype=object
        )
        month_number = np.array(
            [m.year * 12 + m.month - 1 if isinstance(m, dt.date) else -1 for m in month_of],
            dtype=np.int64,
        )
        month_text_id = np.array([self._month_text_id(v) for v in distinct_values], dtype=np.int64)
        months = month_number[codes_]
        resolved = (customer_ids >= 0) & (months >= 0)
        # rows that cannot be keyed: exactly the row-by-row plan's checks, in its order
        for i in np.flatnonzero(~resolved).tolist():
            text, value = customer_text[i], distinct_values[codes_[i]]
            if text and value:
                first = self.seen_unresolved.setdefault((text, value), int(rows.numbers[i]))
                if first != rows.numbers[i]:
                    reason = _("duplicate %(key)s: also on row %(row)d")
                    rows.error(i, "month", reason % {"key": "customer + month", "row": first})
            if not text:
                rows.error(i, "customer", _("the customer is required"))
            elif customer_ids[i] < 0:
                rows.error(i, "customer", _("no customer with this code"))
            if not value:
                rows.error(i, "month", _("the month is required"))
            elif not isinstance(month_of[codes_[i]], dt.date):
                rows.error(i, "month", explain(month_of[codes_[i]]))
        keep = np.flatnonzero(resolved)
        numbers = rows.numbers[keep]
        ids = customer_ids[keep]
        text_ids = ids.copy()
        if len(odd):  # a customer written otherwise than its code ("17850.0"): its own text key
            was_odd = np.zeros(n, dtype=bool)
            was_odd[odd] = True
            for j in np.flatnonzero(was_odd[keep]).tolist():
                text = customer_text[keep[j]]
                if text != self._code_of(ids[j]):
                    text_ids[j] = -1 - self.aliases.setdefault(text, len(self.aliases))
        id_keys = ids * 100_000 + months[keep]
        text_keys = (text_ids + (1 << 31)) * 100_000 + month_text_id[codes_[keep]]
        month_cell = codes_[keep].astype(np.int32)
        self.parts.append((numbers, id_keys, text_keys, month_cell, list(distinct)))
        amounts = amounts_text[keep]
        given = np.array([a is not None for a in amounts], dtype=bool)
        if not given.all():
            raw = amount_cells[keep] if amount_cells is not None else None
            for j in np.flatnonzero(~given).tolist():
                value = raw[j] if raw is not None else ctx.mapping.defaults.get("amount", "")
                self.no_amount.append(
                    (int(numbers[j]), int(ids[j]), month_date[codes_[keep[j]]], value)
                )
        if given.any():
            self.staging.append(
                numbers[given].tolist(),
                [
                    ids[given].astype(str).tolist(),
                    [d.isoformat() for d in month_date[codes_[keep[given]]]],
                    amounts[given].tolist(),
                ],
            )

    def _code_of(self, pk: int) -> str | None:
        if self.code_by_id is None:
            self.code_by_id = {v: k for k, v in self.codes.items()}
        return self.code_by_id.get(int(pk))

    def _month(self, value: Any) -> Any:
        if not value:
            return None
        if value not in self.months:
            try:
                self.months[value] = parse_month(
                    value, today=self.ctx.today, slash_order=self.ctx.mapping.options.date_order
                )
            except ValueError as exc:
                self.months[value] = exc
        return self.months[value]

    def _month_text_id(self, value: Any) -> int:
        if not value:
            return -1
        return self.month_texts.setdefault(value, len(self.month_texts))

    def finish(self) -> Plan:
        import numpy as np
        import pandas as pd

        ctx = self.ctx
        if self.parts:
            numbers = np.concatenate([p[0] for p in self.parts])
            id_keys = np.concatenate([p[1] for p in self.parts])
            text_keys = np.concatenate([p[2] for p in self.parts])
        else:
            numbers = id_keys = text_keys = np.empty(0, dtype=np.int64)
        by_text = pd.Series(text_keys).duplicated().to_numpy()
        by_id = pd.Series(id_keys).duplicated().to_numpy()
        duplicates: set[int] = set()
        if by_text.any() or by_id.any():
            frame = pd.DataFrame({"row": numbers, "text": text_keys, "id": id_keys})
            first_text = frame.groupby("text")["row"].transform("min").to_numpy()
            first_id = frame.groupby("id")["row"].transform("min").to_numpy()
            cells = self._month_cells()
            reason = _("duplicate %(key)s: also on row %(row)d")
            for j in np.flatnonzero(by_text | by_id).tolist():
                first = first_text[j] if by_text[j] else first_id[j]
                number = int(numbers[j])
                row_error(
                    ctx,
                    number,
                    "month",
                    reason % {"key": "customer + month", "row": int(first)},
                    cells[j],
                )
                duplicates.add(number)
            self.staging.remove(sorted(duplicates))
        self._report_missing_amounts(duplicates)
        created, updated, unchanged = self.staging.compare()
        unchanged += self._unchanged_without_amount
        return Plan(
            counts={"monthly_revenue": count(created, updated, unchanged)},
            write=self.staging.merge,
        )

    def _month_cells(self) -> list[Any]:
        """The file's month cell of every keyed row (for duplicate errors only)."""
        cells: list[Any] = []
        for _numbers, _ids, _texts, codes_, distinct in self.parts:
            cells.extend(distinct[c] for c in codes_.tolist())
        return cells

    def _report_missing_amounts(self, duplicates: set[int]) -> None:
        """Rows without an amount: an error for a month not stored yet, or a stored one when
        the file has an amount column (as `merge_rows` says); unchanged otherwise."""
        self._unchanged_without_amount = 0
        rows = [r for r in self.no_amount if r[0] not in duplicates]
        if not rows:
            return
        stored: set[tuple[int, dt.date]] = set()
        for part in range(0, len(rows), 1000):
            chunk = rows[part : part + 1000]
            stored |= set(
                MonthlyRevenue.objects.filter(
                    customer_id__in={r[1] for r in chunk}, month__in={r[2] for r in chunk}
                ).values_list("customer_id", "month")
            )
        for number, customer, month, value in rows:
            if (customer, month) not in stored:
                reason = _("a new monthly revenue needs %(field)s") % {"field": "amount"}
            elif not self.ctx.has("amount"):
                self._unchanged_without_amount += 1
                continue
            else:
                reason = _("%(field)s is required") % {"field": "amount"}
            row_error(self.ctx, number, "amount", reason, value)

    def close(self) -> None:
        self.staging.drop()


def rows_parse_distinct(rows: RowChunk, name: str, codes_: Any, distinct: Any) -> list[Any]:
    """Field `name`'s typed value for each distinct cell (errors reported on the first row of
    each failing cell... and every other row holding it, as the row-by-row parse does)."""
    import numpy as np

    if len(distinct) == 0:
        return []
    firsts = np.unique(codes_, return_index=True)[1]
    values = rows.parse(name, firsts)
    failed = [k for k, v in enumerate(values) if v is None and distinct[k] not in (None, "")]
    return values if not failed else _parse_all_failing(rows, name, codes_, values, failed)


def _parse_all_failing(rows, name, codes_, values, failed):
    """A month cell that failed to parse is an error on every row that holds it."""
    import numpy as np

    more = np.flatnonzero(np.isin(codes_, failed))
    firsts = set(np.unique(codes_, return_index=True)[1].tolist())
    others = np.array([i for i in more.tolist() if i not in firsts], dtype=np.int64)
    if len(others):
        rows.parse(name, others)
    return values


def export_revenue(queryset: QuerySet) -> Iterator[list[Any]]:
    rows = queryset.order_by("customer__code", "month").values_list(
        "customer__code", "month", "amount"
    )
    for code, month, amount in rows.iterator(chunk_size=10000):
        yield [code, month.strftime("%Y-%m"), amount]


# --- service contacts ------------------------------------------------------------------------

CONTACT_COLUMNS = (
    Column("customer", REF),
    Column("date", DATE),
    Column("channel", CHOICE, choices=column_choices(ServiceChannel)),
    Column("kind", CHOICE, choices=column_choices(ContactKind)),
    Column("satisfaction", INT),
    Column("resolved", BOOL),
)


def plan_contacts(ctx: ImportContext) -> Plan:
    codes = _customer_ids()
    existing = {
        (r["customer_id"], r["date"], r["channel"], r["kind"]): r
        for r in ServiceContact.objects.values(
            "customer_id", "date", "channel", "kind", "satisfaction", "resolved"
        )
    }
    incoming = []
    seen: dict[tuple, int] = {}
    for row in ctx.rows:
        customer = _resolve_customer(ctx, row, codes)
        key_values = [row.values.get(name) for name in ("date", "channel", "kind")]
        for name, value in zip(("date", "channel", "kind"), key_values, strict=True):
            if not value:
                ctx.error(row, name, _("%(field)s is required") % {"field": name})
        if customer is None or not all(key_values):
            continue
        key = (customer, *key_values)
        if key in seen:  # "17850" and "17850.0" are the same customer
            reason = _("duplicate %(key)s: also on row %(row)d")
            ctx.error(
                row, "kind", reason % {"key": "customer + date + channel + kind", "row": seen[key]}
            )
            continue
        seen[key] = row.number
        given = given_values(row, {"satisfaction": "satisfaction", "resolved": "resolved"})
        if given.get("satisfaction") is not None and not 1 <= given["satisfaction"] <= 5:
            ctx.error(row, "satisfaction", out_of_range_reason(1, 5))
        if "resolved" in given and given["resolved"] is None:
            given["resolved"] = False
        date, channel, kind = key_values
        incoming.append(
            (
                row,
                key,
                {"customer_id": customer, "date": date, "channel": channel, "kind": kind, **given},
            )
        )
    new_rows, changed_rows, counts = merge_rows(
        ctx,
        needs=gettext_noop("a new service contact needs %(field)s"),
        existing=existing,
        incoming=incoming,
        defaults={"satisfaction": None, "resolved": False},
        required={},
    )

    def write() -> None:
        save_rows(
            ServiceContact,
            new_rows,
            changed_rows,
            ["customer_id", "date", "channel", "kind"],
            ["satisfaction", "resolved"],
        )

    return Plan(counts={"service_contacts": counts}, write=write)


def export_contacts(queryset: QuerySet) -> Iterator[list[Any]]:
    rows = queryset.order_by("customer__code", "date", "channel", "kind").values_list(
        "customer__code", "date", "channel", "kind", "satisfaction", "resolved"
    )
    for row in rows.iterator(chunk_size=10000):
        yield list(row)


# --- transactions (invoice lines, aggregated into monthly revenue) ---------------------------

TRANSACTION_COLUMNS = (
    Column("invoice", TEXT, max_length=60),
    Column("customer", REF),
    Column("date_time", DATE),
    Column("quantity", DECIMAL),
    Column("unit_price", DECIMAL),
    Column("amount", DECIMAL),
    Column("customer_name", NAME, max_length=200),
    Column("region", NAME, max_length=100),
)


def is_return(invoice: str | None, quantity: Decimal | None, amount: Decimal | None) -> bool:
    """A cancellation: invoice number starting with "C", or a negative quantity or amount."""
    return bool(
        (invoice and invoice[:1] in "Cc")
        or (quantity is not None and quantity < 0)
        or (amount is not None and amount < 0)
    )


def plan_transactions(ctx: ImportContext) -> Plan:
    codes = _customer_ids()
    create_missing = ctx.mapping.options.create_missing_customers
    if not ctx.has("amount") and not (ctx.has("quantity") and ctx.has("unit_price")):
        ctx.error(None, "amount", _("the file needs an amount, or a quantity and a unit price"))
    if not ctx.has("customer"):
        ctx.error(None, "customer", _("the file has no column for the customer id"))
    totals: dict[tuple[str, dt.date], Decimal] = {}
    new_customers: dict[str, dict[str, Any]] = {}
    lines = returns = skipped = 0
    for row in ctx.rows:
        values = row.values
        raw_customer = values.get("customer")
        if not raw_customer:
            skipped += 1
            continue
        code = customer_code(raw_customer)
        date = values.get("date_time")
        if date is None:
            ctx.error(row, "date_time", _("the date is required"))
        amount = values.get("amount")
        quantity, price = values.get("quantity"), values.get("unit_price")
        if amount is None:
            if quantity is None or price is None:
                name = "quantity" if quantity is None else "unit_price"
                ctx.error(row, name, _("a line needs an amount, or a quantity and a unit price"))
                continue
            amount = quantity * price
        if code not in codes and code not in new_customers:
            if create_missing:
                name = values.get("customer_name") or code
                new_customers[code] = {"name": name, "region": text_or_empty(values.get("region"))}
            else:
                ctx.error(
                    row,
                    "customer",
                    _(
                        "no customer with this code (set create_missing_customers = true"
                        " in [options] to create it)"
                    ),
                )
                continue
        if date is None:
            continue
        lines += 1
        if is_return(values.get("invoice"), quantity, amount):
            returns += 1
            amount = -abs(amount)
        month = date.replace(day=1)
        totals[(code, month)] = totals.get((code, month), Decimal(0)) + amount
    if skipped:
        reason = ngettext(
            "%(count)d line has no customer id and was skipped",
            "%(count)d lines have no customer id and were skipped",
            skipped,
        )
        ctx.warning(None, "customer", reason % {"count": skipped}, value="")

    customer_ids = {code: codes.get(code) for code, _month in totals}
    existing = {
        (r["customer_id"], r["month"]): r["amount"]
        for r in MonthlyRevenue.objects.filter(
            customer_id__in=[pk for pk in customer_ids.values() if pk is not None],
            month__in=sorted({month for _code, month in totals}),
        ).values("customer_id", "month", "amount")
    }
    to_write: list[dict[str, Any]] = []
    created = updated = unchanged = 0
    for (code, month), total in totals.items():
        amount = money(total)
        pk = customer_ids[code]
        stored = existing.get((pk, month)) if pk is not None else None
        if stored is None:
            created += 1
        elif stored == amount:
            unchanged += 1
            continue
        else:
            updated += 1
        to_write.append({"code": code, "month": month, "amount": amount})

    def write() -> None:
        ids = codes
        if new_customers:
            bulk_upsert(
                GroupCustomer,
                [
                    {
                        **_CUSTOMER_DEFAULTS,
                        "code": code,
                        "name": row["name"],
                        "region": row["region"],
                    }
                    for code, row in new_customers.items()
                ],
                unique_fields=["code"],
                update_fields=["name"],
            )
            ids = _customer_ids()
        bulk_upsert(
            MonthlyRevenue,
            [
                {"customer_id": ids[r["code"]], "month": r["month"], "amount": r["amount"]}
                for r in to_write
            ],
            unique_fields=["customer_id", "month"],
            update_fields=["amount"],
        )

    return Plan(
        counts={
            "transactions": {"lines": lines, "returns": returns, "skipped": skipped},
            "monthly_revenue": count(created, updated, unchanged),
            "customers": count(created=len(new_customers)),
        },
        write=write,
    )


def export_transactions(queryset: QuerySet) -> Iterator[list[Any]]:
    """Monthly revenue as one line per customer and month (dated the 1st): importing it back
    as transactions gives the same monthly revenue."""
    rows = queryset.order_by("customer__code", "month").values_list(
        "customer__code", "month", "amount", "customer__name", "customer__region"
    )
    for code, month, amount, name, region in rows.iterator(chunk_size=10000):
        yield ["", code, month, None, None, amount, name, region]


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
