from django.urls import path
from django.utils.translation import gettext_lazy as _

from gmassist.core.choices import Action
from gmassist.core.permissions import SELF, Domain
from gmassist.core.views_lib import NavItem, register_nav
from gmassist.customers import views

app_name = "customers"

urlpatterns = [
    path("", views.CustomerListPage.as_view(), name="list"),
    path("<int:pk>/", views.CustomerPage.as_view(), name="customer"),
    path("<int:pk>/edit/", views.customer_edit, name="customer_edit"),
    path("<int:pk>/contacts/new/", views.contact_new, name="contact_new"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("managers/", views.ManagerListPage.as_view(), name="managers"),
    path("managers/<int:pk>/", views.ManagerPage.as_view(), name="manager"),
    path("managers/me/", views.my_manager_page, name="my_manager_page"),
    path("tiering/", views.tiering_policy, name="tiering"),
    path("matching/", views.matching, name="matching"),
    path("routing/", views.routing, name="routing"),
    path("analytics/", views.analytics, name="analytics"),
]

register_nav(
    NavItem(
        "customers.list", _("Customers"), "customers:list", Domain.CUSTOMERS, Action.VIEW, order=70
    )
)
register_nav(
    NavItem(
        "customers.managers",
        _("Account managers"),
        "customers:managers",
        Domain.CUSTOMERS,
        Action.VIEW,
        reaches=views.MANY_BOOKS,
        order=71,
    )
)
# an account manager's own book and grades
register_nav(
    NavItem(
        "customers.my_page",
        _("My book"),
        "customers:my_manager_page",
        Domain.CUSTOMERS,
        Action.VIEW,
        reaches=(SELF,),
        order=71,
    )
)

# Today's source of this module (office.today.registry): registered with its routes
import gmassist.customers.today  # noqa: E402, F401
