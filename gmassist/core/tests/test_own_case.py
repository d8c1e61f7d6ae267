"""Nobody decides their own case: a proposal about the decider is refused to them by every
path, for every registered kind; one about the GM is decided outside the application and the
decision is recorded."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gmassist.core.choices import AuditAction, ProposalStatus
from gmassist.core.models import AuditEntry, Proposal, User
from gmassist.core.proposals import proposal_subjects, registered_proposal_kinds
from gmassist.core.services import (
    proposal_approve,
    proposal_create,
    proposal_needs_outside_decision,
    proposal_record_outside_decision,
    proposal_reject,
)
from gmassist.customers.choices import ServiceChannel
from gmassist.customers.models import AccountManager, GroupCustomer
from gmassist.org.models import Employee, Position
from gmassist.org.services import pay_change_propose, promotion_propose

# --- one proposal of each kind about a given employee ----------------------------------------


def _pay_change(cast, employee: Employee) -> Proposal:
    return pay_change_propose(
        employee=employee,
        new_base_pay=Decimal("108000"),
        effective_date=dt.date(2026, 1, 1),
        rationale="below the band midpoint",
        by=cast.assistant,
    )


def _promotion(cast, employee: Employee) -> Proposal:
    senior, _created = Position.objects.get_or_create(
        code=f"{employee.position.code}-UP",
        defaults={
            "title": "Senior " + employee.position.title,
            "job_family": employee.position.job_family,
            "grade": employee.position.grade + 1,
            "band_min": Decimal("105000"),
        },
    )
    return promotion_propose(
        employee=employee,
        new_base_pay=Decimal("110000"),
        effective_date=dt.date(2026, 1, 1),
        rationale="ready for the next grade",
        by=cast.assistant,
        new_position=senior,
    )


def _pay_change_batch(cast, employee: Employee) -> Proposal:
    from gmassist.org.services import pay_changes_propose

    others = Employee.objects.get(employee_no="E005" if employee.employee_no != "E005" else "E003")
    lines = [
        {
            "employee_id": person.pk,
            "employee_no": person.employee_no,
            "name": person.full_name,
            "current_base_pay": person.base_pay,
            "new_base_pay": Decimal("104000"),
        }
        for person in (employee, others)
    ]
    proposals = pay_changes_propose(
        lines=lines, effective_date=dt.date(2026, 1, 1), source="pay.csv", by=cast.assistant
    )
    # the GM's line is a batch of its own (decided outside): the one about `employee`
    (proposal,) = [p for p in proposals if employee.pk in proposal_subjects(p)]
    return proposal


def _book_of(employee: Employee) -> tuple[AccountManager, GroupCustomer]:
    manager, _created = AccountManager.objects.get_or_create(employee=employee)
    customer = GroupCustomer.objects.create(
        code=f"C-{employee.employee_no}", name=f"Customer of {employee}", account_manager=manager
    )
    return manager, customer


def _retier(cast, employee: Employee) -> Proposal:
    _manager, customer = _book_of(employee)
    payload = {"month": "2026-10", "changes": [{"customer_id": customer.pk, "from": "", "to": "A"}]}
    return proposal_create(
        kind="customers.retier", title="Re-tier", payload=payload, rationale="r", by=cast.assistant
    )


def _reassign(cast, employee: Employee) -> Proposal:
    manager, customer = _book_of(employee)
    other, _created = AccountManager.objects.get_or_create(
        employee=Employee.objects.get(employee_no="E005")
    )
    moves = [{"customer_id": customer.pk, "from": manager.pk, "to": other.pk}]
    return proposal_create(
        kind="customers.reassign",
        title="Re-match",
        payload={"moves": moves},
        rationale="r",
        by=cast.assistant,
    )


def _reroute(cast, employee: Employee) -> Proposal:
    manager, customer = _book_of(employee)
    moves = [
        {
            "customer_id": customer.pk,
            "manager_id": manager.pk,
            "to_channel": ServiceChannel.CALL_CENTRE,
        }
    ]
    return proposal_create(
        kind="customers.reroute",
        title="Re-route",
        payload={"moves": moves},
        rationale="r",
        by=cast.assistant,
    )


def _incentive(cast, employee: Employee) -> Proposal:
    from gmassist.talent.models import IncentivePlan, IncentivePlanLine
    from gmassist.talent.services import incentive_propose

    plan, _created = IncentivePlan.objects.get_or_create(
        budget=Decimal("50000"),
        as_of=dt.date(2025, 12, 31),
        effective_date=dt.date(2026, 1, 1),
        created_by=cast.assistant,
    )
    line = IncentivePlanLine.objects.create(
        plan=plan,
        employee=employee,
        actions=[{"instrument": "bonus", "amount": 5000.0}],
        cost=Decimal("5000"),
        effect=1.0,
        value=10.0,
        risk_before=0.4,
        risk_after=0.3,
    )
    return incentive_propose(line=line, employee=employee, rationale="plan", by=cast.assistant)


# kind -> (make a proposal about an employee, the role that decides it when it is about
# somebody else)
KINDS: dict[str, tuple[Callable[..., Proposal], str]] = {
    "org.pay_change": (_pay_change, "hr"),
    "org.promotion": (_promotion, "hr"),
    "org.pay_change_batch": (_pay_change_batch, "hr"),
    "customers.retier": (_retier, "gm"),
    "customers.reassign": (_reassign, "gm"),
    "customers.reroute": (_reroute, "gm"),
    "talent.incentive": (_incentive, "hr"),
}


# kinds about nobody in particular, with the reason: nobody's own case can arise
ABOUT_NOBODY = {
    "workforce.requisition": "a requisition is about a position to fill",
}


def test_every_registered_kind_is_tested_here():
    assert sorted([*KINDS, *ABOUT_NOBODY]) == registered_proposal_kinds()


@pytest.mark.parametrize("kind", sorted(ABOUT_NOBODY))
def test_a_kind_about_nobody_names_no_subject(kind):
    from gmassist.core.proposals import proposal_kind

    assert proposal_kind(kind).subjects({}) == set()


def _decider(cast, role: str) -> User:
    return getattr(cast, role)


def _employee_of(user: User) -> Employee:
    return Employee.objects.get(pk=user.employee_id)


def _assert_open_and_undecided(proposal: Proposal) -> None:
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.OPEN
    assert proposal.decided_by is None
    assert not AuditEntry.objects.filter(
        action__in=[AuditAction.APPROVE, AuditAction.REJECT, AuditAction.APPLY],
        target_id=str(proposal.pk),
    ).exists()


# --- the rule, kind by kind ------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_it_names_the_employee_a_proposal_is_about_as_its_subject(cast, kind):
    make, _role = KINDS[kind]
    emma = Employee.objects.get(employee_no="E004")
    assert emma.pk in proposal_subjects(make(cast, emma))


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("decide", ["approve", "reject"])
def test_it_refuses_the_decider_a_proposal_is_about(cast, kind, decide):
    make, role = KINDS[kind]
    decider = _decider(cast, role)
    own = make(cast, _employee_of(decider))

    with pytest.raises(PermissionDenied, match=r"about (you|the GM)"):
        if decide == "approve":
            proposal_approve(proposal=own, by=decider)
        else:
            proposal_reject(proposal=own, by=decider, comment="no")

    _assert_open_and_undecided(own)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_same_decider_decides_it_about_someone_else(cast, kind):
    make, role = KINDS[kind]
    other = make(cast, Employee.objects.get(employee_no="E004"))
    decided = proposal_approve(proposal=other, by=_decider(cast, role))
    assert decided.status == ProposalStatus.APPLIED


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_proposal_about_the_gm_is_decided_by_nobody_inside(cast, kind):
    make, role = KINDS[kind]
    about_gm = make(cast, _employee_of(cast.gm))
    assert proposal_needs_outside_decision(proposal=about_gm)
    for user in {cast.gm, _decider(cast, role)}:
        with pytest.raises(PermissionDenied, match="decided outside the application"):
            proposal_approve(proposal=about_gm, by=user)
    _assert_open_and_undecided(about_gm)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_recording_the_outside_approval_applies_it_and_audits_who_when_and_the_reference(
    cast, kind
):
    make, _role = KINDS[kind]
    about_gm = make(cast, _employee_of(cast.gm))

    decided = proposal_record_outside_decision(
        proposal=about_gm,
        by=cast.assistant,
        approved=True,
        decided_by="Board of directors",
        decided_on=dt.date(2025, 12, 15),
        reference="Minutes 2025/12, item 4",
        comment="as resolved",
    )

    decided.refresh_from_db()
    assert decided.status == ProposalStatus.APPLIED
    assert decided.decided_by == cast.assistant
    assert (decided.outside_decided_by, decided.outside_decided_on, decided.outside_reference) == (
        "Board of directors",
        dt.date(2025, 12, 15),
        "Minutes 2025/12, item 4",
    )
    assert decided.result != {}
    approve = AuditEntry.objects.get(action=AuditAction.APPROVE, target_id=str(about_gm.pk))
    assert approve.actor == cast.assistant
    assert approve.changes == {
        "decided_outside_by": "Board of directors",
        "decided_outside_on": "2025-12-15",
        "reference": "Minutes 2025/12, item 4",
        "comment": "as resolved",
    }
    assert AuditEntry.objects.filter(action=AuditAction.APPLY, target_id=str(about_gm.pk)).count()


def test_recording_an_outside_rejection_keeps_it_and_changes_nothing(cast):
    gm_record = _employee_of(cast.gm)
    about_gm = _pay_change(cast, gm_record)

    decided = proposal_record_outside_decision(
        proposal=about_gm,
        by=cast.gm,
        approved=False,
        decided_by="Board of directors",
        decided_on=dt.date(2025, 12, 15),
        reference="Minutes 2025/12, item 5",
    )

    gm_record.refresh_from_db()
    assert decided.status == ProposalStatus.REJECTED
    assert decided.applied_at is None
    assert gm_record.base_pay == Decimal("100000.00")
    assert AuditEntry.objects.filter(action=AuditAction.REJECT).count() == 1


@pytest.mark.parametrize("role", ["hr", "head", "employee", "account_manager"])
def test_only_the_gm_or_the_assistant_records_an_outside_decision(cast, role):
    about_gm = _pay_change(cast, _employee_of(cast.gm))
    with pytest.raises(PermissionDenied):
        proposal_record_outside_decision(
            proposal=about_gm,
            by=getattr(cast, role),
            approved=True,
            decided_by="Board",
            decided_on=dt.date(2025, 12, 15),
            reference="M-1",
        )
    _assert_open_and_undecided(about_gm)


def test_an_outside_decision_needs_who_a_reference_and_a_day_not_in_the_future(cast):
    about_gm = _pay_change(cast, _employee_of(cast.gm))
    with pytest.raises(ValidationError) as caught:
        proposal_record_outside_decision(
            proposal=about_gm,
            by=cast.assistant,
            approved=True,
            decided_by=" ",
            decided_on=dt.date(2999, 1, 1),
            reference="",
        )
    assert sorted(caught.value.message_dict) == ["decided_by", "decided_on", "reference"]
    _assert_open_and_undecided(about_gm)


def test_a_proposal_about_someone_else_is_not_decided_outside(cast):
    proposal = _pay_change(cast, Employee.objects.get(employee_no="E004"))
    assert not proposal_needs_outside_decision(proposal=proposal)
    with pytest.raises(ValidationError, match="inside the application"):
        proposal_record_outside_decision(
            proposal=proposal,
            by=cast.gm,
            approved=True,
            decided_by="Board",
            decided_on=dt.date(2025, 12, 15),
            reference="M-1",
        )
    _assert_open_and_undecided(proposal)


# --- every path: the API, the page, the CLI -------------------------------------------------

PROBLEM = "application/problem+json"


def _hr_raise(cast) -> Proposal:
    """The assistant proposes +8,000 a year for HR's own record: below HR's limit."""
    return _pay_change(cast, _employee_of(cast.hr))


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    return response.json()


def _pay_of(user: User) -> Decimal:
    return Employee.objects.get(pk=user.employee_id).base_pay


@pytest.mark.parametrize("decide", ["approve", "reject"])
def test_hr_cannot_decide_its_own_raise_through_the_api(client, cast, decide):
    own = _hr_raise(cast)
    client.force_login(cast.hr)
    response = client.post(
        f"/api/proposals/{own.pk}/{decide}", {"comment": "fine"}, content_type="application/json"
    )
    body = _problem(response, 403)
    assert "about you" in body["detail"]
    _assert_open_and_undecided(own)
    assert _pay_of(cast.hr) == Decimal("100000.00")


def test_hr_cannot_decide_its_own_raise_on_the_page_and_is_told_why(client, cast):
    own = _hr_raise(cast)
    client.force_login(cast.hr)
    page = client.get(f"/proposals/{own.pk}/").content.decode()
    assert 'data-testid="decision-form"' not in page
    assert "This proposal is about you" in page

    response = client.post(f"/proposals/{own.pk}/decide/", {"decision": "approve"})

    assert response.status_code == 403
    assert "This proposal is about you" in response.content.decode()
    _assert_open_and_undecided(own)
    assert _pay_of(cast.hr) == Decimal("100000.00")


def test_hr_cannot_decide_its_own_raise_from_the_command_line(cast):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    own = _hr_raise(cast)
    with pytest.raises(CommandError, match="about you"):
        call_command("proposals", "approve", str(own.pk), "--user", "hr", stdout=StringIO())
    _assert_open_and_undecided(own)


def test_the_gm_decides_hrs_raise_through_the_api(client, cast):
    own = _hr_raise(cast)
    client.force_login(cast.gm)
    response = client.post(
        f"/api/proposals/{own.pk}/approve", {"comment": ""}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["needs_outside_decision"] is False
    assert _pay_of(cast.hr) == Decimal("108000.00")


def test_the_api_says_a_proposal_about_the_gm_waits_for_an_outside_decision(client, cast):
    about_gm = _pay_change(cast, _employee_of(cast.gm))
    other = _pay_change(cast, Employee.objects.get(employee_no="E004"))
    client.force_login(cast.hr)
    listed = {p["id"]: p for p in client.get("/api/proposals").json()["items"]}
    assert listed[about_gm.pk]["needs_outside_decision"] is True
    assert listed[other.pk]["needs_outside_decision"] is False
    assert listed[about_gm.pk]["outside_decision"] is None

    client.force_login(cast.gm)
    body = _problem(
        client.post(f"/api/proposals/{about_gm.pk}/approve", {}, content_type="application/json"),
        403,
    )
    assert "decided outside the application" in body["detail"]
    _assert_open_and_undecided(about_gm)


OUTSIDE = {
    "decision": "approved",
    "decided_by": "Board of directors",
    "decided_on": "2025-12-15",
    "reference": "Minutes 2025/12, item 4",
    "comment": "",
}


def test_the_assistant_records_the_boards_decision_through_the_api(client, cast):
    about_gm = _pay_change(cast, _employee_of(cast.gm))
    client.force_login(cast.assistant)

    response = client.post(
        f"/api/proposals/{about_gm.pk}/outside-decision", OUTSIDE, content_type="application/json"
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["decided_by"]["username"]) == ("applied", "assistant")
    assert body["outside_decision"] == {
        "decided_by": "Board of directors",
        "decided_on": "2025-12-15",
        "reference": "Minutes 2025/12, item 4",
    }
    assert body["needs_outside_decision"] is False
    assert _pay_of(cast.gm) == Decimal("108000.00")


def test_recording_an_outside_decision_needs_a_login(client, cast):
    about_gm = _pay_change(cast, _employee_of(cast.gm))
    response = client.post(
        f"/api/proposals/{about_gm.pk}/outside-decision", OUTSIDE, content_type="application/json"
    )
    _problem(response, 401)
    _assert_open_and_undecided(about_gm)


def test_hr_may_not_record_an_outside_decision_and_nothing_changes(client, cast):
    about_gm = _pay_change(cast, _employee_of(cast.gm))
    client.force_login(cast.hr)
    response = client.post(
        f"/api/proposals/{about_gm.pk}/outside-decision", OUTSIDE, content_type="application/json"
    )
    _problem(response, 403)
    _assert_open_and_undecided(about_gm)
    assert _pay_of(cast.gm) == Decimal("100000.00")


def test_an_outside_decision_out_of_scope_is_a_404(client, cast):
    about_gm = _pay_change(cast, _employee_of(cast.gm))
    client.force_login(cast.outsider)
    response = client.post(
        f"/api/proposals/{about_gm.pk}/outside-decision", OUTSIDE, content_type="application/json"
    )
    _problem(response, 404)
    _assert_open_and_undecided(about_gm)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"reference": ""}, "reference"),
        ({"decided_by": ""}, "decided_by"),
        ({"decided_on": "yesterday"}, "decided_on"),
        ({"decided_on": "2999-01-01"}, "decided_on"),
        ({"decision": "maybe"}, "decision"),
    ],
)
def test_a_bad_outside_decision_is_a_422_naming_the_field(client, cast, change, field):
    about_gm = _pay_change(cast, _employee_of(cast.gm))
    client.force_login(cast.gm)
    response = client.post(
        f"/api/proposals/{about_gm.pk}/outside-decision",
        {**OUTSIDE, **change},
        content_type="application/json",
    )
    body = _problem(response, 422)
    assert [e["field"] for e in body["errors"]] == [field]
    _assert_open_and_undecided(about_gm)


def test_an_outside_decision_on_a_proposal_decided_inside_is_a_409(client, cast):
    other = _pay_change(cast, Employee.objects.get(employee_no="E004"))
    client.force_login(cast.gm)
    response = client.post(
        f"/api/proposals/{other.pk}/outside-decision", OUTSIDE, content_type="application/json"
    )
    _problem(response, 409)
    _assert_open_and_undecided(other)


def test_the_page_of_a_proposal_about_the_gm_says_so_and_records_the_outside_decision(client, cast):
    about_gm = _pay_change(cast, _employee_of(cast.gm))
    client.force_login(cast.gm)
    page = client.get(f"/proposals/{about_gm.pk}/").content.decode()
    assert 'data-testid="outside-notice"' in page
    assert 'data-testid="outside-form"' in page
    assert 'data-testid="decision-form"' not in page

    response = client.post(
        f"/proposals/{about_gm.pk}/outside-decision/", {**OUTSIDE, "decision": "rejected"}
    )

    assert response.status_code == 302
    about_gm.refresh_from_db()
    assert about_gm.status == ProposalStatus.REJECTED
    decided = client.get(f"/proposals/{about_gm.pk}/").content.decode()
    assert "Decided outside the application by Board of directors on 2025-12-15" in decided
    assert "Minutes 2025/12, item 4" in decided
    assert _pay_of(cast.gm) == Decimal("100000.00")


def test_hr_sees_the_notice_but_no_form_and_its_post_changes_nothing(client, cast):
    about_gm = _pay_change(cast, _employee_of(cast.gm))
    client.force_login(cast.hr)
    page = client.get(f"/proposals/{about_gm.pk}/").content.decode()
    assert 'data-testid="outside-notice"' in page
    assert 'data-testid="outside-form"' not in page

    response = client.post(f"/proposals/{about_gm.pk}/outside-decision/", OUTSIDE)

    assert response.status_code == 403
    _assert_open_and_undecided(about_gm)


def test_the_outside_decision_form_shows_errors_next_to_the_fields(client, cast):
    about_gm = _pay_change(cast, _employee_of(cast.gm))
    client.force_login(cast.assistant)
    response = client.post(
        f"/proposals/{about_gm.pk}/outside-decision/",
        {**OUTSIDE, "reference": "", "decided_on": "2999-01-01"},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert 'data-testid="error-reference"' in page
    _assert_open_and_undecided(about_gm)
