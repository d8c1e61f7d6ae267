"""Proposal kinds of the organisation app."""

from django.utils.translation import gettext_lazy as _

from gmassist.core.proposals import ProposalKind, register_proposal_kind
from gmassist.org.services import (
    PAY_CHANGE,
    pay_change_apply,
    pay_change_describe,
    pay_change_validate,
)

register_proposal_kind(
    ProposalKind(
        kind=PAY_CHANGE,
        label=_("Pay change"),
        validate=pay_change_validate,
        apply=pay_change_apply,
        describe=pay_change_describe,
        domain="people",
    )
)
