"""Imports of hostile files (generated small on disk) end in a clear whole-file error within the
limits of the settings, and write nothing; reports and job results stay small."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from gmassist.core.choices import AuditAction
from gmassist.core.imports import (
    ImportFailed,
    ImportReport,
    RowError,
    import_file,
    import_limits,
    problem_count,
)
from gmassist.core.jobs import _finish
from gmassist.core.models import AuditEntry, Job
from gmassist.core.permissions import SYSTEM
from gmassist.customers.models import GroupCustomer, MonthlyRevenue
from gmassist.lib.tests.hostile_files import repeated, row, xlsx
from gmassist.org.models import Employee

HEADER = "employee_no,full_name,department,position,hire_date\n"


def good_rows(count: int) -> str:
    return "".join(f"N{n:04d},New Person {n},RND,ENG-3,2024-01-01\n" for n in range(count))


@pytest.fixture
def small_limits(settings):
    settings.IMPORT_MAX_ROWS = 5
    settings.IMPORT_MAX_STREAMED_ROWS = 8
    settings.IMPORT_MAX_COLUMNS = 12
    settings.IMPORT_MAX_CELL_CHARS = 100
    return settings


def whole_file_errors(tmp_path, name: str, content: bytes, entity: str = "employees"):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ImportFailed) as caught:
        import_file(entity=entity, path=path, mapping=None, by=SYSTEM, dry_run=False)
    return [(e.row, e.value, e.reason) for e in caught.value.report.errors]


def assert_nothing_written(cast) -> None:
    assert Employee.objects.count() == 6  # the cast's
    assert not AuditEntry.objects.filter(action=AuditAction.IMPORT).exists()


def test_the_limits_come_from_the_settings(small_limits):
    assert import_limits(streamed=False).rows == 5
    assert import_limits(streamed=True).rows == 8
    assert (import_limits(streamed=False).columns, import_limits(streamed=True).cell_chars) == (
        12,
        100,
    )


def test_a_csv_within_the_row_limit_imports(cast, small_limits, tmp_path):
    path = tmp_path / "ok.csv"
    path.write_text(HEADER + good_rows(5))
    report = import_file(entity="employees", path=path, mapping=None, by=SYSTEM, dry_run=False)
    assert report.counts["employees"]["created"] == 5


def test_a_csv_over_the_row_limit_is_refused_and_writes_nothing(cast, small_limits, tmp_path):
    errors = whole_file_errors(tmp_path, "many.csv", (HEADER + good_rows(6)).encode())
    assert errors == [
        (
            None,
            "many.csv",
            "the file has more than 5 rows; split it into smaller files (the most an import "
            "reads is set by the administrator)",
        )
    ]
    assert_nothing_written(cast)


def test_a_streamed_file_over_its_row_limit_is_refused_and_writes_nothing(
    cast, small_limits, tmp_path, monkeypatch
):
    from gmassist.core.imports import streaming

    monkeypatch.setattr(streaming, "CHUNK_ROWS", 3)  # the first chunks are checked and staged
    GroupCustomer.objects.create(code="C1", name="Acme")
    rows = "".join(f"C1,2025-{m:02d},100\n" for m in range(1, 10))
    errors = whole_file_errors(
        tmp_path, "revenue.csv", ("customer,month,amount\n" + rows).encode(), "monthly_revenue"
    )
    assert [reason for _row, _value, reason in errors] == [
        "the file has more than 8 rows; split it into smaller files (the most an import reads "
        "is set by the administrator)"
    ]
    assert MonthlyRevenue.objects.count() == 0


def test_an_xlsx_with_many_rows_is_refused_and_writes_nothing(cast, small_limits, tmp_path):
    header = row(1, "employee_no", "full_name", "department", "hire_date")
    rows = (row(n, f"N{n}", f"Person {n}", "RND", "2024-01-01") for n in range(2, 50_000))
    content = xlsx([header, *rows])
    assert len(content) < 1_000_000
    errors = whole_file_errors(tmp_path, "many.xlsx", content)
    assert "the file has more than 5 rows" in errors[0][2]
    assert_nothing_written(cast)


def test_an_xlsx_with_one_enormous_shared_string_is_refused_and_writes_nothing(cast, tmp_path):
    header = row(1, "employee_no", "full_name", "department", "hire_date")
    content = xlsx(
        [header, row(2, "N1", 0, "RND", "2024-01-01")], strings=[repeated("x", 400_000_000)]
    )
    assert len(content) < 1_000_000  # 400 MB of text
    assert whole_file_errors(tmp_path, "big.xlsx", content) == [
        (
            None,
            "big.xlsx",
            "the workbook holds a text longer than 32,767 characters, the most a cell may hold",
        )
    ]
    assert_nothing_written(cast)


def test_a_cell_over_the_length_is_refused_naming_it(cast, small_limits, tmp_path):
    content = (HEADER + good_rows(1) + "N9,Long " + "y" * 100 + ",RND,ENG-3,2024-01-01\n").encode()
    assert whole_file_errors(tmp_path, "long.csv", content)[0][2] == (
        "row 3, column full_name: longer than 100 characters, the most a cell may hold"
    )
    assert_nothing_written(cast)


def test_too_many_columns_are_refused(cast, small_limits, tmp_path):
    content = (",".join(f"c{n}" for n in range(13)) + "\n" + "1," * 12 + "1\n").encode()
    assert whole_file_errors(tmp_path, "wide.csv", content)[0][2] == (
        "the file has more than 12 columns, the most an import reads"
    )


def test_a_csv_of_random_bytes_is_a_clear_file_error(cast, tmp_path):
    content = random.Random(7).randbytes(50_000)
    assert whole_file_errors(tmp_path, "noise.csv", content) == [
        (
            None,
            "noise.csv",
            "the file is not readable text in a known encoding (UTF-8, UTF-16, UTF-32, GB18030 "
            "(GBK) or Windows-1252), nor an XLSX workbook: save it as CSV (UTF-8) or XLSX",
        )
    ]
    assert_nothing_written(cast)


def test_values_echoed_in_errors_are_cut_short(cast, tmp_path):
    content = (HEADER + "N1,Someone,RND,ENG-3," + "9" * 5_000 + "\n").encode()
    path = tmp_path / "date.csv"
    path.write_bytes(content)
    with pytest.raises(ImportFailed) as caught:
        import_file(entity="employees", path=path, mapping=None, by=SYSTEM, dry_run=True)
    (error,) = caught.value.report.errors
    assert (error.column, len(error.value), error.value[-1]) == ("hire_date", 200, "\u2026")


def test_a_row_error_cuts_what_it_echoes():
    error = RowError(3, "c" * 1_000, "v" * 1_000, "r" * 5_000)
    assert (len(error.column), len(error.value), len(error.reason)) == (200, 200, 800)


def test_a_report_keeps_the_first_thousand_errors_and_counts_them_all():
    report = ImportReport(entity="employees", dry_run=True)
    report.errors = [RowError(n, "a", "x", "bad") for n in range(5_000, 0, -1)]
    result = report.as_dict()
    assert (len(result["errors"]), result["error_count"]) == (1_000, 5_000)
    assert result["errors"][0]["row"] == 1 and result["errors"][-1]["row"] == 1_000


def test_a_job_result_over_the_bound_is_not_kept(cast, settings):
    settings.JOB_RESULT_MAX_BYTES = 16 * 1024

    def running():  # a worker records the end of a job it holds (core.jobs)
        return Job.objects.create(kind="core.import", status="running", created_by=cast.hr)

    job = running()
    _finish(job, "failed", error="e" * 10_000, result={"rows": ["x" * 100] * 1_000})
    job.refresh_from_db()
    assert job.result == {"truncated": True, "bytes": 104_010}
    assert len(job.error) == 5_000
    job = running()
    _finish(job, "succeeded", error="", result={"rows": 3, "when": dt.date(2026, 1, 1)})
    job.refresh_from_db()
    assert job.result == {"rows": 3, "when": "2026-01-01"}


def test_an_import_holds_the_first_ten_thousand_errors_and_counts_them_all():
    report = ImportReport(entity="employees", dry_run=True)
    for n in range(2, 30_002):
        report.errors.append(RowError(n, "a", "x", "bad"))
    report.errors.append(RowError(None, "", "f.csv", "the file has more than 5 rows"))
    assert (len(report.errors), problem_count(report.errors)) == (10_001, 30_001)
    result = report.as_dict()
    assert result["error_count"] == 30_001
    assert result["errors"][0]["reason"] == "the file has more than 5 rows"


def test_a_streamed_file_of_wrong_rows_reports_a_bounded_report(cast, tmp_path, monkeypatch):
    from gmassist.core.imports import reports

    monkeypatch.setattr(reports, "KEPT_PROBLEMS", 50)
    rows = "".join(f"NOBODY{n},2025-01,100\n" for n in range(300))
    path = tmp_path / "revenue.csv"
    path.write_text("customer,month,amount\n" + rows)
    with pytest.raises(ImportFailed) as caught:
        import_file(entity="monthly_revenue", path=path, mapping=None, by=SYSTEM, dry_run=True)
    report = caught.value.report
    assert (len(report.errors), problem_count(report.errors)) == (50, 300)
    assert str(caught.value) == "revenue.csv: 300 errors"
