"""Schedule pages: the week (one's own, and the GM's for the GM's office), a meeting (new,
edit, cancel, answer, minutes), finding a slot, one's imported calendars and working hours,
the feed's address, and the feed itself (no login: its secret is the key)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gmassist.core.choices import Action
from gmassist.core.models import User
from gmassist.core.permissions import ALL, Domain, reach
from gmassist.core.views_lib import form_errors_from
from gmassist.office.schedule import engine, feeds, presenters, selectors, services
from gmassist.office.schedule.forms import (
    COMMON_ZONES,
    CalendarUploadForm,
    CancelForm,
    MeetingForm,
    MinutesForm,
    RespondForm,
    SlotForm,
    WorkingHoursForm,
)
from gmassist.office.schedule.models import Meeting


def _require_schedule(user) -> None:
    if reach(user, Domain.OFFICE_SCHEDULE, Action.VIEW) is None:
        raise PermissionDenied


def _base(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {"zones": COMMON_ZONES, **extra}


def _today(zone: str) -> dt.date:
    return timezone.now().astimezone(engine.zone_of(zone)).date()


@login_required
def schedule_week(request: HttpRequest) -> HttpResponse:
    """A person's week, day by day: the reader's own, or for the GM's office the GM's."""
    _require_schedule(request.user)
    people = selectors.schedule_people(user=request.user)
    person = people[0] if people else request.user
    wanted = request.GET.get("who", "")
    if wanted.isdigit():
        person = next((p for p in people if p.pk == int(wanted)), None)
        if person is None:
            raise Http404("no such schedule")
    zone = selectors.zone_of_user(user=person)
    today = _today(zone)
    day = parse_date(request.GET.get("week", "") or "") if request.GET.get("week") else None
    first_day = presenters.week_start(day or today)
    week = presenters.week_view(
        user=request.user, person=person, first_day=first_day, zone=zone, today=today
    )
    return render(
        request,
        "office/schedule/week.html",
        _base(
            request,
            title=_("Schedule"),
            week=week,
            person=person,
            people=people,
            is_own=person.pk == request.user.pk,
            today=today,
        ),
    )


def _visible_meeting(request: HttpRequest, pk: int) -> Meeting:
    meeting = selectors.meetings_visible(user=request.user).filter(pk=pk).first()
    if meeting is None:
        raise Http404("meeting not found")
    return meeting


def _detail_context(request: HttpRequest, meeting: Meeting, **forms: Any) -> dict[str, Any]:
    participants = selectors.meeting_participants(meeting=meeting)
    mine = next((row for row in participants if row.user_id == request.user.pk), None)
    zone = selectors.zone_of_user(user=request.user)
    tz = engine.zone_of(zone)
    return _base(
        request,
        title=meeting.title,
        meeting=meeting,
        participants=participants,
        mine=mine,
        may_change=services.may_change(user=request.user, meeting=meeting),
        my_zone=zone,
        my_start=meeting.starts_at.astimezone(tz),
        my_end=meeting.ends_at.astimezone(tz),
        other_zone=zone != meeting.time_zone,
        started=meeting.starts_at <= timezone.now(),
        cancel_form=forms.get("cancel_form") or CancelForm(),
        minutes_form=forms.get("minutes_form") or MinutesForm(initial={"minutes": meeting.minutes}),
    )


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _visible_meeting(request, pk)
    return render(request, "office/schedule/meeting_detail.html", _detail_context(request, meeting))


def _fields(form: MeetingForm) -> services.MeetingFields | None:
    times = form.times()
    if times is None:
        return None
    data = form.cleaned_data
    return services.MeetingFields(
        title=data["title"],
        starts_at=times[0],
        ends_at=times[1],
        time_zone=data["time_zone"].strip(),
        place=data["place"],
        online_url=data["online_url"],
        agenda=data["agenda"],
        repeat=data["repeat"] or "",
        repeat_until=data["repeat_until"],
    )


def _new_initial(request: HttpRequest) -> dict[str, Any]:
    """What "book" from a slot (or the week's day) fills in: ?start=ISO&minutes=N&with=ID…"""
    zone = selectors.zone_of_user(user=request.user)
    tz = engine.zone_of(zone)
    initial: dict[str, Any] = {"time_zone": zone}
    start = parse_datetime(request.GET.get("start", "") or "") if request.GET.get("start") else None
    if start is not None and start.tzinfo is not None:
        minutes = request.GET.get("minutes", "60")
        length = dt.timedelta(
            minutes=int(minutes) if minutes.isdigit() and 0 < int(minutes) <= 600 else 60
        )
        local = start.astimezone(tz)
        initial.update(day=local.date(), start_time=local.time(), end_time=(local + length).time())
    elif request.GET.get("day") and parse_date(request.GET["day"]):
        initial.update(
            day=parse_date(request.GET["day"]), start_time=dt.time(10), end_time=dt.time(11)
        )
    ids = [int(v) for v in request.GET.getlist("with") if v.isdigit()]
    if ids:
        initial["participants"] = list(
            selectors.invitable_people().filter(pk__in=ids).exclude(pk=request.user.pk)
        )
    return initial


@login_required
def meeting_new(request: HttpRequest) -> HttpResponse:
    """Book a meeting (the GM's office may book it in the GM's name)."""
    _require_schedule(request.user)
    if reach(request.user, Domain.OFFICE_SCHEDULE, Action.CHANGE) is None:
        raise PermissionDenied
    office = reach(request.user, Domain.OFFICE_SCHEDULE, Action.CHANGE) == ALL
    form = MeetingForm(
        request.POST or None, initial=_new_initial(request), may_book_for_others=office
    )
    if request.method == "POST" and form.is_valid():
        fields = _fields(form)
        if fields is not None:
            try:
                meeting = services.meeting_create(
                    by=request.user,
                    fields=fields,
                    participants=list(form.cleaned_data["participants"]),
                    organiser=form.cleaned_data.get("organiser") or None,
                )
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("The meeting is booked; the participants are invited."))
                return redirect("office:schedule_meeting", pk=meeting.pk)
    status = 422 if form.is_bound and form.errors else 200
    return render(
        request,
        "office/schedule/meeting_form.html",
        _base(request, title=_("New meeting"), form=form, meeting=None),
        status=status,
    )


@login_required
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _visible_meeting(request, pk)
    if not services.may_change(user=request.user, meeting=meeting) or meeting.is_cancelled:
        raise PermissionDenied
    local_start, local_end = meeting.local_start, meeting.local_end
    initial = {
        "title": meeting.title,
        "day": local_start.date(),
        "start_time": local_start.time(),
        "end_time": local_end.time(),
        "time_zone": meeting.time_zone,
        "place": meeting.place,
        "online_url": meeting.online_url,
        "participants": [row.user for row in selectors.meeting_participants(meeting=meeting)],
        "agenda": meeting.agenda,
        "repeat": meeting.repeat,
        "repeat_until": meeting.repeat_until,
    }
    form = MeetingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = _fields(form)
        if fields is not None:
            try:
                services.meeting_update(
                    meeting=meeting,
                    by=request.user,
                    fields=fields,
                    participants=list(form.cleaned_data["participants"]),
                )
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("The meeting is changed; the participants are told."))
                return redirect("office:schedule_meeting", pk=meeting.pk)
    status = 422 if form.is_bound and form.errors else 200
    return render(
        request,
        "office/schedule/meeting_form.html",
        _base(request, title=_("Change the meeting"), form=form, meeting=meeting),
        status=status,
    )


@login_required
@require_POST
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _visible_meeting(request, pk)
    if not services.may_change(user=request.user, meeting=meeting):
        raise PermissionDenied
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.meeting_cancel(
                meeting=meeting, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The meeting is cancelled; the participants are told."))
            return redirect("office:schedule_meeting", pk=meeting.pk)
    context = _detail_context(request, meeting, cancel_form=form)
    return render(request, "office/schedule/meeting_detail.html", context, status=422)


@login_required
@require_POST
def meeting_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _visible_meeting(request, pk)
    if not services.may_change(user=request.user, meeting=meeting):
        raise PermissionDenied
    form = MinutesForm(request.POST)
    if form.is_valid():
        try:
            services.meeting_set_minutes(
                meeting=meeting, by=request.user, minutes=form.cleaned_data["minutes"]
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The minutes are saved."))
            return redirect("office:schedule_meeting", pk=meeting.pk)
    context = _detail_context(request, meeting, minutes_form=form)
    return render(request, "office/schedule/meeting_detail.html", context, status=422)


@login_required
@require_POST
def meeting_respond(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _visible_meeting(request, pk)
    form = RespondForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Answer accepted, tentative or declined."))
        return redirect("office:schedule_meeting", pk=meeting.pk)
    try:
        services.meeting_respond(
            meeting=meeting, by=request.user, response=form.cleaned_data["response"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Your answer is sent."))
    return redirect("office:schedule_meeting", pk=meeting.pk)


@login_required
def meeting_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """The meeting as an .ics file to open in one's own calendar."""
    meeting = _visible_meeting(request, pk)
    response = HttpResponse(
        services.meeting_ics(meeting, method="PUBLISH"), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response


@login_required
def find_slot(request: HttpRequest) -> HttpResponse:
    """Choose who, how long and when: the first free slots in everyone's working hours, each
    with every participant's local time, one click to book."""
    _require_schedule(request.user)
    zone = selectors.zone_of_user(user=request.user)
    bound = "participants" in request.GET
    form = SlotForm(
        request.GET if bound else None,
        initial={"start": _today(zone), "days": 7, "minutes": 60, "include_me": True},
    )
    rows: list[dict[str, Any]] | None = None
    search = None
    heads: list[dict[str, Any]] = []
    if bound and form.is_valid():
        data = form.cleaned_data
        try:
            search = selectors.slots_for(
                user=request.user,
                people=list(data["participants"]),
                minutes=data["minutes"],
                first_day=data["start"],
                days=data["days"],
                now=timezone.now(),
                include_self=data["include_me"],
            )
        except engine.SlotError as exc:
            form.add_error(None, str(exc))
        else:
            rows = presenters.slot_rows(
                slots=search.slots,
                people=search.people,
                hours=search.hours,
                minutes=data["minutes"],
            )
            heads = [{"person": p, "zone": search.hours[p.pk].zone} for p in search.people]
    return render(
        request,
        "office/schedule/find_slot.html",
        _base(request, title=_("Find a slot"), form=form, rows=rows, heads=heads, my_zone=zone),
        status=422 if bound and form.errors else 200,
    )


def _calendars_context(request: HttpRequest, **forms: Any) -> dict[str, Any]:
    row = selectors.own_working_hours(user=request.user)
    hours_initial = (
        {
            "time_zone": row.time_zone,
            "day_start": row.day_start,
            "day_end": row.day_end,
            "weekdays": row.weekdays,
        }
        if row
        else {
            "time_zone": selectors.company_zone(),
            "day_start": dt.time(9),
            "day_end": dt.time(18),
            "weekdays": [0, 1, 2, 3, 4],
        }
    )
    return _base(
        request,
        title=_("My calendars"),
        calendars=list(selectors.calendars_of(user=request.user, person=request.user)),
        upload_form=forms.get("upload_form") or CalendarUploadForm(),
        hours_form=forms.get("hours_form") or WorkingHoursForm(initial=hours_initial),
        hours_set=row is not None,
        window_days=settings.SCHEDULE_BUSY_WINDOW_DAYS,
    )


@login_required
def calendars(request: HttpRequest) -> HttpResponse:
    """One's imported calendars (upload, delete) and working hours."""
    _require_schedule(request.user)
    if request.method == "POST":
        form = CalendarUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                calendar = services.calendar_import(
                    person=request.user, by=request.user, name=upload.name, data=upload.read()
                )
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(
                    request,
                    _("%(name)s is imported: %(n)s busy periods.")
                    % {"name": calendar.name, "n": calendar.interval_count},
                )
                return redirect("office:schedule_calendars")
        return render(
            request,
            "office/schedule/calendars.html",
            _calendars_context(request, upload_form=form),
            status=422,
        )
    return render(request, "office/schedule/calendars.html", _calendars_context(request))


@login_required
@require_POST
def calendar_delete(request: HttpRequest, pk: int) -> HttpResponse:
    calendar = selectors.calendars_of(user=request.user, person=request.user).filter(pk=pk).first()
    if calendar is None:
        raise Http404("calendar not found")
    services.calendar_delete(calendar=calendar, by=request.user)
    messages.success(request, _("The calendar and its busy times are deleted."))
    return redirect("office:schedule_calendars")


@login_required
@require_POST
def working_hours(request: HttpRequest) -> HttpResponse:
    _require_schedule(request.user)
    form = WorkingHoursForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.working_hours_set(
                person=request.user,
                by=request.user,
                time_zone=data["time_zone"].strip(),
                day_start=data["day_start"],
                day_end=data["day_end"],
                weekdays=data["weekdays"],
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Your working hours are saved."))
            return redirect("office:schedule_calendars")
    return render(
        request,
        "office/schedule/calendars.html",
        _calendars_context(request, hours_form=form),
        status=422,
    )


@login_required
def feed_page(request: HttpRequest) -> HttpResponse:
    """The address to subscribe to one's feed: made (shown once), regenerated or revoked."""
    _require_schedule(request.user)
    secret = ""
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "regenerate":
            _token, secret = services.feed_token_create(user=request.user, by=request.user)
        elif action == "revoke":
            services.feed_token_revoke(user=request.user, by=request.user)
            messages.success(
                request,
                _("The feed address is revoked: calendars subscribed to it get nothing more."),
            )
            return redirect("office:schedule_feed")
        else:
            messages.error(request, _("Choose to make a new address or to revoke it."))
            return redirect("office:schedule_feed")
    feed_url = request.build_absolute_uri(reverse("office:feed", args=[secret])) if secret else ""
    response = render(
        request,
        "office/schedule/feed.html",
        _base(
            request,
            title=_("Calendar feed"),
            token=selectors.active_feed_token(user=request.user),
            feed_url=feed_url,
            webcal_url=feed_url.replace("https://", "webcal://").replace("http://", "webcal://"),
        ),
    )
    response["Cache-Control"] = "no-store"  # the page with the secret is kept out of caches
    return response


def feed(request: HttpRequest, secret: str) -> HttpResponse:
    """The iCalendar feed (no login: the secret is the key; a wrong or revoked one is a 404)."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405)
    user: User | None = services.feed_user(secret=secret)
    if user is None:
        raise Http404("no such feed")
    from django.utils import translation

    with translation.override(user.language or settings.LANGUAGE_CODE):
        body = feeds.feed_for(user)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="gmassist.ics"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
