from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfficeConfig(AppConfig):
    name = "gmassist.office"
    label = "office"
    verbose_name = _("The GM's office")
    # The parts of the app, each a sub-package with its own models, services, pages and
    # plug-in modules (core.registry finds them); the models keep the app's label and tables.
    # today: what needs attention today across every module (each part and app registers its
    # sources in office.today.registry); triage: incoming matters sorted by "three manages,
    # three don't"; tasks: delegated tasks with follow-up; documents: documents awaiting
    # approval; schedule: meetings, busy times, slots and the iCalendar feed.
    parts = ("today", "triage", "tasks", "documents", "schedule")
