"""TOML a person typed is parsed within bounds: too long or too deep is a TOML error, never a
RecursionError."""

from __future__ import annotations

import tomllib

import pytest

from gmassist.lib.bounded_toml import TomlTooLarge, load_toml

DEEP = 5_000
NESTINGS = {
    "arrays": "a = " + "[" * DEEP + "]" * DEEP,
    "inline tables": "a = " + "{b = " * DEEP + "1" + "}" * DEEP,
    "a table header": "[" + ".".join(["a"] * DEEP) + "]\nx = 1",
    "a dotted key": ".".join(["a"] * DEEP) + " = 1",
    "arrays after a string ending in quotes": 'a = ["""x"""", ' + "[" * DEEP + "]" * DEEP + "]",
}


@pytest.mark.parametrize("text", NESTINGS.values(), ids=NESTINGS.keys())
def test_it_refuses_toml_nested_5000_deep(text):
    with pytest.raises(TomlTooLarge, match="nested more than 16 levels deep"):
        load_toml(text)


def test_a_refusal_is_a_toml_decode_error_so_callers_answer_it_as_bad_toml():
    assert issubclass(TomlTooLarge, tomllib.TOMLDecodeError)


def test_it_refuses_text_over_the_size():
    with pytest.raises(TomlTooLarge, match="longer than 10 characters"):
        load_toml("a = 12345678", max_chars=10)


def test_it_reads_the_usual_mapping():
    text = (
        '[columns]\nemployee_no = "EmpID"  # [not a table]\n'
        "[values.separation_type]\n\"Voluntarily ['x']\" = 'voluntary'\n"
        'note = """[[[{{{"""\n'
        "[options]\nlist = [[1, 2], [3]]\n"
    )
    assert load_toml(text) == {
        "columns": {"employee_no": "EmpID"},
        "values": {"separation_type": {"Voluntarily ['x']": "voluntary", "note": "[[[{{{"}},
        "options": {"list": [[1, 2], [3]]},
    }


def test_brackets_in_strings_and_comments_do_not_count():
    text = 'a = "' + "[" * 100 + "\"\nb = '" + "{" * 100 + "'\n# " + "[" * 100 + "\n"
    assert load_toml(text) == {"a": "[" * 100, "b": "{" * 100}


def test_it_reads_nesting_up_to_the_limit():
    assert load_toml("a = " + "[" * 15 + "]" * 15)["a"] is not None


def test_bad_toml_is_still_the_usual_error():
    with pytest.raises(tomllib.TOMLDecodeError) as caught:
        load_toml("[columns\nx")
    assert not isinstance(caught.value, TomlTooLarge)
