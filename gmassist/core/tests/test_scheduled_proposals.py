"""Approved changes take effect on their day: a pay change approved before its effective date
is scheduled, the pay and every figure from it stay what holds today, and the daily
`core.apply_due` job applies it on the day (once, whoever runs it, and after a restart)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from gmassist.core import schedule
from gmassist.core.choices import AuditAction, JobStatus, ProposalStatus
from gmassist.core.models import AuditEntry, Job
from gmassist.core.permissions import SYSTEM
from gmassist.core.proposals import APPLY_DUE
from gmassist.core.services import proposal_approve, proposals_apply_due
from gmassist.core.worker import Worker
from gmassist.org.choices import EmployeeStatus
from gmassist.org.models import Employee, PayChange
from gmassist.org.services import pay_change_propose

TODAY = dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.UTC)
NEW_YEAR = dt.date(2027, 1, 1)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def _emma() -> Employee:
    return Employee.objects.get(employee_no="E004")


def _raise_for_emma(effective: dt.date = NEW_YEAR):
    return pay_change_propose(
        employee=_emma(),
        new_base_pay=Decimal("112000"),
        effective_date=effective,
        rationale="below the band",
        by=SYSTEM,
    )


def test_a_pay_change_approved_before_its_date_is_scheduled_and_changes_nothing_yet(cast):
    proposal = proposal_approve(proposal=_raise_for_emma(), by=cast.gm)

    assert (proposal.status, proposal.effective_on, proposal.applied_at) == (
        ProposalStatus.SCHEDULED,
        NEW_YEAR,
        None,
    )
    assert _emma().base_pay == Decimal("100000.00")
    assert not PayChange.objects.exists()
    approval = AuditEntry.objects.get(action=AuditAction.APPROVE)
    assert approval.changes == {"comment": "", "takes_effect_on": "2027-01-01"}
    assert not AuditEntry.objects.filter(action=AuditAction.APPLY).exists()


def test_the_employee_page_and_the_api_show_it_as_upcoming_and_todays_pay(client, cast):
    proposal = proposal_approve(proposal=_raise_for_emma(), by=cast.gm)
    client.force_login(cast.hr)

    pay = client.get(f"/api/employees/{_emma().pk}/pay").json()
    page = client.get(f"/org/employees/{_emma().pk}/").content.decode()

    assert (pay["base_pay"], pay["compa_ratio"]) == ("100000.00", "1.000")
    assert pay["upcoming"] == [
        {
            "proposal_id": proposal.pk,
            "title": "Pay change for Emma Employee: 100,000 → 112,000 CNY (+12.0%)",
            "takes_effect_on": "2027-01-01",
            "new_base_pay": "112000.00",
        }
    ]
    assert '<dd data-testid="base-pay">100,000</dd>' in page
    assert "112,000 from 2027-01-01" in page


def test_on_its_day_the_job_applies_it_once(cast):
    proposal = proposal_approve(proposal=_raise_for_emma(), by=cast.gm)

    assert proposals_apply_due(today=dt.date(2026, 12, 31)) == {"applied": [], "lapsed": []}
    assert proposals_apply_due(today=NEW_YEAR) == {"applied": [proposal.pk], "lapsed": []}
    assert proposals_apply_due(today=NEW_YEAR) == {"applied": [], "lapsed": []}

    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.APPLIED
    assert _emma().base_pay == Decimal("112000.00")
    [change] = PayChange.objects.all()
    assert (change.effective_date, change.previous_base_pay, change.proposal_id) == (
        NEW_YEAR,
        Decimal("100000.00"),
        proposal.pk,
    )
    applied = AuditEntry.objects.get(action=AuditAction.APPLY)
    assert (applied.actor_id, applied.target_id) == (None, str(proposal.pk))


def test_a_day_missed_is_caught_up_at_the_next_run(cast):
    proposal = proposal_approve(proposal=_raise_for_emma(), by=cast.gm)

    assert proposals_apply_due(today=dt.date(2027, 1, 9)) == {
        "applied": [proposal.pk],
        "lapsed": [],
    }


def test_one_the_data_no_longer_allows_lapses_with_its_reason_and_changes_nothing(cast):
    proposal = proposal_approve(proposal=_raise_for_emma(), by=cast.gm)
    Employee.objects.filter(employee_no="E004").update(
        status=EmployeeStatus.LEFT, leave_date=dt.date(2026, 12, 20)
    )

    assert proposals_apply_due(today=NEW_YEAR) == {"applied": [], "lapsed": [proposal.pk]}

    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.LAPSED
    assert proposal.result == {
        "error": {"employee_id": ["Emma Employee (E004) has left the company"]}
    }
    assert _emma().base_pay == Decimal("100000.00")
    assert not PayChange.objects.exists()


def test_a_change_effective_today_or_before_is_applied_when_approved(cast):
    proposal = proposal_approve(proposal=_raise_for_emma(dt.date(2026, 12, 2)), by=cast.gm)

    assert proposal.status == ProposalStatus.APPLIED
    assert _emma().base_pay == Decimal("112000.00")


def test_the_embedded_worker_runs_the_daily_job_without_cron(
    transactional_db, cast, settings, monkeypatch
):
    settings.GMASSIST_JOBS_EAGER = False
    # only this app's recurring job: the others would run here too
    daily = {job.kind: job for job in schedule.recurring_jobs()}[APPLY_DUE]
    monkeypatch.setattr(schedule, "_RECURRING", {APPLY_DUE: daily})
    proposal = proposal_approve(proposal=_raise_for_emma(), by=cast.gm)

    with time_machine.travel(dt.datetime(2027, 1, 1, 0, 5, tzinfo=dt.UTC), tick=False):
        assert Worker(schedule=True).run(burst=True) == 1

    [job] = Job.objects.filter(kind=APPLY_DUE)
    assert (job.status, job.result) == (
        JobStatus.SUCCEEDED,
        {"applied": [proposal.pk], "lapsed": []},
    )
    assert _emma().base_pay == Decimal("112000.00")


def test_the_proposal_page_says_when_it_takes_effect_in_both_languages(client, cast):
    proposal = proposal_approve(proposal=_raise_for_emma(), by=cast.gm)
    client.force_login(cast.hr)

    english = client.get(f"/proposals/{proposal.pk}/").content.decode()
    client.cookies["django_language"] = "zh-hans"
    chinese = client.get(f"/proposals/{proposal.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert "Approved, takes effect on its date" in english
    assert '<span data-testid="proposal-takes-effect">takes effect on 2027-01-01</span>' in english
    assert "2027-01-01 生效" in chinese.content.decode()
