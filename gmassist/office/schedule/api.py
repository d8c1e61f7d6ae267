"""The schedule endpoints of the REST API, under /api/office/schedule: meetings (list, read,
book, change, cancel, answer, minutes), slots, imported calendars (upload, list, delete) and
the feed address (make anew, revoke). Their shapes are in schemas.py."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Query, Router
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from gmassist.api import (
    MappedRows,
    ObjectId,
    PageNumberPagination,
    problems,
    request_user,
    visible_or_404,
)
from gmassist.core.models import User
from gmassist.office.schedule import engine, presenters, selectors, services
from gmassist.office.schedule.ics import MAX_ICS_BYTES
from gmassist.office.schedule.models import Meeting
from gmassist.office.schedule.schemas import (
    AnswerIn,
    CalendarOut,
    CancelIn,
    FeedTokenOut,
    MeetingFilters,
    MeetingIn,
    MeetingOut,
    MinutesIn,
    ParticipantOut,
    SlotFilters,
    SlotOut,
)

router = Router(tags=["schedule"])
WRITE_PROBLEMS = problems(400, 403, 404, 409)


def _person(user) -> dict | None:
    return None if user is None else {"id": user.pk, "name": str(user)}


def meeting_out(meeting: Meeting) -> dict:
    from icalendar import vRecur

    rule = engine.repeat_rule(
        meeting.repeat, local_start=meeting.local_start, until=meeting.repeat_until
    )
    return {
        "id": meeting.pk,
        "title": meeting.title,
        "starts_at": meeting.starts_at.astimezone(dt.UTC),
        "ends_at": meeting.ends_at.astimezone(dt.UTC),
        "time_zone": meeting.time_zone,
        "place": meeting.place,
        "online_url": meeting.online_url,
        "organiser": _person(meeting.organiser),
        "arranged_by": _person(meeting.arranged_by),
        "agenda": meeting.agenda,
        "minutes": meeting.minutes,
        "repeat": meeting.repeat,
        "repeat_until": meeting.repeat_until,
        "rrule": vRecur(rule).to_ical().decode() if rule else "",
        "status": meeting.status,
        "cancel_reason": meeting.cancel_reason,
        "sequence": meeting.sequence,
        "participants": [
            ParticipantOut(user=_person(row.user), response=row.response)
            for row in selectors.meeting_participants(meeting=meeting)
        ],
    }


def _people(ids: list[int], *, field: str) -> list[User]:
    people = list(selectors.invitable_people().filter(pk__in=ids))
    missing = sorted(set(ids) - {p.pk for p in people})
    if missing:
        raise ValidationError(
            {field: _("No active user with id %(ids)s.") % {"ids": ", ".join(map(str, missing))}}
        )
    return people


def _fields(payload: MeetingIn) -> services.MeetingFields:
    return services.MeetingFields(
        title=payload.title,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        time_zone=payload.time_zone,
        place=payload.place,
        online_url=payload.online_url,
        agenda=payload.agenda,
        repeat=payload.repeat,
        repeat_until=payload.repeat_until,
    )


@router.get("/office/schedule/meetings", response={200: list[MeetingOut], **problems()})
@paginate(PageNumberPagination)
def meeting_list(request: HttpRequest, filters: Query[MeetingFilters]):
    """The meetings you may see (you organise, arranged or are invited to; all of them for the
    GM's office), soonest first; `start`/`end` keep those with an occurrence in the days."""
    meetings = selectors.meetings_visible(user=request_user(request))
    if filters.end is not None:
        meetings = meetings.filter(starts_at__date__lt=filters.end)
    if filters.start is not None:
        from django.db.models import Q

        meetings = meetings.filter(
            Q(ends_at__date__gte=filters.start)
            | (~Q(repeat="") & (Q(repeat_until__isnull=True) | Q(repeat_until__gte=filters.start)))
        )
    return MappedRows(meetings.order_by("starts_at", "id"), meeting_out)


@router.get("/office/schedule/meetings/{meeting_id}", response={200: MeetingOut, **problems(404)})
def meeting_read(request: HttpRequest, meeting_id: ObjectId):
    return meeting_out(
        visible_or_404(selectors.meetings_visible(user=request_user(request)), meeting_id)
    )


@router.post("/office/schedule/meetings", response={201: MeetingOut, **WRITE_PROBLEMS})
def meeting_book(request: HttpRequest, payload: MeetingIn):
    """Book a meeting and invite the participants by e-mail (with the .ics). The GM's office
    may book it in someone else's name (`organiser_id`)."""
    user = request_user(request)
    organiser = (
        _people([payload.organiser_id], field="organiser_id")[0] if payload.organiser_id else None
    )
    meeting = services.meeting_create(
        by=user,
        fields=_fields(payload),
        participants=_people(payload.participant_ids, field="participant_ids"),
        organiser=organiser,
    )
    return Status(201, meeting_out(meeting))


@router.put("/office/schedule/meetings/{meeting_id}", response={200: MeetingOut, **WRITE_PROBLEMS})
def meeting_change(request: HttpRequest, meeting_id: ObjectId, payload: MeetingIn):
    """Change a meeting you organise or arranged (the whole meeting is sent); its `sequence`
    goes up and the participants are told."""
    user = request_user(request)
    meeting = visible_or_404(selectors.meetings_visible(user=user), meeting_id)
    meeting = services.meeting_update(
        meeting=meeting,
        by=user,
        fields=_fields(payload),
        participants=_people(payload.participant_ids, field="participant_ids"),
    )
    return meeting_out(meeting)


@router.post(
    "/office/schedule/meetings/{meeting_id}/cancel", response={200: MeetingOut, **WRITE_PROBLEMS}
)
def meeting_call_off(request: HttpRequest, meeting_id: ObjectId, payload: CancelIn):
    """Cancel a meeting with the reason; it stays, cancelled, so that calendars remove it."""
    user = request_user(request)
    meeting = visible_or_404(selectors.meetings_visible(user=user), meeting_id)
    return meeting_out(services.meeting_cancel(meeting=meeting, by=user, reason=payload.reason))


@router.post(
    "/office/schedule/meetings/{meeting_id}/answer", response={200: MeetingOut, **WRITE_PROBLEMS}
)
def meeting_answer(request: HttpRequest, meeting_id: ObjectId, payload: AnswerIn):
    """Accept, tentatively accept or decline a meeting you are invited to."""
    user = request_user(request)
    meeting = visible_or_404(selectors.meetings_visible(user=user), meeting_id)
    services.meeting_respond(meeting=meeting, by=user, response=payload.response)
    return meeting_out(meeting)


@router.post(
    "/office/schedule/meetings/{meeting_id}/minutes", response={200: MeetingOut, **WRITE_PROBLEMS}
)
def meeting_write_minutes(request: HttpRequest, meeting_id: ObjectId, payload: MinutesIn):
    """Write the minutes of a meeting that has begun (its organiser, who arranged it, the GM's
    office)."""
    user = request_user(request)
    meeting = visible_or_404(selectors.meetings_visible(user=user), meeting_id)
    return meeting_out(
        services.meeting_set_minutes(meeting=meeting, by=user, minutes=payload.minutes)
    )


@router.get("/office/schedule/slots", response={200: list[SlotOut], **problems()})
def slot_search(request: HttpRequest, filters: Query[SlotFilters]):
    """The first free slots for you and the people `with` (user ids) of `minutes` minutes in
    the `days` days from `from`, inside everyone's working hours (each in their own zone) and
    outside their busy times; UTC with each person's local times."""
    user = request_user(request)
    people = _people([int(v) for v in filters.with_ids.split(",")], field="with")
    zone = engine.zone_of(selectors.zone_of_user(user=user))
    try:
        search = selectors.slots_for(
            user=user,
            people=people,
            minutes=filters.minutes,
            first_day=filters.start or timezone.now().astimezone(zone).date(),
            days=filters.days,
            now=timezone.now(),
            limit=filters.limit,
            include_self=filters.include_me,
        )
    except engine.SlotError as exc:
        raise ValidationError({"with": str(exc)}) from None
    return presenters.slots_out(slots=search.slots, people=search.people, hours=search.hours)


@router.get("/office/schedule/calendars", response={200: list[CalendarOut], **problems()})
@paginate(PageNumberPagination)
def calendar_list(request: HttpRequest):
    """The calendars you imported (busy times only)."""
    user = request_user(request)
    return selectors.calendars_of(user=user, person=user)


@router.post("/office/schedule/calendars", response={201: CalendarOut, **problems(400, 403, 413)})
def calendar_upload(request: HttpRequest, file: File[UploadedFile]):
    """Import an .ics file as your busy times for the next GMASSIST_SCHEDULE_BUSY_WINDOW_DAYS
    days (only when you are busy is kept); a file of the same name replaces the earlier one.
    A file that cannot be read is a 422 naming the line and what is wrong; nothing is kept."""
    user = request_user(request)
    if file.size is not None and file.size > MAX_ICS_BYTES:
        raise HttpError(
            413, _("The file is larger than %(mb)s MB.") % {"mb": MAX_ICS_BYTES // (1024 * 1024)}
        )
    calendar = services.calendar_import(
        person=user, by=user, name=file.name or "", data=file.read()
    )
    return Status(201, calendar)


@router.delete("/office/schedule/calendars/{calendar_id}", response={204: None, **problems(404)})
def calendar_remove(request: HttpRequest, calendar_id: ObjectId):
    user = request_user(request)
    calendar = visible_or_404(selectors.calendars_of(user=user, person=user), calendar_id)
    services.calendar_delete(calendar=calendar, by=user)
    return Status(204, None)


@router.post("/office/schedule/feed-token", response={201: FeedTokenOut, **problems(403)})
def feed_token_regenerate(request: HttpRequest):
    """Make a new secret address of your iCalendar feed (any earlier one stops working); the
    address is in this answer only."""
    user = request_user(request)
    token, secret = services.feed_token_create(user=user, by=user)
    url = settings.SITE_URL.rstrip("/") + reverse("office:feed", args=[secret])
    return Status(201, {"url": url, "prefix": token.prefix, "created_at": token.created_at})


@router.delete("/office/schedule/feed-token", response={204: None, **problems(403)})
def feed_token_remove(request: HttpRequest):
    """Revoke your feed address: calendars subscribed to it get a 404 from now on."""
    user = request_user(request)
    services.feed_token_revoke(user=user, by=user)
    return Status(204, None)
