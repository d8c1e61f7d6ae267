"""Proposal kinds of the workforce plan: a plan line's requisition. HR approves it (below the
GM's limit, a requisition costs nothing until someone is hired); a head proposes for their
subtree; approving opens it in the recruiting module and shares it with the chosen agencies."""

from django.utils.translation import gettext_lazy as _

from gmassist.core.permissions import Domain
from gmassist.core.proposals import ProposalKind, register_proposal_kind
from gmassist.workforce.services import (
    REQUISITIONS,
    requisition_apply,
    requisition_subjects,
    requisition_validate,
)

register_proposal_kind(
    ProposalKind(
        kind=REQUISITIONS,
        label=_("Requisition from the workforce plan"),
        validate=requisition_validate,
        apply=requisition_apply,
        subjects=requisition_subjects,
        domain=Domain.WORKFORCE,
        hr_may_approve=True,
    )
)
