"""The recruiting routes of the voice app (included by voice/urls.py) and their navigation."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from gmassist.core.choices import Action
from gmassist.core.permissions import ALL, Domain
from gmassist.core.views_lib import NavItem, register_nav
from gmassist.voice.recruiting import views

recruiting_urlpatterns = [
    path("recruiting/agencies/", views.agencies, name="agencies"),
    path("recruiting/agencies/<int:pk>/", views.agency_detail, name="agency_detail"),
    path(
        "recruiting/requisitions/",
        views.RequisitionListPage.as_view(),
        name="requisitions",
    ),
    path("recruiting/requisitions/new/", views.requisition_new, name="requisition_new"),
    path(
        "recruiting/requisitions/<int:pk>/",
        views.requisition_detail,
        name="requisition_detail",
    ),
    path(
        "recruiting/requisitions/<int:pk>/share/",
        views.requisition_share,
        name="requisition_share",
    ),
    path(
        "recruiting/requisitions/<int:pk>/close/",
        views.requisition_close,
        name="requisition_close",
    ),
    path(
        "recruiting/requisitions/<int:pk>/candidates/",
        views.candidate_add,
        name="candidate_add",
    ),
    path("recruiting/candidates/<int:pk>/stage/", views.candidate_stage, name="candidate_stage"),
]

register_nav(
    NavItem(
        "voice.requisitions",
        _("Requisitions"),
        "voice:requisitions",
        Domain.RECRUITING,
        Action.VIEW,
        order=54,
        group="recruiting",
    )
)
register_nav(
    NavItem(
        "voice.agencies",
        _("Recruiting agencies"),
        "voice:agencies",
        Domain.RECRUITING,
        Action.VIEW,
        reaches=(ALL,),
        order=55,
        group="recruiting",
    )
)

# Today's source of this module (office.today.registry): registered with its routes
import gmassist.voice.recruiting.today  # noqa: E402, F401
