"""Reasons of the customers engines (tiers, grades, churn, channel routing) in a form each reader
sees in their own language.

An engine does not build an English sentence: it returns a `Reason`, a `template` (English,
with %-style named placeholders such as ``%(percent)s``, a literal percent written ``%%``) and
`params`, plain values already formatted in a language-neutral way ("1,234,567", "0.85",
"+15"). Stored payloads (proposal changes, churn scores) keep that structured form
(`Reason.as_dict`) and the page, the API or the command translates the template with gettext
when it shows it (`customers.presenters.reason_text`).

Why the templates stay in the engines, not in a list here: ONE source of truth per sentence.
Each template is written once, where the engine decides to say it, wrapped in
`gmassist.lib.normalize.gettext_noop` (a pure marker, no Django import, that `makemessages`
extracts by its keyword like Django's own). A second list of the same sentences here would
have to be kept equal to the engines' by hand and would drift; a list of keys here would put
the sentence far from the numbers it explains. The engines stay pure and this module too: it
only holds the type and the conversion of stored forms.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason: `template` (English, %-style named placeholders) and its `params`.

    str() is the English sentence; a Django caller translates `template` and fills in `params`.
    """

    template: str
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.template % self.params

    def as_dict(self) -> dict[str, Any]:
        """The stored form: {"template", "params"} (JSON)."""
        return {"template": self.template, "params": dict(self.params)}


def stored_reason(value: Any) -> Reason | str:
    """A reason read back from a payload: a `Reason` for the structured form ({"template",
    "params"}), the text as it is for payloads written before reasons were structured (plain
    English strings, or churn reasons holding only a "text")."""
    if isinstance(value, Reason):
        return value
    if isinstance(value, dict):
        if isinstance(value.get("template"), str):
            return Reason(value["template"], dict(value.get("params") or {}))
        return str(value.get("text", ""))
    return "" if value is None else str(value)
