"""Proposal kinds of the customers app: re-tiering, re-matching account managers, re-routing
service channels. Only the GM approves them (domain "customers", HR never)."""

from django.utils.translation import gettext_lazy as _

from gmassist.core.permissions import Domain
from gmassist.core.proposals import ProposalKind, register_proposal_kind
from gmassist.customers.services import (
    REASSIGN,
    REROUTE,
    RETIER,
    reassign_apply,
    reassign_describe,
    reassign_subjects,
    reassign_validate,
    reroute_apply,
    reroute_describe,
    reroute_subjects,
    reroute_validate,
    retier_apply,
    retier_describe,
    retier_subjects,
    retier_validate,
)

register_proposal_kind(
    ProposalKind(
        kind=RETIER,
        label=_("Customer re-tiering"),
        validate=retier_validate,
        apply=retier_apply,
        subjects=retier_subjects,
        describe=retier_describe,
        domain=Domain.CUSTOMERS,
        hr_may_approve=False,
    )
)

register_proposal_kind(
    ProposalKind(
        kind=REASSIGN,
        label=_("Account-manager re-matching"),
        validate=reassign_validate,
        apply=reassign_apply,
        subjects=reassign_subjects,
        describe=reassign_describe,
        domain=Domain.CUSTOMERS,
        hr_may_approve=False,
    )
)

register_proposal_kind(
    ProposalKind(
        kind=REROUTE,
        label=_("Service-channel re-routing"),
        validate=reroute_validate,
        apply=reroute_apply,
        subjects=reroute_subjects,
        describe=reroute_describe,
        domain=Domain.CUSTOMERS,
        hr_may_approve=False,
    )
)
