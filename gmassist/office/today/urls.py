"""The routes of Today under /office/ (included by office/urls.py); the page is also the GM's,
the assistant's and a head's home page (core.views.home)."""

from django.urls import path

from gmassist.office.today import views

today_urlpatterns = [
    path("today/", views.today, name="today"),
    path("today/badge/", views.today_badge, name="today_badge"),
    path("today/proposals/<int:pk>/approve/", views.today_approve, name="today_approve"),
]
