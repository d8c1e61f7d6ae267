"""Stored values as a person reads them: evidence of proposals and changes in the audit log.

Evidence and audit changes are stored as plain JSON (numbers as strings, true/false, small
objects) so that they can be read back exactly. Shown to a person, they are written in the
reader's language: numbers with the locale's thousands separators, yes and no for true and
false, a small object as "key: value" pairs, and a change as "field: old → new".
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext, ngettext

from gmassist.lib.phrases import Phrase, stored_phrase

# a stored number such as "80300.00", "-12", "0.5" (not "2026-01-01", "0.98 → 1.05", "E004")
_NUMBER_CHARS = set("0123456789.-")


def readable_value(value: Any) -> str:
    """`value` as a person reads it in the active language: "—" for nothing, "Yes"/"No",
    numbers grouped ("80,300.00"; whole numbers without decimals), a list joined by commas,
    an object as "key: value; key: value" with its keys in words ("call centre: 0")."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, dict):
        return "; ".join(f"{_words(key)}: {readable_value(item)}" for key, item in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(readable_value(item) for item in value)
    number = _number(value)
    if number is not None:
        places = 0 if number == number.to_integral_value() else min(_places(number), 4)
        # grouped by thousands with "," in both languages: Django's Chinese format groups
        # nothing, and the GM's office reads "19,900" in Chinese as in English
        return f"{number:,.{places}f}"
    return str(value)


def change_lines(changes: Any) -> list[tuple[str, str]]:
    """An audit entry's changes as (field in words, what changed) pairs: a [old, new] pair as
    "old → new", anything else as its readable value."""
    if not isinstance(changes, dict):
        return [("", readable_value(changes))]
    lines = []
    for key, value in changes.items():
        if (
            isinstance(value, list)
            and len(value) == 2
            and not any(isinstance(v, dict | list) for v in value)
        ):
            text = f"{readable_value(value[0])} → {readable_value(value[1])}"
        else:
            text = readable_value(value)
        lines.append((_words(key), text))
    return lines


def _words(key: Any) -> str:
    """A stored key in words: "call_centre" -> "call centre"."""
    return str(key).replace("_", " ")


def _number(value: Any) -> Decimal | None:
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    if isinstance(value, str) and value and set(value) <= _NUMBER_CHARS and value != "-":
        if value.count(".") > 1 or "-" in value[1:]:
            return None
        try:
            return Decimal(value)
        except InvalidOperation:
            return None
    return None


def _places(number: Decimal) -> int:
    exponent = number.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def phrase_text(phrase: Phrase) -> str:
    """A generated sentence in the active language: its template translated (with ngettext by
    its count when it has a plural) and filled in. A translation whose placeholders do not fit
    its params falls back to the English."""
    params = {key: _clause(value) for key, value in phrase.params.items()}
    try:
        if phrase.plural is not None:
            return ngettext(phrase.template, phrase.plural, phrase.number()) % params
        return gettext(phrase.template) % params
    except (KeyError, TypeError, ValueError):
        return str(phrase)


def stored_text(stored: Any, text: str) -> str:
    """A stored text in the active language: the phrase's (`stored`, its stored form) when
    there is one, else `text` as it was written (old rows, what a person typed)."""
    phrase = stored_phrase(stored)
    return phrase_text(phrase) if phrase is not None else text


def _clause(value: Any) -> Any:
    """A parameter in the active language: a clause (a stored phrase) translated in turn."""
    phrase = stored_phrase(value)
    return phrase_text(phrase) if phrase is not None else value
