"""Pay changes only through proposals: an import's new pay for existing employees becomes one
batch pay-change proposal, decided under the one rule; only a new employee's starting pay is
set directly; every pay write names its amounts in the audit."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from gmassist.core.choices import AuditAction, JobStatus, ProposalStatus
from gmassist.core.imports import import_file
from gmassist.core.jobs import job_run
from gmassist.core.models import AuditEntry, Company, Job, Proposal
from gmassist.core.permissions import SYSTEM
from gmassist.core.services import (
    proposal_approve,
    proposal_needs_outside_decision,
    proposal_record_outside_decision,
)
from gmassist.org.choices import PayChangeReason
from gmassist.org.models import Employee, PayChange
from gmassist.org.services import PAY_CHANGE_BATCH

BATCH = PAY_CHANGE_BATCH


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _file(tmp_path: Path, text: str, name: str = "pay.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _import(path: Path, by=SYSTEM, dry_run: bool = False):
    return import_file(entity="employees", path=path, mapping=None, by=by, dry_run=dry_run)


def _pay(employee_no: str) -> Decimal:
    return Employee.objects.get(employee_no=employee_no).base_pay


def _employee_audits() -> list[AuditEntry]:
    """The audit entries of writes to employees (not the import's own entry)."""
    return list(
        AuditEntry.objects.filter(target_type="org.employee")
        .exclude(action=AuditAction.IMPORT)
        .order_by("id")
    )


# --- the probe of the issue: HR imports its own pay through the API --------------------------


def test_hrs_own_pay_in_an_api_import_becomes_a_proposal_hr_cannot_decide(
    client, cast, media, django_capture_on_commit_callbacks
):
    client.force_login(cast.hr)
    upload = SimpleUploadedFile("pay.csv", b"employee_no,base_pay\nE002,999999\n")
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post("/api/imports", {"file": upload, "entity": "employees"})
    assert response.status_code == 202, response.content
    job_run(response.json()["id"])

    result = client.get(f"/api/jobs/{response.json()['id']}").json()
    assert result["status"] == JobStatus.SUCCEEDED
    proposal = Proposal.objects.get()
    assert result["result"]["counts"]["employees"] == {"created": 0, "updated": 0, "unchanged": 1}
    assert result["result"]["proposals"] == [
        {
            "id": proposal.pk,
            "kind": BATCH,
            "lines": 1,
            "message": f"1 pay change became proposal #{proposal.pk}; it changes nothing until "
            "approved.",
        }
    ]
    assert _pay("E002") == Decimal("100000.00")
    assert PayChange.objects.count() == 0
    assert _employee_audits() == []
    imported = AuditEntry.objects.get(action=AuditAction.IMPORT)
    assert imported.changes["proposals"] == [proposal.pk]

    denied = client.post(
        f"/api/proposals/{proposal.pk}/approve", {}, content_type="application/json"
    )
    assert denied.status_code == 403
    assert "about you" in denied.json()["detail"]
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.OPEN
    assert _pay("E002") == Decimal("100000.00")


# --- the batch ---------------------------------------------------------------------------------

TWO = "employee_no,base_pay\nE004,108000\nE005,95000\nE006,100000\n"  # E006 unchanged


def test_an_import_makes_one_batch_listing_every_changed_line_with_old_and_new(cast, tmp_path):
    report = _import(_file(tmp_path, TWO), by=cast.assistant)

    proposal = Proposal.objects.get()
    assert proposal.kind == BATCH
    assert proposal.proposed_by == cast.assistant
    assert proposal.cost == Decimal("8000.00")  # the increases; a cut costs nothing
    assert proposal.payload["effective_date"] == dt.date.today().isoformat()
    assert proposal.payload["source"] == "pay.csv"
    assert [
        (line["employee_no"], line["current_base_pay"], line["new_base_pay"], line["change"])
        for line in proposal.payload["lines"]
    ] == [
        ("E004", "100000.00", "108000.00", "8000.00"),
        ("E005", "100000.00", "95000.00", "-5000.00"),
    ]
    assert [p["id"] for p in report.proposals] == [proposal.pk]
    assert (_pay("E004"), _pay("E005")) == (Decimal("100000.00"), Decimal("100000.00"))


def test_approving_the_batch_writes_every_line_and_its_history_and_audits_the_amounts(
    cast, tmp_path
):
    _import(_file(tmp_path, TWO), by=cast.assistant)
    proposal = Proposal.objects.get()

    decided = proposal_approve(proposal=proposal, by=cast.gm)

    assert decided.status == ProposalStatus.APPLIED
    assert decided.result == {"applied": 2, "skipped": 0}
    assert (_pay("E004"), _pay("E005")) == (Decimal("108000.00"), Decimal("95000.00"))
    history = sorted(
        PayChange.objects.values_list(
            "employee__employee_no", "base_pay", "previous_base_pay", "reason", "proposal_id"
        )
    )
    assert history == [
        ("E004", Decimal("108000.00"), Decimal("100000.00"), PayChangeReason.IMPORT, proposal.pk),
        ("E005", Decimal("95000.00"), Decimal("100000.00"), PayChangeReason.IMPORT, proposal.pk),
    ]
    (audit,) = _employee_audits()
    assert (audit.actor, audit.action) == (cast.gm, AuditAction.UPDATE)
    assert audit.changes["base_pay"] == {
        "E004": ["100000.00", "108000.00"],
        "E005": ["100000.00", "95000.00"],
    }


def test_a_line_whose_pay_moved_since_the_batch_is_skipped(cast, tmp_path):
    _import(_file(tmp_path, TWO), by=cast.assistant)
    Employee.objects.filter(employee_no="E005").update(base_pay=Decimal("101000"))

    decided = proposal_approve(proposal=Proposal.objects.get(), by=cast.gm)

    assert decided.result == {"applied": 1, "skipped": 1}
    assert (_pay("E004"), _pay("E005")) == (Decimal("108000.00"), Decimal("101000.00"))


def test_nobody_with_a_line_in_the_batch_decides_it(cast, tmp_path):
    text = "employee_no,base_pay\nE002,101000\nE004,101000\n"  # HR's own line among others
    _import(_file(tmp_path, text), by=cast.assistant)
    proposal = Proposal.objects.get()

    with pytest.raises(PermissionDenied, match="about you"):
        proposal_approve(proposal=proposal, by=cast.hr)

    assert _pay("E002") == Decimal("100000.00")
    assert proposal_approve(proposal=proposal, by=cast.gm).status == ProposalStatus.APPLIED


def test_hr_decides_a_batch_about_others_below_its_limit_and_not_above(cast, tmp_path):
    _import(_file(tmp_path, "employee_no,base_pay\nE004,101000\n"), by=cast.assistant)
    small = Proposal.objects.get()
    assert proposal_approve(proposal=small, by=cast.hr).status == ProposalStatus.APPLIED

    _import(_file(tmp_path, "employee_no,base_pay\nE005,150000\n", "big.csv"), by=cast.assistant)
    big = Proposal.objects.get(payload__source="big.csv")
    assert big.cost >= Company.get().hr_approval_limit
    with pytest.raises(PermissionDenied, match="the GM decides it"):
        proposal_approve(proposal=big, by=cast.hr)


def test_the_gms_line_becomes_a_batch_of_its_own_decided_outside(cast, tmp_path):
    text = "employee_no,base_pay\nE001,200000\nE004,101000\n"
    report = _import(_file(tmp_path, text), by=cast.hr)

    company, gm_own = Proposal.objects.order_by("id")
    assert [line["employee_no"] for line in company.payload["lines"]] == ["E004"]
    assert [line["employee_no"] for line in gm_own.payload["lines"]] == ["E001"]
    assert [p["id"] for p in report.proposals] == [company.pk, gm_own.pk]
    assert not proposal_needs_outside_decision(proposal=company)
    assert proposal_needs_outside_decision(proposal=gm_own)
    with pytest.raises(PermissionDenied, match="decided outside"):
        proposal_approve(proposal=gm_own, by=cast.gm)

    proposal_record_outside_decision(
        proposal=gm_own,
        by=cast.assistant,
        approved=True,
        decided_by="Board of directors",
        decided_on=dt.date(2025, 12, 15),
        reference="Board resolution 2025-17",
    )
    assert _pay("E001") == Decimal("200000.00")


# --- what is written directly, and what never is ---------------------------------------------


def test_a_new_employees_starting_pay_is_set_directly_and_audited_with_its_amount(cast, tmp_path):
    text = (
        "employee_no,full_name,department,hire_date,base_pay\n"
        "N001,Nora New,RND,2026-01-05,88000\n"
        "N002,Ned New,RND,2026-01-05,\n"
    )
    _import(_file(tmp_path, text, "hires.csv"), by=cast.hr)

    assert _pay("N001") == Decimal("88000.00")
    assert Proposal.objects.count() == 0
    (audit,) = _employee_audits()
    assert (audit.actor, audit.action, audit.target_repr) == (
        cast.hr,
        AuditAction.CREATE,
        "starting pay of 1 employees (hires.csv)",
    )
    assert audit.changes == {"base_pay": {"N001": "88000.00"}}


def test_an_empty_pay_cell_does_not_clear_a_recorded_pay(cast, tmp_path):
    report = _import(_file(tmp_path, "employee_no,base_pay\nE004,\n"), by=cast.hr)

    assert _pay("E004") == Decimal("100000.00")
    assert Proposal.objects.count() == 0
    assert [(w.row, w.column) for w in report.warnings] == [(2, "base_pay")]


def test_a_dry_run_says_the_pay_changes_would_become_a_proposal_and_makes_none(cast, tmp_path):
    report = _import(_file(tmp_path, TWO), by=cast.hr, dry_run=True)

    assert report.proposals == [
        {
            "id": None,
            "kind": BATCH,
            "lines": 2,
            "message": "2 pay changes of existing employees would become a proposal; they "
            "change nothing until approved.",
        }
    ]
    assert Proposal.objects.count() == 0


def test_reimporting_the_same_pay_proposes_nothing(cast, tmp_path):
    report = _import(_file(tmp_path, "employee_no,base_pay\nE004,100000\n"), by=cast.hr)
    assert report.proposals == []
    assert Proposal.objects.count() == 0


def test_an_import_by_the_system_proposes_too(cast, tmp_path):
    _import(_file(tmp_path, "employee_no,base_pay\nE004,120000\n"), by=SYSTEM)
    proposal = Proposal.objects.get()
    assert proposal.proposed_by is None
    assert _pay("E004") == Decimal("100000.00")


# --- where the user reads it -------------------------------------------------------------------


def test_the_import_page_names_the_proposal_and_links_to_it(
    client, cast, media, django_capture_on_commit_callbacks
):
    client.force_login(cast.hr)
    with django_capture_on_commit_callbacks(execute=False):
        client.post(
            "/imports/",
            {
                "entity": "employees",
                "file": SimpleUploadedFile("pay.csv", TWO.encode()),
                "dry_run": "",
            },
        )
    job = Job.objects.get()
    job_run(job.pk)
    if job.params.get("dry_run"):  # the page starts with a dry run: confirm it
        dry = client.get(reverse("job", args=[job.pk])).content.decode()
        assert "would become a proposal" in dry
        with django_capture_on_commit_callbacks(execute=False):
            client.post(reverse("import-confirm", args=[job.pk]))
        job = Job.objects.exclude(pk=job.pk).get()
        job_run(job.pk)

    page = client.get(reverse("job", args=[job.pk])).content.decode()

    proposal = Proposal.objects.get()
    assert f"2 pay changes became proposal #{proposal.pk}" in page
    assert f'href="/proposals/{proposal.pk}/"' in page


def test_the_proposal_page_lists_the_batchs_lines(client, cast, tmp_path):
    _import(_file(tmp_path, TWO), by=cast.assistant)
    proposal = Proposal.objects.get()
    client.force_login(cast.gm)

    page = client.get(f"/proposals/{proposal.pk}/").content.decode()

    assert page.count('data-testid="pay-batch-line"') == 2
    assert "108,000.00" in page and "95,000.00" in page and "-5,000.00" in page
    assert "Pay changes for 2 employees (pay.csv)" in page


def test_the_import_command_prints_the_proposal(cast, tmp_path):
    out = io.StringIO()
    call_command("import", "employees", str(_file(tmp_path, TWO)), stdout=out)
    proposal = Proposal.objects.get()
    assert f"2 pay changes became proposal #{proposal.pk}" in out.getvalue()


def test_the_employee_api_refuses_a_pay_change_and_writes_nothing(client, cast):
    client.force_login(cast.hr)
    response = client.patch(
        f"/api/employees/{cast.hr.employee_id}",
        {"base_pay": "999999"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert _pay("E002") == Decimal("100000.00")
    assert _employee_audits() == []
