"""Proposal kinds of the organisation app."""

from django.utils.translation import gettext_lazy as _

from gmassist.core.choices import AuditAction
from gmassist.core.permissions import Domain
from gmassist.core.proposals import ProposalKind, effective_date_of, register_proposal_kind
from gmassist.org.services import (
    PAY_CHANGE,
    PAY_CHANGE_BATCH,
    PROMOTION,
    employee_subject,
    pay_change_apply,
    pay_change_batch_apply,
    pay_change_batch_describe,
    pay_change_batch_subjects,
    pay_change_batch_validate,
    pay_change_describe,
    pay_change_validate,
    promotion_apply,
    promotion_describe,
    promotion_validate,
)

register_proposal_kind(
    ProposalKind(
        kind=PAY_CHANGE,
        label=_("Pay change"),
        validate=pay_change_validate,
        apply=pay_change_apply,
        subjects=employee_subject,
        describe=pay_change_describe,
        domain=Domain.PEOPLE,
        reads=(AuditAction.READ_PAY,),
        takes_effect=effective_date_of,
    )
)
register_proposal_kind(
    ProposalKind(
        kind=PROMOTION,
        label=_("Promotion"),
        validate=promotion_validate,
        apply=promotion_apply,
        subjects=employee_subject,
        describe=promotion_describe,
        domain=Domain.PEOPLE,
        reads=(AuditAction.READ_PAY,),
        takes_effect=effective_date_of,
    )
)
register_proposal_kind(
    ProposalKind(
        kind=PAY_CHANGE_BATCH,
        label=_("Pay changes (batch)"),
        validate=pay_change_batch_validate,
        apply=pay_change_batch_apply,
        subjects=pay_change_batch_subjects,
        describe=pay_change_batch_describe,
        domain=Domain.PEOPLE,
        takes_effect=effective_date_of,
    )
)
