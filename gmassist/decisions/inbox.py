"""The decisions' section of the employee's inbox: decisions to acknowledge first."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gmassist.core.inbox import InboxItem, InboxSection, register_inbox_section
from gmassist.decisions import selectors


def decision_inbox_items(user) -> list[InboxItem]:
    """The user's decisions: those to acknowledge (with their effective date as the due
    date), then the latest acknowledged or withdrawn."""
    items = []
    for row in selectors.inbox_acknowledgements(user=user):
        decision = row.decision
        if not decision.is_live:
            status = decision.get_status_display()
        elif row.acknowledged_at is None:
            status = (
                gettext("To acknowledge again")
                if row.acknowledged_version
                else gettext("To acknowledge")
            )
        else:
            status = gettext("Acknowledged")
        items.append(
            InboxItem(
                title=decision.title,
                url=reverse("decisions:detail", args=[decision.pk]),
                due=decision.effective_date,
                status=status,
                needs_action=decision.is_live and row.acknowledged_at is None,
                detail=decision.summary[:140],
            )
        )
    return items


def register() -> None:
    register_inbox_section(
        InboxSection(
            key="decisions",
            title=_("Decisions"),
            order=10,
            items=decision_inbox_items,
            action_count=lambda user: selectors.inbox_pending_count(user=user),
            url="/decisions/?pending=1",
        )
    )
