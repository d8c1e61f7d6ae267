"""Feedback and surveys through a real browser: an employee sends anonymous feedback to their
department, the department head answers it, and the employee reads the answer with the reply
code; an employee answers a pulse survey from the inbox. The feedback screenshot for
docs/voice.md goes to docs/screenshots/."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from gmassist.voice.feedback.models import Feedback, FeedbackMessage
from gmassist.voice.surveys import services
from gmassist.voice.surveys.models import SurveyParticipation, SurveyResponse
from gmassist.voice.surveys.services import QuestionInput
from tests.browser.conftest import log_in, visit

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def log_out(page) -> None:
    page.get_by_test_id("account-menu").click()
    page.get_by_test_id("logout").click()
    page.wait_for_load_state()


def test_anonymous_feedback_answered_by_the_head_and_read_with_the_reply_code(page, cast):
    # the employee of Sales East writes to their department, anonymously
    log_in(page, "employee", "pass-employee")
    visit(page, "/voice/feedback/new/?anonymous")
    page.get_by_test_id("feedback-kind").select_option("complaint")
    page.get_by_test_id("feedback-to").select_option("department")
    page.get_by_test_id("feedback-department").select_option(label="Sales East")
    page.get_by_test_id("feedback-subject").fill("Weekend shifts")
    page.get_by_test_id("feedback-body").fill(
        "We have worked every weekend since January and the team is exhausted."
    )
    assert page.get_by_test_id("feedback-anonymous").is_checked()
    page.get_by_test_id("feedback-submit").click()
    page.wait_for_selector("[data-testid=reply-code]")
    code = page.get_by_test_id("reply-code").inner_text().strip()
    assert len(code) == 24
    item = Feedback.objects.get()
    assert (item.is_anonymous, item.author_id, item.owner) == (True, None, cast.head)
    log_out(page)

    # the head of Sales finds it in the queue and answers it
    log_in(page, "head", "pass-head")
    visit(page, "/voice/feedback/")
    page.get_by_test_id("feedback-link").filter(has_text="Weekend shifts").click()
    page.wait_for_url(f"**/voice/feedback/{item.pk}/")
    assert "anonymous" in page.get_by_test_id("detail-from").inner_text()
    page.get_by_test_id("reply-body").fill(
        "Thank you. Two more people join in March and weekend shifts will rotate."
    )
    page.get_by_test_id("reply-submit").click()
    page.wait_for_selector("[data-testid=thread-message]")
    assert page.get_by_test_id("detail-status").inner_text() == "Answered"
    log_out(page)

    # the employee reads the answer with the code (no login needed) and writes back
    visit(page, "/voice/feedback/follow/")
    page.get_by_test_id("follow-code").fill(code.lower())
    page.get_by_test_id("follow-submit").click()
    page.wait_for_selector("[data-testid=thread-message]")
    assert page.get_by_test_id("follow-status").inner_text() == "Answered"
    assert "Two more people join in March" in page.get_by_test_id("thread").inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "voice-feedback.png"), full_page=True)
    page.get_by_test_id("reply-body").fill("Thank you, that helps.")
    page.get_by_test_id("follow-reply-submit").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("thread-message").count() == 2
    assert FeedbackMessage.objects.filter(from_sender=True).get().author_id is None


def test_an_employee_answers_a_pulse_survey_from_the_inbox(page, cast):
    today = dt.date.today()
    survey = services.survey_create(
        by=cast.hr,
        title="Quarterly pulse",
        opens_on=today,
        questions=[
            QuestionInput("enps", "Would you recommend us as an employer?"),
            QuestionInput("scale", "My workload is manageable."),
            QuestionInput("text", "What should we change?"),
        ],
    )
    services.survey_set_status(survey=survey, by=cast.hr, status="active")
    services.surveys_open_due(today=today)
    log_in(page, "employee", "pass-employee")
    visit(page, "/inbox/")
    section = page.get_by_test_id("inbox-section-voice.surveys")
    section.get_by_role("link", name="Quarterly pulse").click()
    page.wait_for_url(f"**/voice/surveys/{survey.pk}/rounds/1/answer/")
    page.locator("input[name=q1][value='8']").check()
    page.locator("input[name=q2][value='3']").check()
    page.get_by_test_id("answer-q3").fill("Fewer status meetings.")
    page.get_by_test_id("survey-answer-submit").click()
    page.wait_for_selector("[data-testid=survey-answered]")
    assert SurveyParticipation.objects.count() == SurveyResponse.objects.count() == 1
    visit(page, "/inbox/")
    assert "Quarterly pulse" not in page.get_by_test_id("inbox-section-voice.surveys").inner_text()
