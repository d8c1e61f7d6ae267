from django.urls import path
from django.utils.translation import gettext_lazy as _

from gmassist.core.choices import Action
from gmassist.core.permissions import Domain
from gmassist.core.views_lib import NavItem, register_nav
from gmassist.talent import views

app_name = "talent"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("people/<int:pk>/", views.person, name="person"),
    path("plan/", views.plan, name="plan"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/lines/<int:line_id>/", views.plan_line, name="plan_line"),
    path("pay/", views.PayReviewPage.as_view(), name="pay_review"),
    path("key-people/", views.KeyPeoplePage.as_view(), name="key_people"),
    path("risk/", views.LeavingRiskPage.as_view(), name="risk"),
]

register_nav(
    NavItem(
        "talent.pay_review",
        _("Pay review"),
        "talent:pay_review",
        Domain.PEOPLE,
        Action.VIEW_PAY,
        reaches=views.PAY_OF_MANY,
        order=35,
    )
)
register_nav(
    NavItem(
        "talent.key_people",
        _("Key people"),
        "talent:key_people",
        Domain.PEOPLE,
        Action.VIEW_PAY,
        reaches=views.PAY_OF_MANY,
        order=34,
    )
)
register_nav(
    NavItem(
        "talent.risk",
        _("Leaving risk"),
        "talent:risk",
        Domain.PEOPLE,
        Action.VIEW_PAY,
        reaches=views.PAY_OF_MANY,
        order=34,
    )
)
register_nav(
    NavItem(
        "talent.overview",
        _("Talent"),
        "talent:overview",
        Domain.PEOPLE,
        Action.VIEW_PAY,
        reaches=views.PAY_OF_MANY,
        order=33,
    )
)
register_nav(
    NavItem(
        "talent.plan",
        _("Incentive plan"),
        "talent:plan",
        Domain.PEOPLE,
        Action.VIEW_PAY,
        reaches=views.PAY_OF_MANY,
        order=36,
    )
)

# Today's source of this module (office.today.registry): registered with its routes
import gmassist.talent.today  # noqa: E402, F401
