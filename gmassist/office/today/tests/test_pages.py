"""Today's page, badge, approve action, API and CLI: the same counts everywhere, the one rule
for deciding a proposal, and success, no login, wrong scope and bad input for each."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from conftest import assert_problem
from gmassist.office.today.selectors import today_count

GM_TOTAL = 12
HEAD_TOTAL = 6
# the sources with nothing for the GM in the desk's company, in their order
CLEAR_FOR_THE_GM = [
    "office.documents.awaiting",
    "office.triage.waiting",
    "office.tasks.gm_desk",
    "office.tasks.delegated_late",
    "office.tasks.subtree_late",
    "office.schedule.today",
    "talent.risk",
]


def test_the_gms_home_page_is_today(client, cast, desk):
    client.force_login(cast.gm)
    response = client.get("/")
    assert response.status_code == 200
    assert response.templates[0].name == "office/today/today.html"
    assert response.context["total"] == GM_TOTAL
    sections = {s["key"]: s["count"] for s in response.context["sections"]}
    assert sections == {
        "core.proposals": 2,
        "voice.feedback": 3,
        "voice.requisitions": 2,
        "customers.key_customers": 2,
        "customers.managers": 1,
        "decisions": 2,
    }
    assert [s["key"] for s in response.context["clear"]] == CLEAR_FOR_THE_GM
    body = response.content.decode()
    assert 'data-testid="today-approve"' in body
    assert "My manager shouts at me" in body
    assert "26 days" in body


def test_a_heads_home_page_is_today_for_their_subtree(client, cast, desk):
    client.force_login(cast.head)
    response = client.get("/office/today/")
    assert response.status_code == 200
    assert response.context["reach"] == "subtree"
    assert response.context["total"] == HEAD_TOTAL
    assert "Broken lab fridge" not in response.content.decode()


@pytest.mark.parametrize("role", ["hr", "employee", "account_manager"])
def test_the_others_keep_their_home_page_and_have_no_today(client, cast, desk, role):
    client.force_login(getattr(cast, role))
    assert client.get("/").templates[0].name == "core/home.html"
    assert client.get("/office/today/").status_code == 403
    assert client.get("/office/today/badge/").content == b""


def test_the_company_at_a_glance_stays_reachable(client, cast, desk):
    client.force_login(cast.gm)
    response = client.get("/glance/")
    assert response.status_code == 200
    assert response.context["glance"] is True
    assert response.context["headcount_total"] == 6
    client.force_login(cast.employee)
    assert client.get("/glance/").status_code == 403


def test_today_asks_for_a_login(client, desk):
    assert client.get("/office/today/").status_code == 302
    assert client.get("/office/today/badge/").status_code == 302
    assert client.post(f"/office/today/proposals/{desk.raise_emma.pk}/approve/").status_code == 302
    assert_problem(client.get("/api/office/today"), 401)


def test_the_badge_page_api_and_cli_agree(client, cast, desk):
    client.force_login(cast.gm)
    badge = client.get("/office/today/badge/").content.decode()
    assert f">{GM_TOTAL}</span>" in badge
    assert client.get("/").context["total"] == GM_TOTAL
    body = client.get("/api/office/today").json()
    assert body["count"] == GM_TOTAL
    assert sum(section["count"] for section in body["sections"]) == GM_TOTAL
    out = StringIO()
    call_command("office", "today", "--user", "gm", "--json", stdout=out)
    assert json.loads(out.getvalue())["count"] == GM_TOTAL
    assert today_count(user=cast.gm) == GM_TOTAL


def test_the_api_lists_sections_with_their_lines(client, cast, desk):
    client.force_login(cast.gm)
    body = client.get("/api/office/today?section=voice.feedback&limit=1").json()
    assert body["reach"] == "all"
    [section] = body["sections"]
    assert section["count"] == 3
    [item] = section["items"]
    assert item["title"] == "My manager shouts at me"
    assert item["weight"] == "critical"
    assert item["age_days"] == 3
    assert item["about"] == f"voice.feedback:{desk.urgent.pk}"
    assert item["action"] == {
        "kind": "open",
        "label": "Answer",
        "url": f"/voice/feedback/{desk.urgent.pk}/",
        "method": "get",
    }
    assert item["delegate_url"] == (f"/office/tasks/new/?about=voice.feedback%3A{desk.urgent.pk}")


def test_the_api_refuses_those_without_a_today(client, cast, desk):
    client.force_login(cast.employee)
    assert_problem(client.get("/api/office/today"), 403)


@pytest.mark.parametrize(
    ("query", "field"), [("section=nope", "section"), ("limit=0", "limit"), ("limit=x", "limit")]
)
def test_the_api_says_what_input_is_bad(client, cast, desk, query, field):
    client.force_login(cast.gm)
    body = assert_problem(client.get(f"/api/office/today?{query}"), 422)
    assert body["errors"][0]["field"] == field


def test_the_gm_approves_a_proposal_from_today(client, cast, desk):
    client.force_login(cast.gm)
    response = client.post(f"/office/today/proposals/{desk.raise_emma.pk}/approve/")
    assert response.status_code == 302
    desk.raise_emma.refresh_from_db()
    assert desk.raise_emma.status == "scheduled"  # it takes effect on 1 July
    assert desk.raise_emma.decided_by == cast.gm
    assert today_count(user=cast.gm) == GM_TOTAL - 1


def test_the_approve_action_with_htmx_returns_today_again(client, cast, desk):
    client.force_login(cast.gm)
    response = client.post(
        f"/office/today/proposals/{desk.raise_emma.pk}/approve/", HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert response.templates[0].name == "office/today/_today.html"
    assert "it takes effect on 2026-07-01" in response.content.decode()


def test_the_gms_own_case_is_on_today_to_open_and_is_refused_if_approved(client, cast, desk):
    from decimal import Decimal

    from gmassist.org.services import pay_change_propose

    about_the_gm = pay_change_propose(
        employee=cast.gm.employee,
        new_base_pay=Decimal("120000"),
        effective_date=dt.date(2026, 7, 1),
        rationale="the GM's raise",
        by=cast.assistant,
    )
    client.force_login(cast.gm)
    body = client.get("/api/office/today?section=core.proposals").json()
    line = body["sections"][0]["items"][-1]
    assert line["key"] == f"core.proposal:{about_the_gm.pk}"
    assert line["action"]["kind"] == "open"
    assert line["why"].startswith("This proposal is about the GM: it is decided outside")
    response = client.post(f"/office/today/proposals/{about_the_gm.pk}/approve/")
    assert response.status_code == 403
    assert "decided outside the application" in response.content.decode()
    about_the_gm.refresh_from_db()
    assert about_the_gm.status == "open"
    assert about_the_gm.decided_by is None


def test_a_head_may_not_approve_from_today_and_nothing_changes(client, cast, desk):
    client.force_login(cast.head)
    response = client.post(f"/office/today/proposals/{desk.raise_emma.pk}/approve/")
    assert response.status_code == 403
    assert "your role may not decide this proposal" in response.content.decode()
    desk.raise_emma.refresh_from_db()
    assert desk.raise_emma.status == "open"


def test_an_employee_cannot_approve_from_today(client, cast, desk):
    client.force_login(cast.employee)
    response = client.post(f"/office/today/proposals/{desk.raise_emma.pk}/approve/")
    assert response.status_code == 403
    desk.raise_emma.refresh_from_db()
    assert desk.raise_emma.status == "open"


def test_approving_an_unknown_or_decided_proposal(client, cast, desk):
    client.force_login(cast.gm)
    assert client.post("/office/today/proposals/999999/approve/").status_code == 404
    client.post(f"/office/today/proposals/{desk.raise_emma.pk}/approve/")
    assert client.post(f"/office/today/proposals/{desk.raise_emma.pk}/approve/").status_code == 404
    assert client.get(f"/office/today/proposals/{desk.raise_emma.pk}/approve/").status_code == 405


def test_the_cli_prints_a_users_today(cast, desk):
    out = StringIO()
    call_command("office", "today", "--user", "head", stdout=out)
    text = out.getvalue()
    assert f"Today for head: {HEAD_TOTAL} matters (subtree)" in text
    assert "Late expense refunds" in text
    assert "Clear: Proposals waiting" in text


def test_the_cli_needs_a_user_with_a_today(cast, desk):
    with pytest.raises(CommandError, match="'employee' has no Today"):
        call_command("office", "today", "--user", "employee")
    with pytest.raises(CommandError, match="no active user 'nobody'"):
        call_command("office", "today", "--user", "nobody")
    with pytest.raises(CommandError, match="--user"):
        call_command("office", "today")


def test_a_source_without_a_count_is_counted_by_its_items(client, cast, desk):
    from gmassist.office.today.registry import (
        TodayItem,
        TodaySource,
        register_today_source,
        unregister_today_source,
    )
    from gmassist.office.today.tests.conftest import NOW

    register_today_source(
        TodaySource(
            key="zz.test",
            title="Test matters",
            order=99,
            items=lambda user: [TodayItem(key="zz:1", title="One", why="", url="/", since=NOW)],
        )
    )
    try:
        assert today_count(user=cast.gm) == GM_TOTAL + 1
        client.force_login(cast.gm)
        assert client.get("/api/office/today").json()["count"] == GM_TOTAL + 1
    finally:
        unregister_today_source("zz.test")


def test_todays_queries_do_not_grow_with_its_lines(client, cast, desk):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gmassist.office.today.tests.conftest import _feedback

    client.force_login(cast.gm)
    client.get("/api/office/today")
    with CaptureQueriesContext(connection) as before:
        client.get("/api/office/today")
    for n in range(10):
        _feedback(
            subject=f"More overdue {n}",
            department=cast.rnd,
            head_department=cast.rnd,
            submitted_on=desk.overdue_rnd.submitted_on,
            due_on=desk.overdue_rnd.due_on,
        )
    with CaptureQueriesContext(connection) as after:
        body = client.get("/api/office/today").json()
    assert body["count"] == GM_TOTAL + 10
    assert len(after.captured_queries) == len(before.captured_queries)


def test_a_line_that_names_a_record_offers_delegating_it(client, cast, desk):
    client.force_login(cast.gm)
    body = client.get("/api/office/today?section=voice.requisitions").json()
    item = body["sections"][0]["items"][0]
    assert item["delegate_url"] == (
        f"/office/tasks/new/?about=voice.requisition%3A{desk.critical_req.pk}"
    )
    page = client.get("/").content.decode()
    assert 'data-testid="today-delegate"' in page


def test_the_glance_is_in_the_navigation_of_those_whose_home_is_today(cast):
    from conftest import nav_pages

    assert "core.glance" in nav_pages(cast.gm)
    assert "core.glance" in nav_pages(cast.head)
    assert "core.glance" not in nav_pages(cast.hr)  # HR's home page is the glance
    assert "core.glance" not in nav_pages(cast.employee)


def test_sections_holding_critical_matters_come_before_the_proposals_waiting(client, cast, desk):
    client.force_login(cast.gm)
    sections = [s["key"] for s in client.get("/").context["sections"]]
    assert sections == [
        "voice.feedback",  # an urgent complaint
        "voice.requisitions",  # a critical requisition past its target
        "customers.key_customers",  # an A-tier customer at high churn risk
        "customers.managers",
        "core.proposals",
        "decisions",
    ]
