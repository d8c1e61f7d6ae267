"""The recruiting endpoints under /api/voice/recruiting/: success, not logged in (401), wrong
scope (403/404 with nothing changed), bad input (422)."""

import datetime as dt
import json

import pytest
import time_machine
from django.core import mail

from conftest import assert_problem
from gmassist.core.models import AuditEntry
from gmassist.voice.recruiting.models import (
    Candidate,
    RecruitingAgency,
    Requisition,
    RequisitionShare,
)
from gmassist.voice.recruiting.tests.factories import (
    make_agency,
    make_candidate,
    make_requisition,
)

BASE = "/api/voice/recruiting"


@pytest.fixture(autouse=True)
def _fixed_day():
    with time_machine.travel(dt.datetime(2026, 3, 10, 9, 0), tick=False):
        yield


@pytest.fixture
def world(cast):
    """An agency, a requisition in Sales East (the head's) with a candidate, one in R&D."""
    agency = make_agency()
    east = make_requisition(cast, urgency="urgent", target_date=dt.date(2026, 3, 1))
    rnd = make_requisition(
        cast,
        code="REQ-RND",
        department=cast.rnd,
        position=cast.engineer,
        target_date=dt.date(2026, 4, 1),
    )
    candidate = make_candidate(east, agency=agency)
    make_candidate(rnd, "Rita", source="referral")
    return {"agency": agency, "east": east, "rnd": rnd, "candidate": candidate}


def send(client, method, path, body=None):
    return getattr(client, method)(
        BASE + path, json.dumps(body or {}), content_type="application/json"
    )


def snapshot():
    """What the writes could change, to assert that a denied one changed nothing."""
    return (
        list(RecruitingAgency.objects.values_list("name", "fee_percent", "status")),
        list(Requisition.objects.values_list("code", "urgency", "status", "headcount")),
        list(Candidate.objects.values_list("full_name", "stage")),
        RequisitionShare.objects.count(),
        AuditEntry.objects.count(),
    )


# --- reads -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("/agencies", "name"),
        ("/requisitions", "code"),
        ("/candidates", "full_name"),
    ],
)
def test_lists_show_what_each_role_may_see(client, cast, world, path, key):
    seen = {}
    for user in (cast.hr, cast.head, cast.employee):
        client.force_login(user)
        response = client.get(BASE + path)
        assert response.status_code == 200
        seen[user.username] = sorted(item[key] for item in response.json()["items"])
    expected = {
        "/agencies": (["Alpha Search"], []),
        "/requisitions": (["REQ-2026-001", "REQ-RND"], ["REQ-2026-001"]),
        "/candidates": (["Carl Candidate", "Rita"], ["Carl Candidate"]),
    }[path]
    expected = {"hr": expected[0], "head": expected[1], "employee": []}
    assert seen == expected


@pytest.mark.parametrize(
    "path", ["/agencies", "/requisitions", "/candidates", "/performance", "/agencies/1"]
)
def test_reads_need_a_login(client, world, path):
    assert_problem(client.get(BASE + path), 401)


def test_the_requisition_list_filters_and_rejects_bad_filters(client, cast, world):
    client.force_login(cast.gm)
    body = client.get(BASE + "/requisitions", {"overdue": "true"}).json()
    assert [(r["code"], r["overdue_days"]) for r in body["items"]] == [("REQ-2026-001", 9)]
    body = client.get(BASE + "/requisitions", {"department_id": cast.rnd.pk}).json()
    assert [r["code"] for r in body["items"]] == ["REQ-RND"]
    errors = assert_problem(client.get(BASE + "/requisitions", {"urgency": "asap"}), 422)["errors"]
    assert [e["field"] for e in errors] == ["urgency"]


def test_reading_one_record_out_of_scope_is_a_404(client, cast, world):
    client.force_login(cast.head)
    assert client.get(f"{BASE}/requisitions/{world['east'].pk}").json()["code"] == "REQ-2026-001"
    assert_problem(client.get(f"{BASE}/requisitions/{world['rnd'].pk}"), 404)
    assert_problem(client.get(f"{BASE}/agencies/{world['agency'].pk}"), 404)
    rita = Candidate.objects.get(full_name="Rita")
    assert_problem(client.get(f"{BASE}/candidates/{rita.pk}"), 404)
    assert_problem(client.get(f"{BASE}/candidates/0"), 422)


def test_performance_for_hr_and_a_refusal_for_an_employee(client, cast, world):
    Candidate.objects.filter(pk=world["candidate"].pk).update(
        stage="hired", hired_on=dt.date(2026, 2, 1)
    )
    client.force_login(cast.hr)
    body = client.get(BASE + "/performance").json()
    assert body["overdue_urgent"] == [
        {
            "requisition_id": world["east"].pk,
            "code": "REQ-2026-001",
            "urgency": "urgent",
            "target_date": "2026-03-01",
            "days_overdue": 9,
        }
    ]
    [alpha] = body["agencies"]
    assert (alpha["sent"], alpha["hires"], alpha["median_days_to_hire"]) == (1, 1, 22.0)
    assert alpha["fee_cost"] == "20000.00"  # 20% of the salesperson band midpoint
    client.force_login(cast.employee)
    assert_problem(client.get(BASE + "/performance"), 403)


# --- agencies --------------------------------------------------------------------------------


def test_hr_creates_and_changes_an_agency(client, cast, world):
    client.force_login(cast.hr)
    response = send(
        client, "post", "/agencies", {"name": "深圳猎头", "kind": "headhunter", "fee_percent": "25"}
    )
    assert response.status_code == 201
    created = response.json()
    assert (created["name"], created["fee_percent"], created["guarantee_days"]) == (
        "深圳猎头",
        "25.00",
        90,
    )
    response = send(
        client, "patch", f"/agencies/{created['id']}", {"specialities": ["Engineering"]}
    )
    assert response.json()["specialities"] == ["Engineering"]


def test_agency_writes_need_a_login_and_the_role(client, cast, world):
    before = snapshot()
    assert_problem(send(client, "post", "/agencies", {"name": "X"}), 401)
    client.force_login(cast.head)
    assert_problem(send(client, "post", "/agencies", {"name": "X"}), 403)
    assert_problem(
        send(client, "patch", f"/agencies/{world['agency'].pk}", {"status": "ended"}), 404
    )
    assert snapshot() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "X", "fee_percent": "101"}, "fee_percent"),
        ({"name": "X", "email": "nope"}, "email"),
        ({"name": "Alpha Search"}, "name"),  # taken
    ],
)
def test_bad_agency_input_is_a_422(client, cast, world, body, field):
    client.force_login(cast.hr)
    before = snapshot()
    errors = assert_problem(send(client, "post", "/agencies", body), 422)["errors"]
    assert [e["field"] for e in errors] == [field]
    assert snapshot() == before


# --- requisitions ----------------------------------------------------------------------------


def test_a_head_opens_a_requisition_in_their_subtree(client, cast, world):
    client.force_login(cast.head)
    body = {
        "position_id": cast.salesperson.pk,
        "department_id": cast.sales_east.pk,
        "target_date": "2026-05-01",
        "urgency": "critical",
    }
    response = send(client, "post", "/requisitions", body)
    assert response.status_code == 201
    assert (response.json()["code"], response.json()["status"]) == ("REQ-2026-002", "open")


def test_opening_needs_a_login_and_the_scope(client, cast, world):
    body = {
        "position_id": cast.engineer.pk,
        "department_id": cast.rnd.pk,
        "target_date": "2026-05-01",
    }
    before = snapshot()
    assert_problem(send(client, "post", "/requisitions", body), 401)
    client.force_login(cast.head)
    errors = assert_problem(send(client, "post", "/requisitions", body), 422)["errors"]
    assert [e["field"] for e in errors] == ["department_id"]  # R&D is not theirs to see
    client.force_login(cast.employee)
    assert_problem(
        send(client, "post", "/requisitions", {**body, "department_id": cast.sales_east.pk}), 403
    )
    assert snapshot() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"target_date": "2026-01-01"}, None),  # before today's opening
        ({"headcount": 0}, "headcount"),
        ({"urgency": "asap"}, "urgency"),
        ({"position_id": 999999}, "position_id"),
    ],
)
def test_bad_requisition_input_is_a_422(client, cast, world, change, field):
    client.force_login(cast.hr)
    body = {
        "position_id": cast.engineer.pk,
        "department_id": cast.rnd.pk,
        "target_date": "2026-05-01",
        **change,
    }
    before = snapshot()
    errors = assert_problem(send(client, "post", "/requisitions", body), 422)["errors"]
    assert [e["field"] for e in errors] == [field]
    assert snapshot() == before


def test_changing_and_closing_a_requisition(client, cast, world):
    client.force_login(cast.head)
    path = f"/requisitions/{world['east'].pk}"
    response = send(client, "patch", path, {"headcount": 2, "urgency": "critical"})
    assert (response.json()["headcount"], response.json()["urgency"]) == (2, "critical")
    response = send(client, "post", path + "/close", {"status": "filled"})
    assert (response.json()["status"], response.json()["days_to_fill"]) == ("filled", 64)
    assert_problem(send(client, "post", path + "/close", {"status": "cancelled"}), 409)


def test_requisition_writes_out_of_scope_change_nothing(client, cast, world):
    path = f"/requisitions/{world['rnd'].pk}"
    before = snapshot()
    assert_problem(send(client, "patch", path, {"headcount": 2}), 401)
    assert_problem(send(client, "post", path + "/close", {"status": "filled"}), 401)
    client.force_login(cast.head)
    assert_problem(send(client, "patch", path, {"headcount": 2}), 404)
    assert_problem(send(client, "post", path + "/close", {"status": "filled"}), 404)
    client.force_login(cast.hr)
    assert_problem(send(client, "patch", path, {"headcount": None}), 422)
    assert_problem(send(client, "patch", path, {"headcount": 0}), 422)
    assert_problem(send(client, "post", path + "/close", {"status": "done"}), 422)
    assert snapshot() == before


def test_sharing_with_agencies_emails_them(client, cast, world):
    client.force_login(cast.hr)
    path = f"/requisitions/{world['east'].pk}/share"
    response = send(client, "post", path, {"agency_ids": [world["agency"].pk], "message": "Hi"})
    assert response.json() == {
        "shared": [
            {"agency_id": world["agency"].pk, "agency": "Alpha Search", "shared_on": "2026-03-10"}
        ],
        "already_shared": [],
        "emailed": 1,
    }
    assert len(mail.outbox) == 1


def test_sharing_needs_login_scope_and_known_agencies(client, cast, world):
    path = f"/requisitions/{world['east'].pk}/share"
    body = {"agency_ids": [world["agency"].pk]}
    before = snapshot()
    assert_problem(send(client, "post", path, body), 401)
    client.force_login(cast.head)
    errors = assert_problem(send(client, "post", path, body), 422)[
        "errors"
    ]  # agencies are not theirs
    assert [e["field"] for e in errors] == ["agency_ids"]
    client.force_login(cast.hr)
    assert_problem(send(client, "post", path, {"agency_ids": []}), 422)
    assert_problem(send(client, "post", path, {"agency_ids": [999999]}), 422)
    assert snapshot() == before and mail.outbox == []


# --- candidates ------------------------------------------------------------------------------


def test_adding_a_candidate_and_moving_them_to_hired(client, cast, world):
    client.force_login(cast.head)
    response = send(
        client,
        "post",
        f"/requisitions/{world['east'].pk}/candidates",
        {"full_name": "Mei Chen", "source": "referral", "applied_on": "2026-03-01"},
    )
    assert response.status_code == 201
    candidate = response.json()
    client.force_login(cast.hr)
    response = send(
        client,
        "post",
        f"/candidates/{candidate['id']}/stage",
        {"stage": "hired", "on": "2026-03-09", "hired_employee_id": cast.employee.employee.pk},
    )
    body = response.json()
    assert (body["stage"], body["hired_on"], body["hired_employee_id"]) == (
        "hired",
        "2026-03-09",
        cast.employee.employee.pk,
    )


def test_candidate_writes_need_login_and_scope(client, cast, world):
    rita = Candidate.objects.get(full_name="Rita")
    before = snapshot()
    assert_problem(
        send(client, "post", f"/candidates/{rita.pk}/stage", {"stage": "screening"}), 401
    )
    assert_problem(
        send(client, "post", f"/requisitions/{world['rnd'].pk}/candidates", {"full_name": "Z"}),
        401,
    )
    client.force_login(cast.head)
    assert_problem(
        send(client, "post", f"/candidates/{rita.pk}/stage", {"stage": "screening"}), 404
    )
    assert_problem(
        send(client, "post", f"/requisitions/{world['rnd'].pk}/candidates", {"full_name": "Z"}),
        404,
    )
    assert snapshot() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"full_name": ""}, "full_name"),
        ({"full_name": "Z", "source": "agency"}, "agency"),
        ({"full_name": "Z", "source": "friend"}, "source"),
        ({"full_name": "Carl Candidate", "source": "direct"}, None),  # already a candidate
    ],
)
def test_bad_candidate_input_is_a_422(client, cast, world, body, field):
    client.force_login(cast.hr)
    before = snapshot()
    response = send(client, "post", f"/requisitions/{world['east'].pk}/candidates", body)
    errors = assert_problem(response, 422)["errors"]
    assert [e["field"] for e in errors] == [field]
    assert snapshot() == before


def test_a_bad_stage_move_is_a_422_and_a_final_stage_a_409(client, cast, world):
    client.force_login(cast.hr)
    path = f"/candidates/{world['candidate'].pk}/stage"
    assert_problem(send(client, "post", path, {"stage": "promoted"}), 422)
    assert_problem(send(client, "post", path, {"stage": "offer", "on": "2025-01-01"}), 422)
    assert_problem(send(client, "post", path, {"stage": "offer", "hired_employee_id": 999999}), 422)
    send(client, "post", path, {"stage": "rejected"})
    before = snapshot()
    assert_problem(send(client, "post", path, {"stage": "offer"}), 409)
    assert snapshot() == before
