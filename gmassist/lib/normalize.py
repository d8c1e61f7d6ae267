"""Cleaning of the values found in real files: names, dates, numbers, booleans and genders.

Pure functions with no Django import. Files of 100,000 rows repeat the same dates, departments
and amounts over and over, so the string parsers are cached (`functools.lru_cache`). Every parser
raises `Problem` (a `ValueError`) when the value cannot be understood: a message template with
named placeholders and its values, which `gmassist.core.imports` translates when it reports it.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import NamedTuple

from gmassist.lib import chinese_names

_SPACES = re.compile(r"\s+")
_CACHE_SIZE = 65536


def gettext_noop(message: str) -> str:
    """Mark `message` for translation (`makemessages` finds it by this name); returns it as is."""
    return message


class Problem(ValueError):
    """A reason a person can read: `template` with %-style named placeholders, and `params`.

    str() is the English message; a Django caller translates `template` and fills in `params`
    (a param that is itself a Problem is translated too), see `gmassist.core.imports.explain`.
    """

    def __init__(self, template: str, **params: object):
        super().__init__(template)
        self.template = template
        self.params = params

    def __str__(self) -> str:
        if not self.params:
            return self.template
        return self.template % {
            k: str(v) if isinstance(v, Problem) else v for k, v in self.params.items()
        }


def clean_text(value: object) -> str:
    """The value as text with surrounding spaces trimmed ("" for None)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # an XLSX cell holding 1960 comes back as 1960.0
    return str(value).strip()


def clean_name(value: str) -> str:
    """A name with surrounding spaces trimmed and inner runs of spaces collapsed to one."""
    text = value.strip()
    # tabs, newlines and no-break spaces are not printable: the regex runs only when needed
    if "  " in text or not text.isprintable():
        text = _SPACES.sub(" ", text)
    return text


# --- dates -----------------------------------------------------------------------------------

_TIME_PART = re.compile(
    r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp][Mm])?(?:Z|[+-]\d{2}:?\d{2})?)$"
)
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_YMD_SLASH = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$")
_SLASH = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})$")
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_CHINESE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")

DAY_FIRST = "dmy"
MONTH_FIRST = "mdy"


def parse_date(
    value: object, *, today: dt.date | None = None, slash_order: str = MONTH_FIRST
) -> dt.date:
    """A date from an XLSX date/datetime cell or from text.

    Text may be ISO (2024-03-01), YYYY/M/D, M/D/YYYY and MM/DD/YY (or D/M/YYYY with
    `slash_order="dmy"`; a slash date whose first part is above 12 is read day first),
    D.M.YYYY, YYYYMMDD or 2024年3月1日; a trailing time part is ignored. A two-digit year is never
    put in the future: when 20yy would be after `today` (default: the real today) it is 19yy.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = clean_text(value)
    if not text:
        raise Problem(gettext_noop("a date is required"))
    return _parse_date_text(text, today or dt.date.today(), slash_order)


@lru_cache(maxsize=_CACHE_SIZE)
def _parse_date_text(text: str, today: dt.date, slash_order: str) -> dt.date:
    text = _TIME_PART.sub("", text).strip()
    year_text = ""
    if (
        match := _ISO.match(text)
        or _YMD_SLASH.match(text)
        or _COMPACT.match(text)
        or _CHINESE.match(text)
    ):
        year_text, month, day = match.groups()
    elif match := _DOTTED.match(text):
        day, month, year_text = match.groups()
    elif match := _SLASH.match(text):
        first, second, year_text = match.groups()
        day_first = slash_order == DAY_FIRST or int(first) > 12
        day, month = (first, second) if day_first else (second, first)
    else:
        raise Problem(
            gettext_noop("not a date: %(value)r (use e.g. 2024-03-01, 3/1/2024 or 1.3.2024)"),
            value=text,
        )
    year = int(year_text)
    if len(year_text) == 2:
        year += 2000
        try:
            if dt.date(year, int(month), int(day)) > today:
                year -= 100
        except ValueError:
            pass  # reported below with the real reason
    try:
        return dt.date(year, int(month), int(day))
    except ValueError:
        pass
    if not 1 <= int(month) <= 12:
        raise Problem(gettext_noop("not a date: %(value)r (month must be in 1..12)"), value=text)
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise Problem(
            gettext_noop("not a date: %(value)r (year %(year)d is out of range)"),
            value=text,
            year=year,
        )
    raise Problem(gettext_noop("not a date: %(value)r (day is out of range for month)"), value=text)


# --- numbers ---------------------------------------------------------------------------------

_CURRENCY_CODES = "CNY|RMB|USD|EUR|GBP|JPY|HKD|TWD|SGD|AUD|CAD|CHF|INR|KRW|RUB|SEK|NOK|DKK|PLN|BRL"
_CURRENCY = re.compile(rf"^(?:{_CURRENCY_CODES})\s*|\s*(?:{_CURRENCY_CODES})$|[$€£¥￥₹₩₽元]", re.I)
_GROUPED_COMMA = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d*)?$")
_GROUPED_DOT = re.compile(r"^\d{1,3}(?:\.\d{3})+(?:,\d*)?$")
_PLAIN_NUMBER = re.compile(r"^\d+(?:\.\d*)?$|^\.\d+$")


def parse_decimal(value: object, *, decimal_comma: bool = False) -> Decimal:
    """A number from an XLSX number cell or from text, as a Decimal.

    Text may carry a currency symbol or code ($, ¥, €, CNY...), thousand separators
    (1,234.50; 1 234; with `decimal_comma` as in files separated by `;`: 1.234,50), a sign or
    accounting parentheses for negatives.
    """
    if isinstance(value, bool):
        raise Problem(gettext_noop("not a number: %(value)r"), value=value)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value
    if type(value) is str and value.isascii() and value.isdigit():
        return Decimal(value)  # the usual case, 62506: no need for the full parser
    text = clean_text(value)
    if not text:
        raise Problem(gettext_noop("a number is required"))
    return _parse_decimal_text(text, decimal_comma)


@lru_cache(maxsize=_CACHE_SIZE)
def _parse_decimal_text(text: str, decimal_comma: bool) -> Decimal:
    original = text
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    text = _CURRENCY.sub("", text).strip()
    if text and text[0] in "+-":
        negative, text = negative or text[0] == "-", text[1:]
    text = _CURRENCY.sub("", text)
    # thousand separators written as spaces, including the no-break spaces of spreadsheets
    text = re.sub(r"[\s\u00a0\u202f']", "", text)
    has_comma, has_dot = "," in text, "." in text
    if has_comma and has_dot:
        # whichever comes last is the decimal separator: 1,234.50 or 1.234,50
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif has_comma:
        if not decimal_comma and _GROUPED_COMMA.match(text):
            text = text.replace(",", "")
        elif text.count(",") == 1:
            text = text.replace(",", ".")
        else:
            text = text.replace(",", "")
    elif has_dot and decimal_comma and _GROUPED_DOT.match(text):
        text = text.replace(".", "")
    if not _PLAIN_NUMBER.match(text):
        raise Problem(gettext_noop("not a number: %(value)r"), value=original)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise Problem(gettext_noop("not a number: %(value)r"), value=original) from None
    return -number if negative else number


def parse_int(value: object, *, decimal_comma: bool = False) -> int:
    """A whole number (1,234 and 12.0 are fine, 12.5 is not)."""
    number = parse_decimal(value, decimal_comma=decimal_comma)
    if number != number.to_integral_value():
        raise Problem(gettext_noop("not a whole number: %(value)r"), value=clean_text(value))
    return int(number)


# a plausible e-mail address: one @, a dot in the domain, no spaces (Django's full validator
# costs 20 µs a call, a fifth of an import's whole budget for a row)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


def looks_like_email(text: str) -> bool:
    """True when `text` is shaped like an e-mail address (name@domain.tld)."""
    return _EMAIL.match(text) is not None


def looks_like_number(text: str) -> bool:
    """True when `text` is a plain number that means a quantity (not a code like "01960")."""
    body = text.lstrip("+-")
    if len(body) > 1 and body.startswith("0") and not body.startswith("0."):
        return False  # leading zeros: a zip code or an id, kept as written
    try:
        _parse_decimal_text(text, False)
    except ValueError:
        return False
    return True


# --- booleans and genders --------------------------------------------------------------------

_TRUE = {"yes", "y", "1", "true", "t", "是", "对", "x"}
_FALSE = {"no", "n", "0", "false", "f", "否", "不", "不是"}


def parse_bool(value: object) -> bool:
    """Yes/No, Y/N, 1/0, True/False (any case), 是/否."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    return _parse_bool_text(clean_text(value))


@lru_cache(maxsize=256)
def _parse_bool_text(text: str) -> bool:
    folded = text.casefold()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise Problem(
        gettext_noop("not yes or no: %(value)r (use Yes/No, Y/N, 1/0, True/False or 是/否)"),
        value=text,
    )


FEMALE = "female"
MALE = "male"
OTHER = "other"
_GENDERS = {
    "f": FEMALE,
    "female": FEMALE,
    "w": FEMALE,
    "woman": FEMALE,
    "女": FEMALE,
    "m": MALE,
    "male": MALE,
    "man": MALE,
    "男": MALE,
    "o": OTHER,
    "x": OTHER,
    "other": OTHER,
    "diverse": OTHER,
    "其他": OTHER,
}


@lru_cache(maxsize=256)
def parse_gender(value: str) -> str:
    """ "female", "male" or "other" from M/F/Male/Female/男/女 (any case, stray spaces)."""
    text = clean_text(value)
    gender = _GENDERS.get(text.casefold())
    if gender is None:
        raise Problem(
            gettext_noop("not a gender: %(value)r (use M/F, Male/Female or 男/女)"), value=text
        )
    return gender


# --- names -----------------------------------------------------------------------------------


class NameParts(NamedTuple):
    full_name: str  # as people write it: "Brandon R LeBlanc", "张伟"
    family_name: str
    given_name: str


_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")


def _is_cjk(text: str) -> bool:
    return _CJK.search(text) is not None


@lru_cache(maxsize=_CACHE_SIZE)
def split_name(value: str, order: str = "auto") -> NameParts:
    """The full name, family name and given name from "Last, First" or a name in words.

    Spaces are cleaned. A Chinese name in characters ("张伟") is kept as written with the
    family name being its first character (two for compound family names such as 欧阳). Words
    are read in `order` (`mapping.NAME_ORDERS`): "given_first" ("Brandon R LeBlanc"), "family_first"
    ("Chen Jie"), or "auto": family first for a name in pinyin that begins with a common
    Chinese family name (`chinese_names.family_first`), given first otherwise.
    """
    text = clean_name(value)
    if not text:
        raise Problem(gettext_noop("a name is required"))
    if _is_cjk(text) and " " not in text and "," not in text:
        size = 2 if text[:2] in chinese_names.COMPOUND_SURNAMES and len(text) > 2 else 1
        return NameParts(text, text[:size], text[size:])
    if "," in text:
        family, _comma, given = text.partition(",")
        family, given = clean_name(family), clean_name(given.replace(",", " "))
        if not given:
            return NameParts(family, family, "")
        return NameParts(f"{given} {family}", family, given)
    words = text.split(" ")
    if len(words) == 1:
        return NameParts(text, text, "")
    if order == "family_first" or (order == "auto" and chinese_names.family_first(words) is True):
        return NameParts(text, words[0], " ".join(words[1:]))
    return NameParts(text, words[-1], " ".join(words[:-1]))


@lru_cache(maxsize=_CACHE_SIZE)
def name_key(value: str) -> str:
    """A key to match names written differently: "Brandon R. LeBlanc" == "LeBlanc, Brandon  R".

    Case, dots, hyphens and spacing are ignored, and "Last, First" is turned around first.
    """
    full_name = split_name(value).full_name if clean_name(value) else ""
    folded = re.sub(r"[.\-'’]", " ", full_name.casefold())
    return clean_name(folded)


@lru_cache(maxsize=_CACHE_SIZE)
def loose_name_key(value: str) -> str:
    """First and last word of `name_key`: "brandon leblanc" for "Brandon R. LeBlanc"."""
    words = name_key(value).split(" ")
    return f"{words[0]} {words[-1]}" if len(words) > 2 else " ".join(words)


# --- codes -----------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def code_from_name(name: str, *, max_length: int = 40) -> str:
    """A code for a catalogue row known only by name: "Production  Dept." -> "PRODUCTION-DEPT".

    Letters of any script are kept (研发部 stays 研发部), everything else becomes one hyphen.
    """
    text = clean_name(name).upper()
    code = re.sub(r"[^\w]+|_+", "-", text).strip("-")
    return code[:max_length].rstrip("-") or "X"


# --- custom attribute types ------------------------------------------------------------------

NUMBER = "number"
CATEGORY = "category"
DATE = "date"


def infer_kind(values: list[str]) -> str:
    """ "number", "date" or "category" for a column from its non-empty text values.

    A column is a number when every value is a plain number without leading zeros ("01960" is a
    zip code, so a category), a date when every value is a date, else a category.
    """
    present = [v for v in values if v]
    if not present:
        return CATEGORY
    if all(looks_like_number(v) for v in present):
        return NUMBER
    if all(_is_date(v) for v in present):
        return DATE
    return CATEGORY


def _is_date(text: str) -> bool:
    if not any(sep in text for sep in "-/.年") and not _COMPACT.match(text):
        return False
    try:
        parse_date(text)
    except ValueError:
        return False
    return True


def number_for_json(number: Decimal) -> int | float:
    """A Decimal as a JSON number: an int when whole, else a float."""
    if number == number.to_integral_value():
        return int(number)
    return float(number)
