"""A person logs in through a real browser."""

import pytest

from tests.browser.conftest import log_in, visit

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_gm_logs_in_and_lands_on_the_home_page(page, cast):
    log_in(page, "gm", "pass-gm")
    assert page.url == page.base_url + "/"
    assert page.get_by_role("heading", name="Headcount by department").is_visible()


def test_a_wrong_password_keeps_the_person_on_the_login_page(page, cast):
    log_in(page, "gm", "nope")
    assert "/login/" in page.url
    assert page.get_by_text("Please enter a correct username and password").is_visible()


def test_a_page_needing_a_login_sends_the_visitor_to_the_login_page(page, cast):
    visit(page, "/")
    assert page.url.startswith(page.base_url + "/login/")
