"""Writes of the schedule: meetings (create, change, cancel, answer, minutes), imported busy
calendars, working hours and the feed's secret address. Keyword-only, one transaction each,
audited.

Who may do what, on top of the "office_schedule" policy (which lets everyone reach their own
meetings): the organiser, whoever arranged the meeting and the GM's office change it and write
its minutes; a participant answers the invitation and reads the minutes, nothing more. Only the
GM's office organises a meeting in someone else's name (the assistant books the GM's).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gmassist.core.choices import Action, AuditAction
from gmassist.core.models import User
from gmassist.core.permissions import ALL, Domain, acting_user, reach
from gmassist.core.services import audit_record
from gmassist.office.schedule import engine, ics, selectors
from gmassist.office.schedule.choices import MeetingStatus, ParticipantResponse, Repeat
from gmassist.office.schedule.models import (
    MAX_TITLE,
    BusyCalendar,
    BusyInterval,
    FeedToken,
    Meeting,
    MeetingParticipant,
    WorkingHours,
)

logger = logging.getLogger(__name__)

# the longest meeting: beyond a day it is an absence or a trip, not a meeting
MAX_MEETING = dt.timedelta(hours=24)
MAX_PARTICIPANTS = 200
FEED_PREFIX = "gmf_"


def _office(user) -> bool:
    """True for the GM's office: who reaches every meeting to change it."""
    return reach(user, Domain.OFFICE_SCHEDULE, Action.CHANGE) == ALL


def may_change(*, user, meeting: Meeting) -> bool:
    """May `user` change, cancel or write the minutes of `meeting`?"""
    if _office(user):
        return True
    if reach(user, Domain.OFFICE_SCHEDULE, Action.CHANGE) is None:
        return False
    return user.pk is not None and user.pk in (meeting.organiser_id, meeting.arranged_by_id)


def may_organise_for(*, user, organiser: User) -> bool:
    """May `user` book a meeting with `organiser` as its organiser?"""
    if reach(user, Domain.OFFICE_SCHEDULE, Action.CHANGE) is None:
        return False
    return organiser.pk == getattr(user, "pk", None) or _office(user)


def _valid_zone(name: str, errors: dict[str, str]) -> str:
    try:
        engine.zone_of(name)
    except engine.SlotError:
        errors["time_zone"] = _("Unknown time zone %(zone)s: use a name such as Europe/Berlin.") % {
            "zone": repr(name)
        }
    return name


@dataclass(frozen=True)
class MeetingFields:
    """What a meeting form or the API gives; checked by `_check`."""

    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    time_zone: str
    place: str = ""
    online_url: str = ""
    agenda: str = ""
    repeat: str = ""
    repeat_until: dt.date | None = None


def _check(fields: MeetingFields, participants: Sequence[User]) -> MeetingFields:
    errors: dict[str, str] = {}
    title = (fields.title or "").strip()
    if not title:
        errors["title"] = _("A meeting needs a title.")
    elif len(title) > MAX_TITLE:
        errors["title"] = _("At most %(n)s characters.") % {"n": MAX_TITLE}
    _valid_zone(fields.time_zone, errors)
    for name in ("starts_at", "ends_at"):
        value = getattr(fields, name)
        if not isinstance(value, dt.datetime) or value.tzinfo is None:
            errors[name] = _("Give a date and a time.")
    if not errors.keys() & {"starts_at", "ends_at"}:
        if fields.ends_at <= fields.starts_at:
            errors["ends_at"] = _("A meeting ends after it starts.")
        elif fields.ends_at - fields.starts_at > MAX_MEETING:
            errors["ends_at"] = _("A meeting lasts at most 24 hours.")
    if fields.repeat not in Repeat.values:
        errors["repeat"] = _("Choose how the meeting repeats.")
    elif not fields.repeat and fields.repeat_until is not None:
        errors["repeat_until"] = _("Only a repeating meeting has an end of repetition.")
    elif (
        fields.repeat
        and fields.repeat_until is not None
        and "starts_at" not in errors
        and "time_zone" not in errors
        and fields.repeat_until
        < fields.starts_at.astimezone(engine.zone_of(fields.time_zone)).date()
    ):
        errors["repeat_until"] = _("The repetition ends before the meeting starts.")
    if len(participants) > MAX_PARTICIPANTS:
        errors["participants"] = _("At most %(n)s participants.") % {"n": MAX_PARTICIPANTS}
    if any(not person.is_active for person in participants):
        errors["participants"] = _("Only people with an active login can be invited.")
    if errors:
        raise ValidationError(errors)
    return MeetingFields(
        title=title,
        starts_at=fields.starts_at,
        ends_at=fields.ends_at,
        time_zone=fields.time_zone,
        place=(fields.place or "").strip()[:200],
        online_url=(fields.online_url or "").strip(),
        agenda=(fields.agenda or "").strip(),
        repeat=fields.repeat,
        repeat_until=fields.repeat_until if fields.repeat else None,
    )


def _audit_changes(meeting: Meeting) -> dict:
    return {
        "title": meeting.title,
        "starts_at": meeting.starts_at.isoformat(),
        "ends_at": meeting.ends_at.isoformat(),
        "time_zone": meeting.time_zone,
        "repeat": meeting.repeat,
        "sequence": meeting.sequence,
        "participants": sorted(meeting.participants.values_list("user_id", flat=True)),
    }


def _set_participants(meeting: Meeting, participants: Iterable[User]) -> tuple[list[User], bool]:
    """Make the participants exactly `participants` (the organiser is never one: they are the
    organiser); returns the newly invited and whether anyone was removed."""
    wanted = {person.pk: person for person in participants if person.pk != meeting.organiser_id}
    current = set(meeting.participants.values_list("user_id", flat=True))
    removed = current - set(wanted)
    if removed:
        meeting.participants.filter(user_id__in=removed).delete()
    added = [wanted[pk] for pk in wanted if pk not in current]
    MeetingParticipant.objects.bulk_create(
        [MeetingParticipant(meeting=meeting, user=person) for person in added]
    )
    return added, bool(removed)


@transaction.atomic
def meeting_create(
    *,
    by,
    fields: MeetingFields,
    participants: Sequence[User] = (),
    organiser: User | None = None,
    send_invitations: bool = True,
) -> Meeting:
    """Book a meeting; `organiser` defaults to `by` (the GM's office may book for someone
    else, e.g. the assistant for the GM). The participants get an invitation by e-mail with
    the .ics attached (after the transaction commits)."""
    organiser = organiser or acting_user(by)
    if organiser is None:
        raise ValidationError({"organiser": _("Say who organises the meeting.")})
    if not may_organise_for(user=by, organiser=organiser):
        raise PermissionDenied(_("You may book meetings only as their organiser."))
    checked = _check(fields, participants)
    arranged_by = acting_user(by)
    meeting = Meeting.objects.create(
        organiser=organiser,
        arranged_by=arranged_by if arranged_by and arranged_by.pk != organiser.pk else None,
        **checked.__dict__,
    )
    added, _removed = _set_participants(meeting, participants)
    audit_record(
        actor=by, action=AuditAction.CREATE, target=meeting, changes=_audit_changes(meeting)
    )
    if send_invitations:
        _after_commit_invite(meeting, added, kind="invitation")
    return meeting


@transaction.atomic
def meeting_update(
    *, meeting: Meeting, by, fields: MeetingFields, participants: Sequence[User]
) -> Meeting:
    """Change a scheduled meeting (time, place, agenda, repetition, participants). Its
    revision (SEQUENCE) goes up, so calendars replace their copy; those still invited get the
    update, the newly invited an invitation."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if not may_change(user=by, meeting=meeting):
        raise PermissionDenied(_("Only the organiser and the GM's office change a meeting."))
    if meeting.is_cancelled:
        raise ValidationError(_("The meeting is cancelled; book a new one."))
    checked = _check(fields, participants)
    before = _audit_changes(meeting)
    for name, value in checked.__dict__.items():
        setattr(meeting, name, value)
    meeting.sequence += 1
    meeting.save()
    added, _removed = _set_participants(meeting, participants)
    after = _audit_changes(meeting)
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        target=meeting,
        changes={k: [before[k], after[k]] for k in after if before[k] != after[k]},
    )
    kept = [
        row.user for row in meeting.participants.select_related("user") if row.user not in added
    ]
    _after_commit_invite(meeting, kept, kind="update")
    _after_commit_invite(meeting, added, kind="invitation")
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, by, reason: str, notify: bool = True) -> Meeting:
    """Cancel a meeting with its reason: it stays, cancelled, so that every calendar that
    holds it (the feed, the invitations) removes it; the participants are told."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if not may_change(user=by, meeting=meeting):
        raise PermissionDenied(_("Only the organiser and the GM's office cancel a meeting."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the meeting is cancelled.")})
    if meeting.is_cancelled:
        raise ValidationError(_("The meeting is already cancelled."))
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancel_reason = reason
    meeting.sequence += 1
    meeting.save(update_fields=["status", "cancel_reason", "sequence", "updated_at"])
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        target=meeting,
        changes={"status": "cancelled", "reason": reason},
    )
    if notify:
        people = [row.user for row in meeting.participants.select_related("user")]
        _after_commit_invite(meeting, people, kind="cancellation")
    return meeting


@transaction.atomic
def meeting_set_minutes(*, meeting: Meeting, by, minutes: str) -> Meeting:
    """Write (or correct) the minutes of a meeting that has begun; the participants read them
    on the meeting's page."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if not may_change(user=by, meeting=meeting):
        raise PermissionDenied(_("Only the organiser and the GM's office write the minutes."))
    if meeting.starts_at > timezone.now():
        raise ValidationError({"minutes": _("Minutes are written once the meeting has begun.")})
    text = (minutes or "").strip()
    if not text:
        raise ValidationError({"minutes": _("Write the minutes.")})
    meeting.minutes = text
    meeting.minutes_by = acting_user(by)
    meeting.minutes_at = timezone.now()
    meeting.save(update_fields=["minutes", "minutes_by", "minutes_at", "updated_at"])
    audit_record(
        actor=by, action=AuditAction.UPDATE, target=meeting, changes={"minutes": len(text)}
    )
    return meeting


@transaction.atomic
def meeting_respond(*, meeting: Meeting, by: User, response: str) -> MeetingParticipant:
    """A participant accepts, tentatively accepts or declines."""
    if response not in ParticipantResponse.values or response == ParticipantResponse.NEEDS_ACTION:
        raise ValidationError({"response": _("Answer accepted, tentative or declined.")})
    row = (
        MeetingParticipant.objects.select_for_update()
        .filter(meeting=meeting, user_id=getattr(by, "pk", None))
        .first()
    )
    if row is None:
        raise PermissionDenied(_("Only the people invited answer an invitation."))
    if meeting.is_cancelled:
        raise ValidationError(_("The meeting is cancelled."))
    row.response = response
    row.responded_at = timezone.now()
    row.save(update_fields=["response", "responded_at"])
    audit_record(
        actor=by, action=AuditAction.UPDATE, target=meeting, changes={"response": response}
    )
    return row


# --- invitations -----------------------------------------------------------------------------


def meeting_ics(meeting: Meeting, *, method: str = "REQUEST") -> bytes:
    """The meeting as an .ics file for an e-mail (METHOD:REQUEST, or CANCEL)."""
    from gmassist.office.schedule.feeds import meeting_entry

    calendar = ics.feed_calendar(
        [meeting_entry(meeting)],
        name=meeting.title,
        stamp=timezone.now(),
        base_url=settings.SITE_URL,
    )
    calendar["METHOD"] = method
    return calendar.to_ical()


def _after_commit_invite(meeting: Meeting, people: Sequence[User], *, kind: str) -> None:
    if not people:
        return
    ids = [person.pk for person in people]
    transaction.on_commit(lambda: _send_invitations(meeting.pk, ids, kind))


def _send_invitations(meeting_id: int, user_ids: list[int], kind: str) -> int:
    """E-mail each person in their language, with the meeting as an .ics attachment."""
    from django.core.mail import get_connection

    from gmassist.core.notify import recipient_for_user, render_message, site_url

    meeting = Meeting.objects.select_related("organiser", "organiser__employee").get(pk=meeting_id)
    method = "CANCEL" if kind == "cancellation" else "REQUEST"
    attachment = meeting_ics(meeting, method=method)
    url = site_url(reverse("office:schedule_meeting", args=[meeting.pk]))
    messages = []
    for person in User.objects.filter(pk__in=user_ids).select_related("employee"):
        recipient = recipient_for_user(person)
        if recipient is None:
            continue
        zone = engine.zone_of(selectors.zone_of_user(user=person))
        message = render_message(
            recipient=recipient,
            template=f"office/schedule/email/{kind}",
            context={
                "meeting": meeting,
                "url": url,
                "local_start": meeting.starts_at.astimezone(zone),
                "local_end": meeting.ends_at.astimezone(zone),
                "zone": str(zone),
            },
        )
        message.attach("invite.ics", attachment, f"text/calendar; method={method}; charset=utf-8")
        messages.append(message)
    if not messages:
        return 0
    try:
        return get_connection().send_messages(messages) or 0
    except OSError:  # the meeting is booked; a mail server that is down must not undo it
        logger.exception("meeting %s: the %s e-mails could not be sent", meeting_id, kind)
        return 0


# --- imported calendars ----------------------------------------------------------------------


def _may_manage_for(by, person: User) -> bool:
    return getattr(by, "pk", None) == person.pk or _office(by)


@transaction.atomic
def calendar_import(*, person: User, by, name: str, data: bytes) -> BusyCalendar:
    """Import an .ics file as `person`'s busy times for the next GMASSIST_SCHEDULE_BUSY_WINDOW_DAYS
    days: only when they are busy is kept. A file of the same name replaces the earlier
    import (importing it again changes nothing but the window). A file that cannot be read is
    a ValidationError on `file` saying which line and what, and nothing is stored."""
    if not _may_manage_for(by, person):
        raise PermissionDenied(_("You may import only your own calendars."))
    name = (name or "").strip()[:200] or "calendar.ics"
    now = timezone.now()
    window_start = now.replace(hour=0, minute=0, second=0, microsecond=0) - dt.timedelta(days=1)
    window_end = window_start + dt.timedelta(days=settings.SCHEDULE_BUSY_WINDOW_DAYS + 1)
    zone = selectors.zone_of_user(user=person)
    addresses = [
        a
        for a in (person.email, getattr(person.employee, "email", "") if person.employee_id else "")
        if a
    ]
    try:
        intervals = ics.busy_intervals(
            data,
            window_start=window_start,
            window_end=window_end,
            zone=zone,
            own_addresses=addresses,
        )
    except ics.IcsError as exc:
        raise ValidationError(
            {"file": _("%(name)s cannot be imported: %(why)s") % {"name": name, "why": exc}}
        ) from None
    BusyCalendar.objects.filter(user=person, name=name).delete()
    calendar = BusyCalendar.objects.create(
        user=person,
        name=name,
        imported_at=now,
        window_start=window_start,
        window_end=window_end,
        interval_count=len(intervals),
    )
    BusyInterval.objects.bulk_create(
        [BusyInterval(calendar=calendar, starts_at=i.start, ends_at=i.end) for i in intervals],
        batch_size=2000,
    )
    audit_record(
        actor=by,
        action=AuditAction.IMPORT,
        target=calendar,
        changes={"person": person.pk, "busy_periods": len(intervals)},
    )
    return calendar


@transaction.atomic
def calendar_delete(*, calendar: BusyCalendar, by) -> None:
    """Delete an imported calendar and its busy times."""
    if not _may_manage_for(by, calendar.user):
        raise PermissionDenied(_("You may delete only your own calendars."))
    audit_record(actor=by, action=AuditAction.DELETE, target=calendar)
    calendar.delete()


@transaction.atomic
def working_hours_set(
    *,
    person: User,
    by,
    time_zone: str,
    day_start: dt.time,
    day_end: dt.time,
    weekdays: Iterable[int],
) -> WorkingHours:
    """Set when `person` works, in their time zone (the slot finder proposes only those
    hours; their pages show times in that zone)."""
    if not _may_manage_for(by, person):
        raise PermissionDenied(_("You may set only your own working hours."))
    errors: dict[str, str] = {}
    _valid_zone(time_zone, errors)
    days = sorted({int(d) for d in weekdays})
    if not days or any(d < 0 or d > 6 for d in days):
        errors["weekdays"] = _("Choose at least one working day.")
    if day_end <= day_start:
        errors["day_end"] = _("The working day ends after it starts.")
    if errors:
        raise ValidationError(errors)
    row, _created = WorkingHours.objects.update_or_create(
        user=person,
        defaults={
            "time_zone": time_zone,
            "day_start": day_start,
            "day_end": day_end,
            "weekdays": days,
        },
    )
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        target=row,
        changes={
            "time_zone": time_zone,
            "hours": f"{day_start:%H:%M}-{day_end:%H:%M}",
            "weekdays": days,
        },
    )
    return row


# --- the feed's address ----------------------------------------------------------------------


def feed_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def feed_token_create(*, user: User, by) -> tuple[FeedToken, str]:
    """A new secret feed address for `user` (any earlier one stops working); returns the
    token and its secret, which is shown this once."""
    if getattr(by, "pk", None) != user.pk:
        raise PermissionDenied(_("Each person makes their own feed address."))
    now = timezone.now()
    FeedToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=now, updated_at=now
    )
    secret = FEED_PREFIX + secrets.token_urlsafe(32)
    token = FeedToken.objects.create(user=user, digest=feed_digest(secret), prefix=secret[:10])
    audit_record(actor=by, action=AuditAction.CREATE, target=token)
    return token, secret


@transaction.atomic
def feed_token_revoke(*, user: User, by) -> int:
    """Stop `user`'s feed address; returns how many were active (0 or 1)."""
    if getattr(by, "pk", None) != user.pk:
        raise PermissionDenied(_("Each person revokes their own feed address."))
    now = timezone.now()
    tokens = list(FeedToken.objects.filter(user=user, revoked_at__isnull=True))
    for token in tokens:
        token.revoked_at = now
        token.save(update_fields=["revoked_at", "updated_at"])
        audit_record(actor=by, action=AuditAction.DELETE, target=token)
    return len(tokens)


def feed_user(*, secret: str) -> User | None:
    """The active user whose active feed address `secret` is, or None. Notes when it was last
    read, at most once an hour (calendars poll every few minutes to hours)."""
    if not secret.startswith(FEED_PREFIX) or len(secret) > 100:
        return None
    token = (
        FeedToken.objects.filter(
            digest=feed_digest(secret), revoked_at__isnull=True, user__is_active=True
        )
        .select_related("user", "user__employee")
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(hours=1):
        FeedToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
