"""A person's leaving risk month by month: the selector, the page's chart and table, the API;
success, not logged in, wrong scope (nothing read), and the read audited."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from gmassist.core.choices import AuditAction
from gmassist.core.models import AuditEntry
from gmassist.org.models import Employee
from gmassist.talent import selectors
from gmassist.talent.tests.scored import EMMA_HISTORY, give_emma_a_history


def page_url(no: str) -> str:
    return reverse("talent:person", args=[Employee.objects.get(employee_no=no).pk])


def api_url(no: str) -> str:
    return f"/api/talent/people/{Employee.objects.get(employee_no=no).pk}/risk"


def risk_reads():
    return AuditEntry.objects.filter(action=AuditAction.READ_RISK)


def test_the_selector_gives_today_s_model_on_each_month_end_and_the_bands(scored):
    give_emma_a_history()
    emma = Employee.objects.get(employee_no="E004")
    risk = selectors.person_risk(user=scored.gm, employee=emma)
    assert risk["model_history"] == [
        {"as_of": dt.date(2026, 8, 31), "probability": 0.10},
        {"as_of": dt.date(2026, 9, 30), "probability": 0.20},
        {"as_of": dt.date(2026, 10, 31), "probability": 0.40},
    ]
    assert [h["probability"] for h in risk["history"]] == [0.35, 0.40]  # scored those months
    bands = risk["bands"]
    assert (bands.base_rate, bands.medium_from, bands.high_from) == (0.12, 0.12, 0.24)
    [entry] = risk_reads()
    assert (entry.changes["what"], entry.changes["employee_nos"]) == ("person", ["E004"])


def test_the_selector_reads_nothing_for_someone_outside_the_scope(scored):
    give_emma_a_history()
    emma = Employee.objects.get(employee_no="E004")
    assert selectors.person_risk(user=scored.employee, employee=emma) is None
    oscar = Employee.objects.get(employee_no="E005")  # R&D: outside the sales head's subtree
    assert selectors.person_risk(user=scored.head, employee=oscar) is None
    assert not risk_reads().exists()


def test_a_person_without_a_stored_history_has_the_scores_of_each_month(scored):
    hank = Employee.objects.get(employee_no="E003")
    risk = selectors.person_risk(user=scored.gm, employee=hank)
    assert risk["model_history"] == []
    assert [h["probability"] for h in risk["history"]] == [0.15, 0.18]


def test_the_page_draws_the_months_with_the_band_limits_and_a_table(client, scored):
    give_emma_a_history()
    client.force_login(scored.gm)
    response = client.get(page_url("E004"))
    assert response.status_code == 200
    chart = response.context["chart_history"]
    assert chart["labels"] == ["Aug 2026", "Sep 2026", "Oct 2026"]
    line, then, high, medium = chart["datasets"]
    assert (line["label"], line["data"]) == ("Leaving risk (today's model)", EMMA_HISTORY)
    assert (then["label"], then["data"]) == ("As scored that month", [None, 0.35, 0.4])
    assert (high["label"], high["data"], high["dashed"]) == ("High (24% and up)", [0.24] * 3, True)
    assert (medium["label"], medium["data"]) == ("Medium (12% to 24%)", [0.12] * 3)
    html = response.content.decode()
    rows = html.split('data-testid="talent-history-row"')[1:]
    assert len(rows) == 3
    assert '<td>October 2026</td><td class="num">40%</td><td>High</td>' in rows[0]
    assert '<td>August 2026</td><td class="num">10%</td><td>Low</td>' in rows[2]
    assert 'aria-describedby="talent-history-note"' in html
    assert "High: at least twice the company&#x27;s yearly leaving rate of 12%" in html
    [entry] = risk_reads()
    assert entry.changes["employee_nos"] == ["E004"]


def test_the_page_speaks_the_reader_s_language_and_numbers(client, scored):
    give_emma_a_history()
    client.force_login(scored.gm)
    response = client.get(page_url("E004"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    chart = response.context["chart_history"]
    assert chart["labels"] == ["2026年8月", "2026年9月", "2026年10月"]
    assert chart["datasets"][2]["label"] == "高（24% 及以上）"
    html = response.content.decode()
    assert '<td>2026年10月</td><td class="num">40%</td><td>高</td>' in html
    assert "至少为公司年离职率 12% 的两倍" in html


def test_the_page_needs_a_login(client, scored):
    give_emma_a_history()
    response = client.get(page_url("E004"))
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not risk_reads().exists()


def test_the_page_is_not_found_outside_the_scope_and_forbidden_to_an_employee(client, scored):
    give_emma_a_history()
    client.force_login(scored.head)
    assert client.get(page_url("E005")).status_code == 404
    client.force_login(scored.employee)
    assert client.get(page_url("E004")).status_code == 403
    assert not risk_reads().exists()


def test_the_api_gives_the_months_by_today_s_model_and_the_bands(client, scored):
    give_emma_a_history()
    client.force_login(scored.gm)
    body = client.get(api_url("E004")).json()
    assert body["model_history"] == [
        {"as_of": "2026-08-31", "probability": 0.1},
        {"as_of": "2026-09-30", "probability": 0.2},
        {"as_of": "2026-10-31", "probability": 0.4},
    ]
    assert body["bands"] == {"base_rate": 0.12, "medium_from": 0.12, "high_from": 0.24}
    assert body["latest"]["band"] == "high"
    assert risk_reads().count() == 1
    client.logout()
    assert client.get(api_url("E004")).status_code == 401
    client.force_login(scored.head)
    assert client.get(api_url("E005")).status_code == 404
    assert risk_reads().count() == 1
