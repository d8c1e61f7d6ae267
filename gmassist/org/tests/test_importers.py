"""Imports of departments, positions, reviews, skills and pay history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from gmassist.core.imports import ImportFailed, RowError, import_file
from gmassist.core.permissions import SYSTEM
from gmassist.org.models import Department, EmployeeSkill, PayChange, Position, Review, Skill


def _import(tmp_path: Path, entity: str, text: str, dry_run: bool = False):
    path = tmp_path / f"{entity}.csv"
    path.write_text(text, encoding="utf-8")
    return import_file(entity=entity, path=path, mapping=None, by=SYSTEM, dry_run=dry_run)


def _errors(tmp_path: Path, entity: str, text: str) -> list[RowError]:
    with pytest.raises(ImportFailed) as caught:
        _import(tmp_path, entity, text)
    return caught.value.report.errors


def test_it_imports_departments_with_parents_by_code_or_name_and_heads(cast, tmp_path):
    report = _import(
        tmp_path,
        "departments",
        "code,name,parent,head\n"
        "OPS,Operations,HQ,E001\n"
        "OPS-N,Operations North,Operations,\n"
        "SALES,Sales and Marketing,HQ,E003\n",
    )

    assert report.counts == {"departments": {"created": 2, "updated": 1, "unchanged": 0}}
    north = Department.objects.get(code="OPS-N")
    assert (north.parent.code, north.parent.parent.code) == ("OPS", "HQ")
    assert Department.objects.get(code="OPS").head.employee_no == "E001"
    assert Department.objects.get(code="SALES").name == "Sales and Marketing"


def test_it_rejects_departments_whose_parents_form_a_loop(cast, tmp_path):
    errors = _errors(tmp_path, "departments", "code,name,parent\nA,Alpha,B\nB,Beta,A\n")

    assert errors == [
        RowError(2, "parent", "B", "the parents form a loop"),
        RowError(3, "parent", "A", "the parents form a loop"),
    ]
    assert not Department.objects.filter(code__in=["A", "B"]).exists()


def test_it_reports_an_unknown_parent_and_head(cast, tmp_path):
    errors = _errors(tmp_path, "departments", "code,name,parent,head\nX,Xeno,Nowhere,E999\n")

    assert errors == [
        RowError(2, "parent", "Nowhere", "no such department"),
        RowError(2, "head", "E999", "no employee with this employee number"),
    ]


def test_it_imports_positions_and_checks_the_band_order(cast, tmp_path):
    report = _import(
        tmp_path,
        "positions",
        "code,title,job_family,grade,band_min,band_mid,band_max,currency\n"
        'ENG-4,Senior engineer,Engineering,4,"120,000","140,000","160,000",cny\n'
        "ENG-3,Engineer,Engineering,3,90000,110000,130000,CNY\n",
    )

    assert report.counts == {"positions": {"created": 1, "updated": 0, "unchanged": 1}}
    senior = Position.objects.get(code="ENG-4")
    assert (senior.band_min, senior.band_max, senior.currency) == (
        Decimal("120000.00"),
        Decimal("160000.00"),
        "CNY",
    )
    errors = _errors(
        tmp_path, "positions", "code,title,band_min,band_mid,band_max\nBAD,Bad,100,90,120\n"
    )
    assert errors == [
        RowError(2, "band_mid", "90", "the band is out of order: band_min 100.00 > 90.00")
    ]


def test_it_imports_reviews_on_employee_and_period(cast, tmp_path):
    text = (
        "employee,period,review_date,rating,potential,reviewer,comment\n"
        "E004,2024,2024-12-15,4,2,E003,Good\n"
    )

    assert _import(tmp_path, "reviews", text).counts == {
        "reviews": {"created": 1, "updated": 0, "unchanged": 0}
    }
    assert _import(tmp_path, "reviews", text).counts == {
        "reviews": {"created": 0, "updated": 0, "unchanged": 1}
    }
    review = Review.objects.get()
    assert (review.rating, review.potential, review.reviewer.employee_no) == (4, 2, "E003")
    assert _import(tmp_path, "reviews", text.replace(",4,2,", ",5,2,")).counts == {
        "reviews": {"created": 0, "updated": 1, "unchanged": 0}
    }


def test_it_rejects_a_rating_out_of_range_and_an_unknown_employee(cast, tmp_path):
    errors = _errors(tmp_path, "reviews", "employee,period,rating\nE004,2024,7\nE999,2024,3\n")

    assert errors == [
        RowError(2, "rating", "7", "must be from 1 to 5"),
        RowError(3, "employee", "E999", "no employee with this employee number"),
    ]
    assert Review.objects.count() == 0


def test_it_imports_skill_levels_creating_missing_skills(cast, tmp_path):
    report = _import(
        tmp_path,
        "skills",
        "employee,skill,level,assessed_on,category\n"
        "E004,5G core network,4,2024-05-01,Network\n"
        "E005,5G Core Network,2,,Network\n",
    )

    assert report.counts == {
        "employee_skills": {"created": 2, "updated": 0, "unchanged": 0},
        "skills": {"created": 1, "updated": 0, "unchanged": 0},
    }
    skill = Skill.objects.get()
    assert (skill.code, skill.name, skill.category) == (
        "5G-CORE-NETWORK",
        "5G core network",
        "Network",
    )
    assert EmployeeSkill.objects.get(employee__employee_no="E004").level == 4


def test_it_imports_pay_history_without_touching_current_pay(cast, tmp_path):
    report = _import(
        tmp_path,
        "pay",
        "employee,effective_date,base_pay,previous_base_pay,reason,note\n"
        'E004,2023-01-01,"95,000",90000,Pay review,annual\n'
        "E004,2022-01-01,90000,,,\n",
    )

    assert report.counts == {"pay_changes": {"created": 2, "updated": 0, "unchanged": 0}}
    changes = PayChange.objects.order_by("effective_date").values_list(
        "effective_date", "base_pay", "reason"
    )
    assert list(changes) == [
        (dt.date(2022, 1, 1), Decimal("90000.00"), "import"),
        (dt.date(2023, 1, 1), Decimal("95000.00"), "review"),
    ]
    assert cast.employee.employee.base_pay == Decimal("100000")


def test_a_pay_history_import_names_every_amount_it_wrote_in_the_audit(cast, tmp_path):
    from gmassist.core.choices import AuditAction
    from gmassist.core.models import AuditEntry

    header = "employee,effective_date,base_pay\n"
    _import(tmp_path, "pay", header + "E004,2022-01-01,90000\n")
    _import(tmp_path, "pay", header + "E004,2022-01-01,91000\nE005,2023-01-01,80000\n")

    entries = AuditEntry.objects.filter(
        target_type="org.paychange", action=AuditAction.UPDATE
    ).order_by("id")
    assert [entry.changes["pay_history"] for entry in entries] == [
        [["E004", "2022-01-01", None, "90000.00"]],
        [
            ["E004", "2022-01-01", "90000.00", "91000.00"],
            ["E005", "2023-01-01", None, "80000.00"],
        ],
    ]
