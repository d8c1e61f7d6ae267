"""The employee's inbox: one page where a person finds what waits for them across the apps.

Each app registers a section (decisions to acknowledge, surveys to answer, one's own feedback
threads...) with `register_inbox_section`, usually at import time of its `urls.py` or `apps.py`.
A section is a function of the user that returns that user's items; it reads through the app's
own selectors, so the permission rule (`restrict`) stays the app's business. The inbox page,
the navigation badge and `GET /api/inbox` all read through `inbox_for` / `inbox_action_count`.

    register_inbox_section(
        InboxSection(
            key="decisions",
            title=_("Decisions to acknowledge"),
            order=10,
            items=lambda user: [InboxItem(title=..., url=..., due=..., needs_action=True)],
            action_count=lambda user: ...,  # optional: a cheaper count for the badge
        )
    )
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise

if TYPE_CHECKING:
    from gmassist.core.models import User


@dataclass(frozen=True)
class InboxItem:
    """One thing in a person's inbox.

    `due` is the date by which it should be done (None: no date); `status` is a short,
    already translated word for where it stands ("To acknowledge", "Answered"); `needs_action`
    says whether the person has something to do (it counts in the badge).
    """

    title: str
    url: str
    due: dt.date | None = None
    status: str = ""
    needs_action: bool = False
    detail: str = ""  # one short line under the title (who sent it, when)


@dataclass(frozen=True)
class InboxSection:
    """A kind of inbox item, registered by an app.

    `items(user)` returns the user's items, the ones needing action first; a section keeps
    its list short (what needs action, plus the latest few done), the app's own page has the
    rest. `action_count(user)`, when given, counts the items needing action without building
    them (the badge on every page uses it); else the items are counted.
    """

    key: str
    title: str | Promise
    order: int
    items: Callable[[User], list[InboxItem]]
    action_count: Callable[[User], int] | None = None
    url: str = ""  # the app's own page with everything, "" when none


@dataclass
class InboxSectionView:
    """A section as one user sees it: its (short) list of items, and how many need action in
    all, shown or not: the same count as the badge's."""

    key: str
    title: str
    url: str
    items: list[InboxItem] = field(default_factory=list)
    action_count: int = 0

    @property
    def more_to_do(self) -> int:
        """The items needing action that the short list leaves out (on the app's own page)."""
        return max(0, self.action_count - sum(1 for item in self.items if item.needs_action))


_SECTIONS: dict[str, InboxSection] = {}


def register_inbox_section(section: InboxSection) -> InboxSection:
    """Add (or replace, by key) a section of the inbox."""
    _SECTIONS[section.key] = section
    return section


def unregister_inbox_section(key: str) -> None:
    """Remove a section (for tests that register their own)."""
    _SECTIONS.pop(key, None)


def inbox_sections() -> list[InboxSection]:
    """The registered sections, in order."""
    return sorted(_SECTIONS.values(), key=lambda section: (section.order, section.key))


def inbox_for(user: User) -> list[InboxSectionView]:
    """Every section with the user's items; sections with no items are kept (they say "none")."""
    if user is None or not user.is_authenticated:
        return []
    views = []
    for section in inbox_sections():
        items = list(section.items(user))
        views.append(
            InboxSectionView(
                key=section.key,
                title=str(section.title),
                url=section.url,
                items=items,
                action_count=_action_count(section, user, items),
            )
        )
    return views


def _action_count(section: InboxSection, user: Any, items: list[InboxItem] | None = None) -> int:
    """How many of the section's items wait for `user`: its own count when it has one (the
    list may be cut short), else its items that need action."""
    if section.action_count is not None:
        return section.action_count(user)
    return sum(1 for item in (section.items(user) if items is None else items) if item.needs_action)


def inbox_action_count(user: Any) -> int:
    """How many items across the sections wait for the user to act (the navigation badge, and
    the inbox page's and API's totals: one count)."""
    if user is None or not user.is_authenticated:
        return 0
    return sum(_action_count(section, user) for section in inbox_sections())
