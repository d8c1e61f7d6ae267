"""Every cleaning rule of real files' values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gmassist.lib import normalize
from gmassist.lib.normalize import (
    NameParts,
    code_from_name,
    infer_kind,
    name_key,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_gender,
    parse_int,
    split_name,
)

TODAY = dt.date(2025, 6, 30)


def test_it_trims_text_and_collapses_spaces_in_names():
    assert normalize.clean_text("  Production       ") == "Production"
    assert normalize.clean_text(None) == ""
    assert normalize.clean_text(1960.0) == "1960"
    assert normalize.clean_name("  LeBlanc,  Brandon   R ") == "LeBlanc, Brandon R"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-01", dt.date(2024, 3, 1)),
        ("3/1/2024", dt.date(2024, 3, 1)),
        ("1.3.2024", dt.date(2024, 3, 1)),
        ("2024/3/1", dt.date(2024, 3, 1)),
        ("07/10/83", dt.date(1983, 7, 10)),
        ("01/05/16", dt.date(2016, 1, 5)),
        ("20240301", dt.date(2024, 3, 1)),
        ("2024年3月1日", dt.date(2024, 3, 1)),
        ("25/12/2020", dt.date(2020, 12, 25)),
        ("  2024-03-01 ", dt.date(2024, 3, 1)),
    ],
)
def test_it_reads_the_usual_date_formats(text, expected):
    assert parse_date(text, today=TODAY) == expected


def test_it_ignores_a_trailing_time_part():
    assert parse_date("2024-03-01 00:00:00", today=TODAY) == dt.date(2024, 3, 1)
    assert parse_date("2024-03-01T13:45", today=TODAY) == dt.date(2024, 3, 1)
    assert parse_date("3/1/2024 0:00", today=TODAY) == dt.date(2024, 3, 1)
    assert parse_date("3/1/2024 1:30 PM", today=TODAY) == dt.date(2024, 3, 1)


def test_it_takes_excel_dates_and_datetimes_as_they_are():
    assert parse_date(dt.datetime(2019, 1, 17, 8, 30)) == dt.date(2019, 1, 17)
    assert parse_date(dt.date(2019, 1, 17)) == dt.date(2019, 1, 17)


def test_it_rejects_a_two_digit_year_in_the_future():
    assert parse_date("06/30/25", today=TODAY) == dt.date(2025, 6, 30)
    assert parse_date("07/01/25", today=TODAY) == dt.date(1925, 7, 1)
    assert parse_date("12/31/99", today=TODAY) == dt.date(1999, 12, 31)


def test_it_reads_slash_dates_day_first_when_told():
    assert parse_date("3/1/2024", today=TODAY, slash_order="dmy") == dt.date(2024, 1, 3)


@pytest.mark.parametrize("text", ["", "yesterday", "2024-02-30", "13/13/2024", "1/2"])
def test_it_rejects_what_is_not_a_date(text):
    with pytest.raises(ValueError):
        parse_date(text, today=TODAY)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234.50", Decimal("1234.50")),
        ("1,234.50", Decimal("1234.50")),
        ("1 234", Decimal("1234")),
        ("1\u00a0234,5", Decimal("1234.5")),
        ("$93,046", Decimal("93046")),
        ("¥ 12,000", Decimal("12000")),
        ("CNY 8000", Decimal("8000")),
        ("1,500,000", Decimal("1500000")),
        ("-42", Decimal("-42")),
        ("(1,200.00)", Decimal("-1200.00")),
        ("1.234,50", Decimal("1234.50")),
    ],
)
def test_it_reads_numbers_with_separators_and_currency(text, expected):
    assert parse_decimal(text) == expected


def test_it_reads_decimal_commas_in_semicolon_files():
    assert parse_decimal("1.234,50", decimal_comma=True) == Decimal("1234.50")
    assert parse_decimal("1.234", decimal_comma=True) == Decimal("1234")
    assert parse_decimal("4,6", decimal_comma=True) == Decimal("4.6")
    assert parse_decimal("1234.5", decimal_comma=True) == Decimal("1234.5")


def test_it_takes_excel_numbers_as_they_are():
    assert parse_decimal(62506) == Decimal(62506)
    assert parse_decimal(4.6) == Decimal("4.6")


@pytest.mark.parametrize("text", ["", "abc", "12abc", "1.2.3,4,5"])
def test_it_rejects_what_is_not_a_number(text):
    with pytest.raises(ValueError):
        parse_decimal(text)


def test_it_reads_whole_numbers_and_rejects_fractions():
    assert parse_int("1,234") == 1234
    assert parse_int(12.0) == 12
    with pytest.raises(ValueError, match="not a whole number"):
        parse_int("12.5")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Yes", True),
        ("no", False),
        ("Y", True),
        ("n", False),
        ("1", True),
        ("0", False),
        ("TRUE", True),
        ("False", False),
        ("是", True),
        ("否", False),
        (1, True),
        (True, True),
    ],
)
def test_it_reads_booleans(text, expected):
    assert parse_bool(text) is expected


def test_it_rejects_what_is_not_a_boolean():
    with pytest.raises(ValueError, match="not yes or no"):
        parse_bool("maybe")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("M ", "male"),
        ("F", "female"),
        ("male", "male"),
        ("Female", "female"),
        ("男", "male"),
        ("女", "female"),
    ],
)
def test_it_reads_genders(text, expected):
    assert parse_gender(text) == expected


def test_it_rejects_an_unknown_gender():
    with pytest.raises(ValueError, match="not a gender"):
        parse_gender("Q")


def test_it_turns_last_comma_first_around():
    assert split_name("LeBlanc, Brandon  R") == NameParts(
        "Brandon R LeBlanc", "LeBlanc", "Brandon R"
    )
    assert split_name("Okafor, Chidi  ") == NameParts("Chidi Okafor", "Okafor", "Chidi")


def test_it_splits_first_last_on_the_last_space():
    assert split_name("Brandon R. LeBlanc") == NameParts(
        "Brandon R. LeBlanc", "LeBlanc", "Brandon R."
    )
    assert split_name("Cher") == NameParts("Cher", "Cher", "")


def test_it_keeps_chinese_names_as_written_with_the_first_character_as_family_name():
    assert split_name("张伟") == NameParts("张伟", "张", "伟")
    assert split_name(" 欧阳娜娜 ") == NameParts("欧阳娜娜", "欧阳", "娜娜")


def test_it_matches_names_written_differently():
    assert name_key("Brandon R. LeBlanc") == name_key("LeBlanc, Brandon  R") == "brandon r leblanc"
    assert normalize.loose_name_key("Brandon LeBlanc") == normalize.loose_name_key(
        "LeBlanc, Brandon R"
    )


def test_it_derives_codes_from_names():
    assert code_from_name("Production       ") == "PRODUCTION"
    assert code_from_name("IT/IS") == "IT-IS"
    assert code_from_name("Sr. DBA") == "SR-DBA"
    assert code_from_name("研发部") == "研发部"


def test_it_infers_attribute_kinds():
    assert infer_kind(["4.6", "5", "3.02"]) == "number"
    assert infer_kind(["01960", "02135"]) == "category"
    assert infer_kind(["1/17/2019", "2/14/2019", ""]) == "date"
    assert infer_kind(["Fully Meets", "Exceeds"]) == "category"
    assert infer_kind(["0", "1"]) == "number"
    assert infer_kind([]) == "category"


def test_it_caches_repeated_values():
    normalize._parse_date_text.cache_clear()
    for _ in range(3):
        parse_date("1/5/2016", today=TODAY)
    assert normalize._parse_date_text.cache_info().hits == 2


def test_a_problem_carries_its_template_and_values_for_translation():
    with pytest.raises(normalize.Problem) as caught:
        normalize.parse_date("2024-02-30")

    problem = caught.value
    assert (problem.template, problem.params) == (
        "not a date: %(value)r (day is out of range for month)",
        {"value": "2024-02-30"},
    )
    assert str(problem) == "not a date: '2024-02-30' (day is out of range for month)"


def test_a_pinyin_name_that_starts_with_a_family_name_is_read_family_first():
    assert split_name("Chen Jie") == NameParts("Chen Jie", "Chen", "Jie")
    assert split_name("Zhang Xiao Ming") == NameParts("Zhang Xiao Ming", "Zhang", "Xiao Ming")
    assert split_name("ouyang xiu") == NameParts("ouyang xiu", "ouyang", "xiu")


def test_a_pinyin_name_that_ends_with_a_family_name_is_read_given_first():
    assert split_name("Jie Chen") == NameParts("Jie Chen", "Chen", "Jie")
    assert split_name("Kevin Chen") == NameParts("Kevin Chen", "Chen", "Kevin")


def test_a_pinyin_name_with_family_names_at_both_ends_takes_the_more_common_one():
    assert split_name("Li Wei") == NameParts("Li Wei", "Li", "Wei")
    assert split_name("Wei Li") == NameParts("Wei Li", "Li", "Wei")


def test_a_name_that_is_not_pinyin_keeps_the_given_first_order():
    assert split_name("Brandon R LeBlanc") == NameParts("Brandon R LeBlanc", "LeBlanc", "Brandon R")
    assert split_name("Diana Ross") == NameParts("Diana Ross", "Ross", "Diana")


def test_a_stated_name_order_overrides_the_guess():
    assert split_name("Chen Jie", "given_first") == NameParts("Chen Jie", "Jie", "Chen")
    assert split_name("Jie Chen", "family_first") == NameParts("Jie Chen", "Jie", "Chen")
    assert split_name("Smith John Paul", "family_first") == NameParts(
        "Smith John Paul", "Smith", "John Paul"
    )


@pytest.mark.parametrize(
    ("text", "plausible"),
    [
        ("li.wei@acme.example", True),
        ("a@b.cn", True),
        ("li.wei at acme", False),
        ("li.wei@acme", False),
        ("li wei@acme.example", False),
        ("a@@b.cn", False),
        ("", False),
    ],
)
def test_an_e_mail_address_needs_one_at_and_a_dotted_domain(text, plausible):
    assert normalize.looks_like_email(text) is plausible
