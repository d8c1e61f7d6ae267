"""The schedule's tables: meetings and their participants, imported busy calendars (busy times
only), working hours and the secret of each person's iCalendar feed.

The models belong to the office app (label `office`, tables `office_*`):
`gmassist/office/models.py` imports them.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gmassist.core.models import BaseModel
from gmassist.core.permissions import Domain, RestrictedQuerySet, Scope
from gmassist.office.schedule.choices import MeetingStatus, ParticipantResponse, Repeat

MAX_TITLE = 200


class Meeting(BaseModel):
    """A meeting: when (aware, in the organiser's zone), where, who, the agenda and, later, the
    minutes. A repeating meeting is one row with its rule (`repeat`, `repeat_until`): its
    occurrences keep the wall-clock time of `time_zone` across daylight-saving changes."""

    title = models.CharField(_("title"), max_length=MAX_TITLE)
    starts_at = models.DateTimeField(_("starts"), db_index=True)
    ends_at = models.DateTimeField(_("ends"))
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        help_text=_("The organiser's time zone: the meeting keeps its local time in it."),
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_url = models.URLField(_("online link"), max_length=500, blank=True)
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("organiser"),
        on_delete=models.PROTECT,
        related_name="meetings_organised",
    )
    # who booked it, when not the organiser (the assistant arranges the GM's meetings)
    arranged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("arranged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meetings_arranged",
    )
    agenda = models.TextField(_("agenda"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    minutes_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("minutes by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    minutes_at = models.DateTimeField(_("minutes written"), null=True, blank=True)
    repeat = models.CharField(
        _("repeats"), max_length=12, choices=Repeat.choices, default=Repeat.NONE, blank=True
    )
    repeat_until = models.DateField(_("repeats until"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    # raised by every change that calendars must take over (RFC 5545 SEQUENCE)
    sequence = models.PositiveIntegerField(_("revision"), default=0)

    objects = RestrictedQuerySet.as_manager()
    # the organiser, who arranged it and every participant see it; the GM's office all
    restrict_scope = Scope(
        domain=Domain.OFFICE_SCHEDULE,
        user=("organiser", "arranged_by", "participants__user"),
    )

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="office_meeting_ends_after_start",
                violation_error_message=_("A meeting ends after it starts."),
            ),
            models.CheckConstraint(
                condition=~Q(title=""),
                name="office_meeting_title_required",
                violation_error_message=_("A meeting needs a title."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=MeetingStatus.values), name="office_meeting_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(repeat__in=Repeat.values), name="office_meeting_repeat_valid"
            ),
            models.CheckConstraint(
                condition=~Q(repeat="") | Q(repeat_until__isnull=True),
                name="office_meeting_until_needs_repeat",
            ),
            models.CheckConstraint(
                condition=~Q(status=MeetingStatus.CANCELLED) | ~Q(cancel_reason=""),
                name="office_meeting_cancelled_has_reason",
                violation_error_message=_("Say why the meeting is cancelled."),
            ),
        ]
        indexes = [
            models.Index(fields=["organiser", "starts_at"], name="office_meeting_organiser"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def local_start(self) -> dt.datetime:
        return self.starts_at.astimezone(self.zone)

    @property
    def local_end(self) -> dt.datetime:
        return self.ends_at.astimezone(self.zone)

    @property
    def duration(self) -> dt.timedelta:
        return self.ends_at - self.starts_at

    @property
    def is_cancelled(self) -> bool:
        return self.status == MeetingStatus.CANCELLED


class MeetingParticipant(models.Model):
    """A person invited to a meeting, with their answer."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="meeting_participations",
    )
    response = models.CharField(
        _("answer"),
        max_length=12,
        choices=ParticipantResponse.choices,
        default=ParticipantResponse.NEEDS_ACTION,
    )
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = Scope(
        domain=Domain.OFFICE_SCHEDULE,
        user=("user", "meeting__organiser", "meeting__arranged_by"),
    )

    class Meta:
        ordering = ["meeting", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user"], name="office_participant_once_per_meeting"
            ),
            models.CheckConstraint(
                condition=Q(response__in=ParticipantResponse.values),
                name="office_participant_response_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.meeting_id}"


class BusyCalendar(BaseModel):
    """A calendar a person imported (an .ics file from Outlook, Google or Apple): only when
    they are busy is kept, expanded for a window, never the events' titles or places."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="busy_calendars",
    )
    name = models.CharField(_("file name"), max_length=200)
    imported_at = models.DateTimeField(_("imported"))
    window_start = models.DateTimeField(_("busy times from"))
    window_end = models.DateTimeField(_("busy times until"))
    interval_count = models.PositiveIntegerField(_("busy periods"), default=0)

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = Scope(domain=Domain.OFFICE_SCHEDULE, user="user")

    class Meta:
        ordering = ["user", "name", "id"]
        verbose_name = _("imported calendar")
        verbose_name_plural = _("imported calendars")
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="office_busycalendar_name_once"),
            models.CheckConstraint(
                condition=Q(window_end__gt=F("window_start")),
                name="office_busycalendar_window_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class BusyInterval(models.Model):
    """One busy period of an imported calendar (aware, stored in UTC), nothing else."""

    calendar = models.ForeignKey(
        BusyCalendar, verbose_name=_("calendar"), on_delete=models.CASCADE, related_name="intervals"
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = Scope(domain=Domain.OFFICE_SCHEDULE, user="calendar__user")

    class Meta:
        ordering = ["calendar", "starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="office_busyinterval_ordered"
            ),
        ]
        indexes = [
            models.Index(fields=["calendar", "starts_at"], name="office_busy_calendar_start"),
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M}"


def default_weekdays() -> list[int]:
    return [0, 1, 2, 3, 4]


class WorkingHours(BaseModel):
    """When a person works, in their own time zone; without a row: 09:00-18:00, Monday to
    Friday, in the company's zone (TIME_ZONE)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="working_hours",
    )
    time_zone = models.CharField(_("time zone"), max_length=64)
    day_start = models.TimeField(_("working day starts"), default=dt.time(9))
    day_end = models.TimeField(_("working day ends"), default=dt.time(18))
    # 0 Monday … 6 Sunday
    weekdays = models.JSONField(_("working days"), default=default_weekdays)

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = Scope(domain=Domain.OFFICE_SCHEDULE, user="user")

    class Meta:
        ordering = ["user"]
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        constraints = [
            models.CheckConstraint(
                condition=Q(day_end__gt=F("day_start")),
                name="office_workinghours_end_after_start",
                violation_error_message=_("The working day ends after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.time_zone} {self.day_start:%H:%M}-{self.day_end:%H:%M}"


class FeedToken(BaseModel):
    """The secret of a person's iCalendar feed: only its SHA-256 digest is stored (the URL is
    shown once); revoking it ends the feed, regenerating gives a new URL."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="feed_tokens",
    )
    digest = models.CharField(_("digest"), max_length=64, unique=True)
    prefix = models.CharField(_("prefix"), max_length=12, help_text=_("shown to recognise it"))
    last_used_at = models.DateTimeField(_("last read"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = Scope(domain=Domain.OFFICE_SCHEDULE, user="user")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("feed address")
        verbose_name_plural = _("feed addresses")
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(revoked_at__isnull=True),
                name="office_feedtoken_one_active_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}…"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
