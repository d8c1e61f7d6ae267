"""The documents endpoints and the deputies': success, no login, wrong scope (nothing changed),
bad input."""

import datetime as dt

import pytest
from django.utils import timezone

from conftest import assert_problem
from gmassist.core.models import ApprovalDeputy
from gmassist.office.documents import services
from gmassist.office.documents.engine import docx_text
from gmassist.office.documents.models import Document, DocumentStep

from .conftest import exe_upload, pdf_upload


def test_the_endpoints_ask_for_a_login(client, sequence_doc):
    assert_problem(client.get("/api/office/documents"), 401)
    assert_problem(client.get(f"/api/office/documents/{sequence_doc.pk}"), 401)
    assert_problem(client.post(f"/api/office/documents/{sequence_doc.pk}/decide", {}), 401)
    assert_problem(client.get("/api/deputies"), 401)


def test_the_list_shows_what_awaits_the_reader(client, cast, sequence_doc, parallel_doc):
    client.force_login(cast.head)
    body = client.get("/api/office/documents?show=awaiting").json()
    assert body["count"] == 2
    assert [item["title"] for item in body["items"]] == [
        "Supply contract with Acme",
        "Travel policy 2027",
    ]
    client.force_login(cast.outsider)
    assert client.get("/api/office/documents").json()["count"] == 0


def test_a_bad_filter_is_a_422(client, cast):
    client.force_login(cast.gm)
    body = assert_problem(client.get("/api/office/documents?show=someday"), 422)
    assert body["errors"][0]["field"] == "show"


def test_creating_with_an_upload(client, cast):
    client.force_login(cast.employee)
    response = client.post(
        "/api/office/documents",
        {
            "title": "Supply contract",
            "kind": "contract",
            "routing": "parallel",
            "min_approvals": "1",
            "approvers": [str(cast.head.pk), str(cast.gm.pk)],
            "file": pdf_upload(),
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["routing"], body["min_approvals"]) == ("in_review", "parallel", 1)
    assert body["versions"][0]["file_kind"] == "pdf"
    assert [s["status"] for s in body["versions"][0]["steps"]] == ["open", "open"]
    assert body["may_decide"] is False
    assert body["decide_refusal"] == "You wrote this document: nobody approves their own."


def test_creating_with_a_renamed_program_is_a_422_on_file(client, cast):
    client.force_login(cast.employee)
    response = client.post(
        "/api/office/documents",
        {"title": "X", "approvers": [str(cast.head.pk)], "file": exe_upload("x.docx")},
    )
    body = assert_problem(response, 422)
    assert body["errors"][0]["field"] == "file"
    assert Document.objects.count() == 0


def test_creating_with_an_unknown_approver_is_a_422(client, cast):
    client.force_login(cast.employee)
    response = client.post(
        "/api/office/documents", {"title": "X", "approvers": ["999999"], "text": "hello"}
    )
    assert assert_problem(response, 422)["errors"] == [
        {"field": "approvers", "message": "No user with id 999999."}
    ]


def test_deciding_through_the_api(client, cast, sequence_doc):
    client.force_login(cast.head)
    response = client.post(
        f"/api/office/documents/{sequence_doc.pk}/decide",
        {"decision": "approve", "comment": "Good terms"},
        content_type="application/json",
    )
    assert response.status_code == 200
    steps = response.json()["versions"][0]["steps"]
    assert [(s["status"], s["comment"]) for s in steps] == [
        ("approved", "Good terms"),
        ("open", ""),
    ]


def test_a_decision_out_of_turn_is_a_403_and_changes_nothing(client, cast, sequence_doc):
    client.force_login(cast.gm)
    response = client.post(
        f"/api/office/documents/{sequence_doc.pk}/decide",
        {"decision": "approve"},
        content_type="application/json",
    )
    assert assert_problem(response, 403)["detail"] == (
        "It is not your turn yet: the approvers before you decide first."
    )
    assert list(DocumentStep.objects.values_list("status", flat=True)) == ["open", "waiting"]


def test_a_decision_on_an_unseen_document_is_a_404(client, cast, sequence_doc):
    client.force_login(cast.outsider)
    response = client.post(
        f"/api/office/documents/{sequence_doc.pk}/decide",
        {"decision": "approve"},
        content_type="application/json",
    )
    assert_problem(response, 404)
    assert list(DocumentStep.objects.values_list("status", flat=True)) == ["open", "waiting"]


def test_a_bad_decision_is_a_422(client, cast, sequence_doc):
    client.force_login(cast.head)
    response = client.post(
        f"/api/office/documents/{sequence_doc.pk}/decide",
        {"decision": "maybe"},
        content_type="application/json",
    )
    assert assert_problem(response, 422)["errors"][0]["field"] == "decision"


def test_a_new_version_in_review_is_a_409(client, cast, sequence_doc):
    client.force_login(cast.employee)
    response = client.post(
        f"/api/office/documents/{sequence_doc.pk}/versions", {"text": "v2", "note": ""}
    )
    assert_problem(response, 409)
    assert sequence_doc.versions.count() == 1


def test_a_new_version_after_changes_restarts_the_route(client, cast, sequence_doc):
    services.document_decide(document=sequence_doc, by=cast.head, decision="changes", comment="x")
    client.force_login(cast.employee)
    response = client.post(
        f"/api/office/documents/{sequence_doc.pk}/versions", {"text": "v2", "note": "shorter"}
    )
    assert response.status_code == 201
    versions = response.json()["versions"]
    assert [v["number"] for v in versions] == [2, 1]
    assert [s["status"] for s in versions[0]["steps"]] == ["open", "waiting"]


def test_downloads_are_for_who_sees_the_document(client, cast, parallel_doc):
    client.force_login(cast.outsider)
    assert_problem(client.get(f"/api/office/documents/{parallel_doc.pk}/versions/1/file"), 404)
    client.force_login(cast.head)
    response = client.get(f"/api/office/documents/{parallel_doc.pk}/versions/1/file")
    assert response.status_code == 200
    assert docx_text(response.content) == "Travel policy 2027 (v1)\nEconomy class below six hours."
    assert_problem(client.get(f"/api/office/documents/{parallel_doc.pk}/record"), 404)


def test_naming_a_deputy_through_the_api(client, cast):
    client.force_login(cast.hr)
    today = timezone.localdate()
    response = client.post(
        "/api/deputies",
        {
            "deputy_id": cast.outsider.pk,
            "starts_on": today.isoformat(),
            "ends_on": (today + dt.timedelta(days=1)).isoformat(),
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["principal"]["username"], body["deputy"]["username"], body["acting_now"]) == (
        "hr",
        "outsider",
        True,
    )
    client.force_login(cast.outsider)
    assert client.get("/api/deputies").json()["count"] == 1
    ended = client.post(f"/api/deputies/{body['id']}/end")
    assert ended.json()["acting_now"] is False


def test_naming_a_deputy_for_someone_else_is_a_403(client, cast):
    client.force_login(cast.head)
    today = timezone.localdate().isoformat()
    response = client.post(
        "/api/deputies",
        {
            "principal_id": cast.hr.pk,
            "deputy_id": cast.outsider.pk,
            "starts_on": today,
            "ends_on": today,
        },
        content_type="application/json",
    )
    assert_problem(response, 403)
    assert ApprovalDeputy.objects.count() == 0


def test_bad_deputy_dates_are_a_422(client, cast):
    client.force_login(cast.hr)
    response = client.post(
        "/api/deputies",
        {"deputy_id": cast.outsider.pk, "starts_on": "2030-01-05", "ends_on": "2030-01-01"},
        content_type="application/json",
    )
    assert assert_problem(response, 422)["errors"] == [
        {"field": "ends_on", "message": "The last day is before the first day."}
    ]


@pytest.mark.parametrize("count", [1, 6])
def test_the_api_list_costs_the_same_queries_for_any_number_of_rows(
    client, cast, django_assert_num_queries, count
):
    for number in range(count):
        services.document_create(
            by=cast.employee, title=f"Memo {number}", approvers=[cast.head], text="Text"
        )
    client.force_login(cast.head)
    client.get("/api/office/documents?show=awaiting")
    with django_assert_num_queries(5):
        body = client.get("/api/office/documents?show=awaiting").json()
    assert body["count"] == count
