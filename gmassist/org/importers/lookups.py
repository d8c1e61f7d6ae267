"""Lookups an employee file repeats: managers by employee number or name, and any resolution
memoised per distinct cell."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from gmassist.lib import normalize


class ManagerFinder:
    """Finds managers by employee number, else by unique normalised full name (file and db)."""

    def __init__(self, numbers: set[str], names: Callable[[], dict[str, str]]):
        self.numbers = numbers  # every employee number, in the file or the database
        self._names = names  # called once, on the first lookup by name
        self._exact: dict[str, set[str]] | None = None
        self._loose: dict[str, set[str]] = {}

    def _index(self) -> None:
        self._exact, self._loose = {}, {}
        for number, name in self._names().items():
            if not name:
                continue
            self._exact.setdefault(normalize.name_key(name), set()).add(number)
            self._loose.setdefault(normalize.loose_name_key(name), set()).add(number)

    def find(self, value: str) -> tuple[str | None, str]:
        """(employee number, "") or (None, the reason it was not found, translated)."""
        if value in self.numbers:
            return value, ""
        if self._exact is None:
            self._index()
        assert self._exact is not None
        matches = self._exact.get(normalize.name_key(value), set())
        if not matches:
            matches = self._loose.get(normalize.loose_name_key(value), set())
        if len(matches) == 1:
            return next(iter(matches)), ""
        if matches:
            reason = _("%(count)d employees have this name: give the employee number")
            return None, reason % {"count": len(matches)}
        return None, _("no employee with this number or name")


UNSEEN = object()  # a memo's marker for a value not looked up yet


def memoized(resolve: Callable[[str], tuple[int | None, str]]) -> Callable[[str], Any]:
    """`resolve` called once per distinct value (its ValueError raised again each time)."""
    memo: dict[str, tuple[int | None, str] | str] = {}

    def cached(value: str) -> tuple[int | None, str]:
        found = memo.get(value)
        if found is None:
            try:
                found = memo[value] = resolve(value)
            except ValueError as exc:
                found = memo[value] = str(exc)
        if type(found) is str:
            raise ValueError(found)
        return found  # type: ignore[return-value]

    return cached
