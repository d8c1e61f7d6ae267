"""When a round's results may be published, so that no two readings can be differenced.

Pure: no Django import; plain data in and out. The group rule (survey_results.py) keeps every
published group at 5 or more respondents; this module keeps every *step* at 5 or more: nothing a
reader can compute from all the readings they ever made (before and after answers arrived,
of a department and of its parent, on the page, in the API, in an export) is about fewer than
`min_size` respondents. The rule (docs/security.md, "Survey results cannot be differenced"):

1. Results are published as snapshots, never computed on each reading; every reader reads the
   latest snapshot of a round.
2. While a round is open, a snapshot shows the round as a whole only (one group, for readers
   who may see all of it). It counts the answers of the days before today (so that it says
   nothing finer than the day) and is refreshed at most once a day, when `refresh_step` (at
   least `min_size`) answers arrived since the last refresh (`refresh_due`). The answers
   between two refreshes are a *batch*.
3. When the round closes, the final snapshot shows the groups. The answers that came after the
   last refresh are a last batch, added only when there are `min_size` of them or more (else
   they are left out). The groups are chosen by `final_groups`: the tree rule's groups when
   no set of fewer than `min_size` respondents can be isolated with the refreshes seen before,
   else the tree rule with a larger group size, until none can (one group always passes).

Why the check in 3 is exact. Every figure shown (respondents, answers per score, texts) is a
sum over the respondents of a published set, and all a reader can derive is a linear
combination of such sums. The published sets are the cumulative totals of the refreshes (so
each batch, the difference of two) and the final groups. With `n[g, b]` the respondents of
group g in batch b, the readers know every row sum (a group) and every column sum (a batch) of
that table, and nothing finer. A combination of row and column sums is, cell by cell,
`x[g] + y[b]`; it is non-zero on few respondents only where it is zero on all the other
non-empty cells. In the bipartite graph whose nodes are the groups and the batches and whose
edges are the non-empty cells (weighted by respondents), such a combination is non-zero exactly
on the edges of a cut, and every cut has such a combination. So no combination singles out
fewer than `min_size` respondents if and only if every cut of the graph (in each connected
part) weighs `min_size` or more: `cut_under(limit=min_size)` is None.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from gmassist.voice.engine.survey_results import (
    MIN_GROUP,
    DepartmentNode,
    ResultGroup,
    result_groups,
)

# A refresh waits for this share of the answers already published (and `min_size` at least):
# few refreshes for a large round (each recomputes the whole round), every 5 for a small one.
REFRESH_GROWTH = 0.1

DepartmentKey = int | None


def refresh_step(
    *, published: int, min_size: int = MIN_GROUP, growth: float = REFRESH_GROWTH
) -> int:
    """How many new answers a refresh waits for, when `published` answers are published:
    `min_size` or `growth` of `published`, whichever is more."""
    return max(min_size, math.ceil(published * growth))


def refresh_due(
    *,
    answers_by_day: Mapping[dt.date, int],
    refreshes: Sequence[dt.date],
    today: dt.date,
    min_size: int = MIN_GROUP,
    growth: float = REFRESH_GROWTH,
) -> bool:
    """True when an open round's results may be refreshed today (rule 2).

    `answers_by_day`: answers per day they were given; `refreshes`: the days of the refreshes
    so far, each counting the answers of the days before it. A refresh today would count the
    answers of the days before today: it is due when none was made today and at least
    `refresh_step` of those came after the last refresh.
    """
    last = refreshes[-1] if refreshes else None
    if last is not None and last >= today:
        return False
    published = sum(n for day, n in answers_by_day.items() if last is not None and day < last)
    pending = sum(
        n for day, n in answers_by_day.items() if (last is None or day >= last) and day < today
    )
    return pending >= refresh_step(published=published, min_size=min_size, growth=growth)


def batches(
    *,
    answers: Mapping[tuple[DepartmentKey, dt.date], int],
    refreshes: Sequence[dt.date],
) -> list[dict[DepartmentKey, int]]:
    """The answers per department of each batch: before the first refresh, between each two,
    and the last one after the last refresh (so one more batch than refreshes). `answers` maps
    (department id, day answered) to how many answered."""
    bounds = list(refreshes)
    result: list[dict[DepartmentKey, int]] = [{} for _ in range(len(bounds) + 1)]
    for (department, day), n in answers.items():
        index = next((i for i, bound in enumerate(bounds) if day < bound), len(bounds))
        result[index][department] = result[index].get(department, 0) + int(n)
    return result


Row = TypeVar("Row", bound=Hashable)
Column = TypeVar("Column", bound=Hashable)


@dataclass(frozen=True)
class Cut(Generic[Row, Column]):
    """A cut of the groups x batches graph: its weight (respondents) and its cells, the
    (row, column) keys whose respondents a combination of row and column sums can single out."""

    weight: int
    cells: frozenset[tuple[Row, Column]]


def cut_under(cells: Mapping[tuple[Row, Column], int], *, limit: int) -> Cut[Row, Column] | None:
    """A cut weighing less than `limit` in the bipartite graph of `cells` ((row, column) ->
    respondents; zero cells are no edge), or None when every cut, in each connected part of the
    graph, weighs `limit` or more (see the module doc: no combination of the row and column
    sums then singles out fewer than `limit` respondents).

    Two nodes joined by `limit` or more edge-disjoint paths are on the same side of every cut
    under `limit`, so they are merged: first the ends of every edge of weight `limit` or more,
    then, in each pass, every pair a maximum-adjacency ordering shows to be that well connected
    (Nagamochi and Ibaraki: the attachment an edge brings its end when the ordering reaches it
    is a lower bound of the ends' connectivity). The ordering's last node is the lighter side
    of a minimum cut between it and the one before (Stoer and Wagner): under `limit`, that is
    the cut returned; else they are merged too. Each pass merges at least one pair, usually
    most of the graph: on 1,700 groups by 13 batches of one or two respondents a cell, a few
    passes of O(m log n).
    """
    nodes: dict[Hashable, set[Hashable]] = {}  # a merged node -> the original nodes in it
    graph: dict[Hashable, dict[Hashable, int]] = {}
    for (row, column), weight in cells.items():
        if weight > 0:
            a, b = ("row", row), ("column", column)
            for node in (a, b):
                nodes.setdefault(node, {node})
                graph.setdefault(node, {})
            graph[a][b] = graph[a].get(b, 0) + int(weight)
            graph[b][a] = graph[b].get(a, 0) + int(weight)
    merge = _Merger(graph, nodes)
    merge.pairs([(a, b) for a in graph for b, w in graph[a].items() if w >= limit])
    while True:
        found = None
        for part in _connected_parts(merge.graph):
            if len(part) < 2:
                continue
            pairs, last, before, weight = _adjacency_pass(merge.graph, part, limit)
            if weight < limit:
                found = (weight, merge.nodes[last])
                break
            merge.pairs([*pairs, (last, before)])
        if found is not None:
            side = found[1]
            return Cut(
                weight=found[0],
                cells=frozenset(
                    key
                    for key, weight in cells.items()
                    if weight > 0 and ((("row", key[0]) in side) != (("column", key[1]) in side))
                ),
            )
        if all(len(part) < 2 for part in _connected_parts(merge.graph)):
            return None


class _Merger:
    """Merges nodes of a weighted graph, keeping which original nodes each one holds."""

    def __init__(
        self, graph: dict[Hashable, dict[Hashable, int]], nodes: dict[Hashable, set[Hashable]]
    ):
        self.graph = graph
        self.nodes = nodes
        self.parent: dict[Hashable, Hashable] = {node: node for node in graph}

    def find(self, node: Hashable) -> Hashable:
        root = node
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[node] != root:
            self.parent[node], node = root, self.parent[node]
        return root

    def pairs(self, pairs: Sequence[tuple[Hashable, Hashable]]) -> None:
        for a, b in pairs:
            ra, rb = self.find(a), self.find(b)
            if ra == rb:
                continue
            if len(self.graph[ra]) < len(self.graph[rb]):
                ra, rb = rb, ra  # merge the smaller adjacency into the larger
            self.parent[rb] = ra
            for other, weight in self.graph.pop(rb).items():
                del self.graph[other][rb]
                if other != ra:
                    self.graph[ra][other] = self.graph[ra].get(other, 0) + weight
                    self.graph[other][ra] = self.graph[other].get(ra, 0) + weight
            self.nodes[ra] |= self.nodes.pop(rb)


def _adjacency_pass(
    graph: Mapping[Hashable, Mapping[Hashable, int]], part: Sequence[Hashable], limit: int
) -> tuple[list[tuple[Hashable, Hashable]], Hashable, Hashable, int]:
    """One maximum-adjacency ordering of a connected part: (the pairs it shows to be joined by
    `limit` or more edge-disjoint paths, the last node, the one before it, the last node's
    attachment: the weight of the cut around the last node's side)."""
    attachment = {node: 0 for node in part}
    heap: list[tuple[int, int, Hashable]] = [(0, 0, part[0])]
    counter = 1
    scanned: set[Hashable] = set()
    order: list[Hashable] = []
    pairs: list[tuple[Hashable, Hashable]] = []
    while heap:
        negative, _tie, node = heapq.heappop(heap)
        if node in scanned or -negative != attachment[node]:
            continue
        scanned.add(node)
        order.append(node)
        for other, weight in graph[node].items():
            if other in scanned:
                continue
            attachment[other] += weight
            if attachment[other] >= limit:
                pairs.append((node, other))
            heapq.heappush(heap, (-attachment[other], counter, other))
            counter += 1
    last, before = order[-1], order[-2]
    return pairs, last, before, attachment[last]


def _connected_parts(graph: Mapping[Hashable, Mapping[Hashable, int]]) -> list[list[Hashable]]:
    seen: set[Hashable] = set()
    parts = []
    for start in graph:
        if start in seen:
            continue
        seen.add(start)
        part, stack = [], [start]
        while stack:
            node = stack.pop()
            part.append(node)
            for other in graph[node]:
                if other not in seen:
                    seen.add(other)
                    stack.append(other)
        parts.append(part)
    return parts


@dataclass(frozen=True)
class FinalGroups:
    """The groups a closed round's final snapshot shows, and which answers they count.

    `batches_used`: how many batches (from the first) are counted; `left_out`: answers of the
    last batch left out (fewer than `min_size` came after the last refresh); `passed_up`: the
    departments counted with the one above them although they had `min_size` respondents,
    because on their own a step from a refresh to them would have been smaller than that.
    """

    groups: list[ResultGroup]
    batches_used: int
    left_out: int
    passed_up: tuple[int, ...] = ()


def group_table(
    *,
    groups: Sequence[ResultGroup],
    batches: Sequence[Mapping[DepartmentKey, int]],
    departments: Sequence[DepartmentNode],
) -> dict[tuple[int, int], int]:
    """(group index, batch index) -> respondents: each department's answers counted in the
    group that includes it (an unknown department in the one that includes None)."""
    known = {d.id for d in departments}
    group_of: dict[DepartmentKey, int] = {}
    for index, group in enumerate(groups):
        for department in group.includes:
            group_of[department] = index
    table: dict[tuple[int, int], int] = {}
    for b, batch in enumerate(batches):
        for department, n in batch.items():
            key = department if department in known else None
            g = group_of.get(key)
            if g is None or n <= 0:
                continue
            table[(g, b)] = table.get((g, b), 0) + int(n)
    return table


def final_groups(
    *,
    departments: Sequence[DepartmentNode],
    batches: Sequence[Mapping[DepartmentKey, int]],
    min_size: int = MIN_GROUP,
    company_name: str = "Company",
) -> FinalGroups:
    """The groups of a closed round (rule 3), from its `batches` (see `batches`: the last one
    is what came after the last refresh). Every earlier batch was published by a refresh and
    has `min_size` or more answers.

    The tree rule's groups are checked with `cut_under`; while a cut under `min_size`
    remains, a group on that cut and the nearest group sharing one of its batches are merged
    where their branches meet (`_merge_across`), and the groups are made again. Each turn
    passes one more department up, so it ends: at worst with the company as one group, which
    batches of `min_size` or more leave without a small cut.
    """
    used = list(batches)
    left_out = 0
    if len(used) > 1 and sum(used[-1].values()) < min_size:
        left_out = sum(used[-1].values())
        used = used[:-1]
    counts: dict[DepartmentKey, int] = {}
    for batch in used:
        for department, n in batch.items():
            counts[department] = counts.get(department, 0) + int(n)
    parents = _parents(departments)
    passed_up: list[int] = []
    while True:
        groups = result_groups(
            departments=departments,
            respondents=counts,
            min_size=min_size,
            company_name=company_name,
            passed_up=set(passed_up),
        )
        result = FinalGroups(
            groups=groups, batches_used=len(used), left_out=left_out, passed_up=tuple(passed_up)
        )
        if not groups:
            return result
        table = group_table(groups=groups, batches=used, departments=departments)
        cut = cut_under(table, limit=min_size)
        if cut is None:
            return result
        passed_up.extend(_merge_across(cut, groups=groups, table=table, parents=parents))


def _parents(departments: Sequence[DepartmentNode]) -> dict[int, int | None]:
    known = {d.id for d in departments}
    return {
        d.id: d.parent_id if d.parent_id in known and d.parent_id != d.id else None
        for d in departments
    }


def _path_up(department: int | None, parents: Mapping[int, int | None]) -> list[int | None]:
    """`department`, its parent, ... up to the top, then None (the company)."""
    path: list[int | None] = []
    seen: set[int] = set()
    current = department
    while current is not None and current not in seen:
        seen.add(current)
        path.append(current)
        current = parents.get(current)
    path.append(None)
    return path


def _merge_across(
    cut: Cut[int, int],
    *,
    groups: Sequence[ResultGroup],
    table: Mapping[tuple[int, int], int],
    parents: Mapping[int, int | None],
) -> list[int]:
    """The departments to pass up so that a group on `cut` and the nearest group sharing a
    batch of the cut (the pair whose branches meet lowest in the tree, then the smallest) end
    in one group, where their branches meet: every department on both paths below that point."""
    on_cut = {g for g, _b in cut.cells}
    cut_batches = {b for _g, b in cut.cells}
    sharing = {g for (g, b), n in table.items() if n > 0 and b in cut_batches}
    best: tuple[tuple[int, int, str, str], list[int]] | None = None
    for g in sorted(on_cut):
        for h in sorted(sharing - {g}):
            up_g = _path_up(groups[g].department_id, parents)
            up_h = _path_up(groups[h].department_id, parents)
            meet = next(node for node in up_g if node in up_h)
            below = [n for n in up_g[: up_g.index(meet)] + up_h[: up_h.index(meet)]]
            depth = len(_path_up(meet, parents))
            key = (
                -depth,
                groups[g].respondents + groups[h].respondents,
                groups[g].name,
                groups[h].name,
            )
            if best is None or key < best[0]:
                best = (key, [n for n in below if n is not None])
    if best is None or not best[1]:
        raise AssertionError("a cut under min_size always has two groups sharing a batch")
    return best[1]
