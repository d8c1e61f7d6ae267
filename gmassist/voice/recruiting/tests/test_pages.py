"""Recruiting pages: success, not logged in, wrong scope (nothing changed), bad input."""

import datetime as dt

import pytest
import time_machine
from django.core import mail

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


@pytest.fixture(autouse=True)
def _fixed_day():
    with time_machine.travel(dt.datetime(2026, 3, 10, 9, 0), tick=False):
        yield


@pytest.fixture
def world(cast):
    agency = make_agency()
    east = make_requisition(cast, urgency="urgent", target_date=dt.date(2026, 3, 1))
    rnd = make_requisition(
        cast,
        code="REQ-RND",
        department=cast.rnd,
        position=cast.engineer,
        status="filled",
        closed_on=dt.date(2026, 2, 4),
        target_date=dt.date(2026, 2, 5),
    )
    make_candidate(east, agency=agency)
    return {"agency": agency, "east": east, "rnd": rnd}


def test_the_requisitions_page_shows_the_scope_the_overdue_and_the_chart(client, cast, world):
    client.force_login(cast.head)
    response = client.get("/voice/recruiting/requisitions/")
    assert response.status_code == 200
    assert [r.code for r in response.context["rows"]] == ["REQ-2026-001"]
    assert [(r.code, d) for r, d in response.context["overview"]["overdue"]] == [
        ("REQ-2026-001", 9)
    ]
    client.force_login(cast.gm)
    response = client.get("/voice/recruiting/requisitions/", {"status": "filled"})
    assert [r.code for r in response.context["rows"]] == ["REQ-RND"]
    assert response.context["chart"]["time_to_fill"]["values"] == [30.0]
    assert b'id="voice-recruiting-data"' in response.content


def test_the_requisitions_export_has_the_filtered_rows(client, cast, world):
    client.force_login(cast.hr)
    response = client.get("/voice/recruiting/requisitions/", {"export": "csv", "overdue": "on"})
    lines = response.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 2 and lines[1].startswith("REQ-2026-001,Sales representative")


@pytest.mark.parametrize(
    "path",
    [
        "/voice/recruiting/requisitions/",
        "/voice/recruiting/agencies/",
        "/voice/recruiting/requisitions/new/",
    ],
)
def test_pages_need_a_login(client, world, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response["Location"]


def test_an_employee_sees_no_recruiting_page(client, cast, world):
    client.force_login(cast.employee)
    assert client.get("/voice/recruiting/requisitions/").status_code == 403
    assert client.get("/voice/recruiting/agencies/").status_code == 403
    assert client.get(f"/voice/recruiting/requisitions/{world['east'].pk}/").status_code == 404


def test_the_agencies_page_is_for_hr_not_for_heads(client, cast, world):
    client.force_login(cast.hr)
    response = client.get("/voice/recruiting/agencies/")
    assert response.status_code == 200
    assert [item["row"].sent for item in response.context["table"]] == [1]
    assert response.context["chart"]["performance"]["labels"] == ["Alpha Search"]
    assert client.get(f"/voice/recruiting/agencies/{world['agency'].pk}/").status_code == 200
    client.force_login(cast.head)
    assert client.get("/voice/recruiting/agencies/").status_code == 403
    assert client.get(f"/voice/recruiting/agencies/{world['agency'].pk}/").status_code == 403


def test_adding_an_agency_and_a_bad_one(client, cast, world):
    client.force_login(cast.hr)
    form = {
        "name": "广州人才",
        "kind": "agency",
        "specialities": "Sales, Retail",
        "fee_percent": "18",
        "guarantee_days": "90",
        "status": "active",
    }
    response = client.post("/voice/recruiting/agencies/", form)
    assert response.status_code == 302
    assert RecruitingAgency.objects.get(name="广州人才").specialities == ["Sales", "Retail"]
    response = client.post(
        "/voice/recruiting/agencies/", {**form, "name": "X", "fee_percent": "300"}
    )
    assert response.status_code == 422
    assert not RecruitingAgency.objects.filter(name="X").exists()


def test_the_requisition_page_suggests_agencies_and_shares(client, cast, world):
    client.force_login(cast.hr)
    path = f"/voice/recruiting/requisitions/{world['east'].pk}/"
    response = client.get(path)
    assert [item["s"].name for item in response.context["suggestions"]] == ["Alpha Search"]
    assert [len(g["candidates"]) for g in response.context["stages"]] == [1, 0, 0, 0, 0, 0, 0]
    response = client.post(path + "share/", {"agencies": [world["agency"].pk], "message": "Hi"})
    assert response.status_code == 302
    assert RequisitionShare.objects.count() == 1 and len(mail.outbox) == 1


def test_a_head_may_not_share_and_nothing_changes(client, cast, world):
    client.force_login(cast.head)
    path = f"/voice/recruiting/requisitions/{world['east'].pk}/"
    assert client.get(path).context["may_share"] is False
    response = client.post(path + "share/", {"agencies": [world["agency"].pk]})
    assert response.status_code == 422
    assert RequisitionShare.objects.count() == 0 and mail.outbox == []


def test_opening_adding_moving_and_closing_from_the_pages(client, cast, world):
    client.force_login(cast.head)
    response = client.post(
        "/voice/recruiting/requisitions/new/",
        {
            "position": cast.salesperson.pk,
            "department": cast.sales_east.pk,
            "headcount": "1",
            "urgency": "critical",
            "target_date": "2026-04-30",
            "reason": "growth",
        },
    )
    assert response.status_code == 302
    new = Requisition.objects.get(code="REQ-2026-002")
    path = f"/voice/recruiting/requisitions/{new.pk}/"
    response = client.post(path + "candidates/", {"full_name": "Mei Chen", "source": "referral"})
    assert response.status_code == 302
    mei = Candidate.objects.get(full_name="Mei Chen")
    response = client.post(
        f"/voice/recruiting/candidates/{mei.pk}/stage/", {"stage": "interview", "on": "2026-03-10"}
    )
    assert response.status_code == 302
    response = client.post(path + "close/", {"status": "cancelled"})
    assert response.status_code == 302
    new.refresh_from_db()
    mei.refresh_from_db()
    assert (new.status, mei.stage, mei.interview_on) == (
        "cancelled",
        "interview",
        dt.date(2026, 3, 10),
    )


def test_bad_input_on_the_requisition_forms_is_a_422(client, cast, world):
    client.force_login(cast.hr)
    response = client.post(
        "/voice/recruiting/requisitions/new/",
        {
            "position": cast.salesperson.pk,
            "department": cast.sales_east.pk,
            "headcount": "0",
            "urgency": "normal",
            "target_date": "2026-04-30",
            "reason": "growth",
        },
    )
    assert response.status_code == 422
    path = f"/voice/recruiting/requisitions/{world['east'].pk}/"
    response = client.post(path + "candidates/", {"full_name": "", "source": "direct"})
    assert response.status_code == 422
    assert Requisition.objects.count() == 2 and Candidate.objects.count() == 1


def test_a_head_may_not_touch_another_subtree(client, cast, world):
    client.force_login(cast.head)
    path = f"/voice/recruiting/requisitions/{world['rnd'].pk}/"
    assert client.get(path).status_code == 404
    assert client.post(path + "close/", {"status": "cancelled"}).status_code == 404
    assert (
        client.post(path + "candidates/", {"full_name": "Z", "source": "direct"}).status_code == 404
    )
    assert Candidate.objects.count() == 1
