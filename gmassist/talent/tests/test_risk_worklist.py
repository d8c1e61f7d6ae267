"""The leaving-risk worklist (/talent/risk/): the latest month's people most likely to leave,
with their reasons, filtered, sorted, exported, within the reader's scope, every read audited."""

from __future__ import annotations

import csv
import io

import pytest

from gmassist.core.choices import AuditAction
from gmassist.core.models import AuditEntry

RISK = "/talent/risk/"


def _rows(response) -> list[tuple[str, float]]:
    return [(row.employee.employee_no, row.probability) for row in response.context["rows"]]


def test_the_gm_sees_everyone_riskiest_first_with_reasons(client, scored):
    client.force_login(scored.gm)

    response = client.get(RISK)

    assert response.status_code == 200
    assert _rows(response) == [
        ("E004", 0.40),
        ("E005", 0.30),
        ("E003", 0.18),
        ("E002", 0.12),
        ("E006", 0.08),
        ("E001", 0.05),
    ]
    body = response.content.decode()
    assert (
        '<td class="num" data-testid="risk-probability"><strong>40%</strong><br>'
        '<small class="status band-high" data-testid="risk-band">High</small></td>'
    ) in body
    assert "<li>paid at 76% of the band midpoint (compa-ratio)</li>" in body
    assert "<li>40 months since the last promotion</li>" in body


def test_the_worklist_says_what_the_bands_mean_and_offers_them_with_their_limits(client, scored):
    client.force_login(scored.gm)
    response = client.get(RISK)
    html = response.content.decode()
    assert (
        "High: at least twice the company&#x27;s yearly leaving rate of 12% (24% and up within "
        "12 months); medium: at least that rate (12% to 24%); low: under 12%."
    ) in html
    assert list(response.context["form"].fields["band"].choices) == [
        ("", "Any risk"),
        ("high", "High (24% and up)"),
        ("medium", "Medium (12% to 24%)"),
        ("low", "Low (under 12%)"),
    ]
    assert (
        "ROC AUC 0.71 (95% CI 0.62–0.80) on 100 people, 12 leavers, trained on what was known "
        "by 2025-10-31."
    ) in html


def test_the_export_has_each_persons_band(client, scored):
    client.force_login(scored.gm)
    response = client.get(RISK, {"export": "csv"})
    lines = response.content.decode("utf-8-sig").splitlines()
    header = lines[0].split(",")
    bands = [line.split(",")[header.index("band")] for line in lines[1:]]
    assert bands == ["high", "high", "medium", "medium", "low", "low"]


def test_the_high_band_and_a_department_narrow_it(client, scored):
    client.force_login(scored.gm)

    assert _rows(client.get(RISK, {"band": "high"})) == [("E004", 0.40), ("E005", 0.30)]
    sales = client.get(RISK, {"department": scored.sales.pk, "sort": "name"})
    assert _rows(sales) == [("E006", 0.08), ("E004", 0.40), ("E003", 0.18)]


def test_a_department_head_sees_only_their_subtree(client, scored):
    client.force_login(scored.head)

    assert [no for no, _risk in _rows(client.get(RISK))] == ["E004", "E003", "E006"]


@pytest.mark.parametrize("role", ["employee", "account_manager"])
def test_roles_that_may_read_nobodys_risk_get_a_403(client, scored, role):
    client.force_login(getattr(scored, role))
    assert client.get(RISK).status_code == 403
    assert not AuditEntry.objects.filter(action=AuditAction.READ_RISK).exists()


def test_nobody_logged_in_is_sent_to_log_in(client, scored):
    assert client.get(RISK).status_code == 302


def test_an_unknown_band_is_an_error_next_to_the_filter(client, scored):
    client.force_login(scored.gm)
    response = client.get(RISK, {"band": "doomed"})
    assert list(response.context["form"].errors) == ["band"]
    assert response.context["rows"] == []


def test_the_rows_shown_are_audited_as_risk_reads(client, scored):
    client.force_login(scored.hr)

    client.get(RISK, {"band": "high"})

    [entry] = AuditEntry.objects.filter(action=AuditAction.READ_RISK)
    assert entry.actor == scored.hr
    assert (entry.changes["what"], entry.changes["employee_nos"]) == (RISK, ["E004", "E005"])


def test_the_export_has_the_reasons_and_is_audited(client, scored):
    client.force_login(scored.gm)

    response = client.get(RISK, {"band": "high", "export": "csv"})

    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r["employee_no"], r["probability"], r["band"]) for r in rows] == [
        ("E004", "0.4", "high"),
        ("E005", "0.3", "high"),
    ]
    assert rows[0]["reasons"].count(";") == 2
    assert AuditEntry.objects.filter(action=AuditAction.READ_RISK).exists()


def test_the_worklist_makes_the_same_queries_whatever_the_rows(client, scored):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from conftest import make_employee
    from gmassist.talent.models import RiskModelRun, RiskScore

    client.force_login(scored.gm)
    client.get(RISK)
    with CaptureQueriesContext(connection) as few:
        client.get(RISK)
    run = RiskModelRun.objects.order_by("-as_of").first()
    for i in range(30):
        extra = make_employee(f"X{i:03d}", f"Extra {i}", scored.sales, scored.salesperson)
        RiskScore.objects.create(
            run=run, employee=extra, as_of=run.as_of, probability=0.2, model_version="x"
        )
    with CaptureQueriesContext(connection) as many:
        client.get(RISK)
    assert len(many) == len(few) == 7
