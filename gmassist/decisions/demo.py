"""The decisions register's part of the demo company (order 30): a few real decisions in
English and Chinese, published to their audiences, most people having acknowledged them,
questions with answers, objections and support, one amended and one withdrawn, and a draft
the assistant prepared for the GM.

Everything goes through the services (so the audit log and the versions are as in real use),
except the many addressees' acknowledgements and the responses of people who have no login,
which are written in bulk. Deterministic from the demo seed; fast at every tier (the
acknowledgement rows are one bulk insert per 5,000 people).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from django.utils import timezone

from gmassist.core.choices import Role
from gmassist.org.demo.extensions import DemoContext, demo_extension
from gmassist.org.models import Department

# the share of addressees who have acknowledged each published decision
ACKNOWLEDGED_SHARE = (0.82, 0.64, 0.9)


def delete_decisions_demo() -> None:
    from gmassist.decisions.models import Decision

    Decision.objects.all().delete()  # versions, acknowledgements and responses go with them


EXPENSES = {
    "title": "Expense claims within 30 days of spending",
    "summary": "From next month, expense claims older than 30 days are no longer reimbursed "
    "without a manager's written exception.",
    "rationale": "Finance closes each month on the 5th working day. Last year 1 claim in 6 "
    "arrived more than a month late, which reopened closed months 41 times and delayed the "
    "quarterly report twice. A clear 30-day rule lets finance close on time and pay everyone "
    "faster: claims filed in time are now paid within 10 days instead of 25.",
}
FLEXTIME = {
    "title": "实行弹性工作时间（核心时段 10:00–16:00）",
    "summary": "全体员工可在 7:30 至 10:00 之间自行选择上班时间，核心时段 10:00–16:00 必须在岗。",
    "rationale": "去年的员工调查中，通勤时间是离职面谈中排名第二的原因。试点部门实行弹性时间"
    "六个月后，迟到减少了 70%，客户响应时间没有变长。核心时段保证会议和协作不受影响。",
}
FLEXTIME_V2 = {
    "rationale": FLEXTIME["rationale"] + "根据大家的反馈，客服与仓储岗位因排班需要，"
    "由部门负责人另行安排，不适用本决定。",
    "change_note": "客服与仓储岗位不适用弹性时间，由部门负责人排班。",
}
TEAM_BUDGET = {
    "title": "取消年度团建预算",
    "summary": "2026 年起不再为各部门单独列支团建预算。",
    "rationale": "去年团建预算使用率只有 38%，且各部门差异很大。拟将这部分费用并入培训预算。",
    "reason": "多个部门反映团建对新员工融入很重要；改为保留预算、按季度申请，另行发布。",
}
PIPELINE = {
    "title": "Weekly pipeline review moves to Tuesday 9:30",
    "summary": "The department's pipeline review is on Tuesdays at 9:30 instead of Monday "
    "afternoons.",
    "rationale": "On Mondays half the team is still travelling back from customers, so the "
    "review ran with stale numbers. Tuesday morning everyone is in and the CRM has the "
    "weekend's updates.",
}
HOT_DESKING = {
    "title": "Shared desks on the third floor",
    "summary": "Third-floor desks become bookable shared desks; lockers for everyone.",
    "rationale": "Badge data show the third floor 41% occupied on an average day. Sharing "
    "frees one wing for two more meeting rooms, which people ask for in every survey.",
}

QUESTIONS_EN = [
    (
        "Does the 30 days count from the receipt date or the trip's end?",
        "From the receipt date; for a trip, from its last day.",
    ),
    (
        "What about claims waiting for a supplier's invoice?",
        "Attach the order; the 30 days start when the invoice arrives.",
    ),
    ("Who can grant an exception?", ""),
]
OBJECTIONS_EN = [
    ("workload", "Sales people on the road for three weeks will miss the deadline."),
    ("fairness", "Late invoices are often the supplier's fault, not ours."),
    ("workload", "Thirty days is tight at quarter end when we are all closing deals."),
]
SUPPORT_EN = ["Finally. Waiting 25 days for my money was the real problem.", "Makes sense."]
QUESTIONS_ZH = [
    ("核心时段内可以外出拜访客户吗？", "可以，拜访客户属于工作时间，在日程中注明即可。"),
    ("加班时间怎么计算？", "仍按每日 8 小时之外的实际工时计算，与上班时间早晚无关。"),
]
OBJECTIONS_ZH = [
    ("process", "客服需要按排班在岗，弹性时间做不到。"),
    ("timing", "希望从下季度开始，给大家时间调整接送孩子的安排。"),
]
SUPPORT_ZH = ["支持！通勤可以避开早高峰了。", "很好的决定，试点部门的效果大家都看到了。"]


def _department_root_ids() -> list[int]:
    return list(Department.objects.filter(parent__isnull=True).values_list("pk", flat=True))


def _mark_acknowledged(decision, share: float, rng: np.random.Generator, keep: set[int]) -> int:
    """Mark `share` of the addressees (not those in `keep`) as having read the current
    version, the day after publication (or now, for one published today); returns how many."""
    from gmassist.decisions.models import Acknowledgement

    ids = np.array(
        Acknowledgement.objects.filter(decision=decision)
        .exclude(employee_id__in=keep)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if len(ids) == 0:
        return 0
    chosen = rng.choice(ids, size=round(len(ids) * share), replace=False)
    # 20 hours after publication, but never later than now: the demo does not write the future
    now = timezone.now()
    when = min((decision.published_at or now) + dt.timedelta(hours=20), now)
    Acknowledgement.objects.filter(pk__in=chosen.tolist()).update(
        acknowledged_at=when, acknowledged_version=decision.version
    )
    return len(chosen)


def _anonymous_and_others(decision, rows: list[tuple[str, str, str]], day: dt.date) -> int:
    """Responses of people without a login: anonymous rows as the service writes them."""
    from gmassist.decisions.models import Response

    Response.objects.bulk_create(
        [
            Response(
                decision=decision,
                version=decision.version,
                kind=kind,
                theme=theme,
                text=text,
                is_anonymous=True,
                submitted_on=day,
            )
            for kind, theme, text in rows
        ]
    )
    return len(rows)


@demo_extension("decisions", order=30, delete=delete_decisions_demo)
def write_decisions_demo(ctx: DemoContext) -> dict[str, int]:
    """Write the demo decisions (see the module doc); returns the counts written."""
    from gmassist.decisions import services
    from gmassist.decisions.models import Acknowledgement, Response
    from gmassist.decisions.services import Audience

    rng = ctx.rng(30)
    users = ctx.users
    gm, assistant, head = users.get("gm"), users.get("assistant"), users.get("head")
    employee = users.get("employee")
    roots = tuple(Department.objects.filter(pk__in=_department_root_ids()))
    as_of = ctx.as_of
    counts: dict[str, Any] = {}
    ctx.progress(0.0, "Decisions")

    # 1. the whole company, in English: published, mostly acknowledged, a lively discussion
    expenses = services.decision_create(
        by=gm,
        title=EXPENSES["title"],
        summary=EXPENSES["summary"],
        rationale=EXPENSES["rationale"],
        effective_date=as_of + dt.timedelta(days=20),
        audience=Audience(departments=roots),
    )
    services.decision_publish(decision=expenses, by=gm)
    employee_keep = {employee.employee_id} if employee and employee.employee_id else set()
    _mark_acknowledged(expenses, ACKNOWLEDGED_SHARE[0], rng, keep=employee_keep)
    ctx.progress(0.3, "Decisions: responses")
    named = [u for u in (head, users.get("am"), users.get("hr")) if u and u.employee_id]
    for (text, answer), author in zip(QUESTIONS_EN, [named[0], None, None], strict=False):
        if author is not None:
            question = services.decision_respond(
                decision=expenses, by=author, kind="question", text=text, anonymous=False
            )
        else:
            _anonymous_and_others(expenses, [("question", "other", text)], as_of)
            question = Response.objects.filter(decision=expenses, text=text).get()
        if answer:
            services.response_answer(response=question, by=gm, answer=answer)
    for index, (theme, text) in enumerate(OBJECTIONS_EN):
        if index == 0 and len(named) > 1:
            services.decision_respond(
                decision=expenses, by=named[1], kind="objection", theme=theme, text=text,
                anonymous=False,
            )  # fmt: skip
        else:
            _anonymous_and_others(expenses, [("objection", theme, text)], as_of)
    _anonymous_and_others(expenses, [("support", "other", text) for text in SUPPORT_EN], as_of)

    # 2. the whole company, in Chinese: published, then amended (the substance changed), so
    # people acknowledge again
    flextime = services.decision_create(
        by=gm,
        title=FLEXTIME["title"],
        summary=FLEXTIME["summary"],
        rationale=FLEXTIME["rationale"],
        effective_date=as_of + dt.timedelta(days=30),
        audience=Audience(departments=roots),
    )
    services.decision_publish(decision=flextime, by=gm)
    _mark_acknowledged(flextime, 0.7, rng, keep=set())
    for text, answer in QUESTIONS_ZH:
        _anonymous_and_others(flextime, [("question", "other", text)], as_of)
        question = Response.objects.filter(decision=flextime, text=text).get()
        services.response_answer(response=question, by=gm, answer=answer)
    _anonymous_and_others(
        flextime, [("objection", theme, text) for theme, text in OBJECTIONS_ZH], as_of
    )
    _anonymous_and_others(flextime, [("support", "other", text) for text in SUPPORT_ZH], as_of)
    services.decision_amend(
        decision=flextime,
        by=gm,
        title=FLEXTIME["title"],
        summary=FLEXTIME["summary"],
        rationale=FLEXTIME_V2["rationale"],
        effective_date=as_of + dt.timedelta(days=30),
        change_note=FLEXTIME_V2["change_note"],
        substantive=True,
    )
    _mark_acknowledged(flextime, ACKNOWLEDGED_SHARE[1], rng, keep=employee_keep)
    ctx.progress(0.6, "Decisions: a department's own")

    # 3. a head's decision for their own department
    if head is not None and head.employee_id:
        department = head.employee.department
        pipeline = services.decision_create(
            by=head,
            title=PIPELINE["title"],
            summary=PIPELINE["summary"],
            rationale=PIPELINE["rationale"],
            effective_date=as_of + dt.timedelta(days=7),
            department=department,
            audience=Audience(departments=(department,)),
        )
        services.decision_publish(decision=pipeline, by=head)
        _mark_acknowledged(pipeline, ACKNOWLEDGED_SHARE[2], rng, keep=set())

    # 4. withdrawn, in Chinese
    budget = services.decision_create(
        by=gm,
        title=TEAM_BUDGET["title"],
        summary=TEAM_BUDGET["summary"],
        rationale=TEAM_BUDGET["rationale"],
        effective_date=as_of - dt.timedelta(days=20),
        audience=Audience(roles=(Role.DEPT_HEAD, Role.HR)),
    )
    services.decision_publish(decision=budget, by=gm)
    _anonymous_and_others(
        budget, [("objection", "fairness", "团建是新同事认识大家的主要机会，不应取消。")], as_of
    )
    services.decision_withdraw(decision=budget, by=gm, reason=TEAM_BUDGET["reason"])

    # 5. a draft the assistant prepared, waiting for the GM
    services.decision_create(
        by=assistant,
        title=HOT_DESKING["title"],
        summary=HOT_DESKING["summary"],
        rationale=HOT_DESKING["rationale"],
        effective_date=as_of + dt.timedelta(days=45),
        audience=Audience(departments=roots),
    )
    ctx.progress(1.0, "Decisions written")
    from gmassist.decisions.models import Decision

    counts["decisions"] = Decision.objects.count()
    counts["decision_acknowledgements"] = Acknowledgement.objects.count()
    counts["decision_responses"] = Response.objects.count()
    return counts
