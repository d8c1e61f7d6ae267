"""URL configuration: each app adds its own `urls.py` here.

Errors use the templates 403.html, 404.html and 500.html (Django's default handlers).
"""

from django.urls import include, path

from gmassist.api import api

urlpatterns = [
    path("", include("gmassist.core.urls")),
    path("org/", include("gmassist.org.urls")),
    path("talent/", include("gmassist.talent.urls")),
    path("customers/", include("gmassist.customers.urls")),
    path("voice/", include("gmassist.voice.urls")),
    path("decisions/", include("gmassist.decisions.urls")),
    path("workforce/", include("gmassist.workforce.urls")),
    path("office/", include("gmassist.office.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
]
