"""Writes of the decisions register: draft, publish, amend, withdraw, acknowledge, respond,
answer, notify and remind. Keyword-only, one transaction, audited (anonymous responses aside).

Who may do what (the "decisions" domain of `core.permissions.POLICY`):
- draft and edit a draft, answer questions, send reminders: CHANGE (GM, assistant; a head for
  decisions of their own subtree);
- publish, amend, withdraw: APPROVE (the GM; a head for their own subtree). The assistant
  prepares, a person decides: the assistant does not publish;
- acknowledge and respond: the decision's addressees themselves.
`by=SYSTEM` is the system (the CLI run by whoever has shell access, the demo), allowed
everything; `by=None` is nobody, allowed nothing.

Anonymous responses store no user, no department, no time finer than the day and get a
random id; they write no audit entry either, because an audit entry's exact time next to a
web server's access log would name the sender. They also log nothing. After every response,
named or not, the day's responses move to random places in the table
(`core.anonymity.rows_shuffle_physical_order`), so that an anonymous one does not sit right
after its sender's named question, whose audit entry has the exact time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from gmassist.core.anonymity import rows_shuffle_physical_order
from gmassist.core.choices import Action, AuditAction, Role
from gmassist.core.models import User
from gmassist.core.notify import notify_users, site_url
from gmassist.core.permissions import Domain, may
from gmassist.core.services import audit_record
from gmassist.decisions.choices import DecisionStatus, ResponseKind, ResponseTheme
from gmassist.decisions.models import Acknowledgement, Decision, DecisionVersion, Response
from gmassist.org.models import Department, Employee
from gmassist.org.selectors import department_subtree_ids, employees_reached

# Acknowledgement rows are written this many at a time (100,000 addressees: 20 inserts).
ACK_BATCH = 5000
# E-mails are rendered and sent for this many addressees at a time.
NOTIFY_BATCH = 1000
# Texts people write: long enough for a real objection, short enough to read.
MAX_TEXT = 5000

Progress = Callable[[float, str], None]


def _no_progress(_fraction: float, _message: str) -> None:
    return None


@dataclass(frozen=True)
class Audience:
    """Who a decision addresses: departments (each with its subtree), roles and people."""

    departments: tuple[Department, ...] = ()
    roles: tuple[str, ...] = ()
    people: tuple[Employee, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.departments or self.roles or self.people)


# --- who may ---------------------------------------------------------------------------------


def _check_may(by: User | None, action: str, *, department: Department | None) -> None:
    """PermissionDenied unless `by` may `action` decisions for `department` (None: company)."""
    department_id = department.pk if department is not None else None
    if may(by, Domain.DECISIONS, action, department_id=department_id):
        return
    raise PermissionDenied(
        gettext("Your role may not do this for the whole company.")
        if department is None
        else gettext("Your role may not do this for %(department)s.") % {"department": department}
    )


def may_change(by: User | None, decision: Decision) -> bool:
    """True when `by` may edit the draft, answer questions and send reminders."""
    try:
        _check_may(by, Action.CHANGE, department=decision.department)
    except PermissionDenied:
        return False
    return True


def may_approve(by: User | None, decision: Decision) -> bool:
    """True when `by` may publish, amend and withdraw `decision`."""
    try:
        _check_may(by, Action.APPROVE, department=decision.department)
    except PermissionDenied:
        return False
    return True


def _check_status(decision: Decision, *allowed: str, doing: str) -> None:
    if decision.status not in allowed:
        raise ValidationError(
            gettext("A decision that is %(status)s cannot be %(doing)s.")
            % {"status": decision.get_status_display().lower(), "doing": doing}
        )


# --- the audience ----------------------------------------------------------------------------


def _clean_texts(
    *, title: str, summary: str, rationale: str, effective_date: Any
) -> dict[str, Any]:
    errors: dict[str, str] = {}
    title = (title or "").strip()
    rationale = (rationale or "").strip()
    summary = (summary or "").strip()
    if not title:
        errors["title"] = gettext("A decision needs a title.")
    elif len(title) > 200:
        errors["title"] = gettext("At most 200 characters.")
    if not rationale:
        errors["rationale"] = gettext("Explain the decision: the rationale is required.")
    elif len(rationale) > MAX_TEXT * 4:
        errors["rationale"] = gettext("At most %(n)s characters.") % {"n": MAX_TEXT * 4}
    if len(summary) > MAX_TEXT:
        errors["summary"] = gettext("At most %(n)s characters.") % {"n": MAX_TEXT}
    if not isinstance(effective_date, dt.date):
        errors["effective_date"] = gettext("Give the date it takes effect (YYYY-MM-DD).")
    if errors:
        raise ValidationError(errors)
    return {
        "title": title,
        "summary": summary,
        "rationale": rationale,
        "effective_date": effective_date,
    }


def _check_audience(audience: Audience, department: Department | None) -> None:
    errors: dict[str, str] = {}
    if audience.is_empty:
        errors["audience"] = gettext("Address the decision to departments, roles or people.")
    unknown = [role for role in audience.roles if role not in Role.values]
    if unknown:
        errors["audience_roles"] = gettext("Unknown role %(role)s; use one of %(roles)s.") % {
            "role": ", ".join(unknown),
            "roles": ", ".join(Role.values),
        }
    if department is not None:
        inside = department_subtree_ids(department_id=department.pk)
        outside = [d for d in audience.departments if d.pk not in inside]
        if outside:
            errors["audience_departments"] = gettext(
                "%(departments)s is outside %(department)s."
            ) % {"departments": ", ".join(map(str, outside)), "department": department}
        outside_people = [p for p in audience.people if p.department_id not in inside]
        if outside_people:
            errors["audience_people"] = gettext("%(people)s is outside %(department)s.") % {
                "people": ", ".join(p.full_name for p in outside_people),
                "department": department,
            }
    if errors:
        raise ValidationError(errors)


def _set_audience(decision: Decision, audience: Audience) -> None:
    decision.audience_roles = list(dict.fromkeys(audience.roles))
    decision.audience_departments.set(audience.departments)
    decision.audience_people.set(audience.people)


def audience_of(decision: Decision) -> Audience:
    """The decision's audience as stored."""
    return Audience(
        departments=tuple(decision.audience_departments.all()),
        roles=tuple(decision.audience_roles),
        people=tuple(decision.audience_people.all()),
    )


def addressees_of(decision: Decision) -> dict[int, int]:
    """The employees the decision reaches now: {employee id: department id}: active and
    on-leave people of the addressed departments (with everything below them), of the addressed
    roles and the people named, all inside the department the decision is for."""
    return employees_reached(
        department_ids=list(decision.audience_departments.values_list("pk", flat=True)),
        roles=list(decision.audience_roles),
        employee_ids=list(decision.audience_people.values_list("pk", flat=True)),
        within_department_id=decision.department_id,
    )


def _sync_addressees(decision: Decision, progress: Progress) -> dict[str, int]:
    """Give every addressee an acknowledgement row (in bulk) and drop the rows of people the
    decision no longer reaches; returns {"added": n, "removed": n}."""
    wanted = addressees_of(decision)
    progress(0.1, gettext("Addressees found: %(n)s") % {"n": len(wanted)})
    existing = set(
        Acknowledgement.objects.filter(decision=decision).values_list("employee_id", flat=True)
    )
    removed = existing - wanted.keys()
    if removed:
        Acknowledgement.objects.filter(decision=decision, employee_id__in=removed).delete()
    new_ids = sorted(wanted.keys() - existing)
    for start in range(0, len(new_ids), ACK_BATCH):
        chunk = new_ids[start : start + ACK_BATCH]
        Acknowledgement.objects.bulk_create(
            [
                Acknowledgement(decision=decision, employee_id=pk, department_id=wanted[pk])
                for pk in chunk
            ]
        )
        done = (start + len(chunk)) / len(new_ids)
        progress(
            0.1 + 0.9 * done,
            gettext("Addressees added: %(done)s of %(total)s")
            % {"done": start + len(chunk), "total": len(new_ids)},
        )
    return {"added": len(new_ids), "removed": len(removed)}


def _snapshot(
    decision: Decision, *, by: User | None, change_note: str = "", substantive: bool = True
) -> DecisionVersion:
    return DecisionVersion.objects.create(
        decision=decision,
        number=decision.version,
        title=decision.title,
        summary=decision.summary,
        rationale=decision.rationale,
        effective_date=decision.effective_date,
        change_note=change_note,
        substantive=substantive,
        created_by=by if by is not None and by.is_authenticated else None,
    )


# --- drafting --------------------------------------------------------------------------------


@transaction.atomic
def decision_create(
    *,
    by: User | None,
    title: str,
    rationale: str,
    effective_date: dt.date,
    audience: Audience,
    summary: str = "",
    department: Department | None = None,
) -> Decision:
    """Draft a decision (status draft: nobody but its drafters sees it yet).

    `department` None is a company decision; else the audience must stay inside it.
    """
    _check_may(by, Action.CHANGE, department=department)
    fields = _clean_texts(
        title=title, summary=summary, rationale=rationale, effective_date=effective_date
    )
    _check_audience(audience, department)
    decision = Decision.objects.create(
        **fields,
        department=department,
        author=by if by is not None and by.is_authenticated else None,
        audience_roles=list(dict.fromkeys(audience.roles)),
    )
    _set_audience(decision, audience)
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        target=decision,
        changes={"status": DecisionStatus.DRAFT, **_audience_changes(audience)},
    )
    return decision


def _audience_changes(audience: Audience) -> dict[str, Any]:
    return {
        "audience_departments": [d.code for d in audience.departments],
        "audience_roles": list(audience.roles),
        "audience_people": [p.employee_no for p in audience.people],
    }


@transaction.atomic
def decision_update(
    *,
    decision: Decision,
    by: User | None,
    title: str,
    rationale: str,
    effective_date: dt.date,
    audience: Audience,
    summary: str = "",
) -> Decision:
    """Edit a draft (a published decision is amended instead, with its history)."""
    _check_may(by, Action.CHANGE, department=decision.department)
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    _check_status(decision, DecisionStatus.DRAFT, doing=gettext("edited; amend it"))
    fields = _clean_texts(
        title=title, summary=summary, rationale=rationale, effective_date=effective_date
    )
    _check_audience(audience, decision.department)
    changes = {
        name: [str(getattr(decision, name)), str(value)]
        for name, value in fields.items()
        if getattr(decision, name) != value
    }
    for name, value in fields.items():
        setattr(decision, name, value)
    decision.audience_roles = list(dict.fromkeys(audience.roles))
    decision.save()
    _set_audience(decision, audience)
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        target=decision,
        changes={**changes, **_audience_changes(audience)},
    )
    return decision


# --- publishing, amending, withdrawing -------------------------------------------------------


def decision_check_publishable(*, decision: Decision, by: User | None) -> None:
    """Raise what publishing would raise, before a job is started for it."""
    _check_may(by, Action.APPROVE, department=decision.department)
    _check_status(decision, DecisionStatus.DRAFT, doing=gettext("published"))
    if not addressees_of(decision):
        raise ValidationError(gettext("The audience reaches nobody: nobody would be asked."))


@transaction.atomic
def decision_publish(
    *, decision: Decision, by: User | None, progress: Progress = _no_progress
) -> Decision:
    """Publish a draft: version 1 is kept, every addressee gets an acknowledgement row (in
    bulk) and so the decision in their inbox. E-mails go after the commit
    (`decision_notify_addressees`), so that a failed publication sends nothing."""
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    decision_check_publishable(decision=decision, by=by)
    decision.status = DecisionStatus.PUBLISHED
    decision.published_at = timezone.now()
    decision.published_by = by if by is not None and by.is_authenticated else None
    decision.save()
    _snapshot(decision, by=by)
    counts = _sync_addressees(decision, progress)
    audit_record(
        actor=by,
        action=AuditAction.APPROVE,
        target=decision,
        changes={"status": [DecisionStatus.DRAFT, DecisionStatus.PUBLISHED], **counts},
    )
    return decision


@transaction.atomic
def decision_amend(
    *,
    decision: Decision,
    by: User | None,
    title: str,
    rationale: str,
    effective_date: dt.date,
    change_note: str,
    substantive: bool,
    summary: str = "",
    audience: Audience | None = None,
    progress: Progress = _no_progress,
) -> Decision:
    """Amend a published decision: a new version is kept next to the earlier ones.

    When the substance changes (`substantive`), every addressee is asked to acknowledge it
    again (their earlier acknowledgement stays as `acknowledged_version`). A new audience adds
    and removes addressees. E-mails go after the commit (`decision_notify_addressees`).
    """
    _check_may(by, Action.APPROVE, department=decision.department)
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    _check_status(
        decision, DecisionStatus.PUBLISHED, DecisionStatus.AMENDED, doing=gettext("amended")
    )
    fields = _clean_texts(
        title=title, summary=summary, rationale=rationale, effective_date=effective_date
    )
    change_note = (change_note or "").strip()
    if not change_note:
        raise ValidationError({"change_note": gettext("Say what changed and why.")})
    if audience is not None:
        _check_audience(audience, decision.department)
    changes: dict[str, Any] = {
        name: [str(getattr(decision, name)), str(value)]
        for name, value in fields.items()
        if getattr(decision, name) != value
    }
    if not changes and audience is None:
        raise ValidationError(gettext("Nothing changed: the amendment is the same as before."))
    for name, value in fields.items():
        setattr(decision, name, value)
    decision.version += 1
    decision.status = DecisionStatus.AMENDED
    decision.save()
    _snapshot(decision, by=by, change_note=change_note, substantive=substantive)
    counts: dict[str, int] = {}
    if audience is not None:
        _set_audience(decision, audience)
        changes.update(_audience_changes(audience))
        counts = _sync_addressees(decision, progress)
    if substantive:
        counts["asked_again"] = Acknowledgement.objects.filter(
            decision=decision, acknowledged_at__isnull=False
        ).update(acknowledged_at=None)
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        target=decision,
        changes={
            **changes,
            "version": decision.version,
            "substantive": substantive,
            "change_note": change_note,
            **counts,
        },
    )
    return decision


@transaction.atomic
def decision_withdraw(*, decision: Decision, by: User | None, reason: str) -> Decision:
    """Withdraw a published decision with the reason; it stays in the register, marked so."""
    _check_may(by, Action.APPROVE, department=decision.department)
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    _check_status(
        decision, DecisionStatus.PUBLISHED, DecisionStatus.AMENDED, doing=gettext("withdrawn")
    )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": gettext("Say why the decision is withdrawn.")})
    previous = decision.status
    decision.status = DecisionStatus.WITHDRAWN
    decision.withdrawn_at = timezone.now()
    decision.withdrawal_reason = reason[:MAX_TEXT]
    decision.save()
    audit_record(
        actor=by,
        action=AuditAction.WITHDRAW,
        target=decision,
        changes={"status": [previous, DecisionStatus.WITHDRAWN], "reason": reason},
    )
    return decision


@transaction.atomic
def decision_delete_draft(*, decision: Decision, by: User | None) -> None:
    """Delete a draft nobody has seen yet (a published decision is withdrawn instead)."""
    _check_may(by, Action.CHANGE, department=decision.department)
    _check_status(decision, DecisionStatus.DRAFT, doing=gettext("deleted; withdraw it"))
    audit_record(actor=by, action=AuditAction.DELETE, target=decision)
    decision.delete()


# --- the addressees' side --------------------------------------------------------------------


def _own_acknowledgement(decision: Decision, by: User) -> Acknowledgement:
    """The user's acknowledgement row of `decision`, or PermissionDenied: only addressees
    acknowledge and respond."""
    row = None
    if by is not None and by.is_authenticated and by.employee_id:
        row = (
            Acknowledgement.objects.select_for_update()
            .filter(decision=decision, employee_id=by.employee_id)
            .first()
        )
    if row is None:
        raise PermissionDenied(gettext("The decision is not addressed to you."))
    return row


@transaction.atomic
def decision_acknowledge(*, decision: Decision, by: User) -> Acknowledgement:
    """Record that `by` has read the decision as it stands now (its current version).

    Acknowledging again the same version changes nothing."""
    row = _own_acknowledgement(decision, by)
    decision = Decision.objects.get(pk=decision.pk)
    if not decision.is_live:
        raise ValidationError(
            gettext("The decision is %(status)s; there is nothing to acknowledge.")
            % {"status": decision.get_status_display().lower()}
        )
    if row.acknowledged_at is not None and row.acknowledged_version == decision.version:
        return row
    row.acknowledged_at = timezone.now()
    row.acknowledged_version = decision.version
    row.save(update_fields=["acknowledged_at", "acknowledged_version"])
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        target=decision,
        target_type="decisions.acknowledgement",
        changes={"acknowledged_version": decision.version},
    )
    return row


@transaction.atomic
def decision_respond(
    *,
    decision: Decision,
    by: User,
    kind: str,
    text: str,
    anonymous: bool,
    theme: str = ResponseTheme.OTHER,
) -> Response:
    """An addressee asks a question, objects or supports, named or anonymous.

    Anonymous: the stored row has no author, no department, only the day, a random id; no
    audit entry and no log line is written (see the module's doc).
    """
    _own_acknowledgement(decision, by)  # only addressees; checked, not stored
    decision = Decision.objects.get(pk=decision.pk)
    if not decision.is_live:
        raise ValidationError(
            gettext("The decision is %(status)s; it takes no more responses.")
            % {"status": decision.get_status_display().lower()}
        )
    errors: dict[str, str] = {}
    text = (text or "").strip()
    if kind not in ResponseKind.values:
        errors["kind"] = gettext("Choose question, objection or support.")
    if theme not in ResponseTheme.values:
        errors["theme"] = gettext("Unknown theme %(theme)s.") % {"theme": theme}
    if not text:
        errors["text"] = gettext("Write your question, objection or support.")
    elif len(text) > MAX_TEXT:
        errors["text"] = gettext("At most %(n)s characters.") % {"n": MAX_TEXT}
    if errors:
        raise ValidationError(errors)
    response = Response.objects.create(
        decision=decision,
        version=decision.version,
        kind=kind,
        theme=theme,
        text=text,
        is_anonymous=anonymous,
        author=None if anonymous else by,
        department=None if anonymous else _department_of(by),
        submitted_on=timezone.localdate(),
    )
    # named or not, the day's responses move to random places: an anonymous one is not kept
    # right after its sender's named one (whose audit entry has the exact time)
    rows_shuffle_physical_order(Response.objects.filter(submitted_on=response.submitted_on))
    if not anonymous:
        audit_record(
            actor=by,
            action=AuditAction.CREATE,
            target=response,
            target_repr=f"{decision}: {response.get_kind_display()}",
            changes={"decision": decision.pk, "kind": kind, "theme": theme},
        )
    return response


def _department_of(user: User) -> Department | None:
    if not user.employee_id:
        return None
    return Department.objects.filter(employees__pk=user.employee_id).first()


@transaction.atomic
def response_answer(*, response: Response, by: User | None, answer: str) -> Response:
    """Answer a question (the author, the GM's office or the head who may change the
    decision); the answer is shown to every addressee with the question."""
    decision = response.decision
    _check_may(by, Action.CHANGE, department=decision.department)
    response = Response.objects.select_for_update().get(pk=response.pk)
    if response.kind != ResponseKind.QUESTION:
        raise ValidationError(gettext("Only questions are answered."))
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": gettext("Write the answer.")})
    if len(answer) > MAX_TEXT:
        raise ValidationError({"answer": gettext("At most %(n)s characters.") % {"n": MAX_TEXT}})
    previous = response.answer
    response.answer = answer
    response.answered_by = by if by is not None and by.is_authenticated else None
    response.answered_on = timezone.localdate()
    response.save(update_fields=["answer", "answered_by", "answered_on"])
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        target=response,
        target_repr=f"{decision}: {response.get_kind_display()}",
        changes={"answer": [previous, answer]},
    )
    return response


# --- notifications and reminders -------------------------------------------------------------


def _decision_url(decision: Decision, base_url: str) -> str:
    path = reverse("decisions:detail", args=[decision.pk])
    return base_url.rstrip("/") + path if base_url else site_url(path)


def _users_of(employee_ids: Iterable[int]) -> list[User]:
    return list(
        User.objects.filter(employee_id__in=list(employee_ids), is_active=True).select_related(
            "employee"
        )
    )


def decision_notify_addressees(
    *, decision: Decision, base_url: str = "", progress: Progress = _no_progress
) -> int:
    """E-mail every addressee not yet told of the current version (publication or
    amendment), in their language; returns how many e-mails were sent. Safe to run twice:
    each row records the version it was told of."""
    decision = Decision.objects.get(pk=decision.pk)
    if not decision.is_live:
        return 0
    pending = Acknowledgement.objects.filter(decision=decision).filter(
        Q(notified_version__isnull=True) | Q(notified_version__lt=decision.version)
    )
    ids = list(pending.values_list("pk", "employee_id"))
    template = "decisions/email/published" if decision.version == 1 else "decisions/email/amended"
    context = {"decision": decision, "url": _decision_url(decision, base_url)}
    sent = 0
    for start in range(0, len(ids), NOTIFY_BATCH):
        chunk = ids[start : start + NOTIFY_BATCH]
        sent += notify_users(
            users=_users_of(employee_id for _pk, employee_id in chunk),
            template=template,
            context=context,
        )
        Acknowledgement.objects.filter(pk__in=[pk for pk, _e in chunk]).update(
            notified_version=decision.version
        )
        progress(
            (start + len(chunk)) / len(ids),
            gettext("Addressees told: %(done)s of %(total)s")
            % {"done": start + len(chunk), "total": len(ids)},
        )
    return sent


def decision_check_remindable(*, decision: Decision, by: User | None) -> None:
    """Raise what reminding would raise, before a job is started for it: `by` may change the
    decision, and it is in force (published or amended)."""
    _check_may(by, Action.CHANGE, department=decision.department)
    if not decision.is_live:
        raise ValidationError(
            gettext("The decision is %(status)s; there is nobody to remind.")
            % {"status": decision.get_status_display().lower()}
        )


def decision_remind(
    *,
    decision: Decision,
    by: User | None,
    base_url: str = "",
    since: dt.datetime | None = None,
    progress: Progress = _no_progress,
) -> dict[str, int]:
    """Remind by e-mail every addressee who has not acknowledged the current version and was
    not reminded after `since` (default: now, i.e. everyone pending; a job passes its own
    start so that running it twice reminds nobody twice). Returns {"pending", "reminded",
    "emails"}."""
    decision = Decision.objects.get(pk=decision.pk)
    decision_check_remindable(decision=decision, by=by)
    since = since or timezone.now()
    pending = Acknowledgement.objects.filter(decision=decision, acknowledged_at__isnull=True)
    due = pending.filter(Q(reminded_at__isnull=True) | Q(reminded_at__lt=since))
    ids = list(due.values_list("pk", "employee_id"))
    context = {"decision": decision, "url": _decision_url(decision, base_url)}
    emails = 0
    now = timezone.now()
    for start in range(0, len(ids), NOTIFY_BATCH):
        chunk = ids[start : start + NOTIFY_BATCH]
        emails += notify_users(
            users=_users_of(employee_id for _pk, employee_id in chunk),
            template="decisions/email/reminder",
            context=context,
        )
        Acknowledgement.objects.filter(pk__in=[pk for pk, _e in chunk]).update(
            reminded_at=now, reminder_count=F("reminder_count") + 1
        )
        progress(
            (start + len(chunk)) / len(ids),
            gettext("Reminded: %(done)s of %(total)s")
            % {"done": start + len(chunk), "total": len(ids)},
        )
    counts = {"pending": pending.count(), "reminded": len(ids), "emails": emails}
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        target=decision,
        target_type="decisions.reminder",
        changes=counts,
    )
    return counts
