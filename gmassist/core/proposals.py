"""The registry of proposal kinds: how each app validates and applies what it proposes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from gmassist.core.job_pages import JobPage, register_job_page
from gmassist.core.jobs import JobContext, JobError, job_handler
from gmassist.core.permissions import Domain
from gmassist.core.schedule import DAY, recurring_job

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
    takes_effect(payload) -> date or None: the day the change takes effect, for a kind with
        one (a pay change, a promotion). Approved before that day, it is scheduled and applied
        on the day by the `core.apply_due` job; approved on or after it, it is applied at once.
        Optional: without it a kind is applied when approved.
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
    takes_effect: Callable[[dict[str, Any]], dt.date | None] | None = None


def effective_date_of(payload: dict[str, Any]) -> dt.date | None:
    """`takes_effect` for a payload with an ISO `effective_date` (None without one)."""
    value = payload.get("effective_date")
    return dt.date.fromisoformat(str(value)) if value else None


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


# --- applying scheduled proposals on their day ----------------------------------------------

APPLY_DUE = "core.apply_due"


@job_handler(APPLY_DUE)
def apply_due(ctx: JobContext, *, today: str | None = None) -> dict[str, Any]:
    """Apply the approved proposals whose day has come (`today`: ISO date, for a catch-up
    or a test; the company's today by default)."""
    from gmassist.core.services import proposals_apply_due

    try:
        day = dt.date.fromisoformat(today) if today else None
    except ValueError as exc:
        raise JobError(f"today {today!r} is not a date (YYYY-MM-DD)") from exc
    ctx.progress(5, "Applying the approved changes whose day has come")
    done = proposals_apply_due(today=day)
    ctx.progress(100, "Done")
    return done


# just after midnight: a change effective on a day holds from its start
recurring_job(
    APPLY_DUE, every=DAY, hour=0, summary="apply approved changes on the day they take effect"
)
register_job_page(
    JobPage(
        kind=APPLY_DUE,
        title=_("Approved changes taking effect"),
        section=(_("Proposals"), "proposals"),
        back="proposals-history",
    )
)
