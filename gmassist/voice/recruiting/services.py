"""Writes of the recruiting contacts: agencies, requisitions (open, update, close, share with
agencies) and candidates (add, move through the stages).

Keyword-only, one transaction each, every write audited. The agencies are written to by e-mail
(Django's backend, through core.notify) when a requisition is shared with them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gmassist.core.choices import Action, AuditAction
from gmassist.core.models import User
from gmassist.core.notify import Recipient, notify
from gmassist.core.permissions import ALL, Domain, acting_user, may, reach, user_can
from gmassist.core.services import audit_record
from gmassist.org.models import Department, Employee, Position
from gmassist.voice.common import MAX_BODY
from gmassist.voice.recruiting.choices import (
    FINAL_STAGES,
    AgencyStatus,
    CandidateSource,
    CandidateStage,
    RequisitionReason,
    RequisitionStatus,
    Urgency,
)
from gmassist.voice.recruiting.models import (
    STAGE_DATE_FIELDS,
    Candidate,
    RecruitingAgency,
    Requisition,
    RequisitionShare,
)

AGENCY_FIELDS = (
    "name",
    "kind",
    "contact_person",
    "email",
    "phone",
    "specialities",
    "regions",
    "fee_percent",
    "guarantee_days",
    "status",
    "notes",
)
REQUISITION_CHANGEABLE = ("headcount", "urgency", "target_date", "reason", "reason_note")
MAX_LIST_ITEMS = 30  # specialities or regions of one agency
MAX_LIST_ITEM = 100  # characters of one speciality or region
MAX_GUARANTEE_DAYS = 730  # as the voice_agency_guarantee_at_most_two_years constraint


def _check_recruiting(by: User | None, action: str = Action.CHANGE) -> None:
    """PermissionDenied unless `by` may write every record of the domain (agencies)."""
    if reach(by, Domain.RECRUITING, action) != ALL:
        raise PermissionDenied(_("Your role may not change recruiting agencies."))


def _check_requisition(by: User | None, requisition: Requisition) -> None:
    if not user_can(by, Action.CHANGE, requisition):
        raise PermissionDenied(_("You may not change this requisition."))


def _clean_list(value: Any, *, field: str, errors: dict[str, str]) -> list[str]:
    """A list of short labels from a list or a comma/semicolon separated text; no repeats."""
    if value is None:
        return []
    items = value if isinstance(value, list | tuple) else re.split(r"[,;，；\n]", str(value))
    out: list[str] = []
    for item in items:
        text = " ".join(str(item).split())
        if not text or text.casefold() in {o.casefold() for o in out}:
            continue
        if len(text) > MAX_LIST_ITEM:
            errors[field] = _("At most %(limit)s characters each.") % {"limit": MAX_LIST_ITEM}
        out.append(text)
    if len(out) > MAX_LIST_ITEMS:
        errors[field] = _("At most %(limit)s items.") % {"limit": MAX_LIST_ITEMS}
    return out


def _full_clean(obj: models.Model, errors: dict[str, Any] | None = None) -> None:
    """The model's own checks (fields and named constraints), merged with `errors`."""
    merged: dict[str, list[str]] = {k: [str(v)] for k, v in (errors or {}).items()}
    try:
        obj.full_clean(exclude=list(merged))
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            merged.setdefault(name, []).extend(messages)
    if merged:
        raise ValidationError(merged)


def _changes(obj: models.Model, before: dict[str, Any], fields: Iterable[str]) -> dict:
    """{field: [before, after]} of the fields that changed, JSON-able."""
    out = {}
    for name in fields:
        old, new = before.get(name), getattr(obj, name)
        if old != new:
            out[name] = [_jsonable(old), _jsonable(new)]
    return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


@transaction.atomic
def agency_save(
    *, by: User | None, values: dict[str, Any], agency: RecruitingAgency | None = None
) -> RecruitingAgency:
    """Create an agency (`agency` None) or change the given `values` of one (keys of
    AGENCY_FIELDS; `specialities` and `regions` as lists or comma-separated text; the fee in
    % of annual pay, the guarantee in days). Audited. ValidationError by field."""
    _check_recruiting(by)
    unknown = sorted(set(values) - set(AGENCY_FIELDS))
    if unknown:
        raise ValidationError({unknown[0]: _("Unknown field.")})
    creating = agency is None
    if agency is None:
        agency = RecruitingAgency()
    else:
        agency = RecruitingAgency.objects.select_for_update().get(pk=agency.pk)
    before = {name: getattr(agency, name) for name in AGENCY_FIELDS}
    errors: dict[str, str] = {}
    for name, value in values.items():
        if name in ("specialities", "regions"):
            value = _clean_list(value, field=name, errors=errors)
        elif isinstance(value, str):
            value = value.strip()
        setattr(agency, name, value)
    fee_percent = agency.fee_percent
    if isinstance(fee_percent, Decimal | int | float) and not 0 <= fee_percent <= 100:
        errors["fee_percent"] = _("The fee is a percentage from 0 to 100.")
    elif isinstance(fee_percent, Decimal):
        agency.fee_percent = fee_percent.quantize(Decimal("0.01"))  # as stored
    guarantee = agency.guarantee_days
    if isinstance(guarantee, int) and not 0 <= guarantee <= MAX_GUARANTEE_DAYS:
        errors["guarantee_days"] = _("From 0 to %(limit)s days.") % {"limit": MAX_GUARANTEE_DAYS}
    _full_clean(agency, errors)
    agency.save()
    audit_record(
        actor=by,
        action=AuditAction.CREATE if creating else AuditAction.UPDATE,
        target=agency,
        changes=_changes(agency, {} if creating else before, AGENCY_FIELDS),
    )
    return agency


def _next_requisition_code(opened_on: dt.date) -> str:
    """REQ-<year>-<n>, one more than the year's highest number (three digits at least)."""
    prefix = f"REQ-{opened_on.year}-"
    numbers = [
        int(code.removeprefix(prefix))
        for code in Requisition.objects.filter(code__startswith=prefix).values_list(
            "code", flat=True
        )
        if code.removeprefix(prefix).isdigit()
    ]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


@transaction.atomic
def requisition_open(
    *,
    by: User | None,
    position: Position,
    department: Department,
    target_date: dt.date,
    headcount: int = 1,
    urgency: str = Urgency.NORMAL,
    reason: str = RequisitionReason.REPLACEMENT,
    reason_note: str = "",
    code: str = "",
    today: dt.date | None = None,
) -> Requisition:
    """Open a requisition for `headcount` people in `position` of `department`, to be filled
    by `target_date`. `code` defaults to REQ-<year>-<n>. A head opens them only for their own
    subtree. Audited. ValidationError by field."""
    today = today or timezone.localdate()
    requisition = Requisition(
        code=(code or "").strip() or _next_requisition_code(today),
        position=position,
        department=department,
        headcount=headcount,
        urgency=urgency,
        target_date=target_date,
        reason=reason,
        reason_note=(reason_note or "").strip(),
        opened_on=today,
        opened_by=acting_user(by),
    )
    if reach(by, Domain.RECRUITING, Action.CHANGE) is None:
        raise PermissionDenied(_("Your role may not open requisitions."))
    if not may(by, Domain.RECRUITING, Action.CHANGE, department_id=department.pk):
        raise ValidationError({"department": _("Choose a department you head.")})
    _full_clean(requisition)
    requisition.save()
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        target=requisition,
        changes={
            "position": position.code,
            "department": department.code,
            "headcount": headcount,
            "urgency": urgency,
            "target_date": target_date.isoformat(),
        },
    )
    return requisition


@transaction.atomic
def requisition_update(
    *, by: User | None, requisition: Requisition, values: dict[str, Any]
) -> Requisition:
    """Change the count, urgency, target date or reason of an open requisition. Audited."""
    _check_requisition(by, requisition)
    unknown = sorted(set(values) - set(REQUISITION_CHANGEABLE))
    if unknown:
        raise ValidationError({unknown[0]: _("This field cannot be changed.")})
    requisition = Requisition.objects.select_for_update().get(pk=requisition.pk)
    if requisition.status != RequisitionStatus.OPEN:
        raise ValidationError(_("Only an open requisition can be changed."))
    before = {name: getattr(requisition, name) for name in REQUISITION_CHANGEABLE}
    for name, value in values.items():
        setattr(requisition, name, value.strip() if isinstance(value, str) else value)
    _full_clean(requisition)
    requisition.save()
    changes = _changes(requisition, before, REQUISITION_CHANGEABLE)
    if changes:
        audit_record(actor=by, action=AuditAction.UPDATE, target=requisition, changes=changes)
    return requisition


@transaction.atomic
def requisition_close(
    *, by: User | None, requisition: Requisition, status: str, today: dt.date | None = None
) -> Requisition:
    """Close an open requisition as filled or cancelled on `today`. Audited."""
    _check_requisition(by, requisition)
    closing = (RequisitionStatus.FILLED, RequisitionStatus.CANCELLED)
    if status not in closing:
        raise ValidationError(
            {"status": _("Choose one of: %(values)s.") % {"values": ", ".join(closing)}}
        )
    requisition = Requisition.objects.select_for_update().get(pk=requisition.pk)
    if requisition.status != RequisitionStatus.OPEN:
        raise ValidationError(
            _("This requisition is already %(status)s.")
            % {"status": requisition.get_status_display().lower()}
        )
    today = today or timezone.localdate()
    if today < requisition.opened_on:
        raise ValidationError({"closed_on": _("A requisition cannot close before it opens.")})
    requisition.status = status
    requisition.closed_on = today
    requisition.save(update_fields=["status", "closed_on", "updated_at"])
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        target=requisition,
        changes={"status": [RequisitionStatus.OPEN, status], "closed_on": today.isoformat()},
    )
    return requisition


@dataclass(frozen=True)
class Shared:
    """What sharing did: the new shares, the agencies already shared with, e-mails sent."""

    shares: list[RequisitionShare]
    already: list[RecruitingAgency]
    emailed: int


@transaction.atomic
def requisition_share(
    *,
    by: User | None,
    requisition: Requisition,
    agencies: Sequence[RecruitingAgency],
    message: str = "",
    today: dt.date | None = None,
) -> Shared:
    """Share an open requisition with `agencies`: record the day, and e-mail each agency's
    contact (in the sharer's language) the position, department, count, urgency, target date
    and `message`. An agency already shared with is not shared or written to again; an agency
    with no e-mail is recorded but not written to. Audited."""
    _check_requisition(by, requisition)
    if not agencies:
        raise ValidationError({"agencies": _("Choose at least one agency.")})
    visible = set(agencies_visible_ids(by))
    unknown = [a for a in agencies if a.pk not in visible]
    if unknown:
        raise ValidationError({"agencies": _("No agency with id %(id)s.") % {"id": unknown[0].pk}})
    inactive = [a for a in agencies if a.status != AgencyStatus.ACTIVE]
    if inactive:
        raise ValidationError(
            {"agencies": _("%(name)s is not active.") % {"name": inactive[0].name}}
        )
    message = (message or "").strip()
    if len(message) > MAX_BODY:
        raise ValidationError({"message": _("At most %(limit)s characters.") % {"limit": MAX_BODY}})
    requisition = Requisition.objects.select_for_update().get(pk=requisition.pk)
    if requisition.status != RequisitionStatus.OPEN:
        raise ValidationError(_("Only an open requisition can be shared."))
    today = today or timezone.localdate()
    already_ids = set(requisition.shares.values_list("agency_id", flat=True))
    new_agencies = [a for a in agencies if a.pk not in already_ids]
    shares = [
        RequisitionShare.objects.create(
            requisition=requisition, agency=agency, shared_on=today, shared_by=acting_user(by)
        )
        for agency in new_agencies
    ]
    language = (getattr(by, "language", "") or translation.get_language() or "").lower()
    recipients = [
        Recipient(email=a.email, language=language, name=a.contact_person or a.name)
        for a in new_agencies
        if a.email
    ]
    context = {
        "requisition": requisition,
        "position": requisition.position,
        "department": requisition.department,
        "message": message,
        "sender": str(by) if by is not None else "",
    }
    emailed = 0
    if recipients:
        emailed = notify(
            recipients=recipients, template="voice/email/requisition_shared", context=context
        )
    if shares:
        audit_record(
            actor=by,
            action=AuditAction.UPDATE,
            target=requisition,
            changes={
                "shared_with": [a.name for a in new_agencies],
                "shared_on": today.isoformat(),
                "emailed": emailed,
            },
        )
    return Shared(
        shares=shares, already=[a for a in agencies if a.pk in already_ids], emailed=emailed
    )


def agencies_visible_ids(by: User | None) -> list[int]:
    return list(RecruitingAgency.objects.restrict(by, Action.VIEW).values_list("pk", flat=True))


@transaction.atomic
def candidate_add(
    *,
    by: User | None,
    requisition: Requisition,
    full_name: str,
    applied_on: dt.date | None = None,
    source: str = CandidateSource.AGENCY,
    agency: RecruitingAgency | None = None,
    email: str = "",
    phone: str = "",
    notes: str = "",
) -> Candidate:
    """Add a candidate to an open requisition, applied on `applied_on` (default today), from
    `agency` (source "agency") or another source. Audited (without the personal data)."""
    _check_requisition(by, requisition)
    if requisition.status != RequisitionStatus.OPEN:
        raise ValidationError(_("Only an open requisition takes new candidates."))
    errors: dict[str, str] = {}
    if source == CandidateSource.AGENCY and agency is None:
        errors["agency"] = _("Choose the agency the candidate comes from.")
    if agency is not None and source != CandidateSource.AGENCY:
        source = CandidateSource.AGENCY
    candidate = Candidate(
        requisition=requisition,
        full_name=" ".join((full_name or "").split()),
        email=(email or "").strip(),
        phone=(phone or "").strip(),
        source=source,
        agency=agency,
        stage=CandidateStage.APPLIED,
        applied_on=applied_on or timezone.localdate(),
        notes=(notes or "").strip(),
    )
    _full_clean(candidate, errors)
    candidate.save()
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        target=candidate,
        target_repr=f"candidate {candidate.pk} for {requisition.code}",
        changes={"source": source, "agency": agency.name if agency else None},
    )
    return candidate


@transaction.atomic
def candidate_move(
    *,
    by: User | None,
    candidate: Candidate,
    stage: str,
    on: dt.date | None = None,
    hired_employee: Employee | None = None,
) -> Candidate:
    """Move a candidate to `stage` on `on` (default today): the stage's date is recorded, the
    earlier stages' dates stay. Hired, rejected and withdrawn are final. A hire may name the
    employee they became. Audited."""
    _check_requisition(by, candidate.requisition)
    if stage not in CandidateStage.values:
        raise ValidationError(
            {
                "stage": _("Choose one of: %(values)s.")
                % {"values": ", ".join(CandidateStage.values)}
            }
        )
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.stage in FINAL_STAGES:
        raise ValidationError(
            _("This candidate is already %(stage)s.")
            % {"stage": candidate.get_stage_display().lower()}
        )
    on = on or timezone.localdate()
    if on < candidate.applied_on:
        raise ValidationError({"on": _("The date cannot be before the application.")})
    if hired_employee is not None and stage != CandidateStage.HIRED:
        raise ValidationError({"hired_employee": _("Only a hire is linked to an employee.")})
    previous = candidate.stage
    candidate.stage = stage
    setattr(candidate, STAGE_DATE_FIELDS[stage], on)
    if hired_employee is not None:
        candidate.hired_employee = hired_employee
    candidate.save()
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        target=candidate,
        target_repr=f"candidate {candidate.pk} for {candidate.requisition.code}",
        changes={"stage": [previous, stage], "on": on.isoformat()},
    )
    return candidate
