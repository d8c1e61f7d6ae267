"""The feedback classifier: topic (with its confidence), sentiment, urgent flags and language
of a text, EN or ZH.

Topic and sentiment: three TF-IDF blocks (sublinear tf), each reading only its own script, so
that English and Chinese features do not blur into each other: Chinese character 1-2-grams
within runs of CJK characters (Chinese is written without spaces, so it needs no segmenter),
English character 2-5-grams within word boundaries ("char_wb", robust to typos and word
forms), and English word 1-2-grams of letter tokens. Then a ridge classifier (one-vs-rest
least squares, alpha 0.3, balanced class weights, no intercept) per label. The topic's
confidence is softmax(5 x the ridge's class scores): a probability that the topic is right.

Chosen by cross-validation on the training part of the seeded split only (2,316 of the 3,089
shipped texts; the held-back 773 and the outside test file were not used to choose), topic
accuracy in 5 folds: the ridge 81.6% ± 2.0; a linear SVM (C 0.3 / 1) 80.5 / 81.5; logistic
regression (C 10-100, balanced) 80.3-80.7; a linear SVM or the ridge calibrated by
CalibratedClassifierCV (5 inner folds, sigmoid) 81.6 / 81.9, at five times the training time.
Feature variants with the ridge: Chinese 1-3-grams 81.4, English char 1-4 81.4 or 3-6 81.5,
English words 1-3 81.5, words 1 only 81.3, min_df 2 80.4: none earns its place (all within a
standard deviation, or under). Without the intercept the ridge scored the same (82.2% vs 82.1%
in 5 folds x 2) and trains about five times faster with the sparse solver. Sentiment: the ridge
93.2% ± 1.5 (93.5 with an intercept), a linear SVM 92.8.

The confidence, compared on out-of-fold probabilities of the training part (log loss; ECE, the
mean gap between the top probability and the accuracy in ten bins): softmax of the ridge's
scores x 5 (the scale fitted to minimise log loss on one seeding of the folds, measured on
another) 0.560, ECE 2.8%; the ridge calibrated by CalibratedClassifierCV 0.609, ECE 12.5%
(too low: texts given 0.55 were right 72% of the time); isotonic 0.654, 9.2%; logistic
regression C 100 0.617, 6.3%. The scaled softmax is the best calibrated and needs no inner folds.

Triage (`TRIAGE_BELOW`, 0.5, the default of the GMASSIST_FEEDBACK_TRIAGE_BELOW_PERCENT
setting): on those out-of-fold probabilities, 12.2% of texts are below 0.5 (English 14.4%,
Chinese 9.9%); the topic accuracy of the rest is 88.2% (86.7 / 89.6) and of those below 44.7%:
below 0.5 the guess is more often wrong than right, so such an item goes to triage. At 0.4:
5.7% to triage, 85.1% right above; at 0.6: 19.3%, 90.2%.

Measured with the model so chosen (`gmassist voice evaluate`, seed 0): held back, topic 83.1%
(English 80.9%, Chinese 85.3%), sentiment 93.5%; 9.4% below 0.5, 87.4% right above it; 5 x 2
cross-validation on the training part 82.2% ± 2.4 topic, 93.2% ± 1.5 sentiment. On the outside
file (`gmassist voice evaluate --test gmassist/voice/data/feedback_outside_test.csv`, trained on
the whole shipped set): topic 83.2% (English 83.2%, Chinese 83.2%), sentiment 96.5%; 9.4% below
0.5, 88.0% right above it. Both files were written for the project by the same hand, so real
employees' texts will likely score lower; a company's corrections are how the model learns its
own words.

A company's corrections (`CorrectedTopic`: a text whose topic a person set) are taught to the
topic model only, each as one more example: nobody checked their sentiment, and there were no
real corrections to tune a weight on.

Urgent flags: the keyword rules of `urgent_rules`, wide on purpose for recall (see there for
why rules and not a model).

Trained from the labelled set shipped with the app (`gmassist/voice/data/feedback_examples.csv`,
columns text, language, topic, sentiment, urgent) at first use, and kept in memory for the
process (`shipped_classifier`; a company's classifier with its corrections is kept by
`voice.feedback.services`): 2-5 s for the whole set on a two-core machine. `evaluate` trains on
a stratified, seeded part and measures on the held-back rest, and cross-validates on the
training part (`cross_validate`); `evaluate_outside` trains on given examples and corrections
and measures on an outside labelled file. Pure: no Django import.
"""

from __future__ import annotations

import csv
import functools
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
# The topic's confidence is softmax(TOPIC_SCORE_SCALE x the ridge's scores), the scale fitted on
# out-of-fold scores of the training part (see the docstring): a probability (0-1) that the
# topic is right.
TOPIC_SCORE_SCALE = 5.0
# Items whose topic confidence is below this go to triage instead of a guessed owner (the
# default of the GMASSIST_FEEDBACK_TRIAGE_BELOW_PERCENT setting; see the docstring).
TRIAGE_BELOW = 0.5

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
class CorrectedTopic:
    """A text whose topic a person set (a company's correction): taught to the topic model
    only, since nobody checked its sentiment."""

    text: str
    topic: str


@dataclass(frozen=True)
class Classification:
    """What the classifier says of one text; `topic_confidence` is the probability (0-1) that
    the topic is right."""

    language: str
    topic: str
    sentiment: str
    topic_confidence: float
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
class TopicReport:
    """How a classifier's labels compare with those of some labelled texts (shares 0-1).

    `by_topic[t]`: `n` texts labelled t, `accuracy` the share of them given t (recall),
    `precision` the share right of those given t (None when none was). `confusion[t][u]`: how
    many texts labelled t were given u. `triage_share`: the share of texts whose topic
    confidence is below `triage_below` (those would go to triage); `accuracy_above` the topic
    accuracy of the others (None when there are none). `by_language[l]`: `n`, the topic and
    sentiment accuracy, the triage share and the accuracy above, of the texts in l."""

    n: int
    topic_accuracy: float
    sentiment_accuracy: float
    by_language: dict[str, dict[str, float]]
    by_topic: dict[str, dict[str, float | None]]
    confusion: dict[str, dict[str, int]]
    triage_below: float
    triage_share: float
    accuracy_above: float | None

    def as_dict(self) -> dict[str, object]:
        return {
            "n": self.n,
            "topic_accuracy": round(self.topic_accuracy, 4),
            "sentiment_accuracy": round(self.sentiment_accuracy, 4),
            "by_language": {
                language: {name: round(value, 4) for name, value in values.items()}
                for language, values in self.by_language.items()
            },
            "by_topic": {
                topic: {name: _round(value) for name, value in values.items()}
                for topic, values in self.by_topic.items()
            },
            "confusion": self.confusion,
            "triage_below": self.triage_below,
            "triage_share": round(self.triage_share, 4),
            "accuracy_above": _round(self.accuracy_above),
        }


def topic_report(
    examples: Sequence[Example],
    predicted: Sequence[Classification],
    *,
    triage_below: float = TRIAGE_BELOW,
) -> TopicReport:
    """Compare `predicted` (in the order of `examples`) with the examples' labels."""
    pairs = list(zip(examples, predicted, strict=True))
    by_language: dict[str, dict[str, float]] = {}
    for language in LANGUAGES:
        rows = [(e, p) for e, p in pairs if e.language == language]
        if rows:
            sure = [(e, p) for e, p in rows if p.topic_confidence >= triage_below]
            by_language[language] = {
                "n": float(len(rows)),
                "topic_accuracy": _share(p.topic == e.topic for e, p in rows),
                "sentiment_accuracy": _share(p.sentiment == e.sentiment for e, p in rows),
                "triage_share": _share(p.topic_confidence < triage_below for e, p in rows),
                # 0 when every text is below the threshold (a share needs texts to count)
                "accuracy_above": _share(p.topic == e.topic for e, p in sure),
            }
    by_topic: dict[str, dict[str, float | None]] = {}
    confusion = {topic: dict.fromkeys(TOPICS, 0) for topic in TOPICS}
    for e, p in pairs:
        confusion[e.topic][p.topic] += 1
    for topic in TOPICS:
        labelled = sum(confusion[topic].values())
        given = sum(confusion[other][topic] for other in TOPICS)
        if labelled or given:
            by_topic[topic] = {
                "n": float(labelled),
                "accuracy": confusion[topic][topic] / labelled if labelled else None,
                "precision": confusion[topic][topic] / given if given else None,
            }
    above = [(e, p) for e, p in pairs if p.topic_confidence >= triage_below]
    return TopicReport(
        n=len(pairs),
        topic_accuracy=_share(p.topic == e.topic for e, p in pairs),
        sentiment_accuracy=_share(p.sentiment == e.sentiment for e, p in pairs),
        by_language=by_language,
        by_topic=by_topic,
        confusion={t: row for t, row in confusion.items() if sum(row.values())},
        triage_below=triage_below,
        triage_share=_share(p.topic_confidence < triage_below for _e, p in pairs),
        accuracy_above=_share(p.topic == e.topic for e, p in above) if above else None,
    )


@dataclass(frozen=True)
class OutsideEvaluation:
    """Accuracy on an outside labelled file of a classifier trained on `n_train` examples and
    `n_corrections` corrections (see `TopicReport`)."""

    n_train: int
    n_corrections: int
    report: TopicReport

    def as_dict(self) -> dict[str, object]:
        return {
            "n_train": self.n_train,
            "n_corrections": self.n_corrections,
            **self.report.as_dict(),
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
    report: TopicReport | None = None  # the held-back part in detail

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
            "held_back": None if self.report is None else self.report.as_dict(),
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


def load_examples(path: Path = SHIPPED_EXAMPLES, *, urgent_required: bool = True) -> list[Example]:
    """The labelled examples of a CSV file (UTF-8; columns text, language, topic, sentiment and,
    unless `urgent_required` is False, urgent: then it may be left out, and is "" for every
    row). Raises ExamplesError naming the row and column of the first bad value."""
    if not path.is_file():
        raise ExamplesError(f"no labelled examples at {path}")
    allowed = {
        "language": LANGUAGES,
        "topic": TOPICS,
        "sentiment": SENTIMENTS,
        "urgent": ("", *FLAGS),
    }
    examples = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            columns = reader.fieldnames or []
            required = [c for c in ("text", *allowed) if urgent_required or c != "urgent"]
            missing = [c for c in required if c not in columns]
            if missing:
                raise ExamplesError(f"{path}: missing column(s) {', '.join(missing)}")
            for row_number, row in enumerate(reader, start=2):
                text = (row["text"] or "").strip()
                if not text:
                    raise ExamplesError(f"{path}, row {row_number}, column text: the text is empty")
                values = {name: (row.get(name) or "").strip() for name in allowed}
                for name, choices in allowed.items():
                    if values[name] not in choices:
                        raise ExamplesError(
                            f"{path}, row {row_number}, column {name}: {values[name]!r} is not "
                            f"one of {', '.join(repr(c) for c in choices)}"
                        )
                examples.append(Example(text=text, **values))
    except UnicodeDecodeError as exc:
        raise ExamplesError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except csv.Error as exc:
        raise ExamplesError(f"{path}: not a readable CSV file ({exc})") from None
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
    # no intercept: on TF-IDF rows it changed nothing measurable (82.2% vs 82.1% topic in 5x2
    # CV) and lets the sparse solver train five times faster
    return RidgeClassifier(
        alpha=RIDGE_ALPHA, class_weight="balanced", fit_intercept=False, solver="sparse_cg"
    )


def _class_probabilities(model: RidgeClassifier, matrix: Any) -> np.ndarray:
    """Softmax of TOPIC_SCORE_SCALE x the ridge's score for each class (rows: texts, columns:
    model.classes_): each row sums to 1."""
    scores = np.asarray(model.decision_function(matrix), dtype=float)
    if scores.ndim == 1:  # two classes: one score, for the second class
        scores = np.column_stack([-scores, scores])
    scaled = TOPIC_SCORE_SCALE * (scores - scores.max(axis=1, keepdims=True))
    exponentials = np.exp(scaled)
    return np.asarray(exponentials / exponentials.sum(axis=1, keepdims=True))


class FeedbackClassifier:
    """Topic, sentiment and urgent flags of feedback texts, trained on labelled examples and,
    for the topic, on a company's corrections (texts whose topic a person set)."""

    def __init__(self, examples: Sequence[Example], corrections: Sequence[CorrectedTopic] = ()):
        if len({e.topic for e in examples}) < 2 or len({e.sentiment for e in examples}) < 2:
            raise ExamplesError("the examples need at least two topics and two sentiments")
        texts = [e.text for e in examples] + [c.text for c in corrections]
        self.features = _features(texts).fit(texts)
        matrix = self.features.transform(texts)
        topics = [e.topic for e in examples] + [c.topic for c in corrections]
        self.topic_model = _model().fit(matrix, topics)
        self.sentiment_model = _model().fit(
            matrix[: len(examples)], [e.sentiment for e in examples]
        )
        self.n_examples = len(examples)
        self.n_corrections = len(corrections)

    def classify_many(self, texts: Sequence[str]) -> list[Classification]:
        """The classification of each text, in order."""
        if not texts:
            return []
        matrix = self.features.transform(list(texts))
        probabilities = _class_probabilities(self.topic_model, matrix)
        best = probabilities.argmax(axis=1)
        topics = self.topic_model.classes_[best]
        sentiments = self.sentiment_model.predict(matrix)
        results = []
        for index, text in enumerate(texts):
            results.append(
                Classification(
                    language=detect_language(text),
                    topic=str(topics[index]),
                    sentiment=str(sentiments[index]),
                    topic_confidence=float(probabilities[index, best[index]]),
                    urgent=tuple(urgent_flags_by_rules(text)),
                )
            )
        return results

    def classify(self, text: str) -> Classification:
        """The language, topic (with its confidence), sentiment and urgent flags of one text."""
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
    triage_below: float = TRIAGE_BELOW,
) -> Evaluation:
    """Train on a stratified, seeded part of `examples`, measure on the held-back rest, and
    cross-validate on the training part (`folds` x `repeats`; 0 repeats for none).

    Topic and sentiment accuracy are the shares of held-back texts labelled right. Urgent
    recall is the share of held-back urgent texts that get their own flag; precision the share
    of raised flags that are right (None when there is nothing to measure). The
    cross-validation is None when `repeats` is 0 or the training part is too small for it.
    `report` details the held-back part (per topic, confusion, and what the triage threshold
    `triage_below`, 0-1, would do).
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
    report = topic_report(test, predicted, triage_below=triage_below)
    return Evaluation(
        n_train=len(train),
        n_test=len(test),
        seed=seed,
        test_share=test_share,
        topic_accuracy=report.topic_accuracy,
        sentiment_accuracy=report.sentiment_accuracy,
        urgent_recall=_urgent_recall(test, predicted),
        urgent_precision=_urgent_precision(test, predicted),
        by_language={
            language: {
                "n_test": values["n"],
                "topic_accuracy": values["topic_accuracy"],
                "sentiment_accuracy": values["sentiment_accuracy"],
            }
            for language, values in report.by_language.items()
        },
        cross_validation=cross_validation,
        report=report,
    )


def evaluate_outside(
    train: Sequence[Example],
    test: Sequence[Example],
    *,
    corrections: Sequence[CorrectedTopic] = (),
    triage_below: float = TRIAGE_BELOW,
) -> OutsideEvaluation:
    """Train on `train` (and the company's `corrections`, for the topic) and measure on `test`,
    labelled texts the model never saw (an outside file): overall, per language and per topic,
    with the confusion table and what the triage threshold `triage_below` (0-1) would do."""
    classifier = FeedbackClassifier(train, corrections)
    predicted = classifier.classify_many([e.text for e in test])
    return OutsideEvaluation(
        n_train=len(train),
        n_corrections=len(corrections),
        report=topic_report(test, predicted, triage_below=triage_below),
    )
