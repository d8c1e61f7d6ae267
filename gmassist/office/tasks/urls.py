"""The task routes of the office app (included by office/urls.py) and their navigation entry;
`sources` registers the inbox section, the Today sources and the feed source."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _

from gmassist.core.choices import Action
from gmassist.core.permissions import Domain
from gmassist.core.views_lib import NavItem, register_nav
from gmassist.office.tasks import sources, views

tasks_urlpatterns = [
    path("tasks/", views.TaskListPage.as_view(), name="tasks"),
    path("tasks/new/", views.task_new, name="task_new"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("tasks/<int:pk>/edit/", views.task_edit, name="task_edit"),
    path("tasks/<int:pk>/status/", views.task_status, name="task_status"),
    path("tasks/<int:pk>/comments/", views.task_comment, name="task_comment"),
    path("tasks/<int:pk>/reassign/", views.task_reassign, name="task_reassign"),
]

register_nav(
    NavItem("office.tasks", _("Tasks"), "office:tasks", Domain.OFFICE_TASKS, Action.VIEW, order=17)
)

__all__ = ["sources", "tasks_urlpatterns"]
