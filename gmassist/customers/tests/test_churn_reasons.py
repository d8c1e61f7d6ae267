"""Churn reasons in plain words: the engine's structured reasons, and how a score's reasons are
shown (in the reader's language; scores made before reasons were structured as they are)."""

from __future__ import annotations

import math

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from gmassist.customers.engine.churn import FEATURES, churn_reason
from gmassist.customers.presenters import reason_detail, reason_text
from gmassist.customers.reasons import Reason


@pytest.mark.parametrize(
    ("feature", "value", "reason", "english"),
    [
        (
            "revenue_trend",
            -0.4,
            Reason(
                "revenue of the last 3 months %(change)s%% against the 3 before", {"change": "-40"}
            ),
            "revenue of the last 3 months -40% against the 3 before",
        ),
        (
            "revenue_12m_log",
            math.log10(1 + 123_456),
            Reason("%(revenue)s of revenue in the last 12 months", {"revenue": "123,456"}),
            "123,456 of revenue in the last 12 months",
        ),
        (
            "months_to_renewal",
            2.0,
            Reason("the contract renews in %(months)s months", {"months": "2"}),
            "the contract renews in 2 months",
        ),
        (
            "complaints_6m",
            3.0,
            Reason("%(count)s complaints in 6 months", {"count": "3"}),
            "3 complaints in 6 months",
        ),
        (
            "satisfaction_6m",
            2.4,
            Reason("mean satisfaction %(value)s (1-5) in 6 months", {"value": "2.4"}),
            "mean satisfaction 2.4 (1-5) in 6 months",
        ),
        (
            "satisfaction_6m",
            None,
            Reason("no rated service contact in 6 months"),
            "no rated service contact in 6 months",
        ),
        (
            "manager_changed_6m",
            1.0,
            Reason("the account manager changed in the last 6 months"),
            "the account manager changed in the last 6 months",
        ),
        (
            "custom_score",
            0.5,
            Reason("%(label)s: %(value)s", {"label": "custom_score", "value": "0.50"}),
            "custom_score: 0.50",
        ),
    ],
)
def test_a_churn_reason_is_a_template_with_its_params(feature, value, reason, english):
    assert churn_reason(feature, value) == reason
    assert str(reason) == english


@given(
    st.sampled_from(FEATURES),
    st.one_of(st.none(), st.just(math.nan), st.floats(-1, 1e6)),
)
def test_every_feature_and_value_gives_a_complete_sentence(feature, value):
    text = str(churn_reason(feature, value))
    assert text and "%(" not in text and "%%" not in text


def test_a_reason_is_shown_through_the_catalogue_of_the_active_language():
    # "%(name)s: %(value)s" is in the Chinese catalogue (full-width colon)
    reason = {"template": "%(name)s: %(value)s", "params": {"name": "A", "value": "1"}}
    with translation.override("en"):  # whatever an earlier test left active
        assert reason_text(reason) == "A: 1"
    with translation.override("zh-hans"):
        assert reason_text(reason) == "A：1"
        assert reason_detail(reason) == {"text": "A：1", **reason}


def test_a_reason_stored_as_plain_text_is_shown_as_it_is():
    assert reason_text("revenue fell 40% over 6 months") == "revenue fell 40% over 6 months"
    assert reason_text({"feature": "x", "text": "x 3"}) == "x 3"
    assert reason_detail("old words") == {"text": "old words", "template": None, "params": {}}
