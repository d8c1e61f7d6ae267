"""The recruiting part of the voice demo: eight agencies and headhunters (English and Chinese
names), about twenty requisitions over the last year (some urgent and past their target),
shared with the agencies whose specialities fit, and candidates through the stages. Filled
requisitions' hires are the demo employees who joined that department around the filling day,
so agency fees come from real pay and hires who left soon count as guarantee breaches.

Deterministic from the demo seed. Written right after the feedback (extension `voice`, the same
order, the name after it) and deleted right before it, as when it was part of that extension.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from gmassist.org.demo.extensions import DemoContext, demo_extension
from gmassist.org.models import Department, Employee, Position
from gmassist.voice.recruiting.choices import (
    AgencyKind,
    AgencyStatus,
    CandidateSource,
    CandidateStage,
    RequisitionReason,
    RequisitionStatus,
    Urgency,
)
from gmassist.voice.recruiting.models import (
    Candidate,
    RecruitingAgency,
    Requisition,
    RequisitionShare,
)

REQUISITIONS = 20
RECENT_URGENT = 3  # the last requisitions are urgent, open and past their target
DAYS_OF_HISTORY = 365

# (name, kind, contact, e-mail, fee %, guarantee days, regions, status); specialities are given
# from the demo's job families, in turn
AGENCIES = [
    ("Talent Bridge Partners", AgencyKind.AGENCY, "Sarah Collins", "sarah@talentbridge.example",
     "18", 90, ["Shanghai", "Hangzhou"], AgencyStatus.ACTIVE),
    ("北京猎聘咨询", AgencyKind.HEADHUNTER, "王芳", "wangfang@liepin-bj.example",
     "25", 180, ["北京"], AgencyStatus.ACTIVE),
    ("Apex Executive Search", AgencyKind.HEADHUNTER, "David Hart", "d.hart@apex.example",
     "30", 180, ["Shanghai", "Hong Kong"], AgencyStatus.ACTIVE),
    ("上海英才人力资源", AgencyKind.AGENCY, "李明", "liming@yingcai.example",
     "15", 60, ["上海", "苏州"], AgencyStatus.ACTIVE),
    ("Northstar Recruiting", AgencyKind.AGENCY, "Emily Zhang", "emily@northstar.example",
     "20", 90, ["Shenzhen", "Guangzhou"], AgencyStatus.ACTIVE),
    ("深圳智联猎头", AgencyKind.HEADHUNTER, "陈静", "chenjing@zhilian-sz.example",
     "22", 120, ["深圳"], AgencyStatus.ACTIVE),
    ("BluePeak Staffing", AgencyKind.AGENCY, "Tom Becker", "tom@bluepeak.example",
     "12", 30, ["Chengdu", "Wuhan"], AgencyStatus.PAUSED),
    ("广州锐才招聘", AgencyKind.AGENCY, "黄磊", "huanglei@ruicai.example",
     "16", 90, ["广州"], AgencyStatus.ACTIVE),
]  # fmt: skip

ENGLISH_NAMES = ["Olivia Grant", "Liam Foster", "Sophia Reyes", "Noah Patel", "Emma Walsh",
                 "Lucas Moreau", "Mia Novak", "Ethan Brooks", "Ava Lindqvist", "Mason Clarke",
                 "Isla Murphy", "Leo Fischer", "Chloe Tanaka", "Jack Romero",
                 "Grace Kim"]  # fmt: skip
CHINESE_NAMES = ["张伟", "王静", "李娜", "刘洋", "陈杰", "杨帆", "赵敏", "黄晨", "周婷", "吴昊",
                 "徐磊", "孙悦", "马骁", "朱琳", "胡斌", "郭晶", "何强", "林雪"]  # fmt: skip
OTHER_SOURCES = [
    CandidateSource.REFERRAL,
    CandidateSource.DIRECT,
    CandidateSource.JOB_BOARD,
    CandidateSource.INTERNAL,
]
NOTES = {
    RequisitionReason.REPLACEMENT: "Replaces a leaver; handover is short.",
    RequisitionReason.GROWTH: "新增客户项目，需要扩充团队。",
    RequisitionReason.NEW_ROLE: "A new role for the 2026 plan.",
    RequisitionReason.PROJECT: "项目制岗位，优先有行业经验的人选。",
}


def delete_recruiting_demo() -> None:
    Candidate.objects.all().delete()
    RequisitionShare.objects.all().delete()
    Requisition.objects.all().delete()
    RecruitingAgency.objects.all().delete()


@demo_extension("voice_recruiting", order=20, delete=delete_recruiting_demo)
def write_recruiting_demo(ctx: DemoContext) -> dict[str, int]:
    """Write the recruiting demo; returns the counts of rows written."""
    rng = ctx.rng(21)
    families = sorted({f for f in Position.objects.values_list("job_family", flat=True) if f}) or [
        "General"
    ]
    agencies = []
    for i, (name, kind, contact, email, fee, days, regions, status) in enumerate(AGENCIES):
        specialities = [families[i % len(families)], families[(i + 3) % len(families)]]
        agencies.append(
            RecruitingAgency(
                name=name,
                kind=kind,
                contact_person=contact,
                email=email,
                phone=f"+86 21 5{i:03d} 88{i:02d}",
                specialities=sorted(set(specialities)),
                regions=regions,
                fee_percent=Decimal(fee),
                guarantee_days=days,
                status=status,
            )
        )
    RecruitingAgency.objects.bulk_create(agencies)
    agencies = list(RecruitingAgency.objects.order_by("name"))
    active = [a for a in agencies if a.status == AgencyStatus.ACTIVE]

    departments = list(Department.objects.filter(parent__isnull=False).order_by("code"))
    # positions people actually hold in each department: a requisition asks for one of them
    held: dict[int, list[int]] = {}
    for dept_id, position_id in (
        Employee.objects.filter(position__isnull=False)
        .values_list("department_id", "position_id")
        .distinct()
    ):
        held.setdefault(dept_id, []).append(position_id)
    departments = [d for d in departments if d.pk in held]
    positions = Position.objects.in_bulk()
    joiners: dict[int, list[tuple[dt.date, int]]] = {}
    start = ctx.as_of - dt.timedelta(days=DAYS_OF_HISTORY + 120)
    for pk, dept_id, hire_date in Employee.objects.filter(hire_date__gte=start).values_list(
        "pk", "department_id", "hire_date"
    ):
        joiners.setdefault(dept_id, []).append((hire_date, pk))
    used_employees: set[int] = set()
    gm = ctx.users.get("gm")
    hr = ctx.users.get("hr")

    requisitions: list[Requisition] = []
    for n in range(REQUISITIONS):
        department = departments[int(rng.integers(len(departments)))]
        position = positions[held[department.pk][int(rng.integers(len(held[department.pk])))]]
        roll = rng.random()
        urgency = (
            Urgency.CRITICAL if roll < 0.12 else Urgency.URGENT if roll < 0.4 else Urgency.NORMAL
        )
        if n >= REQUISITIONS - RECENT_URGENT:
            # the last few: urgent, opened a month or two ago, past a tight target, still open
            urgency = Urgency.CRITICAL if n % 2 else Urgency.URGENT
            opened = ctx.as_of - dt.timedelta(days=int(rng.integers(35, 80)))
            target = opened + dt.timedelta(days=int(rng.integers(21, 32)))
        else:
            opened = ctx.as_of - dt.timedelta(days=int(rng.integers(5, DAYS_OF_HISTORY)))
            target = opened + dt.timedelta(days=int(rng.integers(30, 75)))
        age = (ctx.as_of - opened).days
        days_to_fill = int(rng.integers(18, 110))
        status, closed = RequisitionStatus.OPEN, None
        if n < REQUISITIONS - RECENT_URGENT and age > days_to_fill and rng.random() < 0.95:
            status = (
                RequisitionStatus.CANCELLED if rng.random() < 0.12 else RequisitionStatus.FILLED
            )
            closed = opened + dt.timedelta(days=days_to_fill)
        reason = list(RequisitionReason)[int(rng.integers(len(RequisitionReason)))]
        requisitions.append(
            Requisition(
                code=f"REQ-{opened.year}-{n + 1:03d}",
                position=position,
                department=department,
                headcount=1 if rng.random() < 0.8 else 2,
                urgency=urgency,
                target_date=target,
                reason=reason,
                reason_note=NOTES[reason],
                status=status,
                opened_on=opened,
                closed_on=closed,
                opened_by=hr or gm,
            )
        )
    Requisition.objects.bulk_create(requisitions)
    ctx.progress(0.4, "Requisitions")

    shares: list[RequisitionShare] = []
    candidates: list[Candidate] = []
    names = [*ENGLISH_NAMES, *CHINESE_NAMES]
    for requisition in requisitions:
        family = positions[requisition.position_id].job_family
        fitting = [a for a in active if family in (a.specialities or [])] or active
        count = min(len(fitting), int(rng.integers(1, 4)))
        chosen = [fitting[i] for i in rng.choice(len(fitting), size=count, replace=False)]
        for agency in chosen:
            shares.append(
                RequisitionShare(
                    requisition=requisition,
                    agency=agency,
                    shared_on=requisition.opened_on + dt.timedelta(days=int(rng.integers(0, 4))),
                    shared_by=hr or gm,
                )
            )
        end = requisition.closed_on or ctx.as_of
        span = max((end - requisition.opened_on).days, 1)
        picked = rng.choice(len(names), size=int(rng.integers(3, 8)), replace=False)
        hires_left = requisition.headcount if requisition.status == "filled" else 0
        for k, index in enumerate(picked):
            from_agency = rng.random() < 0.65
            agency = chosen[int(rng.integers(len(chosen)))] if from_agency else None
            applied = requisition.opened_on + dt.timedelta(days=int(rng.integers(2, span + 2)))
            applied = min(applied, end)
            candidate = Candidate(
                requisition=requisition,
                full_name=str(names[index]),
                email="",
                source=CandidateSource.AGENCY
                if agency
                else OTHER_SOURCES[int(rng.integers(len(OTHER_SOURCES)))],
                agency=agency,
                applied_on=applied,
                stage=CandidateStage.APPLIED,
            )
            # how far the candidate got: hires first on a filled requisition
            if hires_left and (k == 0 or rng.random() < 0.3):
                hires_left -= 1
                _advance(candidate, CandidateStage.HIRED, end, rng)
                candidate.hired_employee_id = _joiner(
                    joiners, used_employees, requisition.department_id, end
                )
            else:
                final = requisition.status != RequisitionStatus.OPEN
                roll = rng.random()
                stage = (
                    CandidateStage.REJECTED
                    if final or roll < 0.3
                    else CandidateStage.SCREENING
                    if roll < 0.55
                    else CandidateStage.INTERVIEW
                    if roll < 0.8
                    else CandidateStage.OFFER
                    if roll < 0.9
                    else CandidateStage.WITHDRAWN
                )
                _advance(candidate, stage, end, rng)
            candidates.append(candidate)
    RequisitionShare.objects.bulk_create(shares)
    Candidate.objects.bulk_create(candidates)
    ctx.progress(1.0, "Candidates")
    return {
        "recruiting_agencies": len(agencies),
        "requisitions": len(requisitions),
        "requisition_shares": len(shares),
        "candidates": len(candidates),
    }


PATH = [
    CandidateStage.SCREENING,
    CandidateStage.INTERVIEW,
    CandidateStage.OFFER,
    CandidateStage.HIRED,
]


def _advance(candidate: Candidate, stage: str, end: dt.date, rng) -> None:
    """Date the stages up to `stage` between the application and `end` (rejections and
    withdrawals after a random earlier stage)."""
    day = candidate.applied_on
    steps = PATH[: PATH.index(stage) + 1] if stage in PATH else PATH[: int(rng.integers(0, 3))]
    for step in steps:
        day = min(day + dt.timedelta(days=int(rng.integers(2, 12))), end)
        setattr(candidate, f"{step}_on", day)
    if stage == CandidateStage.HIRED:
        candidate.hired_on = end  # the day the requisition was filled
        day = end
    elif stage not in PATH:
        day = min(day + dt.timedelta(days=int(rng.integers(1, 8))), end)
        setattr(candidate, f"{stage}_on", day)
    candidate.stage = stage


def _joiner(
    joiners: dict[int, list[tuple[dt.date, int]]], used: set[int], department_id: int, day: dt.date
) -> int | None:
    """The demo employee who joined `department_id` closest to `day` (within 120 days after
    it, or 60 before), not already linked to another hire."""
    best = None
    for hire_date, pk in joiners.get(department_id, ()):
        gap = (hire_date - day).days
        if pk in used or not -60 <= gap <= 120:
            continue
        if best is None or abs(gap) < best[0]:
            best = (abs(gap), pk)
    if best is None:
        return None
    used.add(best[1])
    return best[1]
