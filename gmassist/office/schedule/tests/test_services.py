"""The schedule's services and reads: free/busy, the Today source, the feed's decision
deadlines, e-mails on change and cancellation, re-imports, who may do what."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import icalendar
import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from gmassist.core.models import AuditEntry
from gmassist.decisions.models import Acknowledgement, Decision
from gmassist.office.schedule import engine, feeds, selectors, services
from gmassist.office.schedule import urls as _registers_the_today_source  # noqa: F401
from gmassist.office.schedule.models import BusyCalendar, BusyInterval, Meeting
from gmassist.office.schedule.tests.conftest import at, book
from gmassist.office.today.registry import registered_today_sources

ICS = Path(__file__).parent / "ics"
UTC = dt.UTC


@pytest.fixture(autouse=True)
def _monday(monday):
    return monday


def test_free_busy_counts_meetings_and_imports_but_not_declined_ones(cast):
    accepted = book(organiser=cast.head, start=at(2, 10), participants=[cast.employee])
    declined = book(organiser=cast.head, start=at(2, 14), participants=[cast.employee])
    services.meeting_respond(meeting=declined, by=cast.employee, response="declined")
    services.calendar_import(
        person=cast.employee,
        by=cast.employee,
        name="apple.ics",
        data=(ICS / "apple.ics").read_bytes(),
    )
    window = engine.Interval(at(2, 0), at(10, 0))
    busy = selectors.free_busy(people=[cast.employee, cast.head], window=window)
    assert busy[cast.employee.pk] == [
        engine.Interval(accepted.starts_at.astimezone(UTC), accepted.ends_at.astimezone(UTC)),
        engine.Interval(at(9, 10).astimezone(UTC), at(9, 11, 30).astimezone(UTC)),
    ]
    # the organiser is busy at both of their meetings
    assert len(busy[cast.head.pk]) == 2


def test_today_lists_the_readers_meetings_of_the_day(cast):
    book(organiser=cast.head, title="Pipeline", start=at(2, 15), participants=[cast.employee])
    book(organiser=cast.head, title="Tomorrow", start=at(3, 15), participants=[cast.employee])
    skipped = book(
        organiser=cast.head, title="Declined", start=at(2, 17), participants=[cast.employee]
    )
    services.meeting_respond(meeting=skipped, by=cast.employee, response="declined")
    (source,) = [s for s in registered_today_sources() if s.key == "office.schedule.today"]
    items = source.items(cast.employee)
    assert [(i.title, i.why, i.detail, i.action.kind) for i in items] == [
        ("Pipeline", "You are invited.", "15:00–16:00", "open")
    ]
    assert source.items(cast.outsider) == []
    assert [i.why for i in source.items(cast.head)] == ["You organise it.", "You organise it."]


def test_the_feed_holds_the_decisions_to_acknowledge_by_their_effective_date(cast):
    decision = Decision.objects.create(
        title="Expense claims within 30 days",
        rationale="Finance closes on time.",
        effective_date=dt.date(2026, 3, 20),
        status="published",
        published_at=at(1, 9),
    )
    Acknowledgement.objects.create(
        decision=decision, employee=cast.employee.employee, department=cast.sales_east
    )
    calendar = icalendar.Calendar.from_ical(feeds.feed_for(cast.employee))
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Acknowledge: Expense claims within 30 days"
    assert event.decoded("DTSTART") == dt.date(2026, 3, 20)
    assert event.decoded("DTEND") == dt.date(2026, 3, 21)
    Acknowledgement.objects.update(acknowledged_at=at(2, 9), acknowledged_version=1)
    assert icalendar.Calendar.from_ical(feeds.feed_for(cast.employee)).walk("VEVENT") == []


def test_the_feed_leaves_out_declined_meetings_and_keeps_cancelled_ones(cast):
    declined = book(organiser=cast.head, title="Declined", participants=[cast.employee])
    services.meeting_respond(meeting=declined, by=cast.employee, response="declined")
    cancelled = book(organiser=cast.head, title="Off", participants=[cast.employee])
    services.meeting_cancel(meeting=cancelled, by=cast.head, reason="No longer needed.")
    events = icalendar.Calendar.from_ical(feeds.feed_for(cast.employee)).walk("VEVENT")
    assert [(str(e["SUMMARY"]), str(e["STATUS"]), e["SEQUENCE"]) for e in events] == [
        ("Off", "CANCELLED", 1)
    ]


def test_changes_and_cancellations_are_emailed_with_the_ics(
    cast, django_capture_on_commit_callbacks
):
    cast.employee.email = "emma@example.com"
    cast.employee.save()
    meeting = book(organiser=cast.head, participants=[cast.employee])
    fields = services.MeetingFields(
        title="Quarterly review", starts_at=at(2, 11), ends_at=at(2, 12), time_zone="Asia/Shanghai"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_update(
            meeting=meeting, by=cast.head, fields=fields, participants=[cast.employee]
        )
        services.meeting_cancel(meeting=meeting, by=cast.head, reason="The customer postponed.")
    assert [m.subject for m in mail.outbox] == [
        "Changed: Quarterly review (2026-03-02 11:00)",
        "Cancelled: Quarterly review (2026-03-02 11:00)",
    ]
    cancel = icalendar.Calendar.from_ical(mail.outbox[1].attachments[0][1])
    assert (str(cancel["METHOD"]), cancel.walk("VEVENT")[0]["SEQUENCE"]) == ("CANCEL", 2)
    assert "The customer postponed." in mail.outbox[1].body


def test_importing_the_same_file_again_replaces_it(cast):
    data = (ICS / "outlook.ics").read_bytes()
    first = services.calendar_import(person=cast.head, by=cast.head, name="outlook.ics", data=data)
    second = services.calendar_import(person=cast.head, by=cast.head, name="outlook.ics", data=data)
    assert BusyCalendar.objects.get().pk == second.pk != first.pk
    assert BusyInterval.objects.count() == second.interval_count == 3
    assert (
        AuditEntry.objects.filter(action="import", target_type="office.busycalendar").count() == 2
    )


def test_who_may_do_what(cast):
    fields = services.MeetingFields(
        title="Board prep", starts_at=at(4, 9), ends_at=at(4, 10), time_zone="Asia/Shanghai"
    )
    with pytest.raises(PermissionDenied):
        services.meeting_create(
            by=cast.head, organiser=cast.gm, fields=fields, send_invitations=False
        )
    with pytest.raises(PermissionDenied):
        services.calendar_import(person=cast.gm, by=cast.head, name="x.ics", data=b"")
    with pytest.raises(PermissionDenied):
        services.feed_token_create(user=cast.gm, by=cast.assistant)
    meeting = book(organiser=cast.gm, by=cast.assistant)
    assert (meeting.organiser, meeting.arranged_by) == (cast.gm, cast.assistant)
    assert services.may_change(user=cast.assistant, meeting=meeting)
    assert not services.may_change(user=cast.head, meeting=meeting)
    with pytest.raises(PermissionDenied):
        services.meeting_respond(meeting=meeting, by=cast.head, response="accepted")
    assert Meeting.objects.count() == 1


def test_a_meeting_longer_than_a_day_or_an_end_before_the_start_is_refused(cast):
    for end, message in (
        (at(3, 11), "A meeting lasts at most 24 hours."),
        (at(2, 9), "A meeting ends after it starts."),
    ):
        fields = services.MeetingFields(
            title="x", starts_at=at(2, 10), ends_at=end, time_zone="Asia/Shanghai"
        )
        with pytest.raises(ValidationError) as caught:
            services.meeting_create(by=cast.head, fields=fields, send_invitations=False)
        assert caught.value.message_dict == {"ends_at": [message]}
    assert Meeting.objects.count() == 0
