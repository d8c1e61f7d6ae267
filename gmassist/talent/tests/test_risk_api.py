"""The leaving-risk and incentive-plan endpoints: success, not logged in (401), not allowed
(403/404, nothing read or changed), bad input (422), pinned query counts."""

from __future__ import annotations

import json

import pytest

from conftest import assert_problem
from gmassist.core.choices import AuditAction, ProposalStatus
from gmassist.core.jobs import job_run
from gmassist.core.models import AuditEntry, Job, Proposal
from gmassist.org.models import Employee
from gmassist.talent.choices import PlanLineStatus
from gmassist.talent.models import IncentivePlan
from gmassist.talent.services import incentive_plan_create
from gmassist.talent.tests.scored import DEVELOPMENT_MENU, OCTOBER

SCORES = "/api/talent/risk-scores"
MODEL = "/api/talent/risk-model"
NINE_BOX = "/api/talent/nine-box"
HEATMAP = "/api/talent/risk-heatmap"
SCORE = "/api/talent/score"
PLANS = "/api/talent/plans"


def risk_reads():
    return AuditEntry.objects.filter(action=AuditAction.READ_RISK)


def person_url(no: str) -> str:
    return f"/api/talent/people/{Employee.objects.get(employee_no=no).pk}/risk"


def post_json(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_the_gm_lists_the_latest_risks_highest_first_with_reasons(client, scored):
    client.force_login(scored.gm)
    body = client.get(SCORES, {"page_size": 2}).json()
    assert (body["count"], body["page_size"]) == (6, 2)
    emma, oscar = body["items"]
    assert (emma["employee_no"], emma["probability"], emma["band"]) == ("E004", 0.4, "high")
    assert emma["as_of"] == OCTOBER.isoformat()
    assert [r["text"] for r in emma["reasons"]] == [
        "paid at 76% of the band midpoint (compa-ratio)",
        "40 months since the last promotion",
        "2 manager changes in the last 12 months",
    ]
    assert oscar["employee_no"] == "E005"
    # the people shown are audited: this page's two
    [entry] = risk_reads()
    assert entry.changes["employee_nos"] == ["E004", "E005"]


def test_risk_scores_filter_by_band_department_minimum_and_sort(client, scored):
    client.force_login(scored.hr)

    def numbers(params):
        return [i["employee_no"] for i in client.get(SCORES, params).json()["items"]]

    assert numbers({"band": "medium"}) == ["E003", "E002"]
    assert numbers({"band": "low", "sort": "name"}) == ["E006", "E001"]
    assert numbers({"department_id": scored.sales.pk}) == ["E004", "E003", "E006"]
    assert numbers({"min_risk": 0.3, "sort": "risk"}) == ["E005", "E004"]


def test_a_head_sees_only_their_subtree_and_gets_a_422_outside_it(client, scored):
    client.force_login(scored.head)
    body = client.get(SCORES).json()
    assert [i["employee_no"] for i in body["items"]] == ["E004", "E003", "E006"]
    problem = assert_problem(client.get(SCORES, {"department_id": scored.rnd.pk}), 422)
    assert [e["field"] for e in problem["errors"]] == ["department_id"]
    assert risk_reads().count() == 1  # the first request only


@pytest.mark.parametrize(
    "params", [{"band": "extreme"}, {"min_risk": 2}, {"sort": "salary"}, {"page": 0}]
)
def test_bad_risk_filters_are_422_and_read_nothing(client, scored, params):
    client.force_login(scored.gm)
    assert_problem(client.get(SCORES, params), 422)
    assert risk_reads().count() == 0


def test_a_persons_risk_has_its_reasons_and_history(client, scored):
    client.force_login(scored.gm)
    body = client.get(person_url("E004")).json()
    assert body["latest"]["probability"] == 0.4
    assert body["history"] == [
        {"as_of": "2026-09-30", "probability": 0.35},
        {"as_of": "2026-10-31", "probability": 0.4},
    ]
    [entry] = risk_reads()
    assert entry.changes == {
        "what": "person",
        "people": 1,
        "filters": {},
        "employee_nos": ["E004"],
        "employee_nos_cut": False,
    }


def test_a_person_outside_the_heads_subtree_is_a_404_and_read_nothing(client, scored):
    client.force_login(scored.head)
    assert_problem(client.get(person_url("E005")), 404)
    assert_problem(client.get("/api/talent/people/999999/risk"), 404)
    assert risk_reads().count() == 0


def test_the_risk_model_has_its_backtest_and_calibration(client, scored):
    client.force_login(scored.head)
    body = client.get(MODEL).json()
    assert (body["as_of"], body["backtest_auc"], body["train_rows"]) == ("2026-10-31", 0.71, 1000)
    assert [b["count"] for b in body["calibration"]] == [50, 30, 20]
    assert (body["backtest_auc_low"], body["backtest_auc_high"]) == (0.62, 0.8)
    assert (body["backtest_test_rows"], body["backtest_leavers"]) == (100, 12)
    assert body["bands"] == {"base_rate": 0.12, "medium_from": 0.12, "high_from": 0.24}
    assert risk_reads().count() == 0  # model quality, nobody's risk


def test_the_risk_model_is_a_404_before_any_scoring(client, cast):
    client.force_login(cast.gm)
    assert_problem(client.get(MODEL), 404)


def test_the_nine_box_counts_and_lists_the_people_of_each_cell(client, scored):
    client.force_login(scored.gm)
    body = client.get(NINE_BOX).json()
    cells = {(c["performance"], c["potential"]): c["count"] for c in body["cells"]}
    assert len(cells) == 9
    assert {k: v for k, v in cells.items() if v} == {
        ("high", "high"): 1,
        ("medium", "high"): 1,
        ("medium", "medium"): 1,
        ("low", "low"): 1,
    }
    assert body["unplaced"] == 2
    assert AuditEntry.objects.filter(action=AuditAction.READ_PAY).count() == 1


def test_the_heat_map_has_the_bands_per_department_highest_mean_first(client, scored):
    client.force_login(scored.gm)
    body = client.get(HEATMAP).json()
    assert body["as_of"] == "2026-10-31"
    assert [
        (d["department"], d["people"], d["mean_risk"], d["low"], d["medium"], d["high"])
        for d in body["departments"]
    ] == [
        ("Sales East", 1, 0.4, 0, 0, 1),
        ("R&D", 1, 0.3, 0, 0, 1),
        ("Sales", 2, 0.13, 1, 1, 0),
        ("Headquarters", 2, 0.085, 1, 1, 0),
    ]
    assert risk_reads().count() == 1


def test_score_starts_the_scoring_job(client, scored):
    client.force_login(scored.hr)
    response = client.post(SCORE)
    assert response.status_code == 202
    job = Job.objects.get()
    assert (response.json()["id"], job.kind, job.created_by) == (job.pk, "talent.score", scored.hr)


def test_a_head_cannot_start_the_scoring_and_nothing_starts(client, scored):
    client.force_login(scored.head)
    assert_problem(client.post(SCORE), 403)
    assert Job.objects.count() == 0


def test_a_plan_is_made_by_a_job_and_read_with_its_lines(client, scored):
    client.force_login(scored.gm)
    response = post_json(client, PLANS, {"budget": 30000})
    assert response.status_code == 202
    job = Job.objects.get()
    job_run(job.pk)
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    plan = IncentivePlan.objects.get()
    listed = client.get(PLANS).json()
    assert [p["id"] for p in listed["items"]] == [plan.pk]
    body = client.get(f"{PLANS}/{plan.pk}").json()
    assert body["total_cost"] == float(plan.total_cost) <= 30000
    # only Oscar's and Emma's 3% raises are worth their cost; Hank's options are not, and
    # Grace (the GM) and Harriet (HR) decide the plan
    assert [line["employee_no"] for line in body["lines"]] == ["E005", "E004"]
    assert body["lines"][1]["reasons"][0] == "leaving risk 0.40 → 0.32"
    assert body["summary"]["status"] == "optimal"
    assert (body["total_cost"], round(body["total_net"], 2)) == (5580, 1336.18)
    assert body["lines"][0]["net"] == round(body["lines"][0]["effect"] - 3300, 2)
    assert body["lines"][0]["return_ratio"] == body["lines"][0]["effect"] / 3300
    assert body["spending_note"] == (
        "Spend 5,580 of the 30,000 budget: no other action is worth its cost."
    )
    assert [(p["employee_no"], p["reason"]) for p in body["left_out"]] == [
        ("E001", "decided outside the application"),
        ("E002", "nobody decides their own case"),
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"budget": -1}, "budget"),
        ({"budget": 1000, "menu_toml": "raise_step = -1"}, "menu_toml"),
        ({"budget": 1000, "menu_toml": "colour = 3"}, "menu_toml"),
        ({"budget": 1000, "top": 0}, "top"),
    ],
)
def test_a_bad_plan_request_is_a_422_naming_the_field_and_starts_nothing(
    client, scored, body, field
):
    client.force_login(scored.gm)
    problem = assert_problem(post_json(client, PLANS, body), 422)
    assert [e["field"] for e in problem["errors"]] == [field]
    if field == "menu_toml":
        assert body["menu_toml"].split(" ")[0] in problem["errors"][0]["message"]
    assert Job.objects.count() == 0


def _plan(scored):
    return incentive_plan_create(
        budget=30000, by=scored.hr, time_limit=5, menu_toml=DEVELOPMENT_MENU
    )


def test_approving_chosen_lines_applies_them_and_leaves_the_rest(client, scored):
    plan = _plan(scored)
    first, second = list(plan.lines.order_by("-effect"))[:2]
    client.force_login(scored.gm)
    response = post_json(client, f"{PLANS}/{plan.pk}/approve", {"line_ids": [first.pk, second.pk]})
    assert response.status_code == 200, response.content
    assert response.json() == {"approved": 2, "proposed": 0, "status": "partly_approved"}
    first.refresh_from_db()
    assert first.status == PlanLineStatus.APPROVED
    # the plan takes effect on its day, after today: its approved changes wait for it
    assert first.proposal.status == ProposalStatus.SCHEDULED
    assert plan.lines.filter(status=PlanLineStatus.PLANNED).count() == 2


def test_approving_unknown_lines_is_a_422_and_changes_nothing(client, scored):
    plan = _plan(scored)
    client.force_login(scored.gm)
    problem = assert_problem(
        post_json(client, f"{PLANS}/{plan.pk}/approve", {"line_ids": [999999]}), 422
    )
    assert [e["field"] for e in problem["errors"]] == ["line_ids"]
    assert plan.lines.exclude(status=PlanLineStatus.PLANNED).count() == 0
    assert Proposal.objects.count() == 0


def test_a_head_cannot_see_or_approve_someone_elses_plan_and_nothing_changes(client, scored):
    plan = _plan(scored)
    client.force_login(scored.head)
    assert client.get(PLANS).json()["count"] == 0
    assert_problem(client.get(f"{PLANS}/{plan.pk}"), 404)
    assert_problem(post_json(client, f"{PLANS}/{plan.pk}/approve", {}), 404)
    assert plan.lines.exclude(status=PlanLineStatus.PLANNED).count() == 0


def test_the_assistant_may_read_a_plan_but_not_approve_it(client, scored):
    plan = _plan(scored)
    client.force_login(scored.assistant)
    assert client.get(f"{PLANS}/{plan.pk}").status_code == 200
    assert_problem(post_json(client, f"{PLANS}/{plan.pk}/approve", {}), 403)
    assert Proposal.objects.count() == 0


ENDPOINTS = [
    ("get", SCORES),
    ("get", MODEL),
    ("get", NINE_BOX),
    ("get", HEATMAP),
    ("post", SCORE),
    ("post", PLANS),
    ("get", PLANS),
]


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_every_talent_risk_endpoint_needs_a_login(client, scored, method, url):
    response = getattr(client, method)(url)
    assert_problem(response, 401)
    assert risk_reads().count() == 0
    assert Job.objects.count() == 0


def test_the_list_endpoints_query_counts_do_not_grow_with_the_rows(
    client, scored, django_assert_num_queries
):
    from conftest import make_employee
    from gmassist.talent.models import RiskModelRun, RiskScore

    client.force_login(scored.gm)
    with django_assert_num_queries(6):
        client.get(SCORES)
    _plan(scored)
    with django_assert_num_queries(4):
        client.get(PLANS)
    run = RiskModelRun.objects.get(as_of=OCTOBER)
    for i in range(30):
        extra = make_employee(f"X{i:03d}", f"Extra {i}", scored.sales, scored.salesperson)
        RiskScore.objects.create(
            run=run, employee=extra, as_of=OCTOBER, probability=0.2, model_version="x"
        )
    incentive_plan_create(budget=1000, by=scored.gm, time_limit=5)
    with django_assert_num_queries(6):
        client.get(SCORES)
    with django_assert_num_queries(4):
        client.get(PLANS)
    with django_assert_num_queries(5):
        client.get(HEATMAP)


def test_the_nine_box_lists_each_cells_people_as_the_key_people_rows_place_them(client, scored):
    from gmassist.talent import selectors

    client.force_login(scored.gm)
    body = client.get(NINE_BOX).json()
    grid = selectors.nine_box(selectors.key_people_rows(selectors.key_people(user=scored.gm)))
    assert {f"{c['performance']}-{c['potential']}": c["employee_ids"] for c in body["cells"]} == {
        key: [row["employee_id"] for row in rows] for key, rows in grid["cells"].items()
    }
