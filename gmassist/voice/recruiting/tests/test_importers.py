"""Imports and exports of agencies, requisitions and candidates through the core registry:
all or nothing, dry runs, row errors, re-import changes nothing, export imports back."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

from gmassist.core.imports import ImportFailed, RowError, export_entity, import_file
from gmassist.core.permissions import SYSTEM
from gmassist.voice.recruiting.models import Candidate, RecruitingAgency, Requisition
from gmassist.voice.recruiting.tests.factories import (
    make_agency,
    make_candidate,
    make_requisition,
)


def _import(tmp_path: Path, entity: str, text: str, dry_run: bool = False, by=SYSTEM):
    path = tmp_path / f"{entity}.csv"
    path.write_text(text, encoding="utf-8")
    return import_file(entity=entity, path=path, mapping=None, by=by, dry_run=dry_run)


def _errors(tmp_path: Path, entity: str, text: str) -> list[RowError]:
    with pytest.raises(ImportFailed) as caught:
        _import(tmp_path, entity, text)
    return caught.value.report.errors


AGENCIES = (
    "name,kind,contact_person,email,specialities,regions,fee_percent,guarantee_days,status\n"
    "Alpha Search,agency,Ann Alpha,ann@alpha.example,Sales; Retail,East,18.5,60,active\n"
    "北京猎聘,headhunter,王芳,wang@liepin.example,Engineering；5G,北京,25,180,\n"
)


def test_it_imports_agencies_and_a_second_time_changes_nothing(db, tmp_path):
    make_agency()  # updated by the file
    report = _import(tmp_path, "recruiting_agencies", AGENCIES)

    assert report.counts == {"recruiting_agencies": {"created": 1, "updated": 1, "unchanged": 0}}
    alpha = RecruitingAgency.objects.get(name="Alpha Search")
    assert (alpha.specialities, alpha.fee_percent, alpha.guarantee_days) == (
        ["Sales", "Retail"],
        Decimal("18.50"),
        60,
    )
    beijing = RecruitingAgency.objects.get(name="北京猎聘")
    assert (beijing.kind, beijing.specialities, beijing.regions, beijing.status) == (
        "headhunter",
        ["Engineering", "5G"],
        ["北京"],
        "active",
    )
    again = _import(tmp_path, "recruiting_agencies", AGENCIES)
    assert again.counts == {"recruiting_agencies": {"created": 0, "updated": 0, "unchanged": 2}}


def test_an_agency_import_is_all_or_nothing_with_every_error(db, tmp_path):
    errors = _errors(
        tmp_path,
        "recruiting_agencies",
        "name,kind,email,fee_percent,guarantee_days\n"
        "Good One,agency,good@example.com,20,90\n"
        "Bad One,broker,not-an-address,150,900\n",
    )
    assert errors == [
        RowError(3, "kind", "broker", "not one of agency, headhunter"),
        RowError(3, "email", "not-an-address", "not an e-mail address"),
        RowError(3, "fee_percent", "150", "must be from 0 to 100"),
        RowError(3, "guarantee_days", "900", "must be from 0 to 730"),
    ]
    assert RecruitingAgency.objects.count() == 0


def test_a_dry_run_counts_and_writes_nothing(db, tmp_path):
    report = _import(tmp_path, "recruiting_agencies", AGENCIES, dry_run=True)
    assert report.counts["recruiting_agencies"] == {"created": 2, "updated": 0, "unchanged": 0}
    assert RecruitingAgency.objects.count() == 0


def test_it_imports_requisitions_finding_positions_and_departments_by_name(cast, tmp_path):
    report = _import(
        tmp_path,
        "requisitions",
        "code,position,department,headcount,urgency,target_date,reason,status,opened_on,closed_on\n"
        "REQ-1,Engineer,R&D,2,critical,2026-04-01,growth,open,2026-01-10,\n"
        "REQ-2,SAL-2,SALES-E,,,2026-02-01,,filled,2026-01-02,2026-01-30\n",
    )
    assert report.counts == {"requisitions": {"created": 2, "updated": 0, "unchanged": 0}}
    one = Requisition.objects.get(code="REQ-1")
    assert (one.position, one.department, one.headcount, one.urgency) == (
        cast.engineer,
        cast.rnd,
        2,
        "critical",
    )
    two = Requisition.objects.get(code="REQ-2")
    assert (two.headcount, two.urgency, two.reason, two.closed_on) == (
        1,
        "normal",
        "replacement",
        dt.date(2026, 1, 30),
    )


def test_a_requisition_import_reports_the_rules_of_the_table_as_row_errors(cast, tmp_path):
    errors = _errors(
        tmp_path,
        "requisitions",
        "code,position,department,target_date,status,opened_on,closed_on\n"
        "REQ-1,Pilot,Nowhere,2026-04-01,open,2026-01-10,2026-02-01\n"
        "REQ-2,ENG-3,RND,2026-01-01,filled,2026-01-10,\n"
        "REQ-3,ENG-3,RND,,open,,\n",
    )
    assert errors == [
        RowError(2, "position", "Pilot", "no such position"),
        RowError(2, "department", "Nowhere", "no such department"),
        RowError(2, "closed_on", "2026-02-01", "an open requisition has no closing date"),
        RowError(3, "closed_on", "", "a filled or cancelled requisition needs its closing date"),
        RowError(
            3, "target_date", "2026-01-01", "the target date cannot be before the opening date"
        ),
        RowError(4, "target_date", "", "target_date is required"),
        RowError(4, "opened_on", "", "opened_on is required"),
    ]
    assert Requisition.objects.count() == 0


def test_it_imports_candidates_with_agency_and_hired_employee(cast, tmp_path):
    requisition = make_requisition(cast)
    make_agency()
    make_candidate(requisition, "Lin Wei", agency=RecruitingAgency.objects.get())
    text = (
        "requisition,name,source,agency,stage,applied_on,interview_on,hired_on,hired_employee\n"
        "REQ-2026-001,Lin Wei,agency,alpha search,hired,2026-01-10,2026-01-20,2026-02-01,E004\n"
        "req-2026-001,Mei Chen,referral,,interview,2026-01-12,2026-01-25,,\n"
    )
    report = _import(tmp_path, "candidates", text)
    assert report.counts == {"candidates": {"created": 1, "updated": 1, "unchanged": 0}}
    lin = Candidate.objects.get(full_name="Lin Wei")
    assert (lin.stage, lin.hired_on, lin.hired_employee) == (
        "hired",
        dt.date(2026, 2, 1),
        cast.employee.employee,
    )
    assert Candidate.objects.get(full_name="Mei Chen").source == "referral"
    again = _import(tmp_path, "candidates", text)
    assert again.counts["candidates"] == {"created": 0, "updated": 0, "unchanged": 2}


def test_a_candidate_import_checks_stage_dates_and_sources(cast, tmp_path):
    make_requisition(cast)
    errors = _errors(
        tmp_path,
        "candidates",
        "requisition,name,source,agency,stage,applied_on,offer_on,hired_employee\n"
        "REQ-9,Nobody,direct,,applied,2026-01-01,,\n"
        "REQ-2026-001,Ann,agency,,applied,2026-01-01,,\n"
        "REQ-2026-001,Bo,direct,,offer,2026-01-01,,E004\n",
    )
    assert errors == [
        RowError(2, "requisition", "REQ-9", "no requisition with this code"),
        RowError(3, "agency", "", "a candidate from an agency names the agency"),
        RowError(4, "offer_on", "", "the stage offer needs its date"),
        RowError(4, "hired_employee", "E004", "only a hired candidate is linked to an employee"),
    ]
    assert Candidate.objects.count() == 0


@pytest.mark.parametrize("entity", ["recruiting_agencies", "requisitions", "candidates"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_imports_back_unchanged(cast, tmp_path, entity, fmt):
    agency = make_agency(specialities=["Sales", "Retail"])
    requisition = make_requisition(cast)
    make_candidate(
        requisition,
        agency=agency,
        stage="hired",
        hired_on=dt.date(2026, 2, 1),
        hired_employee=cast.employee.employee,
    )
    path = tmp_path / f"{entity}.{fmt}"
    written = export_entity(entity=entity, fmt=fmt, out=path, user=cast.hr)
    assert written == 1
    report = import_file(entity=entity, path=path, mapping=None, by=cast.hr, dry_run=False)
    assert list(report.counts.values()) == [{"created": 0, "updated": 0, "unchanged": 1}]


def test_a_head_exports_only_their_subtree_and_may_not_import(cast, tmp_path):
    make_requisition(cast)
    make_requisition(cast, code="REQ-RND", department=cast.rnd, position=cast.engineer)
    path = tmp_path / "requisitions.csv"
    assert export_entity(entity="requisitions", fmt="csv", out=path, user=cast.head) == 1
    assert export_entity(entity="recruiting_agencies", fmt="csv", out=path, user=cast.head) == 0
    with pytest.raises(PermissionDenied):
        import_file(entity="requisitions", path=path, mapping=None, by=cast.head, dry_run=False)
