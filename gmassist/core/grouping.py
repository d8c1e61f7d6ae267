"""What a list may be grouped by and summed over, as a page declares it; the groups it shows.

A list page names the columns its rows may be grouped by (`GroupBy`) and the sums that make
sense for them (`GroupSum`); `core.selectors.rows_grouped` counts and sums the groups in the
database, on the page's own scoped and filtered rows, and `rows_in_group` narrows the rows to
one group (the list a group links to). Nothing here reads the database.

    GroupBy("department", _("Department"), field="department_id", name="department__name")
    GroupBy("status", _("Status"), field="status", choices=EmployeeStatus)
    GroupBy("churn", _("Churn risk"), expression=churn_band, parse=churn_band_key)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, Concat, NullIf, Trim
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# the URL value of the group of rows with no value (no manager, no location, not scored)
EMPTY = ""
NO_VALUE = _("(none)")


@dataclass(frozen=True)
class GroupBy:
    """A column a list may be grouped by.

    key: its name in the address (`?group=department`, `?where.department=12`).
    field: the path grouped on (`department_id`, `status`); or `expression`: a function
        returning a query expression to group on (a band of a number, the day of a time),
        called once per request (so that it may depend on the current time zone).
    name: what names a group when the value does not (a path or a function returning an
        expression, e.g. `department__name`); `choices`: the labels of a choices field;
        `display`: a function of the value to its label (e.g. a proposal kind's name).
    parse: the value from its text in the address (ValidationError when it is not one);
        by default the model field's own `to_python`.
    newest_first: order the groups by value, highest first (days), instead of largest first.
    """

    key: str
    label: str | Promise
    field: str = ""
    expression: Callable[[], Any] | None = None
    name: str | Callable[[], Any] = ""
    choices: Any = None
    display: Callable[[Any], Any] | None = None
    parse: Callable[[str], Any] | None = None
    empty_label: str | Promise = NO_VALUE
    newest_first: bool = False

    def __post_init__(self) -> None:
        if bool(self.field) == (self.expression is not None):
            raise ValueError(f"group {self.key!r}: give a field or an expression, not both")

    @property
    def paths(self) -> list[str]:
        """The model paths this column reads (checked against a page's `never_group_by`)."""
        return [path for path in (self.field, self.name) if isinstance(path, str) and path]

    def value_expression(self) -> Any:
        return F(self.field) if self.field else self.expression()  # type: ignore[misc]

    def name_expression(self) -> Any:
        if not self.name:
            return None
        return F(self.name) if isinstance(self.name, str) else self.name()

    def label_of(self, value: Any, name: Any = None) -> str:
        """The label of the group of `value` (named `name` by the database, when it names)."""
        if value is None or value == EMPTY:
            return str(self.empty_label)
        if self.choices is not None:
            labels = _choice_labels(self.choices)
            return str(labels.get(value, value))
        if self.display is not None:
            return str(self.display(value))
        if name not in (None, ""):
            return str(name)
        if isinstance(value, dt.date):
            return value.isoformat()
        return str(value)

    def value_from_text(self, text: str, model: type[models.Model]) -> Any:
        """The group value `text` (from the address) stands for; EMPTY stays EMPTY.
        ValidationError when it is not a value of this column."""
        if text == EMPTY:
            return EMPTY
        if self.parse is not None:
            return self.parse(text)
        model_field = field_at(model, self.field)
        value = model_field.to_python(text)
        if self.choices is not None and value not in _choice_labels(self.choices):
            raise ValidationError(f"{text!r} is not a value of {self.key}")
        return value

    def matching(self, value: Any, model: type[models.Model]) -> tuple[dict[str, Any], Q]:
        """What narrows rows to the group of `value`: (aliases to add, the filter)."""
        if self.field:
            path, aliases = self.field, {}
        else:
            path, aliases = f"group_{self.key}", {f"group_{self.key}": self.value_expression()}
        if value == EMPTY:
            empty = Q(**{f"{path}__isnull": True})
            if self._holds_text(model):
                empty |= Q(**{path: ""})
            return aliases, empty
        return aliases, Q(**{path: value})

    def _holds_text(self, model: type[models.Model]) -> bool:
        if not self.field:
            return False
        return isinstance(field_at(model, self.field), models.CharField | models.TextField)


@dataclass(frozen=True)
class GroupSum:
    """A sum a grouped list shows per group: `field` summed (a path or an annotation of the
    page's rows), in its own unit (money in the company's currency).

    reveals_rows: showing the sum shows what showing the rows would (the cost of a pay-change
    proposal is that pay change): a grouped list with it audits its rows as read
    (`core.sensitive`), as the list of those rows is."""

    key: str
    label: str | Promise
    field: str
    reveals_rows: bool = False


@dataclass(frozen=True)
class Group:
    """One group of a grouped list: its value (EMPTY for the rows with none), its label, how
    many rows it holds and its sums (by `GroupSum.key`)."""

    value: Any
    label: str
    count: int
    sums: dict[str, Decimal] = field(default_factory=dict)

    @property
    def param(self) -> str:
        """The value as the address writes it (`?where.department=12`)."""
        if self.value is None or self.value == EMPTY:
            return EMPTY
        if isinstance(self.value, dt.date):
            return self.value.isoformat()
        return str(self.value)


@dataclass(frozen=True)
class Grouping:
    """The groups of a list: the largest `limit` (or newest), the rows they hold in all, and
    whether more groups were left out."""

    by: GroupBy
    groups: list[Group]
    total: int
    cut: bool


def _choice_labels(choices: Any) -> Mapping[Any, Any]:
    if isinstance(choices, Mapping):
        return choices
    if isinstance(choices, type) and issubclass(choices, models.Choices):
        return dict(choices.choices)
    return dict(choices)


def field_at(model: type[models.Model], path: str) -> models.Field:
    """The model field at the end of `path` ("department_id", "manager__department")."""
    parts = path.split("__")
    current = model
    for part in parts[:-1]:
        relation = current._meta.get_field(part)
        current = relation.related_model
    try:
        return current._meta.get_field(parts[-1])
    except FieldDoesNotExist:
        raise ValueError(f"{model.__name__} has no field at {path!r}") from None


def user_name(path: str) -> Callable[[], Any]:
    """An expression naming the user at `path` as `User.__str__` does: their employee record's
    name, else their first and last names, else their username."""

    def expression() -> Any:
        full = Trim(Concat(f"{path}__first_name", Value(" "), f"{path}__last_name"))
        return Coalesce(
            NullIf(F(f"{path}__employee__full_name"), Value("")),
            NullIf(full, Value("")),
            F(f"{path}__username"),
            output_field=models.CharField(),
        )

    return expression


def parse_iso_date(text: str) -> dt.date:
    """A day from its ISO text (`2025-03-31`); ValidationError otherwise."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"{text!r} is not a day (YYYY-MM-DD)") from None


def one_of(values: Any) -> Callable[[str], str]:
    """A `parse` that takes one of `values` (the keys of a mapping, e.g. churn bands)."""
    allowed = set(values)

    def parse(text: str) -> str:
        if text not in allowed:
            raise ValidationError(f"{text!r} is not one of {sorted(allowed)}")
        return text

    return parse
