"""The documents' part of the demo company (order 40): a realistic week of documents awaiting
approval, in English and Chinese: a contract waiting for the GM, a policy in parallel review
with 2 of its 3 approvals, a report sent back for changes, a contract renewal waiting for HR
while HR is away (their deputy decides it), one rejected memo and a few archived documents, one
of them approved at its second version. The files are generated here, small and deterministic
(a one-page PDF, a DOCX written as a ZIP), and everything goes through the services, so the
route, the audit log and the approval records are as in real use; the times are then set to
the days of the demo's week, counted back from its "today". A handful of rows at every tier.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from gmassist.org.demo.extensions import DemoContext, demo_extension


def delete_documents_demo() -> None:
    from gmassist.core.models import ApprovalDeputy
    from gmassist.office.documents.models import Document, DocumentVersion

    for version in DocumentVersion.objects.exclude(file=""):
        version.file.delete(save=False)  # the stored files go with their rows
    Document.objects.all().delete()
    ApprovalDeputy.objects.all().delete()


CONTRACT_LINES = [
    "Framework supply agreement 2027-2029",
    "",
    "Between the Company and Huaxin Logistics Co., Ltd.",
    "1. Scope: warehousing and last-mile delivery for the East region.",
    "2. Term: 1 January 2027 to 31 December 2029, renewable once.",
    "3. Price: 4.2% below the 2026 rates; indexed yearly on the CPI.",
    "4. Service level: 98.5% on-time delivery, measured monthly.",
    "5. Penalty: 0.5% of the monthly invoice per point below the level, capped at 5%.",
    "6. Termination: 90 days' notice after the first year.",
]
LEASE_LINES = [
    "Lease renewal, Building B, floors 3-4",
    "",
    "Landlord: Pudong Property Management Co.",
    "Term: 3 years from 1 March 2027.",
    "Rent: 6.8 CNY per square metre per day, unchanged for the first year.",
    "Break clause: after 24 months, 6 months' notice.",
]
IT_POLICY = [
    ("IT equipment policy", "title"),
    ("1. Who gets what", "heading"),
    ("Every employee gets a laptop on their first day; engineers choose between two models.", ""),
    ("2. Renewal", "heading"),
    ("Laptops are renewed after four years, or earlier when repairing costs more than half.", ""),
    ("3. Returning equipment", "heading"),
    ("Equipment is returned to IT on the last working day; data are wiped in front of you.", ""),
]
TRAVEL_POLICY_ZH = [
    ("员工差旅及报销管理办法（2027 版）", "title"),
    ("第一条 适用范围", "heading"),
    ("本办法适用于公司全体员工因公出差及日常费用报销。", ""),
    ("第二条 交通标准", "heading"),
    ("六小时以内的航程乘坐经济舱；高铁一律二等座，部门负责人可乘一等座。", ""),
    ("第三条 住宿标准", "heading"),
    ("一线城市每晚不超过 650 元，其他城市每晚不超过 450 元。", ""),
    ("第四条 报销时限", "heading"),
    ("费用须在发生后 30 日内提交报销，逾期需部门负责人书面说明。", ""),
]
MARKETING_ZH_V1 = (
    "2027 年市场推广方案\n\n"
    "一、目标：华东区新增集团客户 120 家，品牌认知度提升 15%。\n\n"
    "二、预算：全年 680 万元，其中线上投放 60%，行业展会 25%，客户活动 15%。"
)
MARKETING_ZH_V2 = (
    MARKETING_ZH_V1.replace("680 万元", "620 万元")
    + "\n\n三、考核：每季度复盘投放回报率，低于 1:3 的渠道下季度停投。"
)
SALES_REPORT_EN = (
    "East region sales, fourth quarter\n\n"
    "Revenue reached 38.6 M, 4% above plan, driven by three new group customers in logistics "
    "and retail.\n\n"
    "Two key accounts reduced their orders after the price change in October; we keep them "
    "under watch."
)
CALL_CENTRE_MEMO = (
    "We propose to outsource the first line of the call centre (18 agents) to a service "
    "provider from April, saving an estimated 1.1 M a year. The second line stays in house."
)


def _at(as_of: dt.date, days_ago: int, hour: int, minute: int = 0) -> dt.datetime:
    """An aware time `days_ago` days before the demo's today, at `hour:minute` company time."""
    day = as_of - dt.timedelta(days=days_ago)
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour, minute))


def _set_times(document: Any, *, sent: dt.datetime, decided: dict[int, dt.datetime]) -> None:
    """Move a document's times into the demo's week: sent at `sent`, step `order` of its
    current version decided at `decided[order]` (the next ones open at that time)."""
    from gmassist.office.documents.choices import StepStatus
    from gmassist.office.documents.models import Document, DocumentStep, DocumentVersion

    version = DocumentVersion.objects.filter(document=document).order_by("-number").first()
    DocumentVersion.objects.filter(pk=version.pk).update(created_at=sent)
    last = sent
    for step in DocumentStep.objects.filter(version=version).order_by("order"):
        fields: dict[str, Any] = {}
        if step.opened_at is not None:
            # in a sequence a step opens when the one before it was decided
            earlier = [when for order, when in decided.items() if order < step.order]
            sequence = document.routing == "sequence"
            fields["opened_at"] = max([sent, *earlier]) if sequence else sent
        if step.order in decided:
            fields["decided_at"] = decided[step.order]
            last = max(last, decided[step.order])
        if step.status == StepStatus.WAITING:
            fields["opened_at"] = None
        if fields:
            DocumentStep.objects.filter(pk=step.pk).update(**fields)
    document.refresh_from_db()
    fields = {"submitted_at": sent}
    if document.decided_at is not None:
        fields["decided_at"] = last
    if document.archived_at is not None:
        fields["archived_at"] = last
    Document.objects.filter(pk=document.pk).update(**fields)


@demo_extension("office.documents", order=40, delete=delete_documents_demo)
def write_documents_demo(ctx: DemoContext) -> dict[str, int]:
    """Write the demo documents and the one deputyship (see the module doc); returns counts."""
    from gmassist.core.services import deputy_name
    from gmassist.office.documents import engine, services
    from gmassist.office.documents.models import Document, DocumentVersion

    users = ctx.users
    gm, assistant, hr = users.get("gm"), users.get("assistant"), users.get("hr")
    head, am, employee = users.get("head"), users.get("am"), users.get("employee")
    if None in (gm, assistant, hr, head, am, employee):
        return {"documents": 0}
    as_of = ctx.as_of
    ctx.progress(0.0, "Documents")

    def pdf(name: str, lines: list[str], title: str) -> Any:
        return services.content_file(engine.pdf_bytes(lines, title=title), name)

    def docx(name: str, paragraphs: list[tuple[str, str]]) -> Any:
        data = engine.docx_bytes([engine.Paragraph(text, style) for text, style in paragraphs])
        return services.content_file(data, name)

    # archived: the lease renewal, approved by the GM three weeks ago
    lease = services.document_create(
        by=assistant,
        title="Lease renewal, Building B (2027–2030)",
        kind="contract",
        summary="Three more years on floors 3–4 at an unchanged rent for the first year.",
        approvers=[gm],
        upload=pdf("lease-building-b.pdf", LEASE_LINES, "Lease renewal"),
    )
    services.document_decide(
        document=lease, by=gm, decision="approve", comment="Agreed; keep the break clause."
    )
    _set_times(lease, sent=_at(as_of, 23, 10), decided={1: _at(as_of, 21, 16, 30)})

    # archived: the IT equipment policy, approved in parallel by HR and the GM
    it_policy = services.document_create(
        by=assistant,
        title="IT equipment policy",
        kind="policy",
        routing="parallel",
        approvers=[hr, gm],
        upload=docx("it-equipment-policy.docx", IT_POLICY),
    )
    services.document_decide(document=it_policy, by=hr, decision="approve")
    services.document_decide(document=it_policy, by=gm, decision="approve", comment="Good.")
    _set_times(
        it_policy,
        sent=_at(as_of, 14, 9),
        decided={1: _at(as_of, 13, 11), 2: _at(as_of, 12, 17, 45)},
    )

    # archived at its second version: the marketing plan in Chinese, sent back once
    marketing = services.document_create(
        by=head,
        title="2027 年市场推广方案",
        kind="report",
        summary="华东区 2027 年市场推广目标、预算与考核。",
        department=head.employee.department if head.employee_id else None,
        approvers=[gm],
        text=MARKETING_ZH_V1,
    )
    services.document_decide(
        document=marketing,
        by=gm,
        decision="changes",
        comment="预算压到 620 万以内，并加上考核办法。",
    )
    services.document_add_version(
        document=marketing,
        by=head,
        text=MARKETING_ZH_V2,
        note="预算调整为 620 万元，增加季度考核。",
    )
    services.document_decide(document=marketing, by=gm, decision="approve", comment="同意。")
    DocumentVersion.objects.filter(document=marketing, number=1).update(
        created_at=_at(as_of, 11, 9)
    )
    _set_times(marketing, sent=_at(as_of, 9, 14), decided={1: _at(as_of, 8, 10, 15)})

    # rejected: outsourcing the call centre's first line
    memo = services.document_create(
        by=assistant,
        title="Outsourcing the call centre's first line",
        kind="memo",
        approvers=[hr, gm],
        routing="parallel",
        min_approvals=2,
        text=CALL_CENTRE_MEMO,
    )
    services.document_decide(
        document=memo,
        by=gm,
        decision="reject",
        comment="Not before the service survey of March: customers rate the first line highest.",
    )
    _set_times(memo, sent=_at(as_of, 6, 11), decided={2: _at(as_of, 5, 9, 20)})

    # waiting for the GM: the supply contract the head approved two days ago
    contract = services.document_create(
        by=am,
        title="Framework supply agreement with Huaxin Logistics (2027–2029)",
        kind="contract",
        summary="Warehousing and last-mile delivery for the East region, 4.2% below 2026 rates.",
        department=am.employee.department if am.employee_id else None,
        approvers=[head, gm],
        upload=pdf("huaxin-framework-agreement.pdf", CONTRACT_LINES, "Supply agreement"),
    )
    services.document_decide(
        document=contract, by=head, decision="approve", comment="Penalty cap checked with legal."
    )
    _set_times(contract, sent=_at(as_of, 3, 15), decided={1: _at(as_of, 2, 10, 5)})

    # in parallel review: the travel policy with 2 of its 3 approvals, the GM's missing
    travel = services.document_create(
        by=hr,
        title="员工差旅及报销管理办法（2027 版）",
        kind="policy",
        summary="统一交通、住宿标准，报销时限改为 30 日。",
        routing="parallel",
        approvers=[assistant, head, gm],
        upload=docx("travel-policy-2027.docx", TRAVEL_POLICY_ZH),
    )
    services.document_decide(document=travel, by=assistant, decision="approve")
    services.document_decide(
        document=travel, by=head, decision="approve", comment="销售岗位出差频繁，标准可行。"
    )
    _set_times(
        travel,
        sent=_at(as_of, 2, 9, 30),
        decided={1: _at(as_of, 2, 14), 2: _at(as_of, 1, 11, 40)},
    )

    # sent back for changes: the employee's quarterly report
    report = services.document_create(
        by=employee,
        title="East region sales report, Q4",
        kind="report",
        department=employee.employee.department if employee.employee_id else None,
        approvers=[head, gm],
        text=SALES_REPORT_EN,
    )
    services.document_decide(
        document=report,
        by=head,
        decision="changes",
        comment="Add the two key accounts by name and the January pipeline.",
    )
    _set_times(report, sent=_at(as_of, 2, 17), decided={1: _at(as_of, 1, 9, 10)})

    # HR is away this week: the head decides for HR, and a renewal waits for that decision
    # (counted from the real today when the demo is built as of an earlier day: a deputyship
    # cannot end in the past)
    away_from = max(as_of, timezone.localdate()) - dt.timedelta(days=1)
    deputy_name(
        principal=hr,
        deputy=head,
        starts_on=away_from,
        ends_on=away_from + dt.timedelta(days=5),
        note="Annual leave · 年假",
        by=hr,
    )
    renewal = services.document_create(
        by=assistant,
        title=f"Renewal of the employment contract of {am.employee.full_name}"
        if am.employee_id
        else "Renewal of an employment contract",
        kind="contract",
        about_employee=am.employee if am.employee_id else None,
        approvers=[hr, gm],
        text="Renewal for three years on the same terms; base pay as reviewed in March.",
    )
    _set_times(renewal, sent=_at(as_of, 1, 16), decided={})

    ctx.progress(1.0, "Documents")
    return {
        "documents": Document.objects.count(),
        "document_versions": DocumentVersion.objects.count(),
        "deputyships": 1,
    }
