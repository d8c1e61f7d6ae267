"""Column mappings for imports: which file column feeds which field, value maps and options.

Pure Python (stdlib `tomllib`), no Django import. A mapping is TOML:

```toml
[columns]                 # field = "file column"
employee_no = "EmpID"
full_name = "Employee_Name"
"custom.performance" = "PerformanceScore"   # a file column kept as a named custom attribute

[values.separation_type]  # per field: file value = stored value (matched after trimming, then
"Voluntarily Terminated" = "voluntary"      # ignoring case)
"Active" = ""

[defaults]                # per field: the value used when the field has no column or is empty
employment_type = "full_time"

[attributes]              # per extra column kept as a custom attribute: its type, when the
Zip = "category"          # inferred one is not wanted ("number", "category" or "date")

[options]
unresolved_manager = "leave_empty"  # "error" (default): a manager not found is a row error
extra_columns = "keep"    # "error" (default), "ignore", or "keep" as typed custom attributes
date_order = "mdy"        # slash dates: "mdy" (default, 3/1/2024 is 1 March) or "dmy"
name_order = "auto"       # full names in words: "auto" (default: "Chen Jie" is family first,
                          # "Jie Chen" and "Brandon LeBlanc" given first), "given_first" or
                          # "family_first"
decimal_comma = true      # 1.234,50; default: true only in files separated by ";"
create_missing_customers = true  # transactions: create customers not in the database
```

Field names are checked against the entity later (`Mapping.unknown_fields`); every error names
the key and the line of the TOML text it is on, and carries its message as a template with
named values (`normalize.Problem`) for the caller to translate.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gmassist.lib.bounded_toml import load_toml
from gmassist.lib.normalize import Problem, gettext_noop

CUSTOM_PREFIX = "custom."

UNRESOLVED_MANAGER = ("error", "leave_empty")
EXTRA_COLUMNS = ("error", "ignore", "keep")
DATE_ORDERS = ("mdy", "dmy")
NAME_ORDERS = ("auto", "given_first", "family_first")  # as normalize.split_name reads them
ATTRIBUTE_KINDS = ("number", "category", "date")
_SECTIONS = ("columns", "values", "defaults", "attributes", "options")
_BOOLEAN_OPTIONS = ("decimal_comma", "create_missing_customers")


class MappingError(Problem):
    """A mapping that cannot be used, with the key and line (1-based, 0 when unknown) at fault.

    `template` % `params` is the message; `where` ("[columns] salary"), written before it, is
    TOML and not translated. str(): "line 5: [columns] salary: unknown field; known: ...".
    """

    def __init__(
        self, template: str, *, key: str = "", line: int = 0, where: str = "", **params: object
    ):
        super().__init__(template, **params)
        self.key = key
        self.line = line
        self.where = where

    def __str__(self) -> str:
        message = super().__str__()
        if self.where:
            message = f"{self.where}: {message}"
        return f"line {self.line}: {message}" if self.line else message


# fail(template, section, key="", **params): the MappingError at that section and key's line
_Fail = Callable[..., MappingError]


@dataclass
class Options:
    unresolved_manager: str = "error"
    extra_columns: str = "error"
    date_order: str = "mdy"
    name_order: str = "auto"
    decimal_comma: bool | None = None  # None: decided by the file's delimiter
    create_missing_customers: bool = False  # transactions: a customer not found is created


@dataclass
class Mapping:
    """A parsed mapping; `columns` maps a field (or "custom.<name>") to a file column."""

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    defaults: dict[str, object] = field(default_factory=dict)
    attributes: dict[str, str] = field(default_factory=dict)
    options: Options = field(default_factory=Options)
    identity: bool = False  # no mapping given: the columns are the field names
    lines: dict[tuple[str, str], int] = field(default_factory=dict)

    def line_of(self, section: str, key: str) -> int:
        """The TOML line of `key` in `[section]`, 0 when unknown (an identity mapping)."""
        return self.lines.get((section, key), 0)

    def unknown_fields(self, known: set[str]) -> list[MappingError]:
        """One error per field named in [columns], [values] or [defaults] that is not known."""
        errors = []
        for section, names in (
            ("columns", self.columns),
            ("values", self.values),
            ("defaults", self.defaults),
        ):
            for name in names:
                if name in known or (section == "columns" and name.startswith(CUSTOM_PREFIX)):
                    continue
                errors.append(
                    MappingError(
                        gettext_noop("unknown field; known: %(known)s"),
                        known=", ".join(sorted(known)),
                        where=f"[{section}] {name}",
                        key=name,
                        line=self.line_of(section, name),
                    )
                )
        return errors


def identity_mapping() -> Mapping:
    """The mapping used when none is given: every column is named after its field."""
    return Mapping(identity=True)


def load_mapping(path: Path | str) -> Mapping:
    """Read and parse a mapping file (UTF-8 TOML)."""
    return parse_mapping(Path(path).read_text(encoding="utf-8-sig"))


def parse_mapping(text: str) -> Mapping:
    """Parse mapping TOML; raises MappingError naming the key and its line."""
    try:
        data = load_toml(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"at line (\d+)", str(exc))
        raise MappingError(
            gettext_noop("not valid TOML: %(error)s"),
            error=str(exc),
            line=int(match.group(1)) if match else 0,
        ) from None
    lines = _key_lines(text)

    def fail(template: str, section: str, key: str = "", **params: object) -> MappingError:
        line = lines.get((section, key), 0) or lines.get((section, ""), 0)
        where = f"[{section}]{' ' + key if key else ''}"
        return MappingError(template, key=key, line=line, where=where, **params)

    for section in data:
        if section not in _SECTIONS:
            raise fail(
                gettext_noop("unknown section; use %(sections)s"),
                section,
                sections=", ".join(_SECTIONS),
            )
    mapping = Mapping(lines=lines)
    for key, value in _table(data, "columns", fail).items():
        if not isinstance(value, str) or not value.strip():
            raise fail(gettext_noop("the file column must be a non-empty string"), "columns", key)
        mapping.columns[key] = value.strip()
    for key, table in _table(data, "values", fail).items():
        if not isinstance(table, dict):
            raise fail(
                gettext_noop('must be a table: [values.<field>] "file value" = "stored value"'),
                "values",
                key,
            )
        value_map: dict[str, str] = {}
        for raw, stored in table.items():
            if not isinstance(stored, str | int | float | bool):
                raise fail(
                    gettext_noop("%(value)r: the stored value must be a string or number"),
                    f"values.{key}",
                    raw,
                    value=raw,
                )
            value_map[raw.strip()] = stored if isinstance(stored, str) else str(stored)
        mapping.values[key] = value_map
    mapping.defaults = dict(_table(data, "defaults", fail))
    for key, kind in _table(data, "attributes", fail).items():
        if kind not in ATTRIBUTE_KINDS:
            raise fail(
                gettext_noop("%(value)r is not a type; use %(kinds)s"),
                "attributes",
                key,
                value=kind,
                kinds=", ".join(ATTRIBUTE_KINDS),
            )
        mapping.attributes[key] = kind
    mapping.options = _options(_table(data, "options", fail), fail)
    return mapping


def _table(data: dict[str, Any], section: str, fail: _Fail) -> dict[str, Any]:
    table = data.get(section, {})
    if not isinstance(table, dict):
        raise fail(gettext_noop("must be a table"), section)
    return table


def _options(table: dict[str, Any], fail: _Fail) -> Options:
    options = Options()
    choices = {
        "unresolved_manager": UNRESOLVED_MANAGER,
        "extra_columns": EXTRA_COLUMNS,
        "date_order": DATE_ORDERS,
        "name_order": NAME_ORDERS,
    }
    for key, value in table.items():
        if key in choices:
            if value not in choices[key]:
                raise fail(
                    gettext_noop("%(value)r is not allowed; use %(choices)s"),
                    "options",
                    key,
                    value=value,
                    choices=", ".join(choices[key]),
                )
            setattr(options, key, value)
        elif key in _BOOLEAN_OPTIONS:
            if not isinstance(value, bool):
                raise fail(gettext_noop("must be true or false"), "options", key)
            setattr(options, key, value)
        else:
            known = ", ".join([*choices, *_BOOLEAN_OPTIONS])
            raise fail(
                gettext_noop("unknown option; known: %(known)s"), "options", key, known=known
            )
    return options


_SECTION_LINE = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]")
_KEY_LINE = re.compile(r'^\s*("(?:[^"\\]|\\.)*"|\'[^\']*\'|[A-Za-z0-9_.\-]+)\s*=')


def _key_lines(text: str) -> dict[tuple[str, str], int]:
    """(section, key) -> line number, for error messages; sections as "values.<field>"."""
    lines: dict[tuple[str, str], int] = {}
    section = ""
    for number, line in enumerate(text.splitlines(), start=1):
        if match := _SECTION_LINE.match(line):
            section = match.group(1).replace('"', "").replace("'", "")
            lines.setdefault((section, ""), number)
            if section.startswith("values."):
                lines.setdefault(("values", section.removeprefix("values.")), number)
        elif match := _KEY_LINE.match(line):
            key = match.group(1).strip("\"'")
            lines.setdefault((section, key), number)
    return lines
