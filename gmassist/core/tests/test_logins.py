"""Throttled logins (core/logins.py): wrong passwords lock out a username and an address, bad API
tokens lock out an address, the right password or a good token is refused while locked out,
the lock ends after LOGIN_LOCKOUT_MINUTES or when an administrator unlocks.

Defaults: 5 failures per username, 20 per address, 20 bad tokens per address, 15 minutes."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from gmassist.core.logins import TOKEN_USERNAME, client_ip
from gmassist.core.services import api_token_create

LOGIN = reverse("login")
OFFICE = "203.0.113.7"
ELSEWHERE = "198.51.100.9"
PROBLEM = "application/problem+json"


def log_in(client, username: str, password: str, address: str = OFFICE, **headers):
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address, **headers
    )


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def wrong_passwords(client, username: str, times: int, address: str = OFFICE) -> list[int]:
    return [log_in(client, username, "wrong", address).status_code for _ in range(times)]


def test_the_fifth_wrong_password_locks_the_username_and_the_right_one_is_refused(client, cast):
    assert wrong_passwords(client, "gm", 5) == [200, 200, 200, 200, 429]
    response = log_in(client, "gm", "pass-gm")
    assert response.status_code == 429
    assert response.context["locked_out"] is True
    assert 'data-testid="login-locked-out"' in response.content.decode()
    assert "paused for 15 minutes" in response.content.decode()
    assert not logged_in(client)


def test_a_locked_username_is_refused_from_every_address(client, cast):
    wrong_passwords(client, "gm", 5, OFFICE)
    assert log_in(client, "gm", "pass-gm", ELSEWHERE).status_code == 429
    assert not logged_in(client)
    # another username from the same office still logs in (the address has 5 of its 20)
    assert log_in(client, "hr", "pass-hr", OFFICE).status_code == 302


def test_twenty_failures_from_one_address_lock_it_whatever_the_usernames(client, cast):
    statuses = [log_in(client, f"guess{n}", "wrong").status_code for n in range(20)]
    assert statuses == [200] * 19 + [429]
    assert log_in(client, "gm", "pass-gm", OFFICE).status_code == 429
    assert not logged_in(client)
    # the usernames are not locked: gm logs in from elsewhere
    assert log_in(client, "gm", "pass-gm", ELSEWHERE).status_code == 302
    assert logged_in(client)


def test_the_lock_ends_fifteen_minutes_after_the_last_failure(client, cast):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        wrong_passwords(client, "gm", 5)
    with time_machine.travel(start + dt.timedelta(minutes=14), tick=False):
        assert log_in(client, "gm", "pass-gm").status_code == 429
    # that refused try was a failure too: the lock runs from it
    with time_machine.travel(start + dt.timedelta(minutes=14 + 16), tick=False):
        assert log_in(client, "gm", "pass-gm").status_code == 302
        assert logged_in(client)


def test_a_login_that_works_forgets_the_typos_before_it(client, cast):
    assert wrong_passwords(client, "gm", 4) == [200] * 4
    assert log_in(client, "gm", "pass-gm").status_code == 302
    client.post(reverse("logout"))
    assert wrong_passwords(client, "gm", 4) == [200] * 4


def test_an_administrator_unlocks_a_username(client, cast):
    wrong_passwords(client, "gm", 5)
    call_command("axes_reset_username", "gm", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert log_in(client, "gm", "pass-gm").status_code == 302


def test_an_administrator_unlocks_an_address(client, cast):
    for n in range(20):
        log_in(client, f"guess{n}", "wrong")
    call_command("axes_reset_ip", OFFICE, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert log_in(client, "gm", "pass-gm").status_code == 302


def test_the_lockout_page_speaks_chinese(client, cast):
    wrong_passwords(client, "gm", 5)
    response = log_in(client, "gm", "pass-gm", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()


def test_the_attempts_keep_no_password(client, cast):
    log_in(client, "gm", "my-secret-guess")
    [attempt] = AccessAttempt.objects.all()
    assert "my-secret-guess" not in attempt.post_data
    assert (attempt.username, attempt.ip_address) == ("gm", OFFICE)


def test_the_limits_are_settings(client, cast, settings):
    settings.LOGIN_FAILURES_PER_USER = 2
    assert wrong_passwords(client, "gm", 2) == [200, 429]


# --- API tokens ------------------------------------------------------------------------------


def api_get(client, key: str, address: str = OFFICE):
    return client.get("/api/tokens", HTTP_AUTHORIZATION=f"Bearer {key}", REMOTE_ADDR=address)


def test_twenty_bad_tokens_lock_the_address_out_of_the_api(client, cast):
    _token, key = api_token_create(user=cast.gm, name="script")
    statuses = [api_get(client, f"gma_bad{n}").status_code for n in range(20)]
    assert statuses == [401] * 19 + [429]
    response = api_get(client, key)
    assert response.status_code == 429
    assert response["Content-Type"] == PROBLEM
    assert response.json()["status"] == 429
    assert "Too many bad API tokens" in response.json()["detail"]
    # the same token from elsewhere works
    assert api_get(client, key, ELSEWHERE).status_code == 200


def test_bad_tokens_do_not_lock_the_login_page_nor_passwords_the_tokens(client, cast):
    _token, key = api_token_create(user=cast.gm, name="script")
    for n in range(20):
        api_get(client, f"gma_bad{n}")
    assert log_in(client, "hr", "pass-hr").status_code == 302
    client.post(reverse("logout"))
    for n in range(20):
        log_in(client, f"guess{n}", "wrong")
    assert api_get(client, key, ELSEWHERE).status_code == 200
    # the office's tokens are locked by the tokens, not by the passwords
    assert AccessAttempt.objects.filter(username=TOKEN_USERNAME).get().failures_since_start == 20


def test_a_good_token_is_not_counted(client, cast):
    _token, key = api_token_create(user=cast.gm, name="script")
    assert [api_get(client, key).status_code for _ in range(25)] == [200] * 25
    assert not AccessAttempt.objects.exists()


def test_a_session_is_not_throttled_by_the_tokens_of_its_address(client, cast):
    for n in range(20):
        api_get(client, f"gma_bad{n}")
    client.force_login(cast.gm)
    assert client.get("/api/tokens", REMOTE_ADDR=OFFICE).status_code == 200


# --- the client's address --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "192.0.2.1", "10.0.0.1"),  # no proxy: the header is the client's own words
        (1, "192.0.2.1", "192.0.2.1"),
        (1, "6.6.6.6, 192.0.2.1", "192.0.2.1"),  # the client wrote 6.6.6.6 itself
        (2, "6.6.6.6, 192.0.2.1, 10.0.0.5", "192.0.2.1"),
        (2, "192.0.2.1", "192.0.2.1"),  # fewer hops than proxies: the first one
        (1, "not-an-address", "10.0.0.1"),
        (1, "", "10.0.0.1"),
    ],
)
def test_the_address_is_the_one_the_outermost_trusted_proxy_saw(
    settings, proxies, forwarded, expected
):
    settings.TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


# --- the old password of the password change -------------------------------------------------

PASSWORD = reverse("password_change")


def change_password(client, old: str, address: str = OFFICE):
    new = "a-much-longer-new-passphrase-7"
    data = {"old_password": old, "new_password1": new, "new_password2": new}
    return client.post(PASSWORD, data, REMOTE_ADDR=address)


def test_a_wrong_old_password_counts_as_a_failed_login(client, cast):
    client.force_login(cast.hr)
    response = change_password(client, "wrong")
    assert response.status_code == 200
    assert (
        response.context["form"]
        .errors["old_password"][0]
        .startswith("Your old password was entered incorrectly")
    )
    [attempt] = AccessAttempt.objects.filter(username="hr")
    assert (attempt.failures_since_start, attempt.ip_address) == (1, OFFICE)


def test_five_wrong_old_passwords_lock_the_change_and_the_login(client, cast):
    client.force_login(cast.hr)
    for _ in range(5):
        change_password(client, "wrong")
    response = change_password(client, "pass-hr")
    assert response.context["form"].errors["old_password"] == [
        "Too many wrong passwords for this username or from your address: the old password is"
        " not checked for 15 minutes after the last one."
    ]
    cast.hr.refresh_from_db()
    assert cast.hr.check_password("pass-hr")  # unchanged
    client.logout()
    assert log_in(client, "hr", "pass-hr").status_code == 429


def test_the_right_old_password_changes_it(client, cast):
    client.force_login(cast.hr)
    response = change_password(client, "pass-hr")
    assert response.status_code == 302
    cast.hr.refresh_from_db()
    assert cast.hr.check_password("a-much-longer-new-passphrase-7")
    assert not AccessAttempt.objects.exists()


def test_the_password_change_needs_a_login(client, cast):
    response = change_password(client, "pass-hr")
    assert (response.status_code, response.headers["Location"]) == (
        302,
        f"{reverse('login')}?next={PASSWORD}",
    )
