"""Every message the pure modules mark with `gettext_noop` is in the Chinese catalogue."""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

import pytest

LIB = Path(__file__).resolve().parents[1]
CATALOGUE = LIB.parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo"


def _marked(module: Path) -> list[str]:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    return [
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "gettext_noop"
        and isinstance(node.args[0], ast.Constant)
    ]


@pytest.mark.parametrize("module", ["normalize.py", "mapping.py", "tabular.py", "bounded_xlsx.py"])
def test_the_messages_of_a_pure_module_are_translated(module):
    with CATALOGUE.open("rb") as mo:
        chinese = gettext.GNUTranslations(mo)
    messages = _marked(LIB / module)

    assert messages
    assert [m for m in messages if chinese.gettext(m) == m] == []
