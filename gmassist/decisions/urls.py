from django.urls import path
from django.utils.translation import gettext_lazy as _

from gmassist.core.choices import Action
from gmassist.core.permissions import Domain
from gmassist.core.views_lib import NavItem, register_nav
from gmassist.decisions import views

app_name = "decisions"

urlpatterns = [
    path("", views.RegisterPage.as_view(), name="register"),
    path("new/", views.decision_create, name="create"),
    path("<int:pk>/", views.decision_detail, name="detail"),
    path("<int:pk>/edit/", views.decision_edit, name="edit"),
    path("<int:pk>/amend/", views.decision_amend, name="amend"),
    path("<int:pk>/withdraw/", views.decision_withdraw, name="withdraw"),
    path("<int:pk>/publish/", views.decision_publish, name="publish"),
    path("<int:pk>/remind/", views.decision_remind, name="remind"),
    path("<int:pk>/delete/", views.decision_delete, name="delete"),
    path("<int:pk>/acknowledge/", views.decision_acknowledge, name="acknowledge"),
    path("<int:pk>/respond/", views.decision_respond, name="respond"),
    path(
        "<int:pk>/questions/<uuid:response_id>/answer/",
        views.response_answer,
        name="answer",
    ),
]

register_nav(
    NavItem(
        "decisions", _("Decisions"), "decisions:register", Domain.DECISIONS, Action.VIEW, order=35
    )
)

# Today's source of this module (office.today.registry): registered with its routes
import gmassist.decisions.today  # noqa: E402, F401
