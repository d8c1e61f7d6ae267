from django.urls import path
from django.utils.translation import gettext_lazy as _

from gmassist.core.choices import Action
from gmassist.core.permissions import Domain
from gmassist.core.views_lib import NavItem, register_nav
from gmassist.org import views

app_name = "org"

urlpatterns = [
    path("departments/", views.department_tree, name="departments"),
    path("employees/", views.DirectoryPage.as_view(), name="directory"),
    path("employees/<int:pk>/", views.EmployeePage.as_view(), name="employee"),
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
