"""The triage endpoints of the REST API under /api/office/triage (the GM's office only): the
matters (list, one, type one in, decide), the GM's rules and the acceptance report; their
shapes are in schemas.py."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from gmassist.api import MappedRows, ObjectId, PageNumberPagination, problems, request_user
from gmassist.core.choices import Action
from gmassist.core.models import User
from gmassist.core.permissions import Domain, may
from gmassist.office.triage import presenters, selectors, services
from gmassist.office.triage.models import Matter, TriageDecision, TriageRule
from gmassist.office.triage.schemas import (
    TriageDecideIn,
    TriageMatterDetailOut,
    TriageMatterFilters,
    TriageMatterIn,
    TriageMatterOut,
    TriageReportOut,
    TriageRuleIn,
    TriageRuleOut,
)
from gmassist.org.models import Department

router = Router(tags=["office"])

WRITE_PROBLEMS = problems(400, 403, 404, 409)


def _person(user) -> dict | None:
    return None if user is None else {"id": user.pk, "name": str(user)}


def _decision_out(decision: Matter | TriageDecision) -> dict:
    return {
        "route": decision.route,
        "category": decision.category,
        "owner": _person(decision.owner),
        "accepted": bool(decision.accepted),
        "decided_by": _person(decision.decided_by),
        "decided_at": decision.decided_at,
        "note": decision.note,
    }


def matter_out(matter: Matter) -> dict:
    return {
        "id": matter.pk,
        "title": matter.title,
        "text": matter.text,
        "language": matter.language,
        "source": matter.source,
        "source_ref": matter.source_ref,
        "department_id": matter.department_id,
        "received_at": matter.received_at,
        "status": matter.status,
        "proposal": {
            "route": matter.proposed_route,
            "category": matter.proposed_category,
            "owner": _person(matter.proposed_owner),
            "confidence": matter.confidence,
            "unsure": matter.unsure,
            "rule_id": matter.proposed_by_rule_id,
            "reasons": presenters.proposal_reasons(matter),
        },
        "decision": _decision_out(matter) if matter.status == "decided" else None,
        "task_ref": matter.task_ref,
    }


def rule_out(rule: TriageRule) -> dict:
    return {
        "id": rule.pk,
        "position": rule.position,
        "phrases_en": rule.phrases_en,
        "phrases_zh": rule.phrases_zh,
        "category": rule.category,
        "route": rule.route,
        "owner": _person(rule.owner),
        "active": rule.active,
    }


def _require_view(user) -> None:
    if not may(user, Domain.OFFICE_TRIAGE, Action.VIEW):
        raise PermissionDenied(_("Only the GM's office sees the triage."))


def _visible(request: HttpRequest, matter_id: ObjectId) -> Matter:
    matter = selectors.matters_visible(user=request_user(request)).filter(pk=matter_id).first()
    if matter is None:
        raise Http404("matter not found")
    return matter


def _user_or_422(pk: int | None, *, field: str) -> User | None:
    if pk is None:
        return None
    user = selectors.delegate_choices().filter(pk=pk).first()
    if user is None:
        raise ValidationError({field: _("Nobody to delegate to has id %(id)s.") % {"id": pk}})
    return user


@router.get("/office/triage", response={200: list[TriageMatterOut], **problems(403)})
@paginate(PageNumberPagination)
def triage_list(request: HttpRequest, filters: Query[TriageMatterFilters]):
    """The matters (the GM's office): with no filter the waiting ones first, then the decided,
    each the oldest first; `status=decided` or a `route` gives the decided, the latest first."""
    user = request_user(request)
    _require_view(user)
    if filters.status == "decided" or filters.route:
        rows = selectors.matters_decided(user=user, route=filters.route or "")
    elif filters.status == "waiting":
        rows = selectors.matters_waiting(user=user)
    else:
        rows = selectors.matters_visible(user=user).order_by("-status", "received_at", "id")
    return MappedRows(rows, matter_out)


@router.post("/office/triage", response={201: TriageMatterOut, **WRITE_PROBLEMS})
def triage_submit(request: HttpRequest, payload: TriageMatterIn):
    """Type a matter in (the GM's office): it gets its proposal at once."""
    user = request_user(request)
    department = None
    if payload.department_id is not None:
        department = Department.objects.filter(pk=payload.department_id).first()
        if department is None:
            raise ValidationError(
                {
                    "department_id": _("No department with id %(id)s.")
                    % {"id": payload.department_id}
                }
            )
    matter = services.matter_submit(
        by=user,
        title=payload.title,
        text=payload.text,
        source=payload.source,
        source_ref=payload.source_ref,
        department=department,
    )
    return Status(201, matter_out(matter))


@router.get("/office/triage/rules", response={200: list[TriageRuleOut], **problems(403)})
def triage_rules(request: HttpRequest):
    """The GM's rules in their order (the first active one that matches decides)."""
    user = request_user(request)
    _require_view(user)
    return [rule_out(r) for r in selectors.rules_visible(user=user)]


@router.post("/office/triage/rules", response={201: TriageRuleOut, **WRITE_PROBLEMS})
def triage_rule_create(request: HttpRequest, payload: TriageRuleIn):
    """Add a rule at the end of the order (the GM); the waiting matters are proposed again."""
    user = request_user(request)
    _require_view(user)
    rule = services.rule_save(
        by=user,
        phrases_en=payload.phrases_en,
        phrases_zh=payload.phrases_zh,
        category=payload.category,
        route=payload.route,
        owner=_user_or_422(payload.owner_id, field="owner_id"),
        active=payload.active,
    )
    return Status(201, rule_out(rule))


def _visible_rule(request: HttpRequest, rule_id: ObjectId) -> TriageRule:
    rule = selectors.rules_visible(user=request_user(request)).filter(pk=rule_id).first()
    if rule is None:
        raise Http404("rule not found")
    return rule


@router.put("/office/triage/rules/{rule_id}", response={200: TriageRuleOut, **WRITE_PROBLEMS})
def triage_rule_change(request: HttpRequest, rule_id: ObjectId, payload: TriageRuleIn):
    """Change a rule (the GM)."""
    user = request_user(request)
    rule = services.rule_save(
        by=user,
        rule=_visible_rule(request, rule_id),
        phrases_en=payload.phrases_en,
        phrases_zh=payload.phrases_zh,
        category=payload.category,
        route=payload.route,
        owner=_user_or_422(payload.owner_id, field="owner_id"),
        active=payload.active,
    )
    return rule_out(rule)


@router.delete("/office/triage/rules/{rule_id}", response={204: None, **WRITE_PROBLEMS})
def triage_rule_delete(request: HttpRequest, rule_id: ObjectId):
    """Delete a rule (the GM)."""
    services.rule_delete(rule=_visible_rule(request, rule_id), by=request_user(request))
    return Status(204, None)


@router.get("/office/triage/report", response={200: TriageReportOut, **problems(403)})
def triage_report(request: HttpRequest):
    """How often the GM accepted the proposal (rates 0-1): overall, by proposed category, by
    month of the decision, by proposed route and by who proposed (a rule, the classifier)."""
    user = request_user(request)
    _require_view(user)
    return selectors.acceptance_report(user=user)


@router.get("/office/triage/{matter_id}", response={200: TriageMatterDetailOut, **problems(404)})
def triage_read(request: HttpRequest, matter_id: ObjectId):
    """One matter with its proposal and every decision on it."""
    matter = _visible(request, matter_id)
    history = selectors.matter_decisions(user=request_user(request), matter=matter)
    return {**matter_out(matter), "history": [_decision_out(d) for d in history]}


@router.post(
    "/office/triage/{matter_id}/decision", response={200: TriageMatterOut, **WRITE_PROBLEMS}
)
def triage_decide(request: HttpRequest, matter_id: ObjectId, payload: TriageDecideIn):
    """The GM decides (or changes the decision): the GM's, delegate to `owner_id`, or not the
    company's business. The decision is kept and the classifier learns from it."""
    matter = _visible(request, matter_id)
    user = request_user(request)
    matter = services.matter_decide(
        matter=matter,
        by=user,
        route=payload.route,
        owner=_user_or_422(payload.owner_id, field="owner_id")
        if payload.route == "delegate"
        else None,
        category=payload.category,
        note=payload.note,
    )
    return matter_out(matter)
