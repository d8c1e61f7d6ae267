"""The feedback routes of the voice app (included by voice/urls.py), their navigation entries
and the inbox section "Feedback threads"."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from gmassist.core.choices import Action
from gmassist.core.inbox import InboxItem, InboxSection, register_inbox_section
from gmassist.core.permissions import ALL, Domain
from gmassist.core.views_lib import NavItem, register_nav
from gmassist.voice.feedback import views

feedback_urlpatterns = [
    path("feedback/", views.FeedbackQueuePage.as_view(), name="feedback_queue"),
    path("feedback/new/", views.feedback_new, name="feedback_new"),
    path("feedback/follow/", views.feedback_follow, name="feedback_follow"),
    path("feedback/triage/", views.feedback_triage, name="feedback_triage"),
    path("feedback/<uuid:pk>/", views.feedback_detail, name="feedback_detail"),
    path("feedback/<uuid:pk>/reply/", views.feedback_reply, name="feedback_reply"),
    path("feedback/<uuid:pk>/status/", views.feedback_status, name="feedback_status"),
    path("feedback/<uuid:pk>/topic/", views.feedback_topic, name="feedback_topic"),
    path("trends/", views.feedback_trends, name="trends"),
]

register_nav(
    NavItem(
        "voice.feedback",
        _("Feedback"),
        "voice:feedback_queue",
        Domain.FEEDBACK,
        Action.VIEW,
        order=50,
    )
)
register_nav(
    NavItem(
        "voice.triage",
        _("Feedback triage"),
        "voice:feedback_triage",
        Domain.FEEDBACK_TOPICS,
        Action.CHANGE,
        reaches=(ALL,),
        order=52,
    )
)
register_nav(
    NavItem(
        "voice.trends",
        _("Feedback trends"),
        "voice:trends",
        Domain.FEEDBACK,
        Action.VIEW,
        reaches=views.MANY_ITEMS,
        order=51,
    )
)


def _my_feedback_items(user):
    """The user's own named feedback and the items they owe an answer to (anonymous threads
    are linked to nobody, so they are followed with the reply code instead)."""
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.translation import gettext

    from gmassist.voice.feedback import selectors
    from gmassist.voice.feedback.choices import OPEN_STATUSES

    today = timezone.localdate()
    owed = list(
        selectors.feedback_queue(user=user, today=today, mine=True, sort="due").filter(
            status__in=OPEN_STATUSES
        )[:10]
    )
    sent = list(selectors.feedback_sent_by(user=user)[:5])
    items = [
        InboxItem(
            title=item.subject,
            url=reverse("voice:feedback_detail", args=[item.pk]),
            due=item.due_on,
            status=gettext("To answer"),
            needs_action=True,
            detail=str(item.department or gettext("To the GM")),
        )
        for item in owed
    ]
    items += [
        InboxItem(
            title=item.subject,
            url=reverse("voice:feedback_detail", args=[item.pk]),
            due=None,
            status=str(item.get_status_display()),
            needs_action=False,
            detail=gettext("Sent by you"),
        )
        for item in sent
    ]
    return items


def _owed_count(user) -> int:
    from django.utils import timezone

    from gmassist.voice.feedback import selectors
    from gmassist.voice.feedback.choices import OPEN_STATUSES

    return (
        selectors.feedback_queue(user=user, today=timezone.localdate(), mine=True)
        .filter(status__in=OPEN_STATUSES)
        .count()
    )


register_inbox_section(
    InboxSection(
        key="voice.feedback",
        title=_("Feedback threads"),
        order=30,
        items=_my_feedback_items,
        action_count=_owed_count,
        url="/voice/feedback/",
    )
)


def _triage_items(user):
    """The first items waiting for the user to set their topic (HR and the GM's office)."""
    from django.urls import reverse
    from django.utils.translation import gettext

    from gmassist.voice.feedback import selectors

    return [
        InboxItem(
            title=item.subject,
            url=reverse("voice:feedback_detail", args=[item.pk]),
            due=item.due_on,
            status=gettext("Set the topic"),
            needs_action=True,
            detail=str(item.department or gettext("To the GM")),
        )
        for item in selectors.feedback_triage(user=user)[:10]
    ]


def _triage_count(user) -> int:
    from gmassist.voice.feedback import selectors

    return selectors.feedback_triage(user=user).count()


register_inbox_section(
    InboxSection(
        key="voice.triage",
        title=_("Feedback triage"),
        order=31,
        items=_triage_items,
        action_count=_triage_count,
        url="/voice/feedback/triage/",
    )
)

# Today's source of this module (office.today.registry): registered with its routes
import gmassist.voice.feedback.today  # noqa: E402, F401
