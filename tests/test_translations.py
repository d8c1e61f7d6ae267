"""The Simplified Chinese translation is complete, and the compiled catalogue matches it."""

import ast
import gettext
import re
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[1] / "gmassist" / "locale" / "zh_Hans" / "LC_MESSAGES"


def _po_entries() -> list[str]:
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    return [entry for entry in text.split("\n\n")[1:] if re.search(r"^msgid ", entry, re.M)]


def _msgid(entry: str) -> str:
    match = re.search(r'^msgid "(.*)"((?:\n".*")*)', entry, re.M)
    head, tail = match.group(1), match.group(2)
    return head + "".join(re.findall(r'^"(.*)"$', tail, re.M))


def test_every_message_has_a_chinese_translation_and_none_is_fuzzy():
    problems = [
        _msgid(entry)
        for entry in _po_entries()
        if not entry.startswith("#~")
        and (re.search(r'^msgstr(\[0\])? ""$(?!\n")', entry, re.M) or "#, fuzzy" in entry)
    ]
    assert problems == []


def test_the_compiled_catalogue_holds_every_translation():
    with (LOCALE / "django.mo").open("rb") as mo:
        catalogue = gettext.GNUTranslations(mo)
    ids = {_msgid(entry) for entry in _po_entries() if not entry.startswith("#~")}
    compiled = {key if isinstance(key, str) else key[0] for key in catalogue._catalog}
    missing = sorted(i for i in ids if ast.literal_eval(f'"{i}"') not in compiled)
    assert missing == []
