"""Survey results with the group-size rule: no figure about fewer than 5 respondents, ever.

Pure: no Django import; plain data in and out. Every page, API endpoint and export of survey
results goes through `survey_results`, which applies `result_groups`, the one rule:

1. Walk the department tree from the leaves up. A department's pool is its own respondents plus
   the pools its children passed up. A pool of `min_size` (5) or more is published as a group
   (named after the department, listing the departments merged into it); a smaller pool passes
   up to the parent.
2. Above the top departments sits the company. If what reaches it is 1 to 4 respondents, the
   smallest published groups are folded into it, one at a time, until it reaches `min_size`
   (else those few would be the difference between the company's total and its groups). If
   even the whole company has fewer than `min_size` respondents, nothing is published.

So the published groups are disjoint, cover every respondent, and each has at least
`min_size`: any union of them (a head's subtree, the company) is safe to show too, and no
difference of two figures isolates a smaller group. The partition is made once per round for
the whole company; a reader who may see only part of it (a department head) gets the groups
inside their subtree, never a partition of their own.

Units: scores as answered (eNPS 0-10, scales 1-5); eNPS in points from -100 to 100 (the share
of promoters, 9-10, minus the share of detractors, 0-6, times 100); shares 0-1.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

MIN_GROUP = 5

ENPS = "enps"
SCALE = "scale"
TEXT = "text"

PROMOTER_FROM = 9  # 9 and 10
DETRACTOR_UP_TO = 6  # 0 to 6


@dataclass(frozen=True)
class DepartmentNode:
    """A department of the tree: its id, its parent's id (None at the top) and its name."""

    id: int
    parent_id: int | None
    name: str


@dataclass(frozen=True)
class ResultGroup:
    """A published group: a department with the smaller departments merged into it.

    `department_id` is None for the company group (what is left at the top). `includes` are
    the ids of the departments whose respondents count here, the group's own first (None stands
    for respondents with no known department); `merged_names` names the others.
    """

    department_id: int | None
    name: str
    includes: tuple[int | None, ...]
    merged_names: tuple[str, ...]
    respondents: int


@dataclass(frozen=True)
class QuestionSpec:
    """A question as the engine needs it: id, kind ("enps", "scale" or "text") and text."""

    id: int
    kind: str
    text: str


@dataclass(frozen=True)
class QuestionScore:
    """The scores of one question in one group.

    `mean` is the mean score (in the question's own units); for eNPS questions `enps` is in
    points (-100 to 100) and `promoters`/`passives`/`detractors` are shares (0-1).
    """

    question_id: int
    kind: str
    answers: int
    mean: float | None
    enps: float | None = None
    promoters: float | None = None
    passives: float | None = None
    detractors: float | None = None
    distribution: tuple[int, ...] = ()  # answers per score, from the kind's lowest score


@dataclass
class GroupResult:
    """A published group's figures: respondents, asked, response rate (0-1), scores, texts."""

    group: ResultGroup
    invited: int
    response_rate: float | None
    scores: dict[int, QuestionScore] = field(default_factory=dict)
    texts: dict[int, list[str]] = field(default_factory=dict)

    @property
    def enps(self) -> float | None:
        """The eNPS of the first eNPS question (points), the headline figure."""
        for score in self.scores.values():
            if score.kind == ENPS:
                return score.enps
        return None


@dataclass
class RoundResults:
    """What may be shown of one round: the published groups and their union (`overall`).

    `hidden` is True when the round has respondents but too few to show anything.
    `respondents` and `invited` are the totals over the groups shown (all groups when the
    reader sees the whole company). Of a published snapshot (survey_publication.py):
    `published` False when nothing is published yet; `is_final` False while the round is open
    (the round as a whole only, counting the answers of the days before `counts_before`);
    `left_out` answers after the last refresh, too few to be added at the close.
    """

    groups: list[GroupResult]
    overall: GroupResult | None
    respondents: int
    invited: int
    hidden: bool
    min_size: int
    published: bool = True
    is_final: bool = True
    counts_before: dt.date | None = None
    left_out: int = 0


def _children(departments: Sequence[DepartmentNode]) -> dict[int | None, list[int]]:
    known = {d.id for d in departments}
    children: dict[int | None, list[int]] = {}
    for d in departments:
        # a parent outside the tree (or a cycle's entry) is treated as the top
        parent = d.parent_id if d.parent_id in known and d.parent_id != d.id else None
        children.setdefault(parent, []).append(d.id)
    for ids in children.values():
        ids.sort()
    return children


def _post_order(children: dict[int | None, list[int]]) -> list[int]:
    """Department ids, every child before its parent (cycles below the top are cut)."""
    order: list[int] = []
    seen: set[int] = set()
    stack: list[tuple[int, bool]] = [(d, False) for d in reversed(children.get(None, []))]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        if node in seen:
            continue
        seen.add(node)
        stack.append((node, True))
        stack.extend((c, False) for c in reversed(children.get(node, [])) if c not in seen)
    return order


def result_groups(
    *,
    departments: Sequence[DepartmentNode],
    respondents: Mapping[int | None, int],
    min_size: int = MIN_GROUP,
    company_name: str = "Company",
    passed_up: Collection[int] = (),
) -> list[ResultGroup]:
    """Partition the respondents into published groups of at least `min_size` (see the module
    doc). `respondents` maps department id (None or an unknown id: no department) to how many
    answered; the departments in `passed_up` pass their pool up whatever its size (see
    survey_publication.final_groups). Returns the groups in tree order (children before
    parents, the company last); an empty list when there is nothing, or too little, to show.
    """
    if min_size < 1:
        raise ValueError("min_size must be at least 1")
    names = {d.id: d.name for d in departments}
    children = _children(departments)
    order = _post_order(children)
    in_tree = set(order)
    parent_of = {child: parent for parent, kids in children.items() for child in kids}
    own = {d: max(0, int(respondents.get(d, 0))) for d in order}
    outside = sum(max(0, int(n)) for dept, n in respondents.items() if dept not in in_tree)
    pool = dict(own)
    members: dict[int, list[int | None]] = {d: [d] for d in order}
    published: list[ResultGroup] = []
    company_pool = outside
    company_members: list[int | None] = [None]

    def merged_names(ids: Iterable[int | None], group_id: int | None) -> tuple[str, ...]:
        # the departments whose own people answered; empty ones add nothing worth naming
        return tuple(names[m] for m in ids if m is not None and m != group_id and own.get(m))

    for dept in order:
        if pool[dept] >= min_size and dept not in passed_up:
            published.append(
                ResultGroup(
                    department_id=dept,
                    name=names[dept],
                    includes=tuple(members[dept]),
                    merged_names=merged_names(members[dept], dept),
                    respondents=pool[dept],
                )
            )
            continue
        parent = parent_of.get(dept)
        if parent is None:
            company_pool += pool[dept]
            company_members.extend(members[dept])
        else:
            pool[parent] += pool[dept]
            members[parent].extend(members[dept])
    if company_pool > 0:
        # fold the smallest groups into the company until its leftover is big enough to show
        published.sort(key=lambda g: (g.respondents, g.name, g.department_id or 0))
        while company_pool < min_size and published:
            folded = published.pop(0)
            company_pool += folded.respondents
            company_members.extend(folded.includes)
        if company_pool < min_size:
            return []
        published.append(
            ResultGroup(
                department_id=None,
                name=company_name,
                includes=tuple(company_members),
                merged_names=merged_names(company_members, None),
                respondents=company_pool,
            )
        )
    position: dict[int | None, int] = {d: i for i, d in enumerate(order)}
    published.sort(key=lambda g: position.get(g.department_id, len(order)))
    return published


def score_range(kind: str) -> tuple[int, int]:
    """(lowest, highest) score of a question kind: eNPS 0-10, a scale 1-5."""
    return (0, 10) if kind == ENPS else (1, 5)


def _score(question: QuestionSpec, values: list[int]) -> QuestionScore:
    low, high = score_range(question.kind)
    distribution = [0] * (high - low + 1)
    for value in values:
        if low <= value <= high:
            distribution[value - low] += 1
    return score_from_distribution(
        question_id=question.id, kind=question.kind, distribution=distribution
    )


def score_from_distribution(
    *, question_id: int, kind: str, distribution: Sequence[int]
) -> QuestionScore:
    """The figures of one question from its answers per score (`distribution`, from the kind's
    lowest score): so that a union of published groups is figured from what they published."""
    low, _high = score_range(kind)
    distribution = tuple(int(n) for n in distribution)
    n = sum(distribution)
    if n == 0:
        return QuestionScore(question_id, kind, 0, None, distribution=distribution)
    total = sum((low + i) * count for i, count in enumerate(distribution))
    mean = round(total / n, 2)
    if kind != ENPS:
        return QuestionScore(question_id, kind, n, mean, distribution=distribution)
    promoters = sum(distribution[PROMOTER_FROM - low :]) / n
    detractors = sum(distribution[: DETRACTOR_UP_TO - low + 1]) / n
    return QuestionScore(
        question_id,
        kind,
        n,
        mean,
        enps=round((promoters - detractors) * 100, 1),
        promoters=promoters,
        passives=1 - promoters - detractors,
        detractors=detractors,
        distribution=distribution,
    )


def enps(scores: Iterable[int]) -> float | None:
    """eNPS of 0-10 answers, in points (-100 to 100, one decimal); None with no answers."""
    return _score(QuestionSpec(0, ENPS, ""), list(scores)).enps


def survey_results(
    *,
    departments: Sequence[DepartmentNode],
    questions: Sequence[QuestionSpec],
    respondents: Mapping[int | None, int],
    scores: Iterable[tuple[int | None, int, int]] = (),
    texts: Iterable[tuple[int | None, int, str]] = (),
    invited: Mapping[int | None, int] | None = None,
    visible_departments: set[int] | None = None,
    min_size: int = MIN_GROUP,
    company_name: str = "Company",
    groups: Sequence[ResultGroup] | None = None,
) -> RoundResults:
    """The results of one round that a reader may see, the group rule applied.

    `respondents`: department id -> responses; `scores`: (department id, question id, score)
    per scored answer; `texts`: (department id, question id, text) per non-empty text answer;
    `invited`: department id -> people asked. `groups`: the published groups, when they were
    chosen already (voice/engine/survey_publication.py); else `result_groups` makes them.
    `visible_departments`: the department ids the reader may see (None: all, the company group
    included); only groups whose department is in it are returned, and `overall` is their
    union. Texts come sorted, not in order of arrival.
    """
    if groups is None:
        groups = result_groups(
            departments=departments,
            respondents=respondents,
            min_size=min_size,
            company_name=company_name,
        )
    groups = list(groups)
    too_few = sum(n for n in respondents.values() if n > 0) > 0 and not groups
    if visible_departments is not None:
        groups = [g for g in groups if g.department_id in visible_departments]
    group_of: dict[int | None, int] = {}
    for index, group in enumerate(groups):
        for dept in group.includes:
            group_of[dept] = index
    known = {d.id for d in departments}

    def index_of(dept: int | None) -> int | None:
        return group_of.get(dept if dept in known else None)

    values: list[dict[int, list[int]]] = [{} for _ in groups]
    written: list[dict[int, list[str]]] = [{} for _ in groups]
    for dept, question_id, score in scores:
        at = index_of(dept)
        if at is not None:
            values[at].setdefault(question_id, []).append(int(score))
    for dept, question_id, text in texts:
        at = index_of(dept)
        if at is not None and text.strip():
            written[at].setdefault(question_id, []).append(text.strip())
    invited = invited or {}
    scored = [q for q in questions if q.kind in (ENPS, SCALE)]
    text_questions = [q for q in questions if q.kind == TEXT]

    def build(
        group: ResultGroup, by_question: dict[int, list[int]], by_text: dict[int, list[str]]
    ) -> GroupResult:
        asked = sum(int(invited.get(dept, 0)) for dept in group.includes)
        return GroupResult(
            group=group,
            invited=asked,
            response_rate=min(1.0, group.respondents / asked) if asked else None,
            scores={q.id: _score(q, by_question.get(q.id, [])) for q in scored},
            texts={q.id: sorted(by_text.get(q.id, [])) for q in text_questions},
        )

    results = [build(g, values[i], written[i]) for i, g in enumerate(groups)]
    return RoundResults(
        groups=results,
        overall=union_of(results, company_name=company_name),
        respondents=sum(g.respondents for g in groups),
        invited=sum(r.invited for r in results),
        hidden=too_few,
        min_size=min_size,
    )


def union_of(results: Sequence[GroupResult], *, company_name: str) -> GroupResult | None:
    """The figures of the union of published groups (no texts), from what each published: a
    union of groups of 5 or more is as safe to show as they are. None for no groups."""
    if not results:
        return None
    union = ResultGroup(
        department_id=None,
        name=company_name,
        includes=tuple(d for r in results for d in r.group.includes),
        merged_names=(),
        respondents=sum(r.group.respondents for r in results),
    )
    asked = sum(r.invited for r in results)
    scores: dict[int, QuestionScore] = {}
    for question_id, first in results[0].scores.items():
        width = len(first.distribution)
        distribution = [0] * width
        for r in results:
            for i, n in enumerate(r.scores[question_id].distribution):
                distribution[i] += n
        scores[question_id] = score_from_distribution(
            question_id=question_id, kind=first.kind, distribution=distribution
        )
    return GroupResult(
        group=union,
        invited=asked,
        response_rate=min(1.0, union.respondents / asked) if asked else None,
        scores=scores,
        texts={},
    )


def results_for_reader(
    published: RoundResults,
    *,
    visible_departments: set[int] | None,
    company_name: str,
    with_texts: bool = True,
) -> RoundResults:
    """What one reader sees of published results (made for every group, `visible_departments`
    None): the groups whose department they may see (None: all, the company group included),
    the company group named `company_name`, and `overall`, the union of what they see."""
    groups = [
        GroupResult(
            group=replace(r.group, name=company_name) if r.group.department_id is None else r.group,
            invited=r.invited,
            response_rate=r.response_rate,
            scores=r.scores,
            texts=r.texts if with_texts else {},
        )
        for r in published.groups
        if visible_departments is None or r.group.department_id in visible_departments
    ]
    return replace(
        published,
        groups=groups,
        overall=union_of(groups, company_name=company_name),
        respondents=sum(g.group.respondents for g in groups),
        invited=sum(g.invited for g in groups),
    )


# --- published results as plain data (stored as JSON) -----------------------------------------


def results_to_data(results: RoundResults) -> dict[str, Any]:
    """`results` as JSON-ready data (question ids as text keys), for `results_from_data`."""
    return {
        "min_size": results.min_size,
        "hidden": results.hidden,
        "groups": [
            {
                "group": {
                    "department_id": r.group.department_id,
                    "name": r.group.name,
                    "includes": list(r.group.includes),
                    "merged_names": list(r.group.merged_names),
                    "respondents": r.group.respondents,
                },
                "invited": r.invited,
                "response_rate": r.response_rate,
                "scores": {
                    str(q): {
                        "kind": score.kind,
                        "distribution": list(score.distribution),
                    }
                    for q, score in r.scores.items()
                },
                "texts": {str(q): list(texts) for q, texts in r.texts.items()},
            }
            for r in results.groups
        ],
    }


def results_from_data(data: Mapping[str, Any]) -> RoundResults:
    """The results `results_to_data` wrote (figures recomputed from the distributions)."""
    groups = []
    for item in data.get("groups", []):
        g = item["group"]
        group = ResultGroup(
            department_id=g["department_id"],
            name=g["name"],
            includes=tuple(g["includes"]),
            merged_names=tuple(g["merged_names"]),
            respondents=int(g["respondents"]),
        )
        groups.append(
            GroupResult(
                group=group,
                invited=int(item["invited"]),
                response_rate=item["response_rate"],
                scores={
                    int(q): score_from_distribution(
                        question_id=int(q), kind=score["kind"], distribution=score["distribution"]
                    )
                    for q, score in item["scores"].items()
                },
                texts={int(q): list(texts) for q, texts in item["texts"].items()},
            )
        )
    return RoundResults(
        groups=groups,
        overall=union_of(groups, company_name="Company"),
        respondents=sum(g.group.respondents for g in groups),
        invited=sum(g.invited for g in groups),
        hidden=bool(data.get("hidden", False)),
        min_size=int(data.get("min_size", MIN_GROUP)),
    )
