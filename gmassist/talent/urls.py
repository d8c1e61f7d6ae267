from django.urls import path
from django.utils.translation import gettext_lazy as _

from gmassist.core.choices import Action
from gmassist.core.views_lib import NavItem, register_nav
from gmassist.talent import views

app_name = "talent"

urlpatterns = [
    path("pay/", views.PayReviewPage.as_view(), name="pay_review"),
    path("key-people/", views.KeyPeoplePage.as_view(), name="key_people"),
]

register_nav(
    NavItem(
        "talent.pay_review",
        _("Pay review"),
        "talent:pay_review",
        "people",
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
        "people",
        Action.VIEW_PAY,
        reaches=views.PAY_OF_MANY,
        order=34,
    )
)
