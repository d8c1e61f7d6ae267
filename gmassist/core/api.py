"""The core endpoints of the REST API: personal API tokens, proposals, imports, jobs and the
inbox."""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, File, Form, Query, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from gmassist.api import (
    ObjectId,
    PageNumberPagination,
    Text,
    problems,
    request_user,
    visible_or_404,
)
from gmassist.core import services
from gmassist.core.choices import Action, JobStatus, ProposalStatus
from gmassist.core.imports import entity_spec, explain, registered_entities
from gmassist.core.models import Proposal
from gmassist.core.permissions import ALL, reach
from gmassist.core.selectors import api_tokens_of, jobs_visible, proposals_visible
from gmassist.core.uploads import upload_save, upload_too_large_message
from gmassist.lib.mapping import MappingError, parse_mapping

router = Router()

# --- schemas ---------------------------------------------------------------------------------


class UserRef(Schema):
    id: int
    username: str


class TokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(description="the key's first characters, to recognise it")
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    is_active: bool


class TokenIn(Schema):
    name: Text = Field(min_length=1, max_length=100, description="e.g. the script that uses it")


class TokenCreated(TokenOut):
    key: str = Field(description="the token itself: shown this once only, keep it secret")


class OutsideDecisionOut(Schema):
    decided_by: str = Field(description="who decided outside the application, e.g. the board")
    decided_on: dt.date
    reference: str = Field(description="e.g. the minutes or resolution it was taken in")


class ProposalOut(Schema):
    id: int
    kind: str
    title: str
    status: ProposalStatus
    rationale: str
    evidence: list[Any]
    cost: Decimal = Field(description="yearly, in the company's currency")
    expected_effect: str
    payload: dict[str, Any]
    department_id: int | None
    subject_employee_id: int | None
    proposed_by: UserRef | None
    decided_by: UserRef | None
    decided_at: dt.datetime | None
    decision_comment: str
    applied_at: dt.datetime | None
    result: dict[str, Any]
    created_at: dt.datetime
    needs_outside_decision: bool = Field(
        description="open and about a GM: nobody decides it inside the application; the GM or "
        "the assistant records the outside decision (POST …/outside-decision)"
    )
    outside_decision: OutsideDecisionOut | None = Field(
        description="the decision taken outside the application, as recorded (decided_by is "
        "then who recorded it)"
    )

    @staticmethod
    def resolve_title(proposal: Proposal) -> str:
        # in the language of the request (Accept-Language, or the user's own)
        return proposal.display_title

    @staticmethod
    def resolve_rationale(proposal: Proposal) -> str:
        return proposal.display_rationale

    @staticmethod
    def resolve_expected_effect(proposal: Proposal) -> str:
        return proposal.display_expected_effect

    @staticmethod
    def resolve_needs_outside_decision(proposal: Proposal, context: Any) -> bool:
        if proposal.status != ProposalStatus.OPEN:
            return False
        request = context["request"]
        gms = getattr(request, "_gm_employee_ids", None)
        if gms is None:  # read once per request, however many proposals it lists
            gms = request._gm_employee_ids = services.gm_employee_ids()
        return services.proposal_needs_outside_decision(proposal=proposal, gm_employees=gms)

    @staticmethod
    def resolve_outside_decision(proposal: Proposal) -> dict[str, Any] | None:
        if not proposal.decided_outside:
            return None
        return {
            "decided_by": proposal.outside_decided_by,
            "decided_on": proposal.outside_decided_on,
            "reference": proposal.outside_reference,
        }


class ProposalFilters(Schema):
    status: ProposalStatus | None = None


class ApproveIn(Schema):
    comment: Text = Field("", max_length=2000)


class RejectIn(Schema):
    comment: Text = Field(min_length=1, max_length=2000, description="why it is rejected")


class OutsideDecisionIn(Schema):
    decision: Literal["approved", "rejected"] = Field(description="what was decided outside")
    decided_by: Text = Field(
        min_length=1, max_length=200, description="who decided, e.g. Board of directors"
    )
    decided_on: dt.date = Field(description="the day it was decided, not in the future")
    reference: Text = Field(
        min_length=1, max_length=200, description="the minutes or resolution it is recorded in"
    )
    comment: Text = Field("", max_length=2000)


class JobOut(Schema):
    id: int
    kind: str
    status: JobStatus
    progress: int = Field(description="0-100")
    message: str
    result: dict[str, Any] = Field(
        description="what the job did; an import's row errors are in result.errors as "
        "{row, column, value, reason}, and the proposals it made instead of writing (the new "
        "pay of existing employees) in result.proposals as {id, kind, lines, message}"
    )
    error: str
    created_by_id: int | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    attempts: int = Field(
        description="tries so far; a job whose worker was lost is tried again, up to "
        "GMASSIST_JOB_MAX_TRIES"
    )
    worker: str = Field(
        description="the worker (host:process id) running it, or that ran its last try; "
        "empty while queued"
    )
    heartbeat_at: dt.datetime | None = Field(
        description="when its worker last said it is alive, while it runs"
    )


# --- tokens ----------------------------------------------------------------------------------


@router.get("/tokens", response={200: list[TokenOut], **problems()}, tags=["tokens"])
@paginate(PageNumberPagination)
def token_list(request: HttpRequest):
    """Your own API tokens, newest first, revoked ones included."""
    user = request_user(request)
    return api_tokens_of(user=user)


@router.post("/tokens", response={201: TokenCreated, **problems()}, tags=["tokens"])
def token_create(request: HttpRequest, payload: TokenIn):
    """Create a personal API token; its key is in this response only."""
    token, key = services.api_token_create(user=request_user(request), name=payload.name)
    return Status(201, {**TokenOut.model_validate(token).model_dump(), "key": key})


@router.delete("/tokens/{token_id}", response={200: TokenOut, **problems(404)}, tags=["tokens"])
def token_revoke(request: HttpRequest, token_id: ObjectId):
    """Revoke one of your tokens; requests made with it are refused from now on."""
    user = request_user(request)
    token = visible_or_404(api_tokens_of(user=user), token_id)
    return services.api_token_revoke(token=token, by=user)


# --- proposals -------------------------------------------------------------------------------


@router.get("/proposals", response={200: list[ProposalOut], **problems()}, tags=["proposals"])
@paginate(PageNumberPagination)
def proposal_list(request: HttpRequest, filters: Query[ProposalFilters]):
    """Proposals you may see, newest first, optionally of one status."""
    return proposals_visible(user=request_user(request), status=filters.status)


@router.get(
    "/proposals/{proposal_id}", response={200: ProposalOut, **problems(404)}, tags=["proposals"]
)
def proposal_detail(request: HttpRequest, proposal_id: ObjectId):
    """One proposal with its rationale, evidence and decision."""
    return visible_or_404(proposals_visible(user=request_user(request)), proposal_id)


@router.post(
    "/proposals/{proposal_id}/approve",
    response={200: ProposalOut, **problems(400, 403, 404, 409)},
    tags=["proposals"],
)
def proposal_approve(request: HttpRequest, proposal_id: ObjectId, payload: ApproveIn):
    """Approve and apply a proposal in one transaction.

    403 when your role may not decide it; 409 when it is no longer open; 422 when its payload
    no longer holds against the data as it is now.
    """
    user = request_user(request)
    proposal = visible_or_404(proposals_visible(user=user), proposal_id)
    return services.proposal_approve(proposal=proposal, by=user, comment=payload.comment)


@router.post(
    "/proposals/{proposal_id}/reject",
    response={200: ProposalOut, **problems(400, 403, 404, 409)},
    tags=["proposals"],
)
def proposal_reject(request: HttpRequest, proposal_id: ObjectId, payload: RejectIn):
    """Reject a proposal with the reason; it is kept with who rejected it and when."""
    user = request_user(request)
    proposal = visible_or_404(proposals_visible(user=user), proposal_id)
    return services.proposal_reject(proposal=proposal, by=user, comment=payload.comment)


@router.post(
    "/proposals/{proposal_id}/outside-decision",
    response={200: ProposalOut, **problems(400, 403, 404, 409)},
    tags=["proposals"],
)
def proposal_outside_decision(
    request: HttpRequest, proposal_id: ObjectId, payload: OutsideDecisionIn
):
    """Record the decision taken outside the application on a proposal about the GM (who
    decided, when, the reference); approved, it is applied now. The GM or the assistant only:
    403 otherwise; 409 when the proposal is not open or is decided inside the application."""
    user = request_user(request)
    proposal = visible_or_404(proposals_visible(user=user), proposal_id)
    return services.proposal_record_outside_decision(
        proposal=proposal,
        by=user,
        approved=payload.decision == "approved",
        decided_by=payload.decided_by,
        decided_on=payload.decided_on,
        reference=payload.reference,
        comment=payload.comment,
    )


# --- imports and jobs ------------------------------------------------------------------------


# The entities the apps registered (at start-up, CoreConfig.ready), as the schema's enum.
ImportEntity = Literal[tuple(registered_entities())] if registered_entities() else str  # type: ignore[valid-type]


class ImportIn(Schema):
    entity: ImportEntity = Field(description="what the file holds")  # type: ignore[valid-type]
    mapping: Text = Field("", max_length=100_000, description="a TOML mapping (empty: none)")
    dry_run: bool = Field(False, description="check and count, write nothing")


@router.post("/imports", response={202: JobOut, **problems(400, 403)}, tags=["imports"])
def import_start(request: HttpRequest, file: File[UploadedFile], form: Form[ImportIn]):
    """Upload a CSV or XLSX file and start importing it as a job (`core.import`).

    Poll `/api/jobs/{id}`: its result counts what was (or, in a dry run, would be) created,
    updated and left unchanged, and lists every row error with row, column, value and reason.
    An import is all or nothing.
    """
    user = request_user(request)
    if reach(user, entity_spec(form.entity).domain, Action.IMPORT) != ALL:
        raise PermissionDenied(_("Your role may not import %s.") % form.entity)
    if form.mapping:
        try:
            parse_mapping(form.mapping)
        except MappingError as exc:  # checked before the upload is kept or a job started
            raise ValidationError({"mapping": explain(exc)}) from None
    if file.size is not None and file.size > settings.UPLOAD_MAX_BYTES:
        raise HttpError(413, upload_too_large_message())
    path = upload_save(upload=file)
    job = services.job_submit(
        kind="core.import",
        params={
            "entity": form.entity,
            "path": str(path),
            "mapping": form.mapping or None,
            "dry_run": form.dry_run,
        },
        by=user,
    )
    return Status(202, job)


@router.get("/jobs", response={200: list[JobOut], **problems()}, tags=["jobs"])
@paginate(PageNumberPagination)
def job_list(request: HttpRequest):
    """Jobs you started (all jobs for the GM's office), newest first."""
    return jobs_visible(user=request_user(request))


@router.get("/jobs/{job_id}", response={200: JobOut, **problems(404)}, tags=["jobs"])
def job_detail(request: HttpRequest, job_id: ObjectId):
    """One job: status, progress (0-100 and a message) and, when finished, its result."""
    return visible_or_404(jobs_visible(user=request_user(request)), job_id)


# --- the inbox -------------------------------------------------------------------------------


class InboxItemOut(Schema):
    title: str
    url: str = Field(description="the page where it is done")
    due: dt.date | None = Field(description="by when, if there is a date")
    status: str = Field(description="where it stands, in the request's language")
    needs_action: bool = Field(description="true when it waits for you")
    detail: str


class InboxSectionOut(Schema):
    key: str = Field(description='the registering app\'s name for it, e.g. "decisions"')
    title: str
    url: str
    needs_action: int = Field(description="items of this section waiting for you")
    items: list[InboxItemOut]


class InboxOut(Schema):
    needs_action: int = Field(description="items waiting for you, all sections together")
    sections: list[InboxSectionOut]


@router.get("/inbox", response={200: InboxOut, **problems()}, tags=["inbox"])
def inbox(request: HttpRequest):
    """Your inbox: what waits for you across the apps (decisions, surveys, feedback threads)."""
    from gmassist.core.inbox import inbox_for

    sections = inbox_for(request_user(request))
    return {
        "needs_action": sum(section.action_count for section in sections),
        "sections": [
            {
                "key": section.key,
                "title": section.title,
                "url": section.url,
                "needs_action": section.action_count,
                "items": section.items,
            }
            for section in sections
        ],
    }


# --- deputies --------------------------------------------------------------------------------


class DeputyOut(Schema):
    id: int
    principal: UserRef
    deputy: UserRef
    starts_on: dt.date
    ends_on: dt.date
    note: str
    ended_at: dt.datetime | None
    acting_now: bool = Field(description="the deputy decides for the principal today")


class DeputyIn(Schema):
    principal_id: ObjectId | None = Field(
        None, description="who is away (null: you); the GM's office names them for anyone"
    )
    deputy_id: ObjectId
    starts_on: dt.date
    ends_on: dt.date = Field(description="the last day, included")
    note: Text = Field("", max_length=300)


def _deputy_out(row: Any) -> dict[str, Any]:
    from django.utils import timezone

    return {
        "id": row.pk,
        "principal": {"id": row.principal_id, "username": row.principal.username},
        "deputy": {"id": row.deputy_id, "username": row.deputy.username},
        "starts_on": row.starts_on,
        "ends_on": row.ends_on,
        "note": row.note,
        "ended_at": row.ended_at,
        "acting_now": row.covers(timezone.localdate()),
    }


@router.get("/deputies", response={200: list[DeputyOut], **problems()}, tags=["deputies"])
@paginate(PageNumberPagination)
def deputy_list(request: HttpRequest):
    """Deputyships you may see: yours (as the one away or as the deputy), all for the GM's
    office; the latest start first."""
    from gmassist.api import MappedRows
    from gmassist.core.selectors import deputyships_visible

    rows = deputyships_visible(user=request_user(request)).order_by("-starts_on", "-id")
    return MappedRows(rows, _deputy_out)


@router.post(
    "/deputies", response={201: DeputyOut, **problems(400, 403, 404, 409)}, tags=["deputies"]
)
def deputy_create(request: HttpRequest, payload: DeputyIn):
    """Name a deputy for the days someone is away: the proposals and documents waiting for
    them go to the deputy, who decides them on their behalf (within their limits)."""
    from gmassist.core.models import User

    user = request_user(request)
    principal = user
    if payload.principal_id is not None and payload.principal_id != user.pk:
        principal = User.objects.filter(pk=payload.principal_id).first()
        if principal is None:
            raise ValidationError({"principal_id": f"No user with id {payload.principal_id}."})
    deputy = User.objects.filter(pk=payload.deputy_id).first()
    if deputy is None:
        raise ValidationError({"deputy_id": f"No user with id {payload.deputy_id}."})
    row = services.deputy_name(
        principal=principal,
        deputy=deputy,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        note=payload.note,
        by=user,
    )
    return Status(201, _deputy_out(row))


@router.post(
    "/deputies/{deputy_id}/end",
    response={200: DeputyOut, **problems(400, 403, 404)},
    tags=["deputies"],
)
def deputy_end(request: HttpRequest, deputy_id: ObjectId):
    """End a deputyship now (the one away, the deputy or the GM's office)."""
    from gmassist.core.selectors import deputyships_visible

    user = request_user(request)
    row = visible_or_404(deputyships_visible(user=user), deputy_id)
    return _deputy_out(services.deputy_end(deputyship=row, by=user))
