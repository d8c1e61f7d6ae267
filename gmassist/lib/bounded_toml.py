"""The one way the application parses TOML that a person typed: bounded in size and nesting.

Mappings, the tiering policy, the channel rules and the incentive plan's menu are TOML written
by people (and uploaded by anyone who may); `tomllib` parses nested arrays and inline tables
recursively, so text nested a few thousand levels deep ends in RecursionError (a 500), and a
table header like `[a.a.a. …]` builds a structure deep enough to break what reads it next.
`load_toml` refuses both before they happen, with a `TOMLDecodeError` (the error every caller
already turns into a "not valid TOML" message of its own), so each caller answers bad TOML and
too-deep TOML in the same way.

Pure Python, no Django import.
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

# what a mapping, a policy or a menu needs is a few KB and three or four levels
MAX_TOML_CHARS = 1_000_000
MAX_TOML_DEPTH = 16

_TOKEN = re.compile(r'"""|\'\'\'|["\'#\[\]{}]')
_BASIC_END = re.compile(r'\\.|"|\n', re.DOTALL)
_MULTILINE_BASIC_END = re.compile(r'\\.|"""', re.DOTALL)
_LITERAL_END = re.compile(r"['\n]")


class TomlTooLarge(tomllib.TOMLDecodeError):
    """TOML text that is longer or nested deeper than the application reads."""


def load_toml(
    text: str, *, max_chars: int = MAX_TOML_CHARS, max_depth: int = MAX_TOML_DEPTH
) -> dict[str, Any]:
    """`tomllib.loads(text)`, refusing text over `max_chars` characters and tables or arrays
    nested over `max_depth` levels (brackets, braces and dotted keys alike).

    Raises `tomllib.TOMLDecodeError` for text that is not TOML, and its subclass
    `TomlTooLarge` for text that is too long or too deep.
    """
    if len(text) > max_chars:
        raise TomlTooLarge(f"longer than {max_chars:,} characters")
    if _bracket_depth(text, max_depth) > max_depth:
        raise TomlTooLarge(_too_deep(max_depth))
    try:
        data = tomllib.loads(text)
    except RecursionError:  # a nesting the scan above missed: the same answer
        raise TomlTooLarge(_too_deep(max_depth)) from None
    if _data_depth(data, max_depth) > max_depth:
        raise TomlTooLarge(_too_deep(max_depth))
    return data


def _too_deep(max_depth: int) -> str:
    return f"nested more than {max_depth} levels deep"


def _bracket_depth(text: str, limit: int) -> int:
    """How deep `[` and `{` nest outside strings and comments (stops once over `limit`)."""
    depth = deepest = 0
    position, end = 0, len(text)
    while match := _TOKEN.search(text, position):
        token = match.group()
        position = match.end()
        if token in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    return deepest
        elif token in "]}":
            depth = max(depth - 1, 0)
        elif token == "#":
            newline = text.find("\n", position)
            position = end if newline < 0 else newline
        elif token == "'''":
            position = _after_closing(text, text.find("'''", position), "'")
        elif token == '"""':
            closing = _MULTILINE_BASIC_END.search(text, position)
            while closing is not None and closing.group() != '"""':
                closing = _MULTILINE_BASIC_END.search(text, closing.end())
            position = _after_closing(text, closing.start() if closing else -1, '"')
        elif token == "'":
            closing = _LITERAL_END.search(text, position)
            position = closing.end() if closing else end
        else:  # '"'
            closing = _BASIC_END.search(text, position)
            while closing is not None and closing.group() not in ('"', "\n"):
                closing = _BASIC_END.search(text, closing.end())
            position = closing.end() if closing else end
    return deepest


def _after_closing(text: str, start: int, quote: str) -> int:
    """The position after a multi-line string's closing delimiter found at `start` (-1: none);
    TOML lets up to two more quotes before it belong to the string."""
    if start < 0:
        return len(text)
    position = start + 3
    for _ in range(2):
        if text[position : position + 1] == quote:
            position += 1
    return position


def _data_depth(data: Any, limit: int) -> int:
    """How deep tables and arrays nest in parsed TOML (iterative; stops once over `limit`)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        children = value.values() if isinstance(value, dict) else value
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest
