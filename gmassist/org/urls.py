from django.urls import path
from django.utils.translation import gettext_lazy as _

from gmassist.core.choices import Action
from gmassist.core.permissions import Domain
from gmassist.core.views_lib import NavItem, register_nav
from gmassist.org import views

app_name = "org"

urlpatterns = [
    path("departments/", views.department_tree, name="departments"),
    path("departments/new/", views.department_new, name="department_new"),
    path("departments/<int:pk>/edit/", views.department_edit, name="department_edit"),
    path("positions/", views.PositionListPage.as_view(), name="positions"),
    path("positions/new/", views.position_new, name="position_new"),
    path("positions/<int:pk>/edit/", views.position_edit, name="position_edit"),
    path("employees/", views.DirectoryPage.as_view(), name="directory"),
    path("employees/<int:pk>/", views.EmployeePage.as_view(), name="employee"),
    path("employees/new/", views.employee_new, name="employee_new"),
    path("employees/options/", views.employee_options, name="employee_options"),
    path("employees/<int:pk>/edit/", views.employee_edit, name="employee_edit"),
    path("employees/<int:pk>/leaving/", views.employee_leaving, name="employee_leaving"),
    path("employees/<int:pk>/reviews/new/", views.employee_review_new, name="employee_review"),
    path("employees/<int:pk>/skills/", views.employee_skill_level, name="employee_skill"),
    path("employees/<int:pk>/propose/", views.employee_propose, name="employee_propose"),
    path(
        "employees/<int:pk>/leaving/undo/",
        views.employee_leaving_undo,
        name="employee_leaving_undo",
    ),
]

register_nav(
    NavItem(
        "org.directory",
        _("Employees"),
        "org:directory",
        Domain.PEOPLE,
        Action.VIEW,
        reaches=views.MANY_PEOPLE,
        order=20,
    )
)
register_nav(
    NavItem(
        "org.departments",
        _("Departments"),
        "org:departments",
        Domain.PEOPLE,
        Action.VIEW,
        reaches=views.MANY_PEOPLE,
        order=30,
    )
)
register_nav(
    NavItem(
        "org.positions",
        _("Positions"),
        "org:positions",
        Domain.PEOPLE,
        Action.VIEW,
        reaches=views.MANY_PEOPLE,
        order=35,
    )
)
