"""The schedule through a real browser: the assistant opens the GM's week, finds a slot with
the head of Sales (Shanghai) and a colleague in Berlin, books it in the GM's name from the slot,
the head answers the invitation; the week in Chinese and on a phone; the feed page.
Screenshots go to docs/screenshots/office-schedule*.png."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from gmassist.office.schedule import services
from gmassist.office.schedule.models import Meeting, MeetingParticipant, WorkingHours
from tests.browser.conftest import SCREENSHOTS, log_in, visit
from tests.browser.test_customer_records import _fits_the_phone

pytestmark = pytest.mark.django_db(transaction=True)

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def week(cast, settings):
    """The GM's week: a weekly management meeting, a 1:1, a customer visit, board prep, and the
    head's imported busy morning; hours in Shanghai and Berlin."""
    settings.TIME_ZONE = "Asia/Shanghai"
    for user, zone, start, end in (
        (cast.gm, "Asia/Shanghai", dt.time(8, 30), dt.time(19)),
        (cast.head, "Asia/Shanghai", dt.time(9), dt.time(18)),
        (cast.outsider, "Europe/Berlin", dt.time(8), dt.time(17)),
    ):
        WorkingHours.objects.create(user=user, time_zone=zone, day_start=start, day_end=end)
    today = timezone.now().astimezone(SHANGHAI).date()
    monday = today - dt.timedelta(days=today.weekday())

    def book(title, day, hour, minutes, people, **extra):
        start = dt.datetime.combine(monday + dt.timedelta(days=day), dt.time(hour), tzinfo=SHANGHAI)
        return services.meeting_create(
            by=cast.assistant,
            organiser=cast.gm,
            fields=services.MeetingFields(
                title=title,
                starts_at=start,
                ends_at=start + dt.timedelta(minutes=minutes),
                time_zone="Asia/Shanghai",
                **extra,
            ),
            participants=people,
            send_invitations=False,
        )

    book("每周管理例会", -7, 9, 90, [cast.head, cast.hr], place="12F 第一会议室", repeat="weekly")
    book("1:1 with Hank Head", 1, 14, 45, [cast.head], place="GM's office")
    book("客户拜访：海通物流", 2, 14, 150, [cast.head], place="海通物流总部")
    book("Board meeting preparation", 4, 10, 120, [cast.hr], place="Board room")
    return monday


def test_the_assistant_books_a_slot_for_the_gm_and_the_head_answers(page, cast, week):
    log_in(page, "assistant", "pass-assistant")
    visit(page, f"/office/schedule/?who={cast.gm.pk}")
    assert page.get_by_test_id("week-meeting").count() == 4
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "office-schedule-week.png"), full_page=True)

    # a slot with the GM, the head and the colleague in Berlin, next week
    visit(page, "/office/schedule/slots/")
    page.select_option(
        "#id_participants", [str(cast.gm.pk), str(cast.head.pk), str(cast.outsider.pk)]
    )
    page.fill("#id_start", (week + dt.timedelta(days=7)).isoformat())
    page.fill("#id_days", "5")
    page.get_by_test_id("slot-search").click()
    page.wait_for_selector("[data-testid=slot-row]")
    first = page.get_by_test_id("slot-row").first.inner_text()
    # Berlin starts at 08:00 (15:00 in Shanghai in winter): the first shared hour
    assert "15:00–16:00" in first and "08:00–09:00" in first, first
    page.screenshot(path=str(SCREENSHOTS / "office-schedule-slots.png"), full_page=True)

    page.get_by_test_id("slot-book").first.click()
    page.wait_for_url("**/office/schedule/meetings/new/**")
    page.fill("#id_title", "Logistics partnership: Berlin office")
    page.select_option("#id_organiser", str(cast.gm.pk))
    page.get_by_test_id("meeting-save").click()
    page.wait_for_url("**/office/schedule/meetings/*/")
    meeting = Meeting.objects.get(title="Logistics partnership: Berlin office")
    assert (meeting.organiser, meeting.arranged_by) == (cast.gm, cast.assistant)
    assert meeting.starts_at.astimezone(SHANGHAI).time() == dt.time(15)
    # the GM organises it; the assistant who booked it is not a participant
    assert sorted(meeting.participants.values_list("user__username", flat=True)) == [
        "head",
        "outsider",
    ]
    page.get_by_test_id("account-menu").click()
    page.get_by_test_id("logout").click()
    page.wait_for_load_state()

    # the head accepts, and reads the meeting in Chinese
    log_in(page, "head", "pass-head")
    visit(page, f"/office/schedule/meetings/{meeting.pk}/")
    page.get_by_test_id("respond-accepted").click()
    page.wait_for_load_state()
    row = MeetingParticipant.objects.get(meeting=meeting, user=cast.head)
    assert row.response == "accepted"
    page.screenshot(path=str(SCREENSHOTS / "office-schedule-meeting.png"), full_page=True)
    page.click("#language-zh-hans")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert "已接受" in page.get_by_test_id("participants").inner_text()
    visit(page, "/office/schedule/")
    page.screenshot(path=str(SCREENSHOTS / "office-schedule-week-zh.png"), full_page=True)

    # and on a phone: the week is one column, nothing sticks out
    page.set_viewport_size({"width": 390, "height": 844})
    for _ in range(50):
        if page.evaluate("document.documentElement.scrollWidth") <= 390:
            break
        page.wait_for_timeout(200)
    _fits_the_phone(page)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOTS / "office-schedule-week-phone-zh.png"), full_page=True)

    # the feed page: the address shown once, with how to subscribe
    page.set_viewport_size({"width": 1280, "height": 900})
    visit(page, "/office/schedule/feed/")
    page.get_by_test_id("feed-regenerate").click()
    page.wait_for_selector("[data-testid=feed-url]")
    assert "/office/feed/gmf_" in page.get_by_test_id("feed-url").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "office-schedule-feed-zh.png"), full_page=True)
