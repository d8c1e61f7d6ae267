"""The triage endpoints: success, not logged in (401), wrong scope (403/404, nothing changed),
bad input (422)."""

import json

import pytest

from conftest import assert_problem
from gmassist.office.triage import services
from gmassist.office.triage.models import Matter, TriageDecision, TriageRule
from gmassist.office.triage.tests.conftest import decide, make_matter


def post(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


def test_the_list_shows_proposals_with_reasons(client, cast):
    matter = make_matter(department=cast.sales)
    client.force_login(cast.assistant)
    body = client.get("/api/office/triage").json()
    assert body["count"] == 1
    [row] = body["items"]
    assert row["id"] == matter.pk and row["status"] == "waiting" and row["decision"] is None
    assert row["proposal"]["route"] == "delegate"
    assert row["proposal"]["owner"] == {"id": cast.head.pk, "name": "Hank Head"}
    assert row["proposal"]["reasons"][-1] == "owner: the head of Sales, the department it is about"


def test_the_list_filters_decided_matters_by_route(client, cast):
    decide(make_matter(), cast.gm, "gm")
    make_matter()
    client.force_login(cast.gm)
    assert client.get("/api/office/triage?status=waiting").json()["count"] == 1
    assert client.get("/api/office/triage?route=gm").json()["count"] == 1
    assert client.get("/api/office/triage?route=not_company").json()["count"] == 0
    assert_problem(client.get("/api/office/triage?route=elsewhere"), 422)


@pytest.mark.parametrize(
    "path", ["/api/office/triage", "/api/office/triage/rules", "/api/office/triage/report"]
)
def test_reading_needs_a_login_and_the_gms_office(client, cast, path):
    assert_problem(client.get(path), 401)
    for user in (cast.hr, cast.head, cast.employee):
        client.force_login(user)
        assert_problem(client.get(path), 403)


def test_one_matter_with_its_history(client, cast):
    matter = make_matter(department=cast.sales)
    decide(matter, cast.gm, "delegate", owner=cast.head)
    client.force_login(cast.gm)
    body = client.get(f"/api/office/triage/{matter.pk}").json()
    assert body["decision"]["route"] == "delegate" and body["decision"]["accepted"] is True
    assert [h["route"] for h in body["history"]] == ["delegate"]
    client.force_login(cast.hr)
    assert_problem(client.get(f"/api/office/triage/{matter.pk}"), 404)


def test_typing_a_matter_in(client, cast):
    client.force_login(cast.assistant)
    response = post(
        client,
        "/api/office/triage",
        {"title": "有同事总打听我的婚姻状况。", "source": "request"},
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["proposal"]["route"], body["proposal"]["category"]) == ("not_company", "privacy")
    assert body["language"] == "zh"


def test_typing_a_matter_in_is_refused_to_others_and_for_bad_input(client, cast):
    assert_problem(post(client, "/api/office/triage", {"title": "x"}), 401)
    client.force_login(cast.hr)
    assert_problem(post(client, "/api/office/triage", {"title": "x"}), 403)
    client.force_login(cast.assistant)
    assert_problem(post(client, "/api/office/triage", {"title": ""}), 422)
    assert_problem(post(client, "/api/office/triage", {"title": "x", "department_id": 999}), 422)
    assert_problem(post(client, "/api/office/triage", {"title": "x", "source": "feedback"}), 422)
    assert Matter.objects.count() == 0


def test_the_gm_decides(client, cast):
    matter = make_matter()
    client.force_login(cast.gm)
    response = post(
        client,
        f"/api/office/triage/{matter.pk}/decision",
        {"route": "delegate", "owner_id": cast.assistant.pk, "note": "Please handle"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["decision"]["owner"] == {"id": cast.assistant.pk, "name": str(cast.assistant)}
    assert body["decision"]["accepted"] is False  # proposed to nobody in particular


@pytest.mark.parametrize(
    ("who", "status"), [("assistant", 403), ("hr", 404), ("head", 404), ("employee", 404)]
)
def test_nobody_else_decides_and_nothing_changes(client, cast, who, status):
    matter = make_matter()
    client.force_login(getattr(cast, who))
    assert_problem(
        post(client, f"/api/office/triage/{matter.pk}/decision", {"route": "gm"}), status
    )
    assert TriageDecision.objects.count() == 0


def test_a_bad_decision_is_a_problem_and_changes_nothing(client, cast):
    matter = make_matter()
    client.force_login(cast.gm)
    path = f"/api/office/triage/{matter.pk}/decision"
    assert_problem(post(client, path, {"route": "delegate"}), 422)
    assert_problem(post(client, path, {"route": "delegate", "owner_id": cast.employee.pk}), 422)
    assert_problem(post(client, path, {"route": "somewhere"}), 422)
    assert_problem(post(client, "/api/office/triage/999999/decision", {"route": "gm"}), 404)
    assert_problem(client.post(path, "{", content_type="application/json"), 400)
    assert TriageDecision.objects.count() == 0


def test_rules_are_created_changed_listed_and_deleted_by_the_gm(client, cast):
    client.force_login(cast.gm)
    response = post(
        client,
        "/api/office/triage/rules",
        {"phrases_en": ["press"], "phrases_zh": ["媒体"], "category": "image", "route": "gm"},
    )
    assert response.status_code == 201
    rule_id = response.json()["id"]
    response = client.put(
        f"/api/office/triage/rules/{rule_id}",
        json.dumps({"phrases_en": ["press", "reporter"], "category": "image", "route": "gm"}),
        content_type="application/json",
    )
    assert response.json()["phrases_en"] == ["press", "reporter"]
    assert [r["id"] for r in client.get("/api/office/triage/rules").json()] == [rule_id]
    assert client.delete(f"/api/office/triage/rules/{rule_id}").status_code == 204
    assert TriageRule.objects.count() == 0


def test_a_bad_rule_is_refused_with_the_field(client, cast):
    client.force_login(cast.gm)
    body = assert_problem(
        post(client, "/api/office/triage/rules", {"category": "detail", "route": "delegate"}), 422
    )
    assert "phrases_en" in json.dumps(body) and "owner" in json.dumps(body)
    client.force_login(cast.assistant)
    assert_problem(
        post(
            client,
            "/api/office/triage/rules",
            {"phrases_en": ["press"], "category": "image", "route": "gm"},
        ),
        403,
    )
    assert TriageRule.objects.count() == 0


def test_the_report(client, cast):
    decide(make_matter(department=cast.sales), cast.gm, "delegate", owner=cast.head)
    decide(make_matter(department=cast.sales), cast.gm, "gm")
    client.force_login(cast.assistant)
    body = client.get("/api/office/triage/report").json()
    assert (body["decided"], body["accepted"], body["rate"]) == (2, 1, 0.5)
    assert body["by_month"] == [{"month": "2026-03", "decided": 2, "accepted": 1, "rate": 0.5}]


def test_rule_changes_by_others_are_refused(client, cast):
    rule = services.rule_save(
        by=cast.gm, phrases_en="press", phrases_zh="", category="image", route="gm"
    )
    client.force_login(cast.hr)
    assert_problem(client.delete(f"/api/office/triage/rules/{rule.pk}"), 404)
    client.force_login(cast.assistant)
    assert_problem(client.delete(f"/api/office/triage/rules/{rule.pk}"), 403)
    assert TriageRule.objects.count() == 1


def test_the_openapi_document_keeps_the_triage_shapes_apart_from_others(client, cast):
    schemas = client.get("/api/openapi.json").json()["components"]["schemas"]
    assert "unsure" in schemas["TriageProposalOut"]["properties"]
    assert "unsure" not in schemas["ProposalOut"]["properties"]  # core's proposals
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"/api/office/triage", "/api/office/triage/{matter_id}/decision"} <= set(paths)
