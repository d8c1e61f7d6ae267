"""The schedule endpoints: success, not logged in (401), wrong scope (404/403, nothing changed),
bad input (422)."""

from __future__ import annotations

import json
from pathlib import Path

import icalendar
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import assert_problem
from gmassist.office.schedule.models import BusyCalendar, FeedToken, Meeting
from gmassist.office.schedule.tests.conftest import at, book

ICS = Path(__file__).parent / "ics"
BOOK = {
    "title": "Board prep",
    "starts_at": "2026-03-04T09:00:00+08:00",
    "ends_at": "2026-03-04T10:30:00+08:00",
    "time_zone": "Asia/Shanghai",
    "place": "GM's office",
    "repeat": "weekly",
    "repeat_until": "2026-03-25",
}


@pytest.fixture(autouse=True)
def _monday(monday):
    return monday


def send(client, method, path, body=None):
    return getattr(client, method)(path, json.dumps(body or {}), content_type="application/json")


def test_booking_reading_and_listing_a_meeting(client, cast):
    client.force_login(cast.gm)
    response = send(
        client, "post", "/api/office/schedule/meetings", {**BOOK, "participant_ids": [cast.head.pk]}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["starts_at"] == "2026-03-04T01:00:00Z"
    assert body["rrule"] == "FREQ=WEEKLY;UNTIL=20260325T155959Z;BYDAY=WE"
    assert body["participants"] == [
        {"user": {"id": cast.head.pk, "name": "Hank Head"}, "response": "needs_action"}
    ]
    assert body["organiser"] == {"id": cast.gm.pk, "name": "Grace Manager"}
    client.force_login(cast.head)
    assert client.get(f"/api/office/schedule/meetings/{body['id']}").json()["title"] == "Board prep"
    listed = client.get("/api/office/schedule/meetings?start=2026-03-10").json()
    assert (listed["count"], listed["items"][0]["id"]) == (1, body["id"])


def test_the_api_needs_a_login(client, cast):
    assert_problem(client.get("/api/office/schedule/meetings"), 401)
    assert_problem(send(client, "post", "/api/office/schedule/meetings", BOOK), 401)
    assert_problem(client.get("/api/office/schedule/slots?with=1"), 401)
    assert Meeting.objects.count() == 0


def test_a_meeting_out_of_scope_is_a_404_and_stays_as_it_was(client, cast):
    meeting = book(organiser=cast.head, participants=[cast.employee])
    client.force_login(cast.outsider)
    assert_problem(client.get(f"/api/office/schedule/meetings/{meeting.pk}"), 404)
    assert_problem(
        send(
            client, "post", f"/api/office/schedule/meetings/{meeting.pk}/cancel", {"reason": "no"}
        ),
        404,
    )
    assert client.get("/api/office/schedule/meetings").json()["count"] == 0
    meeting.refresh_from_db()
    assert meeting.status == "scheduled"


def test_a_participant_answers_but_may_not_change(client, cast):
    meeting = book(organiser=cast.head, participants=[cast.employee])
    client.force_login(cast.employee)
    response = send(
        client,
        "post",
        f"/api/office/schedule/meetings/{meeting.pk}/answer",
        {"response": "declined"},
    )
    assert response.status_code == 200
    assert response.json()["participants"][0]["response"] == "declined"
    assert_problem(send(client, "put", f"/api/office/schedule/meetings/{meeting.pk}", BOOK), 403)
    assert_problem(
        send(client, "post", f"/api/office/schedule/meetings/{meeting.pk}/cancel", {"reason": "x"}),
        403,
    )
    meeting.refresh_from_db()
    assert (meeting.title, meeting.sequence, meeting.status) == ("Quarterly review", 0, "scheduled")


def test_changing_and_cancelling_raise_the_sequence(client, cast):
    meeting = book(organiser=cast.head)
    client.force_login(cast.head)
    changed = send(
        client,
        "put",
        f"/api/office/schedule/meetings/{meeting.pk}",
        {**BOOK, "repeat": "", "repeat_until": None},
    )
    assert (changed.status_code, changed.json()["sequence"], changed.json()["title"]) == (
        200,
        1,
        "Board prep",
    )
    cancelled = send(
        client,
        "post",
        f"/api/office/schedule/meetings/{meeting.pk}/cancel",
        {"reason": "Moved to April."},
    )
    assert (cancelled.json()["status"], cancelled.json()["sequence"]) == ("cancelled", 2)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ends_at": "2026-03-04T08:00:00+08:00"}, "ends_at"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"title": ""}, "title"),
        ({"participant_ids": [999999]}, "participant_ids"),
        ({"starts_at": "2026-03-04T09:00:00", "ends_at": "2026-03-04T10:00:00"}, "starts_at"),
    ],
)
def test_bad_meetings_are_422_and_nothing_is_booked(client, cast, change, field):
    client.force_login(cast.gm)
    body = assert_problem(
        send(client, "post", "/api/office/schedule/meetings", {**BOOK, **change}), 422
    )
    assert field in {error["field"] for error in body["errors"]}
    assert Meeting.objects.count() == 0


def test_an_employee_may_not_book_in_the_gms_name(client, cast):
    client.force_login(cast.employee)
    assert_problem(
        send(client, "post", "/api/office/schedule/meetings", {**BOOK, "organiser_id": cast.gm.pk}),
        403,
    )
    assert Meeting.objects.count() == 0


def test_slots_give_each_persons_local_time(client, cast):
    book(organiser=cast.employee, start=at(2, 9), minutes=120)  # busy 09:00-11:00
    client.force_login(cast.head)
    response = client.get(
        f"/api/office/schedule/slots?with={cast.employee.pk}&minutes=60&from=2026-03-02&days=1&limit=2"
    )
    assert response.status_code == 200
    slots = response.json()
    assert [s["start"] for s in slots] == ["2026-03-02T03:00:00Z", "2026-03-02T03:30:00Z"]
    assert [p["start"] for p in slots[0]["local"]] == ["2026-03-02T11:00:00+08:00"] * 2


def test_slots_with_bad_input_are_422(client, cast):
    client.force_login(cast.head)
    assert_problem(client.get("/api/office/schedule/slots?with=abc"), 422)
    assert_problem(client.get("/api/office/schedule/slots?with=999999"), 422)
    assert_problem(client.get(f"/api/office/schedule/slots?with={cast.employee.pk}&days=40"), 422)


def test_uploading_listing_and_deleting_a_calendar(client, cast):
    client.force_login(cast.employee)
    upload = SimpleUploadedFile("outlook.ics", (ICS / "outlook.ics").read_bytes(), "text/calendar")
    response = client.post("/api/office/schedule/calendars", {"file": upload})
    assert response.status_code == 201
    assert (response.json()["name"], response.json()["interval_count"]) == ("outlook.ics", 3)
    assert client.get("/api/office/schedule/calendars").json()["count"] == 1
    calendar_id = response.json()["id"]
    client.force_login(cast.outsider)
    assert_problem(client.delete(f"/api/office/schedule/calendars/{calendar_id}"), 404)
    assert BusyCalendar.objects.count() == 1
    client.force_login(cast.employee)
    assert client.delete(f"/api/office/schedule/calendars/{calendar_id}").status_code == 204
    assert BusyCalendar.objects.count() == 0


def test_a_bad_calendar_upload_is_422_with_the_line(client, cast):
    client.force_login(cast.employee)
    upload = SimpleUploadedFile("x.ics", b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    body = assert_problem(client.post("/api/office/schedule/calendars", {"file": upload}), 422)
    assert body["errors"] == [
        {
            "field": "file",
            "message": "x.ics cannot be imported: line 1: BEGIN:VCALENDAR is never closed "
            "(END:VCALENDAR missing)",
        }
    ]
    assert BusyCalendar.objects.count() == 0


def test_the_feed_token_is_made_anew_and_revoked(client, cast):
    book(organiser=cast.employee, title="1:1 with Hank")
    client.force_login(cast.employee)
    response = client.post("/api/office/schedule/feed-token")
    assert response.status_code == 201
    url = response.json()["url"]
    path = "/office/feed/" + url.split("/office/feed/")[1]
    client.logout()
    calendar = icalendar.Calendar.from_ical(client.get(path).content)
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == ["1:1 with Hank"]
    client.force_login(cast.employee)
    assert client.delete("/api/office/schedule/feed-token").status_code == 204
    client.logout()
    assert client.get(path).status_code == 404
    assert FeedToken.objects.filter(revoked_at__isnull=True).count() == 0
