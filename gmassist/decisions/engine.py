"""The consensus summary of a decision's responses: pure arithmetic, no Django.

Input is plain data: one `ResponseFact` per response (kind, theme, department name or "" when
anonymous, text, day) and the number of addressees. Output is plain data too: counts, shares
(fractions 0-1 of the responses and of the addressees), objections grouped by theme and by
department, and the main objections quoted (the latest one of each of the largest themes).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

KINDS = ("support", "objection", "question")
# how many objections are quoted in the summary, and per theme in the groups
MAIN_OBJECTIONS = 3
QUOTES_PER_GROUP = 3


@dataclass(frozen=True)
class ResponseFact:
    kind: str  # "support", "objection" or "question"
    theme: str
    department: str  # "" for an anonymous response
    text: str
    day: dt.date


@dataclass(frozen=True)
class Group:
    """Objections sharing a theme (or a department): how many, and a few quoted."""

    key: str
    count: int
    quotes: tuple[str, ...]


@dataclass(frozen=True)
class Consensus:
    counts: dict[str, int]  # per kind, every kind present (0 when none)
    responses: int
    addressees: int
    share_of_responses: dict[str, float]  # per kind, 0-1; 0 when there are no responses
    share_of_addressees: dict[str, float]  # per kind, 0-1; 0 when there are no addressees
    objections_by_theme: tuple[Group, ...]  # largest first, then by key
    objections_by_department: tuple[Group, ...]  # "" = anonymous
    main_objections: tuple[str, ...] = field(default=())

    @property
    def leaning(self) -> str:
        """ "support" when support outnumbers objections, "objection" when the reverse,
        "even" otherwise (questions do not lean)."""
        support, objection = self.counts["support"], self.counts["objection"]
        if support > objection:
            return "support"
        if objection > support:
            return "objection"
        return "even"


def _groups(
    objections: list[ResponseFact], key_of: Callable[[ResponseFact], str]
) -> tuple[Group, ...]:
    grouped: dict[str, list[ResponseFact]] = defaultdict(list)
    for fact in objections:
        grouped[key_of(fact)].append(fact)
    groups = []
    for key, facts in grouped.items():
        latest = sorted(facts, key=lambda f: f.day, reverse=True)[:QUOTES_PER_GROUP]
        groups.append(Group(key=key, count=len(facts), quotes=tuple(f.text for f in latest)))
    return tuple(sorted(groups, key=lambda g: (-g.count, g.key)))


def consensus(facts: list[ResponseFact], *, addressees: int) -> Consensus:
    """Summarise `facts` for a decision with `addressees` addressees (see the module doc)."""
    counter = Counter(fact.kind for fact in facts)
    counts = {kind: counter.get(kind, 0) for kind in KINDS}
    total = sum(counts.values())
    objections = [fact for fact in facts if fact.kind == "objection"]
    by_theme = _groups(objections, lambda f: f.theme)
    by_department = _groups(objections, lambda f: f.department)
    main = tuple(group.quotes[0] for group in by_theme[:MAIN_OBJECTIONS])
    return Consensus(
        counts=counts,
        responses=total,
        addressees=addressees,
        share_of_responses={k: (counts[k] / total if total else 0.0) for k in KINDS},
        share_of_addressees={k: (counts[k] / addressees if addressees else 0.0) for k in KINDS},
        objections_by_theme=by_theme,
        objections_by_department=by_department,
        main_objections=main,
    )
