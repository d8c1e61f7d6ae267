"""Proposal kinds of the talent app: the extras of an incentive-plan line (with its raise or
promotion, when it has one)."""

from django.utils.translation import gettext_lazy as _

from gmassist.core.choices import AuditAction
from gmassist.core.permissions import Domain
from gmassist.core.proposals import ProposalKind, effective_date_of, register_proposal_kind
from gmassist.org.services import employee_subject
from gmassist.talent.services import (
    INCENTIVE,
    incentive_apply,
    incentive_describe,
    incentive_validate,
)

register_proposal_kind(
    ProposalKind(
        kind=INCENTIVE,
        label=_("Incentives (bonus, options, leave, development)"),
        validate=incentive_validate,
        apply=incentive_apply,
        subjects=employee_subject,
        describe=incentive_describe,
        domain=Domain.PEOPLE,
        # the bonus and the base pay it may carry are the employee's pay
        reads=(AuditAction.READ_PAY,),
        # with a raise or promotion inside, the line takes effect on the pay change's day
        takes_effect=lambda payload: effective_date_of(
            (payload.get("pay") or {}).get("payload") or {}
        ),
    )
)
