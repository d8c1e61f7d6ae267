"""Chinese family names, in characters and in pinyin: which part of a name is the family name.

Pure Python, no Django import. A name in characters ("张伟") puts the family name first, one
character or two (欧阳). A name in pinyin may come in either order: a Chinese company's file
writes "Chen Jie" (family first, as in Chinese), an international one "Jie Chen". The family
name is then told by which part is a common family name: most given names are not, and where
both are ("Li Wei": 李 and 魏 are both family names) the far more common family name wins,
which is right for the most frequent family names and is what a reader would guess too. An
import can always state the order (`name_order` in a mapping's [options]).
"""

from __future__ import annotations

import re

# two-character Chinese family names; every other Chinese family name is one character
COMPOUND_SURNAMES = frozenset(
    (
        "欧阳",
        "司马",
        "诸葛",
        "上官",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "令狐",
        "夏侯",
        "长孙",
        "宇文",
        "司徒",
        "端木",
        "西门",
        "独孤",
        "南宫",
        "闻人",
        "轩辕",
    )
)

# The most common family names of mainland China in pinyin, most common first (after the
# Ministry of Public Security's household-register counts; homophones such as 徐/许 share a
# spelling and take the rank of the more common). Together they cover about 85% of people.
_SURNAMES_BY_FREQUENCY = (
    "wang li zhang liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he gao lin luo "
    "zheng liang xie song tang han feng deng cao peng zeng xiao tian dong yuan pan yu jiang "
    "cai du ye cheng su wei lv lu ding ren shen yao cui zhong tan fan jin shi liao jia xia "
    "fu fang bai zou meng xiong qin qiu yin xue yan duan lei hou long tao gu mao hao gong "
    "shao wan qian dai mo kong xiang chang kang niu wen ou ouyang zhuo situ shangguan zhuge"
)
SURNAME_RANK = {name: rank for rank, name in enumerate(_SURNAMES_BY_FREQUENCY.split())}

# one pinyin syllable without tone marks: an initial and a final, a final alone only when it
# starts with a, o or e (the others are written with y or w), ü written v after n and l only
_INITIAL = "(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])"
_FINAL = (
    "(?:iang|iong|uang|ang|eng|ing|ong|ian|iao|uai|uan|ai|an|ao|ei|en|er|ia|ie|in|iu|ou|ua|ue|"
    "ui|un|uo|a|e|i|o|u)"
)
_ALONE = "(?:ang|eng|ai|an|ao|ei|en|er|ou|a|e|o)"
_SYLLABLE = f"(?:{_INITIAL}{_FINAL}|[nl]ve?|{_ALONE})"
_PINYIN = re.compile(f"{_SYLLABLE}{{1,3}}")


def is_pinyin(word: str) -> bool:
    """Whether `word` reads as one to three pinyin syllables ("Jie", "Xiaoming", "Xiao-Ming")."""
    return _PINYIN.fullmatch(word.replace("-", "").replace("'", "").casefold()) is not None


def family_first(words: list[str]) -> bool | None:
    """Whether a name in pinyin (`words`, as written) puts the family name first.

    True for "Chen Jie" and "Zhang Xiao Ming", False for "Jie Chen", None when the name is not
    pinyin or neither end is a common family name ("Brandon R LeBlanc"): the caller keeps its
    usual order. Where both ends are family names the more common one is the family name.
    """
    if not 2 <= len(words) <= 3 or not all(is_pinyin(w) for w in words):
        return None
    first = SURNAME_RANK.get(words[0].casefold())
    last = SURNAME_RANK.get(words[-1].casefold())
    if first is None and last is None:
        return None
    if last is None:
        return True
    if first is None:
        return False
    return first <= last
