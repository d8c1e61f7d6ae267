"""Feedback and surveys through a real browser: an employee sends anonymous feedback to their
department, the department head answers it, and the employee reads the answer with the reply
code; HR sets the topics the classifier was unsure of on the triage page, in English and in
Chinese, at 1280 px and on a phone; an employee answers a pulse survey from the inbox. The
feedback and triage screenshots for docs/voice.md go to docs/screenshots/."""

from __future__ import annotations

import datetime as dt

import pytest

from gmassist.voice.feedback.models import Feedback, FeedbackMessage
from gmassist.voice.surveys import services
from gmassist.voice.surveys.models import SurveyParticipation, SurveyResponse
from gmassist.voice.surveys.services import QuestionInput
from tests.browser.conftest import SCREENSHOTS, log_in, visit, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


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


def _waiting_for_a_topic(cast) -> list[Feedback]:
    rows = [
        (
            "Question about the new rota",
            "Who decides the order of the night shifts now that the team lead has left? "
            "Nobody seems to know and the rota for next month is still empty.",
            "management",
            0.38,
            False,
        ),
        (
            "关于补贴",
            "外勤的同事想问一下，下个月开始的新规定里，驻点期间的伙食和住宿怎么安排？找谁申请？",
            "pay",
            0.41,
            True,
        ),
        (
            "Laptop and the VPN",
            "My laptop cannot connect to the VPN from the customer's site since the update, so I "
            "drive back to the office to send reports.",
            "facilities",
            0.46,
            True,
        ),
    ]
    items = []
    for day, (subject, body, topic, confidence, anonymous) in enumerate(rows, start=1):
        items.append(
            Feedback.objects.create(
                kind="question",
                department=cast.sales_east,
                head_department=cast.sales_east,
                subject=subject,
                body=body,
                is_anonymous=anonymous,
                author=None if anonymous else cast.employee,
                reply_code_digest=f"{day}" * 64 if anonymous else "",
                submitted_on=dt.date(2026, 11, day),
                due_on=dt.date(2026, 11, day + 14),
                topic=topic,
                topic_confidence=confidence,
                in_triage=True,
                sentiment="neutral",
            )
        )
    return items


def test_hr_sets_the_topics_the_classifier_was_unsure_of_in_english_and_chinese(page, cast):
    items = _waiting_for_a_topic(cast)
    log_in(page, "hr", "pass-hr")
    visit(page, "/voice/feedback/")
    assert (
        "3 items await their topic in triage."
        in page.get_by_test_id("feedback-triage-note").inner_text()
    )
    page.get_by_test_id("feedback-triage-link").click()
    page.wait_for_url("**/voice/feedback/triage/")
    cards = page.get_by_test_id("triage-item")
    assert cards.count() == 3
    assert "Question about the new rota" in cards.nth(0).inner_text()
    assert (
        cards.nth(0).get_by_test_id("triage-guess").inner_text()
        == "The classifier's guess: Management, 38% sure"
    )
    assert "learnt from 0 topic corrections" in page.get_by_test_id("triage-learnt").inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "voice-triage.png"), full_page=True)

    # the rota question is about how the work is planned: the department head's
    cards.nth(0).get_by_test_id("triage-topic").select_option("workload")
    cards.nth(0).get_by_test_id("triage-submit").click()
    page.wait_for_load_state()
    assert (
        "The topic is set to Workload; owner: Hank Head."
        in page.get_by_test_id("messages").inner_text()
    )
    assert page.get_by_test_id("triage-item").count() == 2
    assert "learnt from 1 topic correction." in page.get_by_test_id("triage-learnt").inner_text()
    items[0].refresh_from_db()
    assert (items[0].topic, items[0].owner, items[0].in_triage) == ("workload", cast.head, False)

    # on a phone the cards and their forms fit the width
    page.set_viewport_size({"width": 390, "height": 844})
    wait_until(page, "document.documentElement.scrollWidth <= 390", 10_000)
    page.screenshot(path=str(SCREENSHOTS / "voice-triage-phone.png"), full_page=True)

    # the same page in Chinese, on the phone: the allowance question is pay, so HR's (the
    # language switch is in the header at full width)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.click("#language-zh-hans")
    page.wait_for_load_state()
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("h1").inner_text() == "反馈分拣"
    assert "2 条反馈等待设定话题，最早的在前。" in page.get_by_test_id("triage-count").inner_text()
    first = page.get_by_test_id("triage-item").nth(0)
    assert first.get_by_test_id("triage-guess").inner_text() == "分类器的猜测：薪酬，把握 41%"
    wait_until(page, "document.documentElement.scrollWidth <= 390", 10_000)
    page.screenshot(path=str(SCREENSHOTS / "voice-triage-zh.png"), full_page=True)
    first.get_by_test_id("triage-submit").click()
    page.wait_for_load_state()
    assert (
        "话题已设定为薪酬；负责人：Harriet Ross。" in page.get_by_test_id("messages").inner_text()
    )
    items[1].refresh_from_db()
    assert (items[1].topic, items[1].owner, items[1].in_triage) == ("pay", cast.hr, False)


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
