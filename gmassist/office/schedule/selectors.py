"""Reads of the schedule, scoped to the requesting user through `restrict`.

Free/busy is the one read that is not scoped to the reader: to find a slot, whoever arranges a
meeting learns *when* the people they invite are busy, never *what* they do (imported calendars
keep no titles; a meeting the reader may not see counts only as a busy time), as every
company calendar's scheduling assistant does.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet

from gmassist.core.choices import Action, Role
from gmassist.core.models import User
from gmassist.core.permissions import ALL, Domain, reach
from gmassist.office.schedule import engine
from gmassist.office.schedule.choices import MeetingStatus, ParticipantResponse
from gmassist.office.schedule.models import (
    BusyCalendar,
    BusyInterval,
    FeedToken,
    Meeting,
    MeetingParticipant,
    WorkingHours,
)


def company_zone() -> str:
    """The company's time zone (TIME_ZONE): the default of everyone's working hours."""
    return settings.TIME_ZONE


def meetings_visible(*, user, action: str = Action.VIEW) -> QuerySet[Meeting]:
    """The meetings `user` may see (or do `action` to): those they organise, arranged or are
    invited to; every meeting for the GM's office. One row per meeting."""
    return (
        Meeting.objects.restrict(user, action)
        .distinct()
        .select_related("organiser", "organiser__employee", "arranged_by")
    )


def meeting_participants(*, meeting: Meeting) -> list[MeetingParticipant]:
    """The participants of a meeting the caller already found visible, by name."""
    rows = meeting.participants.select_related("user", "user__employee")
    return sorted(rows, key=lambda row: str(row.user).lower())


@dataclass(frozen=True)
class Occurrence:
    """One occurrence of a meeting (a repeating meeting has many), in UTC."""

    meeting: Meeting
    start: dt.datetime
    end: dt.datetime

    @property
    def key(self) -> str:
        return f"{self.meeting.pk}:{self.start:%Y%m%dT%H%M}"


def _meetings_in(queryset: QuerySet[Meeting], window: engine.Interval) -> list[Occurrence]:
    candidates = queryset.filter(starts_at__lt=window.end).filter(
        Q(repeat="", ends_at__gt=window.start)
        | (
            ~Q(repeat="")
            & (
                Q(repeat_until__isnull=True)
                | Q(repeat_until__gte=(window.start - dt.timedelta(days=1)).date())
            )
        )
    )
    out: list[Occurrence] = []
    for meeting in candidates:
        for interval in engine.occurrences(
            start=meeting.starts_at,
            end=meeting.ends_at,
            zone=meeting.time_zone,
            repeat=meeting.repeat,
            until=meeting.repeat_until,
            window=window,
        ):
            out.append(Occurrence(meeting, interval.start, interval.end))
    out.sort(key=lambda o: (o.start, o.meeting.pk))
    return out


def meetings_of(
    *, user, person: User, window: engine.Interval, include_cancelled: bool = True
) -> list[Occurrence]:
    """The occurrences in `window` of the meetings `person` organises or is invited to, as
    far as `user` may see them, oldest first."""
    queryset = meetings_visible(user=user).filter(
        Q(organiser=person) | Q(participants__user=person)
    )
    if not include_cancelled:
        queryset = queryset.exclude(status=MeetingStatus.CANCELLED)
    return _meetings_in(queryset, window)


def busy_of(*, user, person: User, window: engine.Interval) -> list[engine.Interval]:
    """The busy times of `person`'s imported calendars in `window`, as far as `user` may see
    them (their own; everyone's for the GM's office)."""
    rows = (
        BusyInterval.objects.restrict(user, Action.VIEW)
        .filter(calendar__user=person, starts_at__lt=window.end, ends_at__gt=window.start)
        .values_list("starts_at", "ends_at")
    )
    return engine.merge(engine.Interval(start, end) for start, end in rows)


def free_busy(
    *, people: Iterable[User], window: engine.Interval
) -> dict[int, list[engine.Interval]]:
    """Person id -> when they are busy in `window` (UTC, merged): their imported calendars and
    the scheduled meetings they organise or attend and have not declined. Unscoped by design
    (see the module doc): it gives times only."""
    ids = [person.pk for person in people]
    busy: dict[int, list[engine.Interval]] = defaultdict(list)
    rows = BusyInterval.objects.filter(
        calendar__user_id__in=ids, starts_at__lt=window.end, ends_at__gt=window.start
    ).values_list("calendar__user_id", "starts_at", "ends_at")
    for user_id, start, end in rows:
        busy[user_id].append(engine.Interval(start, end))
    declined = MeetingParticipant.objects.filter(
        user_id__in=ids, response=ParticipantResponse.DECLINED
    ).values_list("meeting_id", "user_id")
    declined_pairs = set(declined)
    attended = MeetingParticipant.objects.filter(user_id__in=ids).values_list(
        "meeting_id", "user_id"
    )
    who: dict[int, set[int]] = defaultdict(set)
    for meeting_id, user_id in attended:
        if (meeting_id, user_id) not in declined_pairs:
            who[meeting_id].add(user_id)
    meetings = Meeting.objects.filter(status=MeetingStatus.SCHEDULED).filter(
        Q(organiser_id__in=ids) | Q(pk__in=list(who))
    )
    for occurrence in _meetings_in(meetings, window):
        people_in = set(who.get(occurrence.meeting.pk, set()))
        if occurrence.meeting.organiser_id in ids:
            people_in.add(occurrence.meeting.organiser_id)
        for user_id in people_in:
            busy[user_id].append(engine.Interval(occurrence.start, occurrence.end))
    return {user_id: engine.merge(busy.get(user_id, [])) for user_id in ids}


def working_hours_of(*, people: Iterable[User]) -> dict[int, engine.WorkingHours]:
    """Person id -> their working hours (the default, 09:00-18:00 Monday to Friday in the
    company's zone, for those who set none). Times only: unscoped, like free/busy."""
    people = list(people)
    rows = {row.user_id: row for row in WorkingHours.objects.filter(user__in=people)}
    out = {}
    for person in people:
        row = rows.get(person.pk)
        out[person.pk] = (
            engine.WorkingHours(
                row.time_zone, row.day_start, row.day_end, frozenset(int(d) for d in row.weekdays)
            )
            if row
            else engine.WorkingHours(company_zone())
        )
    return out


def own_working_hours(*, user: User) -> WorkingHours | None:
    return WorkingHours.objects.restrict(user, Action.VIEW).filter(user=user).first()


def zone_of_user(*, user) -> str:
    """The time zone a person's pages are shown in: their working hours' zone, else the
    company's."""
    if getattr(user, "pk", None) is None:
        return company_zone()
    row = WorkingHours.objects.filter(user_id=user.pk).values_list("time_zone", flat=True).first()
    return row or company_zone()


def calendars_of(*, user, person: User) -> QuerySet[BusyCalendar]:
    """The calendars `person` imported, as far as `user` may see them."""
    return BusyCalendar.objects.restrict(user, Action.VIEW).filter(user=person)


def active_feed_token(*, user: User) -> FeedToken | None:
    """The user's own active feed address, if any."""
    return (
        FeedToken.objects.restrict(user, Action.VIEW)
        .filter(user=user, revoked_at__isnull=True)
        .first()
    )


def schedule_people(*, user) -> list[User]:
    """Whose week `user` may open on the schedule page: their own, and for the GM's office
    (who see every meeting) the GM's and the assistant's."""
    people: list[User] = [user] if getattr(user, "pk", None) else []
    if reach(user, Domain.OFFICE_SCHEDULE, Action.VIEW) == ALL:
        others = User.objects.filter(
            is_active=True, role__in=[Role.GM, Role.ASSISTANT]
        ).select_related("employee")
        people += [other for other in others.order_by("role", "id") if other.pk != user.pk]
    return people


def invitable_people() -> QuerySet[User]:
    """Everyone who may be invited: the active logins, by name."""
    return (
        User.objects.filter(is_active=True)
        .select_related("employee")
        .order_by("employee__full_name", "username")
    )


@dataclass(frozen=True)
class SlotSearch:
    """The outcome of a slot search: who (the searcher first), their hours, the slots."""

    people: list[User]
    hours: dict[int, engine.WorkingHours]
    slots: list[engine.Slot]
    window: engine.Interval


def slots_for(
    *,
    user,
    people: Iterable[User],
    minutes: int,
    first_day: dt.date,
    days: int,
    now: dt.datetime,
    limit: int = 8,
    include_self: bool = True,
) -> SlotSearch:
    """The first `limit` slots of `minutes` minutes for `user` (when they are a person) and
    `people` (`include_self` False: `people` only, e.g. the assistant finding a time for the
    GM), from `first_day` (in `user`'s zone; never before `now`) for `days` days, inside
    everyone's working hours and outside everyone's busy times. Raises engine.SlotError on a
    search it cannot run."""
    everyone: list[User] = []
    searcher = [user] if include_self and getattr(user, "pk", None) else []
    for person in searcher + list(people):
        if person.pk not in {p.pk for p in everyone}:
            everyone.append(person)
    if not everyone:
        raise engine.SlotError("choose at least one participant")
    if not 1 <= days <= 31:
        raise engine.SlotError(f"search 1 to 31 days, not {days}")
    whole = _days_window(first_day, days, zone_of_user(user=user))
    hours = working_hours_of(people=everyone)
    if now >= whole.end:
        return SlotSearch(everyone, hours, [], whole)
    window = engine.Interval(max(whole.start, now), whole.end)
    busy = free_busy(people=everyone, window=window)
    participants = [
        engine.Participant(person.pk, hours[person.pk], busy.get(person.pk, []))
        for person in everyone
    ]
    granularity = dt.timedelta(minutes=30 if minutes % 30 == 0 else 15)
    slots = engine.find_slots(
        participants=participants,
        duration=dt.timedelta(minutes=minutes),
        window_start=window.start,
        window_end=window.end,
        granularity=granularity,
        limit=limit,
    )
    return SlotSearch(everyone, hours, slots, window)


def _days_window(first_day: dt.date, days: int, zone: str) -> engine.Interval:
    tz = engine.zone_of(zone)
    return engine.Interval(
        dt.datetime.combine(first_day, dt.time(0), tzinfo=tz),
        dt.datetime.combine(first_day + dt.timedelta(days=days), dt.time(0), tzinfo=tz),
    )
