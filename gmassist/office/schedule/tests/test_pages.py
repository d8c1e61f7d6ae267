"""The schedule pages: the week, a meeting (new, edit, cancel, answer, minutes), finding a slot,
one's calendars and hours, the feed page and the feed; success, no login, wrong scope (and
nothing changed), bad input."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import icalendar
import pytest
import recurring_ical_events
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from gmassist.office.schedule.models import (
    BusyCalendar,
    BusyInterval,
    FeedToken,
    Meeting,
    MeetingParticipant,
    WorkingHours,
)
from gmassist.office.schedule.tests.conftest import at, book

ICS = Path(__file__).parent / "ics"
UTC = dt.UTC


@pytest.fixture(autouse=True)
def _monday(monday):
    return monday


# --- the week --------------------------------------------------------------------------------


def test_the_week_shows_ones_meetings_day_by_day(client, cast):
    book(
        organiser=cast.head, title="Pipeline review", start=at(3, 14), participants=[cast.employee]
    )
    client.force_login(cast.employee)
    response = client.get("/office/schedule/")
    assert response.status_code == 200
    week = response.context["week"]
    assert week["first_day"] == dt.date(2026, 3, 2)
    tuesday = week["days"][1]
    assert [
        (i["title"], i["start"].strftime("%H:%M"), i["response"]) for i in tuesday["items"]
    ] == [("Pipeline review", "14:00", "needs_action")]
    assert "Pipeline review" in response.content.decode()


def test_the_week_hides_the_meetings_of_others(client, cast):
    book(organiser=cast.head, title="Secret board prep", start=at(3, 14))
    client.force_login(cast.outsider)
    response = client.get("/office/schedule/?week=2026-03-02")
    assert "Secret board prep" not in response.content.decode()
    assert response.context["week"]["meeting_count"] == 0


def test_the_assistant_opens_the_gms_week_and_an_employee_cannot(client, cast):
    book(organiser=cast.gm, title="Board prep", start=at(4, 9))
    client.force_login(cast.assistant)
    response = client.get(f"/office/schedule/?who={cast.gm.pk}")
    assert response.status_code == 200
    assert response.context["person"] == cast.gm
    assert response.context["week"]["meeting_count"] == 1
    client.force_login(cast.employee)
    assert client.get(f"/office/schedule/?who={cast.gm.pk}").status_code == 404


def test_a_weekly_meeting_shows_in_a_later_week(client, cast):
    book(organiser=cast.gm, title="Management meeting", start=at(2, 9), repeat="weekly")
    client.force_login(cast.gm)
    response = client.get("/office/schedule/?week=2026-03-23")
    monday = response.context["week"]["days"][0]
    assert [(i["title"], i["start"].strftime("%m-%d %H:%M")) for i in monday["items"]] == [
        ("Management meeting", "03-23 09:00")
    ]


def test_the_schedule_needs_a_login(client, cast):
    for url in ("/office/schedule/", "/office/schedule/slots/", "/office/schedule/calendars/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"/login/?next={url}"


# --- a meeting -------------------------------------------------------------------------------

FORM = {
    "title": "Customer visit: Haitong Logistics",
    "day": "2026-03-05",
    "start_time": "14:00",
    "end_time": "15:30",
    "time_zone": "Asia/Shanghai",
    "place": "Haitong HQ, Pudong",
    "agenda": "1. Renewal\n2. New routes",
    "repeat": "",
}


def test_booking_a_meeting_invites_the_participants_with_the_ics(
    client, cast, django_capture_on_commit_callbacks
):
    cast.head.email = "hank@example.com"
    cast.head.save()
    client.force_login(cast.gm)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/office/schedule/meetings/new/", {**FORM, "participants": [cast.head.pk]}
        )
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/office/schedule/meetings/{meeting.pk}/"
    assert (meeting.starts_at, meeting.ends_at) == (at(5, 14), at(5, 15, 30))
    assert meeting.organiser == cast.gm and meeting.arranged_by is None
    assert list(meeting.participants.values_list("user_id", "response")) == [
        (cast.head.pk, "needs_action")
    ]
    (message,) = mail.outbox
    assert message.to == ["hank@example.com"]
    assert message.subject == "Invitation: Customer visit: Haitong Logistics (2026-03-05 14:00)"
    (name, content, mimetype) = message.attachments[0]
    assert (name, mimetype) == ("invite.ics", "text/calendar; method=REQUEST; charset=utf-8")
    event = icalendar.Calendar.from_ical(content).walk("VEVENT")[0]
    assert str(event["UID"]) == f"meeting-{meeting.pk}@gmassist"


def test_the_assistant_books_in_the_gms_name(client, cast):
    client.force_login(cast.assistant)
    response = client.post("/office/schedule/meetings/new/", {**FORM, "organiser": cast.gm.pk})
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert (meeting.organiser, meeting.arranged_by) == (cast.gm, cast.assistant)


def test_an_employee_cannot_book_in_someone_elses_name(client, cast):
    client.force_login(cast.employee)
    response = client.post("/office/schedule/meetings/new/", {**FORM, "organiser": cast.gm.pk})
    assert response.status_code == 302  # the field is not offered: they organise it
    assert Meeting.objects.get().organiser == cast.employee


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"end_time": "13:00"}, "ends_at", "A meeting ends after it starts."),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "Unknown time zone 'Mars/Olympus'"),
        ({"title": ""}, "title", "This field is required."),
        ({"repeat": "", "repeat_until": "2026-06-01"}, "repeat_until", "Only a repeating meeting"),
    ],
)
def test_a_bad_meeting_says_what_is_wrong_and_books_nothing(client, cast, change, field, message):
    client.force_login(cast.gm)
    response = client.post("/office/schedule/meetings/new/", {**FORM, **change})
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert field in errors or (field in ("ends_at",) and "__all__" in errors)
    assert message in response.content.decode().replace("&#x27;", "'")
    assert Meeting.objects.count() == 0


def test_a_participant_answers_and_cannot_change_the_meeting(client, cast):
    meeting = book(organiser=cast.head, participants=[cast.employee], start=at(5, 10))
    client.force_login(cast.employee)
    page = client.get(f"/office/schedule/meetings/{meeting.pk}/")
    assert page.status_code == 200 and page.context["may_change"] is False
    response = client.post(
        f"/office/schedule/meetings/{meeting.pk}/respond/", {"response": "accepted"}
    )
    assert response.status_code == 302
    assert MeetingParticipant.objects.get().response == "accepted"
    assert client.get(f"/office/schedule/meetings/{meeting.pk}/edit/").status_code == 403
    assert (
        client.post(f"/office/schedule/meetings/{meeting.pk}/cancel/", {"reason": "x"}).status_code
        == 403
    )
    meeting.refresh_from_db()
    assert (meeting.status, meeting.sequence) == ("scheduled", 0)


def test_someone_not_invited_gets_a_404_and_changes_nothing(client, cast):
    meeting = book(organiser=cast.head, participants=[cast.employee])
    client.force_login(cast.outsider)
    assert client.get(f"/office/schedule/meetings/{meeting.pk}/").status_code == 404
    assert (
        client.post(f"/office/schedule/meetings/{meeting.pk}/cancel/", {"reason": "x"}).status_code
        == 404
    )
    assert (
        client.post(
            f"/office/schedule/meetings/{meeting.pk}/respond/", {"response": "declined"}
        ).status_code
        == 404
    )
    meeting.refresh_from_db()
    assert meeting.status == "scheduled"
    assert MeetingParticipant.objects.get().response == "needs_action"


def test_changing_a_meeting_raises_its_revision(client, cast):
    meeting = book(organiser=cast.head, participants=[cast.employee], start=at(5, 10))
    client.force_login(cast.head)
    response = client.post(
        f"/office/schedule/meetings/{meeting.pk}/edit/",
        {
            **FORM,
            "start_time": "16:00",
            "end_time": "17:00",
            "participants": [cast.employee.pk, cast.outsider.pk],
        },
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.sequence) == (at(5, 16), 1)
    assert sorted(meeting.participants.values_list("user_id", flat=True)) == sorted(
        [cast.employee.pk, cast.outsider.pk]
    )


def test_cancelling_needs_a_reason_and_keeps_the_meeting(client, cast):
    meeting = book(organiser=cast.head, participants=[cast.employee])
    client.force_login(cast.head)
    response = client.post(f"/office/schedule/meetings/{meeting.pk}/cancel/", {"reason": ""})
    assert response.status_code == 422
    meeting.refresh_from_db()
    assert meeting.status == "scheduled"
    response = client.post(
        f"/office/schedule/meetings/{meeting.pk}/cancel/", {"reason": "The customer postponed."}
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.status, meeting.cancel_reason, meeting.sequence) == (
        "cancelled",
        "The customer postponed.",
        1,
    )


def test_minutes_are_written_after_the_meeting_has_begun(client, cast, time_machine):
    meeting = book(organiser=cast.head, participants=[cast.employee], start=at(2, 10))
    client.force_login(cast.head)
    response = client.post(
        f"/office/schedule/meetings/{meeting.pk}/minutes/", {"minutes": "Agreed."}
    )
    assert response.status_code == 422
    assert "Minutes are written once the meeting has begun." in response.content.decode()
    time_machine.move_to(at(2, 11), tick=False)
    response = client.post(
        f"/office/schedule/meetings/{meeting.pk}/minutes/",
        {"minutes": "Agreed: renew for 2 years."},
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.minutes, meeting.minutes_by) == ("Agreed: renew for 2 years.", cast.head)
    client.force_login(cast.employee)
    assert (
        "Agreed: renew for 2 years."
        in client.get(f"/office/schedule/meetings/{meeting.pk}/").content.decode()
    )


# --- finding a slot --------------------------------------------------------------------------


def test_finding_a_slot_avoids_busy_times_and_shows_each_local_time(client, cast):
    WorkingHours.objects.create(
        user=cast.outsider, time_zone="Europe/Berlin", day_start=dt.time(8), day_end=dt.time(17)
    )
    book(organiser=cast.head, start=at(2, 15), minutes=60)  # the head is busy 15:00-16:00
    client.force_login(cast.head)
    response = client.get(
        "/office/schedule/slots/",
        {
            "participants": [cast.outsider.pk],
            "minutes": 60,
            "start": "2026-03-02",
            "days": 1,
            "include_me": "on",
        },
    )
    assert response.status_code == 200
    rows = response.context["rows"]
    # Berlin 08:00 is 15:00 in Shanghai (CET); the head is busy then, so 16:00-17:00 first,
    # then 16:30; the head's day ends at 18:00
    assert [r["start"] for r in rows] == [at(2, 16), at(2, 16, 30), at(2, 17)]
    first = rows[0]["local"]
    assert [(c["zone"], c["start"].strftime("%H:%M")) for c in first] == [
        ("Asia/Shanghai", "16:00"),
        ("Europe/Berlin", "09:00"),
    ]
    assert rows[0]["book_url"].startswith("/office/schedule/meetings/new/?start=2026-03-02T08")


def test_the_assistant_finds_a_time_for_the_gm_without_counting_themselves(client, cast):
    book(organiser=cast.assistant, start=at(2, 9), minutes=240)  # the assistant: busy all morning
    client.force_login(cast.assistant)
    params = {"participants": [cast.gm.pk], "minutes": 60, "start": "2026-03-02", "days": 1}
    alone = client.get("/office/schedule/slots/", params).context["rows"]
    assert [r["start"] for r in alone][:1] == [at(2, 9)]
    assert [c["person"] for c in alone[0]["local"]] == [cast.gm]
    with_me = client.get("/office/schedule/slots/", {**params, "include_me": "on"}).context["rows"]
    assert [r["start"] for r in with_me][:1] == [at(2, 13)]


def test_a_booked_slot_fills_the_meeting_form(client, cast):
    client.force_login(cast.head)
    response = client.get(
        f"/office/schedule/meetings/new/?start=2026-03-02T08%3A00%3A00%2B00%3A00&minutes=90&with={cast.employee.pk}"
    )
    form = response.context["form"]
    assert (form.initial["day"], form.initial["start_time"], form.initial["end_time"]) == (
        dt.date(2026, 3, 2),
        dt.time(16),
        dt.time(17, 30),
    )
    assert form.initial["participants"] == [cast.employee]


def test_a_slot_search_with_bad_input_says_so(client, cast):
    client.force_login(cast.head)
    response = client.get(
        "/office/schedule/slots/",
        {"participants": [cast.employee.pk], "minutes": 60, "start": "2026-03-02", "days": 90},
    )
    assert response.status_code == 422
    assert "days" in response.context["form"].errors


# --- calendars, hours, the feed --------------------------------------------------------------


def test_importing_a_calendar_keeps_only_busy_times(client, cast):
    client.force_login(cast.employee)
    upload = SimpleUploadedFile("google.ics", (ICS / "google.ics").read_bytes(), "text/calendar")
    response = client.post("/office/schedule/calendars/", {"file": upload})
    assert response.status_code == 302
    calendar = BusyCalendar.objects.get()
    assert (calendar.user, calendar.name, calendar.interval_count) == (
        cast.employee,
        "google.ics",
        6,
    )
    assert BusyInterval.objects.count() == 6
    page = client.get("/office/schedule/calendars/").content.decode()
    assert "google.ics" in page and "Standup" not in page and "Vendor pitch" not in page


def test_a_bad_calendar_file_says_which_line_and_stores_nothing(client, cast):
    client.force_login(cast.employee)
    upload = SimpleUploadedFile(
        "broken.ics", b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    response = client.post("/office/schedule/calendars/", {"file": upload})
    assert response.status_code == 422
    assert (
        "broken.ics cannot be imported: line 3: END:VCALENDAR closes BEGIN:VEVENT of line 2"
        in response.content.decode()
    )
    assert BusyCalendar.objects.count() == 0


def test_one_cannot_delete_someone_elses_calendar(client, cast):
    client.force_login(cast.employee)
    client.post(
        "/office/schedule/calendars/",
        {"file": SimpleUploadedFile("a.ics", (ICS / "apple.ics").read_bytes())},
    )
    calendar = BusyCalendar.objects.get()
    client.force_login(cast.outsider)
    assert client.post(f"/office/schedule/calendars/{calendar.pk}/delete/").status_code == 404
    assert BusyCalendar.objects.count() == 1
    client.force_login(cast.employee)
    assert client.post(f"/office/schedule/calendars/{calendar.pk}/delete/").status_code == 302
    assert (BusyCalendar.objects.count(), BusyInterval.objects.count()) == (0, 0)


def test_working_hours_are_saved_and_an_unknown_zone_is_refused(client, cast):
    client.force_login(cast.employee)
    data = {
        "time_zone": "Europe/London",
        "day_start": "08:30",
        "day_end": "17:00",
        "weekdays": [0, 1, 2, 3],
    }
    assert client.post("/office/schedule/hours/", data).status_code == 302
    row = WorkingHours.objects.get(user=cast.employee)
    assert (row.time_zone, row.day_start, row.weekdays) == (
        "Europe/London",
        dt.time(8, 30),
        [0, 1, 2, 3],
    )
    response = client.post("/office/schedule/hours/", {**data, "time_zone": "Europe/Atlantis"})
    assert response.status_code == 422
    row.refresh_from_db()
    assert row.time_zone == "Europe/London"


def test_the_feed_address_is_shown_once_and_serves_the_feed(client, cast):
    meeting = book(
        organiser=cast.gm,
        title="Management meeting",
        start=at(2, 9),
        repeat="weekly",
        participants=[cast.head],
    )
    client.force_login(cast.head)
    response = client.post("/office/schedule/feed/", {"action": "regenerate"})
    url = response.context["feed_url"]
    assert url.startswith("http://testserver/office/feed/gmf_") and url.endswith(".ics")
    assert response["Cache-Control"] == "no-store"
    token = FeedToken.objects.get()
    assert url.split("/feed/")[1][:-4] not in token.digest  # only the digest is stored
    client.logout()
    feed = client.get(url.removeprefix("http://testserver"))
    assert feed.status_code == 200
    assert feed["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(feed.content)
    starts = [
        o.decoded("DTSTART")
        for o in recurring_ical_events.of(calendar).between(at(1, 0), at(23, 0))
    ]
    assert starts == [at(2, 9), at(9, 9), at(16, 9)]
    assert str(calendar.walk("VEVENT")[0]["UID"]) == f"meeting-{meeting.pk}@gmassist"


def test_a_revoked_or_wrong_feed_address_is_a_404(client, cast):
    client.force_login(cast.head)
    url = client.post("/office/schedule/feed/", {"action": "regenerate"}).context["feed_url"]
    path = url.removeprefix("http://testserver")
    client.post("/office/schedule/feed/", {"action": "revoke"})
    client.logout()
    assert client.get(path).status_code == 404
    assert client.get("/office/feed/gmf_not-a-secret.ics").status_code == 404
    assert client.get("/office/feed/anything.ics").status_code == 404


def test_regenerating_stops_the_old_address(client, cast):
    client.force_login(cast.head)
    old = client.post("/office/schedule/feed/", {"action": "regenerate"}).context["feed_url"]
    new = client.post("/office/schedule/feed/", {"action": "regenerate"}).context["feed_url"]
    client.logout()
    assert client.get(old.removeprefix("http://testserver")).status_code == 404
    assert client.get(new.removeprefix("http://testserver")).status_code == 200
    assert FeedToken.objects.filter(revoked_at__isnull=True).count() == 1
