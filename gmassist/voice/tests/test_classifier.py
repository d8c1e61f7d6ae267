"""The feedback classifier: language, topic and sentiment models, the urgent rules, the shipped
set and its measured accuracy on the held-back part."""

import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gmassist.voice.engine.classifier import (
    LANGUAGES,
    SENTIMENTS,
    TOPICS,
    TRIAGE_BELOW,
    Classification,
    CorrectedTopic,
    Example,
    ExamplesError,
    FeedbackClassifier,
    chinese_ngrams,
    cross_validate,
    detect_language,
    evaluate,
    evaluate_outside,
    load_examples,
    shipped_classifier,
    split_examples,
    topic_report,
    without_chinese,
)
from gmassist.voice.engine.urgent_rules import FLAGS, matched_phrases, urgent_flags_by_rules
from gmassist.voice.tests.conftest import evaluate_once

TINY = Path(__file__).parent / "data" / "tiny_examples.csv"
OUTSIDE = Path(__file__).resolve().parents[1] / "data" / "feedback_outside_test.csv"

# Floors for the held-back quarter of the shipped set (seed 0), just under the measured values
# (3,089 rows: topic 0.8305, English 0.8087, Chinese 0.8530, sentiment 0.9353, urgent recall
# 1.00), and for the 5-fold x 2 cross-validation on its training part (topic 0.8221 ± 0.0243,
# sentiment 0.9324 ± 0.0151). The target is 80% topic, in each language too.
TOPIC_FLOOR = 0.82
LANGUAGE_TOPIC_FLOOR = 0.80
SENTIMENT_FLOOR = 0.93
URGENT_RECALL_FLOOR = 0.95
CV_TOPIC_FLOOR = 0.81
CV_SENTIMENT_FLOOR = 0.92
# On the outside file, trained on the whole shipped set: topic 0.8318 (English and Chinese
# 0.8318 each), sentiment 0.9654.
OUTSIDE_TOPIC_FLOOR = 0.82


def test_it_tells_chinese_from_english():
    assert detect_language("每个周末都在加班") == "zh"
    assert detect_language("We work every weekend") == "en"
    assert detect_language("OA系统 keeps crashing 每天") == "zh"
    assert detect_language("1234 !!") == "en"


def test_it_reads_the_tiny_set():
    examples = load_examples(TINY)
    assert len(examples) == 13
    assert examples[-1].urgent == "harassment"
    assert {e.language for e in examples} == {"en", "zh"}


def test_a_bad_label_is_refused_with_its_row_and_column(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("text,language,topic,sentiment,urgent\nHello,en,pay,angry,\n", "utf-8")
    with pytest.raises(ExamplesError, match=r"row 2, column sentiment: 'angry' is not one of"):
        load_examples(path)


def test_a_missing_column_is_refused(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("text,language,topic\nHello,en,pay\n", "utf-8")
    with pytest.raises(ExamplesError, match="missing column"):
        load_examples(path)


def test_the_urgent_column_may_be_left_out_when_not_required(tmp_path):
    path = tmp_path / "outside.csv"
    path.write_text("text,language,topic,sentiment\nHello,en,pay,neutral\n", "utf-8")
    assert load_examples(path, urgent_required=False) == [
        Example("Hello", "en", "pay", "neutral", "")
    ]
    with pytest.raises(ExamplesError, match=r"missing column\(s\) urgent"):
        load_examples(path)


def test_an_unknown_topic_is_refused_with_its_row_and_column(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("text,language,topic,sentiment\nA,en,pay,neutral\nB,en,salary,neutral\n")
    with pytest.raises(ExamplesError, match=r"row 3, column topic: 'salary' is not one of 'pay'"):
        load_examples(path, urgent_required=False)


def test_an_empty_text_is_refused_with_its_row_and_column(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("text,language,topic,sentiment\n ,en,pay,neutral\n", "utf-8")
    with pytest.raises(ExamplesError, match="row 2, column text: the text is empty"):
        load_examples(path, urgent_required=False)


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes("text,language,topic,sentiment\n工资,zh,pay,neutral\n".encode("gbk"))
    with pytest.raises(ExamplesError, match="not UTF-8 text"):
        load_examples(path, urgent_required=False)


def test_it_learns_the_tiny_set_it_was_given():
    classifier = FeedbackClassifier(load_examples(TINY))
    result = classifier.classify("每个周末都在加班，大家都累垮了。")
    assert (result.language, result.topic, result.sentiment) == ("zh", "workload", "negative")
    assert classifier.classify("The bonus was paid on time this year. Thank you!").sentiment == (
        "positive"
    )


@pytest.mark.parametrize(
    ("text", "flags"),
    [
        ("My team leader touched my waist at the party", ["harassment"]),
        ("主管经常对我动手动脚，还发黄色图片", ["harassment"]),
        ("There are exposed live wires in the battery room", ["safety"]),
        ("配电房漏电，已经有人触电了", ["safety"]),
        ("The buyer takes kickbacks from the supplier", ["fraud"]),
        ("有人用假发票报销，还拿供应商的回扣", ["fraud"]),
        ("He threatened to fire me after I reported fake invoices", ["harassment", "fraud"]),
        # the words alone, no incident: no flag
        ("The anti-harassment training was useful", []),
        ("Can the fraud-detection team get one more analyst?", []),
        ("请问公司有没有防止职场性骚扰的制度文件？", []),
        ("Safety training next week: please register", []),
    ],
)
def test_urgent_rules_raise_flags_for_incidents_only(text, flags):
    assert urgent_flags_by_rules(text) == flags


def test_the_rules_say_which_phrase_raised_a_flag():
    assert matched_phrases("配电房漏电") == {"safety": ["漏电"]}


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=200))
def test_any_text_gets_valid_labels(text):
    result = tiny_classifier().classify(text)
    assert result.topic in TOPICS
    assert result.sentiment in SENTIMENTS
    assert result.language in LANGUAGES
    assert set(result.urgent) <= set(FLAGS)


_TINY_MODEL: list[FeedbackClassifier] = []


def tiny_classifier() -> FeedbackClassifier:
    if not _TINY_MODEL:
        _TINY_MODEL.append(FeedbackClassifier(load_examples(TINY)))
    return _TINY_MODEL[0]


def test_the_shipped_set_is_big_enough_in_both_languages_and_every_topic():
    examples = load_examples()
    counts = {language: sum(e.language == language for e in examples) for language in LANGUAGES}
    per_cell = {(e.language, e.topic) for e in examples}
    assert len(examples) >= 3000
    assert min(counts.values()) >= 1400
    assert per_cell == {(language, topic) for language in LANGUAGES for topic in TOPICS}
    for language in LANGUAGES:
        for topic in TOPICS:
            cell = [e for e in examples if (e.language, e.topic) == (language, topic)]
            assert len(cell) >= 150
            assert {e.sentiment for e in cell} == set(SENTIMENTS)
    assert {e.urgent for e in examples} == {"", *FLAGS}
    assert len({e.text for e in examples}) == len(examples)


def test_the_outside_file_shares_no_text_with_the_training_set():
    outside = load_examples(OUTSIDE, urgent_required=False)
    assert len(outside) >= 400
    assert {(e.language, e.topic) for e in outside} == {
        (language, topic) for language in LANGUAGES for topic in TOPICS
    }
    assert not {e.text for e in outside} & {e.text for e in load_examples()}


def test_the_split_is_seeded_and_stratified():
    examples = load_examples()
    train, test = split_examples(examples, seed=0)
    again_train, again_test = split_examples(examples, seed=0)
    assert test == again_test and train == again_train
    assert len(train) + len(test) == len(examples)
    assert {e.topic for e in test} == set(TOPICS)
    assert {e.language for e in test} == set(LANGUAGES)


def test_accuracy_on_the_held_back_part_is_above_the_floors():
    examples = load_examples()
    result = evaluate_once(examples, seed=0)
    assert result.topic_accuracy >= TOPIC_FLOOR
    for language in LANGUAGES:
        assert result.by_language[language]["topic_accuracy"] >= LANGUAGE_TOPIC_FLOOR
    assert result.sentiment_accuracy >= SENTIMENT_FLOOR
    assert result.urgent_recall >= URGENT_RECALL_FLOOR
    assert result.n_test == math.ceil(len(examples) * 0.25)
    assert result.n_train + result.n_test == len(examples)
    cv = result.cross_validation
    assert (cv.n, cv.folds, cv.repeats) == (result.n_train, 5, 2)
    assert cv.topic_accuracy.mean >= CV_TOPIC_FLOOR
    assert cv.sentiment_accuracy.mean >= CV_SENTIMENT_FLOOR


def test_chinese_ngrams_stay_within_runs_of_chinese_characters():
    assert chinese_ngrams("OA系统，太慢") == ["系", "统", "系统", "太", "慢", "太慢"]
    assert chinese_ngrams("No Chinese here") == []


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=80))
def test_chinese_ngrams_are_one_or_two_chinese_characters(text):
    for gram in chinese_ngrams(text):
        assert 1 <= len(gram) <= 2
        assert detect_language(gram) == "zh"
        assert gram in text


def test_english_features_do_not_see_chinese():
    assert without_chinese("The OA系统 Keeps crashing") == "the oa  keeps crashing"


def test_it_trains_on_english_alone():
    examples = [e for e in load_examples(TINY) if e.language == "en"]
    result = FeedbackClassifier(examples).classify("每个周末都在加班")
    assert result.language == "zh"
    assert result.topic in TOPICS


def test_examples_without_words_are_refused():
    examples = [Example("1234", "en", "pay", "negative"), Example("!!", "en", "other", "neutral")]
    with pytest.raises(ExamplesError, match="no Chinese characters and no English words"):
        FeedbackClassifier(examples)


def test_cross_validation_needs_enough_examples_per_fold():
    with pytest.raises(ExamplesError, match="too few examples for 5-fold cross-validation"):
        cross_validate(load_examples(TINY), folds=5)


def test_a_set_too_small_to_cross_validate_is_still_evaluated():
    # one text per language, topic and sentiment: 48 split in halves, so one or two per
    # language and topic to train on, too few for five folds
    small, seen = [], set()
    for example in load_examples():
        if (key := (example.language, example.topic, example.sentiment)) not in seen:
            seen.add(key)
            small.append(example)
    result = evaluate(small, test_share=0.5, seed=0)
    assert (result.n_train, result.n_test) == (24, 24)
    assert result.cross_validation is None


def test_evaluate_can_skip_the_cross_validation():
    result = evaluate_once(load_examples(), seed=0, repeats=0)
    assert result.cross_validation is None
    assert result.as_dict()["cross_validation"] is None


def test_the_shipped_classifier_is_trained_once():
    assert shipped_classifier() is shipped_classifier()


def test_accuracy_on_the_outside_file_is_above_the_floor_in_each_language():
    outside = load_examples(OUTSIDE, urgent_required=False)
    report = evaluate_outside(load_examples(), outside).report
    assert report.n == len(outside)
    assert report.topic_accuracy >= OUTSIDE_TOPIC_FLOOR
    for language in LANGUAGES:
        assert report.by_language[language]["topic_accuracy"] >= OUTSIDE_TOPIC_FLOOR


def test_the_topic_confidence_is_a_probability_that_follows_the_margin():
    classifier = tiny_classifier()
    sure, unsure = classifier.classify_many(["工资三年没涨了，比市场低很多。", "hello"])
    assert 0 < unsure.topic_confidence < sure.topic_confidence <= 1
    assert sure.topic == "pay"


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=120))
def test_the_topic_confidence_is_at_least_an_even_share_of_the_topics(text):
    confidence = tiny_classifier().classify(text).topic_confidence
    assert 1 / 3 - 1e-9 <= confidence <= 1  # the tiny set has three topics


def test_a_correction_teaches_the_topic_of_its_text():
    text = "The shuttle to the depot never comes on time."
    examples = load_examples(TINY)
    before = FeedbackClassifier(examples).classify(text)
    corrected = FeedbackClassifier(examples, [CorrectedTopic(text, "management")])
    after = corrected.classify(text)
    assert before.topic != "management"
    assert after.topic == "management"
    assert (corrected.n_examples, corrected.n_corrections) == (13, 1)
    # the sentiment model learns nothing from a correction
    assert after.sentiment == before.sentiment


def _classified(topic: str, confidence: float, sentiment: str = "neutral") -> Classification:
    return Classification("en", topic, sentiment, confidence)


def test_the_topic_report_counts_accuracy_per_topic_the_confusion_and_the_triage():
    examples = [
        Example("a", "en", "pay", "neutral"),
        Example("b", "en", "pay", "neutral"),
        Example("c", "zh", "workload", "neutral"),
        Example("d", "zh", "workload", "negative"),
    ]
    predicted = [
        _classified("pay", 0.9),
        _classified("workload", 0.4),
        _classified("workload", 0.8),
        _classified("workload", 0.6),
    ]
    report = topic_report(examples, predicted, triage_below=0.5)
    assert report.topic_accuracy == 0.75
    assert report.sentiment_accuracy == 0.75
    assert report.by_topic == {
        "pay": {"n": 2.0, "accuracy": 0.5, "precision": 1.0},
        "workload": {"n": 2.0, "accuracy": 1.0, "precision": 2 / 3},
    }
    assert report.confusion["pay"] == dict.fromkeys(TOPICS, 0) | {"pay": 1, "workload": 1}
    assert set(report.confusion) == {"pay", "workload"}
    assert (report.triage_share, report.accuracy_above) == (0.25, 1.0)
    assert report.by_language["en"] == {
        "n": 2.0,
        "topic_accuracy": 0.5,
        "sentiment_accuracy": 1.0,
        "triage_share": 0.5,
        "accuracy_above": 1.0,
    }
    assert report.triage_below == 0.5 == TRIAGE_BELOW
