"""The triage engine without a database: the GM's rules, the classifier on hand-checked cases
in English and Chinese, corrections, and the held-back accuracy."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gmassist.office.triage import engine
from gmassist.office.triage.engine import (
    CATEGORIES,
    DELEGATE,
    GM,
    NOT_COMPANY,
    ROUTE_OF,
    Example,
    Rule,
    TriageClassifier,
    matching_rule,
    phrase_in,
    propose,
    seed_classifier,
)

# Hand-checked: texts written for these tests (in no seed example), with the category and
# route the seed's rule gives them, judged by a person.
HAND_CHECKED = [
    ("A reporter from the evening paper wants an interview about the product recall.", "image"),
    ("The warehouse manager sold scrap copper and kept the money.", "interests"),
    (
        "Our top three customers want to renegotiate all contracts next quarter; sales may "
        "drop 20%.",
        "overall",
    ),
    ("The coffee machine on the second floor leaks water.", "detail"),
    ("A colleague keeps asking about my salary and my marriage.", "privacy"),
    ("He bites his nails in meetings and it annoys me.", "habits"),
    ("Can the GM help my cousin find a flat in the city?", "unrelated"),
    ("Please approve the reimbursement of my taxi receipts from the trade fair.", "detail"),
    ("记者打电话询问产品召回的情况，想要采访。", "image"),
    ("仓库主管私自卖掉废铜，把钱装进自己口袋。", "interests"),
    ("前三大客户要求下季度重新谈判全部合同，销售可能下降20%。", "overall"),
    ("二楼的咖啡机漏水了。", "detail"),
    ("有同事总打听我的婚姻状况。", "privacy"),
    ("他开会的时候咬指甲，很烦人。", "habits"),
    ("总经理能帮我表弟在市里找套房子吗？", "unrelated"),
    ("请批准我参加展会的出租车票报销。", "detail"),
]


@pytest.mark.parametrize(("text", "category"), HAND_CHECKED)
def test_the_classifier_sorts_hand_checked_cases_by_the_seeds_rule(text, category):
    [proposal] = propose([text], rules=(), classifier=seed_classifier())
    assert (proposal.category, proposal.route) == (category, ROUTE_OF[category])
    assert proposal.rule is None
    assert proposal.language == ("zh" if text[0] > "\u3000" else "en")


def test_the_three_the_gm_manages_and_the_three_he_does_not():
    assert [c for c in CATEGORIES if ROUTE_OF[c] == GM] == ["overall", "image", "interests"]
    assert [c for c in CATEGORIES if ROUTE_OF[c] == NOT_COMPANY] == [
        "privacy",
        "habits",
        "unrelated",
    ]
    assert [c for c in CATEGORIES if ROUTE_OF[c] == DELEGATE] == ["detail"]


PRESS = Rule(id=1, phrases=("press", "媒体"), category="image", route=GM)
INVOICE = Rule(id=2, phrases=("invoice", "发票"), category="detail", route=DELEGATE, owner=7)


@pytest.mark.parametrize(
    ("text", "rule_id", "phrase"),
    [
        ("The Press called about the recall", 1, "press"),
        ("媒体打来电话询问召回", 1, "媒体"),
        ("The invoice for March is wrong", 2, "invoice"),
        ("三月的发票开错了", 2, "发票"),
        ("Press about the invoice", 1, "press"),  # the first rule in the order decides
    ],
)
def test_a_rule_decides_before_the_classifier_and_says_which_phrase(text, rule_id, phrase):
    [proposal] = propose([text], rules=[PRESS, INVOICE], classifier=seed_classifier())
    assert (proposal.rule, proposal.phrase, proposal.confidence) == (rule_id, phrase, 1.0)
    rule = PRESS if rule_id == 1 else INVOICE
    assert (proposal.route, proposal.category) == (rule.route, rule.category)
    assert proposal.owner == (7 if rule_id == 2 else None)
    assert proposal.unsure is False


def test_an_english_phrase_matches_whole_words_only():
    assert phrase_in("press", "A PRESS release") is True
    assert phrase_in("press", "The pressure is high") is False
    assert phrase_in("press", "express delivery") is False
    assert phrase_in("social media", "It is all over social  media") is False
    assert phrase_in("social media", "on social media today") is True
    assert phrase_in("媒体", "社交媒体上") is True
    assert phrase_in("  ", "anything") is False


def test_no_rule_matches_when_no_phrase_is_in_the_text():
    assert matching_rule([PRESS, INVOICE], "The printer is broken") is None


@given(st.text(max_size=60))
def test_a_rule_matches_a_text_only_when_one_of_its_phrases_is_in_it(text):
    found = matching_rule([PRESS, INVOICE], text)
    if found is not None:
        rule, phrase = found
        assert phrase in rule.phrases and phrase_in(phrase, text)
    else:
        assert not any(phrase_in(p, text) for r in (PRESS, INVOICE) for p in r.phrases)


@given(st.lists(st.text(min_size=1, max_size=40), min_size=1, max_size=4))
def test_probabilities_sum_to_one_and_the_proposal_is_the_likeliest(texts):
    proposals = propose(texts, rules=(), classifier=seed_classifier())
    for proposal in proposals:
        assert sum(proposal.probabilities.values()) == pytest.approx(1.0)
        assert proposal.confidence == max(proposal.probabilities.values())
        assert proposal.route == ROUTE_OF[proposal.category]
        assert proposal.unsure == (proposal.confidence < engine.UNSURE_BELOW)


def test_below_the_threshold_the_proposal_says_it_is_unsure():
    [proposal] = propose(["Hello"], rules=(), classifier=seed_classifier(), unsure_below=1.0)
    assert proposal.unsure is True
    [proposal] = propose(["Hello"], rules=(), classifier=seed_classifier(), unsure_below=0.0)
    assert proposal.unsure is False


def test_a_changed_route_takes_the_likeliest_category_of_that_route():
    proposal = engine.Proposal(
        route=GM,
        category="image",
        confidence=0.4,
        probabilities={"image": 0.4, "privacy": 0.1, "habits": 0.3, "detail": 0.2},
    )
    assert proposal.likeliest_of_route(NOT_COMPANY) == "habits"
    assert proposal.likeliest_of_route(DELEGATE) == "detail"
    assert proposal.likeliest_of_route(GM) == "image"


def test_a_gms_decision_changes_the_next_proposal_for_such_a_text():
    text = "The union asks for a meeting about the canteen prices."
    seed = engine.load_examples()
    [before] = propose([text], rules=(), classifier=TriageClassifier(seed))
    assert before.category == "detail"
    corrected = [*seed, Example(text=text, category="image", weight=engine.DECISION_WEIGHT)]
    [after] = propose(
        ["The union asks for a meeting about canteen prices again."],
        rules=(),
        classifier=TriageClassifier(corrected),
    )
    assert (after.category, after.route) == ("image", GM)


def test_the_seed_examples_are_balanced_across_categories_and_languages():
    examples = engine.load_examples()
    assert len(examples) == 220
    for category in CATEGORIES:
        for language in ("en", "zh"):
            n = sum(1 for e in examples if e.category == category and e.language == language)
            assert 15 <= n <= 17, (category, language, n)


def test_held_back_accuracy_of_the_seed_examples():
    result = engine.evaluate(engine.load_examples(), seed=0)
    assert (result.n_train, result.n_test) == (165, 55)
    assert round(result.category_accuracy, 4) == 0.6364
    assert round(result.route_accuracy, 4) == 0.8545
    assert round(result.route_accuracy_sure, 4) == 0.9211


def test_a_bad_examples_file_names_its_row_and_column(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("text,language,category\nHello,en,overall\nHi,fr,overall\n", "utf-8")
    with pytest.raises(engine.ExamplesError, match="row 3, column language"):
        engine.load_examples(path)
    path.write_text("text,language,category\nHello,en,gossip\n", "utf-8")
    with pytest.raises(engine.ExamplesError, match="row 2, column category"):
        engine.load_examples(path)
    with pytest.raises(engine.ExamplesError, match="no seed examples"):
        engine.load_examples(tmp_path / "missing.csv")
