"""The GM's desk end to end, as issue 14 has it done: the GM logs in and sees today's matters
with their reasons, delegates one, approves a document, finds a meeting slot and subscribes to
the feed (the feed is fetched and parsed back with icalendar). Each step through the pages,
checked in the database."""

import datetime as dt

import icalendar
import pytest
import time_machine

from gmassist.office.documents.models import Document
from gmassist.office.documents.services import document_create
from gmassist.office.schedule.models import Meeting
from gmassist.office.tasks.models import Task
from gmassist.office.today.tests.conftest import NOW, desk  # noqa: F401 (fixture)
from tests.browser.conftest import SCREENSHOTS, log_in, visit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def today_clock():
    # the clock runs (the browser's waits need it), from the desk's 15 June 2026
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


def test_the_gm_delegates_approves_finds_a_slot_and_subscribes(page, cast, desk):  # noqa: F811
    contract = document_create(
        by=cast.assistant,
        title="Office lease renewal 2027",
        approvers=[cast.gm],
        text="Three more years on floors 11 and 12, rent unchanged.",
    )
    log_in(page, "gm", "pass-gm")
    page.wait_for_selector("[data-testid=today]")

    # today's matters, each with why it is the GM's
    documents = page.get_by_test_id("today-section-office.documents.awaiting")
    assert "Office lease renewal 2027" in documents.inner_text()
    feedback = page.get_by_test_id("today-section-voice.feedback")
    first = feedback.get_by_test_id("today-item").first
    assert first.inner_text().startswith("My manager shouts at me")
    assert "Urgent (harassment)" in first.inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "office-desk-today.png"), full_page=True)

    # delegate the overdue complaint about the expense refunds to the head of Sales
    late = feedback.get_by_test_id("today-item").filter(has_text="Late expense refunds")
    late.get_by_test_id("today-delegate").click()
    page.wait_for_url("**/office/tasks/new/**")
    assert page.get_by_test_id("task-title").input_value() == "Late expense refunds"
    page.get_by_test_id("task-owner").select_option(label="Hank Head · Sales")
    page.get_by_test_id("task-due").fill("2026-06-19")
    page.get_by_test_id("task-submit").click()
    page.wait_for_url("**/office/tasks/*/")
    task = Task.objects.get(title="Late expense refunds")
    assert (task.owner, task.delegated_by, task.about) == (
        cast.head,
        cast.gm,
        f"voice.feedback:{desk.overdue_east.pk}",
    )

    # approve the document from its page
    visit(page, f"/office/documents/{contract.pk}/")
    page.fill("#id_comment", "Approved: rent unchanged is a good result.")
    page.get_by_test_id("decide-approve").click()
    page.wait_for_selector("[data-testid=archived]")
    contract.refresh_from_db()
    assert contract.status == "approved"
    assert Document.objects.filter(status="approved").count() == 1

    # find an hour with the head and book it
    visit(page, "/office/schedule/slots/")
    page.select_option("#id_participants", [str(cast.head.pk)])
    page.fill("#id_start", "2026-06-16")
    page.fill("#id_days", "3")
    page.get_by_test_id("slot-search").click()
    page.wait_for_selector("[data-testid=slot-row]")
    page.get_by_test_id("slot-book").first.click()
    page.wait_for_url("**/office/schedule/meetings/new/**")
    page.fill("#id_title", "Expense refunds: what went wrong")
    page.get_by_test_id("meeting-save").click()
    page.wait_for_url("**/office/schedule/meetings/*/")
    meeting = Meeting.objects.get(title="Expense refunds: what went wrong")
    assert meeting.organiser == cast.gm
    assert list(meeting.participants.values_list("user__username", flat=True)) == ["head"]

    # subscribe: the feed's address, fetched as a calendar application would (no login)
    visit(page, "/office/schedule/feed/")
    page.get_by_test_id("feed-regenerate").click()
    page.wait_for_selector("[data-testid=feed-url]")
    url = page.get_by_test_id("feed-url").inner_text().strip()
    fetched = page.context.request.get(url, headers={"Cookie": ""})
    assert fetched.status == 200
    assert fetched.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(fetched.body())
    summaries = {str(event["SUMMARY"]) for event in calendar.walk("VEVENT")}
    assert "Expense refunds: what went wrong" in summaries
    starts = {str(event["SUMMARY"]): event.decoded("DTSTART") for event in calendar.walk("VEVENT")}
    assert starts["Expense refunds: what went wrong"] == meeting.starts_at
    assert isinstance(starts["Expense refunds: what went wrong"], dt.datetime)
