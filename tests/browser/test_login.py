"""A person logs in through a real browser; five wrong passwords lock the login (screenshots of
the lockout, in English and Chinese, go to docs/screenshots/)."""

import pytest

from tests.browser.conftest import SCREENSHOTS, log_in, visit

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_gm_logs_in_and_lands_on_the_home_page(page, cast):
    log_in(page, "gm", "pass-gm")
    assert page.url == page.base_url + "/"
    # the GM's home page is Today (office.today); the company at a glance is one click away
    page.get_by_test_id("today").wait_for()
    page.get_by_test_id("today-glance").click()
    page.wait_for_url("**/glance/")
    assert page.get_by_role("heading", name="Headcount by department").is_visible()


def test_a_wrong_password_keeps_the_person_on_the_login_page(page, cast):
    log_in(page, "gm", "nope")
    assert "/login/" in page.url
    assert page.get_by_text("Please enter a correct username and password").is_visible()


def test_a_page_needing_a_login_sends_the_visitor_to_the_login_page(page, cast):
    visit(page, "/")
    assert page.url.startswith(page.base_url + "/login/")


def test_five_wrong_passwords_lock_the_login_and_the_right_one_is_refused(page, cast):
    for _ in range(5):
        log_in(page, "gm", "nope")
    locked = page.get_by_test_id("login-locked-out")
    assert locked.is_visible()
    assert "paused for 15 minutes" in locked.inner_text()
    log_in(page, "gm", "pass-gm")
    assert "/login/" in page.url
    assert page.get_by_test_id("login-locked-out").is_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "login-locked-out.png"), full_page=True)


def test_the_lockout_is_said_in_chinese(page, cast):
    visit(page, "/login/")
    page.click("#language-zh-hans")
    page.wait_for_load_state()
    for _ in range(5):
        page.fill("#id_username", "gm")
        page.fill("#id_password", "nope")
        page.click("button[type=submit]")
        page.wait_for_load_state()
    assert "登录暂停 15 分钟" in page.get_by_test_id("login-locked-out").inner_text()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "login-locked-out-zh.png"), full_page=True)
