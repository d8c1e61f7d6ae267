"""The triage routes of the office app (included by office/urls.py) and its navigation entry;
its Today source and task subject are in sources.py."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _

from gmassist.core.choices import Action
from gmassist.core.permissions import Domain
from gmassist.core.views_lib import NavItem, register_nav
from gmassist.office.triage import sources, views

__all__ = ["sources", "triage_urlpatterns"]  # sources: imported for its registrations

triage_urlpatterns = [
    path("triage/", views.triage_list, name="triage"),
    path("triage/new/", views.matter_new, name="triage_new"),
    path("triage/decided/", views.decided_list, name="triage_decided"),
    path("triage/rules/", views.rules_page, name="triage_rules"),
    path("triage/rules/<int:pk>/", views.rule_edit, name="triage_rule"),
    path("triage/rules/<int:pk>/delete/", views.rule_delete, name="triage_rule_delete"),
    path("triage/rules/<int:pk>/move/", views.rule_move, name="triage_rule_move"),
    path("triage/report/", views.report_page, name="triage_report"),
    path("triage/<int:pk>/", views.matter_detail, name="triage_matter"),
    path("triage/<int:pk>/decide/", views.matter_decide, name="triage_decide"),
]

register_nav(
    NavItem(
        "office.triage",
        _("Triage"),
        "office:triage",
        Domain.OFFICE_TRIAGE,
        Action.VIEW,
        order=16,
    )
)
