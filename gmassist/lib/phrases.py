"""Generated sentences stored as a template and its parameters, shown in the reader's language.

A sentence the application writes (a proposal's rationale, its expected effect) is read later
by someone who may read another language than the person or job that made it. So it is stored
as a `Phrase`: the English `template` (%-style named placeholders, a literal percent written
``%%``), its `params` (plain values already formatted in a language-neutral way: "19,900",
"0.40") and, for a sentence that depends on a number, the English `plural` and the name of the
parameter that counts (`count`). The page translates it when it shows it
(`core.presenters.phrase_text`), with ngettext when it has a plural. The same form as the
customers engines' reasons ({"template", "params"}), with the plural added.

Pure: no Django import; a template is marked for extraction with `normalize.gettext_noop`
(and `ngettext_noop` here for a pair), where the sentence is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def ngettext_noop(singular: str, plural: str) -> tuple[str, str]:
    """Mark a singular/plural pair for translation (`makemessages` finds it by this name, as
    Django's own); returns it as is."""
    return singular, plural


@dataclass(frozen=True, slots=True)
class Phrase:
    """One generated sentence: `template` (English), `params`, and for a counted sentence its
    English `plural` and the parameter that counts (`count`, an int in `params`).

    str() is the English sentence (singular or plural by the count)."""

    template: str
    params: dict[str, Any] = field(default_factory=dict)
    plural: str | None = None
    count: str | None = None

    @classmethod
    def counted(cls, forms: tuple[str, str], *, count: str, params: dict[str, Any]) -> Phrase:
        """A sentence in two forms (`ngettext_noop`'s pair) chosen by `params[count]`."""
        return cls(template=forms[0], params=params, plural=forms[1], count=count)

    def number(self) -> int:
        """The count that chooses the form (1 for a sentence without one)."""
        if self.count is None:
            return 1
        value = self.params.get(self.count, 1)
        try:
            return int(str(value).replace(",", ""))
        except ValueError:
            return 1

    def __str__(self) -> str:
        form = self.template
        if self.plural is not None and self.number() != 1:
            form = self.plural
        return form % {key: _english(value) for key, value in self.params.items()}

    def as_dict(self) -> dict[str, Any]:
        """The stored form: {"template", "params"} and, for a counted one, "plural", "count";
        a parameter that is itself a phrase (a clause) is stored in the same form."""
        params = {
            key: value.as_dict() if isinstance(value, Phrase) else value
            for key, value in self.params.items()
        }
        stored: dict[str, Any] = {"template": self.template, "params": params}
        if self.plural is not None:
            stored.update(plural=self.plural, count=self.count)
        return stored


def stored_phrase(value: Any) -> Phrase | None:
    """A phrase read back from its stored form (None for anything else)."""
    if isinstance(value, Phrase):
        return value
    if isinstance(value, dict) and isinstance(value.get("template"), str):
        plural = value.get("plural")
        return Phrase(
            template=value["template"],
            params=dict(value.get("params") or {}),
            plural=plural if isinstance(plural, str) else None,
            count=value.get("count") if isinstance(plural, str) else None,
        )
    return None


def _english(value: Any) -> Any:
    """A parameter as the English sentence takes it: a clause (a phrase) as its English."""
    phrase = stored_phrase(value)
    return str(phrase) if phrase is not None else value
