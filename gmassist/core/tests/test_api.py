"""The API's shared pieces and the core endpoints: authentication, the problem format, tokens,
proposals, imports and jobs."""

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client

from conftest import PROBLEM, assert_problem
from gmassist.core import services
from gmassist.core.choices import AuditAction, JobStatus, ProposalStatus
from gmassist.core.jobs import job_run
from gmassist.core.models import ApiToken, AuditEntry, Job, Proposal
from gmassist.org.models import Employee
from gmassist.org.services import pay_change_propose


def bearer(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.fixture
def pay_proposal(cast) -> Proposal:
    """The head proposes a raise of 8,000 a year for the employee in Sales East."""
    return pay_change_propose(
        employee=cast.employee.employee,
        new_base_pay=Decimal("108000"),
        effective_date=dt.date(2026, 1, 1),
        rationale="below the band midpoint for two years",
        by=cast.head,
    )


# --- authentication --------------------------------------------------------------------------


def test_a_request_without_login_or_token_is_a_401_problem(client, cast):
    body = assert_problem(client.get("/api/departments"), 401)
    assert body["title"] == "Not logged in"
    assert client.get("/api/departments")["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_valid_token_authenticates_its_user(client, cast):
    _token, key = services.api_token_create(user=cast.head, name="script")
    response = client.get("/api/departments", **bearer(key))
    assert response.status_code == 200
    assert [d["code"] for d in response.json()["items"]] == ["SALES", "SALES-E"]


def test_a_wrong_token_is_a_401(client, cast):
    services.api_token_create(user=cast.gm, name="script")
    assert_problem(client.get("/api/departments", **bearer("gma_not-a-real-key")), 401)
    assert_problem(client.get("/api/departments", HTTP_AUTHORIZATION="Basic Z206Z20="), 401)


def test_a_revoked_token_is_a_401(client, cast):
    token, key = services.api_token_create(user=cast.gm, name="script")
    services.api_token_revoke(token=token, by=cast.gm)
    assert_problem(client.get("/api/departments", **bearer(key)), 401)


def test_the_token_of_a_deactivated_user_is_a_401(client, cast):
    _token, key = services.api_token_create(user=cast.gm, name="script")
    cast.gm.is_active = False
    cast.gm.save()
    assert_problem(client.get("/api/departments", **bearer(key)), 401)


def test_the_browser_session_authenticates_reads(client, cast):
    client.force_login(cast.employee)
    response = client.get(f"/api/employees/{cast.employee.employee_id}")
    assert response.status_code == 200
    assert response.json()["employee_no"] == "E004"


def test_a_session_write_without_the_csrf_token_is_a_403_and_changes_nothing(cast):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(cast.gm)
    response = browser.post("/api/tokens", {"name": "x"}, content_type="application/json")
    assert_problem(response, 403)
    assert ApiToken.objects.count() == 0


def test_a_session_write_with_the_csrf_token_passes(cast):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(cast.gm)
    browser.get("/api/docs")  # sets the CSRF cookie, as the docs page does for its requests
    csrf = browser.cookies["csrftoken"].value
    response = browser.post(
        "/api/tokens", {"name": "x"}, content_type="application/json", HTTP_X_CSRFTOKEN=csrf
    )
    assert response.status_code == 201


def test_a_token_write_needs_no_csrf_token(cast):
    _token, key = services.api_token_create(user=cast.gm, name="script")
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(
        "/api/tokens", {"name": "second"}, content_type="application/json", **bearer(key)
    )
    assert response.status_code == 201


# --- the problem format ----------------------------------------------------------------------


def test_invalid_query_input_is_a_422_problem_with_field_errors(client, cast):
    client.force_login(cast.gm)
    body = assert_problem(client.get("/api/employees?page=0&page_size=500&sort=age"), 422)
    assert body["type"] == "urn:gmassist:problem:validation-error"
    assert sorted(error["field"] for error in body["errors"]) == ["page", "page_size", "sort"]


def test_a_body_that_is_not_json_is_a_400_problem(client, cast):
    client.force_login(cast.gm)
    response = client.post("/api/tokens", "{not json", content_type="application/json")
    assert_problem(response, 400)


def test_an_unknown_api_address_is_a_404_problem(client, cast):
    client.force_login(cast.gm)
    assert_problem(client.get("/api/no-such-thing"), 404)


def test_a_method_an_endpoint_does_not_have_is_a_405_problem_with_allow(client, cast):
    client.force_login(cast.gm)
    response = client.delete("/api/departments")
    assert_problem(response, 405)
    assert set(response["Allow"].split(", ")) == {"GET", "POST"}


def test_an_unexpected_error_is_a_500_problem_without_the_trace(client, cast, monkeypatch):
    from gmassist.core import api as core_api

    def crash(**kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(core_api, "jobs_visible", crash)
    client.force_login(cast.gm)
    response = client.get("/api/jobs")
    body = assert_problem(response, 500)
    assert "secret internals" not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert body["title"] == "Server error"


# --- OpenAPI and docs ------------------------------------------------------------------------


def test_the_openapi_document_declares_problem_responses(client, db):
    schema = client.get("/api/openapi.json").json()
    operation = schema["paths"]["/api/employees/{employee_id}"]["get"]
    assert sorted(operation["responses"]) == ["200", "401", "404", "422", "429"]
    assert list(operation["responses"]["404"]["content"]) == [PROBLEM]
    assert "Problem" in schema["components"]["schemas"]
    create = schema["paths"]["/api/employees"]["post"]
    assert sorted(create["responses"]) == [
        "201",
        "400",
        "401",
        "403",
        "404",
        "409",
        "413",
        "422",
        "429",
    ]


def test_the_docs_page_loads_nothing_from_the_internet(client, db):
    page = client.get("/api/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert not re.search(r"""(src|href)=["']https?://""", page)
    assert '"validatorUrl": null' in page
    assert client.get("/static/ninja/swagger-ui-bundle.js").status_code == 200


# --- tokens ----------------------------------------------------------------------------------


def test_a_user_creates_lists_and_revokes_their_own_tokens(client, cast):
    client.force_login(cast.employee)
    created = client.post("/api/tokens", {"name": "laptop"}, content_type="application/json")
    assert created.status_code == 201
    key = created.json()["key"]
    assert key.startswith("gma_")
    listed = client.get("/api/tokens").json()
    assert listed["count"] == 1
    assert "key" not in listed["items"][0]
    token_id = listed["items"][0]["id"]
    revoked = client.delete(f"/api/tokens/{token_id}")
    assert revoked.status_code == 200
    assert revoked.json()["is_active"] is False
    assert_problem(client.get("/api/tokens", **bearer(key), HTTP_COOKIE=""), 401)


def test_nobody_sees_or_revokes_another_users_token(client, cast):
    token, _key = services.api_token_create(user=cast.employee, name="laptop")
    client.force_login(cast.gm)
    assert client.get("/api/tokens").json()["count"] == 0
    assert_problem(client.delete(f"/api/tokens/{token.pk}"), 404)
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_token_needs_a_name(client, cast):
    client.force_login(cast.gm)
    body = assert_problem(
        client.post("/api/tokens", {"name": ""}, content_type="application/json"), 422
    )
    assert body["errors"][0]["field"] == "name"
    assert ApiToken.objects.count() == 0


def test_tokens_need_a_login(client, cast):
    assert_problem(client.post("/api/tokens", {"name": "x"}, content_type="application/json"), 401)
    assert ApiToken.objects.count() == 0


# --- proposals -------------------------------------------------------------------------------


def test_the_gm_lists_proposals_by_status(client, cast, pay_proposal):
    client.force_login(cast.gm)
    open_ = client.get("/api/proposals?status=open").json()
    assert [p["id"] for p in open_["items"]] == [pay_proposal.pk]
    assert open_["items"][0]["proposed_by"] == {"id": cast.head.pk, "username": "head"}
    assert client.get("/api/proposals?status=rejected").json()["count"] == 0
    assert_problem(client.get("/api/proposals?status=maybe"), 422)


def test_a_proposal_out_of_scope_is_a_404(client, cast, pay_proposal):
    client.force_login(cast.outsider)
    assert client.get("/api/proposals").json()["count"] == 0
    assert_problem(client.get(f"/api/proposals/{pay_proposal.pk}"), 404)
    response = client.post(
        f"/api/proposals/{pay_proposal.pk}/approve", {}, content_type="application/json"
    )
    assert_problem(response, 404)
    pay_proposal.refresh_from_db()
    assert pay_proposal.status == ProposalStatus.OPEN


def test_hr_approves_a_small_raise_and_it_is_applied(client, cast, pay_proposal):
    client.force_login(cast.hr)
    response = client.post(
        f"/api/proposals/{pay_proposal.pk}/approve",
        {"comment": "agreed"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "applied"
    assert response.json()["decided_by"]["username"] == "hr"
    assert Employee.objects.get(pk=cast.employee.employee_id).base_pay == Decimal("108000")


def test_the_head_who_proposed_may_not_approve_and_nothing_changes(client, cast, pay_proposal):
    client.force_login(cast.head)
    response = client.post(
        f"/api/proposals/{pay_proposal.pk}/approve", {}, content_type="application/json"
    )
    assert_problem(response, 403)
    pay_proposal.refresh_from_db()
    assert pay_proposal.status == ProposalStatus.OPEN
    assert Employee.objects.get(pk=cast.employee.employee_id).base_pay == Decimal("100000")


def test_deciding_a_decided_proposal_is_a_409(client, cast, pay_proposal):
    client.force_login(cast.gm)
    url = f"/api/proposals/{pay_proposal.pk}/reject"
    first = client.post(url, {"comment": "not now"}, content_type="application/json")
    assert first.status_code == 200
    assert first.json()["decision_comment"] == "not now"
    body = assert_problem(
        client.post(url, {"comment": "again"}, content_type="application/json"), 409
    )
    assert "already" in body["detail"]


def test_a_rejection_needs_a_comment(client, cast, pay_proposal):
    client.force_login(cast.gm)
    url = f"/api/proposals/{pay_proposal.pk}/reject"
    body = assert_problem(client.post(url, {"comment": ""}, content_type="application/json"), 422)
    assert body["errors"][0]["field"] == "comment"
    pay_proposal.refresh_from_db()
    assert pay_proposal.status == ProposalStatus.OPEN


def test_proposals_need_a_login(client, cast, pay_proposal):
    assert_problem(client.get("/api/proposals"), 401)
    assert_problem(client.post(f"/api/proposals/{pay_proposal.pk}/approve"), 401)


def test_the_proposal_list_costs_the_same_queries_for_any_page_size(
    client, cast, django_assert_num_queries
):
    for amount in range(101000, 101005):
        pay_change_propose(
            employee=cast.employee.employee,
            new_base_pay=Decimal(amount),
            effective_date=dt.date(2026, 1, 1),
            rationale="r",
            by=cast.head,
        )
    client.force_login(cast.gm)
    # session, user, count, page, the GMs' employee records (needs_outside_decision), and one
    # audit entry for reading the pay they show
    for size in (1, 5):
        with django_assert_num_queries(7):  # with the deputyships
            assert len(client.get(f"/api/proposals?page_size={size}").json()["items"]) == size


# --- imports and jobs ------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def upload(name: str, text: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_hr_uploads_a_file_and_the_import_job_reports_row_errors(
    client, cast, media, django_capture_on_commit_callbacks, settings
):
    settings.GMASSIST_JOBS_EAGER = False  # the job stays queued; it is run below instead
    client.force_login(cast.hr)
    csv = "code,title,band_min,band_mid,band_max\nP-1,Analyst,10,20,30\nP-2,Clerk,abc,20,30\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/imports",
            {"file": upload("positions.csv", csv), "entity": "positions", "dry_run": "false"},
        )
    assert response.status_code == 202
    job = Job.objects.get(pk=response.json()["id"])
    assert job.kind == "core.import"
    assert job.created_by == cast.hr
    assert job.params["entity"] == "positions"
    saved = Path(job.params["path"])
    assert saved.parent.parent == media / "imports" and saved.name == "positions.csv"
    job_run(job.pk)
    assert not saved.parent.exists()  # the upload holds pay: deleted once its import ended
    detail = client.get(f"/api/jobs/{job.pk}").json()
    assert detail["status"] == JobStatus.FAILED
    assert detail["result"]["errors"] == [
        {
            "row": 3,
            "column": "band_min",
            "value": "abc",
            "reason": detail["result"]["errors"][0]["reason"],
        }
    ]


def test_a_dry_run_import_writes_nothing(client, cast, media):
    client.force_login(cast.gm)
    csv = "code,title\nP-9,Analyst\n"
    response = client.post(
        "/api/imports", {"file": upload("p.csv", csv), "entity": "positions", "dry_run": "true"}
    )
    job = job_run(response.json()["id"])
    assert job.status == JobStatus.SUCCEEDED
    assert job.result["counts"]["positions"]["created"] == 1
    assert not cast.engineer.__class__.objects.filter(code="P-9").exists()


def test_an_employee_may_not_import_and_no_job_or_file_is_made(client, cast, media):
    client.force_login(cast.employee)
    response = client.post(
        "/api/imports", {"file": upload("p.csv", "code,title\nX,Y\n"), "entity": "positions"}
    )
    assert_problem(response, 403)
    assert Job.objects.count() == 0
    assert not (media / "imports").exists()


def test_an_import_of_an_unknown_entity_or_without_a_file_is_a_422(client, cast, media):
    client.force_login(cast.gm)
    response = client.post("/api/imports", {"file": upload("p.csv", "a\n1\n"), "entity": "planets"})
    assert assert_problem(response, 422)["errors"][0]["field"] == "entity"
    assert_problem(client.post("/api/imports", {"entity": "positions"}), 422)
    assert Job.objects.count() == 0


def test_imports_need_a_login(client, cast, media):
    response = client.post("/api/imports", {"file": upload("p.csv", "a"), "entity": "positions"})
    assert_problem(response, 401)
    assert Job.objects.count() == 0


def test_jobs_are_seen_by_who_started_them_and_the_gms_office(client, cast):
    job = Job.objects.create(kind="core.import", params={}, created_by=cast.hr)
    client.force_login(cast.hr)
    assert client.get(f"/api/jobs/{job.pk}").json()["status"] == "queued"
    client.force_login(cast.assistant)
    assert client.get("/api/jobs").json()["count"] == 1
    client.force_login(cast.head)
    assert client.get("/api/jobs").json()["count"] == 0
    assert_problem(client.get(f"/api/jobs/{job.pk}"), 404)
    client.logout()
    assert_problem(client.get(f"/api/jobs/{job.pk}"), 401)


def test_a_job_says_its_tries_its_worker_and_its_last_heartbeat(client, cast):
    beat = dt.datetime(2026, 12, 3, 9, 30, tzinfo=dt.UTC)
    job = Job.objects.create(
        kind="core.import",
        params={},
        created_by=cast.gm,
        status=JobStatus.RUNNING,
        attempts=2,
        worker="app-2:4711",
        heartbeat_at=beat,
    )
    client.force_login(cast.gm)

    body = client.get(f"/api/jobs/{job.pk}").json()

    assert (body["attempts"], body["worker"], body["heartbeat_at"]) == (
        2,
        "app-2:4711",
        "2026-12-03T09:30:00Z",
    )


def test_the_job_list_costs_the_same_queries_for_any_page_size(
    client, cast, django_assert_num_queries
):
    for _ in range(5):
        Job.objects.create(kind="core.import", params={}, created_by=cast.gm)
    client.force_login(cast.gm)
    # session, user, count, page
    for size in (1, 5):
        with django_assert_num_queries(4):
            assert len(client.get(f"/api/jobs?page_size={size}").json()["items"]) == size


def test_a_token_write_is_audited(client, cast):
    client.force_login(cast.gm)
    client.post("/api/tokens", {"name": "ci"}, content_type="application/json")
    assert (
        AuditEntry.objects.filter(action=AuditAction.CREATE, target_type="core.apitoken").count()
        == 1
    )
