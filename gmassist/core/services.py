"""Writes of core data: the audit log, users, proposals and jobs. Keyword-only, one transaction.

`by` is the actor: a user, or `SYSTEM` for the application itself (the demo generator, a
scheduled job, the CLI run by whoever has shell access to the server), which is recorded as no
one in the audit log and in who-made-it columns. `by=None` is nobody and may do nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable, Collection
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext

from gmassist.core.choices import Action, AuditAction, JobStatus, ProposalStatus, Role
from gmassist.core.jobs import ProgressListener, job_run, queued_jobs_to_resend, recover_stale_jobs
from gmassist.core.models import (
    ApiToken,
    AuditEntry,
    Company,
    ImportMapping,
    Job,
    Proposal,
    SavedView,
    User,
)
from gmassist.core.permissions import (
    ALL,
    SYSTEM,
    Actor,
    Domain,
    acting_user,
    may,
    reach,
    user_can,
    user_can_in_domain,
    user_role,
)
from gmassist.core.proposals import proposal_kind, proposal_subjects
from gmassist.lib.phrases import Phrase


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


# --- saved views -----------------------------------------------------------------------------

SAVED_VIEW_NAME_MAX = 80
# a saved query is a page's address parameters; an address longer than this is no saved view
SAVED_VIEW_QUERY_MAX = 4000


def saved_view_may_share(*, user: Actor | None, domain: Domain) -> bool:
    """Whether `user` may share views of a page of `domain` with a role: the roles that see
    all of the domain (for people: the GM, the assistant and HR). They run the function for the
    whole company, so what they name and share is a convention for everyone; a head sees one
    subtree, and a filter of theirs (one of their departments) means nothing to other heads."""
    return reach(user, domain, Action.VIEW) == ALL


def _saved_view_checked(
    *,
    by: Actor | None,
    name: str,
    shared_with_role: str,
    domain: Domain,
    roles: Collection[str],
    was_shared_with: str = "",
) -> str:
    """The name to store, once `name` and the sharing are checked (ValidationError by field,
    PermissionDenied for a share `by` may not make)."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": gettext("Give the view a name.")})
    if len(name) > SAVED_VIEW_NAME_MAX:
        raise ValidationError(
            {"name": gettext("At most %(n)d characters.") % {"n": SAVED_VIEW_NAME_MAX}}
        )
    if shared_with_role and shared_with_role not in roles:
        raise ValidationError(
            {"shared_with_role": gettext("That role does not use this page: share with another.")}
        )
    # making a view private is always allowed; sharing it with a role is not
    sharing = shared_with_role and shared_with_role != was_shared_with
    if sharing and not saved_view_may_share(user=by, domain=domain):
        raise PermissionDenied(gettext("Your role may not share views of this page."))
    return name


def _saved_view_query_checked(query: dict[str, list[str]]) -> dict[str, list[str]]:
    if not isinstance(query, dict) or not all(
        isinstance(key, str)
        and isinstance(values, list)
        and all(isinstance(v, str) for v in values)
        for key, values in query.items()
    ):
        raise ValidationError({"query": "a saved query maps each parameter to a list of texts"})
    if sum(len(key) + sum(len(v) + 1 for v in values) for key, values in query.items()) > (
        SAVED_VIEW_QUERY_MAX
    ):
        raise ValidationError({"query": gettext("This view is too long to save.")})
    return query


@transaction.atomic
def saved_view_save(
    *,
    by: User,
    page: str,
    name: str,
    query: dict[str, list[str]],
    domain: Domain,
    roles: Collection[str],
    shared_with_role: str = "",
) -> SavedView:
    """Save `query` (the list page `page`'s address parameters, each with its list of values,
    already checked against the page) under `name` for `by`, private or shared with the role
    `shared_with_role` (one of `roles`, the roles that use the page; sharing is for the roles
    `saved_view_may_share` allows in the page's `domain`). A view of `by`'s of the same name
    on the page is replaced. Audited."""
    query = _saved_view_query_checked(query)
    existing = SavedView.objects.filter(owner=by, page=page, name=" ".join(name.split())).first()
    name = _saved_view_checked(
        by=by,
        name=name,
        shared_with_role=shared_with_role,
        domain=domain,
        roles=roles,
        was_shared_with=existing.shared_with_role if existing else "",
    )
    view, created = SavedView.objects.update_or_create(
        owner=by,
        page=page,
        name=name,
        defaults={"query": query, "shared_with_role": shared_with_role},
    )
    audit_record(
        actor=by,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        target=view,
        changes={"query": query, "shared_with_role": shared_with_role},
    )
    return view


def _saved_view_check_may_change(view: SavedView, by: Actor | None) -> None:
    if not user_can(by, Action.CHANGE, view):
        raise PermissionDenied(gettext("Only its owner or the GM may change this view."))


@transaction.atomic
def saved_view_update(
    *,
    view: SavedView,
    by: User,
    name: str,
    shared_with_role: str,
    domain: Domain,
    roles: Collection[str],
) -> SavedView:
    """Rename a saved view or change whom it is shared with (its owner, or the GM for a
    shared one); the same checks as `saved_view_save`. Audited with the old and new values."""
    _saved_view_check_may_change(view, by)
    name = _saved_view_checked(
        by=by,
        name=name,
        shared_with_role=shared_with_role,
        domain=domain,
        roles=roles,
        was_shared_with=view.shared_with_role,
    )
    clash = SavedView.objects.filter(owner_id=view.owner_id, page=view.page, name=name)
    if clash.exclude(pk=view.pk).exists():
        raise ValidationError({"name": gettext("Another view of this page has that name.")})
    changes = {
        field: [old, new]
        for field, old, new in (
            ("name", view.name, name),
            ("shared_with_role", view.shared_with_role, shared_with_role),
        )
        if old != new
    }
    view.name, view.shared_with_role = name, shared_with_role
    view.save(update_fields=["name", "shared_with_role", "updated_at"])
    audit_record(actor=by, action=AuditAction.UPDATE, target=view, changes=changes)
    return view


@transaction.atomic
def saved_view_delete(*, view: SavedView, by: User) -> None:
    """Delete a saved view (its owner, or the GM for a shared one). Audited."""
    _saved_view_check_may_change(view, by)
    audit_record(
        actor=by,
        action=AuditAction.DELETE,
        target=view,
        changes={"query": view.query, "shared_with_role": view.shared_with_role},
    )
    view.delete()


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


def api_token_find(*, key: str) -> ApiToken | None:
    """The active token a key belongs to (with its active user), or None. Writes nothing: when
    the token was last used is noted after the request (`api_token_note_use`), and not at all
    for an anonymous act (see core/anonymity.py)."""
    return (
        ApiToken.objects.select_related("user")
        .filter(digest=api_token_digest(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )


def api_token_note_use(*, token: ApiToken, now: dt.datetime | None = None) -> None:
    """Note that `token` was used at `now` (default: the current time). Written at most once a
    minute per token, so that API traffic does not become writes. Never called for a request
    that is an anonymous act: the time would tie the act to the token's owner."""
    now = now or timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)


# --- proposals -------------------------------------------------------------------------------


@transaction.atomic
def proposal_create(
    *,
    kind: str,
    title: str,
    payload: dict[str, Any],
    rationale: str | Phrase,
    by: Actor | None,
    evidence: list[Any] | None = None,
    cost: Decimal | int | str = Decimal("0"),
    expected_effect: str | Phrase = "",
    department: models.Model | None = None,
    subject_employee: models.Model | None = None,
) -> Proposal:
    """Record a proposal after validating its payload; it changes nothing until approved.

    `cost` is the yearly cost in the company's currency (one-time costs count in full).
    A user proposes only for what their role lets them propose for (`restrict(.., "propose")`).
    A generated `rationale` or `expected_effect` is a `Phrase`: stored as template and params
    (`Proposal.texts`) and shown in the reader's language, its English kept in the field.
    """
    spec = proposal_kind(kind)
    texts = {
        name: value.as_dict()
        for name, value in (("rationale", rationale), ("expected_effect", expected_effect))
        if isinstance(value, Phrase)
    }
    rationale, expected_effect = str(rationale), str(expected_effect)
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
        texts=texts,
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


def gm_employee_ids() -> set[int]:
    """The employee records of the users who act as the GM (role gm, or superusers)."""
    return set(
        User.objects.filter(is_active=True, employee__isnull=False)
        .filter(models.Q(role=Role.GM) | models.Q(is_superuser=True))
        .values_list("employee_id", flat=True)
    )


def proposal_needs_outside_decision(
    *, proposal: Proposal, gm_employees: set[int] | None = None
) -> bool:
    """True when `proposal` is about a GM (their pay, promotion, anything about them): nobody
    in the application stands above the GM, so it is decided outside it (by the board, the
    owners) and the decision is recorded (`proposal_record_outside_decision`).

    `gm_employees` is `gm_employee_ids()` when the caller has it already (a list of many)."""
    gms = gm_employee_ids() if gm_employees is None else gm_employees
    return bool(proposal_subjects(proposal) & gms)


OUTSIDE_DECISION = "outside"  # about a GM: decided outside the application
OWN_CASE = "own_case"  # about the decider: nobody decides their own case


def subject_conflict(
    *, subjects: set[int], by: User | None, gm_employees: set[int] | None = None
) -> str:
    """Why `by` may not decide a matter about the employees `subjects` whatever their role:
    OUTSIDE_DECISION when one is a GM, OWN_CASE when one is `by` themself, "" when neither.
    The subject part of the one decision rule (`proposal_check_may_decide`); an incentive plan
    asks it to leave its deciders out of its candidates. `gm_employees` as in
    `proposal_needs_outside_decision`."""
    gms = gm_employee_ids() if gm_employees is None else gm_employees
    if subjects & gms:
        return OUTSIDE_DECISION
    employee_id = getattr(by, "employee_id", None)
    if employee_id is not None and employee_id in subjects:
        return OWN_CASE
    return ""


def _check_may_decide_as(proposal: Proposal, by: Any) -> None:
    """The rule for `by` deciding `proposal` in their own right; raises PermissionDenied."""
    spec = proposal_kind(proposal.kind)
    role = user_role(by)
    if not _may(by, spec.domain, Action.APPROVE, proposal.department, proposal.subject_employee):
        raise PermissionDenied("your role may not decide this proposal")
    _check_subjects(proposal, by)
    if role == Role.HR:
        limit = Company.get().hr_approval_limit
        if not spec.hr_may_approve or proposal.cost >= limit:
            raise PermissionDenied(
                f"HR may decide people proposals costing less than {limit:,.2f} a year; "
                f"this one costs {proposal.cost:,.2f}: the GM decides it"
            )
    if role != Role.GM and proposal.proposed_by_id == by.pk:
        raise PermissionDenied("only the GM may decide a proposal they made themselves")


def _check_subjects(proposal: Proposal, by: Any) -> None:
    """The subject part of the rule: nothing about a GM, nothing about `by` themself."""
    conflict = subject_conflict(subjects=proposal_subjects(proposal), by=by)
    if conflict == OUTSIDE_DECISION:
        raise PermissionDenied(
            gettext(
                "This proposal is about the GM: it is decided outside the application. The GM "
                "or the assistant records that decision (who decided, when, the reference)."
            )
        )
    if conflict == OWN_CASE:
        raise PermissionDenied(
            gettext("This proposal is about you: nobody decides their own case.")
        )


def proposal_check_may_decide(
    *, proposal: Proposal, by: User, on: dt.date | None = None
) -> User | None:
    """The one rule for deciding (approving or rejecting) a proposal inside the application;
    raises PermissionDenied with the reason. Every path goes through it: the page, the API,
    the CLI and an incentive plan's approval all decide with proposal_approve/_reject.

    In order: the role must reach the proposal's department or person; a proposal about a GM
    is decided outside the application; nobody decides a proposal about themselves (its kind's
    `subjects`); HR decides people proposals below the GM's limit only; only the GM
    decides a proposal they made.

    Returns None when `by` decides in their own right, or the principal on whose behalf `by`
    decides as their deputy on the day `on` (default: today; core.ApprovalDeputy): a deputy
    may decide what the principal could (the principal's reach, the HR limit when the principal
    is HR, never a proposal the principal made unless they are the GM), and the subject rule
    holds for both: never about the deputy, the principal or a GM, never one the deputy made.
    """
    from gmassist.core.selectors import deputy_principals

    try:
        _check_may_decide_as(proposal, by)
    except PermissionDenied as own_refusal:
        principals = deputy_principals(by, on=on)
        if not principals:
            raise
        _check_subjects(proposal, by)
        if proposal.proposed_by_id is not None and proposal.proposed_by_id == by.pk:
            raise PermissionDenied(
                gettext("You made this proposal: as a deputy you may not decide it.")
            ) from own_refusal
        refusal: PermissionDenied = own_refusal
        for principal in principals:
            try:
                _check_may_decide_as(proposal, principal)
            except PermissionDenied as exc:
                refusal = exc
                continue
            return principal
        raise refusal from None
    return None


def on_behalf_of(principal: Any) -> dict[str, Any]:
    """What an audit entry says of a decision taken as a deputy: for whom ({} in one's own
    right)."""
    if principal is None:
        return {}
    return {"on_behalf_of": str(principal), "on_behalf_of_user_id": principal.pk}


def proposal_may_decide(*, proposal: Proposal, by: User) -> str:
    """ "" when `by` may decide `proposal` inside the application, else the reason why not
    (`proposal_check_may_decide`'s), for a page to show instead of the decision form."""
    try:
        proposal_check_may_decide(proposal=proposal, by=by)
    except PermissionDenied as exc:
        return str(exc) or gettext("Your role may not decide this proposal.")
    return ""


def _locked_open(proposal: Proposal) -> Proposal:
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.status != ProposalStatus.OPEN:
        raise ValidationError(f"proposal #{locked.pk} is already {locked.get_status_display()}")
    return locked


def _apply_or_schedule(
    proposal: Proposal, *, by: Any, now: dt.datetime, decision: dict[str, Any]
) -> None:
    """Record the approval of a locked, validated proposal (`decision`: what its audit entry
    says) and apply it now, or schedule it when its kind's `takes_effect` day is after today
    (company time); `proposals_apply_due` applies it on that day."""
    spec = proposal_kind(proposal.kind)
    proposal.effective_on = spec.takes_effect(proposal.payload) if spec.takes_effect else None
    later = proposal.effective_on is not None and proposal.effective_on > timezone.localdate(now)
    if later:
        proposal.status = ProposalStatus.SCHEDULED
        decision = {**decision, "takes_effect_on": proposal.effective_on.isoformat()}
    else:
        proposal.status = ProposalStatus.APPLIED
        proposal.applied_at = now
        proposal.result = spec.apply(proposal, by)
    proposal.save()
    audit_record(actor=by, action=AuditAction.APPROVE, target=proposal, changes=decision)
    if not later:
        audit_record(actor=by, action=AuditAction.APPLY, target=proposal, changes=proposal.result)


@transaction.atomic
def proposal_approve(*, proposal: Proposal, by: User, comment: str = "") -> Proposal:
    """Approve a proposal in one transaction, and apply it: now, or on the day it takes effect
    when that is later (it is then "scheduled"); on any error nothing changes."""
    principal = proposal_check_may_decide(proposal=proposal, by=by)
    locked = _locked_open(proposal)
    spec = proposal_kind(locked.kind)
    locked.payload = spec.validate(locked.payload)  # the data may have moved since it was made
    now = timezone.now()
    locked.decided_by = acting_user(by)
    locked.decided_at = now
    locked.decision_comment = comment
    decision = {"comment": comment, **on_behalf_of(principal)}
    _apply_or_schedule(locked, by=by, now=now, decision=decision)
    return locked


def proposals_apply_due(*, today: dt.date | None = None) -> dict[str, list[int]]:
    """Apply every scheduled proposal whose day has come (`today`, company time, by default
    now's): each in its own transaction, checked again against the data as it is then. One the
    data no longer allows (the employee left, say) lapses with its reason, and the rest go on.
    Safe to run twice or side by side: a proposal is applied once. Returns the ids
    {"applied": [...], "lapsed": [...]}. The `core.apply_due` job runs it every day."""
    today = today or timezone.localdate()
    due = Proposal.objects.filter(status=ProposalStatus.SCHEDULED, effective_on__lte=today)
    done: dict[str, list[int]] = {"applied": [], "lapsed": []}
    for pk in due.order_by("effective_on", "id").values_list("pk", flat=True):
        with transaction.atomic():
            locked = (
                Proposal.objects.select_for_update()
                .filter(pk=pk, status=ProposalStatus.SCHEDULED)
                .first()
            )
            if locked is None:  # applied meanwhile by another run
                continue
            spec = proposal_kind(locked.kind)
            try:
                with transaction.atomic():
                    locked.payload = spec.validate(locked.payload)
                    locked.result = spec.apply(locked, SYSTEM)
            except ValidationError as exc:
                locked.status = ProposalStatus.LAPSED
                locked.result = {
                    "error": exc.message_dict if hasattr(exc, "error_dict") else exc.messages
                }
                locked.save()
                audit_record(
                    actor=SYSTEM,
                    action=AuditAction.UPDATE,
                    target=locked,
                    changes={
                        "status": [ProposalStatus.SCHEDULED, ProposalStatus.LAPSED],
                        **locked.result,
                    },
                )
                done["lapsed"].append(pk)
                continue
            locked.status = ProposalStatus.APPLIED
            locked.applied_at = timezone.now()
            locked.save()
            audit_record(
                actor=SYSTEM, action=AuditAction.APPLY, target=locked, changes=locked.result
            )
            done["applied"].append(pk)
    return done


@transaction.atomic
def proposal_reject(*, proposal: Proposal, by: User, comment: str) -> Proposal:
    """Reject a proposal; it is kept, with who rejected it, when and why."""
    if not comment.strip():
        raise ValidationError({"comment": "say why the proposal is rejected"})
    principal = proposal_check_may_decide(proposal=proposal, by=by)
    locked = _locked_open(proposal)
    locked.status = ProposalStatus.REJECTED
    locked.decided_by = acting_user(by)
    locked.decided_at = timezone.now()
    locked.decision_comment = comment
    locked.save()
    audit_record(
        actor=by,
        action=AuditAction.REJECT,
        target=locked,
        changes={"comment": comment, **on_behalf_of(principal)},
    )
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


OUTSIDE_RECORDERS = (Role.GM, Role.ASSISTANT)


@transaction.atomic
def proposal_record_outside_decision(
    *,
    proposal: Proposal,
    by: User,
    approved: bool,
    decided_by: str,
    decided_on: dt.date,
    reference: str,
    comment: str = "",
) -> Proposal:
    """Record the decision taken outside the application on a proposal about the GM: who
    decided it there (`decided_by`, e.g. "Board of directors"), on which day, and the reference
    of the record (minutes, resolution number). Approved, it is applied now in this
    transaction, as an approval would be; rejected, it is kept. The GM or the assistant records
    it (`by`, stored as decided_by); the audit log has both."""
    if user_role(by) not in OUTSIDE_RECORDERS:
        raise PermissionDenied(gettext("Only the GM or the assistant records outside decisions."))
    if not proposal_needs_outside_decision(proposal=proposal):
        raise ValidationError(
            gettext("This proposal is decided inside the application: approve or reject it.")
        )
    errors = {}
    if not decided_by.strip():
        errors["decided_by"] = gettext("say who decided it, e.g. the board of directors")
    if not reference.strip():
        errors["reference"] = gettext("give the reference of the decision, e.g. the minutes")
    if decided_on > timezone.localdate():
        errors["decided_on"] = gettext("the decision cannot be in the future")
    if errors:
        raise ValidationError(errors)
    locked = _locked_open(proposal)
    spec = proposal_kind(locked.kind)
    now = timezone.now()
    locked.decided_by = by
    locked.decided_at = now
    locked.decision_comment = comment
    locked.outside_decided_by = decided_by.strip()[:200]
    locked.outside_decided_on = decided_on
    locked.outside_reference = reference.strip()[:200]
    outside = {
        "decided_outside_by": locked.outside_decided_by,
        "decided_outside_on": decided_on.isoformat(),
        "reference": locked.outside_reference,
        "comment": comment,
    }
    if approved:
        locked.payload = spec.validate(locked.payload)
        _apply_or_schedule(locked, by=by, now=now, decision=outside)
    else:
        locked.status = ProposalStatus.REJECTED
        locked.save()
        audit_record(actor=by, action=AuditAction.REJECT, target=locked, changes=outside)
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
    """Record a job as queued for a worker: a Celery worker when a broker is configured, else
    the embedded worker process (`gmassist worker`, which `gmassist serve` starts).

    Without a broker, `wait=True` runs it now in this process instead (the CLI, with `listener`
    driving its progress bar), and GMASSIST_JOBS_EAGER runs every job here once the submitting
    transaction commits (tests). Never in a thread of a web worker: gunicorn may kill that
    worker (a timeout, a restart) and the job with it. With Celery this returns at once; poll
    the Job row for progress.
    """
    job = Job.objects.create(kind=kind, params=params, created_by=acting_user(by))
    if settings.CELERY_BROKER_URL:
        transaction.on_commit(lambda: _send_to_celery(job.pk))
    elif wait:
        return job_run(job.pk, listener=listener)
    elif settings.GMASSIST_JOBS_EAGER:
        transaction.on_commit(lambda: job_run(job.pk))
    return job


def _send_to_celery(job_id: int) -> None:
    from gmassist.core.tasks import run_job

    run_job.delay(job_id)


def jobs_recover_stale(*, now: dt.datetime | None = None) -> list[Job]:
    """Queue again every running job whose heartbeat stopped (its worker was lost), or fail it
    with its reason after GMASSIST_JOB_MAX_TRIES tries; on Celery the queued ones are sent to
    the workers again, and so is every job queued for GMASSIST_JOB_RESEND_SECONDS that no
    worker took (its message lost). Returns the recovered jobs as they are now.

    The embedded worker and every Celery worker call this on their own (core.worker,
    core.tasks), and the schedule does before it looks for due jobs."""
    jobs = recover_stale_jobs(now=now)
    if settings.CELERY_BROKER_URL:
        for job in jobs:
            if job.status == JobStatus.QUEUED:
                transaction.on_commit(lambda pk=job.pk: _send_to_celery(pk))
        # a queued job whose message the broker lost would wait forever
        for pk in queued_jobs_to_resend(now=now):
            transaction.on_commit(lambda pk=pk: _send_to_celery(pk))
    return jobs


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

    # a job stuck "running" because its worker died must not stand for its slot's run
    jobs_recover_stale()
    start = submit or (lambda kind: job_submit(kind=kind, params={}, by=SYSTEM))
    return [start(state.job.kind) for state in recurring_job_states(now=now) if state.due]


# --- notes on records ------------------------------------------------------------------------


@transaction.atomic
def note_add(
    *,
    record: models.Model,
    by: Actor | None,
    body: str = "",
    attachment: Any = None,
    holds_pay: bool = False,
) -> Any:
    """Add a note to `record` (a model registered with `core.notes.register_noted_record`),
    with an optional `attachment` (an uploaded file: one of `notes.ATTACHMENT_EXTENSIONS`, at
    most ATTACHMENT_MAX_BYTES); `holds_pay` puts the attachment under the pay rule. Only who
    may read the record's notes adds one. Audited (the file by its name and size)."""
    import os

    from gmassist.core.models import Note
    from gmassist.core.notes import ATTACHMENT_EXTENSIONS, noted_record

    noted = noted_record(record._meta.label_lower)
    if noted is None or not noted.may_read(by, record):
        raise PermissionDenied("your role may not add notes to this record")
    body = (body or "").strip()
    errors: dict[str, str] = {}
    name = ""
    if attachment is not None:
        name = os.path.basename(str(attachment.name or ""))[:200]
        extension = os.path.splitext(name)[1].lower()
        if extension not in ATTACHMENT_EXTENSIONS:
            errors["attachment"] = gettext(
                "a %(extension)s file cannot be attached; use %(known)s"
            ) % {
                "extension": extension or gettext("nameless"),
                "known": ", ".join(ATTACHMENT_EXTENSIONS),
            }
        elif attachment.size > settings.ATTACHMENT_MAX_BYTES:
            errors["attachment"] = gettext("the file is %(size)s MB; at most %(limit)s MB") % {
                "size": f"{attachment.size / 1024 / 1024:.1f}",
                "limit": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024),
            }
    if not body and attachment is None:
        errors["body"] = gettext("write a note or attach a file")
    if holds_pay and attachment is None:
        errors["holds_pay"] = gettext("only an attachment can hold pay")
    if errors:
        raise ValidationError(errors)
    note = Note(
        target_type=record._meta.label_lower,
        target_id=str(record.pk),
        author=acting_user(by),
        body=body,
        holds_pay=holds_pay,
        attachment_name=name,
        attachment_size=attachment.size if attachment is not None else 0,
    )
    if attachment is not None:
        note.attachment.save(name, attachment, save=False)
    note.save()
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        target=note,
        changes={
            "record": f"{note.target_type}#{note.target_id}",
            **({"file": name, "bytes": note.attachment_size} if name else {}),
            **({"holds_pay": True} if holds_pay else {}),
        },
    )
    return note


# --- deputies --------------------------------------------------------------------------------

# the longest a deputyship may run: an absence, not a standing delegation of authority
DEPUTY_MAX_DAYS = 366


def _deputy_may_name(by: Any, principal: User) -> bool:
    """The principal names their own deputy; the GM's office may name one for anyone."""
    return _is_user(by, principal) or reach(by, Domain.DEPUTIES, Action.CHANGE) == ALL


def _is_user(actor: Any, user: Any) -> bool:
    """True when `actor` (a user, perhaps the request's lazy one) is the stored `user`."""
    pk = getattr(actor, "pk", None)
    return pk is not None and getattr(actor, "is_authenticated", False) and pk == user.pk


@transaction.atomic
def deputy_name(
    *,
    principal: User,
    deputy: User,
    starts_on: dt.date,
    ends_on: dt.date,
    by: Actor | None,
    note: str = "",
) -> Any:
    """Name `deputy` to decide for `principal` from `starts_on` to `ends_on` (dates, both
    included): the proposals and documents that wait for the principal go to the deputy, who
    decides them "on behalf of" the principal (core.services.proposal_check_may_decide,
    office.documents). The principal names their own deputy; the GM or the assistant may name
    one for anyone. The deputy is an active user other than the principal; the days are not
    in the past, at most DEPUTY_MAX_DAYS long, and do not overlap another deputyship of the
    principal. Audited. Raises ValidationError by field, PermissionDenied."""
    from gmassist.core.models import ApprovalDeputy

    if not _deputy_may_name(by, principal):
        raise PermissionDenied(
            gettext("You may name a deputy for yourself only; the GM's office names others'.")
        )
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if deputy.pk == principal.pk:
        errors["deputy"] = gettext("A deputy is someone else: choose another person.")
    elif not deputy.is_active:
        errors["deputy"] = gettext("%(name)s cannot log in: choose an active user.") % {
            "name": deputy
        }
    if ends_on < starts_on:
        errors["ends_on"] = gettext("The last day is before the first day.")
    elif ends_on < today:
        errors["ends_on"] = gettext("The last day is in the past.")
    elif (ends_on - starts_on).days + 1 > DEPUTY_MAX_DAYS:
        errors["ends_on"] = gettext("A deputyship covers at most %(days)d days.") % {
            "days": DEPUTY_MAX_DAYS
        }
    if not errors:
        clash = (
            ApprovalDeputy.objects.filter(
                principal=principal,
                ended_at__isnull=True,
                starts_on__lte=ends_on,
                ends_on__gte=starts_on,
            )
            .select_related("deputy__employee")
            .first()
        )
        if clash is not None:
            errors["starts_on"] = gettext(
                "%(deputy)s is already deputy from %(start)s to %(end)s: end that first."
            ) % {"deputy": clash.deputy, "start": clash.starts_on, "end": clash.ends_on}
    if errors:
        raise ValidationError(errors)
    row = ApprovalDeputy.objects.create(
        principal=principal,
        deputy=deputy,
        starts_on=starts_on,
        ends_on=ends_on,
        note=note.strip()[:300],
        named_by=acting_user(by),
    )
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        target=row,
        changes={
            "principal": str(principal),
            "deputy": str(deputy),
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
        },
    )
    return row


@transaction.atomic
def deputy_end(*, deputyship: Any, by: Actor | None) -> Any:
    """End a deputyship now (the principal is back early, or it was a mistake): from now on
    it covers no day. The principal, the deputy or the GM's office. Audited; ending one already
    ended changes nothing."""
    from gmassist.core.models import ApprovalDeputy

    if not (_deputy_may_name(by, deputyship.principal) or _is_user(by, deputyship.deputy)):
        raise PermissionDenied(
            gettext("Only the principal, the deputy or the GM's office ends it.")
        )
    locked = ApprovalDeputy.objects.select_for_update().get(pk=deputyship.pk)
    if locked.ended_at is not None:
        return locked
    locked.ended_at = timezone.now()
    locked.save(update_fields=["ended_at", "updated_at"])
    audit_record(actor=by, action=AuditAction.UPDATE, target=locked, changes={"ended": True})
    return locked
