"""One small company for the tests that walk the whole application (every GET route as every
role; schemathesis against the API): every kind of record once inside the department head's
Sales subtree and once in R&D outside it, each with a marker text, distinct pay and
leaving-risk scores; and the model each route's path parameter names."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from gmassist.core.models import ApiToken, ApprovalDeputy, Job, Proposal, SavedView
from gmassist.core.permissions import SYSTEM
from gmassist.customers.models import AccountManager, GroupCustomer, Industry, ServiceContact
from gmassist.customers.services import RETIER
from gmassist.decisions.models import Decision, Response
from gmassist.decisions.services import Audience, decision_create, decision_publish
from gmassist.office.documents.models import Document
from gmassist.office.schedule.models import BusyCalendar, Meeting, MeetingParticipant
from gmassist.office.tasks.models import Task
from gmassist.office.triage.models import Matter, TriageRule
from gmassist.org.models import Department, Employee, EmployeeSkill, Position, Review, Skill
from gmassist.org.services import pay_change_propose
from gmassist.talent.models import IncentivePlan, IncentivePlanLine, RiskModelRun, RiskScore
from gmassist.voice.feedback.models import Feedback
from gmassist.voice.recruiting.models import Candidate, RecruitingAgency, Requisition
from gmassist.voice.surveys.models import Survey
from gmassist.voice.surveys.services import QuestionInput, survey_create
from gmassist.workforce.models import Plan, PlanLine

# Every employee's yearly base pay is a number that appears nowhere else in the company.
PAY = {
    "E001": 171001,
    "E002": 172002,
    "E003": 173003,
    "E004": 174004,
    "E005": 175005,
    "E006": 176006,
}


# The model a path parameter names: by the API's parameter name, or by the page's URL name.
PATH_MODELS: dict[str, type] = {
    # the API (OpenAPI path parameters)
    "token_id": ApiToken,
    "proposal_id": Proposal,
    "job_id": Job,
    "department_id": Department,
    "position_id": Position,
    "employee_id": Employee,
    "target_id": Employee,  # a note's record (notes/<target_type>/<target_id>/add/)
    "review_id": Review,
    "employee_skill_id": EmployeeSkill,
    "plan_id": IncentivePlan,
    "line_id": IncentivePlanLine,
    "manager_id": AccountManager,
    "customer_id": GroupCustomer,
    "contact_id": ServiceContact,
    "feedback_id": Feedback,
    "agency_id": RecruitingAgency,
    "requisition_id": Requisition,
    "candidate_id": Candidate,
    "survey_id": Survey,
    "decision_id": Decision,
    "response_id": Response,
    "task_id": Task,
    "document_id": Document,
    "deputy_id": ApprovalDeputy,
    # the pages (URL name: the model of its `pk`)
    "job": Job,
    "import-job": Job,
    "import-confirm": Job,
    "proposal": Proposal,
    "proposal-decide": Proposal,
    "proposal-outside-decision": Proposal,
    "office:today_approve": Proposal,
    "api-token-revoke": ApiToken,
    "saved-view-update": SavedView,
    "saved-view-delete": SavedView,
    "org:employee": Employee,
    "org:employee_edit": Employee,
    "org:employee_leaving": Employee,
    "org:employee_leaving_undo": Employee,
    "org:employee_review": Employee,
    "org:employee_skill": Employee,
    "org:employee_propose": Employee,
    "org:department_edit": Department,
    "org:position_edit": Position,
    "talent:person": Employee,
    "talent:plan_detail": IncentivePlan,
    "talent:plan_line": IncentivePlan,
    "customers:customer": GroupCustomer,
    "customers:customer_edit": GroupCustomer,
    "customers:contact_new": GroupCustomer,
    "customers:contact_edit": ServiceContact,
    "customers:manager": AccountManager,
    "voice:feedback_detail": Feedback,
    "voice:feedback_reply": Feedback,
    "voice:feedback_status": Feedback,
    "voice:feedback_topic": Feedback,
    "voice:survey_detail": Survey,
    "voice:survey_edit": Survey,
    "voice:survey_status": Survey,
    "voice:survey_answer": Survey,
    "voice:agency_detail": RecruitingAgency,
    "voice:requisition_detail": Requisition,
    "voice:requisition_share": Requisition,
    "voice:requisition_close": Requisition,
    "voice:candidate_add": Requisition,
    "voice:candidate_stage": Candidate,
    "decisions:detail": Decision,
    "decisions:edit": Decision,
    "decisions:amend": Decision,
    "decisions:withdraw": Decision,
    "decisions:publish": Decision,
    "decisions:remind": Decision,
    "decisions:delete": Decision,
    "decisions:acknowledge": Decision,
    "decisions:respond": Decision,
    "decisions:answer": Decision,
    "office:task": Task,
    "office:task_edit": Task,
    "office:task_status": Task,
    "office:task_comment": Task,
    "office:task_reassign": Task,
    "matter_id": Matter,
    "rule_id": TriageRule,
    "office:triage_matter": Matter,
    "office:triage_decide": Matter,
    "office:triage_rule": TriageRule,
    "office:triage_rule_delete": TriageRule,
    "office:triage_rule_move": TriageRule,
    # the schedule
    "meeting_id": Meeting,
    "calendar_id": BusyCalendar,
    "office:schedule_meeting": Meeting,
    "office:schedule_meeting_edit": Meeting,
    "office:schedule_meeting_cancel": Meeting,
    "office:schedule_meeting_minutes": Meeting,
    "office:schedule_meeting_respond": Meeting,
    "office:schedule_meeting_ics": Meeting,
    "office:schedule_calendar_delete": BusyCalendar,
    "deputy-end": ApprovalDeputy,
    "office:document_detail": Document,
    "office:document_decide": Document,
    "office:document_version_new": Document,
    "office:document_submit": Document,
    "office:document_withdraw": Document,
    "office:document_file": Document,
    "office:document_record": Document,
    "workforce:plan": Plan,
    "workforce:scenarios": Plan,
    "workforce_plan_id": Plan,
}
# parameters that are not a record: a survey's round number


def marker(model: type, pk: Any) -> str:
    return f"zzmark-{model._meta.model_name}-{pk}"


# --- the company -----------------------------------------------------------------------------


def small_company(cast) -> None:
    """On the usual cast: every kind of record once inside the head's Sales subtree and once
    in R&D (outside it), with markers, distinct pay and leaving-risk scores."""
    people = {e.employee_no: e for e in Employee.objects.all()}
    for no, pay in PAY.items():
        Employee.objects.filter(employee_no=no).update(base_pay=Decimal(pay))
        people[no].refresh_from_db()
    emma, oscar, alice = people["E004"], people["E005"], people["E006"]
    skill = Skill.objects.create(code="BIL", name="Billing")
    for employee in people.values():
        Review.objects.create(employee=employee, period="2025", rating=4, potential=2)
        EmployeeSkill.objects.create(employee=employee, skill=skill, level=4)

    run = RiskModelRun.objects.create(
        as_of=dt.date(2026, 10, 31), version="leaving-1", backtest_auc=0.7, scored=6
    )
    for index, employee in enumerate(people.values()):
        RiskScore.objects.create(
            run=run,
            employee=employee,
            as_of=run.as_of,
            probability=0.11 + index / 100,
            model_version="leaving-1",
            model_auc=0.7,
        )
    plan = IncentivePlan.objects.create(
        budget=Decimal("50000"),
        as_of=run.as_of,
        effective_date=dt.date(2027, 1, 1),
        created_by=cast.head,
    )
    for employee in (emma, oscar):
        IncentivePlanLine.objects.create(
            plan=plan,
            employee=employee,
            actions=[{"instrument": "raise", "amount": 5000.0, "share": 0.03}],
            cost=Decimal("5000"),
            effect=1000.0,
            value=20000.0,
            risk_before=0.4,
            risk_after=0.2,
        )

    for employee in (emma, oscar):
        proposal = pay_change_propose(
            employee=employee,
            new_base_pay=Decimal(PAY[employee.employee_no] + 5000),
            effective_date=dt.date(2027, 1, 1),
            rationale="below the band",
            by=SYSTEM,
        )
        Proposal.objects.filter(pk=proposal.pk).update(rationale=marker(Proposal, proposal.pk))
    retier = Proposal.objects.create(
        kind=RETIER, title="Re-tier", payload={"changes": []}, rationale="x", proposed_by=cast.gm
    )
    Proposal.objects.filter(pk=retier.pk).update(rationale=marker(Proposal, retier.pk))

    # a workforce plan with a line in the head's Sales, another with a line in R&D only
    for name, department in (("Sales plan", cast.sales), ("R&D plan", cast.rnd)):
        plan = Plan.objects.create(
            name=name,
            as_of=dt.date(2026, 9, 30),
            horizon=2,
            summary={"quarter_ends": ["2026-12-30", "2027-03-30"], "company": {
                "demand": [3, 3], "supply": [2.5, 2.0], "hires_needed": [0.5, 1.0]}},
        )  # fmt: skip
        PlanLine.objects.create(
            plan=plan, department=department, job_family="Sales", method="target", targets=[3],
            current=2, demand=[3, 3], supply=[2.5, 2.0], gap=[0.5, 1.0], gap_low=[0, 0],
            gap_high=[1, 2],
        )  # fmt: skip

    industry = Industry.objects.create(code="TEL", name="Telecom")
    for employee, region in ((alice, "East"), (oscar, "West")):
        manager = AccountManager.objects.create(employee=employee, region=region, capacity=10)
        customer = GroupCustomer.objects.create(
            code=f"C-{employee.employee_no}", name="x", industry=industry, account_manager=manager
        )
        GroupCustomer.objects.filter(pk=customer.pk).update(name=marker(GroupCustomer, customer.pk))
        ServiceContact.objects.create(
            customer=customer,
            date=dt.date(2026, 10, 5),
            channel="account_manager",
            kind="complaint",
            satisfaction=2,
        )

    for department, author in ((cast.sales_east, cast.employee), (cast.rnd, cast.outsider)):
        item = Feedback.objects.create(
            kind="suggestion",
            department=department,
            head_department=department,
            subject="x",
            body="please",
            author=author,
            submitted_on=dt.date(2026, 10, 1),
            topic="process",
            sentiment="neutral",
            due_on=dt.date(2026, 10, 15),
            # one waits in triage, so that the triage page lists a record to be scoped
            in_triage=department == cast.rnd,
            topic_confidence=0.31,
        )
        Feedback.objects.filter(pk=item.pk).update(subject=marker(Feedback, item.pk))

        decision = decision_create(
            by=SYSTEM,
            title="x",
            rationale="because",
            effective_date=dt.date(2026, 11, 1),
            audience=Audience(departments=(department,)),
            department=department,
        )
        Decision.objects.filter(pk=decision.pk).update(title=marker(Decision, decision.pk))
        decision_publish(decision=Decision.objects.get(pk=decision.pk), by=SYSTEM)

        survey = survey_create(
            by=SYSTEM,
            title="x",
            questions=[QuestionInput("enps", "Would you recommend us?")],
            opens_on=dt.date(2026, 11, 1),
            department=department,
        )
        Survey.objects.filter(pk=survey.pk).update(title=marker(Survey, survey.pk))

        requisition = Requisition.objects.create(
            code=f"REQ-{department.code}",
            position=cast.salesperson,
            department=department,
            headcount=1,
            urgency="normal",
            opened_on=dt.date(2026, 9, 1),
            target_date=dt.date(2026, 12, 1),
        )
        Requisition.objects.filter(pk=requisition.pk).update(
            reason_note=marker(Requisition, requisition.pk)
        )
        candidate = Candidate.objects.create(
            requisition=requisition,
            full_name="x",
            source="direct",
            stage="applied",
            applied_on=dt.date(2026, 9, 10),
        )
        Candidate.objects.filter(pk=candidate.pk).update(full_name=marker(Candidate, candidate.pk))

    agency = RecruitingAgency.objects.create(
        name="x", kind="agency", fee_percent=Decimal("20"), guarantee_days=90
    )
    RecruitingAgency.objects.filter(pk=agency.pk).update(name=marker(RecruitingAgency, agency.pk))

    # the GM's triage: a matter about each department waiting, and one of the GM's rules
    for department in (cast.sales_east, cast.rnd):
        matter = Matter.objects.create(
            title="x",
            source="request",
            department=department,
            received_at=dt.datetime(2026, 10, 1, 9, tzinfo=dt.UTC),
            proposed_route="gm",
            proposed_category="overall",
            confidence=0.7,
        )
        Matter.objects.filter(pk=matter.pk).update(title=marker(Matter, matter.pk))
    rule = TriageRule.objects.create(position=1, category="image", route="gm", created_by=cast.gm)
    TriageRule.objects.filter(pk=rule.pk).update(phrases_en=[marker(TriageRule, rule.pk)])

    for user in (cast.head, cast.outsider, cast.hr):
        token = ApiToken.objects.create(
            user=user, name="x", digest=uuid.uuid4().hex, prefix="gma_x"
        )
        ApiToken.objects.filter(pk=token.pk).update(name=marker(ApiToken, token.pk))
        job = Job.objects.create(kind="core.import", params={}, created_by=user)
        Job.objects.filter(pk=job.pk).update(message=marker(Job, job.pk))

    # meetings: the head's with the employee of Sales East, and the outsider's alone; an
    # imported calendar each
    for organiser, guest in ((cast.head, cast.employee), (cast.outsider, None)):
        start = dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC)
        meeting = Meeting.objects.create(
            title="x",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=1),
            time_zone="Asia/Shanghai",
            organiser=organiser,
        )
        Meeting.objects.filter(pk=meeting.pk).update(title=marker(Meeting, meeting.pk))
        if guest is not None:
            MeetingParticipant.objects.create(meeting=meeting, user=guest)
        calendar = BusyCalendar.objects.create(
            user=organiser,
            name="x",
            imported_at=start,
            window_start=start,
            window_end=start + dt.timedelta(days=90),
        )
        BusyCalendar.objects.filter(pk=calendar.pk).update(name=marker(BusyCalendar, calendar.pk))

    # saved views: the head's private one, one HR shares with HR, the GM's private one
    for owner, page, shared_with in (
        (cast.head, "org:directory", ""),
        (cast.hr, "org:directory", "hr"),
        (cast.gm, "audit-log", ""),
    ):
        view = SavedView.objects.create(
            owner=owner,
            page=page,
            name="x",
            query={"sort": ["-name"]},
            shared_with_role=shared_with,
        )
        SavedView.objects.filter(pk=view.pk).update(name=marker(SavedView, view.pk))

    # delegated tasks: the GM's to Emma (in the head's subtree) and to Oscar (outside it)
    for user in (cast.employee, cast.outsider):
        task = Task.objects.create(
            title="x", owner=user, delegated_by=cast.gm, due_on=dt.date(2026, 1, 15)
        )
        Task.objects.filter(pk=task.pk).update(title=marker(Task, task.pk))
    # documents awaiting approval: one in Sales (Emma's, to the head then the GM) and one in
    # R&D (Oscar's, to the GM); a deputyship of the GM's office that starts tomorrow (a
    # deputy acting today would see the documents of their principal's route)
    from gmassist.core.services import deputy_name
    from gmassist.office.documents.services import document_create

    for author, approvers, department in (
        (cast.employee, [cast.head, cast.gm], cast.sales_east),
        (cast.outsider, [cast.gm], cast.rnd),
    ):
        document = document_create(
            by=author, title="x", approvers=approvers, department=department, text="正文"
        )
        Document.objects.filter(pk=document.pk).update(title=marker(Document, document.pk))
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    for principal, deputy in ((cast.head, cast.employee), (cast.gm, cast.assistant)):
        row = deputy_name(
            principal=principal, deputy=deputy, starts_on=tomorrow, ends_on=tomorrow, by=SYSTEM
        )
        ApprovalDeputy.objects.filter(pk=row.pk).update(note=marker(ApprovalDeputy, row.pk))
