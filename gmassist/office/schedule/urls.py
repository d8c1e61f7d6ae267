"""The schedule's routes (included by office/urls.py), its navigation entries and its Today
source: the reader's meetings today."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _

from gmassist.core.choices import Action
from gmassist.core.permissions import Domain
from gmassist.core.views_lib import NavItem, register_nav
from gmassist.office.schedule import views
from gmassist.office.today.registry import (
    TodayAction,
    TodayItem,
    TodaySource,
    Weight,
    register_today_source,
)

schedule_urlpatterns = [
    path("schedule/", views.schedule_week, name="schedule"),
    path("schedule/meetings/new/", views.meeting_new, name="schedule_meeting_new"),
    path("schedule/meetings/<int:pk>/", views.meeting_detail, name="schedule_meeting"),
    path("schedule/meetings/<int:pk>/edit/", views.meeting_edit, name="schedule_meeting_edit"),
    path(
        "schedule/meetings/<int:pk>/cancel/", views.meeting_cancel, name="schedule_meeting_cancel"
    ),
    path(
        "schedule/meetings/<int:pk>/minutes/",
        views.meeting_minutes,
        name="schedule_meeting_minutes",
    ),
    path(
        "schedule/meetings/<int:pk>/respond/",
        views.meeting_respond,
        name="schedule_meeting_respond",
    ),
    path("schedule/meetings/<int:pk>/ics/", views.meeting_ics, name="schedule_meeting_ics"),
    path("schedule/slots/", views.find_slot, name="schedule_slots"),
    path("schedule/calendars/", views.calendars, name="schedule_calendars"),
    path(
        "schedule/calendars/<int:pk>/delete/",
        views.calendar_delete,
        name="schedule_calendar_delete",
    ),
    path("schedule/hours/", views.working_hours, name="schedule_hours"),
    path("schedule/feed/", views.feed_page, name="schedule_feed"),
    path("feed/<str:secret>.ics", views.feed, name="feed"),
]

for key, label, url_name, order in (
    ("office.schedule", _("Schedule"), "office:schedule", 21),
    ("office.schedule_slots", _("Find a slot"), "office:schedule_slots", 22),
    ("office.schedule_calendars", _("My calendars"), "office:schedule_calendars", 23),
    ("office.schedule_feed", _("Calendar feed"), "office:schedule_feed", 24),
):
    register_nav(NavItem(key, label, url_name, Domain.OFFICE_SCHEDULE, Action.VIEW, order=order))


def _meetings_today(user) -> list[TodayItem]:
    """The reader's meetings today (in their own zone), not cancelled, not declined."""
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.translation import gettext

    from gmassist.office.schedule import engine, presenters, selectors
    from gmassist.office.schedule.choices import ParticipantResponse

    if getattr(user, "pk", None) is None:
        return []
    zone = selectors.zone_of_user(user=user)
    tz = engine.zone_of(zone)
    today = timezone.now().astimezone(tz).date()
    window = presenters.local_window(today, 1, zone)
    items = []
    for occurrence in selectors.meetings_of(
        user=user, person=user, window=window, include_cancelled=False
    ):
        meeting = occurrence.meeting
        mine = meeting.organiser_id == user.pk
        response = next(
            (row.response for row in meeting.participants.all() if row.user_id == user.pk), ""
        )
        if response == ParticipantResponse.DECLINED:
            continue
        start, end = occurrence.start.astimezone(tz), occurrence.end.astimezone(tz)
        where = meeting.place or (gettext("Online") if meeting.online_url else "")
        items.append(
            TodayItem(
                key=f"office.meeting:{occurrence.key}",
                title=meeting.title,
                why=gettext("You organise it.") if mine else gettext("You are invited."),
                url=reverse("office:schedule_meeting", args=[meeting.pk]),
                since=occurrence.start,
                weight=Weight.NORMAL,
                action=TodayAction(
                    kind="open",
                    label=gettext("Open"),
                    url=reverse("office:schedule_meeting", args=[meeting.pk]),
                ),
                about=f"office.meeting:{meeting.pk}",
                detail=" · ".join(x for x in (f"{start:%H:%M}–{end:%H:%M}", where) if x),
            )
        )
    return items


register_today_source(
    TodaySource(
        key="office.schedule.today",
        title=_("Meetings today"),
        order=40,
        items=_meetings_today,
        url="/office/schedule/",
    )
)
