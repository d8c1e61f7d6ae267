"""A stored leaving-risk reason reads as a sentence, with the right plural, in both languages."""

from __future__ import annotations

from django.utils import translation

from gmassist.talent.selectors import risk_reason_text


def test_a_count_of_one_reads_in_the_singular():
    assert risk_reason_text({"feature": "manager_changes_12m", "value": 1}) == (
        "1 manager change in the last 12 months"
    )
    assert risk_reason_text({"feature": "months_since_raise", "value": 1.2}) == (
        "1 month since the last raise"
    )


def test_other_counts_read_in_the_plural():
    assert risk_reason_text({"feature": "manager_changes_12m", "value": 0}) == (
        "0 manager changes in the last 12 months"
    )
    assert risk_reason_text({"feature": "tenure_months", "value": 26.6}) == (
        "27 months with the company"
    )


def test_a_counted_reason_reads_in_chinese():
    with translation.override("zh-hans"):
        assert risk_reason_text({"feature": "manager_changes_12m", "value": 1}) == (
            "近 12 个月更换上级 1 次"
        )
        assert risk_reason_text({"feature": "months_since_promotion", "value": 40}) == (
            "距上次晋升已 40 个月"
        )
