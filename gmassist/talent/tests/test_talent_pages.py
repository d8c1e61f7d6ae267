"""The talent overview, the person page, the incentive plan pages and the job page: per role,
scope, click-through, audit, bad input, pinned query counts (see `scored` for the numbers)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import nav_pages
from gmassist.core.choices import AuditAction
from gmassist.core.jobs import job_run
from gmassist.core.models import AuditEntry, Job, Proposal
from gmassist.org.models import Employee
from gmassist.talent.choices import PlanLineStatus
from gmassist.talent.models import IncentivePlan
from gmassist.talent.services import incentive_plan_create

OVERVIEW = reverse("talent:overview")
PLAN = reverse("talent:plan")


def person_url(no: str) -> str:
    return reverse("talent:person", args=[Employee.objects.get(employee_no=no).pk])


def reads(action: str):
    return AuditEntry.objects.filter(action=action)


def test_the_overview_shows_the_nine_box_the_heat_map_and_the_model(client, scored):
    client.force_login(scored.gm)
    response = client.get(OVERVIEW)
    assert response.status_code == 200
    counts = {c["key"]: c["count"] for row in response.context["nine_box"] for c in row["cells"]}
    assert {k: v for k, v in counts.items() if v} == {
        "high-high": 1,
        "medium-high": 1,
        "medium-medium": 1,
        "low-low": 1,
    }
    assert [(c["department"], c["bands"]) for c in response.context["heat"]] == [
        ("Sales East", {"low": 0, "medium": 0, "high": 1}),
        ("R&D", {"low": 0, "medium": 0, "high": 1}),
        ("Sales", {"low": 1, "medium": 1, "high": 0}),
        ("Headquarters", {"low": 1, "medium": 1, "high": 0}),
    ]
    assert (response.context["scored"], response.context["high_risk"]) == (6, 2)
    html = response.content.decode()
    assert 'data-testid="talent-auc">0.71<' in html
    # the bands in words: the company's own rate of 12% a year, and twice it
    assert (
        "at high risk: at least 2× the company&#x27;s 12% yearly leaving rate (24% and up "
        "within 12 months)"
    ) in html
    assert response.context["band_labels"] == [
        "Low (under 12%)",
        "Medium (12% to 24%)",
        "High (24% and up)",
    ]
    assert response.context["model_quality"] == (
        "ROC AUC 0.71 (95% CI 0.62–0.80) on 100 people, 12 leavers, trained on what was known "
        "by 2025-10-31."
    )
    assert 'id="talent-chart-calibration-data"' in html
    assert 'data-testid="talent-score-now"' in html
    # one audit entry for the risk read, one for the pay (the key people's replacement cost)
    [risk] = reads(AuditAction.READ_RISK)
    assert risk.changes["employee_nos"] == ["E002", "E003", "E004", "E005", "E006"]
    assert reads(AuditAction.READ_PAY).count() == 1


def test_a_nine_box_cell_lists_its_people_with_their_risk(client, scored):
    client.force_login(scored.gm)
    selection = client.get(OVERVIEW, {"box": "medium-high"}).context["selection"]
    assert [(p["employee_no"], p["risk"]) for p in selection["people"]] == [("E005", 0.3)]
    assert client.get(OVERVIEW, {"box": "top-top"}).status_code == 404


def test_a_heat_map_cell_lists_its_people(client, scored):
    client.force_login(scored.hr)
    response = client.get(OVERVIEW, {"department": scored.sales.pk, "band": "medium"})
    assert [p["employee_no"] for p in response.context["selection"]["people"]] == ["E003"]
    assert 'data-testid="person-link"' in response.content.decode()
    assert client.get(OVERVIEW, {"department": "x", "band": "high"}).status_code == 404


def test_a_department_head_sees_only_their_subtree_and_cannot_score(client, scored):
    client.force_login(scored.head)
    response = client.get(OVERVIEW)
    assert [c["department"] for c in response.context["heat"]] == ["Sales East", "Sales"]
    assert 'data-testid="talent-score-now"' not in response.content.decode()
    assert client.post(OVERVIEW).status_code == 403
    assert Job.objects.count() == 0


def test_score_now_starts_the_job_and_its_page_shows_the_progress(client, scored):
    client.force_login(scored.gm)
    response = client.post(OVERVIEW)
    job = Job.objects.get()
    assert job.kind == "talent.score"
    assert response["Location"] == reverse("job", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    assert 'data-status="queued"' in page and 'data-testid="job-progress"' in page
    partial = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<section id="job-')


def test_the_person_page_has_risk_reasons_history_factors_and_pay(client, scored):
    client.force_login(scored.gm)
    response = client.get(person_url("E004"))
    assert response.status_code == 200
    assert response.context["reasons"] == [
        "paid at 76% of the band midpoint (compa-ratio)",
        "40 months since the last promotion",
        "2 manager changes in the last 12 months",
    ]
    assert response.context["chart_history"]["datasets"][0]["data"] == [0.35, 0.4]
    key = response.context["key"]
    assert (key["score"], key["compa_ratio"], key["band_position"]) == (0.4002, 0.76, -0.1)
    assert key["replacement_cost"] == 31666.67
    html = response.content.decode()
    assert 'data-testid="talent-person-probability">40%<' in html
    [risk] = reads(AuditAction.READ_RISK)
    assert (risk.changes["what"], risk.changes["employee_nos"]) == ("person", ["E004"])
    [pay] = reads(AuditAction.READ_PAY)
    assert (pay.target_type, pay.changes["employee_nos"]) == ("talent.person", ["E004"])


def test_the_overview_says_what_the_bands_mean_in_chinese(client, scored):
    client.force_login(scored.gm)
    response = client.get(OVERVIEW, HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = response.content.decode()
    assert "高离职风险：至少为公司年离职率 12% 的 2 倍（12 个月内 24% 及以上）" in html
    assert response.context["band_labels"] == [
        "低（低于 12%）",
        "中（12% 至 24%）",
        "高（24% 及以上）",
    ]
    assert response.context["model_quality"] == (
        "ROC AUC 0.71（95% 置信区间 0.62–0.80），基于 100 人、其中 12 人离职，"
        "模型仅使用截至 2025-10-31 已知的信息训练。"
    )


def test_the_person_page_reasons_are_in_chinese_for_a_chinese_reader(client, scored):
    client.force_login(scored.gm)
    response = client.get(person_url("E004"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert len(response.context["reasons"]) == 3


def test_a_person_outside_the_heads_subtree_is_a_404_and_nothing_is_read(client, scored):
    client.force_login(scored.head)
    assert client.get(person_url("E005")).status_code == 404
    assert client.get(reverse("talent:person", args=[999999])).status_code == 404
    assert AuditEntry.objects.count() == 0


def test_the_plan_page_starts_a_plan_and_the_plan_page_shows_it(client, scored):
    client.force_login(scored.gm)
    assert client.get(PLAN).status_code == 200
    response = client.post(PLAN, {"budget": "30000", "top": "", "menu_toml": ""})
    job = Job.objects.get()
    assert response["Location"] == reverse("job", args=[job.pk])
    job_run(job.pk)
    done = client.get(response["Location"])
    plan = IncentivePlan.objects.get()
    assert done.context["plan_url"] == reverse("talent:plan_detail", args=[plan.pk])
    page = client.get(done.context["plan_url"])
    lines = page.context["lines"]
    # only two 3% raises are worth their cost (scored.py); the GM and HR decide the plan
    assert [line.employee.employee_no for line in lines] == ["E005", "E004"]
    assert lines[1].action_texts == ["Raise 3% (2,280 a year)"]
    assert lines[1].reason_texts[0] == "leaving risk 0.40 → 0.32"
    html = page.content.decode()
    assert 'data-testid="plan-quality">Optimal<' in html
    assert 'id="plan-chart-curve-data"' in html
    assert html.count('data-testid="plan-line-check"') == 2
    assert "Spend 5,580 of the 30,000 budget: no other action is worth its cost." in html
    assert "Grace Manager (E001): decided outside the application" in html
    assert "Harriet Ross (E002): nobody decides their own case" in html
    assert 'data-testid="plan-link"' in client.get(PLAN).content.decode()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"budget": "-5"}, "budget", "greater than or equal to 0"),
        ({"budget": "abc"}, "budget", "Enter a number"),
        ({"budget": "1000", "menu_toml": "raise_step = -1"}, "menu_toml", "raise_step"),
        ({"budget": "1000", "menu_toml": "colour = 1"}, "menu_toml", "unknown key 'colour'"),
        ({"budget": "1000", "menu_toml": "[menu"}, "menu_toml", "not valid TOML"),
    ],
)
def test_bad_plan_inputs_are_field_errors_and_start_nothing(client, scored, data, field, message):
    client.force_login(scored.gm)
    response = client.post(PLAN, data)
    assert response.status_code == 422
    assert list(response.context["form"].errors) == [field]
    assert message in response.context["form"].errors[field][0]
    assert Job.objects.count() == 0


def test_approving_two_chosen_lines_makes_their_proposals(client, scored):
    plan = incentive_plan_create(budget=30000, by=scored.hr, time_limit=5)
    first, second = list(plan.lines.order_by("-effect"))[:2]
    client.force_login(scored.gm)
    url = reverse("talent:plan_detail", args=[plan.pk])
    response = client.post(url, {"which": "chosen", "line": [first.pk, second.pk]}, follow=True)
    assert response.status_code == 200
    assert "2 lines approved; 0 wait for a decision" in response.content.decode()
    assert set(plan.lines.filter(status=PlanLineStatus.APPROVED).values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
    }
    assert 'data-testid="plan-line-proposal"' in response.content.decode()


def test_approving_with_no_line_chosen_is_an_error_and_changes_nothing(client, scored):
    plan = incentive_plan_create(budget=30000, by=scored.hr, time_limit=5)
    client.force_login(scored.gm)
    response = client.post(reverse("talent:plan_detail", args=[plan.pk]), {"which": "chosen"})
    assert response.status_code == 422
    assert response.context["error"] == "Choose the lines to approve, or approve all."
    assert Proposal.objects.count() == 0


def test_a_head_cannot_see_others_plans_nor_approve(client, scored):
    plan = incentive_plan_create(budget=30000, by=scored.hr, time_limit=5)
    client.force_login(scored.head)
    url = reverse("talent:plan_detail", args=[plan.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"which": "all"}).status_code == 404
    assert plan.lines.exclude(status=PlanLineStatus.PLANNED).count() == 0
    assert client.get(PLAN).context["plans"] == []


def test_the_assistant_sees_a_plan_without_the_approve_buttons(client, scored):
    plan = incentive_plan_create(budget=30000, by=scored.hr, time_limit=5)
    client.force_login(scored.assistant)
    html = client.get(reverse("talent:plan_detail", args=[plan.pk])).content.decode()
    assert 'data-testid="plan-approve-all"' not in html
    assert Proposal.objects.count() == 0


@pytest.mark.parametrize(
    ("role", "visible"),
    [("gm", True), ("hr", True), ("head", True), ("employee", False), ("account_manager", False)],
)
def test_the_navigation_shows_talent_to_the_roles_that_see_risk(client, scored, role, visible):
    pages = nav_pages(getattr(scored, role))
    assert ("talent.overview" in pages, "talent.plan" in pages) == (visible, visible)


def test_the_page_query_counts_do_not_grow_with_the_rows(client, scored, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from conftest import make_employee
    from gmassist.talent.models import RiskModelRun, RiskScore
    from gmassist.talent.tests.scored import OCTOBER

    incentive_plan_create(budget=30000, by=scored.gm, time_limit=5)
    client.force_login(scored.gm)
    counts = {}
    for url in (OVERVIEW, PLAN):
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        counts[url] = len(ctx)
    run = RiskModelRun.objects.get(as_of=OCTOBER)
    for i in range(30):
        extra = make_employee(f"X{i:03d}", f"Extra {i}", scored.sales, scored.salesperson)
        RiskScore.objects.create(
            run=run, employee=extra, as_of=OCTOBER, probability=0.2, model_version="x"
        )
    for _ in range(3):
        incentive_plan_create(budget=100, by=scored.gm, time_limit=1)
    for url, count in counts.items():
        with django_assert_num_queries(count):
            client.get(url)
    assert counts == {OVERVIEW: 12, PLAN: 6}


def test_the_directorys_employee_page_links_to_the_talent_page_for_those_who_may_see_it(
    client, scored
):
    emma = Employee.objects.get(employee_no="E004")
    link = f'href="{reverse("talent:person", args=[emma.pk])}"'
    client.force_login(scored.head)
    assert link in client.get(reverse("org:employee", args=[emma.pk])).content.decode()
    client.force_login(scored.employee)  # Emma herself: her pay, but never her risk
    assert link not in client.get(reverse("org:employee", args=[emma.pk])).content.decode()
