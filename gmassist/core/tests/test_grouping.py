"""Grouped lists: `rows_grouped` counts and sums the groups of a page's own scoped, filtered rows
in the database, and `rows_in_group` gives exactly the rows a group counted."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import timezone

from gmassist.core.grouping import EMPTY, GroupBy
from gmassist.core.models import AuditEntry
from gmassist.core.selectors import group_label, rows_grouped, rows_in_group
from gmassist.core.views import AuditLogPage, ProposalInbox
from gmassist.core.views_lib import ListPage
from gmassist.customers import selectors as customer_selectors
from gmassist.customers.tests.test_pages_customers import make_revenue_book
from gmassist.customers.views import CustomerListPage
from gmassist.org import selectors as org_selectors
from gmassist.org.models import Employee
from gmassist.org.views import DirectoryPage
from gmassist.voice.feedback import selectors as feedback_selectors
from gmassist.voice.feedback.tests.conftest import make_feedback
from gmassist.voice.feedback.views import FeedbackQueuePage


def by(page: type[ListPage], key: str) -> GroupBy:
    group = page.group_column(key)
    assert group is not None
    return group


def counts(grouping) -> list[tuple[str, int]]:
    return [(group.label, group.count) for group in grouping.groups]


# --- the directory ---------------------------------------------------------------------------


def test_the_gm_counts_every_employee_by_department(cast):
    rows = org_selectors.employee_directory(user=cast.gm)
    grouping = rows_grouped(rows=rows, by=by(DirectoryPage, "department"))
    assert counts(grouping) == [
        ("Headquarters", 2),
        ("Sales", 2),
        ("R&D", 1),
        ("Sales East", 1),
    ]
    assert [group.value for group in grouping.groups] == [
        cast.hq.pk,
        cast.sales.pk,
        cast.rnd.pk,
        cast.sales_east.pk,
    ]
    assert (grouping.total, grouping.cut) == (6, False)


def test_a_department_heads_groups_count_only_their_subtree(cast):
    rows = org_selectors.employee_directory(user=cast.head)
    grouping = rows_grouped(rows=rows, by=by(DirectoryPage, "department"))
    assert counts(grouping) == [("Sales", 2), ("Sales East", 1)]
    assert grouping.total == 3
    managers = rows_grouped(rows=rows, by=by(DirectoryPage, "manager"))
    # Hank's own manager is the GM, outside the subtree: his row is the head's to list
    assert counts(managers) == [("Hank Head", 2), ("Grace Manager", 1)]


def test_the_groups_count_the_filtered_rows(cast):
    rows = org_selectors.employee_directory(user=cast.gm, position_id=cast.engineer.pk)
    grouping = rows_grouped(rows=rows, by=by(DirectoryPage, "department"))
    assert counts(grouping) == [("Headquarters", 2), ("R&D", 1)]


def test_the_rows_with_no_value_are_one_group_named_for_it(cast):
    Employee.objects.filter(employee_no="E001").update(location="")
    Employee.objects.filter(employee_no__in=["E003", "E004"]).update(location="Shanghai")
    rows = org_selectors.employee_directory(user=cast.gm)
    locations = rows_grouped(rows=rows, by=by(DirectoryPage, "location"))
    assert counts(locations) == [("No location", 4), ("Shanghai", 2)]
    assert locations.groups[0].value == EMPTY
    managers = rows_grouped(rows=rows, by=by(DirectoryPage, "manager"))
    # ties in the order of their names
    assert counts(managers) == [
        ("Grace Manager", 2),
        ("Hank Head", 2),
        ("No manager", 2),
    ]


def test_a_choices_column_is_labelled_in_the_readers_language(cast):
    from django.utils import translation

    Employee.objects.filter(employee_no="E005").update(status="on_leave")
    rows = org_selectors.employee_directory(user=cast.gm)
    with translation.override("zh-hans"):
        grouping = rows_grouped(rows=rows, by=by(DirectoryPage, "status"))
        assert counts(grouping) == [("在职", 5), ("休假中", 1)]


def test_a_group_links_to_exactly_the_rows_it_counted(cast):
    rows = org_selectors.employee_directory(user=cast.head)
    department = by(DirectoryPage, "department")
    in_sales = rows_in_group(rows=rows, by=department, value=cast.sales.pk)
    assert sorted(in_sales.values_list("employee_no", flat=True)) == ["E003", "E006"]
    no_manager = rows_in_group(
        rows=org_selectors.employee_directory(user=cast.gm),
        by=by(DirectoryPage, "manager"),
        value=EMPTY,
    )
    assert sorted(no_manager.values_list("employee_no", flat=True)) == ["E001", "E002"]
    assert group_label(rows=rows, by=department, value=cast.sales.pk) == "Sales"


def test_a_group_outside_the_scope_has_no_rows(cast):
    rows = org_selectors.employee_directory(user=cast.head)
    assert not rows_in_group(rows=rows, by=by(DirectoryPage, "department"), value=cast.rnd.pk)


def test_only_the_largest_groups_are_kept_and_the_total_is_still_every_row(cast):
    rows = org_selectors.employee_directory(user=cast.gm)
    grouping = rows_grouped(rows=rows, by=by(DirectoryPage, "department"), limit=2)
    assert counts(grouping) == [("Headquarters", 2), ("Sales", 2)]
    assert (grouping.total, grouping.cut) == (6, True)


def test_rows_that_did_not_come_through_the_rule_are_refused(cast):
    with pytest.raises(ImproperlyConfigured):
        rows_grouped(rows=Employee.objects.all(), by=by(DirectoryPage, "department"))
    with pytest.raises(ImproperlyConfigured):
        rows_in_group(rows=Employee.objects.all(), by=by(DirectoryPage, "status"), value="active")


def test_a_value_from_the_address_is_checked_against_the_column(cast):
    department = by(DirectoryPage, "department")
    assert department.value_from_text("12", Employee) == 12
    with pytest.raises(ValidationError):
        department.value_from_text("sales", Employee)
    with pytest.raises(ValidationError):
        by(DirectoryPage, "status").value_from_text("retired", Employee)


# --- customers -------------------------------------------------------------------------------


@pytest.fixture
def book(cast):
    return make_revenue_book(cast)


def test_customers_are_counted_and_their_revenue_summed_by_manager(cast, book):
    rows = customer_selectors.customer_list(user=cast.gm)
    grouping = rows_grouped(
        rows=rows, by=by(CustomerListPage, "manager"), sums=CustomerListPage.group_sums
    )
    assert [(g.label, g.count, g.sums["revenue"]) for g in grouping.groups] == [
        ("Alice Account", 1, Decimal("12000")),
        ("No account manager", 1, Decimal("0")),
        ("Oscar Outsider", 1, Decimal("500")),
    ]


def test_an_account_manager_counts_only_their_own_customers(cast, book):
    rows = customer_selectors.customer_list(user=cast.account_manager)
    for key in ("manager", "tier", "industry"):
        grouping = rows_grouped(
            rows=rows, by=by(CustomerListPage, key), sums=CustomerListPage.group_sums
        )
        assert grouping.total == 1
        assert [g.sums["revenue"] for g in grouping.groups] == [Decimal("12000")]
    assert counts(rows_grouped(rows=rows, by=by(CustomerListPage, "tier"))) == [("Tier A", 1)]


def test_customers_are_grouped_by_churn_band_in_the_database(cast, book):
    from gmassist.customers.models import ChurnRun, ChurnScore

    run = ChurnRun.objects.create(
        as_of=dt.date(2025, 12, 1), horizon_months=3, snapshots=100, churners=9, backtest={}
    )
    ChurnScore.objects.create(run=run, customer=book["C1"], risk=0.45)
    ChurnScore.objects.create(run=run, customer=book["C2"], risk=0.1)
    rows = customer_selectors.customer_list(user=cast.gm)
    churn = by(CustomerListPage, "churn")
    grouping = rows_grouped(rows=rows, by=churn, sums=CustomerListPage.group_sums)
    assert [(g.value, g.label, g.count) for g in grouping.groups] == [
        ("high", "High (30% and up)", 1),
        ("medium", "Medium (10% to 30%)", 1),
        (EMPTY, "Not scored", 1),
    ]
    high = rows_in_group(rows=rows, by=churn, value=churn.value_from_text("high", rows.model))
    assert list(high.values_list("code", flat=True)) == ["C1"]
    assert list(rows_in_group(rows=rows, by=churn, value=EMPTY).values_list("code", flat=True)) == [
        "C3"
    ]
    with pytest.raises(ValidationError):
        churn.value_from_text("extreme", rows.model)


# --- feedback, proposals, the audit log ------------------------------------------------------


def test_feedback_is_grouped_among_the_items_the_reader_may_see(cast):
    make_feedback(department=cast.sales_east, topic="pay", author=cast.employee)
    make_feedback(department=cast.sales, topic="pay", is_anonymous=True, reply_code_digest="0" * 64)
    make_feedback(department=cast.rnd, topic="process")
    today = dt.date(2026, 3, 31)
    topic = by(FeedbackQueuePage, "topic")
    everyone = rows_grouped(
        rows=feedback_selectors.feedback_queue(user=cast.hr, today=today), by=topic
    )
    assert counts(everyone) == [("Pay", 2), ("Process", 1)]
    head = rows_grouped(
        rows=feedback_selectors.feedback_queue(user=cast.head, today=today), by=topic
    )
    assert counts(head) == [("Pay", 2)]


def test_no_feedback_group_reads_who_sent_an_item():
    assert all(
        not path.split("__")[0].startswith("author")
        for group in FeedbackQueuePage.group_by
        for path in group.paths
    )
    with pytest.raises(ImproperlyConfigured, match="never_group_by"):

        class BySender(FeedbackQueuePage):
            group_by = [GroupBy("sender", "From", field="author__employee__department")]


def test_proposals_are_counted_and_their_cost_summed_by_kind(cast):
    from gmassist.core.models import Proposal
    from gmassist.core.selectors import proposals_visible

    for cost in ("1000", "2500"):
        Proposal.objects.create(
            kind="customers.retier",
            title="Re-tier",
            payload={"changes": []},
            rationale="x",
            cost=Decimal(cost),
            proposed_by=cast.gm,
        )
    rows = proposals_visible(user=cast.gm)
    grouping = rows_grouped(
        rows=rows, by=by(ProposalInbox, "proposer"), sums=ProposalInbox.group_sums
    )
    assert [(g.label, g.count, g.sums["cost"]) for g in grouping.groups] == [
        ("Grace Manager", 2, Decimal("3500"))
    ]
    # HR has no business with customers: it sees no re-tiering, so counts none
    assert (
        rows_grouped(rows=proposals_visible(user=cast.hr), by=by(ProposalInbox, "kind")).total == 0
    )


def test_the_audit_log_is_grouped_by_day_newest_first_in_the_company_time_zone(cast, settings):
    from gmassist.core.selectors import audit_entries

    settings.TIME_ZONE = "Asia/Shanghai"
    timezone.activate("Asia/Shanghai")
    try:
        for at in ("2026-03-01T15:30:00+00:00", "2026-03-01T17:00:00+00:00", "2026-03-02T01:00:00"):
            entry = AuditEntry.objects.create(action="update", target_type="org.employee")
            stamp = dt.datetime.fromisoformat(at)
            if stamp.tzinfo is None:
                stamp = stamp.replace(tzinfo=dt.UTC)
            AuditEntry.objects.filter(pk=entry.pk).update(at=stamp)
        day = by(AuditLogPage, "day")
        grouping = rows_grouped(rows=audit_entries(user=cast.gm), by=day)
        # 17:00 UTC on the 1st and 01:00 UTC on the 2nd are both the 2nd in Shanghai
        assert [(g.param, g.count) for g in grouping.groups] == [
            ("2026-03-02", 2),
            ("2026-03-01", 1),
        ]
        on_the_2nd = rows_in_group(
            rows=audit_entries(user=cast.gm), by=day, value=dt.date(2026, 3, 2)
        )
        assert on_the_2nd.count() == 2
    finally:
        timezone.deactivate()
