"""The triage's part of the demo company (order 40): a week of matters that came in to the
GM's office, in English and Chinese, across the seed's seven categories; three rules of the
GM's; most of the week decided by the GM (the proposal mostly confirmed, a few changed), the
last days' matters waiting.

Everything goes through the services, as in real use (the proposals are the engine's, the
decisions are kept and the classifier learns from them), dated relative to the demo's "today".
The same twenty matters at every tier (a GM's office reads a few a day whatever the company's
size), so it is fast at tier L too. Deterministic: the texts, times and decisions are fixed
here; the seed only shuffles which minute of the hour each arrived.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from gmassist.core.permissions import SYSTEM
from gmassist.org.demo.extensions import DemoContext, demo_extension
from gmassist.org.models import Department

RULES = [
    # (English phrases, Chinese phrases, category, route, owner: a demo user's key)
    ("press, journalist, reporter, interview", "媒体，记者，采访", "image", "gm", None),
    ("kickback, bribe, fraud", "回扣，贿赂，舞弊", "interests", "gm", None),
    ("leave request, payslip, training course", "请假，工资条，培训课", "detail", "delegate", "hr"),
]

# (days before today, hour, source, title, text, about the head's department,
#  the GM's decision: None (waiting) or (route, owner's demo user key, category))
MATTERS: list[tuple[int, int, str, str, str, bool, tuple[str, str | None, str] | None]] = [
    (6, 9, "request", "Call from the provincial business daily",
     "A journalist asks for an interview about our expansion plans and the new plant.",
     False, ("gm", None, "")),
    (6, 11, "finding", "Two customers moved volume to a competitor",
     "Our second and fourth largest customers moved 30% of their orders to a competitor "
     "offering lower prices; revenue for the year is at risk.",
     False, ("gm", None, "")),
    (6, 15, "request", "食堂投诉", "员工反映食堂午餐菜品太少，希望增加面食。",
     True, ("delegate", "head", "")),
    (5, 10, "document", "Supplier contract with an unusual discount",
     "The purchasing team signed a packaging contract at a price 25% above market; the "
     "supplier is owned by a relative of the buyer.",
     False, ("gm", None, "")),
    (5, 14, "request", "员工询问同事的离婚传闻",
     "有员工打电话来，想知道销售部一位同事是否正在离婚。",
     False, ("not_company", None, "")),
    (5, 16, "request", "Parking for visitors",
     "Visitors cannot find a parking space in the morning; the guards send them away.",
     True, ("delegate", "head", "")),
    (4, 9, "finding", "安全检查发现问题",
     "安全检查发现仓库的消防通道被货物堵住，存在严重安全隐患。",
     False, ("gm", None, "")),
    (4, 11, "request", "A letter about a colleague's smoking at home",
     "A neighbour who also works here writes that a colleague smokes on his balcony every "
     "evening and asks the company to stop him.",
     False, ("not_company", None, "")),
    (4, 15, "request", "Leave request form", "Staff ask why the leave request form must be "
     "printed and signed by hand.", False, ("delegate", "hr", "")),
    (3, 10, "document", "董事会要求更新年度预算", "董事会要求在月底前提交调整后的年度预算，"
     "重点说明新工厂的投资和融资计划。", False, ("gm", None, "")),
    (3, 13, "request", "Invitation to a school reunion",
     "An old classmate of the GM's driver invites the GM to a school reunion dinner.",
     False, ("not_company", None, "")),
    (3, 16, "request", "客户在网上投诉",
     "一位客户在社交媒体上发长文投诉我们的售后服务，已被转发上千次。",
     False, ("gm", None, "")),
    # changed: the classifier says a detail, the GM keeps it (the union matters to the company)
    (2, 9, "request", "Union asks about the canteen prices",
     "The union asks for a meeting about the canteen prices before the new contract.",
     False, ("gm", None, "image")),
    # changed: delegated to HR instead of the department's head
    (2, 11, "request", "培训课安排冲突", "销售部的培训课和月度例会安排在同一天，需要调整。",
     True, ("delegate", "assistant", "")),
    (2, 15, "request", "A manager's personal debts",
     "Someone reports that a manager owes money to several colleagues after a failed "
     "private investment.",
     False, ("not_company", None, "")),
    # waiting: the last two days
    (1, 9, "request", "The printers on the fourth floor",
     "Both printers on the fourth floor have been out of toner since Monday.", True, None),
    (1, 14, "finding", "竞争对手挖人", "竞争对手以高薪挖走了研发部三名核心工程师，还在联系其他人。",
     False, None),
    (1, 16, "request", "Request to recommend a restaurant",
     "A visitor asks the GM's office to recommend a restaurant for his family weekend.",
     False, None),
    (0, 9, "request", "Regulator letter about advertising",
     "The market regulator asks for a formal reply about the claims in our spring advertising.",
     False, None),
    (0, 10, "request", "同事的饮食习惯", "有员工抱怨同事每天午饭吃大蒜，味道太重。", False, None),
]  # fmt: skip


def delete_triage_demo() -> None:
    from gmassist.office.triage.models import Matter, TriageDecision, TriageRule

    TriageDecision.objects.all().delete()
    Matter.objects.all().delete()
    TriageRule.objects.all().delete()


@demo_extension("office_triage", order=40, delete=delete_triage_demo)
def write_triage_demo(ctx: DemoContext) -> dict[str, int]:
    """Write the demo's rules and matters (see the module doc); returns the counts written."""
    from gmassist.office.triage import services

    rng = ctx.rng(40)
    users: dict[str, Any] = ctx.users
    gm = users.get("gm")
    if gm is None:
        return {"triage_rules": 0, "triage_matters": 0, "triage_decisions": 0}
    ctx.progress(0.0, "Triage")
    for english, chinese, category, route, owner in RULES:
        services.rule_save(
            by=gm,
            phrases_en=english,
            phrases_zh=chinese,
            category=category,
            route=route,
            owner=users.get(owner) if owner else None,
        )
    head = users.get("head")
    head_department = (
        Department.objects.filter(head_id=head.employee_id).first()
        if head is not None and head.employee_id
        else None
    )
    zone = timezone.get_current_timezone()
    decisions = 0
    minutes = rng.integers(0, 60, size=len(MATTERS))
    for index, (days, hour, source, title, text, about_head, decision) in enumerate(MATTERS):
        day = ctx.as_of - dt.timedelta(days=days)
        received = dt.datetime.combine(day, dt.time(hour, int(minutes[index])), tzinfo=zone)
        matter = services.matter_submit(
            by=users.get("assistant") or SYSTEM,
            title=title,
            text=text,
            source=source,
            department=head_department if about_head else None,
            received_at=received,
        )
        if decision is not None:
            route, owner_key, category = decision
            owner = users.get(owner_key) if owner_key else None
            if route == "delegate" and owner is None:
                continue
            services.matter_decide(
                matter=matter,
                by=gm,
                route=route,
                owner=owner,
                category=category,
                now=received + dt.timedelta(hours=2),
            )
            decisions += 1
        ctx.progress((index + 1) / len(MATTERS), "Triage")
    return {
        "triage_rules": len(RULES),
        "triage_matters": len(MATTERS),
        "triage_decisions": decisions,
    }
