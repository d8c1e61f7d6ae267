"""The feedback classifier: topic, sentiment, urgent flags and language of a text, EN or ZH.

Topic and sentiment: three TF-IDF blocks (sublinear tf), each reading only its own script, so
that English and Chinese features do not blur into each other: Chinese character 1-2-grams
within runs of CJK characters (Chinese is written without spaces, so it needs no segmenter),
English character 2-5-grams within word boundaries ("char_wb", robust to typos and word
forms), and English word 1-2-grams of letter tokens. Then a ridge classifier (one-vs-rest
least squares, alpha 0.3, balanced class weights) per label.

The blocks and the model were chosen by 5-fold cross-validation, repeated twice, on the
training part of the seeded split only (489 texts; the held-back 163 were not used to
choose). Topic / sentiment accuracy, mean ± std over the 10 folds: Chinese 1-2-grams 56.2% ±
3.4 / 86.3% ± 3.8; 1-3-grams 55.0% / 85.5%; 1-4-grams 54.9% / 85.0%; English word 1-3-grams
no better than 1-2; the previous features (char_wb 2-5 over both scripts and default word
tokens, which make a whole Chinese clause one token) 51.2% topic at best. At the same
features the best linear SVM (C 1 or 3) scored 0.7 points under the ridge on topic, logistic
regression (C 3-100) 1.9 points under and complement naive Bayes (alpha 0.03-1, with
1-3-grams) 2.2 points under: less than one standard deviation separates the ridge from the
SVM, so the choice among the linear models matters little. Probabilities are not needed (the
label is what is stored), so no calibration.

Urgent flags: the keyword rules of `urgent_rules`, wide on purpose for recall (see there for
why rules and not a model).

Trained from the labelled set shipped with the app (`gmassist/voice/data/feedback_examples.csv`,
columns text, language, topic, sentiment, urgent) at first use, and kept in memory for the
process (`shipped_classifier`): well under a second for the whole set. `evaluate` trains on a
stratified, seeded part and measures on the held-back rest, and cross-validates on the
training part (`cross_validate`). Pure: no Django import.
"""

from __future__ import annotations

import csv
import functools
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import RidgeClassifier
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.pipeline import FeatureUnion

from gmassist.voice.engine.urgent_rules import FLAGS, urgent_flags_by_rules

SHIPPED_EXAMPLES = Path(__file__).resolve().parent.parent / "data" / "feedback_examples.csv"

TOPICS = ("pay", "workload", "management", "career", "process", "facilities", "customers", "other")
SENTIMENTS = ("negative", "neutral", "positive")
LANGUAGES = ("en", "zh")

# A text is Chinese when at least this share of its letters are CJK characters.
CHINESE_SHARE = 0.2

# The model's settings, chosen by cross-validation on the training part (see the docstring).
CHINESE_NGRAMS = (1, 2)
ENGLISH_CHAR_NGRAMS = (2, 5)
ENGLISH_WORD_NGRAMS = (1, 2)
RIDGE_ALPHA = 0.3

_CJK_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK = re.compile(f"[{_CJK_CHARS}]")
_CJK_RUN = re.compile(f"[{_CJK_CHARS}]+")
_LETTER = re.compile(r"[^\W\d_]")
# English words: runs of Latin letters with an inner apostrophe ("isn't"); digits are dropped
# (amounts and dates say little about the topic and make rare tokens).
_ENGLISH_WORD = r"[a-z][a-z'\u2019]*"


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
class MeanStd:
    """A share (0-1) measured on each fold: its mean and standard deviation over the folds."""

    mean: float
    std: float

    @classmethod
    def of(cls, values: Sequence[float]) -> MeanStd:
        return cls(mean=float(np.mean(values)), std=float(np.std(values)))

    def as_dict(self) -> dict[str, float]:
        return {"mean": round(self.mean, 4), "std": round(self.std, 4)}


@dataclass(frozen=True)
class CrossValidation:
    """Repeated stratified k-fold cross-validation on a set of examples (shares, 0-1).

    The urgent rules learn nothing from the folds, so their recall and precision per fold only
    show how they vary across parts of the set; the rules were written with the whole shipped
    set in view, so on it they are an upper estimate, not a measure on unseen texts."""

    n: int
    folds: int
    repeats: int
    topic_accuracy: MeanStd
    sentiment_accuracy: MeanStd
    urgent_recall: MeanStd | None
    urgent_precision: MeanStd | None

    def as_dict(self) -> dict[str, object]:
        return {
            "n": self.n,
            "folds": self.folds,
            "repeats": self.repeats,
            "topic_accuracy": self.topic_accuracy.as_dict(),
            "sentiment_accuracy": self.sentiment_accuracy.as_dict(),
            "urgent_recall": None if self.urgent_recall is None else self.urgent_recall.as_dict(),
            "urgent_precision": (
                None if self.urgent_precision is None else self.urgent_precision.as_dict()
            ),
        }


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
    cross_validation: CrossValidation | None = None  # on the training part; None if too small

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
            "cross_validation": (
                None if self.cross_validation is None else self.cross_validation.as_dict()
            ),
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


def chinese_ngrams(text: str) -> list[str]:
    """The Chinese character n-grams (lengths CHINESE_NGRAMS) of a text, taken within each run
    of CJK characters, so that no n-gram spans punctuation, a space or a Latin word."""
    low, high = CHINESE_NGRAMS
    grams: list[str] = []
    for run in _CJK_RUN.findall(text):
        for size in range(low, high + 1):
            grams.extend(run[i : i + size] for i in range(len(run) - size + 1))
    return grams


def without_chinese(text: str) -> str:
    """The text lower-cased with its CJK characters replaced by spaces (for English features)."""
    return _CJK_RUN.sub(" ", text.lower())


def _features(texts: Sequence[str]) -> FeatureUnion:
    """The feature blocks for a training set: the Chinese block only if some text has Chinese,
    the English blocks only if some text has Latin letters (an empty block cannot be fitted)."""
    has_chinese = any(_CJK_RUN.search(text) for text in texts)
    has_english = any(re.search(_ENGLISH_WORD, without_chinese(text)) for text in texts)
    if not (has_chinese or has_english):
        raise ExamplesError("the examples have no Chinese characters and no English words")
    blocks = []
    if has_chinese:
        blocks.append(
            ("chinese_chars", TfidfVectorizer(analyzer=chinese_ngrams, sublinear_tf=True))
        )
    if has_english:
        blocks.extend(_english_blocks())
    return FeatureUnion(blocks)


def _english_blocks() -> list[tuple[str, TfidfVectorizer]]:
    return [
        (
            "english_chars",
            TfidfVectorizer(
                analyzer="char_wb",
                preprocessor=without_chinese,
                ngram_range=ENGLISH_CHAR_NGRAMS,
                sublinear_tf=True,
            ),
        ),
        (
            "english_words",
            TfidfVectorizer(
                analyzer="word",
                preprocessor=without_chinese,
                token_pattern=_ENGLISH_WORD,
                ngram_range=ENGLISH_WORD_NGRAMS,
                sublinear_tf=True,
            ),
        ),
    ]


def _model() -> RidgeClassifier:
    return RidgeClassifier(alpha=RIDGE_ALPHA, class_weight="balanced")


class FeedbackClassifier:
    """Topic, sentiment and urgent flags of feedback texts, trained on labelled examples."""

    def __init__(self, examples: Sequence[Example]):
        if len({e.topic for e in examples}) < 2 or len({e.sentiment for e in examples}) < 2:
            raise ExamplesError("the examples need at least two topics and two sentiments")
        texts = [e.text for e in examples]
        self.features = _features(texts).fit(texts)
        matrix = self.features.transform(texts)
        self.topic_model = _model().fit(matrix, [e.topic for e in examples])
        self.sentiment_model = _model().fit(matrix, [e.sentiment for e in examples])
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
    train, test = train_test_split(
        list(examples), test_size=test_share, random_state=seed, stratify=_strata(examples)
    )
    return train, test


def _share(hits: Iterable[bool]) -> float:
    values = list(hits)
    return sum(values) / len(values) if values else 0.0


def _strata(examples: Sequence[Example]) -> list[str]:
    """Language and topic together; a stratum with a single row goes with its topic only."""
    strata = [f"{e.language}:{e.topic}" for e in examples]
    counts = Counter(strata)
    return [s if counts[s] > 1 else s.split(":", 1)[1] for s in strata]


def _urgent_recall(test: Sequence[Example], predicted: Sequence[Classification]) -> float | None:
    """Of the urgent texts, the share that get their own flag (None when there are none)."""
    rows = [i for i, e in enumerate(test) if e.urgent]
    return _share(test[i].urgent in predicted[i].urgent for i in rows) if rows else None


def _urgent_precision(test: Sequence[Example], predicted: Sequence[Classification]) -> float | None:
    """Of the flags raised, the share that are right (None when none is raised)."""
    raised = [(i, flag) for i, p in enumerate(predicted) for flag in p.urgent]
    return _share(test[i].urgent == flag for i, flag in raised) if raised else None


def cross_validate(
    examples: Sequence[Example], *, folds: int = 5, repeats: int = 2, seed: int = 0
) -> CrossValidation:
    """Repeated k-fold cross-validation (stratified by language and topic, seeds seed,
    seed + 1, ...): train on k-1 folds, measure on the k-th, for every fold of every repeat.

    Raises ExamplesError when the examples are too few for `folds` folds.
    """
    strata = _strata(examples)
    if len(examples) < 2 * folds or max(Counter(strata).values()) < folds:
        raise ExamplesError(f"too few examples for {folds}-fold cross-validation")
    topic, sentiment, recall, precision = [], [], [], []
    for repeat in range(repeats):
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed + repeat)
        for train_rows, test_rows in splitter.split(np.zeros(len(examples)), strata):
            train = [examples[i] for i in train_rows]
            test = [examples[i] for i in test_rows]
            predicted = FeedbackClassifier(train).classify_many([e.text for e in test])
            topic.append(_share(p.topic == e.topic for p, e in zip(predicted, test, strict=True)))
            sentiment.append(
                _share(p.sentiment == e.sentiment for p, e in zip(predicted, test, strict=True))
            )
            if (value := _urgent_recall(test, predicted)) is not None:
                recall.append(value)
            if (value := _urgent_precision(test, predicted)) is not None:
                precision.append(value)
    return CrossValidation(
        n=len(examples),
        folds=folds,
        repeats=repeats,
        topic_accuracy=MeanStd.of(topic),
        sentiment_accuracy=MeanStd.of(sentiment),
        urgent_recall=MeanStd.of(recall) if recall else None,
        urgent_precision=MeanStd.of(precision) if precision else None,
    )


def evaluate(
    examples: Sequence[Example],
    *,
    test_share: float = 0.25,
    seed: int = 0,
    folds: int = 5,
    repeats: int = 2,
) -> Evaluation:
    """Train on a stratified, seeded part of `examples`, measure on the held-back rest, and
    cross-validate on the training part (`folds` x `repeats`; 0 repeats for none).

    Topic and sentiment accuracy are the shares of held-back texts labelled right. Urgent
    recall is the share of held-back urgent texts that get their own flag; precision the share
    of raised flags that are right (None when there is nothing to measure). The
    cross-validation is None when `repeats` is 0 or the training part is too small for it.
    """
    train, test = split_examples(examples, test_share=test_share, seed=seed)
    classifier = FeedbackClassifier(train)
    texts = [e.text for e in test]
    predicted = classifier.classify_many(texts)
    cross_validation = None
    if repeats > 0:
        try:
            cross_validation = cross_validate(train, folds=folds, repeats=repeats, seed=seed)
        except ExamplesError:
            cross_validation = None
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
        urgent_recall=_urgent_recall(test, predicted),
        urgent_precision=_urgent_precision(test, predicted),
        by_language=by_language,
        cross_validation=cross_validation,
    )
