"""The recruiting endpoints of the REST API, under /api/voice/recruiting/: agencies,
requisitions (open, change, close, share with agencies), candidates (add, move stage) and
performance (time to fill, overdue urgent requisitions, agency results); their shapes are in
`schemas.py`. Everything goes through the "recruiting" permission domain; a record the user may
not see is a 404, a write the role may not make a 403 (or 404), bad input a 422.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from gmassist.api import (
    MappedRows,
    ObjectId,
    PageNumberPagination,
    problems,
    reference_or_422,
    request_user,
    visible_or_404,
)
from gmassist.core.choices import Action
from gmassist.core.permissions import Domain, reach
from gmassist.org.models import Department, Employee, Position
from gmassist.voice.recruiting import selectors, services
from gmassist.voice.recruiting.choices import (
    RequisitionStatus,
)
from gmassist.voice.recruiting.models import Candidate, RecruitingAgency, Requisition
from gmassist.voice.recruiting.schemas import (
    AgencyIn,
    AgencyOut,
    AgencyPatch,
    CandidateFilters,
    CandidateIn,
    CandidateOut,
    CloseIn,
    PerformanceOut,
    RequisitionFilters,
    RequisitionIn,
    RequisitionOut,
    RequisitionPatch,
    SharedOut,
    ShareIn,
    StageIn,
)

router = Router(tags=["voice", "voice: recruiting"])
# The endpoints were first written in this module's old place: their operation ids stay
# (gmassist/api.py, GmassistAPI.get_openapi_operation_id).
OPERATION_ID_MODULE = "gmassist.voice.api_recruiting"

WRITE_PROBLEMS = problems(400, 403, 404, 409)
PREFIX = "/voice/recruiting"

# --- rows out --------------------------------------------------------------------------------


def agency_out(agency: RecruitingAgency) -> dict:
    return {
        "id": agency.pk,
        "name": agency.name,
        "kind": agency.kind,
        "contact_person": agency.contact_person,
        "email": agency.email,
        "phone": agency.phone,
        "specialities": agency.specialities or [],
        "regions": agency.regions or [],
        "fee_percent": agency.fee_percent,
        "guarantee_days": agency.guarantee_days,
        "status": agency.status,
        "notes": agency.notes,
    }


def requisition_out(requisition: Requisition, today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()
    is_open = requisition.status == RequisitionStatus.OPEN
    late = (today - requisition.target_date).days if is_open else 0
    filled = requisition.status == RequisitionStatus.FILLED and requisition.closed_on
    return {
        "id": requisition.pk,
        "code": requisition.code,
        "position_id": requisition.position_id,
        "position": requisition.position.title,
        "job_family": requisition.position.job_family,
        "department_id": requisition.department_id,
        "department": requisition.department.name,
        "headcount": requisition.headcount,
        "urgency": requisition.urgency,
        "target_date": requisition.target_date,
        "reason": requisition.reason,
        "reason_note": requisition.reason_note,
        "status": requisition.status,
        "opened_on": requisition.opened_on,
        "closed_on": requisition.closed_on,
        "days_to_fill": (requisition.closed_on - requisition.opened_on).days if filled else None,
        "overdue_days": late if late > 0 else None,
        "shared_with": [
            {"agency_id": s.agency_id, "agency": s.agency.name, "shared_on": s.shared_on}
            for s in requisition.shares.select_related("agency").order_by("shared_on", "agency")
        ],
    }


def candidate_out(candidate: Candidate) -> dict:
    return {
        "id": candidate.pk,
        "requisition_id": candidate.requisition_id,
        "requisition": candidate.requisition.code,
        "full_name": candidate.full_name,
        "email": candidate.email,
        "phone": candidate.phone,
        "source": candidate.source,
        "agency_id": candidate.agency_id,
        "agency": candidate.agency.name if candidate.agency_id else None,
        "stage": candidate.stage,
        "applied_on": candidate.applied_on,
        "screening_on": candidate.screening_on,
        "interview_on": candidate.interview_on,
        "offer_on": candidate.offer_on,
        "hired_on": candidate.hired_on,
        "rejected_on": candidate.rejected_on,
        "withdrawn_on": candidate.withdrawn_on,
        "hired_employee_id": candidate.hired_employee_id,
        "notes": candidate.notes,
    }


# --- agencies --------------------------------------------------------------------------------


@router.get(f"{PREFIX}/agencies", response={200: list[AgencyOut], **problems()})
@paginate(PageNumberPagination)
def agency_list(request: HttpRequest):
    """The recruiting agencies and headhunters (the GM, the assistant and HR)."""
    return MappedRows(
        selectors.agencies_visible(user=request_user(request)).order_by("name"), agency_out
    )


@router.post(f"{PREFIX}/agencies", response={201: AgencyOut, **WRITE_PROBLEMS})
def agency_create(request: HttpRequest, payload: AgencyIn):
    """Add an agency or headhunter."""
    agency = services.agency_save(by=request_user(request), values=payload.dict())
    return Status(201, agency_out(agency))


@router.get(f"{PREFIX}/agencies/{{agency_id}}", response={200: AgencyOut, **problems(404)})
def agency_read(request: HttpRequest, agency_id: ObjectId):
    return agency_out(
        visible_or_404(RecruitingAgency.objects, agency_id, user=request_user(request))
    )


@router.patch(f"{PREFIX}/agencies/{{agency_id}}", response={200: AgencyOut, **WRITE_PROBLEMS})
def agency_update(request: HttpRequest, agency_id: ObjectId, payload: AgencyPatch):
    """Change the fields given (contact, specialities, terms, status…)."""
    user = request_user(request)
    agency = visible_or_404(RecruitingAgency.objects, agency_id, user=user)
    values = payload.dict(exclude_unset=True)
    for name, value in values.items():
        if value is None:
            raise ValidationError({name: _("This field cannot be null.")})
    return agency_out(services.agency_save(by=user, values=values, agency=agency))


# --- requisitions ----------------------------------------------------------------------------


@router.get(f"{PREFIX}/requisitions", response={200: list[RequisitionOut], **problems()})
@paginate(PageNumberPagination)
def requisition_list(request: HttpRequest, filters: Query[RequisitionFilters]):
    """The requisitions you may see (all, or a head's subtree), filtered and sorted."""
    user = request_user(request)
    department = reference_or_422(
        Department.objects, filters.department_id, field="department_id", user=user
    )
    today = timezone.localdate()
    queryset = selectors.requisition_list(
        user=user,
        today=today,
        department_id=department.pk if department else None,
        urgency=filters.urgency,
        status=filters.status,
        overdue=filters.overdue,
        sort=filters.sort,
    )
    return MappedRows(queryset, lambda r: requisition_out(r, today))


@router.post(f"{PREFIX}/requisitions", response={201: RequisitionOut, **WRITE_PROBLEMS})
def requisition_create(request: HttpRequest, payload: RequisitionIn):
    """Open a requisition (a head: for their own subtree)."""
    user = request_user(request)
    if reach(user, Domain.RECRUITING, Action.CHANGE) is None:
        raise PermissionDenied(_("Your role may not open requisitions."))
    position = reference_or_422(
        Position.objects, payload.position_id, field="position_id", user=user
    )
    department = reference_or_422(
        Department.objects, payload.department_id, field="department_id", user=user
    )
    requisition = services.requisition_open(
        by=user,
        position=position,
        department=department,
        target_date=payload.target_date,
        headcount=payload.headcount,
        urgency=payload.urgency,
        reason=payload.reason,
        reason_note=payload.reason_note,
        code=payload.code,
    )
    return Status(201, requisition_out(requisition))


def _requisition(request: HttpRequest, requisition_id: int) -> Requisition:
    return visible_or_404(
        selectors.requisitions_visible(user=request_user(request)), requisition_id
    )


@router.get(
    f"{PREFIX}/requisitions/{{requisition_id}}", response={200: RequisitionOut, **problems(404)}
)
def requisition_read(request: HttpRequest, requisition_id: ObjectId):
    return requisition_out(_requisition(request, requisition_id))


@router.patch(
    f"{PREFIX}/requisitions/{{requisition_id}}", response={200: RequisitionOut, **WRITE_PROBLEMS}
)
def requisition_update(request: HttpRequest, requisition_id: ObjectId, payload: RequisitionPatch):
    """Change the count, urgency, target date or reason of an open requisition."""
    requisition = _requisition(request, requisition_id)
    values = payload.dict(exclude_unset=True)
    for name, value in values.items():
        if value is None:
            raise ValidationError({name: _("This field cannot be null.")})
    requisition = services.requisition_update(
        by=request_user(request), requisition=requisition, values=values
    )
    return requisition_out(requisition)


@router.post(
    f"{PREFIX}/requisitions/{{requisition_id}}/close",
    response={200: RequisitionOut, **WRITE_PROBLEMS},
)
def requisition_close(request: HttpRequest, requisition_id: ObjectId, payload: CloseIn):
    """Close an open requisition as filled or cancelled, today."""
    requisition = services.requisition_close(
        by=request_user(request),
        requisition=_requisition(request, requisition_id),
        status=payload.status,
    )
    return requisition_out(requisition)


@router.post(
    f"{PREFIX}/requisitions/{{requisition_id}}/share",
    response={200: SharedOut, **WRITE_PROBLEMS},
)
def requisition_share(request: HttpRequest, requisition_id: ObjectId, payload: ShareIn):
    """Share an open requisition with agencies: each new one is e-mailed the position."""
    user = request_user(request)
    requisition = _requisition(request, requisition_id)
    agencies = list(selectors.agencies_visible(user=user).filter(pk__in=payload.agency_ids))
    missing = sorted(set(payload.agency_ids) - {a.pk for a in agencies})
    if missing:
        raise ValidationError({"agency_ids": _("No agency with id %(id)s.") % {"id": missing[0]}})
    shared = services.requisition_share(
        by=user, requisition=requisition, agencies=agencies, message=payload.message
    )
    return {
        "shared": [
            {"agency_id": s.agency_id, "agency": s.agency.name, "shared_on": s.shared_on}
            for s in shared.shares
        ],
        "already_shared": [a.pk for a in shared.already],
        "emailed": shared.emailed,
    }


# --- candidates ------------------------------------------------------------------------------


@router.get(f"{PREFIX}/candidates", response={200: list[CandidateOut], **problems()})
@paginate(PageNumberPagination)
def candidate_list(request: HttpRequest, filters: Query[CandidateFilters]):
    """The candidates of the requisitions you may see."""
    queryset = selectors.candidates_visible(user=request_user(request))
    if filters.requisition_id is not None:
        queryset = queryset.filter(requisition_id=filters.requisition_id)
    if filters.agency_id is not None:
        queryset = queryset.filter(agency_id=filters.agency_id)
    if filters.stage:
        queryset = queryset.filter(stage=filters.stage)
    return MappedRows(queryset.order_by("requisition__code", "applied_on", "id"), candidate_out)


@router.post(
    f"{PREFIX}/requisitions/{{requisition_id}}/candidates",
    response={201: CandidateOut, **WRITE_PROBLEMS},
)
def candidate_create(request: HttpRequest, requisition_id: ObjectId, payload: CandidateIn):
    """Add a candidate to an open requisition."""
    user = request_user(request)
    requisition = _requisition(request, requisition_id)
    agency = None
    if payload.agency_id is not None:
        agency = selectors.agencies_visible(user=user).filter(pk=payload.agency_id).first()
        if agency is None:
            raise ValidationError(
                {"agency_id": _("No agency with id %(id)s.") % {"id": payload.agency_id}}
            )
    candidate = services.candidate_add(
        by=user,
        requisition=requisition,
        full_name=payload.full_name,
        source=payload.source,
        agency=agency,
        email=payload.email,
        phone=payload.phone,
        applied_on=payload.applied_on,
        notes=payload.notes,
    )
    return Status(201, candidate_out(candidate))


@router.get(f"{PREFIX}/candidates/{{candidate_id}}", response={200: CandidateOut, **problems(404)})
def candidate_read(request: HttpRequest, candidate_id: ObjectId):
    user = request_user(request)
    return candidate_out(visible_or_404(selectors.candidates_visible(user=user), candidate_id))


@router.post(
    f"{PREFIX}/candidates/{{candidate_id}}/stage", response={200: CandidateOut, **WRITE_PROBLEMS}
)
def candidate_stage(request: HttpRequest, candidate_id: ObjectId, payload: StageIn):
    """Move a candidate to a stage on a day (a hire may name the employee they became)."""
    user = request_user(request)
    candidate = visible_or_404(selectors.candidates_visible(user=user), candidate_id)
    employee = reference_or_422(
        Employee.objects, payload.hired_employee_id, field="hired_employee_id", user=user
    )
    candidate = services.candidate_move(
        by=user, candidate=candidate, stage=payload.stage, on=payload.on, hired_employee=employee
    )
    return candidate_out(candidate)


# --- performance -----------------------------------------------------------------------------


@router.get(f"{PREFIX}/performance", response={200: PerformanceOut, **problems(403)})
def performance(request: HttpRequest):
    """Time to fill (median days, per department and job family), the overdue urgent
    requisitions, and each agency's results, over what you may see."""
    user = request_user(request)
    if reach(user, Domain.RECRUITING, Action.VIEW) is None:
        raise PermissionDenied(_("Your role may not see recruiting."))
    overview = selectors.recruiting_overview(user=user, today=timezone.localdate())

    def ttf(rows) -> list[dict]:
        return [row.__dict__ for row in rows]

    return {
        "median_days_to_fill": overview["median_days"],
        "open": overview["open"],
        "filled": overview["filled"],
        "time_to_fill_by_department": ttf(overview["by_department"]),
        "time_to_fill_by_family": ttf(overview["by_family"]),
        "overdue_urgent": [
            {
                "requisition_id": r.pk,
                "code": r.code,
                "urgency": r.urgency,
                "target_date": r.target_date,
                "days_overdue": days,
            }
            for r, days in overview["overdue"]
        ],
        "agencies": [row.__dict__ for row in selectors.agency_performance_for(user=user)],
    }
