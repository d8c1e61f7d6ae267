"""The schedule's own sources of a person's iCalendar feed (their meetings, the deadlines of the
decisions they must acknowledge) and the feed itself, built from every registered source.

A meeting is one VEVENT (a repeating one with its RRULE, in the organiser's zone so that it
keeps its local time across daylight-saving changes); a cancelled meeting stays in the feed for
a month as STATUS:CANCELLED so that subscribed calendars remove it.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gmassist.core.choices import Action
from gmassist.office.schedule import engine, ics
from gmassist.office.schedule.choices import PARTSTAT, MeetingStatus, ParticipantResponse
from gmassist.office.schedule.feed_sources import (
    FeedEntry,
    FeedPerson,
    FeedSource,
    register_feed_source,
    registered_feed_sources,
)
from gmassist.office.schedule.models import Meeting

# meetings that ended longer ago than this leave the feed (calendars keep their copy)
FEED_PAST = dt.timedelta(days=180)
# a cancelled meeting stays this long as CANCELLED, so that calendars remove it
CANCELLED_KEPT = dt.timedelta(days=30)


def _person(user, status: str = "NEEDS-ACTION") -> FeedPerson:
    email = user.email or (user.employee.email if user.employee_id and user.employee else "")
    return FeedPerson(name=str(user), email=email or "", status=status)


def meeting_entry(meeting: Meeting) -> FeedEntry:
    """A meeting as a feed entry (UID, times in its zone, RRULE, SEQUENCE, STATUS,
    ORGANIZER, ATTENDEEs)."""
    zone = meeting.zone
    local_start = meeting.starts_at.astimezone(zone)
    rule = engine.repeat_rule(meeting.repeat, local_start=local_start, until=meeting.repeat_until)
    attendees = tuple(
        _person(row.user, PARTSTAT[row.response])
        for row in meeting.participants.select_related("user", "user__employee").order_by("id")
    )
    description = meeting.agenda
    if meeting.online_url:
        description = f"{meeting.online_url}\n\n{description}".strip()
    return FeedEntry(
        uid=f"meeting-{meeting.pk}@gmassist",
        summary=meeting.title,
        start=local_start,
        end=meeting.ends_at.astimezone(zone),
        description=description,
        location=meeting.place or meeting.online_url,
        url=reverse("office:schedule_meeting", args=[meeting.pk]),
        rrule=rule,
        sequence=meeting.sequence,
        cancelled=meeting.is_cancelled,
        organizer=_person(meeting.organiser),
        attendees=attendees,
    )


def meeting_entries(user) -> list[FeedEntry]:
    """The meetings `user` organises or attends (not those they declined), recent and
    coming, and those cancelled in the last month."""
    now = timezone.now()
    meetings = (
        Meeting.objects.restrict(user, Action.VIEW)
        .filter(Q(organiser=user) | Q(participants__user=user))
        .exclude(participants__user=user, participants__response=ParticipantResponse.DECLINED)
        .filter(
            Q(ends_at__gte=now - FEED_PAST)
            | (
                ~Q(repeat="")
                & (Q(repeat_until__isnull=True) | Q(repeat_until__gte=(now - FEED_PAST).date()))
            )
        )
        .exclude(status=MeetingStatus.CANCELLED, updated_at__lt=now - CANCELLED_KEPT)
        .distinct()
        .select_related("organiser", "organiser__employee")
    )
    return [meeting_entry(meeting) for meeting in meetings]


def decision_entries(user) -> list[FeedEntry]:
    """The decisions `user` must still acknowledge, on their effective date (the day by which
    the register asks for the acknowledgement), as all-day entries."""
    from gmassist.decisions.choices import LIVE_STATUSES
    from gmassist.decisions.models import Acknowledgement

    if not getattr(user, "employee_id", None):
        return []
    rows = (
        Acknowledgement.objects.restrict(user, Action.VIEW)
        .filter(
            employee_id=user.employee_id,
            acknowledged_at__isnull=True,
            decision__status__in=LIVE_STATUSES,
        )
        .select_related("decision")
    )
    out = []
    for row in rows:
        decision = row.decision
        out.append(
            FeedEntry(
                uid=f"decision-{decision.pk}-acknowledge@gmassist",
                summary=_("Acknowledge: %(title)s") % {"title": decision.title},
                start=decision.effective_date,
                end=decision.effective_date + dt.timedelta(days=1),
                description=decision.summary,
                url=reverse("decisions:detail", args=[decision.pk]),
                sequence=decision.version,
            )
        )
    return out


register_feed_source(FeedSource(key="office.schedule.meetings", entries=meeting_entries))
register_feed_source(FeedSource(key="decisions.acknowledgements", entries=decision_entries))


def feed_for(user) -> bytes:
    """`user`'s whole feed as .ics bytes: every registered source's entries, in the user's
    language (the summaries the sources translate)."""
    entries: list[FeedEntry] = []
    for source in registered_feed_sources():
        entries.extend(source.entries(user))
    calendar = ics.feed_calendar(
        entries,
        name=_("%(name)s · GM Assistant") % {"name": str(user)},
        stamp=timezone.now(),
        base_url=settings.SITE_URL,
    )
    return calendar.to_ical()
