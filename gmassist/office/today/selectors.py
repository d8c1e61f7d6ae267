"""Reads of Today: every registered source's matters for one reader, ranked, with full counts.

The Today page, its badge, `GET /api/office/today` and `gmassist office today` all read
through `today_for` / `today_count`, so the numbers they show are one number. Each source
reads through its own module's selectors (the permission rule stays that module's); this
module only decides who has a Today at all, and ranks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from gmassist.core.choices import Action
from gmassist.core.permissions import ALL, SUBTREE, Domain, reach
from gmassist.office.today.registry import (
    TodayItem,
    TodaySource,
    ranked,
    registered_today_sources,
)

if TYPE_CHECKING:
    from gmassist.core.models import User

# Today is for those who follow up other people's matters: the GM's office (every department)
# and department heads (their subtree). That is exactly who reaches beyond their own records
# in the delegated tasks' domain (core.permissions.POLICY, Domain.OFFICE_TASKS); everyone else
# keeps their inbox, which already lists what waits for them.
TODAY_REACHES = (ALL, SUBTREE)

# how many lines of a section the page shows before "all N" (the module's own list)
SHOWN_PER_SECTION = 5


def today_reach(user: Any) -> str | None:
    """How far `user`'s Today reaches: "all" (the GM's office), "subtree" (a head), or None
    when the user has no Today (their home page is their inbox or their own record)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    how_far = reach(user, Domain.OFFICE_TASKS, Action.VIEW)
    return how_far if how_far in TODAY_REACHES else None


def may_read_today(*, user: Any) -> bool:
    """Whether `user` has a Today page (the GM, the assistant, a department head)."""
    return today_reach(user) is not None


@dataclass
class TodaySection:
    """One source's matters as one reader sees them: all of them, ranked (heavier, then older
    first), and their count (the same number the badge adds up)."""

    key: str
    title: str
    url: str
    count: int
    items: list[TodayItem] = field(default_factory=list)

    @property
    def shown(self) -> list[TodayItem]:
        """The first lines the page shows."""
        return self.items[:SHOWN_PER_SECTION]

    @property
    def more(self) -> int:
        """How many lines the page leaves to the module's own list."""
        return max(0, self.count - len(self.shown))


def _sources() -> list[TodaySource]:
    """The registered sources, once every module has registered its own: they do so when
    their urls.py is imported, so the URLconf is loaded first (a command or a job reads
    Today without any request having loaded it)."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports every app's urls.py, once)
    return registered_today_sources()


def _count(source: TodaySource, user: User) -> int:
    if source.count is not None:
        return int(source.count(user))
    return len(source.items(user))


def today_for(*, user: User) -> list[TodaySection]:
    """Every registered source's section for `user`, empty ones too (the page says they are
    clear); [] for a user without a Today (`may_read_today`). Ranked across the modules: the
    sections holding the heaviest matters first (a critical complaint or key customer before a
    proposal waiting), then in the sources' order.

    A section's count is the number of its items, so that the page, the API and the badge
    agree whatever a source's own `count` would say."""
    if not may_read_today(user=user):
        return []
    sections = []
    for source in _sources():
        items = ranked(list(source.items(user)))
        sections.append(
            TodaySection(
                key=source.key,
                title=str(source.title),
                url=source.url,
                count=len(items),
                items=items,
            )
        )
    heaviest = {
        section.key: max((item.weight for item in section.items), default=0) for section in sections
    }
    # sorted() is stable: sections of the same weight keep the sources' order
    return sorted(sections, key=lambda section: -heaviest[section.key])


def today_count(*, user: User) -> int:
    """How many matters wait on `user`'s Today, across every source (the navigation badge):
    0 for a user without a Today. Sources that can count without building their items do."""
    if not may_read_today(user=user):
        return 0
    return sum(_count(source, user) for source in _sources())
