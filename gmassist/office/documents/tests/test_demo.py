"""The demo's week of documents, on the test cast."""

import datetime as dt

import time_machine

from gmassist.core.models import ApprovalDeputy
from gmassist.office.documents import selectors
from gmassist.office.documents.demo import delete_documents_demo, write_documents_demo
from gmassist.office.documents.models import Document
from gmassist.org.demo.extensions import DemoContext


def _context(cast):
    users = {
        "gm": cast.gm,
        "assistant": cast.assistant,
        "hr": cast.hr,
        "head": cast.head,
        "am": cast.account_manager,
        "employee": cast.employee,
    }
    return DemoContext(
        company=None, employee_pk=None, users=users, as_of=dt.date(2026, 12, 3), seed=1
    )


@time_machine.travel(dt.datetime(2026, 12, 3, 2, tzinfo=dt.UTC), tick=False)
def test_the_demo_writes_a_week_in_flight_and_an_archive(cast):
    counts = write_documents_demo(_context(cast))
    assert counts == {"documents": 8, "document_versions": 9, "deputyships": 1}
    statuses = dict(Document.objects.values_list("title", "status"))
    assert statuses["Framework supply agreement with Huaxin Logistics (2027–2029)"] == "in_review"
    assert statuses["East region sales report, Q4"] == "changes"
    assert statuses["2027 年市场推广方案"] == "approved"
    # the GM's queue, the longest waiting for the GM first (the policy opened to the GM at
    # once, the contract after the head approved it)
    assert [s.document.title for s in selectors.steps_awaiting(user=cast.gm)] == [
        "员工差旅及报销管理办法（2027 版）",
        "Framework supply agreement with Huaxin Logistics (2027–2029)",
    ]
    # the head decides for HR this week: the renewal waits for them
    assert [d.title for d in selectors.documents_awaiting(user=cast.head)] == [
        "Renewal of the employment contract of Alice Account"
    ]
    assert [d.title for d in selectors.documents_archived(user=cast.gm)] == [
        "2027 年市场推广方案",
        "IT equipment policy",
        "Lease renewal, Building B (2027–2030)",
    ]


@time_machine.travel(dt.datetime(2026, 12, 3, 2, tzinfo=dt.UTC), tick=False)
def test_the_demo_is_the_same_twice_and_deletes_cleanly(cast):
    write_documents_demo(_context(cast))
    first = list(Document.objects.order_by("id").values_list("title", "status", "submitted_at"))
    delete_documents_demo()
    assert (Document.objects.count(), ApprovalDeputy.objects.count()) == (0, 0)
    write_documents_demo(_context(cast))
    again = list(Document.objects.order_by("id").values_list("title", "status", "submitted_at"))
    assert again == first
