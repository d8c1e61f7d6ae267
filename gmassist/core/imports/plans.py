"""Helpers for entity plans: `given_values` (the columns a row gives), `merge_rows` (the
generic diff of parsed rows against stored ones by natural key, with the counts), `save_rows`
(insert the new rows, update the changed ones), `CatalogueLookup` (a catalogue row by code or
unique name, or a new one to create), and the small value checks `text_or_empty`,
`out_of_range_reason`, `column_choices`, `count` and `money`."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext

from gmassist.core.imports.context import ImportContext
from gmassist.core.imports.entities import ParsedRow
from gmassist.lib import normalize
from gmassist.lib.bulk import INSERT, UPDATE, bulk_upsert


def count(created: int = 0, updated: int = 0, unchanged: int = 0) -> dict[str, int]:
    return {"created": created, "updated": updated, "unchanged": unchanged}


def money(value: Decimal | None, places: int = 2) -> Decimal | None:
    """`value` rounded to `places` decimals, as stored in a DecimalField."""
    if value is None:
        return None
    return value.quantize(Decimal(1).scaleb(-places))


def column_choices(choices: type[models.Choices]) -> tuple[tuple[str, str], ...]:
    """A Django choices class as `Column.choices`: (value, label) pairs."""
    return tuple((c.value, str(c.label)) for c in choices)


def given_values(
    row: ParsedRow, mapping: dict[str, str], convert: Callable[[str, Any], Any] | None = None
) -> dict[str, Any]:
    """The columns a row gives: {attname: value} for each field with a column (or default).

    `mapping` is field name -> attname; `convert(name, value)`, when given, converts each value.
    """
    out = {}
    for name, attname in mapping.items():
        if name in row.values:
            value = row.values[name]
            out[attname] = convert(name, value) if convert else value
    return out


def text_or_empty(value: Any) -> str:
    """A parsed text value as stored in a text column: None (an empty cell) is ""."""
    return "" if value is None else value


def out_of_range_reason(low: Any, high: Any) -> str:
    """The reason for a value outside `low`..`high` (both allowed), translated."""
    return gettext("must be from %(low)s to %(high)s") % {"low": low, "high": high}


class CatalogueLookup:
    """Finds a catalogue row by code, then by unique name; plans a new row when neither matches.

    For the small catalogues an entity names by code or name and creates when missing
    (departments, positions, skills, industries).
    """

    def __init__(self, rows: list[tuple[int, str, str]], *, ambiguous: str, max_length: int = 40):
        self.ambiguous = ambiguous  # "%(count)d departments are named %(value)r: give the code"
        self.max_length = max_length
        self.by_code: dict[str, int] = {}
        self.by_folded_code: dict[str, list[int]] = {}
        self.by_name: dict[str, list[int]] = {}
        for pk, code, name in rows:
            self.by_code[code] = pk
            self.by_folded_code.setdefault(code.casefold(), []).append(pk)
            self.by_name.setdefault(normalize.clean_name(name).casefold(), []).append(pk)
        self.new: dict[str, str] = {}  # code -> name of rows to create
        self._new_by_name: dict[str, str] = {}

    def resolve(self, value: str) -> tuple[int | None, str]:
        """(id, "") for an existing row, (None, new code) for one to create; ValueError when
        the name is ambiguous."""
        if value in self.by_code:
            return self.by_code[value], ""
        folded = value.casefold()
        ids = self.by_folded_code.get(folded, [])
        if len(ids) == 1:
            return ids[0], ""
        ids = self.by_name.get(folded, [])
        if len(ids) == 1:
            return ids[0], ""
        if len(ids) > 1:
            raise ValueError(gettext(self.ambiguous) % {"count": len(ids), "value": value})
        if folded in self._new_by_name:
            return None, self._new_by_name[folded]
        base = normalize.code_from_name(value, max_length=self.max_length - 4)
        code, suffix = base, 1
        while code in self.by_code or code.casefold() in self.by_folded_code or code in self.new:
            suffix += 1
            code = f"{base}-{suffix}"
        self.new[code] = value
        self._new_by_name[folded] = code
        return None, code


def merge_rows(
    ctx: ImportContext,
    *,
    existing: dict[Any, dict[str, Any]],
    incoming: list[tuple[ParsedRow, Any, dict[str, Any]]],
    defaults: dict[str, Any],
    required: dict[str, str],
    needs: str,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, int]]:
    """New rows, changed rows (full column dicts) and the counts: a generic diff by natural key.

    `existing`: natural key -> stored columns (incl. the key columns); `incoming`: (row, key,
    columns given by the file); `defaults`: columns of a new row; `required`: column -> field
    that a new row must give; `needs`: the reason when a new row lacks one, a template with
    `%(field)s` ("a new department needs %(field)s", marked with gettext_noop).
    """
    new_rows: list[dict[str, Any]] = []
    changed_rows: list[dict[str, Any]] = []
    created = updated = unchanged = 0
    for row, key, given in incoming:
        stored = existing.get(key)
        if stored is None:
            merged = {**defaults, **{k: v for k, v in given.items() if v is not None}}
            missing = [f for column, f in required.items() if merged.get(column) is None]
            for name in missing:
                ctx.error(row, name, gettext(needs) % {"field": name})
            if not missing:
                new_rows.append(merged)
                created += 1
            continue
        merged = {**stored, **given}
        missing = [f for column, f in required.items() if merged.get(column) is None]
        for name in missing:
            ctx.error(row, name, gettext("%(field)s is required") % {"field": name})
        if merged == stored:
            unchanged += 1
        elif not missing:
            changed_rows.append(merged)
            updated += 1
    return new_rows, changed_rows, count(created, updated, unchanged)


def save_rows(
    model: type[models.Model],
    new_rows: list[dict[str, Any]],
    changed_rows: list[dict[str, Any]],
    unique_fields: list[str],
    update_fields: list[str],
) -> None:
    """Insert the new rows (COPY straight into the table on PostgreSQL), update the changed
    ones on their natural key (`unique_fields`)."""
    bulk_upsert(
        model, new_rows, unique_fields=unique_fields, update_fields=update_fields, mode=INSERT
    )
    bulk_upsert(
        model, changed_rows, unique_fields=unique_fields, update_fields=update_fields, mode=UPDATE
    )
