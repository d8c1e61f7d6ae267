"""E-mail notifications: one helper that writes to people in their own language.

Messages go through Django's e-mail backend: the console by default (`make run` prints them),
SMTP when the EMAIL_* settings say so (see `.env.example`). A message is rendered from two
plain-text templates, `<name>_subject.txt` (one line) and `<name>_body.txt`, once per
recipient in the recipient's language (`User.language`, else the site's `LANGUAGE_CODE`).
Everything goes through one connection, so a batch of thousands opens one SMTP session.

No message carries a time finer than the day it was written: the `Date` header is that day at
midnight (local time) and the `Message-ID` is random (Python's own is made from the time to the
hundredth of a second). An e-mail about an anonymous item (the urgent alert) would otherwise
time the item's arrival, and every message is written the same way so that those cannot be told
apart. (The mail servers on the way add their own `Received` times; see docs/security.md.)

    notify_users(
        users=addressees,
        template="decisions/email/published",
        context={"decision": decision, "url": "https://…/decisions/12/"},
    )
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.utils import timezone, translation

logger = logging.getLogger(__name__)

# Messages are handed to the backend in batches of this many (one SMTP session for all).
SEND_BATCH = 200


@dataclass(frozen=True)
class Recipient:
    """Someone to write to: an address, the language to write in and the name to greet."""

    email: str
    language: str = ""
    name: str = ""


def site_url(path: str) -> str:
    """`path` (e.g. from `reverse`) as an absolute link on the site (`SITE_URL`), for e-mails:
    a mail client has no page to resolve a relative link against, and a job has no request."""
    return settings.SITE_URL.rstrip("/") + path


def recipient_for_user(user: Any) -> Recipient | None:
    """The user as a recipient (their own e-mail, else their employee record's); None without
    any address."""
    email = getattr(user, "email", "") or ""
    employee = getattr(user, "employee", None) if getattr(user, "employee_id", None) else None
    if not email and employee is not None:
        email = employee.email or ""
    if not email:
        return None
    return Recipient(email=email, language=getattr(user, "language", "") or "", name=str(user))


def message_headers(*, today: dt.date | None = None) -> dict[str, str]:
    """The `Date` and `Message-ID` headers of a message written on `today` (default: the local
    date): the day at midnight local time, and a random id at the site's host name."""
    day = today or timezone.localdate()
    midnight = dt.datetime.combine(day, dt.time(0), tzinfo=timezone.get_current_timezone())
    return {
        "Date": format_datetime(midnight),
        "Message-ID": f"<{uuid.uuid4().hex}@{urlsplit(settings.SITE_URL).hostname or 'localhost'}>",
    }


def render_message(*, recipient: Recipient, template: str, context: dict[str, Any]) -> EmailMessage:
    """One message to `recipient`, rendered in their language from `template`'s two files."""
    language = recipient.language or settings.LANGUAGE_CODE
    with translation.override(language):
        full_context = {**context, "recipient": recipient}
        subject = render_to_string(f"{template}_subject.txt", full_context)
        body = render_to_string(f"{template}_body.txt", full_context)
    # a subject is one line (a newline in it is a header injection to Django)
    subject = " ".join(subject.split())
    return EmailMessage(
        subject=subject,
        body=body.strip() + "\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        headers=message_headers(),
    )


def notify(
    *,
    recipients: Iterable[Recipient],
    template: str,
    context: dict[str, Any],
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write to every recipient (once per address) in their language; returns how many were
    sent. `progress(sent_so_far)` is called after each batch."""
    connection = get_connection()
    seen: set[str] = set()
    sent = 0
    batch: list[EmailMessage] = []

    def flush() -> None:
        nonlocal sent
        if batch:
            sent += connection.send_messages(batch) or 0
            batch.clear()
            if progress is not None:
                progress(sent)

    for recipient in recipients:
        address = recipient.email.strip().lower()
        if not address or address in seen:
            continue
        seen.add(address)
        batch.append(render_message(recipient=recipient, template=template, context=context))
        if len(batch) >= SEND_BATCH:
            flush()
    flush()
    return sent


def notify_users(
    *,
    users: Iterable[Any],
    template: str,
    context: dict[str, Any],
    progress: Callable[[int], None] | None = None,
) -> int:
    """`notify` for users: each in their own language; users without an address are skipped."""
    recipients = (recipient_for_user(user) for user in users)
    return notify(
        recipients=(r for r in recipients if r is not None),
        template=template,
        context=context,
        progress=progress,
    )
