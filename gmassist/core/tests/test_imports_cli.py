"""The `import` and `export` commands: exit codes, tables of counts and errors."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gmassist.org.models import Employee

DATA = Path(__file__).parents[2] / "org" / "tests" / "data"


def _call(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_import_command_prints_the_counts_and_succeeds():
    output = _call(
        "import",
        "employees",
        str(DATA / "hr_dataset.csv"),
        "--mapping",
        str(DATA / "hr_mapping.toml"),
    )

    assert "│ employees   │      15 │       0 │         0 │" in output
    assert "Warnings (4)" in output
    assert "15 rows imported." in output
    assert Employee.objects.count() == 15


@pytest.mark.django_db
def test_the_import_command_dry_run_writes_nothing():
    output = _call(
        "import",
        "employees",
        str(DATA / "hr_dataset.csv"),
        "--mapping",
        str(DATA / "hr_mapping.toml"),
        "--dry-run",
    )

    assert "Would change (dry run)" in output
    assert "15 rows checked (dry run, nothing written)." in output
    assert Employee.objects.count() == 0


@pytest.mark.django_db
def test_the_import_command_fails_with_the_error_table(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("employee_no,full_name,department,hire_date\nN1,Ann,RND,someday\n")
    out = io.StringIO()

    with pytest.raises(CommandError, match=r"nothing was written: bad\.csv: 1 error"):
        call_command("import", "employees", str(path), stdout=out)

    assert "Errors (1)" in out.getvalue()
    assert "│   2 │ hire_date │ someday │ not a date: 'someday'" in out.getvalue()
    assert Employee.objects.count() == 0


@pytest.mark.django_db
def test_the_import_command_refuses_a_user_without_the_right(cast, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("employee_no,full_name,department,hire_date\nN1,Ann,RND,2020-01-01\n")

    with pytest.raises(CommandError, match="you may not import employees"):
        call_command("import", "employees", str(path), "--user", "employee", stdout=io.StringIO())
    with pytest.raises(CommandError, match="no active user 'nobody'"):
        call_command("import", "employees", str(path), "--user", "nobody", stdout=io.StringIO())


@pytest.mark.django_db
def test_the_import_command_rejects_an_unknown_entity(tmp_path):
    with pytest.raises(CommandError, match="unknown entity 'planets'"):
        call_command("import", "planets", str(tmp_path / "x.csv"), stdout=io.StringIO())


@pytest.mark.django_db
def test_the_export_command_writes_a_file_that_imports_back(cast, tmp_path):
    path = tmp_path / "people.xlsx"

    output = _call("export", "employees", "-o", str(path), "--user", "hr")

    assert output == f"6 rows written to {path}\n"
    output = _call("import", "employees", str(path), "--user", "hr")
    assert "│ employees   │       0 │       0 │         6 │" in output
