"""The decisions pages: the register, a decision, drafting, publishing, amending, withdrawing,
acknowledging, responding, answering and reminding; success, not logged in, wrong scope
(nothing changed) and bad input for each; the inbox section."""

import datetime as dt

from gmassist.core.choices import JobStatus
from gmassist.core.inbox import inbox_action_count
from gmassist.core.jobs import job_run
from gmassist.core.management.commands.serve import SKIP_ACCESS_LOG
from gmassist.core.models import Job
from gmassist.decisions import services
from gmassist.decisions.choices import DecisionStatus
from gmassist.decisions.models import Acknowledgement, Decision, Response


def assert_login_redirect(response):
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def draft_form(cast, **extra):
    return {
        "title": "Quiet hours 9-11",
        "summary": "No meetings before 11.",
        "rationale": "Engineers lose two hours a day to morning meetings.",
        "effective_date": "2026-06-01",
        "department": "",
        "audience_departments": [str(cast.sales.pk)],
        "audience_people": "",
        **extra,
    }


# --- the register ----------------------------------------------------------------------------


def test_the_register_lists_what_the_user_may_see(client, cast, published, draft):
    client.force_login(cast.employee)
    html = client.get("/decisions/").content.decode()
    assert html.count('data-testid="decision-row"') == 1
    assert "Four-day week in Sales" in html
    assert 'data-testid="decision-new"' not in html
    client.force_login(cast.gm)
    html = client.get("/decisions/").content.decode()
    assert 'data-testid="decision-new"' in html
    assert "0 / 3" in html


def test_the_register_filters_by_status(client, cast, published):
    client.force_login(cast.gm)
    html = client.get("/decisions/?status=withdrawn").content.decode()
    assert 'data-testid="decision-row"' not in html
    assert client.get("/decisions/?status=bogus").status_code == 200  # the form shows the error


def test_the_register_needs_a_login(client, cast):
    assert_login_redirect(client.get("/decisions/"))


def test_the_register_exports_for_the_gm(client, cast, published):
    client.force_login(cast.gm)
    response = client.get("/decisions/?export=csv")
    assert response.status_code == 200
    assert "Four-day week in Sales" in response.content.decode("utf-8-sig")


# --- one decision ----------------------------------------------------------------------------


def test_an_addressee_sees_the_decision_with_acknowledge_and_respond(client, cast, published):
    client.force_login(cast.employee)
    html = client.get(f"/decisions/{published.pk}/").content.decode()
    assert "Customers buy on weekdays" in html
    assert 'data-testid="acknowledge"' in html
    assert 'data-testid="respond-form"' in html
    assert 'data-testid="consensus"' not in html
    assert 'data-testid="decision-actions"' not in html


def test_the_gm_sees_the_status_by_department_and_the_consensus(client, cast, published):
    services.decision_acknowledge(decision=published, by=cast.employee)
    services.decision_respond(
        decision=published,
        by=cast.head,
        kind="objection",
        theme="workload",
        text="Thursdays get too long.",
        anonymous=True,
    )
    client.force_login(cast.gm)
    html = client.get(f"/decisions/{published.pk}/").content.decode()
    assert "1 of 3" in html
    assert html.count('data-testid="acknowledgement-row"') == 2
    assert 'id="decision-ack-chart-data"' in html
    assert '<blockquote data-testid="main-objection">Thursdays get too long.</blockquote>' in html
    assert "2 people have not acknowledged" in html


def test_a_head_sees_the_status_of_their_subtree(client, cast, published):
    client.force_login(cast.head)
    html = client.get(f"/decisions/{published.pk}/").content.decode()
    assert "0 of 3" in html


def test_a_decision_is_a_404_to_someone_not_addressed(client, cast, published):
    client.force_login(cast.outsider)
    assert client.get(f"/decisions/{published.pk}/").status_code == 404


def test_a_decision_needs_a_login(client, cast, published):
    assert_login_redirect(client.get(f"/decisions/{published.pk}/"))


# --- drafting and publishing -----------------------------------------------------------------


def test_the_gm_drafts_from_the_form(client, cast):
    client.force_login(cast.gm)
    response = client.post("/decisions/new/", draft_form(cast))
    decision = Decision.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/decisions/{decision.pk}/"
    assert list(decision.audience_departments.all()) == [cast.sales]


def test_the_draft_form_shows_errors_where_they_are(client, cast):
    client.force_login(cast.gm)
    response = client.post(
        "/decisions/new/",
        draft_form(cast, rationale="", audience_departments=[], audience_people="NOPE-1"),
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'data-testid="error-rationale"' in html
    assert "No employee numbered NOPE-1." in html
    assert Decision.objects.count() == 0


def test_an_employee_may_not_open_the_draft_form(client, cast):
    client.force_login(cast.employee)
    assert client.get("/decisions/new/").status_code == 403
    assert client.post("/decisions/new/", draft_form(cast)).status_code == 403
    assert Decision.objects.count() == 0


def test_the_draft_form_needs_a_login(client, cast):
    assert_login_redirect(client.post("/decisions/new/", draft_form(cast)))
    assert Decision.objects.count() == 0


def test_a_draft_is_edited(client, cast, draft):
    client.force_login(cast.assistant)
    response = client.post(f"/decisions/{draft.pk}/edit/", draft_form(cast))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Quiet hours 9-11"


def test_publishing_from_the_page_runs_a_job_and_fills_the_inboxes(client, cast, draft):
    client.force_login(cast.gm)
    response = client.post(f"/decisions/{draft.pk}/publish/")
    job = Job.objects.get()
    assert response["Location"] == f"/decisions/{draft.pk}/?job={job.pk}"
    assert job_run(job.pk).status == JobStatus.SUCCEEDED
    html = client.get(f"/decisions/{draft.pk}/?job={job.pk}").content.decode()
    assert "Done: 3 addressees, 0 e-mails sent." in html
    assert inbox_action_count(cast.employee) == 1


def test_the_assistant_may_not_publish(client, cast, draft):
    client.force_login(cast.assistant)
    assert client.post(f"/decisions/{draft.pk}/publish/").status_code == 403
    draft.refresh_from_db()
    assert draft.status == DecisionStatus.DRAFT
    assert Job.objects.count() == 0


def test_publishing_twice_is_a_409_with_a_message(client, cast, published):
    client.force_login(cast.gm)
    response = client.post(f"/decisions/{published.pk}/publish/")
    assert response.status_code == 409
    assert "cannot be published" in response.content.decode()


def test_publishing_needs_a_login_and_a_post(client, cast, draft):
    assert_login_redirect(client.post(f"/decisions/{draft.pk}/publish/"))
    client.force_login(cast.gm)
    assert client.get(f"/decisions/{draft.pk}/publish/").status_code == 405


# --- amending, withdrawing, reminding --------------------------------------------------------


def test_the_gm_amends_from_the_form(client, cast, published):
    client.force_login(cast.gm)
    form = draft_form(
        cast,
        title=published.title,
        rationale=published.rationale,
        change_note="Starts in June.",
        substantive="on",
    )
    response = client.post(f"/decisions/{published.pk}/amend/", form)
    assert response.status_code == 302
    published.refresh_from_db()
    assert (published.version, published.effective_date) == (2, dt.date(2026, 6, 1))
    assert Job.objects.get().kind == "decisions.notify"


def test_amending_needs_a_change_note_and_the_right_role(client, cast, published):
    client.force_login(cast.gm)
    response = client.post(f"/decisions/{published.pk}/amend/", draft_form(cast))
    assert response.status_code == 422
    client.force_login(cast.assistant)
    assert client.get(f"/decisions/{published.pk}/amend/").status_code == 403
    published.refresh_from_db()
    assert published.version == 1


def test_the_gm_withdraws_with_a_reason(client, cast, published):
    client.force_login(cast.gm)
    assert client.post(f"/decisions/{published.pk}/withdraw/", {"reason": ""}).status_code == 422
    response = client.post(f"/decisions/{published.pk}/withdraw/", {"reason": "Trial first."})
    assert response.status_code == 302
    published.refresh_from_db()
    assert published.status == DecisionStatus.WITHDRAWN
    html = client.get(f"/decisions/{published.pk}/").content.decode()
    assert "Trial first." in html


def test_an_employee_may_not_withdraw(client, cast, published):
    client.force_login(cast.employee)
    assert client.post(f"/decisions/{published.pk}/withdraw/", {"reason": "x"}).status_code == 403
    assert_login_redirect(client.__class__().post(f"/decisions/{published.pk}/withdraw/"))
    published.refresh_from_db()
    assert published.status == DecisionStatus.PUBLISHED


def test_the_remind_button_runs_a_reminder_job(client, cast, published):
    client.force_login(cast.assistant)
    response = client.post(f"/decisions/{published.pk}/remind/")
    assert response.status_code == 302
    job = job_run(Job.objects.get().pk)
    assert job.result["reminded"] == 3


def test_a_withdrawn_decision_has_nobody_to_remind_and_starts_no_job(client, cast, published):
    services.decision_withdraw(decision=published, by=cast.gm, reason="Trial first.")
    client.force_login(cast.gm)
    response = client.post(f"/decisions/{published.pk}/remind/")
    assert response.status_code == 409
    assert "The decision is withdrawn; there is nobody to remind." in response.content.decode()
    assert Job.objects.count() == 0


def test_employees_may_not_remind(client, cast, published):
    client.force_login(cast.employee)
    assert client.post(f"/decisions/{published.pk}/remind/").status_code == 403
    assert Job.objects.count() == 0


def test_a_draft_is_deleted_but_not_a_published_decision(client, cast, draft):
    client.force_login(cast.gm)
    assert client.post(f"/decisions/{draft.pk}/delete/").status_code == 302
    assert Decision.objects.count() == 0


# --- acknowledging, responding, answering ----------------------------------------------------


def test_an_addressee_acknowledges_from_the_page(client, cast, published):
    client.force_login(cast.employee)
    response = client.post(f"/decisions/{published.pk}/acknowledge/")
    assert response.status_code == 302
    html = client.get(f"/decisions/{published.pk}/").content.decode()
    assert 'data-testid="acknowledged"' in html
    assert inbox_action_count(cast.employee) == 0


def test_acknowledging_needs_a_login_and_an_addressee(client, cast, published):
    assert_login_redirect(client.post(f"/decisions/{published.pk}/acknowledge/"))
    client.force_login(cast.outsider)
    assert client.post(f"/decisions/{published.pk}/acknowledge/").status_code == 404
    assert Acknowledgement.objects.filter(acknowledged_at__isnull=False).count() == 0


def test_an_anonymous_question_from_the_page_keeps_no_sender(client, cast, published):
    client.force_login(cast.employee)
    response = client.post(
        f"/decisions/{published.pk}/respond/",
        {"kind": "question", "theme": "other", "text": "Overtime pay?", "anonymous": "on"},
    )
    assert response.status_code == 302
    assert response.wsgi_request.META[SKIP_ACCESS_LOG] is True  # no access-log line either
    stored = Response.objects.get()
    assert (stored.author_id, stored.department_id, stored.is_anonymous) == (None, None, True)
    client.force_login(cast.gm)  # who sees the names of named questions
    html = client.get(f"/decisions/{published.pk}/").content.decode()
    day = stored.submitted_on.isoformat()
    assert f'<strong>Overtime pay?</strong> <small class="muted">{day}</small>' in html


def test_a_response_without_text_is_a_422(client, cast, published):
    client.force_login(cast.employee)
    response = client.post(
        f"/decisions/{published.pk}/respond/", {"kind": "question", "theme": "other", "text": ""}
    )
    assert response.status_code == 422
    assert 'data-testid="error-text"' in response.content.decode()
    assert Response.objects.count() == 0


def test_someone_not_addressed_may_not_respond(client, cast, published):
    client.force_login(cast.outsider)
    response = client.post(
        f"/decisions/{published.pk}/respond/", {"kind": "support", "theme": "other", "text": "+1"}
    )
    assert response.status_code == 404
    assert_login_redirect(client.__class__().post(f"/decisions/{published.pk}/respond/"))
    assert Response.objects.count() == 0


def test_the_gm_answers_a_question_and_the_asker_reads_it(client, cast, published):
    question = services.decision_respond(
        decision=published, by=cast.employee, kind="question", text="Overtime?", anonymous=True
    )
    client.force_login(cast.gm)
    url = f"/decisions/{published.pk}/questions/{question.pk}/answer/"
    assert client.post(url, {"answer": ""}).status_code == 422
    assert client.post(url, {"answer": "Paid as usual."}).status_code == 302
    client.force_login(cast.employee)
    html = client.get(f"/decisions/{published.pk}/").content.decode()
    assert "Paid as usual." in html


def test_an_employee_may_not_answer(client, cast, published):
    question = services.decision_respond(
        decision=published, by=cast.head, kind="question", text="Overtime?", anonymous=False
    )
    client.force_login(cast.employee)
    url = f"/decisions/{published.pk}/questions/{question.pk}/answer/"
    assert client.post(url, {"answer": "Yes"}).status_code == 403
    assert_login_redirect(client.__class__().post(url, {"answer": "Yes"}))
    question.refresh_from_db()
    assert question.answer == ""


# --- the inbox -------------------------------------------------------------------------------


def test_the_inbox_lists_the_decision_to_acknowledge(client, cast, published):
    client.force_login(cast.employee)
    html = client.get("/inbox/").content.decode()
    assert 'data-testid="inbox-section-decisions"' in html
    assert "Four-day week in Sales" in html
    assert "To acknowledge" in html
    assert 'data-testid="inbox-badge">1</span>' in client.get("/inbox/badge/").content.decode()


def test_after_a_substantive_amendment_the_inbox_asks_again(client, cast, published):
    services.decision_acknowledge(decision=published, by=cast.employee)
    services.decision_amend(
        decision=published,
        by=cast.gm,
        title=published.title,
        rationale="Customers buy Monday to Thursday.",
        effective_date=published.effective_date,
        change_note="Rationale corrected.",
        substantive=True,
    )
    client.force_login(cast.employee)
    html = client.get("/inbox/").content.decode()
    assert "To acknowledge again" in html


def test_the_decision_page_says_whose_decision_it_is_apart_from_whom_it_addresses(client, cast):
    from gmassist.core.permissions import SYSTEM
    from gmassist.decisions.services import Audience, decision_create

    decision = decision_create(
        by=SYSTEM,
        title="Four-day week",
        rationale="orders",
        effective_date=dt.date(2026, 3, 2),
        audience=Audience(departments=(cast.sales,)),
    )
    client.force_login(cast.gm)

    body = client.get(f"/decisions/{decision.pk}/").content.decode()

    assert "· a company decision</p>" in body
    assert "The whole company" not in body
