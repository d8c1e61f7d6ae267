"""Writes of core data: the audit log, users, proposals and jobs. Keyword-only, one transaction.

`by` is the actor: a user, or `SYSTEM` for the application itself (the demo generator, a
scheduled job, the CLI run by whoever has shell access to the server), which is recorded as no
one in the audit log and in who-made-it columns. `by=None` is nobody and may do nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, models, transaction
from django.utils import timezone

from gmassist.core.choices import Action, AuditAction, ProposalStatus, Role
from gmassist.core.jobs import ProgressListener, job_run
from gmassist.core.models import (
    ApiToken,
    AuditEntry,
    Company,
    ImportMapping,
    Job,
    Proposal,
    User,
)
from gmassist.core.permissions import (
    SYSTEM,
    Actor,
    Domain,
    acting_user,
    may,
    user_can_in_domain,
    user_role,
)
from gmassist.core.proposals import proposal_kind


def audit_record(
    *,
    actor: Actor | None,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str | int = "",
    target_repr: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Record one write, decision or sensitive read in the audit log."""
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or target.pk
        target_repr = target_repr or str(target)
    return AuditEntry.objects.create(
        actor=acting_user(actor),
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        target_repr=target_repr[:200],
        changes=changes or {},
    )


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    role: str = Role.EMPLOYEE,
    employee: models.Model | None = None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    by: Actor | None = SYSTEM,
) -> User:
    """Create a login with a role, linked to an employee record when given."""
    if role not in Role.values:
        raise ValidationError({"role": f"unknown role {role!r}; use one of {Role.values}"})
    user = User(
        username=username,
        role=role,
        employee=employee,
        email=email,
        first_name=first_name,
        last_name=last_name,
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(actor=by, action=AuditAction.CREATE, target=user, changes={"role": role})
    return user


@transaction.atomic
def user_set_role(*, user: User, role: str, by: Actor | None) -> User:
    """Change a login's role; recorded in the audit log."""
    if role not in Role.values:
        raise ValidationError({"role": f"unknown role {role!r}; use one of {Role.values}"})
    previous = user.role
    user.role = role
    user.save(update_fields=["role"])
    audit_record(
        actor=by, action=AuditAction.UPDATE, target=user, changes={"role": [previous, role]}
    )
    return user


# --- import mappings -------------------------------------------------------------------------


@transaction.atomic
def import_mapping_save(*, entity: str, name: str, toml: str, by: Actor | None) -> ImportMapping:
    """Save a named column mapping for files of `entity`, replacing one of the same name.

    The TOML text is checked first, so that a saved mapping can always be used.
    """
    from gmassist.lib.mapping import MappingError, parse_mapping

    if not user_can_in_domain(by, Domain.CATALOGUE, Action.CHANGE):
        raise PermissionDenied("your role may not save mappings")
    if not name.strip():
        raise ValidationError({"name": "give the mapping a name, e.g. the system it comes from"})
    try:
        parse_mapping(toml)
    except MappingError as exc:
        raise ValidationError({"toml": str(exc)}) from exc
    mapping, created = ImportMapping.objects.update_or_create(
        entity=entity, name=name.strip()[:100], defaults={"toml": toml}
    )
    audit_record(
        actor=by, action=AuditAction.CREATE if created else AuditAction.UPDATE, target=mapping
    )
    return mapping


# --- API tokens ------------------------------------------------------------------------------

API_TOKEN_PREFIX = "gma_"


def api_token_digest(key: str) -> str:
    """The stored form of an API key (SHA-256, hex): a leaked database leaks no usable key."""
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a personal API token; returns it with its key, which is shown this once only."""
    if not name.strip():
        raise ValidationError({"name": "give the token a name, e.g. the script that uses it"})
    key = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name.strip()[:100], digest=api_token_digest(key), prefix=key[:10]
    )
    audit_record(actor=user, action=AuditAction.CREATE, target=token)
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User) -> ApiToken:
    """Revoke a token; requests made with it are refused from now on."""
    if token.user_id != by.pk:
        raise PermissionDenied("you may revoke only your own tokens")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
        audit_record(actor=by, action=AuditAction.DELETE, target=token)
    return token


def api_token_user(*, key: str) -> User | None:
    """The active user a key belongs to, or None; notes when the token was last used."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=api_token_digest(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Written at most once a minute per token, so that API traffic does not become writes.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# --- proposals -------------------------------------------------------------------------------


@transaction.atomic
def proposal_create(
    *,
    kind: str,
    title: str,
    payload: dict[str, Any],
    rationale: str,
    by: Actor | None,
    evidence: list[Any] | None = None,
    cost: Decimal | int | str = Decimal("0"),
    expected_effect: str = "",
    department: models.Model | None = None,
    subject_employee: models.Model | None = None,
) -> Proposal:
    """Record a proposal after validating its payload; it changes nothing until approved.

    `cost` is the yearly cost in the company's currency (one-time costs count in full).
    A user proposes only for what their role lets them propose for (`restrict(.., "propose")`).
    """
    spec = proposal_kind(kind)
    if not rationale.strip():
        raise ValidationError({"rationale": "a proposal needs a rationale"})
    cleaned = spec.validate(payload)
    if not _may(by, spec.domain, Action.PROPOSE, department, subject_employee):
        raise PermissionDenied("you may not make proposals for this department or person")
    proposal = Proposal.objects.create(
        kind=kind,
        title=title[:200],
        payload=cleaned,
        rationale=rationale,
        evidence=evidence or [],
        cost=Decimal(cost),
        expected_effect=expected_effect,
        department=department,
        subject_employee=subject_employee,
        proposed_by=acting_user(by),
    )
    audit_record(actor=by, action=AuditAction.PROPOSE, target=proposal, changes={"kind": kind})
    return proposal


def _may(
    user: Actor | None,
    domain: Domain,
    action: str,
    department: models.Model | None,
    employee: models.Model | None,
) -> bool:
    """The permission rule for a proposal's subject: a person, else a department, else all."""
    return may(
        user,
        domain,
        action,
        department_id=department.pk if department is not None else None,
        employee=employee,
    )


def _check_may_decide(proposal: Proposal, by: User) -> None:
    spec = proposal_kind(proposal.kind)
    role = user_role(by)
    if not _may(by, spec.domain, Action.APPROVE, proposal.department, proposal.subject_employee):
        raise PermissionDenied("your role may not decide this proposal")
    if role == Role.HR:
        limit = Company.get().hr_approval_limit
        if not spec.hr_may_approve or proposal.cost >= limit:
            raise PermissionDenied(
                f"HR may decide people proposals costing less than {limit:,.2f} a year; "
                f"this one costs {proposal.cost:,.2f}: the GM decides it"
            )
    if role != Role.GM and proposal.proposed_by_id == by.pk:
        raise PermissionDenied("only the GM may decide a proposal they made themselves")


def _locked_open(proposal: Proposal) -> Proposal:
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.status != ProposalStatus.OPEN:
        raise ValidationError(f"proposal #{locked.pk} is already {locked.get_status_display()}")
    return locked


@transaction.atomic
def proposal_approve(*, proposal: Proposal, by: User, comment: str = "") -> Proposal:
    """Approve and apply a proposal in one transaction; on any error nothing changes."""
    _check_may_decide(proposal, by)
    locked = _locked_open(proposal)
    spec = proposal_kind(locked.kind)
    locked.payload = spec.validate(locked.payload)  # the data may have moved since it was made
    now = timezone.now()
    locked.status = ProposalStatus.APPLIED
    locked.decided_by = acting_user(by)
    locked.decided_at = now
    locked.decision_comment = comment
    locked.applied_at = now
    locked.result = spec.apply(locked, by)
    locked.save()
    audit_record(actor=by, action=AuditAction.APPROVE, target=locked, changes={"comment": comment})
    audit_record(actor=by, action=AuditAction.APPLY, target=locked, changes=locked.result)
    return locked


@transaction.atomic
def proposal_reject(*, proposal: Proposal, by: User, comment: str) -> Proposal:
    """Reject a proposal; it is kept, with who rejected it, when and why."""
    if not comment.strip():
        raise ValidationError({"comment": "say why the proposal is rejected"})
    _check_may_decide(proposal, by)
    locked = _locked_open(proposal)
    locked.status = ProposalStatus.REJECTED
    locked.decided_by = acting_user(by)
    locked.decided_at = timezone.now()
    locked.decision_comment = comment
    locked.save()
    audit_record(actor=by, action=AuditAction.REJECT, target=locked, changes={"comment": comment})
    return locked


@transaction.atomic
def proposal_withdraw(*, proposal: Proposal, by: User) -> Proposal:
    """Withdraw one's own open proposal."""
    if proposal.proposed_by_id != by.pk and user_role(by) != Role.GM:
        raise PermissionDenied("only the person who made a proposal may withdraw it")
    locked = _locked_open(proposal)
    locked.status = ProposalStatus.WITHDRAWN
    locked.decided_by = acting_user(by)
    locked.decided_at = timezone.now()
    locked.save()
    audit_record(actor=by, action=AuditAction.WITHDRAW, target=locked)
    return locked


# --- jobs ------------------------------------------------------------------------------------


def job_submit(
    *,
    kind: str,
    params: dict[str, Any],
    by: Actor | None,
    wait: bool = False,
    listener: ProgressListener | None = None,
) -> Job:
    """Record a job and start it: on Celery when a broker is configured, else in this process.

    In-process, `wait=True` runs it now in this thread (the CLI, with `listener` driving its
    progress bar); `wait=False` runs it in a background thread (the web UI polls the Job row).
    With Celery the job is queued and this returns at once; poll the Job row for progress.
    """
    job = Job.objects.create(kind=kind, params=params, created_by=acting_user(by))
    if settings.CELERY_BROKER_URL:
        from gmassist.core.tasks import run_job

        transaction.on_commit(lambda: run_job.delay(job.pk))
        return job
    if wait:
        return job_run(job.pk, listener=listener)
    thread = threading.Thread(target=_run_in_thread, args=(job.pk,), daemon=True)
    transaction.on_commit(thread.start)
    return job


def _run_in_thread(job_id: int) -> None:
    try:
        job_run(job_id)
    finally:
        # The thread's own connections end with it (CONN_MAX_AGE would otherwise keep them open
        # with nobody to reuse them).
        connections.close_all()


def recurring_jobs_submit_due(
    *,
    now: dt.datetime | None = None,
    submit: Callable[[str], Job] | None = None,
) -> list[Job]:
    """Submit every recurring job that is due at `now` (core.schedule) as the system (`SYSTEM`);
    returns the jobs, in the order of their kinds.

    `submit(kind) -> Job` starts one job; by default it is queued (`job_submit` without waiting:
    Celery beat), the CLI passes one that runs it with a progress bar. Two schedulers looking at
    the same moment could both submit a job; a job is safe to run twice, and the second finds
    its work done."""
    from gmassist.core.selectors import recurring_job_states

    start = submit or (lambda kind: job_submit(kind=kind, params={}, by=SYSTEM))
    return [start(state.job.kind) for state in recurring_job_states(now=now) if state.due]
