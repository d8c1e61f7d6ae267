"""Which part of a Chinese name in pinyin is the family name."""

from __future__ import annotations

from gmassist.lib.chinese_names import family_first, is_pinyin


def test_pinyin_is_told_from_other_words():
    words = ("Jie", "Xiaoming", "Xiao-Ming", "Kevin", "Brandon", "Ross")
    assert [is_pinyin(w) for w in words] == [True, True, True, False, False, False]


def test_the_end_that_is_a_common_family_name_is_the_family_name():
    assert family_first(["Chen", "Jie"]) is True
    assert family_first(["Jie", "Chen"]) is False
    assert family_first(["Zhang", "Xiao", "Ming"]) is True


def test_the_more_common_family_name_wins_when_both_ends_are_one():
    assert family_first(["Li", "Wei"]) is True
    assert family_first(["Wei", "Li"]) is False


def test_a_name_that_is_not_pinyin_or_has_no_family_name_is_left_undecided():
    assert family_first(["Brandon", "LeBlanc"]) is None
    assert family_first(["Jie", "Ming"]) is None
    assert family_first(["Chen"]) is None
    assert family_first(["A", "B", "C", "Chen"]) is None
