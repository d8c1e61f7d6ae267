from django.urls import path
from django.utils.translation import gettext_lazy as _

from gmassist.core.choices import Action
from gmassist.core.permissions import Domain
from gmassist.core.views_lib import NavItem, register_nav
from gmassist.workforce import views

app_name = "workforce"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/scenarios/", views.plan_scenarios, name="scenarios"),
    path("backtest/", views.backtest, name="backtest"),
]

register_nav(
    NavItem(
        "workforce",
        _("Workforce plan"),
        "workforce:overview",
        Domain.WORKFORCE,
        Action.VIEW,
        order=37,
    )
)
