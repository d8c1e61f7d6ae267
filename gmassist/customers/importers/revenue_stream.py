"""The monthly-revenue import in bounded memory: a file of millions of rows checked chunk by
chunk (`EntitySpec.stream`, see `gmassist.core.imports`) with the same checks and messages as
the row-by-row `revenue.plan_revenue`."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from gmassist.core.imports import (
    ChunkPlanner,
    ImportContext,
    Plan,
    RowChunk,
    count,
    explain,
    money,
    row_error,
)
from gmassist.customers.importers.common import FLOAT_ID, customer_code, customer_ids
from gmassist.customers.importers.revenue import parse_month
from gmassist.customers.models import MonthlyRevenue
from gmassist.lib.bulk import Staging

# plain amounts a fast path takes as they are: at most 14 digits before the point and 2 after
# (the stored precision, so nothing to round); anything else goes through normalize
_PLAIN_AMOUNT = re.compile(r"-?\d{1,14}(?:\.\d{1,2})?\Z").match
_PLAIN_WHOLE_AMOUNT = re.compile(r"-?\d{1,14}\Z").match  # with a decimal comma


# The columns of one chunk as the checks go (numpy arrays, one item per row of the chunk unless
# said otherwise); numpy and pandas are imported when a file is streamed, not with the module.


@dataclass
class _ChunkCustomers:
    text: Any  # the customer cell as parsed (object array; None when empty or failed)
    ids: Any  # the customer's id (int64), -1 while not found
    odd: Any  # positions of the rows the index lookup did not find: parsed and looked up


@dataclass
class _ChunkAmounts:
    text: Any  # the amount as text with two decimals (object array; None when not given)
    cells: Any  # the file's amount cells (None when the file has no amount column)
    odd: Any  # positions of the rows whose cell is not a plain amount: parsed


@dataclass
class _ChunkMonths:
    codes: Any  # per row: the index of its month cell among the chunk's distinct cells
    distinct: Any  # the distinct month cells
    values: list[Any]  # per distinct cell: its typed value (None when empty or failed)
    parsed: list[Any]  # per distinct cell: its month (a date), a Problem, or None
    date: Any  # per distinct cell: its month (object array of dates), None when not one
    number: Any  # per distinct cell: year * 12 + month - 1 (int64), -1 when not a month
    text_id: Any  # per distinct cell: the id of its text across the file (int64), -1 empty


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
        codes = customer_ids()
        self.codes = codes
        self.code_by_id: dict[int, str] | None = None
        # stored codes a file gives as they are; a float-looking stored code never matches
        # (the file's "1.0" is read as "1"), as in the row-by-row plan
        plain = {code: pk for code, pk in codes.items() if not FLOAT_ID.match(code)}
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
        """Check a chunk column by column, stage its keyed rows, keep their keys."""
        import numpy as np

        customers = self._customers(rows)
        amounts = self._amounts(rows)
        self._parse_odd_cells(rows, customers, amounts)
        self._look_up_odd_customers(customers)
        months = self._months_of(rows)
        row_months = months.number[months.codes]
        resolved = (customers.ids >= 0) & (row_months >= 0)
        self._report_unkeyed(rows, np.flatnonzero(~resolved), customers, months)
        keep = np.flatnonzero(resolved)
        numbers, ids = self._keep_keys(rows, keep, customers, months, row_months)
        self._stage_amounts(keep, numbers, ids, amounts, months)

    def _customers(self, rows: RowChunk) -> _ChunkCustomers:
        """The customers found by one index lookup of the cells as they are."""
        import numpy as np

        n = len(rows)
        text = np.empty(n, dtype=object)
        ids = np.full(n, -1, dtype=np.int64)
        if not self.fast_customer:
            return _ChunkCustomers(text, ids, np.arange(n))
        cells = rows.cells("customer")
        found = self.code_index.get_indexer(cells)
        hit = found >= 0
        ids[hit] = self.code_ids[found[hit]]
        text[hit] = cells[hit]
        return _ChunkCustomers(text, ids, np.flatnonzero(~hit))

    def _amounts(self, rows: RowChunk) -> _ChunkAmounts:
        """The plain amounts taken as written; the others (`odd`) are parsed afterwards."""
        import numpy as np

        ctx, n = self.ctx, len(rows)
        text = np.empty(n, dtype=object)
        cells = rows.cells("amount") if "amount" in ctx.columns else None
        if self.fast_amount:
            plain = self.plain_amount
            ok = np.fromiter((type(c) is str and plain(c) is not None for c in cells), bool, n)
            text[ok] = cells[ok]
            odd = np.flatnonzero(~ok)
        elif ctx.has("amount"):
            odd = np.arange(n)
        else:
            odd = np.empty(0, dtype=np.int64)
        return _ChunkAmounts(text, cells, odd)

    def _parse_odd_cells(
        self, rows: RowChunk, customers: _ChunkCustomers, amounts: _ChunkAmounts
    ) -> None:
        """The generic parsers on the odd cells, in column order (their errors first in a
        row), then on the fields a mapping default gives."""
        ctx = self.ctx
        odd = {"customer": customers.odd, "amount": amounts.odd}
        in_file = [name for name in ctx.positions or () if name in odd]
        defaulted = [name for name in odd if name not in ctx.positions and ctx.has(name)]
        for name in in_file + defaulted:
            index = odd[name]
            if not len(index):
                continue
            values = rows.parse(name, index)
            if name == "customer":
                customers.text[index] = values
                continue
            for i, value in zip(index.tolist(), values, strict=True):
                amounts.text[i] = None if value is None else str(money(value))

    def _look_up_odd_customers(self, customers: _ChunkCustomers) -> None:
        """The odd customer cells, parsed, looked up by code ("17850.0" is "17850")."""
        for i in customers.odd.tolist():
            text = customers.text[i]
            if text:
                pk = self.codes.get(customer_code(text))
                if pk is not None:
                    customers.ids[i] = pk

    def _months_of(self, rows: RowChunk) -> _ChunkMonths:
        """The chunk's months: each distinct cell parsed once."""
        import numpy as np
        import pandas as pd

        month_cells = rows.cells("month")
        codes_, distinct = pd.factorize(pd.Series(month_cells, dtype=object), use_na_sentinel=False)
        values = rows_parse_distinct(rows, "month", codes_, distinct)
        parsed = [self._month(v) for v in values]
        return _ChunkMonths(
            codes=codes_,
            distinct=distinct,
            values=values,
            parsed=parsed,
            date=np.array([m if isinstance(m, dt.date) else None for m in parsed], dtype=object),
            number=np.array(
                [m.year * 12 + m.month - 1 if isinstance(m, dt.date) else -1 for m in parsed],
                dtype=np.int64,
            ),
            text_id=np.array([self._month_text_id(v) for v in values], dtype=np.int64),
        )

    def _report_unkeyed(
        self, rows: RowChunk, unkeyed: Any, customers: _ChunkCustomers, months: _ChunkMonths
    ) -> None:
        """The rows that cannot be keyed (positions `unkeyed`): exactly the row-by-row plan's
        checks, in its order."""
        for i in unkeyed.tolist():
            text, value = customers.text[i], months.values[months.codes[i]]
            if text and value:
                first = self.seen_unresolved.setdefault((text, value), int(rows.numbers[i]))
                if first != rows.numbers[i]:
                    reason = _("duplicate %(key)s: also on row %(row)d")
                    rows.error(i, "month", reason % {"key": "customer + month", "row": first})
            if not text:
                rows.error(i, "customer", _("the customer is required"))
            elif customers.ids[i] < 0:
                rows.error(i, "customer", _("no customer with this code"))
            if not value:
                rows.error(i, "month", _("the month is required"))
            elif not isinstance(months.parsed[months.codes[i]], dt.date):
                rows.error(i, "month", explain(months.parsed[months.codes[i]]))

    def _keep_keys(
        self,
        rows: RowChunk,
        keep: Any,
        customers: _ChunkCustomers,
        months: _ChunkMonths,
        row_months: Any,
    ) -> tuple[Any, Any]:
        """Keep the keys of the keyed rows (positions `keep`) for the duplicate check at the
        end: by customer id and month, and by the texts as written. Returns their row
        numbers and customer ids."""
        import numpy as np

        numbers = rows.numbers[keep]
        ids = customers.ids[keep]
        text_ids = self._text_ids(len(rows), keep, ids, customers)
        id_keys = ids * 100_000 + row_months[keep]
        text_keys = (text_ids + (1 << 31)) * 100_000 + months.text_id[months.codes[keep]]
        month_cell = months.codes[keep].astype(np.int32)
        self.parts.append((numbers, id_keys, text_keys, month_cell, list(months.distinct)))
        return numbers, ids

    def _text_ids(self, n: int, keep: Any, ids: Any, customers: _ChunkCustomers) -> Any:
        """The customer part of a keyed row's text key: its id, unless it is written
        otherwise than its code ("17850.0"): then an alias of its own (negative)."""
        import numpy as np

        text_ids = ids.copy()
        if not len(customers.odd):
            return text_ids
        was_odd = np.zeros(n, dtype=bool)
        was_odd[customers.odd] = True
        for j in np.flatnonzero(was_odd[keep]).tolist():
            text = customers.text[keep[j]]
            if text != self._code_of(ids[j]):
                text_ids[j] = -1 - self.aliases.setdefault(text, len(self.aliases))
        return text_ids

    def _stage_amounts(
        self, keep: Any, numbers: Any, ids: Any, amounts: _ChunkAmounts, months: _ChunkMonths
    ) -> None:
        """Stage the keyed rows with an amount; keep those without one for `finish`."""
        import numpy as np

        kept = amounts.text[keep]
        given = np.array([a is not None for a in kept], dtype=bool)
        if not given.all():
            raw = amounts.cells[keep] if amounts.cells is not None else None
            default = self.ctx.mapping.defaults.get("amount", "")
            for j in np.flatnonzero(~given).tolist():
                value = raw[j] if raw is not None else default
                self.no_amount.append(
                    (int(numbers[j]), int(ids[j]), months.date[months.codes[keep[j]]], value)
                )
        if given.any():
            self.staging.append(
                numbers[given].tolist(),
                [
                    ids[given].astype(str).tolist(),
                    [d.isoformat() for d in months.date[months.codes[keep[given]]]],
                    kept[given].tolist(),
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
