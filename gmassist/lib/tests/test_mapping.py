"""Parsing TOML column mappings, with errors that name the key and its line."""

from __future__ import annotations

import pytest

from gmassist.lib.mapping import MappingError, parse_mapping

# part of the example of docs/imports-and-exports.md
DOCS_EXAMPLE = """\
[columns]
employee_no = "EmpID"
full_name = "Employee_Name"    # "Last, First" and "First Last" are both understood
department = "Department"      # created when missing
[values.separation_type]
"Voluntarily Terminated" = "voluntary"
"Active" = ""
[options]
unresolved_manager = "leave_empty"   # default "error"
extra_columns = "keep"               # kept as custom attributes
"""


def test_it_parses_columns_values_and_options():
    mapping = parse_mapping(DOCS_EXAMPLE)
    assert mapping.columns == {
        "employee_no": "EmpID",
        "full_name": "Employee_Name",
        "department": "Department",
    }
    assert mapping.values == {
        "separation_type": {"Voluntarily Terminated": "voluntary", "Active": ""}
    }
    assert mapping.options.unresolved_manager == "leave_empty"
    assert mapping.options.extra_columns == "keep"
    assert mapping.options.decimal_comma is None
    assert mapping.identity is False


def test_it_defaults_to_strict_options():
    mapping = parse_mapping('[columns]\nemployee_no = "No"\n')
    assert mapping.options.unresolved_manager == "error"
    assert mapping.options.extra_columns == "error"
    assert mapping.options.date_order == "mdy"


def test_it_parses_defaults_and_attribute_types():
    mapping = parse_mapping(
        '[defaults]\nemployment_type = "full_time"\n[attributes]\nZip = "category"\n'
    )
    assert mapping.defaults == {"employment_type": "full_time"}
    assert mapping.attributes == {"Zip": "category"}


def test_it_reports_bad_toml_with_its_line():
    with pytest.raises(MappingError) as caught:
        parse_mapping('[columns]\nemployee_no = "EmpID"\nfull_name = \n')
    assert caught.value.line == 3
    assert str(caught.value).startswith("line 3: not valid TOML")


def test_it_reports_a_bad_option_with_key_and_line():
    with pytest.raises(MappingError) as caught:
        parse_mapping('[columns]\nemployee_no = "EmpID"\n[options]\nunresolved_manager = "guess"\n')
    assert (caught.value.key, caught.value.line) == ("unresolved_manager", 4)
    assert "'guess' is not allowed" in str(caught.value)


def test_it_reports_an_unknown_option_and_section():
    with pytest.raises(MappingError, match=r"line 2: .*unknown option"):
        parse_mapping('[options]\nspeed = "fast"\n')
    with pytest.raises(MappingError, match=r"line 1: \[colums\]: unknown section"):
        parse_mapping('[colums]\nemployee_no = "EmpID"\n')


def test_it_reports_unknown_fields_with_their_lines():
    mapping = parse_mapping('[columns]\nemployee_no = "EmpID"\nsalary = "Salary"\n')
    errors = mapping.unknown_fields({"employee_no", "base_pay"})
    assert [(e.key, e.line) for e in errors] == [("salary", 3)]
    assert str(errors[0]).startswith("line 3: [columns] salary: unknown field")


def test_it_accepts_custom_attribute_columns():
    mapping = parse_mapping('[columns]\n"custom.performance" = "PerformanceScore"\n')
    assert mapping.unknown_fields({"employee_no"}) == []


def test_a_mapping_error_keeps_its_place_apart_from_its_translatable_message():
    with pytest.raises(MappingError) as caught:
        parse_mapping('[columns]\nemployee_no = "No"\n\n[options]\ndate_order = "ymd"\n')

    error = caught.value
    assert (error.line, error.where, error.template, error.params) == (
        5,
        "[options] date_order",
        "%(value)r is not allowed; use %(choices)s",
        {"value": "ymd", "choices": "mdy, dmy"},
    )
    assert str(error) == "line 5: [options] date_order: 'ymd' is not allowed; use mdy, dmy"
