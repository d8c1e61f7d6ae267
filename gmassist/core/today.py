"""Core's source of Today (office.today.registry): the proposals waiting for the reader's
decision, oldest first, each with the approve action that goes through
`core.services.proposal_approve` and its one rule (nobody decides their own case, HR's limit,
only the GM decides their own proposals). Registered when core's urls.py is imported."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from gmassist.core.choices import ProposalStatus, Role
from gmassist.core.models import Company, Proposal
from gmassist.core.permissions import user_role
from gmassist.office.today.registry import (
    TodayAction,
    TodayItem,
    TodaySource,
    Weight,
    register_today_source,
)


def _waiting(user: Any) -> list[tuple[Proposal, str]]:
    """The open proposals that wait on `user`, oldest first, each with "" when `user` may
    decide it, else why not: the GM's office is shown every open proposal it sees (the
    assistant prepares what the GM decides), anyone else only what they may decide."""
    from gmassist.core import selectors, services
    from gmassist.office.today.selectors import today_reach

    whole_office = today_reach(user) == "all"
    waiting = []
    open_proposals = selectors.proposals_visible(user=user, status=ProposalStatus.OPEN)
    for proposal in open_proposals.order_by("created_at", "id"):
        refusal = services.proposal_may_decide(proposal=proposal, by=user)
        if not refusal or whole_office:
            waiting.append((proposal, refusal))
    return waiting


def _why(user: Any, refusal: str) -> str:
    if not refusal:
        return gettext("Waiting for your decision")
    if user_role(user) == Role.GM:
        return refusal  # e.g. a proposal about the GM, decided outside the application
    return gettext("Waiting for the GM's decision")


def _detail(proposal: Proposal, currency: str) -> str:
    proposer = str(proposal.proposed_by) if proposal.proposed_by_id else gettext("the assistant")
    if not proposal.cost:
        return gettext("Proposed by %(who)s") % {"who": proposer}
    return gettext("Proposed by %(who)s · %(cost)s %(currency)s a year") % {
        "who": proposer,
        "cost": number_format(proposal.cost, decimal_pos=0, force_grouping=True),
        "currency": currency,
    }


def proposal_items(user: Any) -> list[TodayItem]:
    """The proposals waiting for `user`, as Today's lines (their pay is audited as read)."""
    from gmassist.core.sensitive import audit_rows_read

    waiting = _waiting(user)
    audit_rows_read(actor=user, rows=[proposal for proposal, _r in waiting], what="today")
    currency = Company.get().currency
    items = []
    for proposal, refusal in waiting:
        url = reverse("proposal", args=[proposal.pk])
        if refusal:
            action = TodayAction(kind="open", label=pgettext("a line of Today", "Open"), url=url)
        else:
            action = TodayAction(
                kind="approve",
                label=gettext("Approve"),
                url=reverse("office:today_approve", args=[proposal.pk]),
                method="post",
            )
        items.append(
            TodayItem(
                key=f"core.proposal:{proposal.pk}",
                title=proposal.display_title,
                why=_why(user, refusal),
                url=url,
                since=proposal.created_at,
                weight=Weight.NORMAL,
                action=action,
                about=f"core.proposal:{proposal.pk}",
                detail=_detail(proposal, currency),
            )
        )
    return items


def proposal_count(user: Any) -> int:
    """How many proposals wait for `user` (the badge: nothing is shown, nothing audited)."""
    return len(_waiting(user))


register_today_source(
    TodaySource(
        key="core.proposals",
        title=_("Proposals waiting"),
        order=10,
        items=proposal_items,
        count=proposal_count,
        url="/proposals/",
    )
)
