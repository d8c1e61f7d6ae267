"""Deputies for approvals during an absence: naming and ending one, the days it covers, and a
deputy deciding a proposal on behalf of the principal under the principal's limits, with the
subject rule held for both."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from gmassist.core.choices import AuditAction, ProposalStatus
from gmassist.core.models import ApprovalDeputy, AuditEntry
from gmassist.core.selectors import deputy_principals, proposals_visible
from gmassist.core.services import (
    deputy_end,
    deputy_name,
    proposal_approve,
    proposal_check_may_decide,
    proposal_reject,
)
from gmassist.org.models import Employee
from gmassist.org.services import pay_change_propose

TODAY = dt.date(2026, 12, 3)
NOON = dt.datetime(2026, 12, 3, 4, tzinfo=dt.UTC)  # noon in Shanghai


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOON, tick=False):
        yield


def _away(principal, deputy, *, start=TODAY, end=TODAY + dt.timedelta(days=4), by=None):
    return deputy_name(
        principal=principal, deputy=deputy, starts_on=start, ends_on=end, by=by or principal
    )


def _raise(cast, employee_no="E004", by=None, new_pay="108000"):
    return pay_change_propose(
        employee=Employee.objects.get(employee_no=employee_no),
        new_base_pay=Decimal(new_pay),
        effective_date=dt.date(2026, 12, 1),
        rationale="Below band midpoint after a strong year",
        by=by or cast.head,
    )


def test_a_principal_names_their_deputy_and_it_is_audited(cast):
    row = _away(cast.hr, cast.outsider)
    assert (row.principal, row.deputy, row.named_by) == (cast.hr, cast.outsider, cast.hr)
    entry = AuditEntry.objects.get(target_type="core.approvaldeputy")
    assert entry.changes == {
        "principal": "Harriet Ross",
        "deputy": "Oscar Outsider",
        "starts_on": "2026-12-03",
        "ends_on": "2026-12-07",
    }


def test_nobody_names_a_deputy_for_someone_else_but_the_gms_office(cast):
    with pytest.raises(PermissionDenied, match="for yourself only"):
        _away(cast.hr, cast.outsider, by=cast.head)
    assert ApprovalDeputy.objects.count() == 0
    assert _away(cast.hr, cast.outsider, by=cast.assistant).named_by == cast.assistant


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        (TODAY, TODAY - dt.timedelta(days=1), "ends_on", "The last day is before the first day."),
        (
            TODAY - dt.timedelta(days=5),
            TODAY - dt.timedelta(days=1),
            "ends_on",
            "The last day is in the past.",
        ),
        (TODAY, TODAY + dt.timedelta(days=366), "ends_on", "A deputyship covers at most 366 days."),
    ],
)
def test_bad_dates_are_refused_by_field(cast, start, end, field, message):
    with pytest.raises(ValidationError) as error:
        _away(cast.hr, cast.outsider, start=start, end=end)
    assert error.value.message_dict == {field: [message]}


def test_a_deputy_is_someone_else_and_active(cast):
    with pytest.raises(ValidationError, match="someone else"):
        _away(cast.hr, cast.hr)
    cast.outsider.is_active = False
    cast.outsider.save()
    with pytest.raises(ValidationError, match="cannot log in"):
        _away(cast.hr, cast.outsider)


def test_two_deputyships_of_one_principal_do_not_overlap(cast):
    _away(cast.hr, cast.outsider)
    with pytest.raises(ValidationError, match="Oscar Outsider is already deputy"):
        _away(cast.hr, cast.employee, start=TODAY + dt.timedelta(days=4))


def test_a_deputy_acts_only_on_the_days_named(cast):
    _away(
        cast.hr, cast.outsider, start=TODAY + dt.timedelta(days=1), end=TODAY + dt.timedelta(days=2)
    )
    assert deputy_principals(cast.outsider, on=TODAY) == []
    assert deputy_principals(cast.outsider, on=TODAY + dt.timedelta(days=1)) == [cast.hr]
    assert deputy_principals(cast.outsider, on=TODAY + dt.timedelta(days=2)) == [cast.hr]
    assert deputy_principals(cast.outsider, on=TODAY + dt.timedelta(days=3)) == []


def test_an_ended_deputyship_covers_no_day(cast):
    row = _away(cast.hr, cast.outsider)
    deputy_end(deputyship=row, by=cast.hr)
    assert deputy_principals(cast.outsider, on=TODAY) == []
    with pytest.raises(PermissionDenied):
        deputy_end(deputyship=row, by=cast.head)


def test_a_deputy_of_hr_approves_below_the_limit_on_behalf_of_hr(cast):
    proposal = _raise(cast)
    _away(cast.hr, cast.outsider)
    assert proposal_check_may_decide(proposal=proposal, by=cast.outsider) == cast.hr
    proposal = proposal_approve(proposal=proposal, by=cast.outsider, comment="covering")
    assert (proposal.status, proposal.decided_by) == (ProposalStatus.APPLIED, cast.outsider)
    entry = AuditEntry.objects.get(action=AuditAction.APPROVE)
    assert entry.actor == cast.outsider
    assert entry.changes["on_behalf_of"] == "Harriet Ross"
    assert entry.changes["on_behalf_of_user_id"] == cast.hr.pk


def test_a_deputy_rejects_on_behalf_of_the_principal(cast):
    proposal = _raise(cast)
    _away(cast.gm, cast.outsider)
    proposal_reject(proposal=proposal, by=cast.outsider, comment="Not now")
    entry = AuditEntry.objects.get(action=AuditAction.REJECT)
    assert entry.changes == {
        "comment": "Not now",
        "on_behalf_of": "Grace Manager",
        "on_behalf_of_user_id": cast.gm.pk,
    }


def test_the_hr_limit_still_holds_for_hrs_deputy(cast):
    proposal = _raise(cast, new_pay="130000")  # 30,000 a year, above HR's 20,000
    _away(cast.hr, cast.outsider)
    with pytest.raises(PermissionDenied, match="HR may decide people proposals costing less"):
        proposal_approve(proposal=proposal, by=cast.outsider)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.OPEN


def test_a_deputy_never_decides_their_own_case(cast):
    proposal = _raise(cast)  # about Emma
    _away(cast.gm, cast.employee)
    with pytest.raises(PermissionDenied, match="about you"):
        proposal_approve(proposal=proposal, by=cast.employee)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.OPEN


def test_a_deputy_never_decides_a_proposal_about_the_gm(cast):
    proposal = _raise(cast, employee_no="E001", by=cast.hr)
    _away(cast.hr, cast.outsider)
    with pytest.raises(PermissionDenied, match="about the GM"):
        proposal_approve(proposal=proposal, by=cast.outsider)


def test_a_deputy_never_decides_what_the_principal_made(cast):
    proposal = _raise(cast, by=cast.hr)
    _away(cast.hr, cast.outsider)
    with pytest.raises(PermissionDenied, match="made themselves"):
        proposal_approve(proposal=proposal, by=cast.outsider)


def test_a_deputy_never_decides_a_proposal_they_made(cast):
    proposal = _raise(cast, by=cast.head)
    _away(cast.gm, cast.head)
    with pytest.raises(PermissionDenied, match="You made this proposal: as a deputy"):
        proposal_approve(proposal=proposal, by=cast.head)


def test_outside_the_dates_a_deputy_decides_nothing(cast):
    proposal = _raise(cast)
    _away(cast.hr, cast.outsider, start=TODAY + dt.timedelta(days=1))
    with pytest.raises(PermissionDenied, match="your role may not decide"):
        proposal_approve(proposal=proposal, by=cast.outsider)


def test_a_deputy_sees_the_principals_open_proposals_while_acting(cast):
    proposal = _raise(cast)
    assert list(proposals_visible(user=cast.outsider)) == []
    _away(cast.hr, cast.outsider)
    cast.outsider._deputyships_acting = None  # a new request
    assert list(proposals_visible(user=cast.outsider)) == [proposal]


def test_the_proposal_page_says_on_whose_behalf_and_until_when(client, cast):
    proposal = _raise(cast)
    _away(cast.hr, cast.outsider)
    client.force_login(cast.outsider)
    response = client.get(f"/proposals/{proposal.pk}/")
    assert response.status_code == 200
    assert "You decide on behalf of Harriet Ross until 2026-12-07." in response.content.decode()
