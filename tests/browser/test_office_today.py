"""Today through a real browser: the GM's home page ranks what needs attention, the GM approves
a proposal from its line (htmx, the page updates in place), the badge counts down; in Chinese
at phone width nothing runs off the screen. Screenshots go to docs/screenshots/."""

import pytest
import time_machine

from gmassist.office.today.tests.conftest import NOW, desk  # noqa: F401 (fixture)
from tests.browser.conftest import SCREENSHOTS, log_in, visit, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def today_clock():
    # the clock runs (the browser's waits need it), from the desk's 15 June 2026
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


def test_the_gm_works_through_today_in_english_and_chinese(page, cast, desk):  # noqa: F811
    log_in(page, "gm", "pass-gm")
    page.wait_for_selector("[data-testid=today]")
    page.wait_for_selector("[data-testid=today-badge]")  # fetched after the page loads
    assert page.get_by_test_id("today-badge").inner_text() == "12"
    feedback = page.get_by_test_id("today-section-voice.feedback")
    assert (
        feedback.get_by_test_id("today-item")
        .first.inner_text()
        .startswith("My manager shouts at me")
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "office-today.png"), full_page=True)

    proposals = page.get_by_test_id("today-section-core.proposals")
    page.once("dialog", lambda dialog: dialog.accept())
    proposals.get_by_test_id("today-approve").first.click()
    page.wait_for_selector("text=it takes effect on 2026-07-01")
    assert (
        page.get_by_test_id("today-section-core.proposals")
        .get_by_test_id("today-section-count")
        .inner_text()
        == "1"
    )
    desk.raise_emma.refresh_from_db()
    assert desk.raise_emma.status == "scheduled"

    page.click("#language-zh-hans")
    page.wait_for_load_state()
    page.wait_for_selector("text=今日")
    page.screenshot(path=str(SCREENSHOTS / "office-today-zh.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    visit(page, "/")
    page.wait_for_selector("[data-testid=today]")
    wait_until(page, "document.documentElement.scrollWidth <= 390", 10_000)
    page.screenshot(path=str(SCREENSHOTS / "office-today-phone-zh.png"), full_page=True)


def test_a_head_sees_today_for_their_subtree(page, cast, desk):  # noqa: F811
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "head", "pass-head")
    page.wait_for_selector("[data-testid=today]")
    text = page.get_by_test_id("today").inner_text()
    assert "Late expense refunds" in text and "Broken lab fridge" not in text
    wait_until(page, "document.documentElement.scrollWidth <= 390", 10_000)
    page.screenshot(path=str(SCREENSHOTS / "office-today-phone.png"), full_page=True)
