"""The routes of the office app under /office/, one namespace (`office`) for its parts: each
part's urls.py holds its routes, navigation entries and inbox or Today sections."""

from django.utils.translation import gettext_lazy as _

from gmassist.core.views_lib import register_nav_section
from gmassist.office.documents.urls import documents_urlpatterns
from gmassist.office.schedule.urls import schedule_urlpatterns
from gmassist.office.tasks.urls import tasks_urlpatterns
from gmassist.office.today.urls import today_urlpatterns
from gmassist.office.triage.urls import triage_urlpatterns

app_name = "office"

# the parts' pages make one section of the top row, under one name
register_nav_section("office", _("Office"))

urlpatterns: list = [
    *today_urlpatterns,
    *triage_urlpatterns,
    *tasks_urlpatterns,
    *documents_urlpatterns,
    *schedule_urlpatterns,
]
