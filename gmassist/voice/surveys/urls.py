"""The pulse-survey routes of the voice app (included by voice/urls.py), its navigation entry
and its inbox section "Surveys to answer"."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from gmassist.core.choices import Action
from gmassist.core.inbox import InboxItem, InboxSection, register_inbox_section
from gmassist.core.permissions import ALL, SUBTREE, Domain
from gmassist.core.views_lib import NavItem, register_nav
from gmassist.voice.surveys import views

survey_urlpatterns = [
    path("surveys/", views.survey_list, name="survey_list"),
    path("surveys/new/", views.survey_new, name="survey_new"),
    path("surveys/open-due/", views.surveys_run_schedule, name="surveys_run_schedule"),
    path("surveys/<int:pk>/", views.survey_detail, name="survey_detail"),
    path("surveys/<int:pk>/edit/", views.survey_edit, name="survey_edit"),
    path("surveys/<int:pk>/status/", views.survey_status, name="survey_status"),
    path(
        "surveys/<int:pk>/rounds/<int:number>/answer/",
        views.survey_answer,
        name="survey_answer",
    ),
]

register_nav(
    NavItem(
        "voice.surveys",
        _("Surveys"),
        "voice:survey_list",
        Domain.SURVEYS,
        Action.VIEW,
        reaches=(ALL, SUBTREE),
        order=52,
    )
)


def _surveys_to_answer(user) -> list[InboxItem]:
    """The open rounds that ask the user and that they have not answered (once answered, a
    round leaves the inbox: what they answered is linked to nobody)."""
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.translation import gettext

    from gmassist.voice.surveys import selectors

    return [
        InboxItem(
            title=survey_round.survey.title,
            url=reverse("voice:survey_answer", args=[survey_round.survey_id, survey_round.number]),
            due=survey_round.closes_on,
            status=gettext("To answer"),
            needs_action=True,
            detail=gettext("Anonymous survey, round %(n)s") % {"n": survey_round.number},
        )
        for survey_round in selectors.surveys_to_answer(user=user, today=timezone.localdate())
    ]


register_inbox_section(
    InboxSection(
        key="voice.surveys",
        title=_("Surveys to answer"),
        order=20,
        items=_surveys_to_answer,
    )
)
