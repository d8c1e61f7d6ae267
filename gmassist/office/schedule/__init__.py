"""The schedule part of the GM's office: meetings, busy times, meeting slots, the iCalendar feed."""
