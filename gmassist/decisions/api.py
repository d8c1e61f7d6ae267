"""The decisions endpoints of the REST API: the register, publishing (a job), amending,
withdrawing, acknowledging, responding (named or anonymous), answering, the acknowledgement
status and consensus summary, and reminders (a job)."""

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest
from django.utils.translation import gettext
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
from gmassist.core.anonymity import mark_anonymous_act
from gmassist.core.api import JobOut
from gmassist.core.models import User
from gmassist.core.services import job_submit
from gmassist.decisions import jobs, selectors, services
from gmassist.decisions.choices import ResponseTheme
from gmassist.decisions.models import Decision, Response
from gmassist.decisions.schemas import (
    AcknowledgementFilters,
    AcknowledgementOut,
    AmendIn,
    AnswerIn,
    AudienceIO,
    DecisionDetailOut,
    DecisionFilters,
    DecisionIn,
    DecisionOut,
    DecisionUpdateIn,
    MyAcknowledgementOut,
    RespondIn,
    ResponseOut,
    SummaryOut,
    WithdrawIn,
)
from gmassist.org.models import Department, Employee

router = Router(tags=["decisions"])

WRITE_PROBLEMS = problems(400, 403, 404, 409)


# --- shaping ---------------------------------------------------------------------------------


def decision_out(decision: Decision) -> dict[str, Any]:
    """A decision as the API shows it (counts of the whole decision)."""
    counts = getattr(decision, "addressee_count", None)
    if counts is None:
        totals = decision.acknowledgements.aggregate(
            total=Count("pk"), acknowledged=Count("pk", filter=Q(acknowledged_at__isnull=False))
        )
        addressees, acknowledged = totals["total"], totals["acknowledged"]
    else:
        addressees, acknowledged = decision.addressee_count, decision.acknowledged_count
    author = decision.author
    return {
        "id": decision.pk,
        "title": decision.title,
        "summary": decision.summary,
        "rationale": decision.rationale,
        "effective_date": decision.effective_date,
        "status": decision.status,
        "version": decision.version,
        "department_id": decision.department_id,
        "audience": {
            "departments": sorted(decision.audience_departments.values_list("pk", flat=True)),
            "roles": decision.audience_roles,
            "people": sorted(decision.audience_people.values_list("pk", flat=True)),
        },
        "author": {"id": author.pk, "name": str(author)} if author is not None else None,
        "published_at": decision.published_at,
        "withdrawn_at": decision.withdrawn_at,
        "withdrawal_reason": decision.withdrawal_reason,
        "addressee_count": addressees,
        "acknowledged_count": acknowledged,
    }


def decision_detail_out(decision: Decision, user: User) -> dict[str, Any]:
    row = selectors.own_acknowledgement(user=user, decision=decision)
    mine = {
        "addressed": row is not None,
        "needs_action": row is not None and decision.is_live and row.acknowledged_at is None,
        "acknowledged_at": row.acknowledged_at if row else None,
        "acknowledged_version": row.acknowledged_version if row else None,
    }
    return {
        **decision_out(decision),
        "versions": list(selectors.decision_versions(decision=decision)),
        "mine": MyAcknowledgementOut(**mine),
    }


def response_out(response: Response, *, names: bool) -> dict[str, Any]:
    """A response; its author's name and department only for readers who may see them."""
    show = names and not response.is_anonymous
    return {
        "id": response.pk,
        "kind": response.kind,
        "theme": response.theme,
        "text": response.text,
        "version": response.version,
        "is_anonymous": response.is_anonymous,
        "author": str(response.author) if show and response.author else None,
        "department": str(response.department) if show and response.department else None,
        "submitted_on": response.submitted_on,
        "answer": response.answer,
        "answered_on": response.answered_on,
    }


def _audience(user: User, audience: AudienceIO) -> services.Audience:
    departments = [
        reference_or_422(Department.objects, pk, field="audience.departments", user=user)
        for pk in dict.fromkeys(audience.departments)
    ]
    people = [
        reference_or_422(Employee.objects, pk, field="audience.people", user=user)
        for pk in dict.fromkeys(audience.people)
    ]
    return services.Audience(
        departments=tuple(departments),
        roles=tuple(dict.fromkeys(str(role) for role in audience.roles)),
        people=tuple(people),
    )


def _decision(user: User, decision_id: int) -> Decision:
    return visible_or_404(selectors.decisions_visible(user=user), decision_id)


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


# --- the register ----------------------------------------------------------------------------


@router.get("/decisions", response={200: list[DecisionOut], **problems()})
@paginate(PageNumberPagination)
def decision_list(request: HttpRequest, filters: Query[DecisionFilters]):
    """The decisions you may see (addressed to you; your subtree's; all for the GM's office),
    newest effective date first."""
    decisions = selectors.decision_register(
        user=request_user(request),
        search=filters.search,
        status=filters.status,
        department_id=filters.department_id,
        pending_only=filters.pending,
    ).prefetch_related("audience_departments", "audience_people")
    return MappedRows(decisions, decision_out)


@router.post("/decisions", response={201: DecisionOut, **WRITE_PROBLEMS})
def decision_create(request: HttpRequest, payload: DecisionIn):
    """Draft a decision (GM, assistant; a head for their subtree). Nobody is told until it is
    published."""
    user = request_user(request)
    department = reference_or_422(
        Department.objects, payload.department_id, field="department_id", user=user
    )
    decision = services.decision_create(
        by=user,
        title=payload.title,
        summary=payload.summary,
        rationale=payload.rationale,
        effective_date=payload.effective_date,
        department=department,
        audience=_audience(user, payload.audience),
    )
    return Status(201, decision_out(decision))


@router.get("/decisions/{decision_id}", response={200: DecisionDetailOut, **problems(404)})
def decision_detail(request: HttpRequest, decision_id: ObjectId):
    """One decision with its versions and your own acknowledgement."""
    user = request_user(request)
    return decision_detail_out(_decision(user, decision_id), user)


@router.put("/decisions/{decision_id}", response={200: DecisionOut, **WRITE_PROBLEMS})
def decision_update(request: HttpRequest, decision_id: ObjectId, payload: DecisionUpdateIn):
    """Rewrite a draft (a published decision is amended instead)."""
    user = request_user(request)
    decision = _decision(user, decision_id)
    decision = services.decision_update(
        decision=decision,
        by=user,
        title=payload.title,
        summary=payload.summary,
        rationale=payload.rationale,
        effective_date=payload.effective_date,
        audience=_audience(user, payload.audience),
    )
    return decision_out(decision)


@router.post("/decisions/{decision_id}/publish", response={202: JobOut, **WRITE_PROBLEMS})
def decision_publish(request: HttpRequest, decision_id: ObjectId):
    """Publish a draft (the GM; a head for their subtree) as a job: every addressee gets it in
    their inbox and an e-mail. Poll `/api/jobs/{id}`."""
    user = request_user(request)
    decision = _decision(user, decision_id)
    services.decision_check_publishable(decision=decision, by=user)
    job = job_submit(
        kind=jobs.PUBLISH,
        params={"decision_id": decision.pk, "base_url": _base_url(request)},
        by=user,
    )
    return Status(202, job)


@router.post("/decisions/{decision_id}/amend", response={200: DecisionOut, **WRITE_PROBLEMS})
def decision_amend(request: HttpRequest, decision_id: ObjectId, payload: AmendIn):
    """Amend a published decision: a new version, kept with the earlier ones; when
    `substantive`, every addressee acknowledges again. The addressees are e-mailed (a job)."""
    user = request_user(request)
    decision = _decision(user, decision_id)
    decision = services.decision_amend(
        decision=decision,
        by=user,
        title=payload.title,
        summary=payload.summary,
        rationale=payload.rationale,
        effective_date=payload.effective_date,
        change_note=payload.change_note,
        substantive=payload.substantive,
        audience=_audience(user, payload.audience) if payload.audience is not None else None,
    )
    job_submit(
        kind=jobs.NOTIFY,
        params={"decision_id": decision.pk, "base_url": _base_url(request)},
        by=user,
    )
    return decision_out(decision)


@router.post("/decisions/{decision_id}/withdraw", response={200: DecisionOut, **WRITE_PROBLEMS})
def decision_withdraw(request: HttpRequest, decision_id: ObjectId, payload: WithdrawIn):
    """Withdraw a published decision, with the reason (it stays in the register)."""
    user = request_user(request)
    decision = services.decision_withdraw(
        decision=_decision(user, decision_id), by=user, reason=payload.reason
    )
    return decision_out(decision)


@router.post("/decisions/{decision_id}/remind", response={202: JobOut, **WRITE_PROBLEMS})
def decision_remind(request: HttpRequest, decision_id: ObjectId):
    """E-mail a reminder to every addressee who has not acknowledged (a job)."""
    user = request_user(request)
    decision = _decision(user, decision_id)
    if not services.may_change(user, decision):
        raise PermissionDenied(gettext("Your role may not send reminders for this decision."))
    services.decision_check_remindable(decision=decision, by=user)
    job = job_submit(
        kind=jobs.REMIND,
        params={"decision_id": decision.pk, "base_url": _base_url(request)},
        by=user,
    )
    return Status(202, job)


# --- the addressees' side --------------------------------------------------------------------


@router.post(
    "/decisions/{decision_id}/acknowledge",
    response={200: MyAcknowledgementOut, **WRITE_PROBLEMS},
)
def decision_acknowledge(request: HttpRequest, decision_id: ObjectId):
    """Acknowledge the decision as it stands now (only its addressees)."""
    user = request_user(request)
    row = services.decision_acknowledge(decision=_decision(user, decision_id), by=user)
    return {
        "addressed": True,
        "needs_action": False,
        "acknowledged_at": row.acknowledged_at,
        "acknowledged_version": row.acknowledged_version,
    }


@router.post("/decisions/{decision_id}/responses", response={201: ResponseOut, **WRITE_PROBLEMS})
def response_create(request: HttpRequest, decision_id: ObjectId, payload: RespondIn):
    """Ask a question, object or support (only addressees), named or anonymous. An anonymous
    response is stored with no user, no department and only the day, and the request is kept out
    of the access log."""
    user = request_user(request)
    if payload.anonymous:
        mark_anonymous_act(request)
    response = services.decision_respond(
        decision=_decision(user, decision_id),
        by=user,
        kind=payload.kind,
        theme=payload.theme,
        text=payload.text,
        anonymous=payload.anonymous,
    )
    return Status(201, response_out(response, names=False))


@router.get(
    "/decisions/{decision_id}/responses", response={200: list[ResponseOut], **problems(404)}
)
@paginate(PageNumberPagination)
def response_list(request: HttpRequest, decision_id: ObjectId):
    """The questions with their answers (every reader), and for the GM's office and the heads
    of the decision's subtree every objection and support too, newest first."""
    user = request_user(request)
    decision = _decision(user, decision_id)
    names = selectors.may_read_responses(user=user, decision=decision)
    responses = selectors.responses_readable(user=user, decision=decision)
    return MappedRows(responses, lambda response: response_out(response, names=names))


@router.post(
    "/decisions/{decision_id}/responses/{response_id}/answer",
    response={200: ResponseOut, **WRITE_PROBLEMS},
)
def response_answer(
    request: HttpRequest, decision_id: ObjectId, response_id: uuid.UUID, payload: AnswerIn
):
    """Answer a question (the author, the GM's office, the head of the decision's subtree)."""
    user = request_user(request)
    decision = _decision(user, decision_id)
    response = (
        selectors.responses_readable(user=user, decision=decision).filter(pk=response_id).first()
    )
    if response is None:
        raise Http404("no such response")
    response = services.response_answer(response=response, by=user, answer=payload.answer)
    return response_out(response, names=selectors.may_read_responses(user=user, decision=decision))


# --- status and consensus --------------------------------------------------------------------


@router.get(
    "/decisions/{decision_id}/acknowledgements",
    response={200: list[AcknowledgementOut], **problems(404)},
)
@paginate(PageNumberPagination)
def acknowledgement_list(
    request: HttpRequest, decision_id: ObjectId, filters: Query[AcknowledgementFilters]
):
    """Who has and has not acknowledged: every addressee for the GM's office, your subtree's
    for a head, yourself for an addressee."""
    user = request_user(request)
    decision = _decision(user, decision_id)
    # the paginator slices the queryset: one page of rows is read, however many addressees
    return selectors.addressees_list(
        user=user, decision=decision, acknowledged=filters.acknowledged
    )


@router.get("/decisions/{decision_id}/summary", response={200: SummaryOut, **problems(404)})
def decision_summary(request: HttpRequest, decision_id: ObjectId):
    """Acknowledgement counts by department (those you may see) and, for the GM's office and
    the heads of the decision's subtree, the consensus summary."""
    user = request_user(request)
    decision = _decision(user, decision_id)
    by_department = selectors.acknowledgement_by_department(user=user, decision=decision)
    consensus = None
    if selectors.may_read_responses(user=user, decision=decision):
        consensus = consensus_out(selectors.decision_consensus(user=user, decision=decision))
    return {
        "addressees": sum(row["total"] for row in by_department),
        "acknowledged": sum(row["acknowledged"] for row in by_department),
        "by_department": by_department,
        "consensus": consensus,
    }


def consensus_out(summary) -> dict[str, Any]:
    """The engine's consensus as plain data, with translated theme labels."""
    themes = dict(ResponseTheme.choices)
    return {
        "responses": summary.responses,
        "addressees": summary.addressees,
        "counts": summary.counts,
        "share_of_responses": summary.share_of_responses,
        "share_of_addressees": summary.share_of_addressees,
        "leaning": summary.leaning,
        "main_objections": list(summary.main_objections),
        "objections_by_theme": [
            {
                "key": group.key,
                "label": str(themes.get(group.key, group.key)),
                "count": group.count,
                "quotes": list(group.quotes),
            }
            for group in summary.objections_by_theme
        ],
        "objections_by_department": [
            {
                "key": group.key,
                "label": group.key or gettext("Anonymous"),
                "count": group.count,
                "quotes": list(group.quotes),
            }
            for group in summary.objections_by_department
        ],
    }
