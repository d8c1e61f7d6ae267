"""The routes of the office app under /office/, one namespace (`office`) for its parts: each
part's urls.py holds its routes, navigation entries and inbox or Today sections."""

from gmassist.office.documents.urls import documents_urlpatterns

app_name = "office"

urlpatterns: list = [*documents_urlpatterns]
