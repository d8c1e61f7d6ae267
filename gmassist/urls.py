"""URL configuration: the core pages; each later app adds its own `urls.py` here."""

from django.urls import include, path

from gmassist.api import api

urlpatterns = [
    path("", include("gmassist.core.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
]
