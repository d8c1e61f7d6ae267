"""The routes of the voice app under /voice/, one namespace (`voice`) for its three parts: each
part's urls.py holds its routes, navigation entries and inbox section."""

from gmassist.voice.feedback.urls import feedback_urlpatterns
from gmassist.voice.recruiting.urls import recruiting_urlpatterns
from gmassist.voice.surveys.urls import survey_urlpatterns

app_name = "voice"

urlpatterns = [*feedback_urlpatterns, *survey_urlpatterns, *recruiting_urlpatterns]
