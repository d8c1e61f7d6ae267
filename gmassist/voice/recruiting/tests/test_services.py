"""Recruiting services and selectors: agencies, requisitions (open, change, close, share) and
candidates (add, move), with their permissions, audit and e-mails."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from gmassist.core.models import AuditEntry
from gmassist.org.models import Separation
from gmassist.voice.recruiting import selectors, services
from gmassist.voice.recruiting.models import (
    Candidate,
    RecruitingAgency,
    Requisition,
    RequisitionShare,
)
from gmassist.voice.recruiting.tests.factories import (
    make_agency,
    make_candidate,
    make_requisition,
)

TODAY = dt.date(2026, 3, 10)


def test_hr_creates_an_agency_with_lists_from_text(cast):
    agency = services.agency_save(
        by=cast.hr,
        values={
            "name": "  上海英才猎头 ",
            "kind": "headhunter",
            "specialities": "Engineering, 5G core；engineering",
            "regions": ["Shanghai"],
            "fee_percent": Decimal("22.5"),
            "guarantee_days": 120,
        },
    )
    agency.refresh_from_db()
    assert (agency.name, agency.specialities, agency.regions) == (
        "上海英才猎头",
        ["Engineering", "5G core"],
        ["Shanghai"],
    )
    entry = AuditEntry.objects.get(target_type="voice.recruitingagency")
    assert (entry.action, entry.actor, entry.changes["fee_percent"]) == (
        "create",
        cast.hr,
        [None, "22.50"],
    )


def test_an_agency_with_a_bad_fee_and_no_name_is_refused_by_field(cast):
    with pytest.raises(ValidationError) as caught:
        services.agency_save(by=cast.hr, values={"name": "", "fee_percent": Decimal("120")})
    assert caught.value.message_dict == {
        "fee_percent": ["The fee is a percentage from 0 to 100."],
        "name": ["This field cannot be blank."],
    }
    assert RecruitingAgency.objects.count() == 0


def test_a_department_head_may_not_write_agencies(cast):
    with pytest.raises(PermissionDenied):
        services.agency_save(by=cast.head, values={"name": "Sneaky"})
    assert RecruitingAgency.objects.count() == 0


def test_opening_a_requisition_numbers_it_and_audits(cast):
    make_requisition(cast, code="REQ-2026-007")
    requisition = services.requisition_open(
        by=cast.hr,
        position=cast.engineer,
        department=cast.rnd,
        target_date=dt.date(2026, 4, 30),
        headcount=2,
        urgency="urgent",
        reason="growth",
        today=TODAY,
    )
    assert (requisition.code, requisition.status, requisition.opened_on) == (
        "REQ-2026-008",
        "open",
        TODAY,
    )
    assert AuditEntry.objects.filter(action="create", target_id=str(requisition.pk)).count() == 1


def test_a_head_opens_requisitions_only_in_their_subtree(cast):
    mine = services.requisition_open(
        by=cast.head,
        position=cast.salesperson,
        department=cast.sales_east,
        target_date=dt.date(2026, 4, 30),
        today=TODAY,
    )
    assert mine.opened_by == cast.head
    with pytest.raises(ValidationError) as caught:
        services.requisition_open(
            by=cast.head,
            position=cast.engineer,
            department=cast.rnd,
            target_date=dt.date(2026, 4, 30),
            today=TODAY,
        )
    assert list(caught.value.message_dict) == ["department"]
    with pytest.raises(PermissionDenied):
        services.requisition_open(
            by=cast.employee,
            position=cast.engineer,
            department=cast.sales_east,
            target_date=dt.date(2026, 4, 30),
            today=TODAY,
        )
    assert Requisition.objects.count() == 1


def test_a_target_before_the_opening_is_refused(cast):
    with pytest.raises(ValidationError) as caught:
        services.requisition_open(
            by=cast.hr,
            position=cast.engineer,
            department=cast.rnd,
            target_date=dt.date(2026, 3, 1),
            today=TODAY,
        )
    assert caught.value.messages == ["The target date cannot be before the opening date."]
    assert Requisition.objects.count() == 0


def test_updating_and_closing_a_requisition(cast):
    requisition = make_requisition(cast)
    services.requisition_update(
        by=cast.head, requisition=requisition, values={"urgency": "critical", "headcount": 3}
    )
    requisition.refresh_from_db()
    assert (requisition.urgency, requisition.headcount) == ("critical", 3)
    services.requisition_close(by=cast.hr, requisition=requisition, status="filled", today=TODAY)
    requisition.refresh_from_db()
    assert (requisition.status, requisition.closed_on) == ("filled", TODAY)
    with pytest.raises(ValidationError):
        services.requisition_close(by=cast.hr, requisition=requisition, status="cancelled")
    with pytest.raises(ValidationError):
        services.requisition_update(by=cast.hr, requisition=requisition, values={"headcount": 1})
    changes = [
        e.changes for e in AuditEntry.objects.filter(target_id=str(requisition.pk)).order_by("id")
    ]
    assert changes == [
        {"urgency": ["normal", "critical"], "headcount": [1, 3]},
        {"status": ["open", "filled"], "closed_on": "2026-03-10"},
    ]


def test_a_head_of_another_subtree_may_not_close_it(cast):
    requisition = make_requisition(cast, department=cast.rnd, position=cast.engineer)
    with pytest.raises(PermissionDenied):
        services.requisition_close(by=cast.head, requisition=requisition, status="cancelled")
    requisition.refresh_from_db()
    assert requisition.status == "open"


def test_sharing_records_the_day_and_emails_each_new_agency_once(cast):
    requisition = make_requisition(cast)
    alpha = make_agency()
    beta = make_agency("Beta Talent", email="", contact_person="")
    shared = services.requisition_share(
        by=cast.hr,
        requisition=requisition,
        agencies=[alpha, beta],
        message="Mandarin and English.",
        today=TODAY,
    )
    assert (len(shared.shares), shared.emailed) == (2, 1)
    assert [m.to for m in mail.outbox] == [["ann@alpha.example"]]
    assert mail.outbox[0].subject == "Open position: Sales representative (REQ-2026-001)"
    assert "Mandarin and English." in mail.outbox[0].body
    assert "Target date: 2026-03-01" in mail.outbox[0].body
    again = services.requisition_share(
        by=cast.hr, requisition=requisition, agencies=[alpha], today=TODAY
    )
    assert (again.shares, [a.name for a in again.already], again.emailed) == (
        [],
        ["Alpha Search"],
        0,
    )
    assert len(mail.outbox) == 1
    assert list(RequisitionShare.objects.values_list("agency__name", "shared_on", "shared_by")) == [
        ("Alpha Search", TODAY, cast.hr.pk),
        ("Beta Talent", TODAY, cast.hr.pk),
    ]
    assert AuditEntry.objects.get(target_id=str(requisition.pk)).changes == {
        "shared_with": ["Alpha Search", "Beta Talent"],
        "shared_on": "2026-03-10",
        "emailed": 1,
    }


def test_a_head_cannot_share_because_agencies_are_not_theirs(cast):
    requisition = make_requisition(cast)
    alpha = make_agency()
    with pytest.raises(ValidationError) as caught:
        services.requisition_share(by=cast.head, requisition=requisition, agencies=[alpha])
    assert list(caught.value.message_dict) == ["agencies"]
    assert RequisitionShare.objects.count() == 0 and mail.outbox == []


def test_a_paused_agency_is_not_shared_with(cast):
    requisition = make_requisition(cast)
    paused = make_agency(status="paused")
    with pytest.raises(ValidationError):
        services.requisition_share(by=cast.hr, requisition=requisition, agencies=[paused])
    assert RequisitionShare.objects.count() == 0


def test_adding_and_moving_a_candidate_through_the_stages(cast):
    requisition = make_requisition(cast)
    alpha = make_agency()
    candidate = services.candidate_add(
        by=cast.head,
        requisition=requisition,
        full_name=" Lin   Wei ",
        agency=alpha,
        applied_on=dt.date(2026, 1, 12),
    )
    assert (candidate.full_name, candidate.source, candidate.stage) == (
        "Lin Wei",
        "agency",
        "applied",
    )
    services.candidate_move(by=cast.head, candidate=candidate, stage="interview", on=TODAY)
    hired = services.candidate_move(
        by=cast.hr,
        candidate=candidate,
        stage="hired",
        on=dt.date(2026, 3, 20),
        hired_employee=cast.employee.employee,
    )
    assert (hired.applied_on, hired.interview_on, hired.hired_on, hired.stage) == (
        dt.date(2026, 1, 12),
        TODAY,
        dt.date(2026, 3, 20),
        "hired",
    )
    assert hired.hired_employee == cast.employee.employee
    with pytest.raises(ValidationError):
        services.candidate_move(by=cast.hr, candidate=hired, stage="rejected")
    entries = AuditEntry.objects.filter(target_type="voice.candidate").order_by("id")
    assert [e.changes.get("stage") for e in entries] == [
        None,
        ["applied", "interview"],
        ["interview", "hired"],
    ]
    assert all("Lin" not in e.target_repr for e in entries)  # no personal data in the log


def test_a_candidate_needs_the_agency_when_from_an_agency_and_a_date_after_applying(cast):
    requisition = make_requisition(cast)
    with pytest.raises(ValidationError) as caught:
        services.candidate_add(by=cast.hr, requisition=requisition, full_name="X", source="agency")
    assert list(caught.value.message_dict) == ["agency"]
    candidate = make_candidate(requisition)
    with pytest.raises(ValidationError) as caught:
        services.candidate_move(
            by=cast.hr, candidate=candidate, stage="screening", on=dt.date(2026, 1, 1)
        )
    assert list(caught.value.message_dict) == ["on"]
    candidate.refresh_from_db()
    assert candidate.stage == "applied"


def test_an_employee_may_not_add_candidates(cast):
    requisition = make_requisition(cast)
    with pytest.raises(PermissionDenied):
        services.candidate_add(
            by=cast.employee, requisition=requisition, full_name="Friend", source="referral"
        )
    assert Candidate.objects.count() == 0


# --- selectors -------------------------------------------------------------------------------


def test_who_sees_requisitions_candidates_and_agencies(cast):
    east = make_requisition(cast)
    rnd = make_requisition(cast, code="REQ-2026-002", department=cast.rnd, position=cast.engineer)
    make_candidate(east)
    make_candidate(rnd, "Rita")
    make_agency()

    def seen(user):
        return (
            sorted(r.code for r in selectors.requisitions_visible(user=user)),
            sorted(c.full_name for c in selectors.candidates_visible(user=user)),
            selectors.agencies_visible(user=user).count(),
        )

    both = ["REQ-2026-001", "REQ-2026-002"]
    assert seen(cast.gm) == (both, ["Carl Candidate", "Rita"], 1)
    assert seen(cast.hr) == (both, ["Carl Candidate", "Rita"], 1)
    assert seen(cast.assistant) == (both, ["Carl Candidate", "Rita"], 1)
    assert seen(cast.head) == (["REQ-2026-001"], ["Carl Candidate"], 0)
    assert seen(cast.employee) == ([], [], 0)
    assert seen(cast.account_manager) == ([], [], 0)


def test_the_requisition_list_filters_overdue_and_sorts_by_urgency(cast):
    make_requisition(cast, code="R1", urgency="urgent", target_date=dt.date(2026, 3, 1))
    make_requisition(cast, code="R2", urgency="critical", target_date=dt.date(2026, 4, 1))
    make_requisition(
        cast,
        code="R3",
        department=cast.rnd,
        status="filled",
        closed_on=dt.date(2026, 2, 1),
        target_date=dt.date(2026, 2, 2),
    )
    codes = [r.code for r in selectors.requisition_list(user=cast.gm, today=TODAY, sort="urgency")]
    assert codes == ["R2", "R1", "R3"]
    overdue = selectors.requisition_list(user=cast.gm, today=TODAY, overdue=True)
    assert [r.code for r in overdue] == ["R1"]
    sales = selectors.requisition_list(user=cast.gm, today=TODAY, department_id=cast.sales.pk)
    assert sorted(r.code for r in sales) == ["R1", "R2"]


def test_overview_and_performance_count_fees_and_breaches(cast):
    alpha = make_agency()
    filled = make_requisition(
        cast, status="filled", closed_on=dt.date(2026, 2, 4), target_date=dt.date(2026, 2, 10)
    )
    make_requisition(cast, code="R-LATE", urgency="urgent", target_date=dt.date(2026, 3, 1))
    employee = cast.employee.employee
    employee.hire_date = dt.date(2026, 2, 1)
    employee.save()
    Separation.objects.create(
        employee=employee, date=dt.date(2026, 3, 1), separation_type="voluntary"
    )
    make_candidate(
        filled,
        agency=alpha,
        stage="hired",
        interview_on=dt.date(2026, 1, 15),
        hired_on=dt.date(2026, 1, 25),
        hired_employee=employee,
    )
    make_candidate(filled, "Dora", agency=alpha, stage="rejected", rejected_on=dt.date(2026, 1, 11))

    overview = selectors.recruiting_overview(user=cast.hr, today=TODAY)
    assert overview["median_days"] == 30.0
    assert [(o[0].code, o[1]) for o in overview["overdue"]] == [("R-LATE", 9)]
    assert (overview["open"], overview["filled"]) == (1, 1)

    [row] = selectors.agency_performance_for(user=cast.hr)
    assert (row.sent, row.interviewed, row.hires, row.hire_rate) == (2, 1, 1, 0.5)
    assert row.median_days_to_hire == 15.0
    assert row.fee_cost == Decimal("20000.00")  # 20% of 100,000
    assert row.guarantee_breaches == 1  # left 28 days after starting
    entry = AuditEntry.objects.get(action="read_pay")
    assert (entry.actor, entry.changes["employee_nos"]) == (cast.hr, ["E004"])
    assert selectors.agency_performance_for(user=cast.head) == []


def test_suggestions_leave_out_agencies_already_shared_with(cast):
    requisition = make_requisition(cast)
    alpha = make_agency()
    make_agency("Beta Talent", specialities=["Sales", "Retail"])
    make_agency("Code Hunters", specialities=["Engineering"])
    RequisitionShare.objects.create(requisition=requisition, agency=alpha, shared_on=TODAY)
    names = [s.name for s in selectors.agency_suggestions(user=cast.hr, requisition=requisition)]
    assert names == ["Beta Talent"]
