"""The decisions API: every endpoint for success, not logged in (401), wrong scope (nothing
changed) and bad input (422); anonymity at the API level."""

import datetime as dt
import json
import logging

from conftest import assert_problem
from gmassist.core.choices import JobStatus
from gmassist.core.jobs import job_run
from gmassist.core.management.commands.serve import SKIP_ACCESS_LOG
from gmassist.core.models import AuditEntry, Job
from gmassist.decisions import services
from gmassist.decisions.choices import DecisionStatus
from gmassist.decisions.models import Acknowledgement, Decision, Response
from gmassist.decisions.services import Audience


def post(client, url, body=None):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def put(client, url, body):
    return client.put(url, data=json.dumps(body), content_type="application/json")


def new_decision(cast, **extra):
    return {
        "title": "Hot-desking on floor 3",
        "summary": "Floor 3 desks are shared from May.",
        "rationale": "Floor 3 is 40% used on an average day.",
        "effective_date": "2026-05-04",
        "audience": {"departments": [cast.sales.pk], "roles": [], "people": []},
        **extra,
    }


# --- the register ----------------------------------------------------------------------------


def test_the_gm_lists_every_decision_with_counts(client, cast, published, draft):
    client.force_login(cast.gm)
    body = client.get("/api/decisions").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["title"] == "Four-day week in Sales"
    assert (item["status"], item["addressee_count"], item["acknowledged_count"]) == (
        "published",
        3,
        0,
    )
    assert item["audience"] == {"departments": [cast.sales.pk], "roles": [], "people": []}


def test_an_employee_lists_only_what_is_addressed_to_them(client, cast, published):
    services.decision_create(
        by=cast.gm,
        title="R&D only",
        rationale="x",
        effective_date=dt.date(2026, 1, 1),
        audience=services.Audience(departments=(cast.rnd,)),
    )
    client.force_login(cast.employee)
    assert [d["id"] for d in client.get("/api/decisions").json()["items"]] == [published.pk]
    client.force_login(cast.outsider)
    assert client.get("/api/decisions").json()["count"] == 0


def test_the_pending_filter_keeps_what_is_left_to_acknowledge(client, cast, published):
    client.force_login(cast.employee)
    assert client.get("/api/decisions?pending=true").json()["count"] == 1
    services.decision_acknowledge(decision=published, by=cast.employee)
    assert client.get("/api/decisions?pending=true").json()["count"] == 0


def test_listing_needs_a_login(client, cast):
    assert_problem(client.get("/api/decisions"), 401)


def test_a_bad_filter_is_a_422(client, cast):
    client.force_login(cast.gm)
    body = assert_problem(client.get("/api/decisions?status=lost"), 422)
    assert body["errors"][0]["field"] == "status"


def test_the_gm_drafts_a_decision(client, cast):
    client.force_login(cast.gm)
    response = post(client, "/api/decisions", new_decision(cast))
    assert response.status_code == 201, response.content
    decision = Decision.objects.get()
    assert response.json()["id"] == decision.pk
    assert decision.status == DecisionStatus.DRAFT
    assert decision.author == cast.gm


def test_drafting_needs_a_login(client, cast):
    assert_problem(post(client, "/api/decisions", new_decision(cast)), 401)
    assert Decision.objects.count() == 0


def test_an_employee_may_not_draft(client, cast):
    client.force_login(cast.employee)
    body = new_decision(cast, audience={"roles": ["employee"]})
    assert_problem(post(client, "/api/decisions", body), 403)
    assert Decision.objects.count() == 0


def test_a_draft_without_rationale_is_a_422(client, cast):
    client.force_login(cast.gm)
    body = assert_problem(post(client, "/api/decisions", new_decision(cast, rationale="")), 422)
    assert [e["field"] for e in body["errors"]] == ["rationale"]
    assert Decision.objects.count() == 0


def test_an_unknown_department_in_the_audience_is_a_422(client, cast):
    client.force_login(cast.gm)
    body = new_decision(cast, audience={"departments": [999999]})
    problem = assert_problem(post(client, "/api/decisions", body), 422)
    assert problem["errors"][0]["field"] == "audience.departments"


def test_detail_shows_the_versions_and_ones_own_acknowledgement(client, cast, published):
    client.force_login(cast.employee)
    body = client.get(f"/api/decisions/{published.pk}").json()
    assert [v["number"] for v in body["versions"]] == [1]
    assert body["mine"] == {
        "addressed": True,
        "needs_action": True,
        "acknowledged_at": None,
        "acknowledged_version": None,
    }


def test_detail_is_a_404_to_someone_not_addressed(client, cast, published):
    client.force_login(cast.outsider)
    assert_problem(client.get(f"/api/decisions/{published.pk}"), 404)
    assert_problem(client.get("/api/decisions/0"), 422)


def test_detail_needs_a_login(client, cast, published):
    assert_problem(client.get(f"/api/decisions/{published.pk}"), 401)


def test_a_draft_is_rewritten_with_put(client, cast, draft):
    client.force_login(cast.assistant)
    body = new_decision(cast)
    del body["summary"]
    response = put(client, f"/api/decisions/{draft.pk}", body)
    assert response.status_code == 200, response.content
    draft.refresh_from_db()
    assert draft.title == "Hot-desking on floor 3"


def test_put_refusals(client, cast, draft):
    assert_problem(put(client, f"/api/decisions/{draft.pk}", new_decision(cast)), 401)
    client.force_login(cast.head)  # the GM's company decision: not the head's to edit
    assert_problem(put(client, f"/api/decisions/{draft.pk}", new_decision(cast)), 404)
    client.force_login(cast.gm)
    bad = new_decision(cast, effective_date="someday")
    assert_problem(put(client, f"/api/decisions/{draft.pk}", bad), 422)
    draft.refresh_from_db()
    assert draft.title == "Four-day week in Sales"


# --- publishing, amending, withdrawing, reminding --------------------------------------------


def test_publishing_is_a_job_that_reaches_the_addressees(client, cast, draft):
    client.force_login(cast.gm)
    response = post(client, f"/api/decisions/{draft.pk}/publish")
    assert response.status_code == 202, response.content
    job = job_run(response.json()["id"])
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.result == {"decision_id": draft.pk, "addressees": 3, "emails": 0}
    draft.refresh_from_db()
    assert draft.status == DecisionStatus.PUBLISHED


def test_publishing_refusals(client, cast, draft):
    url = f"/api/decisions/{draft.pk}/publish"
    assert_problem(post(client, url), 401)
    client.force_login(cast.assistant)  # prepares, does not decide
    assert_problem(post(client, url), 403)
    assert Job.objects.count() == 0
    draft.refresh_from_db()
    assert draft.status == DecisionStatus.DRAFT
    client.force_login(cast.gm)
    assert_problem(post(client, "/api/decisions/abc/publish"), 422)


def test_publishing_a_published_decision_is_a_409(client, cast, published):
    client.force_login(cast.gm)
    assert_problem(post(client, f"/api/decisions/{published.pk}/publish"), 409)


def amendment(published, **extra):
    return {
        "title": published.title,
        "summary": published.summary,
        "rationale": published.rationale,
        "effective_date": "2026-04-06",
        "change_note": "Moved to April.",
        "substantive": True,
        **extra,
    }


def test_the_gm_amends_a_decision(client, cast, published):
    client.force_login(cast.gm)
    response = post(client, f"/api/decisions/{published.pk}/amend", amendment(published))
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["version"]) == ("amended", 2)
    assert Job.objects.get().kind == "decisions.notify"


def test_amend_refusals(client, cast, published):
    url = f"/api/decisions/{published.pk}/amend"
    assert_problem(post(client, url, amendment(published)), 401)
    client.force_login(cast.employee)
    assert_problem(post(client, url, amendment(published)), 403)
    client.force_login(cast.gm)
    assert_problem(post(client, url, amendment(published, change_note="")), 422)
    published.refresh_from_db()
    assert published.version == 1


def test_the_gm_withdraws_a_decision(client, cast, published):
    client.force_login(cast.gm)
    response = post(client, f"/api/decisions/{published.pk}/withdraw", {"reason": "On hold."})
    assert response.status_code == 200
    assert response.json()["withdrawal_reason"] == "On hold."


def test_withdraw_refusals(client, cast, published):
    url = f"/api/decisions/{published.pk}/withdraw"
    assert_problem(post(client, url, {"reason": "x"}), 401)
    client.force_login(cast.head)
    assert_problem(post(client, url, {"reason": "x"}), 403)
    client.force_login(cast.gm)
    assert_problem(post(client, url, {"reason": ""}), 422)
    published.refresh_from_db()
    assert published.status == DecisionStatus.PUBLISHED


def test_reminders_are_a_job(client, cast, published):
    client.force_login(cast.assistant)
    response = post(client, f"/api/decisions/{published.pk}/remind")
    assert response.status_code == 202
    job = job_run(response.json()["id"])
    assert job.result == {"decisions": 1, "pending": 3, "reminded": 3, "emails": 0}


def test_remind_refusals(client, cast, published, draft):
    url = f"/api/decisions/{published.pk}/remind"
    assert_problem(post(client, url), 401)
    client.force_login(cast.employee)
    assert_problem(post(client, url), 403)
    client.force_login(cast.gm)
    assert_problem(post(client, "/api/decisions/-1/remind"), 422)
    assert Job.objects.count() == 0


# --- acknowledging, responding, answering ----------------------------------------------------


def test_an_addressee_acknowledges(client, cast, published):
    client.force_login(cast.employee)
    response = post(client, f"/api/decisions/{published.pk}/acknowledge")
    assert response.status_code == 200
    assert response.json()["acknowledged_version"] == 1


def test_acknowledge_refusals(client, cast, published):
    url = f"/api/decisions/{published.pk}/acknowledge"
    assert_problem(post(client, url), 401)
    client.force_login(cast.outsider)
    assert_problem(post(client, url), 404)
    assert_problem(post(client, "/api/decisions/x/acknowledge"), 422)
    assert Acknowledgement.objects.filter(acknowledged_at__isnull=False).count() == 0


def test_a_named_question_shows_its_author_to_the_gm(client, cast, published):
    client.force_login(cast.employee)
    url = f"/api/decisions/{published.pk}/responses"
    response = post(client, url, {"kind": "question", "text": "Fridays?", "anonymous": False})
    assert response.status_code == 201
    assert SKIP_ACCESS_LOG not in response.wsgi_request.META
    client.force_login(cast.gm)
    items = client.get(url).json()["items"]
    assert [(i["text"], i["author"], i["department"]) for i in items] == [
        ("Fridays?", "Emma Employee", "Sales East")
    ]


def test_an_anonymous_response_links_to_nobody_in_the_api_the_database_and_the_log(
    client, cast, published, caplog
):
    client.force_login(cast.employee)
    url = f"/api/decisions/{published.pk}/responses"
    with caplog.at_level(logging.DEBUG):
        response = post(
            client,
            url,
            {"kind": "objection", "theme": "workload", "text": "Too long days.", "anonymous": True},
        )
    assert response.status_code == 201
    assert response.wsgi_request.META[SKIP_ACCESS_LOG] is True  # no access-log line either
    body = response.json()
    assert (body["author"], body["department"], body["is_anonymous"]) == (None, None, True)
    assert set(body) == {
        "id", "kind", "theme", "text", "version", "is_anonymous", "author", "department",
        "submitted_on", "answer", "answered_on",
    }  # fmt: skip
    stored = Response.objects.get()
    assert (stored.author_id, stored.department_id) == (None, None)
    log = "\n".join(record.getMessage() for record in caplog.records)
    for trace in ("employee", "Emma", str(cast.employee.pk), "Sales East", "127.0.0.1"):
        assert trace not in log
    assert not AuditEntry.objects.filter(target_type="decisions.response").exists()
    # the GM sees it, without a name
    client.force_login(cast.gm)
    item = client.get(url).json()["items"][0]
    assert (item["author"], item["department"]) == (None, None)


def test_respond_refusals(client, cast, published):
    url = f"/api/decisions/{published.pk}/responses"
    body = {"kind": "support", "text": "Good idea."}
    assert_problem(post(client, url, body), 401)
    client.force_login(cast.hr)  # not addressed: the decision is not even visible
    assert_problem(post(client, url, body), 404)
    client.force_login(cast.employee)
    assert_problem(post(client, url, {"kind": "rant", "text": "x"}), 422)
    assert_problem(post(client, url, {"kind": "support", "text": ""}), 422)
    assert Response.objects.count() == 0


def test_an_employee_reads_the_questions_but_not_others_objections(client, cast, published):
    services.decision_respond(
        decision=published, by=cast.head, kind="objection", text="Not now.", anonymous=False
    )
    services.decision_respond(
        decision=published, by=cast.head, kind="question", text="Overtime?", anonymous=False
    )
    client.force_login(cast.employee)
    items = client.get(f"/api/decisions/{published.pk}/responses").json()["items"]
    assert [(i["kind"], i["text"], i["author"]) for i in items] == [("question", "Overtime?", None)]


def test_responses_list_needs_a_login_and_visibility(client, cast, published):
    url = f"/api/decisions/{published.pk}/responses"
    assert_problem(client.get(url), 401)
    client.force_login(cast.outsider)
    assert_problem(client.get(url), 404)
    assert_problem(client.get(url + "?page=0"), 422)


def test_the_gm_answers_a_question(client, cast, published):
    question = services.decision_respond(
        decision=published, by=cast.employee, kind="question", text="Fridays?", anonymous=True
    )
    client.force_login(cast.gm)
    url = f"/api/decisions/{published.pk}/responses/{question.pk}/answer"
    response = post(client, url, {"answer": "Off."})
    assert response.status_code == 200
    assert response.json()["answer"] == "Off."


def test_answer_refusals(client, cast, published):
    question = services.decision_respond(
        decision=published, by=cast.employee, kind="question", text="Fridays?", anonymous=True
    )
    url = f"/api/decisions/{published.pk}/responses/{question.pk}/answer"
    assert_problem(post(client, url, {"answer": "x"}), 401)
    client.force_login(cast.employee)
    assert_problem(post(client, url, {"answer": "x"}), 403)
    client.force_login(cast.gm)
    assert_problem(post(client, url, {"answer": ""}), 422)
    assert_problem(
        post(client, f"/api/decisions/{published.pk}/responses/not-a-uuid/answer", {"answer": "x"}),
        422,
    )
    question.refresh_from_db()
    assert question.answer == ""


# --- status and consensus --------------------------------------------------------------------


def test_the_gm_sees_every_acknowledgement_and_the_consensus(client, cast, published):
    services.decision_acknowledge(decision=published, by=cast.employee)
    services.decision_respond(
        decision=published, by=cast.employee, kind="support", text="Yes!", anonymous=True
    )
    services.decision_respond(
        decision=published,
        by=cast.head,
        kind="objection",
        theme="workload",
        text="Long Thursdays.",
        anonymous=False,
    )
    client.force_login(cast.gm)
    body = client.get(f"/api/decisions/{published.pk}/summary").json()
    assert (body["addressees"], body["acknowledged"]) == (3, 1)
    assert [(r["department"], r["total"], r["acknowledged"]) for r in body["by_department"]] == [
        ("Sales", 2, 0),
        ("Sales East", 1, 1),
    ]
    consensus = body["consensus"]
    assert consensus["counts"] == {"support": 1, "objection": 1, "question": 0}
    assert consensus["share_of_responses"] == {"support": 0.5, "objection": 0.5, "question": 0.0}
    assert consensus["main_objections"] == ["Long Thursdays."]
    assert consensus["objections_by_department"][0]["label"] == "Sales"
    rows = client.get(f"/api/decisions/{published.pk}/acknowledgements?acknowledged=false").json()
    assert [r["name"] for r in rows["items"]] == ["Alice Account", "Hank Head"]


def test_an_employee_sees_only_their_own_acknowledgement_and_no_consensus(client, cast, published):
    client.force_login(cast.employee)
    body = client.get(f"/api/decisions/{published.pk}/summary").json()
    assert (body["addressees"], body["consensus"]) == (1, None)
    rows = client.get(f"/api/decisions/{published.pk}/acknowledgements").json()["items"]
    assert [r["name"] for r in rows] == ["Emma Employee"]


def test_a_head_sees_their_subtrees_acknowledgements(client, cast, published):
    client.force_login(cast.head)
    rows = client.get(f"/api/decisions/{published.pk}/acknowledgements").json()["items"]
    assert [r["name"] for r in rows] == ["Alice Account", "Hank Head", "Emma Employee"]


def test_the_acknowledgement_list_reads_one_page_whatever_the_number_of_addressees(
    client, cast, published, django_assert_num_queries
):
    from conftest import make_employee

    client.force_login(cast.gm)
    client.get(f"/api/decisions/{published.pk}/acknowledgements?page_size=2")  # warm up
    with django_assert_num_queries(5) as few:
        client.get(f"/api/decisions/{published.pk}/acknowledgements?page_size=2")
    for number in range(30):
        make_employee(f"X{number:03}", f"Extra {number}", cast.sales, cast.salesperson)
    larger = services.decision_publish(
        decision=services.decision_create(
            by=cast.gm,
            title="Badges",
            summary="Everyone in Sales wears a badge.",
            rationale="Visitors could not tell who works here.",
            effective_date=dt.date(2026, 3, 2),
            audience=Audience(departments=(cast.sales,)),
        ),
        by=cast.gm,
    )
    with django_assert_num_queries(len(few.captured_queries)):
        body = client.get(f"/api/decisions/{larger.pk}/acknowledgements?page_size=2").json()
    assert (body["count"], len(body["items"])) == (33, 2)


def test_status_endpoints_need_a_login_visibility_and_good_input(client, cast, published):
    for path in ("summary", "acknowledgements"):
        url = f"/api/decisions/{published.pk}/{path}"
        assert_problem(client.get(url), 401)
    client.force_login(cast.outsider)
    assert_problem(client.get(f"/api/decisions/{published.pk}/summary"), 404)
    client.force_login(cast.gm)
    url = f"/api/decisions/{published.pk}/acknowledgements?acknowledged=maybe"
    assert_problem(client.get(url), 422)
