"""Forms of the schedule pages: a meeting, cancelling it, its minutes, answering it, finding a
slot, uploading a calendar, one's working hours."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gmassist.office.schedule import engine
from gmassist.office.schedule.choices import ParticipantResponse, Repeat
from gmassist.office.schedule.ics import MAX_ICS_BYTES
from gmassist.office.schedule.models import MAX_TITLE
from gmassist.office.schedule.selectors import invitable_people

# the zones the time-zone fields suggest (any IANA name is accepted)
COMMON_ZONES = (
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "Asia/Dubai",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Moscow",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Australia/Sydney",
    "UTC",
)
WEEKDAY_CHOICES = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]
DURATIONS = [(15, "15"), (30, "30"), (45, "45"), (60, "60"), (90, "90"), (120, "120"), (180, "180")]


def zone_input(testid: str) -> forms.TextInput:
    return forms.TextInput(
        attrs={"list": "time-zones", "autocomplete": "off", "data-testid": testid}
    )


class PeopleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


class MeetingForm(forms.Form):
    """A meeting: its title, day and times in a time zone, place, people, agenda, repetition."""

    title = forms.CharField(
        label=_("Title"),
        max_length=MAX_TITLE,
        widget=forms.TextInput(attrs={"data-testid": "meeting-title", "autocomplete": "off"}),
    )
    day = forms.DateField(
        label=_("Day"), widget=forms.DateInput(attrs={"type": "date", "data-testid": "meeting-day"})
    )
    start_time = forms.TimeField(
        label=_("From"),
        widget=forms.TimeInput(attrs={"type": "time", "data-testid": "meeting-start"}),
    )
    end_time = forms.TimeField(
        label=_("To"), widget=forms.TimeInput(attrs={"type": "time", "data-testid": "meeting-end"})
    )
    time_zone = forms.CharField(
        label=_("Time zone"),
        max_length=64,
        help_text=_("The day and times are in this zone; a repeating meeting keeps them in it."),
        widget=zone_input("meeting-zone"),
    )
    organiser = forms.ModelChoiceField(
        label=_("Organiser"),
        queryset=invitable_people(),
        required=False,
        empty_label=_("Me"),
        help_text=_("Book it in someone else's name (the GM's, for instance)."),
        widget=forms.Select(attrs={"data-testid": "meeting-organiser"}),
    )
    place = forms.CharField(
        label=_("Place"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"data-testid": "meeting-place"}),
    )
    online_url = forms.URLField(
        label=_("Online link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"data-testid": "meeting-link"}),
    )
    participants = PeopleField(
        label=_("Participants"),
        queryset=invitable_people(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6, "data-testid": "meeting-participants"}),
    )
    agenda = forms.CharField(
        label=_("Agenda"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5, "data-testid": "meeting-agenda"}),
    )
    repeat = forms.ChoiceField(
        label=_("Repeats"),
        choices=Repeat.choices,
        required=False,
        widget=forms.Select(attrs={"data-testid": "meeting-repeat"}),
    )
    repeat_until = forms.DateField(
        label=_("Repeats until"),
        required=False,
        help_text=_("Empty: until it is cancelled."),
        widget=forms.DateInput(attrs={"type": "date", "data-testid": "meeting-until"}),
    )

    def __init__(self, *args: Any, may_book_for_others: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not may_book_for_others:
            del self.fields["organiser"]

    def times(self) -> tuple[dt.datetime, dt.datetime] | None:
        """The start and end (aware) the form gives, or None with the errors added."""
        data = self.cleaned_data
        try:
            zone = engine.zone_of(data["time_zone"].strip())
        except engine.SlotError:
            self.add_error(
                "time_zone",
                _("Unknown time zone %(zone)s: use a name such as Europe/Berlin.")
                % {"zone": repr(data["time_zone"])},
            )
            return None
        start = dt.datetime.combine(data["day"], data["start_time"], tzinfo=zone)
        end = dt.datetime.combine(data["day"], data["end_time"], tzinfo=zone)
        return start, end


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it cancelled?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "data-testid": "cancel-reason"}),
    )


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=_("Minutes"),
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 8, "data-testid": "minutes-text"}),
    )


class RespondForm(forms.Form):
    response = forms.ChoiceField(
        choices=[c for c in ParticipantResponse.choices if c[0] != ParticipantResponse.NEEDS_ACTION]
    )


class SlotForm(forms.Form):
    """Find a slot: with whom, how long, from which day and for how many days."""

    participants = PeopleField(
        label=_("With"),
        queryset=invitable_people(),
        widget=forms.SelectMultiple(attrs={"size": 6, "data-testid": "slot-participants"}),
    )
    minutes = forms.TypedChoiceField(
        label=_("Minutes"),
        choices=DURATIONS,
        coerce=int,
        initial=60,
        widget=forms.Select(attrs={"data-testid": "slot-minutes"}),
    )
    start = forms.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date", "data-testid": "slot-from"})
    )
    days = forms.IntegerField(
        label=_("Days to search"),
        min_value=1,
        max_value=31,
        initial=7,
        widget=forms.NumberInput(attrs={"data-testid": "slot-days"}),
    )
    include_me = forms.BooleanField(
        label=_("I attend too"),
        required=False,
        initial=True,
        help_text=_("Untick it to find a time for others only (the GM's, for instance)."),
        widget=forms.CheckboxInput(attrs={"data-testid": "slot-include-me"}),
    )


class CalendarUploadForm(forms.Form):
    file = forms.FileField(
        label=_("An .ics file"),
        help_text=_("Exported from Outlook, Google Calendar or Apple Calendar."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".ics,text/calendar", "data-testid": "ics-file"}
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_ICS_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB.") % {"mb": MAX_ICS_BYTES // (1024 * 1024)}
            )
        return upload


class WorkingHoursForm(forms.Form):
    time_zone = forms.CharField(
        label=_("Time zone"), max_length=64, widget=zone_input("hours-zone")
    )
    day_start = forms.TimeField(
        label=_("Working day starts"),
        widget=forms.TimeInput(attrs={"type": "time", "data-testid": "hours-start"}),
    )
    day_end = forms.TimeField(
        label=_("Working day ends"),
        widget=forms.TimeInput(attrs={"type": "time", "data-testid": "hours-end"}),
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Working days"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        widget=forms.CheckboxSelectMultiple(attrs={"data-testid": "hours-days"}),
    )
