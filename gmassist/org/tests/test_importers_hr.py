"""An HRDataset_v14-style export imports with the mapping of docs/imports-and-exports.md."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from gmassist.core.imports import ImportFailed, import_file
from gmassist.core.permissions import SYSTEM
from gmassist.lib.mapping import MappingError, load_mapping, parse_mapping
from gmassist.org.models import (
    AttributeDefinition,
    Department,
    Employee,
    PayChange,
    Position,
    Separation,
)

DATA = Path(__file__).parent / "data"
HR_FILE = DATA / "hr_dataset.csv"


def _import(mapping=None, dry_run=False):
    return import_file(
        entity="employees",
        path=HR_FILE,
        mapping=mapping or load_mapping(DATA / "hr_mapping.toml"),
        by=SYSTEM,
        dry_run=dry_run,
    )


@pytest.mark.django_db
def test_it_imports_the_hr_dataset_with_the_readme_mapping():
    report = _import()

    assert report.errors == []
    assert report.counts == {
        "employees": {"created": 15, "updated": 0, "unchanged": 0},
        "departments": {"created": 6, "updated": 0, "unchanged": 0},
        "positions": {"created": 10, "updated": 0, "unchanged": 0},
        "attributes": {"created": 10, "updated": 0, "unchanged": 0},
        "separations": {"created": 4, "updated": 0, "unchanged": 0},
    }
    brandon = Employee.objects.get(employee_no="10101")
    assert (brandon.full_name, brandon.family_name, brandon.given_name) == (
        "Brandon R LeBlanc",
        "LeBlanc",
        "Brandon R",
    )
    assert brandon.gender == "male"
    assert brandon.birth_date == dt.date(1983, 7, 10)
    assert brandon.hire_date == dt.date(2016, 1, 5)
    assert brandon.base_pay == Decimal("93046.00")
    assert brandon.department.name == "Production"
    assert brandon.department.code == "PRODUCTION"
    assert brandon.position.title == "Production Manager"
    assert Department.objects.count() == 6
    assert Position.objects.filter(code="SR-DBA", title="Sr. DBA").exists()


@pytest.mark.django_db
def test_it_resolves_managers_by_normalised_name_and_leaves_unknown_ones_empty():
    report = _import()

    chidi = Employee.objects.get(employee_no="10103")
    assert chidi.manager.employee_no == "10101"  # "Brandon R. LeBlanc" is "LeBlanc, Brandon  R"
    assert Employee.objects.get(employee_no="10105").manager.employee_no == "10102"
    assert Employee.objects.get(employee_no="10108").manager is None
    assert [(w.row, w.column, w.value) for w in report.warnings] == [
        (2, "ManagerName", "Board of Directors"),
        (3, "ManagerName", "Board of Directors"),
        (9, "ManagerName", "Webster Butlerby"),
        (15, "ManagerName", "Alex Sweetwaters"),
    ]
    assert report.warnings[0].reason == "no employee with this number or name: left empty"


@pytest.mark.django_db
def test_it_reports_unknown_managers_as_errors_by_default():
    text = (
        (DATA / "hr_mapping.toml")
        .read_text()
        .replace('unresolved_manager = "leave_empty"   # default "error"', "")
    )
    with pytest.raises(ImportFailed) as caught:
        _import(mapping=parse_mapping(text))

    assert [(e.row, e.column, e.value, e.reason) for e in caught.value.report.errors] == [
        (2, "ManagerName", "Board of Directors", "no employee with this number or name"),
        (3, "ManagerName", "Board of Directors", "no employee with this number or name"),
        (9, "ManagerName", "Webster Butlerby", "no employee with this number or name"),
        (15, "ManagerName", "Alex Sweetwaters", "no employee with this number or name"),
    ]
    assert Employee.objects.count() == 0


@pytest.mark.django_db
def test_it_records_leavers_with_a_separation():
    _import()

    eszter = Employee.objects.get(employee_no="10104")
    assert (eszter.status, eszter.leave_date) == ("left", dt.date(2016, 6, 16))
    separations = Separation.objects.order_by("employee__employee_no").values_list(
        "employee__employee_no", "date", "separation_type", "reason"
    )
    assert list(separations) == [
        ("10104", dt.date(2016, 6, 16), "voluntary", "career change"),
        ("10106", dt.date(2015, 9, 2), "voluntary", "hours"),
        ("10107", dt.date(2018, 9, 24), "involuntary", "attendance"),
        ("10112", dt.date(2017, 4, 1), "voluntary", "more money"),
    ]
    active = Employee.objects.get(employee_no="10101")
    assert (active.status, active.leave_date) == ("active", None)
    assert Employee.objects.filter(status="left").count() == 4


@pytest.mark.django_db
def test_it_keeps_extra_columns_as_typed_custom_attributes():
    _import()

    kinds = dict(AttributeDefinition.objects.values_list("name", "kind"))
    assert kinds == {
        "Absences": "number",
        "EmpSatisfaction": "number",
        "EngagementSurvey": "number",
        "GenderID": "number",
        "LastPerformanceReview_Date": "date",
        "MarriedID": "number",
        "PerformanceScore": "category",
        "RecruitmentSource": "category",
        "State": "category",
        "Zip": "category",
    }
    assert Employee.objects.get(employee_no="10101").custom == {
        "Absences": 3,
        "EmpSatisfaction": 5,
        "EngagementSurvey": 4.6,
        "GenderID": 1,
        "LastPerformanceReview_Date": "2019-01-17",
        "MarriedID": 1,
        "PerformanceScore": "Fully Meets",
        "RecruitmentSource": "Indeed",
        "State": "MA",
        "Zip": "01960",
    }


@pytest.mark.django_db
def test_it_writes_no_pay_change_for_the_starting_pay_of_new_employees():
    _import()

    assert Employee.objects.get(employee_no="10103").base_pay == Decimal("62506.00")
    assert PayChange.objects.count() == 0


@pytest.mark.django_db
def test_it_changes_nothing_when_the_hr_dataset_is_imported_again():
    _import()
    before = dict(Employee.objects.values_list("employee_no", "updated_at"))

    report = _import()

    assert report.counts == {
        "employees": {"created": 0, "updated": 0, "unchanged": 15},
        "departments": {"created": 0, "updated": 0, "unchanged": 0},
        "positions": {"created": 0, "updated": 0, "unchanged": 0},
        "attributes": {"created": 0, "updated": 0, "unchanged": 0},
        "separations": {"created": 0, "updated": 0, "unchanged": 4},
    }
    assert dict(Employee.objects.values_list("employee_no", "updated_at")) == before


@pytest.mark.django_db
def test_a_dry_run_of_the_hr_dataset_writes_nothing():
    report = _import(dry_run=True)

    assert report.counts["employees"] == {"created": 15, "updated": 0, "unchanged": 0}
    assert Employee.objects.count() == 0
    assert Department.objects.count() == 0
    assert AttributeDefinition.objects.count() == 0


def _import_names(tmp_path, options: str = ""):
    path = tmp_path / "names.csv"
    path.write_text(
        "employee_no,full_name,hire_date,department\nN1,Chen Jie,2024-01-02,Sales\n"
        "N2,Jie Chen,2024-01-02,Sales\nN3,Brandon R LeBlanc,2024-01-02,Sales\n",
        encoding="utf-8",
    )
    columns = "".join(f'{c} = "{c}"\n' for c in ("employee_no", "full_name", "hire_date"))
    mapping = parse_mapping(f'[columns]\n{columns}department = "department"\n[options]\n{options}')
    import_file(entity="employees", path=path, mapping=mapping, by=SYSTEM, dry_run=False)
    return {
        e.employee_no: (e.family_name, e.given_name)
        for e in Employee.objects.filter(employee_no__in=["N1", "N2", "N3"])
    }


@pytest.mark.django_db
def test_a_pinyin_full_name_is_split_family_first_when_it_starts_with_a_family_name(tmp_path):
    assert _import_names(tmp_path) == {
        "N1": ("Chen", "Jie"),
        "N2": ("Chen", "Jie"),
        "N3": ("LeBlanc", "Brandon R"),
    }


@pytest.mark.django_db
def test_the_name_order_option_states_how_every_full_name_is_written(tmp_path):
    assert _import_names(tmp_path, 'name_order = "given_first"') == {
        "N1": ("Jie", "Chen"),
        "N2": ("Chen", "Jie"),
        "N3": ("LeBlanc", "Brandon R"),
    }


def test_an_unknown_name_order_is_a_mapping_error():
    with pytest.raises(MappingError) as caught:
        parse_mapping('[options]\nname_order = "surname_last"\n')

    assert str(caught.value) == (
        "line 2: [options] name_order: 'surname_last' is not allowed; "
        "use auto, given_first, family_first"
    )
