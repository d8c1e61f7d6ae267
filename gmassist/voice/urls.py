from django.urls import path
from django.utils.translation import gettext_lazy as _

from gmassist.core.choices import Action
from gmassist.core.views_lib import NavItem, register_nav
from gmassist.voice import views

app_name = "voice"

urlpatterns = [
    path("feedback/", views.FeedbackQueuePage.as_view(), name="feedback_queue"),
    path("feedback/new/", views.feedback_new, name="feedback_new"),
    path("feedback/follow/", views.feedback_follow, name="feedback_follow"),
    path("feedback/<uuid:pk>/", views.feedback_detail, name="feedback_detail"),
    path("feedback/<uuid:pk>/reply/", views.feedback_reply, name="feedback_reply"),
    path("feedback/<uuid:pk>/status/", views.feedback_status, name="feedback_status"),
    path("trends/", views.feedback_trends, name="trends"),
]

register_nav(
    NavItem(
        "voice.feedback", _("Feedback"), "voice:feedback_queue", "feedback", Action.VIEW, order=50
    )
)
register_nav(
    NavItem(
        "voice.trends",
        _("Feedback trends"),
        "voice:trends",
        "feedback",
        Action.VIEW,
        reaches=views.MANY_ITEMS,
        order=51,
    )
)
