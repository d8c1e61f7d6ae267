"""The feedback endpoints of the REST API: feedback (send, list, read, answer, statuses, set the
topic), the anonymous thread by reply code, and the trends; their shapes are in schemas.py.

Anonymous acts (sending anonymously, reading or answering with a reply code) are kept out of
the server's access log, as on the pages; the reply code travels only in request bodies.
"""

import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from gmassist.api import MappedRows, PageNumberPagination, problems, reference_or_422, request_user
from gmassist.core.anonymity import mark_anonymous_act
from gmassist.core.choices import Action
from gmassist.core.permissions import Domain, reach
from gmassist.org.models import Department
from gmassist.org.selectors import departments_everyone_names
from gmassist.voice.feedback import selectors, services
from gmassist.voice.feedback.models import Feedback, FeedbackMessage
from gmassist.voice.feedback.schemas import (
    CodeIn,
    CodeReplyIn,
    FeedbackFilters,
    FeedbackIn,
    FeedbackOut,
    FeedbackSubmittedOut,
    MessageOut,
    ReplyIn,
    StatusIn,
    ThreadOut,
    TopicIn,
    TrendsFilters,
    TrendsOut,
)
from gmassist.voice.feedback.views import MANY_ITEMS

router = Router(tags=["voice"])
# The endpoints were first written in this module's old place: their operation ids stay
# (gmassist/api.py, GmassistAPI.get_openapi_operation_id).
OPERATION_ID_MODULE = "gmassist.voice.api"

WRITE_PROBLEMS = problems(400, 403, 404, 409)


def _person(user) -> dict | None:
    return None if user is None else {"id": user.pk, "name": str(user)}


def feedback_out(item: Feedback) -> dict:
    return {
        "id": item.pk,
        "kind": item.kind,
        "addressed_to": item.addressed_to,
        "department_id": item.department_id,
        "department": item.department.name if item.department_id else None,
        "subject": item.subject,
        "body": item.body,
        "language": item.language,
        "anonymous": item.is_anonymous,
        "author": None if item.is_anonymous else _person(item.author),
        "submitted_on": item.submitted_on,
        "topic": item.topic,
        "topic_confidence": item.topic_confidence,
        "in_triage": item.in_triage,
        "sentiment": item.sentiment,
        "urgent": item.urgent_flags,
        "owner": _person(item.owner),
        "due_on": item.due_on,
        "status": item.status,
        "decline_reason": item.decline_reason,
        "answered_on": item.answered_on,
        "closed_on": item.closed_on,
    }


def message_out(message: FeedbackMessage, item: Feedback) -> dict:
    anonymous_sender = message.from_sender and item.is_anonymous
    return {
        "position": message.position,
        "from_sender": message.from_sender,
        "author": None if anonymous_sender else _person(message.author),
        "body": message.body,
        "written_on": message.written_on,
    }


def thread_out(item: Feedback) -> dict:
    return {
        "feedback": feedback_out(item),
        "messages": [message_out(m, item) for m in selectors.feedback_thread(feedback=item)],
    }


def _visible(request: HttpRequest, feedback_id: uuid.UUID) -> Feedback:
    item = selectors.feedback_visible(user=request_user(request)).filter(pk=feedback_id).first()
    if item is None:
        raise Http404("feedback not found")
    return item


@router.post("/voice/feedback", response={201: FeedbackSubmittedOut, **WRITE_PROBLEMS})
def feedback_send(request: HttpRequest, payload: FeedbackIn):
    """Send feedback. With `anonymous: true` no sender is stored (no user, no address, no time
    of day) and the answer carries the one-time `reply_code`, the only way back to the thread."""
    mark_anonymous_act(request)
    user = request_user(request)
    department = None
    if payload.department_id is not None:
        department = departments_everyone_names().filter(pk=payload.department_id).first()
        if department is None:
            raise ValidationError(
                {
                    "department_id": _("No department with id %(id)s.")
                    % {"id": payload.department_id}
                }
            )
    sent = services.feedback_submit(
        by=user,
        kind=payload.kind,
        addressed_to=payload.addressed_to,
        department=department,
        subject=payload.subject,
        body=payload.body,
        anonymous=payload.anonymous,
    )
    item = sent.feedback
    return Status(
        201,
        {
            "id": item.pk,
            "anonymous": item.is_anonymous,
            "reply_code": sent.reply_code,
            "due_on": item.due_on,
            "topic": item.topic,
            "sentiment": item.sentiment,
            "urgent": item.urgent_flags,
            "in_triage": item.in_triage,
        },
    )


@router.get("/voice/feedback", response={200: list[FeedbackOut], **problems(404)})
@paginate(PageNumberPagination)
def feedback_list(request: HttpRequest, filters: Query[FeedbackFilters]):
    """The feedback you may see (see the "feedback" permission policy), filtered and sorted."""
    user = request_user(request)
    department = reference_or_422(
        Department.objects, filters.department_id, field="department_id", user=user
    )
    items = selectors.feedback_queue(
        user=user,
        today=timezone.localdate(),
        department_id=department.pk if department else None,
        status=filters.status,
        topic=filters.topic,
        sentiment=filters.sentiment,
        urgent=filters.urgent,
        overdue=filters.overdue,
        mine=filters.mine,
        triage=filters.triage,
        sort=filters.sort,
    )
    return MappedRows(items, feedback_out)


@router.get("/voice/feedback/{feedback_id}", response={200: ThreadOut, **problems(404)})
def feedback_read(request: HttpRequest, feedback_id: uuid.UUID):
    """One item with its thread."""
    return thread_out(_visible(request, feedback_id))


@router.post("/voice/feedback/{feedback_id}/replies", response={201: MessageOut, **WRITE_PROBLEMS})
def feedback_answer(request: HttpRequest, feedback_id: uuid.UUID, payload: ReplyIn):
    """Answer an item you handle (it becomes answered), or write back in your own named item."""
    user = request_user(request)
    item = _visible(request, feedback_id)
    if item.author_id is not None and item.author_id == user.pk:
        message = services.feedback_reply_as_sender(feedback=item, body=payload.body, by=user)
    else:
        message = services.feedback_reply_as_owner(feedback=item, body=payload.body, by=user)
    return Status(201, message_out(message, item))


@router.post("/voice/feedback/{feedback_id}/status", response={200: FeedbackOut, **WRITE_PROBLEMS})
def feedback_change_status(request: HttpRequest, feedback_id: uuid.UUID, payload: StatusIn):
    """Move an item you handle to in progress, closed, or declined (with a `reason`)."""
    item = _visible(request, feedback_id)
    item = services.feedback_set_status(
        feedback=item, status=payload.status, reason=payload.reason, by=request_user(request)
    )
    return feedback_out(item)


@router.post("/voice/feedback/{feedback_id}/topic", response={200: FeedbackOut, **WRITE_PROBLEMS})
def feedback_change_topic(request: HttpRequest, feedback_id: uuid.UUID, payload: TopicIn):
    """Set an item's topic (HR and the GM's office: the "feedback_topics" policy): from triage,
    or to correct it. The item is routed by its new topic while open, the correction is kept
    (audited) and the company's classifier learns from it."""
    item = _visible(request, feedback_id)
    item = services.feedback_set_topic(feedback=item, topic=payload.topic, by=request_user(request))
    return feedback_out(item)


def _by_code(code: str) -> Feedback:
    item = services.feedback_by_code(code=code)
    if item is None:
        raise Http404("no feedback has this reply code")
    return item


@router.post("/voice/follow", response={200: ThreadOut, **problems(404)})
def feedback_follow(request: HttpRequest, payload: CodeIn):
    """Read an anonymous thread with its reply code (sent in the body, never in the URL)."""
    mark_anonymous_act(request)
    return thread_out(_by_code(payload.code))


@router.post("/voice/follow/replies", response={201: MessageOut, **WRITE_PROBLEMS})
def feedback_follow_reply(request: HttpRequest, payload: CodeReplyIn):
    """Write back in an anonymous thread with its reply code; nothing of who writes is kept."""
    mark_anonymous_act(request)
    item = _by_code(payload.code)
    message = services.feedback_reply_as_sender(feedback=item, body=payload.body, code=payload.code)
    return Status(201, message_out(message, item))


@router.get("/voice/trends", response={200: TrendsOut, **problems(403, 404)})
def feedback_trends(request: HttpRequest, filters: Query[TrendsFilters]):
    """Volume and sentiment of the feedback you may see, per month (oldest first), topic and
    department over the last `months` calendar months; shares are 0-1."""
    user = request_user(request)
    if reach(user, Domain.FEEDBACK, Action.VIEW) not in MANY_ITEMS:
        raise PermissionDenied(_("Your role may not see feedback trends."))
    department = reference_or_422(
        Department.objects, filters.department_id, field="department_id", user=user
    )
    return selectors.feedback_trends(
        user=user,
        as_of=timezone.localdate(),
        months=filters.months,
        department_id=department.pk if department else None,
    )
