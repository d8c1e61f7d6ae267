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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

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
    reader sees the whole company).
    """

    groups: list[GroupResult]
    overall: GroupResult | None
    respondents: int
    invited: int
    hidden: bool
    min_size: int


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
) -> list[ResultGroup]:
    """Partition the respondents into published groups of at least `min_size` (see the module
    doc). `respondents` maps department id (None or an unknown id: no department) to how many
    answered. Returns the groups in tree order (children before parents, the company last);
    an empty list when there is nothing, or too little, to show.
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
        if pool[dept] >= min_size:
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


def _score(question: QuestionSpec, values: list[int]) -> QuestionScore:
    low, high = (0, 10) if question.kind == ENPS else (1, 5)
    distribution = [0] * (high - low + 1)
    for value in values:
        if low <= value <= high:
            distribution[value - low] += 1
    n = len(values)
    if n == 0:
        return QuestionScore(question.id, question.kind, 0, None, distribution=tuple(distribution))
    mean = round(sum(values) / n, 2)
    if question.kind != ENPS:
        return QuestionScore(question.id, question.kind, n, mean, distribution=tuple(distribution))
    promoters = sum(1 for v in values if v >= PROMOTER_FROM) / n
    detractors = sum(1 for v in values if v <= DETRACTOR_UP_TO) / n
    return QuestionScore(
        question.id,
        question.kind,
        n,
        mean,
        enps=round((promoters - detractors) * 100, 1),
        promoters=promoters,
        passives=1 - promoters - detractors,
        detractors=detractors,
        distribution=tuple(distribution),
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
) -> RoundResults:
    """The results of one round that a reader may see, the group rule applied.

    `respondents`: department id -> responses; `scores`: (department id, question id, score)
    per scored answer; `texts`: (department id, question id, text) per non-empty text answer;
    `invited`: department id -> people asked. `visible_departments`: the department ids the
    reader may see (None: all, the company group included); only groups whose department is in
    it are returned, and `overall` is their union. Texts come sorted, not in order of arrival.
    """
    groups = result_groups(
        departments=departments,
        respondents=respondents,
        min_size=min_size,
        company_name=company_name,
    )
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
    overall = None
    if results:
        union = ResultGroup(
            department_id=None,
            name=company_name,
            includes=tuple(d for g in groups for d in g.includes),
            merged_names=(),
            respondents=sum(g.respondents for g in groups),
        )
        merged_values: dict[int, list[int]] = {}
        for by_question in values:
            for question_id, answers in by_question.items():
                merged_values.setdefault(question_id, []).extend(answers)
        overall = build(union, merged_values, {})
    return RoundResults(
        groups=results,
        overall=overall,
        respondents=sum(g.respondents for g in groups),
        invited=sum(r.invited for r in results),
        hidden=too_few,
        min_size=min_size,
    )
