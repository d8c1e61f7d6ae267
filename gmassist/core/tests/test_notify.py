"""E-mail notifications: one message per address, in each recipient's language, through
Django's backend (the locmem outbox in tests)."""

import pytest
from django.core import mail

from gmassist.core.notify import Recipient, notify, notify_users, recipient_for_user, site_url

NOTICE = "core/email/notice"


@pytest.fixture(autouse=True)
def _locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DEFAULT_FROM_EMAIL = "assistant@example.com"


def test_each_user_is_written_to_in_their_own_language(cast):
    cast.employee.email = "emma@example.com"
    cast.employee.language = "zh-hans"
    cast.employee.save()
    cast.outsider.email = "oscar@example.com"
    cast.outsider.language = "en"
    cast.outsider.save()
    sent = notify_users(
        users=[cast.employee, cast.outsider],
        template=NOTICE,
        context={"subject": "Travel policy", "body": "Please read it.", "url": "http://x/1/"},
    )
    assert sent == 2
    by_address = {message.to[0]: message for message in mail.outbox}
    chinese = by_address["emma@example.com"]
    assert chinese.subject == "总经理助理系统: Travel policy"
    assert chinese.body.startswith("您好，Emma Employee\n\nPlease read it.\n")
    assert "http://x/1/" in chinese.body
    english = by_address["oscar@example.com"]
    assert english.subject == "GM Assistant: Travel policy"
    assert english.body.startswith("Hello, Oscar Outsider\n")
    assert english.from_email == "assistant@example.com"


def test_a_user_without_a_language_gets_the_sites_language(cast, settings):
    settings.LANGUAGE_CODE = "en"
    cast.gm.email = "grace@example.com"
    cast.gm.save()
    notify_users(users=[cast.gm], template=NOTICE, context={"subject": "S", "body": "B"})
    assert [m.subject for m in mail.outbox] == ["GM Assistant: S"]


def test_the_employee_records_address_is_used_when_the_login_has_none(cast):
    employee = cast.employee.employee
    employee.email = "emma.work@example.com"
    employee.save()
    assert recipient_for_user(cast.employee) == Recipient(
        email="emma.work@example.com", language="", name="Emma Employee"
    )


def test_users_without_any_address_are_skipped(cast):
    sent = notify_users(users=[cast.assistant], template=NOTICE, context={"subject": "S"})
    assert sent == 0
    assert mail.outbox == []


def test_an_address_is_written_to_once(db):
    recipients = [Recipient("a@example.com"), Recipient("A@example.com"), Recipient("b@x.org")]
    progress: list[int] = []
    sent = notify(
        recipients=recipients,
        template=NOTICE,
        context={"subject": "S", "body": "B"},
        progress=progress.append,
    )
    assert sent == 2
    assert [m.to for m in mail.outbox] == [["a@example.com"], ["b@x.org"]]
    assert progress == [2]


def test_a_newline_in_the_subject_cannot_reach_the_header(db):
    notify(
        recipients=[Recipient("a@example.com")],
        template=NOTICE,
        context={"subject": "Hello\nBcc: evil@example.com", "body": "B"},
    )
    assert mail.outbox[0].subject == "GM Assistant: Hello Bcc: evil@example.com"
    assert mail.outbox[0].bcc == []


def test_site_url_makes_a_path_an_absolute_link(settings):
    settings.SITE_URL = "https://gm.example.com/"
    assert site_url("/voice/feedback/7/") == "https://gm.example.com/voice/feedback/7/"
