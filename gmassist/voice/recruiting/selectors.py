"""Reads of the recruiting contacts: agencies, requisitions and candidates through the
"recruiting" permission domain, and the engine's plain facts built from them
(`gmassist.voice.engine.recruiting`). Agency performance is counted over every candidate of the
agencies the user may see.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, Count, Q, QuerySet, Value, When

from gmassist.core.choices import Action
from gmassist.core.models import User
from gmassist.core.permissions import Domain
from gmassist.org.models import Separation
from gmassist.voice.engine.recruiting import (
    AgencyPerformance,
    AgencySuggestion,
    AgencyTerms,
    CandidateFacts,
    RequisitionFacts,
    agency_performance,
    overall_median_days_to_fill,
    overdue_urgent,
    suggest_agencies,
    time_to_fill,
)
from gmassist.voice.recruiting.choices import CandidateStage, RequisitionStatus, Urgency
from gmassist.voice.recruiting.models import Candidate, RecruitingAgency, Requisition


def agencies_visible(*, user: User | None, action: str = Action.VIEW) -> QuerySet[RecruitingAgency]:
    """The agencies `user` may see (the GM, the assistant and HR: all; others: none)."""
    return RecruitingAgency.objects.restrict(user, action)


def requisitions_visible(*, user: User | None, action: str = Action.VIEW) -> QuerySet[Requisition]:
    """The requisitions `user` may see: all, or a head's subtree's, with what lists show."""
    return Requisition.objects.restrict(user, action).select_related(
        "position", "department", "opened_by", "opened_by__employee"
    )


def candidates_visible(*, user: User | None, action: str = Action.VIEW) -> QuerySet[Candidate]:
    """The candidates of the requisitions `user` may see."""
    return Candidate.objects.restrict(user, action).select_related(
        "requisition", "requisition__position", "requisition__department", "agency"
    )


REQUISITION_SORTS = {
    "opened": ("opened_on", "code"),
    "target": ("target_date", "code"),
    "code": ("code",),
    "department": ("department__name", "code"),
    "urgency": ("urgency_rank", "target_date", "code"),
    "status": ("status", "target_date", "code"),
}


def requisition_list(
    *,
    user: User | None,
    today: dt.date,
    department_id: int | None = None,
    urgency: str | None = None,
    status: str | None = None,
    overdue: bool = False,
    sort: str = "-opened",
) -> QuerySet[Requisition]:
    """The requisitions `user` may see, filtered: `department_id` includes the departments
    below it; `overdue` means still open after the target date (before `today`). Annotated
    with `candidate_count`, `hired_count` and `share_count`. `sort` is a key of
    REQUISITION_SORTS, "-" first for descending ("urgency" puts critical first)."""
    from gmassist.org.selectors import department_subtree_ids

    queryset = requisitions_visible(user=user)
    if department_id is not None:
        queryset = queryset.filter(
            department_id__in=sorted(department_subtree_ids(department_id=department_id))
        )
    if urgency:
        queryset = queryset.filter(urgency=urgency)
    if status:
        queryset = queryset.filter(status=status)
    if overdue:
        queryset = queryset.filter(status=RequisitionStatus.OPEN, target_date__lt=today)
    queryset = queryset.annotate(
        candidate_count=Count("candidates", distinct=True),
        hired_count=Count(
            "candidates", filter=Q(candidates__stage=CandidateStage.HIRED), distinct=True
        ),
        share_count=Count("shares", distinct=True),
        urgency_rank=Case(
            When(urgency=Urgency.CRITICAL, then=Value(0)),
            When(urgency=Urgency.URGENT, then=Value(1)),
            default=Value(2),
        ),
    )
    key = sort.lstrip("-")
    fields = REQUISITION_SORTS.get(key, REQUISITION_SORTS["opened"])
    if sort.startswith("-"):
        fields = tuple("-" + f if f != "code" else f for f in fields)
    return queryset.order_by(*fields)


def requisition_candidates_by_stage(*, requisition: Requisition) -> list[dict]:
    """The requisition's candidates grouped by stage, in the order of the stages:
    [{"stage", "label", "candidates": [...]}] (every stage, empty ones too). The caller has
    found the requisition visible; its candidates are visible with it."""
    candidates = list(
        requisition.candidates.select_related("agency", "hired_employee").order_by(
            "applied_on", "full_name"
        )
    )
    return [
        {
            "stage": stage,
            "label": label,
            "candidates": [c for c in candidates if c.stage == stage],
        }
        for stage, label in CandidateStage.choices
    ]


def requisition_facts(queryset: QuerySet[Requisition]) -> list[RequisitionFacts]:
    """The engine's facts of the requisitions of `queryset` (already scoped by the caller)."""
    rows = queryset.values_list(
        "id",
        "department__name",
        "position__job_family",
        "urgency",
        "status",
        "opened_on",
        "target_date",
        "closed_on",
    )
    return [
        RequisitionFacts(
            id=pk,
            department=department,
            family=family or "",
            urgency=urgency,
            status=status,
            opened_on=opened_on,
            target_date=target_date,
            closed_on=closed_on,
        )
        for pk, department, family, urgency, status, opened_on, target_date, closed_on in rows
    ]


def agency_terms(queryset: QuerySet[RecruitingAgency]) -> list[AgencyTerms]:
    return [
        AgencyTerms(
            id=a.pk,
            name=a.name,
            fee_percent=a.fee_percent,
            guarantee_days=a.guarantee_days,
            specialities=tuple(a.specialities or ()),
            status=a.status,
        )
        for a in queryset.order_by("name")
    ]


def _candidate_facts(*, with_pay: bool) -> tuple[list[CandidateFacts], list[str]]:
    """Facts of every candidate sent by an agency, with each hire's start, annual pay (when
    `with_pay`) and leaving day; and the employee numbers whose pay was read."""
    rows = list(
        Candidate.objects.filter(agency__isnull=False).values_list(
            "agency_id",
            "stage",
            "applied_on",
            "interview_on",
            "hired_on",
            "requisition__position__job_family",
            "requisition__position__band_mid",
            "hired_employee_id",
            "hired_employee__employee_no",
            "hired_employee__hire_date",
            "hired_employee__base_pay",
        )
    )
    hired_ids = {row[7] for row in rows if row[7] is not None}
    left: dict[int, list[dt.date]] = {}
    for employee_id, day in Separation.objects.filter(employee_id__in=hired_ids).values_list(
        "employee_id", "date"
    ):
        left.setdefault(employee_id, []).append(day)
    facts = []
    pay_read: list[str] = []
    for (
        agency_id,
        stage,
        applied_on,
        interview_on,
        hired_on,
        family,
        band_mid,
        employee_id,
        employee_no,
        hire_date,
        base_pay,
    ) in rows:
        hired = stage == CandidateStage.HIRED
        started_on = (hire_date or hired_on) if hired else None
        annual_pay = None
        if hired and with_pay:
            annual_pay = base_pay if base_pay is not None else band_mid
            if base_pay is not None and employee_no:
                pay_read.append(employee_no)
        left_on = None
        if hired and employee_id in left and started_on is not None:
            after = [day for day in left[employee_id] if day >= started_on]
            left_on = min(after) if after else None
        facts.append(
            CandidateFacts(
                agency_id=agency_id,
                stage=stage,
                applied_on=applied_on,
                interviewed=interview_on is not None,
                hired_on=hired_on,
                family=family or "",
                started_on=started_on,
                annual_pay=annual_pay,
                left_on=left_on,
            )
        )
    return facts, pay_read


def agency_performance_for(*, user: User | None) -> list[AgencyPerformance]:
    """The performance of every agency `user` may see, counted over all their candidates
    (sent, interview rate, hires, hire rate, median days to hire, guarantee breaches).

    The fee cost comes from the hires' pay, so it is counted only for a user who may read
    everyone's pay (people domain, view_pay ALL); the read is audited with the employee
    numbers of the hires whose pay was used. Others get a fee cost of None.
    """
    from gmassist.core.choices import AuditAction
    from gmassist.core.permissions import ALL, reach
    from gmassist.core.sensitive import audit_people_read

    agencies = agency_terms(agencies_visible(user=user))
    if not agencies:
        return []
    with_pay = reach(user, Domain.PEOPLE, Action.VIEW_PAY) == ALL
    facts, pay_read = _candidate_facts(with_pay=with_pay)
    rows = agency_performance(agencies, facts)
    if with_pay and pay_read:
        audit_people_read(
            actor=user,  # SYSTEM (the CLI) is recorded as no one
            action=AuditAction.READ_PAY,
            employee_nos=pay_read,
            what="agency fees",
            target_type="voice.recruitingagency",
            label="Agency fees",
            extra={"hires": len(pay_read)},
        )
    if not with_pay:
        for row in rows:
            row.fee_cost = None
    return rows


def recruiting_overview(*, user: User | None, today: dt.date) -> dict:
    """Time to fill (overall median, per department, per job family) and the overdue urgent
    requisitions, over the requisitions `user` may see. Days are calendar days.

    Returns {"median_days": float | None, "by_department": [TimeToFill], "by_family":
    [TimeToFill], "overdue": [(Requisition, days_overdue)], "open": n, "filled": n}.
    """
    queryset = requisitions_visible(user=user)
    facts = requisition_facts(queryset)
    overdue = overdue_urgent(facts, today=today)
    by_id = queryset.in_bulk([o.id for o in overdue])
    return {
        "median_days": overall_median_days_to_fill(facts),
        "by_department": time_to_fill(facts, by="department"),
        "by_family": time_to_fill(facts, by="family"),
        "overdue": [(by_id[o.id], o.days_overdue) for o in overdue],
        "open": sum(1 for f in facts if f.status == RequisitionStatus.OPEN),
        "filled": sum(1 for f in facts if f.status == RequisitionStatus.FILLED),
    }


def agency_suggestions(
    *, user: User | None, requisition: Requisition, limit: int = 5
) -> list[AgencySuggestion]:
    """The agencies `user` may see that suit `requisition` best (see
    `engine.recruiting.suggest_agencies`), leaving out those it is already shared with."""
    agencies = agency_terms(agencies_visible(user=user))
    if not agencies:
        return []
    facts, _pay_read = _candidate_facts(with_pay=False)
    performance = {row.agency_id: row for row in agency_performance(agencies, facts)}
    position = requisition.position
    keywords = [*position.title.split(), requisition.department.name]
    return suggest_agencies(
        family=position.job_family or "",
        keywords=keywords,
        agencies=agencies,
        performance=performance,
        exclude=requisition.shares.values_list("agency_id", flat=True),
        limit=limit,
    )
