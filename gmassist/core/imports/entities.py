"""What an importable entity is: its canonical columns and their value kinds, the rows its
plan reads and the plan it returns, and the registry apps put their entities in."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.translation import gettext

from gmassist.core.permissions import Domain

if TYPE_CHECKING:
    from gmassist.core.imports.context import ImportContext
    from gmassist.core.imports.streaming import ChunkPlanner

# value kinds of canonical columns
TEXT = "text"  # trimmed text
NAME = "name"  # trimmed text with inner spaces collapsed
DATE = "date"
DECIMAL = "decimal"
INT = "int"
BOOL = "bool"
GENDER = "gender"
CHOICE = "choice"  # one of Column.choices (value or label, any case)
REF = "ref"  # a reference (code, name or employee number) the entity resolves itself


@dataclass(frozen=True)
class Column:
    """A canonical column of an entity: the field it feeds and how its values are parsed."""

    name: str
    kind: str = TEXT
    choices: tuple[tuple[str, str], ...] = ()  # (value, label) for CHOICE
    max_length: int = 0  # longer text is an error (0: no limit)


@dataclass
class ParsedRow:
    """A data row after parsing: typed values of the fields that have a column, by field name.

    A field given with an empty cell holds None; a field with no column is absent from `values`.
    `custom` holds the typed custom attributes given ("" / missing cells are None).
    """

    number: int
    values: dict[str, Any]
    cells: list[Any]  # the file's cells, for error messages
    custom: dict[str, Any] = field(default_factory=dict)


@dataclass
class Plan:
    """What an entity will write: counts per kind of row and a function that writes it all."""

    counts: dict[str, dict[str, int]]
    write: Callable[[], None]


@dataclass
class EntitySpec:
    """An importable and exportable entity, registered by the app that owns its model."""

    name: str  # "employees"
    model: type[models.Model]
    columns: tuple[Column, ...]  # canonical columns, in export order
    key: tuple[str, ...]  # the natural key, as column names; unique within a file (may be empty)
    plan: Callable[[ImportContext], Plan]
    export_rows: Callable[[models.QuerySet], Iterator[list[Any]]]  # values in column order
    custom_entity: str = ""  # entity name of its custom attributes ("" when it has none)
    known_attributes: Callable[[], dict[str, str]] = dict  # custom attribute name -> kind
    queryset: Callable[[], models.QuerySet] | None = None  # what export reads (default: all)
    # a large entity's chunked plan (see `streaming`); None: the row-by-row `plan`
    stream: Callable[[ImportContext], ChunkPlanner] | None = None

    @property
    def domain(self) -> Domain:
        return self.model.restrict_scope.domain

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


_ENTITIES: dict[str, EntitySpec] = {}


def register_entity(spec: EntitySpec) -> EntitySpec:
    """Make `spec` importable and exportable under its name."""
    if spec.name in _ENTITIES and _ENTITIES[spec.name].model is not spec.model:
        raise ValueError(f"import entity {spec.name!r} is registered twice")
    _ENTITIES[spec.name] = spec
    return spec


def entity_spec(name: str) -> EntitySpec:
    """The registered entity `name`; ValueError naming the known ones otherwise."""
    try:
        return _ENTITIES[name]
    except KeyError:
        known = ", ".join(sorted(_ENTITIES)) or "-"
        message = gettext("unknown entity %(entity)r; known: %(known)s")
        raise ValueError(message % {"entity": name, "known": known}) from None


def registered_entities() -> list[str]:
    return sorted(_ENTITIES)
