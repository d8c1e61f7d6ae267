"""The documents routes of the office app (included by office/urls.py), their navigation
entry, the Today source "Documents awaiting your decision" (for the GM: the GM's queue) and the
inbox section of the same documents."""

from __future__ import annotations

from typing import Any

from django.urls import path
from django.utils.translation import gettext_lazy as _

from gmassist.core.choices import Action, Role
from gmassist.core.inbox import InboxItem, InboxSection, register_inbox_section
from gmassist.core.permissions import Domain, user_role
from gmassist.core.presenters import register_audit_value
from gmassist.core.views_lib import NavItem, register_nav
from gmassist.office.documents import views
from gmassist.office.today.registry import (
    TodayAction,
    TodayItem,
    TodaySource,
    Weight,
    register_today_source,
)


def _decision_label(value: Any) -> Any:
    from gmassist.office.documents.choices import Decision

    return str(Decision(value).label) if value in Decision.values else value


def _route_word(value: Any) -> Any:
    from django.utils.translation import gettext

    return gettext("started again") if value == "restarted" else value


# the audit log shows a document's decisions and route in the reader's language
register_audit_value("office.document", "decision", _decision_label)
register_audit_value("office.document", "route", _route_word)

documents_urlpatterns = [
    path("documents/", views.DocumentListPage.as_view(), name="documents"),
    path("documents/archive/", views.DocumentArchivePage.as_view(), name="documents_archive"),
    path("documents/new/", views.document_new, name="document_new"),
    path("documents/<int:pk>/", views.document_detail, name="document_detail"),
    path("documents/<int:pk>/decide/", views.document_decide, name="document_decide"),
    path("documents/<int:pk>/versions/", views.document_version_new, name="document_version_new"),
    path("documents/<int:pk>/submit/", views.document_submit, name="document_submit"),
    path("documents/<int:pk>/withdraw/", views.document_withdraw, name="document_withdraw"),
    path(
        "documents/<int:pk>/versions/<int:number>/file/",
        views.document_file,
        name="document_file",
    ),
    path("documents/<int:pk>/record/", views.document_record, name="document_record"),
]

register_nav(
    NavItem(
        "office.documents",
        _("Documents"),
        "office:documents",
        Domain.OFFICE_DOCUMENTS,
        Action.VIEW,
        order=18,
    )
)
register_nav(
    NavItem(
        "office.documents_archive",
        _("Document archive"),
        "office:documents_archive",
        Domain.OFFICE_DOCUMENTS,
        Action.VIEW,
        order=19,
    )
)
# the deputies page is core's (deputies serve proposals too); it sits with the office's pages
register_nav(
    NavItem(
        "office.deputies",
        _("While I am away"),
        "deputies",
        Domain.DEPUTIES,
        Action.CHANGE,
        order=25,
    )
)


def _awaiting_steps(user: Any) -> list[Any]:
    """The open steps waiting for `user`, one per document, the longest waiting first."""
    from gmassist.office.documents.selectors import steps_awaiting

    seen: set[int] = set()
    steps = []
    for step in steps_awaiting(user=user):
        if step.document_id not in seen:
            seen.add(step.document_id)
            steps.append(step)
    return steps


def _awaiting_count(user: Any) -> int:
    from gmassist.office.documents.selectors import steps_awaiting

    return steps_awaiting(user=user).values("document_id").distinct().count()


def _why(user: Any, step: Any) -> str:
    from django.utils.translation import gettext

    if step.approver_id != user.pk:
        return gettext("You decide it on behalf of %(name)s, as their deputy.") % {
            "name": step.approver
        }
    if user_role(user) == Role.GM:
        return gettext("In the GM's queue: it waits for your decision.")
    return gettext("It waits for your decision.")


def _detail(step: Any) -> str:
    from django.utils.translation import gettext

    document = step.document
    return gettext("%(kind)s by %(author)s, version %(version)d") % {
        "kind": document.get_kind_display(),
        "author": document.author,
        "version": step.version.number,
    }


def _today_items(user: Any) -> list[TodayItem]:
    from django.utils.translation import gettext

    items = []
    for step in _awaiting_steps(user):
        url = step.document.get_absolute_url()
        items.append(
            TodayItem(
                key=f"office.document:{step.document_id}",
                title=step.document.title,
                why=_why(user, step),
                url=url,
                since=step.opened_at or step.created_at,
                weight=Weight.NORMAL,
                action=TodayAction(kind="open", label=gettext("Open"), url=url),
                about=f"office.document:{step.document_id}",
                detail=_detail(step),
            )
        )
    return items


register_today_source(
    TodaySource(
        key="office.documents.awaiting",
        title=_("Documents awaiting your decision"),
        order=20,
        items=_today_items,
        count=_awaiting_count,
        url="/office/documents/?show=awaiting",
    )
)


def _inbox_items(user: Any) -> list[InboxItem]:
    from django.utils import timezone
    from django.utils.translation import gettext

    items = []
    for step in _awaiting_steps(user)[:10]:
        since = timezone.localtime(step.opened_at or step.created_at).date()
        status = gettext("To decide")
        if step.approver_id != user.pk:
            status = gettext("To decide for %(name)s") % {"name": step.approver}
        items.append(
            InboxItem(
                title=step.document.title,
                url=step.document.get_absolute_url(),
                status=status,
                needs_action=True,
                detail=_detail(step)
                + " · "
                + gettext("waiting since %(day)s") % {"day": since.isoformat()},
            )
        )
    return items


register_inbox_section(
    InboxSection(
        key="office.documents",
        title=_("Documents to approve"),
        order=25,
        items=_inbox_items,
        action_count=_awaiting_count,
        url="/office/documents/?show=awaiting",
    )
)
