"""How other apps add their part of the demo company (customers, feedback, decisions, scores…).

The organisation (departments, people, history, demo users) is written first by
`org.demo.writer`; then each registered extension writes its own tables in the same transaction,
in `order`. Before anything is written, every extension deletes its previous demo rows (in
reverse order, so that rows pointing at employees go before the employees do).

An app registers its extension in its own `demo.py` (found by `core.registry.autodiscover`):

    @demo_extension("customers", order=10, delete=delete_customer_demo)
    def write_customer_demo(ctx: DemoContext) -> dict[str, int]:
        ...  # returns the counts of rows written, e.g. {"group_customers": 2000}
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from gmassist.org.demo.company import DemoCompany

ProgressCallback = Callable[[float, str], None]


@dataclass
class DemoContext:
    """What an extension gets: the generated company and where its people landed.

    `employee_pk[i]` is the database key of the generated person `i` (the row order of
    `company.people`); `users` are the demo users by username (gm, assistant, hr, head, am,
    employee); `as_of` is the day the history ends; `seed` makes every extension deterministic;
    `progress(fraction, message)` reports within the extension's share of the bar (0.0 to 1.0).
    """

    company: DemoCompany
    employee_pk: np.ndarray
    users: dict[str, Any]
    as_of: dt.date
    seed: int
    progress: Callable[[float, str], None] = field(default=lambda _fraction, _message: None)

    def rng(self, salt: int) -> np.random.Generator:
        """A random generator of its own for each extension (`salt`), fixed by the demo seed."""
        return np.random.default_rng([self.seed, salt])


@dataclass(frozen=True)
class DemoExtension:
    name: str
    order: int
    write: Callable[[DemoContext], dict[str, int]]
    delete: Callable[[], None]


_EXTENSIONS: dict[str, DemoExtension] = {}


def demo_extension(name: str, *, order: int, delete: Callable[[], None]):
    """Register `write(ctx) -> counts` as the demo part called `name` (see the module doc)."""

    def register(write: Callable[[DemoContext], dict[str, int]]):
        _EXTENSIONS[name] = DemoExtension(name=name, order=order, write=write, delete=delete)
        return write

    return register


def demo_extensions() -> list[DemoExtension]:
    """The registered extensions in the order they write."""
    return sorted(_EXTENSIONS.values(), key=lambda extension: (extension.order, extension.name))
