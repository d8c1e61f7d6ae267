"""Submitting feedback, routing, the thread, statuses, urgent alerts and overdue reminders."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from gmassist.core.models import AuditEntry
from gmassist.voice.feedback import services
from gmassist.voice.feedback.models import Feedback, FeedbackMessage

DAY = dt.date(2026, 3, 2)


def submit(cast, **extra):
    fields = {
        "by": cast.employee,
        "kind": "complaint",
        "addressed_to": "department",
        "department": cast.sales_east,
        "subject": "Too many weekend shifts",
        "body": "We work every weekend and the team is exhausted.",
        "today": DAY,
    }
    fields.update(extra)
    return services.feedback_submit(**fields)


def test_a_named_item_is_routed_to_the_nearest_head_and_classified(cast):
    sent = submit(cast)
    item = sent.feedback
    assert sent.reply_code == ""
    assert (item.author, item.owner, item.head_department) == (
        cast.employee,
        cast.head,
        cast.sales_east,
    )
    assert (item.topic, item.sentiment, item.language) == ("workload", "negative", "en")
    assert item.due_on == dt.date(2026, 3, 16)
    assert item.status == "new"
    # submissions are not audited: an entry's time would date the rows around it
    assert AuditEntry.objects.count() == 0


def test_an_anonymous_item_keeps_no_sender_and_only_the_code_digest(cast):
    sent = submit(cast, anonymous=True)
    item = Feedback.objects.get(pk=sent.feedback.pk)
    assert item.author_id is None and item.is_anonymous
    assert len(sent.reply_code) == 24 and sent.reply_code.count("-") == 4
    assert item.reply_code_digest == services.reply_code_digest(sent.reply_code)
    assert sent.reply_code.replace("-", "") not in str(
        Feedback.objects.filter(pk=item.pk).values().get()
    )
    assert services.feedback_by_code(code=sent.reply_code.lower().replace("-", " ")) == item
    assert services.feedback_by_code(code="0000-0000-0000-0000-0000") is None
    assert AuditEntry.objects.count() == 0


def test_an_item_to_the_gm_goes_to_the_gm_and_no_head_sees_it(cast):
    item = submit(cast, addressed_to="gm", department=None).feedback
    assert (item.owner, item.head_department) == (cast.gm, None)


def test_an_urgent_item_goes_to_hr_and_alerts_the_gm_assistant_and_hr(
    cast, django_capture_on_commit_callbacks
):
    for user, address in (
        (cast.gm, "gm@x.test"),
        (cast.hr, "hr@x.test"),
        (cast.assistant, "a@x.test"),
    ):
        user.email = address
        user.save()
    with django_capture_on_commit_callbacks(execute=True):
        item = submit(
            cast,
            anonymous=True,
            subject="At the team dinner",
            body="My supervisor touched my waist and keeps making comments about my body.",
        ).feedback
    assert item.urgent_flags == ["harassment"]
    assert (item.owner, item.head_department) == (cast.hr, None)
    assert item.due_on == dt.date(2026, 3, 4)
    assert sorted(m.to[0] for m in mail.outbox) == ["a@x.test", "gm@x.test", "hr@x.test"]
    assert mail.outbox[0].subject == "Urgent feedback (Harassment): At the team dinner"
    assert "anonymous" in mail.outbox[0].body
    assert "employee" not in mail.outbox[0].body and "Emma" not in mail.outbox[0].body


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"subject": "  "}, "subject"),
        ({"body": ""}, "body"),
        ({"kind": "rant"}, "kind"),
        ({"department": None}, "department"),
        ({"body": "x" * 5001}, "body"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(cast, extra, field):
    with pytest.raises(ValidationError) as error:
        submit(cast, **extra)
    assert field in error.value.message_dict
    assert Feedback.objects.count() == 0


def test_the_owner_answers_and_the_anonymous_sender_writes_back_with_the_code(cast):
    sent = submit(cast, anonymous=True)
    item = sent.feedback
    services.feedback_reply_as_owner(
        feedback=item, body="We will hire two people.", by=cast.head, today=DAY
    )
    item.refresh_from_db()
    assert (item.status, item.answered_on) == ("answered", DAY)
    services.feedback_reply_as_sender(feedback=item, body="When?", code=sent.reply_code, today=DAY)
    item.refresh_from_db()
    assert item.status == "in_progress"
    rows = list(
        FeedbackMessage.objects.filter(feedback=item).values_list(
            "position", "from_sender", "author_id"
        )
    )
    assert rows == [(1, False, cast.head.pk), (2, True, None)]


def test_a_wrong_code_cannot_write_in_a_thread(cast):
    item = submit(cast, anonymous=True).feedback
    with pytest.raises(PermissionDenied):
        services.feedback_reply_as_sender(feedback=item, body="Hi", code="WRONG")
    assert FeedbackMessage.objects.count() == 0


def test_only_those_allowed_handle_an_item(cast):
    item = submit(cast).feedback
    for user in (cast.outsider, cast.employee, cast.account_manager, cast.hr):
        with pytest.raises(PermissionDenied):
            services.feedback_reply_as_owner(feedback=item, body="Hi", by=user)
    assert FeedbackMessage.objects.count() == 0
    for user in (cast.head, cast.gm, cast.assistant):
        assert services.may_handle(user=user, feedback=item)


def test_declining_needs_a_reason_and_is_audited(cast):
    item = submit(cast).feedback
    with pytest.raises(ValidationError):
        services.feedback_set_status(feedback=item, status="declined", by=cast.head)
    services.feedback_set_status(
        feedback=item, status="declined", reason="Out of scope", by=cast.head, today=DAY
    )
    item.refresh_from_db()
    assert (item.status, item.decline_reason, item.closed_on) == ("declined", "Out of scope", DAY)
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.changes) == (cast.head, {"status": ["new", "declined"]})
    with pytest.raises(ValidationError):
        services.feedback_reply_as_owner(feedback=item, body="More", by=cast.head)


def test_overdue_owners_are_reminded_once_a_day(cast):
    cast.head.email = "head@x.test"
    cast.head.save()
    submit(cast)
    submit(cast, subject="Second")
    answered = submit(cast, subject="Answered").feedback
    services.feedback_reply_as_owner(feedback=answered, body="Done", by=cast.head, today=DAY)
    late = dt.date(2026, 3, 17)
    assert services.feedback_send_reminders(today=late) == {"items": 2, "owners": 1}
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "2 feedback items are overdue"
    assert services.feedback_send_reminders(today=late) == {"items": 0, "owners": 0}
    assert services.feedback_send_reminders(today=dt.date(2026, 3, 16)) == {"items": 0, "owners": 0}
