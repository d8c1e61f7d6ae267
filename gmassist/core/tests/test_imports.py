"""The import machinery: all or nothing, every error reported, idempotent, any encoding, XLSX,
export and import back, permissions, the job and the audit entry."""

from __future__ import annotations

import codecs
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import Workbook

from gmassist.core.choices import AuditAction, JobStatus, ProposalStatus
from gmassist.core.imports import ImportFailed, RowError, export_entity, import_file
from gmassist.core.models import AuditEntry, Proposal
from gmassist.core.permissions import SYSTEM
from gmassist.core.services import job_submit
from gmassist.lib.mapping import parse_mapping
from gmassist.org.models import (
    AttributeDefinition,
    Department,
    Employee,
    EmployeeSkill,
    PayChange,
    Position,
    Review,
    Separation,
    Skill,
)

CANONICAL = (
    "employee_no,full_name,email,department,position,manager,hire_date,leave_date,"
    "separation_type,leave_reason,birth_date,gender,location,employment_type,status,base_pay,"
    "paid_leave_days"
)


def _write(tmp_path: Path, text: str, name: str = "people.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _import(path: Path, entity: str = "employees", mapping=None, by=SYSTEM, dry_run=False):
    return import_file(entity=entity, path=path, mapping=mapping, by=by, dry_run=dry_run)


def _canonical_rows(count: int) -> str:
    lines = [CANONICAL]
    for i in range(1, count + 1):
        manager = "N001" if i > 1 else ""
        lines.append(
            f"N{i:03},Person {i},p{i}@example.com,RND,ENG-3,{manager},2021-02-0{1 + i % 9},,,,"
            f'1990-01-01,F,Shanghai,full_time,active,"1{i:02},000",10'
        )
    return "\n".join(lines) + "\n"


def _snapshot():
    return (
        sorted(Employee.objects.values_list("employee_no", "full_name", "base_pay", "updated_at")),
        Department.objects.count(),
        PayChange.objects.count(),
        Separation.objects.count(),
        AuditEntry.objects.filter(action=AuditAction.IMPORT).count(),
    )


# --- all or nothing --------------------------------------------------------------------------


def test_a_bad_row_five_of_ten_leaves_the_database_unchanged(cast, tmp_path):
    lines = _canonical_rows(10).splitlines()
    lines[5] = (
        "N005,Person 5,not-an-email,RND,ENG-3,N099,2021-13-01,,,,1990-01-01,Q,Shanghai,"
        'full_time,active,"lots",10'
    )
    path = _write(tmp_path, "\n".join(lines) + "\n")
    before = _snapshot()

    with pytest.raises(ImportFailed) as caught:
        _import(path)

    assert caught.value.report.errors == [
        RowError(6, "hire_date", "2021-13-01", "not a date: '2021-13-01' (month must be in 1..12)"),
        RowError(6, "gender", "Q", "not a gender: 'Q' (use M/F, Male/Female or 男/女)"),
        RowError(6, "base_pay", "lots", "not a number: 'lots'"),
        RowError(6, "email", "not-an-email", "not an e-mail address"),
        RowError(6, "manager", "N099", "no employee with this number or name"),
    ]
    assert _snapshot() == before


def test_an_error_after_rows_were_written_leaves_the_database_unchanged(
    cast, tmp_path, monkeypatch
):
    """On PostgreSQL checked rows are written while the next ones are checked (in chunks of two
    here): an error in a later row still rolls everything back, and every error is reported."""
    from gmassist.org.importers.employee_stream import _EmployeeStream

    monkeypatch.setattr(_EmployeeStream, "CHUNK", 2)
    lines = _canonical_rows(9).splitlines()
    lines[2] = lines[2].replace(",RND,ENG-3,", ",New Department,New Position,")
    lines[7] = lines[7].replace("p7@example.com", "not-an-email")
    lines[9] = lines[9].replace(",N001,", ",N404,")
    path = _write(tmp_path, "\n".join(lines) + "\n")
    before = _snapshot()

    with pytest.raises(ImportFailed) as caught:
        _import(path)

    assert caught.value.report.errors == [
        RowError(8, "email", "not-an-email", "not an e-mail address"),
        RowError(10, "manager", "N404", "no employee with this number or name"),
    ]
    assert _snapshot() == before
    assert not Position.objects.filter(title="New Position").exists()


def test_rows_written_while_checking_get_new_departments_and_later_managers(
    cast, tmp_path, monkeypatch
):
    from gmassist.org.importers.employee_stream import _EmployeeStream

    monkeypatch.setattr(_EmployeeStream, "CHUNK", 2)
    path = _write(
        tmp_path,
        "employee_no,full_name,department,position,hire_date,leave_date,separation_type,manager\n"
        "N3,Cy Report,Lab,Tester,2022-01-01,2023-05-01,voluntary,N5\n"
        "N4,Di Report,Lab,Tester,2022-01-01,,,Eve Boss\n"
        "E004,Emma Employee,SALES-E,SAL-2,2020-01-01,,,N5\n"
        "N5,Eve Boss,RND,,2022-01-01,,,E001\n",
    )

    report = _import(path)

    assert report.counts["employees"] == {"created": 3, "updated": 1, "unchanged": 0}
    assert report.counts["departments"]["created"] == 1
    n3 = Employee.objects.get(employee_no="N3")
    assert (n3.manager.employee_no, n3.department.name, n3.position.title) == (
        "N5",
        "Lab",
        "Tester",
    )
    assert Employee.objects.get(employee_no="N4").manager.employee_no == "N5"
    assert Employee.objects.get(employee_no="E004").manager.employee_no == "N5"
    assert Separation.objects.get(employee=n3).date == dt.date(2023, 5, 1)
    assert _import(path).counts["employees"] == {"created": 0, "updated": 0, "unchanged": 4}


def test_it_reports_whole_file_errors(cast, tmp_path):
    path = _write(tmp_path, "No,Name,Colour\nN1,Ann,red\nN1,Bob,blue\n")
    mapping = parse_mapping(
        '[columns]\nemployee_no = "No"\nfull_name = "Name"\nhire_date = "Hired"\nsalary = "Pay"\n'
    )

    with pytest.raises(ImportFailed) as caught:
        _import(path, mapping=mapping)

    assert [(e.row, e.column, e.reason) for e in caught.value.report.errors] == [
        (None, "salary", "line 5: [columns] salary: unknown field; known: " + _known_fields()),
        (None, "Hired", "line 4: [columns] hire_date: no such column in the file"),
        (None, "Pay", "line 5: [columns] salary: no such column in the file"),
        (
            None,
            "Colour",
            'unknown column (set extra_columns = "keep" or "ignore" in [options])',
        ),
    ]


def _known_fields() -> str:
    from gmassist.org.importers import EMPLOYEE_COLUMNS

    return ", ".join(sorted(c.name for c in EMPLOYEE_COLUMNS))


def test_it_reports_a_duplicate_natural_key_in_the_file(cast, tmp_path):
    path = _write(tmp_path, "employee_no,full_name\nE001,Grace Manager\nE001,Grace Again\n")

    with pytest.raises(ImportFailed) as caught:
        _import(path)

    assert caught.value.report.errors == [
        RowError(3, "employee_no", "E001", "duplicate employee_no: also on row 2")
    ]


def test_a_dry_run_counts_and_writes_nothing(cast, tmp_path):
    path = _write(tmp_path, _canonical_rows(3))
    before = _snapshot()

    report = _import(path, dry_run=True)

    assert report.counts["employees"] == {"created": 3, "updated": 0, "unchanged": 0}
    assert report.proposals == []
    assert _snapshot() == before


# --- idempotence and changes -----------------------------------------------------------------


def test_importing_the_same_file_twice_changes_nothing_the_second_time(cast, tmp_path):
    path = _write(tmp_path, _canonical_rows(10))
    first = _import(path)
    assert first.counts["employees"] == {"created": 10, "updated": 0, "unchanged": 0}
    before = _snapshot()

    second = _import(path)

    assert second.counts["employees"] == {"created": 0, "updated": 0, "unchanged": 10}
    assert second.proposals == []
    assert _snapshot()[:4] == before[:4]  # updated_at did not move


def test_a_changed_base_pay_becomes_one_batch_proposal_and_is_not_written(cast, tmp_path):
    path = _write(tmp_path, 'employee_no,base_pay\nE004,"120,000.00"\nE005,100000\n')

    report = _import(path)

    assert report.counts["employees"] == {"created": 0, "updated": 0, "unchanged": 2}
    proposal = Proposal.objects.get()
    assert (proposal.kind, proposal.status, proposal.cost) == (
        "org.pay_change_batch",
        ProposalStatus.OPEN,
        Decimal("20000.00"),
    )
    assert [
        (line["employee_no"], line["current_base_pay"], line["new_base_pay"])
        for line in proposal.payload["lines"]
    ] == [("E004", "100000.00", "120000.00")]
    assert report.proposals == [
        {
            "id": proposal.pk,
            "kind": "org.pay_change_batch",
            "lines": 1,
            "message": f"1 pay change became proposal #{proposal.pk}; it changes nothing until "
            "approved.",
        }
    ]
    assert Employee.objects.get(employee_no="E004").base_pay == Decimal("100000.00")
    assert PayChange.objects.count() == 0


def test_a_manager_new_in_the_file_is_set_after_the_insert(cast, tmp_path):
    path = _write(
        tmp_path,
        "employee_no,full_name,department,hire_date,manager\n"
        "N2,Bo Report,RND,2022-01-01,Ann Boss\n"
        "N1,Ann Boss,RND,2022-01-01,E001\n",
    )

    _import(path)

    assert Employee.objects.get(employee_no="N2").manager.employee_no == "N1"
    assert Employee.objects.get(employee_no="N1").manager.employee_no == "E001"


def test_an_ambiguous_manager_name_is_an_error(cast, tmp_path):
    Employee.objects.filter(employee_no="E006").update(full_name="Hank Head")
    path = _write(tmp_path, "employee_no,manager\nE004,Hank Head\n")

    with pytest.raises(ImportFailed) as caught:
        _import(path)

    assert caught.value.report.errors == [
        RowError(2, "manager", "Hank Head", "2 employees have this name: give the employee number")
    ]


# --- encodings, delimiters, XLSX -------------------------------------------------------------

CHINESE = "employee_no,full_name,department,hire_date,base_pay\nC1,张伟,研发部,2023-05-01,300000\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "gb18030", "gbk"])
def test_it_imports_each_encoding_with_chinese_names(cast, tmp_path, encoding):
    _import(_write(tmp_path, CHINESE, encoding=encoding))

    person = Employee.objects.get(employee_no="C1")
    assert (person.full_name, person.family_name, person.given_name) == ("张伟", "张", "伟")
    assert (person.department.code, person.department.name) == ("研发部", "研发部")
    assert person.base_pay == Decimal("300000.00")


def test_it_imports_semicolons_with_decimal_commas_and_crlf(cast, tmp_path):
    text = (
        "employee_no;full_name;department;hire_date;base_pay\r\nC1;Li Na;RND;1.3.2020;1.234,50\r\n"
    )

    _import(_write(tmp_path, text))

    person = Employee.objects.get(employee_no="C1")
    assert (person.hire_date, person.base_pay) == (dt.date(2020, 3, 1), Decimal("1234.50"))


def test_it_imports_tab_separated_files(cast, tmp_path):
    text = "employee_no\tfull_name\tdepartment\thire_date\nC1\tLi Na\tRND\t2020/3/1\n"

    _import(_write(tmp_path, text, name="people.tsv"))

    assert Employee.objects.get(employee_no="C1").hire_date == dt.date(2020, 3, 1)


def test_it_imports_xlsx_with_typed_cells(cast, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        ["employee_no", "full_name", "department", "hire_date", "base_pay", "custom.score"]
    )
    sheet.append([10101, "LeBlanc, Brandon  R", "RND", dt.datetime(2016, 1, 5), 93046, 4.6])
    path = tmp_path / "people.xlsx"
    workbook.save(path)

    _import(path)

    person = Employee.objects.get(employee_no="10101")
    assert (person.full_name, person.hire_date, person.base_pay) == (
        "Brandon R LeBlanc",
        dt.date(2016, 1, 5),
        Decimal("93046.00"),
    )
    assert person.custom == {"score": 4.6}


# --- export and import back ------------------------------------------------------------------


@pytest.fixture
def history(cast):
    """Reviews, skills, pay changes, a leaver and a custom attribute on top of the cast."""
    emma = Employee.objects.get(employee_no="E004")
    oscar = Employee.objects.get(employee_no="E005")
    Review.objects.create(
        employee=emma, period="2024", rating=4, potential=2, reviewer=emma.manager
    )
    Review.objects.create(employee=oscar, period="2024-H1", rating=3, comment="Steady, 稳定")
    skill = Skill.objects.create(code="5GC", name="5G core network", category="Network")
    EmployeeSkill.objects.create(
        employee=emma, skill=skill, level=4, assessed_on=dt.date(2024, 5, 1)
    )
    PayChange.objects.create(
        employee=emma,
        effective_date=dt.date(2023, 1, 1),
        base_pay=Decimal("95000.50"),
        previous_base_pay=Decimal("90000"),
        reason="review",
        note="annual",
    )
    AttributeDefinition.objects.create(name="zip", kind="category")
    AttributeDefinition.objects.create(name="score", kind="number")
    emma.custom = {"zip": "01960", "score": 4.5}
    emma.save()
    oscar.leave_date = dt.date(2024, 3, 31)
    oscar.status = "left"
    oscar.birth_date = dt.date(1988, 2, 29)
    oscar.gender = "male"
    oscar.paid_leave_days = Decimal("12.5")
    oscar.save()
    Separation.objects.create(
        employee=oscar,
        date=oscar.leave_date,
        separation_type="voluntary",
        reason="moved",
        regretted=True,
    )
    return cast


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(
    "entity", ["departments", "positions", "employees", "reviews", "skills", "pay"]
)
def test_an_export_imports_back_unchanged(history, tmp_path, entity, fmt):
    path = tmp_path / f"{entity}.{fmt}"
    written = export_entity(entity=entity, fmt=fmt, out=path, user=SYSTEM)
    before = _snapshot()

    report = _import(path, entity=entity)

    assert written > 0
    assert report.errors == []
    for name, counts in report.counts.items():
        assert (name, counts["created"], counts["updated"]) == (name, 0, 0)
    assert _snapshot()[:4] == before[:4]


def test_an_employee_export_has_the_canonical_columns(history):
    out = io.BytesIO()
    export_entity(entity="employees", fmt="csv", out=out, user=SYSTEM)

    lines = out.getvalue().decode("utf-8-sig").splitlines()
    assert lines[0] == (
        "employee_no,full_name,family_name,given_name,email,department,position,manager,"
        "hire_date,leave_date,separation_type,leave_reason,regretted,birth_date,gender,location,"
        "employment_type,status,base_pay,paid_leave_days,custom.score,custom.zip"
    )
    assert lines[4] == (
        "E004,Emma Employee,,,,SALES-E,SAL-2,E003,2020-01-01,,,,,,,,full_time,active,100000,,"
        "4.5,01960"
    )
    assert lines[5] == (
        "E005,Oscar Outsider,,,,RND,ENG-3,E001,2020-01-01,2024-03-31,voluntary,moved,yes,"
        "1988-02-29,male,,full_time,left,100000,12.5,,"
    )
    assert out.getvalue().startswith(codecs.BOM_UTF8)


def test_an_export_is_scoped_to_what_the_user_may_export(history):
    out = io.BytesIO()

    rows = export_entity(entity="employees", fmt="csv", out=out, user=history.head)

    assert rows == 3  # Hank himself, Emma in Sales East, Alice in Sales
    assert (
        export_entity(entity="employees", fmt="csv", out=io.BytesIO(), user=history.employee) == 0
    )


# --- permissions, job, audit -----------------------------------------------------------------


def test_an_employee_may_not_import(cast, tmp_path):
    path = _write(tmp_path, _canonical_rows(1))

    with pytest.raises(PermissionDenied):
        _import(path, by=cast.employee)
    with pytest.raises(PermissionDenied):
        _import(path, by=cast.head)
    assert not Employee.objects.filter(employee_no="N001").exists()


def test_hr_imports_with_one_audit_entry(cast, tmp_path):
    path = _write(tmp_path, _canonical_rows(3))

    _import(path, by=cast.hr)

    entry = AuditEntry.objects.get(action=AuditAction.IMPORT)
    assert (entry.actor, entry.target_type, entry.target_repr) == (
        cast.hr,
        "org.employee",
        "people.csv",
    )
    assert entry.changes["counts"]["employees"] == {"created": 3, "updated": 0, "unchanged": 0}


def test_the_import_job_succeeds_with_its_report_as_result(cast, tmp_path):
    path = _write(tmp_path, _canonical_rows(2))
    seen = []

    job = job_submit(
        kind="core.import",
        params={"entity": "employees", "path": str(path), "mapping": None, "dry_run": False},
        by=cast.hr,
        wait=True,
        listener=lambda percent, message: seen.append(percent),
    )

    assert job.status == JobStatus.SUCCEEDED
    assert job.result["counts"]["employees"] == {"created": 2, "updated": 0, "unchanged": 0}
    assert seen[0] == 0
    assert seen[-1] == 100


def test_a_failed_import_job_keeps_the_error_report(cast, tmp_path):
    path = _write(tmp_path, "employee_no,hire_date\nE004,someday\n")

    job = job_submit(
        kind="core.import",
        params={"entity": "employees", "path": str(path), "mapping": None, "dry_run": False},
        by=SYSTEM,
        wait=True,
    )

    assert job.status == JobStatus.FAILED
    assert job.error == "people.csv: 1 error"
    assert job.result["errors"] == [
        {
            "row": 2,
            "column": "hire_date",
            "value": "someday",
            "reason": "not a date: 'someday' (use e.g. 2024-03-01, 3/1/2024 or 1.3.2024)",
        }
    ]


def test_a_bad_mapping_fails_the_job_with_its_line(cast, tmp_path):
    path = _write(tmp_path, _canonical_rows(1))

    job = job_submit(
        kind="core.import",
        params={"entity": "employees", "path": str(path), "mapping": "[columns]\nx = \n"},
        by=SYSTEM,
        wait=True,
    )

    assert job.status == JobStatus.FAILED
    assert job.result["errors"][0]["reason"].startswith("mapping: line 2: not valid TOML")


def test_the_report_lists_problems_in_file_order():
    from gmassist.core.imports import ImportReport, RowError

    report = ImportReport(entity="employees", dry_run=True)
    report.errors = [
        RowError(3, "hire_date", "x", "not a date"),
        RowError(5, "employee_no", "N2", "duplicate"),
        RowError(4, "full_name", "", "needs a name"),
        RowError(None, "Salary", "", "no such column"),
        RowError(3, "base_pay", "abc", "not a number"),
    ]
    assert [(e["row"], e["column"]) for e in report.as_dict()["errors"]] == [
        (None, "Salary"),
        (3, "hire_date"),
        (3, "base_pay"),
        (4, "full_name"),
        (5, "employee_no"),
    ]


# --- reports in the language of the user who imports ------------------------------------------

_IN_TWO_LANGUAGES = (
    "No,Name,Dept,Hired,Manager\n"
    "N1,Ann Lee,RND,2024-13-01,Nobody Here\n"
    "N1,Bob Ray,RND,2024-02-01,\n"
    "N2,,RND,someday,\n"
)
_LEAVE_UNKNOWN_MANAGERS_EMPTY = (
    '[columns]\nemployee_no = "No"\nfull_name = "Name"\ndepartment = "Dept"\n'
    'hire_date = "Hired"\nmanager = "Manager"\n'
    '[options]\nunresolved_manager = "leave_empty"\n'
)


def _import_job_as(user, path: Path, mapping: str = _LEAVE_UNKNOWN_MANAGERS_EMPTY):
    return job_submit(
        kind="core.import",
        params={"entity": "employees", "path": str(path), "mapping": mapping, "dry_run": True},
        by=user,
        wait=True,
    )


def _reasons(problems: list[dict]) -> list[tuple]:
    return [(p["row"], p["column"], p["value"], p["reason"]) for p in problems]


def test_a_chinese_user_reads_the_reasons_of_an_import_in_chinese(cast, tmp_path):
    cast.hr.language = "zh-hans"
    cast.hr.save(update_fields=["language"])

    job = _import_job_as(cast.hr, _write(tmp_path, _IN_TWO_LANGUAGES))

    assert job.status == JobStatus.FAILED
    assert job.error == "people.csv：4 个错误"
    assert _reasons(job.result["errors"]) == [
        (2, "Hired", "2024-13-01", "'2024-13-01' 不是有效日期（月份必须在 1 到 12 之间）"),
        (3, "No", "N1", "employee_no 重复：与第 2 行相同"),
        (
            4,
            "Hired",
            "someday",
            "'someday' 不是有效日期（请使用如 2024-03-01、3/1/2024 或 1.3.2024 的格式）",
        ),
        (4, "Name", "", "新员工需要填写姓名"),
    ]
    assert _reasons(job.result["warnings"]) == [
        (2, "Manager", "Nobody Here", "找不到该工号或姓名的员工：已留空"),
    ]


def test_an_english_user_reads_the_same_reasons_in_english(cast, tmp_path):
    cast.hr.language = "en"
    cast.hr.save(update_fields=["language"])

    job = _import_job_as(cast.hr, _write(tmp_path, _IN_TWO_LANGUAGES))

    assert job.status == JobStatus.FAILED
    assert job.error == "people.csv: 4 errors"
    assert _reasons(job.result["errors"]) == [
        (2, "Hired", "2024-13-01", "not a date: '2024-13-01' (month must be in 1..12)"),
        (3, "No", "N1", "duplicate employee_no: also on row 2"),
        (
            4,
            "Hired",
            "someday",
            "not a date: 'someday' (use e.g. 2024-03-01, 3/1/2024 or 1.3.2024)",
        ),
        (4, "Name", "", "a new employee needs a name"),
    ]
    assert _reasons(job.result["warnings"]) == [
        (2, "Manager", "Nobody Here", "no employee with this number or name: left empty"),
    ]


def test_whole_file_problems_of_a_mapping_are_in_the_users_language(cast, tmp_path):
    cast.hr.language = "zh-hans"
    cast.hr.save(update_fields=["language"])
    mapping = (
        '[columns]\nemployee_no = "No"\nhire_date = "Start"\n[options]\nextra_columns = "ignore"\n'
    )

    job = _import_job_as(cast.hr, _write(tmp_path, _IN_TWO_LANGUAGES), mapping=mapping)

    assert _reasons(job.result["errors"]) == [
        (None, "Start", "", "第 3 行：[columns] hire_date: 文件中没有这一列"),
    ]


def test_a_bad_mapping_is_reported_in_the_users_language(cast, tmp_path):
    cast.hr.language = "zh-hans"
    cast.hr.save(update_fields=["language"])

    job = _import_job_as(
        cast.hr, _write(tmp_path, _IN_TWO_LANGUAGES), mapping='[options]\ndate_order = "ymd"\n'
    )

    assert job.status == JobStatus.FAILED
    assert _reasons(job.result["errors"]) == [
        (
            None,
            "date_order",
            "",
            "映射：第 2 行：[options] date_order: 不允许 'ymd'；请使用 mdy, dmy",
        ),
    ]
