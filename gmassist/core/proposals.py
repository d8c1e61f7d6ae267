"""The registry of proposal kinds: how each app validates and applies what it proposes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gmassist.core.permissions import Domain

if TYPE_CHECKING:
    from gmassist.core.models import Proposal, User


@dataclass(frozen=True)
class ProposalKind:
    """One kind of proposal.

    validate(payload) -> payload: checks and normalises a payload; raises
        django.core.exceptions.ValidationError with a message per field. Called when the
        proposal is made and again, against the data as it is then, when it is approved.
    apply(proposal, by) -> dict: makes the change inside the approval's transaction and
        returns what it did (stored on the proposal as its result).
    subjects(payload) -> set of employee ids: the people the payload is about (whose pay,
        position, plan line or book it changes). Nobody decides a proposal about themselves,
        and one about a GM is decided outside the application (core.services'
        `proposal_check_may_decide`). Required: a kind that is about nobody returns set().
    domain: the permission domain (a `Domain`) the proposal belongs to: who may see it,
        propose it and decide it is that domain's rule.
    hr_may_approve: whether HR may approve it when its cost is below the GM's HR limit.
    reads: what reading such a proposal reveals about the people it is about (its
        `subjects`): AuditAction.READ_PAY for a pay change or a promotion, so that every page
        and endpoint showing one audits it as a read of their pay.
    describe(proposal) -> str: its title in the reader's language, from the payload (the
        stored title is in the language of whoever proposed it); optional.
    """

    kind: str
    label: str
    validate: Callable[[dict[str, Any]], dict[str, Any]]
    apply: Callable[[Proposal, User | None], dict[str, Any]]
    subjects: Callable[[dict[str, Any]], set[int]]
    domain: Domain = Domain.PEOPLE
    hr_may_approve: bool = True
    describe: Callable[[Proposal], str] | None = None
    reads: tuple[str, ...] = ()


_KINDS: dict[str, ProposalKind] = {}


def register_proposal_kind(kind: ProposalKind) -> ProposalKind:
    if not isinstance(kind.domain, Domain):
        raise TypeError(f"proposal kind {kind.kind!r}: domain {kind.domain!r} is not a Domain")
    if kind.kind in _KINDS and _KINDS[kind.kind] != kind:
        raise ValueError(f"proposal kind {kind.kind!r} is registered twice")
    _KINDS[kind.kind] = kind
    return kind


def proposal_kind(kind: str) -> ProposalKind:
    try:
        return _KINDS[kind]
    except KeyError:
        raise KeyError(f"unknown proposal kind {kind!r}; known: {sorted(_KINDS)}") from None


def registered_proposal_kinds() -> list[str]:
    return sorted(_KINDS)


def kinds_by_domain() -> dict[Domain, list[str]]:
    """The registered kinds of each domain, sorted (what `Proposal.restrict` reaches by)."""
    out: dict[Domain, list[str]] = {}
    for name in sorted(_KINDS):
        out.setdefault(_KINDS[name].domain, []).append(name)
    return out


def proposal_person_reads(proposal: Proposal) -> list[Any]:
    """What showing `proposal` reveals of the pay or risk of the people it is about (its
    kind's `reads`, for each of its subjects: one person, or every line of a batch)."""
    from gmassist.core.sensitive import PersonRead

    spec = _KINDS.get(proposal.kind)
    if spec is None or not spec.reads:
        return []
    numbers = {}
    if proposal.subject_employee_id is not None:
        numbers[proposal.subject_employee_id] = proposal.subject_employee.employee_no
    return [
        PersonRead(action, employee_id, numbers.get(employee_id, ""))
        for employee_id in sorted(proposal_subjects(proposal))
        for action in spec.reads
    ]


def proposal_subjects(proposal: Proposal) -> set[int]:
    """The ids of the employees `proposal` is about: what its kind finds in the payload, and
    the employee it names as its subject."""
    subjects = set(proposal_kind(proposal.kind).subjects(proposal.payload))
    if proposal.subject_employee_id is not None:
        subjects.add(proposal.subject_employee_id)
    return subjects
