"""The feedback classifier: topic, sentiment, urgent flags and language of a text, EN or ZH.

Topic and sentiment: TF-IDF on character n-grams (2-5 characters within word boundaries, so that
Chinese, written without spaces, needs no word segmenter) joined with English word uni- and
bigrams, and a linear SVM per label. Urgent flags: the keyword rules of `urgent_rules`, wide
on purpose for recall (see there for why rules and not a model).

Trained from the labelled set shipped with the app (`gmassist/voice/data/feedback_examples.csv`,
columns text, language, topic, sentiment, urgent) at first use, and kept in memory for the
process (`shipped_classifier`): about a second for the whole set. `evaluate` trains on a
stratified, seeded part and measures on the held-back rest. Pure: no Django import.
"""

from __future__ import annotations

import csv
import functools
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import FeatureUnion
from sklearn.svm import LinearSVC

from gmassist.voice.engine.urgent_rules import FLAGS, urgent_flags_by_rules

SHIPPED_EXAMPLES = Path(__file__).resolve().parent.parent / "data" / "feedback_examples.csv"

TOPICS = ("pay", "workload", "management", "career", "process", "facilities", "customers", "other")
SENTIMENTS = ("negative", "neutral", "positive")
LANGUAGES = ("en", "zh")

# A text is Chinese when at least this share of its letters are CJK characters.
CHINESE_SHARE = 0.2

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LETTER = re.compile(r"[^\W\d_]")


class ExamplesError(ValueError):
    """The labelled examples file is missing or has a bad row (says which and why)."""


@dataclass(frozen=True)
class Example:
    """One labelled text: its language, topic, sentiment and urgent flag ("" for none)."""

    text: str
    language: str
    topic: str
    sentiment: str
    urgent: str = ""


@dataclass(frozen=True)
class Classification:
    """What the classifier says of one text."""

    language: str
    topic: str
    sentiment: str
    urgent: tuple[str, ...] = ()


@dataclass(frozen=True)
class Evaluation:
    """Accuracy of the classifier on the held-back part of a labelled set (shares, 0-1)."""

    n_train: int
    n_test: int
    seed: int
    test_share: float
    topic_accuracy: float
    sentiment_accuracy: float
    urgent_recall: float | None  # of held-back urgent texts, the share flagged with their flag
    urgent_precision: float | None  # of held-back texts flagged, the share rightly flagged
    by_language: dict[str, dict[str, float]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "n_train": self.n_train,
            "n_test": self.n_test,
            "seed": self.seed,
            "test_share": self.test_share,
            "topic_accuracy": round(self.topic_accuracy, 4),
            "sentiment_accuracy": round(self.sentiment_accuracy, 4),
            "urgent_recall": _round(self.urgent_recall),
            "urgent_precision": _round(self.urgent_precision),
            "by_language": {
                language: {name: round(value, 4) for name, value in values.items()}
                for language, values in self.by_language.items()
            },
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def detect_language(text: str) -> str:
    """ "zh" when the text is mostly Chinese characters, else "en"."""
    letters = _LETTER.findall(text)
    if not letters:
        return "en"
    cjk = sum(1 for letter in letters if _CJK.match(letter))
    return "zh" if cjk / len(letters) >= CHINESE_SHARE else "en"


def load_examples(path: Path = SHIPPED_EXAMPLES) -> list[Example]:
    """The labelled examples of a CSV file (UTF-8; columns text, language, topic, sentiment,
    urgent). Raises ExamplesError naming the row and column of the first bad value."""
    if not path.is_file():
        raise ExamplesError(f"no labelled examples at {path}")
    allowed = {
        "language": LANGUAGES,
        "topic": TOPICS,
        "sentiment": SENTIMENTS,
        "urgent": ("", *FLAGS),
    }
    examples = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in ("text", *allowed) if c not in (reader.fieldnames or [])]
        if missing:
            raise ExamplesError(f"{path}: missing column(s) {', '.join(missing)}")
        for row_number, row in enumerate(reader, start=2):
            text = (row["text"] or "").strip()
            if not text:
                raise ExamplesError(f"{path}, row {row_number}: the text is empty")
            values = {name: (row[name] or "").strip() for name in allowed}
            for name, choices in allowed.items():
                if values[name] not in choices:
                    raise ExamplesError(
                        f"{path}, row {row_number}, column {name}: {values[name]!r} is not one "
                        f"of {', '.join(repr(c) for c in choices)}"
                    )
            examples.append(Example(text=text, **values))
    return examples


def _features() -> FeatureUnion:
    return FeatureUnion(
        [
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, lowercase=True
                ),
            ),
            (
                "words",
                TfidfVectorizer(
                    analyzer="word", ngram_range=(1, 2), sublinear_tf=True, lowercase=True
                ),
            ),
        ]
    )


class FeedbackClassifier:
    """Topic, sentiment and urgent flags of feedback texts, trained on labelled examples."""

    def __init__(self, examples: Sequence[Example]):
        if len({e.topic for e in examples}) < 2 or len({e.sentiment for e in examples}) < 2:
            raise ExamplesError("the examples need at least two topics and two sentiments")
        texts = [e.text for e in examples]
        self.features = _features().fit(texts)
        matrix = self.features.transform(texts)
        self.topic_model = LinearSVC(C=1.0).fit(matrix, [e.topic for e in examples])
        self.sentiment_model = LinearSVC(C=1.0).fit(matrix, [e.sentiment for e in examples])
        self.n_examples = len(examples)

    def classify_many(self, texts: Sequence[str]) -> list[Classification]:
        """The classification of each text, in order."""
        if not texts:
            return []
        matrix = self.features.transform(list(texts))
        topics = self.topic_model.predict(matrix)
        sentiments = self.sentiment_model.predict(matrix)
        results = []
        for index, text in enumerate(texts):
            results.append(
                Classification(
                    language=detect_language(text),
                    topic=str(topics[index]),
                    sentiment=str(sentiments[index]),
                    urgent=tuple(urgent_flags_by_rules(text)),
                )
            )
        return results

    def classify(self, text: str) -> Classification:
        """The language, topic, sentiment and urgent flags of one text."""
        return self.classify_many([text])[0]


@functools.lru_cache(maxsize=4)
def _trained(path: str, modified_ns: int) -> FeedbackClassifier:
    return FeedbackClassifier(load_examples(Path(path)))


def shipped_classifier(path: Path = SHIPPED_EXAMPLES) -> FeedbackClassifier:
    """The classifier trained on the shipped examples, trained once per process (and again
    when the file changes)."""
    return _trained(str(path), path.stat().st_mtime_ns if path.exists() else 0)


def split_examples(
    examples: Sequence[Example], *, test_share: float = 0.25, seed: int = 0
) -> tuple[list[Example], list[Example]]:
    """A seeded split into (train, held back), stratified by language and topic together."""
    strata = [f"{e.language}:{e.topic}" for e in examples]
    counts = Counter(strata)
    # a stratum with a single row cannot be split; it goes with its topic only
    strata = [s if counts[s] > 1 else s.split(":", 1)[1] for s in strata]
    train, test = train_test_split(
        list(examples), test_size=test_share, random_state=seed, stratify=strata
    )
    return train, test


def _share(hits: Iterable[bool]) -> float:
    values = list(hits)
    return sum(values) / len(values) if values else 0.0


def evaluate(examples: Sequence[Example], *, test_share: float = 0.25, seed: int = 0) -> Evaluation:
    """Train on a stratified, seeded part of `examples`, measure on the held-back rest.

    Topic and sentiment accuracy are the shares of held-back texts labelled right. Urgent
    recall is the share of held-back urgent texts that get their own flag; precision the share
    of raised flags that are right (None when there is nothing to measure).
    """
    train, test = split_examples(examples, test_share=test_share, seed=seed)
    classifier = FeedbackClassifier(train)
    texts = [e.text for e in test]
    predicted = classifier.classify_many(texts)
    urgent_rows = [i for i, e in enumerate(test) if e.urgent]
    raised = [(i, flag) for i, p in enumerate(predicted) for flag in p.urgent]
    by_language = {}
    for language in LANGUAGES:
        rows = [i for i, e in enumerate(test) if e.language == language]
        if rows:
            by_language[language] = {
                "n_test": float(len(rows)),
                "topic_accuracy": _share(predicted[i].topic == test[i].topic for i in rows),
                "sentiment_accuracy": _share(
                    predicted[i].sentiment == test[i].sentiment for i in rows
                ),
            }
    return Evaluation(
        n_train=len(train),
        n_test=len(test),
        seed=seed,
        test_share=test_share,
        topic_accuracy=_share(p.topic == e.topic for p, e in zip(predicted, test, strict=True)),
        sentiment_accuracy=_share(
            p.sentiment == e.sentiment for p, e in zip(predicted, test, strict=True)
        ),
        urgent_recall=(
            _share(test[i].urgent in predicted[i].urgent for i in urgent_rows)
            if urgent_rows
            else None
        ),
        urgent_precision=(_share(test[i].urgent == flag for i, flag in raised) if raised else None),
        by_language=by_language,
    )
