"""The triage engine: which of the seed's seven categories an incoming matter falls in, and so
whether it is the GM's, to delegate, or not the company's business. Pure: no Django import.

"Three manages, three don't": the GM manages the overall situation, the company's image and
management, and what is detrimental to the company's interests; not personal privacy, personal
habits, or what has nothing to do with the company; details below the overall situation are
delegated to their owner (`ROUTE_OF`).

First the GM's rules, in their order: the first active rule with a phrase in the text decides,
and says so ("mentions 'press'"). English phrases match whole words, case aside ("press" does
not match "pressure"); Chinese phrases match anywhere (Chinese has no spaces between words).

Else a text classifier trained on the shipped seed examples (`data/seed_examples.csv`, English
and Chinese, so that a new company gets sensible proposals on day one) and on the GM's past
decisions (each decided matter's text with the category of its latest decision, weighed
`DECISION_WEIGHT` times a seed example: they are this company's own words and the GM's own
judgement). It reuses the feedback classifier's features and model
(`gmassist.voice.engine.classifier`): Chinese character 1-2-grams, English character 2-5-grams
and word 1-2-grams, TF-IDF, a ridge classifier with balanced class weights. The confidence is
softmax(`SCORE_SCALE` x the ridge's scores), a probability that the category is right; below
the threshold (`UNSURE_BELOW`, the default of GMASSIST_TRIAGE_UNSURE_BELOW_PERCENT) the
proposal says it is unsure and the GM decides.

Measured (`evaluate`, `gmassist office triage --evaluate`: a quarter of the 220 seed examples
held back, stratified by language and category, trained on the rest, no rules). Seed 0: the
category 63.6% right (English 53.6%, Chinese 74.1%), the route 85.5% (85.7%, 85.2%); 30.9% of
the proposals unsure (below 0.5), and the route of the others 92.1% right. Seeds 1 and 2: the
category 72.7% / 60.0%, the route 92.7% / 81.8%. The seed set is small (15-17 texts per
category and language), written for the project; the GM's decisions are how it learns the
company's own matters.
"""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.model_selection import train_test_split

# The feedback classifier's feature blocks and ridge model: one text classifier in the project,
# with the settings chosen by cross-validation there (see its docstring).
from gmassist.voice.engine.classifier import _features, _model, detect_language

SEED_EXAMPLES = Path(__file__).resolve().parent / "data" / "seed_examples.csv"

GM, DELEGATE, NOT_COMPANY = "gm", "delegate", "not_company"
ROUTES = (GM, DELEGATE, NOT_COMPANY)
CATEGORIES = ("overall", "image", "interests", "privacy", "habits", "unrelated", "detail")
# The seed's rule: what each category means for the GM.
ROUTE_OF = {
    "overall": GM,
    "image": GM,
    "interests": GM,
    "privacy": NOT_COMPANY,
    "habits": NOT_COMPANY,
    "unrelated": NOT_COMPANY,
    "detail": DELEGATE,
}
LANGUAGES = ("en", "zh")

# A decided matter weighs as this many seed examples (see the module docstring).
DECISION_WEIGHT = 3.0
# softmax(SCORE_SCALE x ridge scores): the scale that minimised the log loss of out-of-fold
# probabilities on the 220 seed examples (5 folds, seed 0; scales 2-12 tried: 4 gave 1.089,
# 5 1.069, 6 1.085; see `fit_score_scale`).
SCORE_SCALE = 5.0
# Below this confidence (0-1) the proposal says it is unsure.
UNSURE_BELOW = 0.5

_CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


class ExamplesError(ValueError):
    """The seed examples are missing or have a bad row (says which and why)."""


@dataclass(frozen=True)
class Example:
    """A text with its category; `weight` 1 for a seed example, more for a GM's decision."""

    text: str
    category: str
    language: str = "en"
    weight: float = 1.0


@dataclass(frozen=True)
class Rule:
    """One of the GM's rules: any of `phrases` (English or Chinese) in a text gives `category`
    and `route`, and `owner` (an id, or None) when it delegates."""

    id: int
    phrases: tuple[str, ...]
    category: str
    route: str
    owner: int | None = None


@dataclass(frozen=True)
class Proposal:
    """What the engine proposes for one text.

    `route` and `category`; `owner` the rule's owner (None: the caller chooses one);
    `confidence` 0-1 (1.0 for a rule); `rule` the id of the deciding rule, None when the
    classifier decided; `phrase` the rule's phrase found; `probabilities` the classifier's
    probability of each category (also given when a rule decided, so that a GM who changes the
    route gets the likeliest category of the new route); `unsure` when the classifier's
    confidence is below the threshold."""

    route: str
    category: str
    confidence: float
    owner: int | None = None
    rule: int | None = None
    phrase: str = ""
    unsure: bool = False
    language: str = "en"
    probabilities: dict[str, float] = field(default_factory=dict)

    def likeliest_of_route(self, route: str) -> str:
        """The likeliest category whose route is `route` (the category of a changed route)."""
        options = [c for c in CATEGORIES if ROUTE_OF[c] == route]
        return max(options, key=lambda c: (self.probabilities.get(c, 0.0), -options.index(c)))


def phrase_in(phrase: str, text: str) -> bool:
    """True when `phrase` occurs in `text`: anywhere for a phrase with Chinese characters, as
    whole words (case aside) for an English one."""
    phrase = phrase.strip()
    if not phrase:
        return False
    if _CJK.search(phrase):
        return phrase in text
    pattern = r"(?<![\w])" + re.escape(phrase.lower()) + r"(?![\w])"
    return re.search(pattern, text.lower()) is not None


def matching_rule(rules: Sequence[Rule], text: str) -> tuple[Rule, str] | None:
    """The first rule (in the given order) with a phrase in `text`, and that phrase."""
    for rule in rules:
        for phrase in rule.phrases:
            if phrase_in(phrase, text):
                return rule, phrase.strip()
    return None


def load_examples(path: Path = SEED_EXAMPLES) -> list[Example]:
    """The labelled examples of a CSV file (UTF-8; columns text, language, category). Raises
    ExamplesError naming the row and column of the first bad value."""
    if not path.is_file():
        raise ExamplesError(f"no seed examples at {path}")
    examples = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [
            c for c in ("text", "language", "category") if c not in (reader.fieldnames or [])
        ]
        if missing:
            raise ExamplesError(f"{path}: missing column(s) {', '.join(missing)}")
        for row_number, row in enumerate(reader, start=2):
            text = (row["text"] or "").strip()
            if not text:
                raise ExamplesError(f"{path}, row {row_number}, column text: the text is empty")
            if row["language"] not in LANGUAGES:
                raise ExamplesError(
                    f"{path}, row {row_number}, column language: {row['language']!r} is not "
                    "en or zh"
                )
            if row["category"] not in CATEGORIES:
                raise ExamplesError(
                    f"{path}, row {row_number}, column category: {row['category']!r} is not one "
                    f"of {', '.join(CATEGORIES)}"
                )
            examples.append(Example(text=text, category=row["category"], language=row["language"]))
    return examples


class TriageClassifier:
    """The category of a text with its probability, trained on examples (seed and decisions)."""

    def __init__(self, examples: Sequence[Example]):
        if len({e.category for e in examples}) < 2:
            raise ExamplesError("the examples need at least two categories")
        texts = [e.text for e in examples]
        self.features = _features(texts).fit(texts)
        self.model = _model().fit(
            self.features.transform(texts),
            [e.category for e in examples],
            sample_weight=np.array([e.weight for e in examples]),
        )
        self.n_examples = len(examples)

    def probabilities(self, texts: Sequence[str]) -> list[dict[str, float]]:
        """For each text, {category: probability}, summing to 1."""
        if not texts:
            return []
        scores = np.asarray(self.model.decision_function(self.features.transform(list(texts))))
        if scores.ndim == 1:  # two classes: one score, for the second
            scores = np.column_stack([-scores, scores])
        scaled = SCORE_SCALE * (scores - scores.max(axis=1, keepdims=True))
        exponentials = np.exp(scaled)
        rows = exponentials / exponentials.sum(axis=1, keepdims=True)
        classes = [str(c) for c in self.model.classes_]
        return [{c: float(p) for c, p in zip(classes, row, strict=True)} for row in rows]


def propose(
    texts: Sequence[str],
    *,
    rules: Sequence[Rule],
    classifier: TriageClassifier,
    unsure_below: float = UNSURE_BELOW,
) -> list[Proposal]:
    """The proposal for each text, in order: the first matching rule's, else the classifier's
    (unsure below `unsure_below`, 0-1)."""
    proposals = []
    for text, probabilities in zip(texts, classifier.probabilities(texts), strict=True):
        language = detect_language(text)
        found = matching_rule(rules, text)
        if found is not None:
            rule, phrase = found
            proposals.append(
                Proposal(
                    route=rule.route,
                    category=rule.category,
                    confidence=1.0,
                    owner=rule.owner if rule.route == DELEGATE else None,
                    rule=rule.id,
                    phrase=phrase,
                    language=language,
                    probabilities=probabilities,
                )
            )
            continue
        category = max(CATEGORIES, key=lambda c: probabilities.get(c, 0.0))
        confidence = probabilities.get(category, 0.0)
        proposals.append(
            Proposal(
                route=ROUTE_OF[category],
                category=category,
                confidence=confidence,
                unsure=confidence < unsure_below,
                language=language,
                probabilities=probabilities,
            )
        )
    return proposals


@functools.lru_cache(maxsize=2)
def _seed_trained(path: str, modified_ns: int) -> TriageClassifier:
    return TriageClassifier(load_examples(Path(path)))


def seed_classifier(path: Path = SEED_EXAMPLES) -> TriageClassifier:
    """The classifier of the seed examples only, trained once per process."""
    return _seed_trained(str(path), path.stat().st_mtime_ns if path.exists() else 0)


@dataclass(frozen=True)
class Evaluation:
    """The classifier on held-back seed examples: accuracy of the category and of the route
    (shares 0-1), per language, and the share below the unsure threshold with the route
    accuracy of the others."""

    n_train: int
    n_test: int
    category_accuracy: float
    route_accuracy: float
    by_language: dict[str, dict[str, float]]
    unsure_share: float
    route_accuracy_sure: float | None

    def as_dict(self) -> dict[str, object]:
        return {
            "n_train": self.n_train,
            "n_test": self.n_test,
            "category_accuracy": round(self.category_accuracy, 4),
            "route_accuracy": round(self.route_accuracy, 4),
            "by_language": {
                lang: {k: round(v, 4) for k, v in values.items()}
                for lang, values in self.by_language.items()
            },
            "unsure_share": round(self.unsure_share, 4),
            "route_accuracy_sure": None
            if self.route_accuracy_sure is None
            else round(self.route_accuracy_sure, 4),
        }


def _share(hits: Sequence[bool]) -> float:
    return sum(hits) / len(hits) if hits else 0.0


def evaluate(
    examples: Sequence[Example],
    *,
    test_share: float = 0.25,
    seed: int = 0,
    unsure_below: float = UNSURE_BELOW,
) -> Evaluation:
    """Train on a stratified (language and category), seeded part of `examples` and measure on
    the held-back rest, with no rules."""
    strata = [f"{e.language}:{e.category}" for e in examples]
    train, test = train_test_split(
        list(examples), test_size=test_share, random_state=seed, stratify=strata
    )
    proposals = propose([e.text for e in test], rules=(), classifier=TriageClassifier(train))
    pairs = list(zip(test, proposals, strict=True))
    by_language = {}
    for language in LANGUAGES:
        rows = [(e, p) for e, p in pairs if e.language == language]
        if rows:
            by_language[language] = {
                "n": float(len(rows)),
                "category_accuracy": _share([p.category == e.category for e, p in rows]),
                "route_accuracy": _share([p.route == ROUTE_OF[e.category] for e, p in rows]),
            }
    sure = [(e, p) for e, p in pairs if p.confidence >= unsure_below]
    return Evaluation(
        n_train=len(train),
        n_test=len(test),
        category_accuracy=_share([p.category == e.category for e, p in pairs]),
        route_accuracy=_share([p.route == ROUTE_OF[e.category] for e, p in pairs]),
        by_language=by_language,
        unsure_share=_share([p.confidence < unsure_below for _e, p in pairs]),
        route_accuracy_sure=_share([p.route == ROUTE_OF[e.category] for e, p in sure])
        if sure
        else None,
    )


def fit_score_scale(
    examples: Sequence[Example],
    *,
    scales: Sequence[float] = (2, 3, 4, 5, 6, 8, 10, 12),
    seed: int = 0,
) -> dict[float, float]:
    """The log loss of out-of-fold probabilities (5 stratified folds) for each softmax scale:
    how SCORE_SCALE was chosen."""
    from sklearn.model_selection import StratifiedKFold

    strata = [f"{e.language}:{e.category}" for e in examples]
    folds: list[tuple[np.ndarray, list[int]]] = []
    for train_rows, test_rows in StratifiedKFold(5, shuffle=True, random_state=seed).split(
        np.zeros(len(examples)), strata
    ):
        classifier = TriageClassifier([examples[i] for i in train_rows])
        scores = np.asarray(
            classifier.model.decision_function(
                classifier.features.transform([examples[i].text for i in test_rows])
            )
        )
        classes = [str(c) for c in classifier.model.classes_]
        folds.append((scores, [classes.index(examples[i].category) for i in test_rows]))
    losses = {}
    for scale in scales:
        total, count = 0.0, 0
        for scores, truth in folds:
            scaled = scale * (scores - scores.max(axis=1, keepdims=True))
            log_probabilities = scaled - np.log(np.exp(scaled).sum(axis=1, keepdims=True))
            total -= float(sum(log_probabilities[row, index] for row, index in enumerate(truth)))
            count += len(truth)
        losses[float(scale)] = total / count
    return losses
