"""Writes of the feedback: submitting it, the thread, statuses, routing, topics and reminders.

Keyword-only, one transaction each. Anonymity is kept here: an anonymous submission stores no
user (the `by` argument only proves that a logged-in person sent it), no time finer than a day,
and no audit entry; the sender gets a reply code, shown once, of which only the SHA-256 digest
is kept. Named submissions and messages are not audited either: the row itself records who and
which day, and an audit entry's time next to it would bound when the anonymous rows around it
arrived. Status changes by an owner are audited (they say when the owner acted, not who sent).

Routing by topic and triage: an item to a department whose topic the classifier is unsure of
(confidence below GMASSIST_FEEDBACK_TRIAGE_BELOW_PERCENT) gets no owner and waits in the triage
list; HR (or the GM's office) sets its topic, which routes it. HR owns department items of the
topics in GMASSIST_FEEDBACK_HR_TOPICS (pay and career by default), the department's head the
others. Every topic a person sets is kept (`TopicCorrection`, audited) and the company's
classifier is trained on the shipped examples plus each corrected item's text with its latest
topic (`company_classifier`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _

from gmassist.core.anonymity import rows_shuffle_physical_order
from gmassist.core.choices import Action, AuditAction, Role
from gmassist.core.models import User
from gmassist.core.notify import notify_users, site_url
from gmassist.core.permissions import ALL, Domain, reach
from gmassist.core.services import audit_record
from gmassist.org.models import Department
from gmassist.voice.common import MAX_BODY
from gmassist.voice.engine.classifier import (
    SHIPPED_EXAMPLES,
    FeedbackClassifier,
    load_examples,
)
from gmassist.voice.feedback import selectors
from gmassist.voice.feedback.choices import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    Addressee,
    FeedbackKind,
    FeedbackStatus,
    Topic,
    UrgentFlag,
)
from gmassist.voice.feedback.models import (
    Feedback,
    FeedbackMessage,
    TopicCorrection,
)

logger = logging.getLogger(__name__)

# Days an owner has to answer: an ordinary item, and an urgent one.
DUE_DAYS = 14
URGENT_DUE_DAYS = 2
MAX_SUBJECT = 200

# Reply codes: 20 characters of Crockford's base32 (no I, L, O, U), 100 bits, in groups of 4.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 20


def reply_code_new() -> str:
    """A fresh reply code, e.g. "7K2M-QX9D-…" (20 characters in 5 groups)."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def reply_code_digest(code: str) -> str:
    """The stored form of a reply code (SHA-256, hex) after normalising what people type:
    case, spaces and dashes do not matter, and O/I/L read as 0/1/1."""
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    cleaned = cleaned.translate(str.maketrans("OIL", "011"))
    return hashlib.sha256(cleaned.encode()).hexdigest()


@dataclass(frozen=True)
class Submitted:
    """A submitted item, with its reply code when anonymous (shown to the sender this once)."""

    feedback: Feedback
    reply_code: str = ""


def _first_user(role: str) -> User | None:
    return User.objects.filter(role=role, is_active=True).order_by("id").first()


def _department_head_user(department: Department) -> User | None:
    """The user of the nearest head at or above `department` (an acting head of a subtree)."""
    seen: set[int] = set()
    current: Department | None = department
    while current is not None and current.pk not in seen:
        seen.add(current.pk)
        if current.head_id is not None:
            user = User.objects.filter(employee_id=current.head_id, is_active=True).first()
            if user is not None:
                return user
        current = current.parent
    return None


def hr_topics() -> frozenset[str]:
    """The topics HR answers for (GMASSIST_FEEDBACK_HR_TOPICS): department items of these
    topics are owned by HR."""
    return frozenset(settings.FEEDBACK_HR_TOPICS)


def triage_below() -> float:
    """The topic confidence (0-1) under which a department item goes to triage
    (GMASSIST_FEEDBACK_TRIAGE_BELOW_PERCENT / 100; 0: never)."""
    return settings.FEEDBACK_TRIAGE_BELOW_PERCENT / 100


def goes_to_triage(
    *, addressed_to: str, department: Department | None, urgent: bool, topic_confidence: float
) -> bool:
    """True when a new item waits for HR to set its topic instead of going to an owner: an
    item to a department (its topic decides its owner), not urgent (urgent items go to HR at
    once), whose topic confidence (0-1) is below `triage_below()`."""
    if urgent or addressed_to != Addressee.DEPARTMENT or department is None:
        return False
    return topic_confidence < triage_below()


def route(
    *,
    addressed_to: str,
    department: Department | None,
    urgent: bool,
    topic: str = "",
    in_triage: bool = False,
) -> tuple[User | None, Department | None]:
    """(owner, department whose heads handle it) for an item.

    Urgent items go to HR (the department's head may be who it is about), items to the GM to
    the GM (else the assistant). An item to a department is handled in it (its heads see it):
    in triage it has no owner yet; with a topic HR answers for (`hr_topics`) its owner is HR;
    else the nearest head at or above the department. When nobody fits, the GM.
    """
    gm = _first_user(Role.GM) or _first_user(Role.ASSISTANT)
    if urgent:
        return _first_user(Role.HR) or gm, None
    if addressed_to == Addressee.GM or department is None:
        return gm, None
    if in_triage:
        return None, department
    if topic in hr_topics():
        return _first_user(Role.HR) or _department_head_user(department) or gm, department
    return _department_head_user(department) or gm, department


# The company's classifier, kept for the process: trained on the shipped examples and the
# corrections, again when the file or the corrections (in the database, so that every web
# process sees them) change.
_COMPANY_CLASSIFIER: dict[tuple, FeedbackClassifier] = {}
_COMPANY_CLASSIFIER_LOCK = threading.Lock()


def company_classifier(examples: Path = SHIPPED_EXAMPLES) -> FeedbackClassifier:
    """The classifier trained on `examples` and on the company's topic corrections
    (`selectors.topic_corrections_learnt`); trained once per process and again when the
    corrections change (their count and highest id, read from the database) or the file does.
    Training takes a few seconds (2-5 s on two cores for the shipped set)."""
    key = (
        str(examples),
        examples.stat().st_mtime_ns if examples.exists() else 0,
        *selectors.topic_corrections_version(),
    )
    with _COMPANY_CLASSIFIER_LOCK:
        classifier = _COMPANY_CLASSIFIER.get(key)
        if classifier is None:
            classifier = FeedbackClassifier(
                load_examples(examples), selectors.topic_corrections_learnt()
            )
            _COMPANY_CLASSIFIER.clear()  # one company, one current model
            _COMPANY_CLASSIFIER[key] = classifier
        return classifier


def _clean_text(value: str, *, field: str, limit: int, errors: dict[str, str]) -> str:
    text = (value or "").strip()
    if not text:
        errors[field] = _("This field is required.")
    elif len(text) > limit:
        errors[field] = _("At most %(limit)s characters.") % {"limit": limit}
    elif "\x00" in text:
        errors[field] = _("The text contains a NUL character.")
    return text


@transaction.atomic
def feedback_submit(
    *,
    by: User,
    kind: str,
    addressed_to: str,
    subject: str,
    body: str,
    department: Department | None = None,
    anonymous: bool = False,
    today: dt.date | None = None,
) -> Submitted:
    """Record one feedback item, classify it, route it (or put it in triage when its topic is
    unsure, see `goes_to_triage`), and alert the GM and HR if urgent.

    `by` is the logged-in sender: stored as the author of a named item, and not stored at all
    for an anonymous one. `department` is the department the item is for or about (required
    when addressed to a department). `today` defaults to the local date. Returns the item and,
    when anonymous, the reply code (its digest is all that is kept).
    """
    if by is None or not by.is_authenticated:
        raise PermissionDenied(_("Log in to send feedback."))
    errors: dict[str, str] = {}
    if kind not in FeedbackKind.values:
        errors["kind"] = _("Choose one of: %(values)s.") % {
            "values": ", ".join(FeedbackKind.values)
        }
    if addressed_to not in Addressee.values:
        errors["addressed_to"] = _("Choose one of: %(values)s.") % {
            "values": ", ".join(Addressee.values)
        }
    if addressed_to == Addressee.DEPARTMENT and department is None:
        errors["department"] = _("Choose the department the feedback is for.")
    subject = _clean_text(subject, field="subject", limit=MAX_SUBJECT, errors=errors)
    body = _clean_text(body, field="body", limit=MAX_BODY, errors=errors)
    if errors:
        raise ValidationError(errors)
    today = today or timezone.localdate()
    result = company_classifier().classify(classified_text(subject=subject, body=body))
    urgent = bool(result.urgent)
    in_triage = goes_to_triage(
        addressed_to=addressed_to,
        department=department,
        urgent=urgent,
        topic_confidence=result.topic_confidence,
    )
    owner, head_department = route(
        addressed_to=addressed_to,
        department=department,
        urgent=urgent,
        topic=result.topic,
        in_triage=in_triage,
    )
    code = reply_code_new() if anonymous else ""
    feedback = Feedback.objects.create(
        kind=kind,
        addressed_to=addressed_to,
        department=department,
        head_department=head_department,
        subject=subject,
        body=body,
        language=result.language,
        is_anonymous=anonymous,
        author=None if anonymous else by,
        reply_code_digest=reply_code_digest(code) if anonymous else "",
        submitted_on=today,
        topic=result.topic,
        topic_confidence=round(result.topic_confidence, 4),
        in_triage=in_triage,
        sentiment=result.sentiment,
        flag_harassment="harassment" in result.urgent,
        flag_safety="safety" in result.urgent,
        flag_fraud="fraud" in result.urgent,
        owner=owner,
        due_on=today + dt.timedelta(days=URGENT_DUE_DAYS if urgent else DUE_DAYS),
    )
    # named or not, the day's items move to random places: their order says nothing of arrival
    rows_shuffle_physical_order(Feedback.objects.filter(submitted_on=today), including=feedback.pk)
    if urgent:
        transaction.on_commit(lambda: _alert_urgent(feedback))
    return Submitted(feedback=feedback, reply_code=code)


def classified_text(*, subject: str, body: str) -> str:
    """What the classifier reads of an item (and learns from, once its topic is corrected)."""
    return f"{subject}\n{body}"


def _alert_urgent(feedback: Feedback) -> None:
    """E-mail the GM, the assistant and HR at once about an urgent item (never its sender)."""
    recipients = User.objects.filter(
        role__in=(Role.GM, Role.ASSISTANT, Role.HR), is_active=True
    ).select_related("employee")
    notify_users(
        users=recipients,
        template="voice/email/urgent",
        context={
            "feedback": feedback,
            # lazy: rendered in each recipient's language
            "flag_labels": format_lazy(
                ", ".join(["{}"] * len(feedback.urgent_flags)),
                *[UrgentFlag(flag).label for flag in feedback.urgent_flags],
            ),
            "url": site_url(reverse("voice:feedback_detail", args=[feedback.pk])),
        },
    )


def feedback_by_code(*, code: str) -> Feedback | None:
    """The anonymous item a reply code belongs to, or None (a wrong code says nothing more)."""
    if not code or not code.strip():
        return None
    return (
        Feedback.objects.filter(is_anonymous=True, reply_code_digest=reply_code_digest(code))
        .select_related("department")
        .first()
    )


def _next_position(feedback: Feedback) -> int:
    last = feedback.messages.aggregate(last=Max("position"))["last"]
    return (last or 0) + 1


def _check_open(feedback: Feedback) -> None:
    if feedback.status in FINAL_STATUSES:
        raise ValidationError(
            _("This feedback is %(status)s; nothing more can be added.")
            % {"status": feedback.get_status_display().lower()}
        )


@transaction.atomic
def feedback_reply_as_sender(
    *,
    feedback: Feedback,
    body: str,
    by: User | None = None,
    code: str = "",
    today: dt.date | None = None,
) -> FeedbackMessage:
    """The sender answers in their thread: by name (`by` is the author) or, for an anonymous
    item, with its reply `code` (and then nothing of who wrote it is kept)."""
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    if feedback.is_anonymous:
        if not code or reply_code_digest(code) != feedback.reply_code_digest:
            raise PermissionDenied(_("The reply code does not match this feedback."))
        author = None
    else:
        if by is None or feedback.author_id != by.pk:
            raise PermissionDenied(_("Only the sender may answer here as the sender."))
        author = by
    errors: dict[str, str] = {}
    body = _clean_text(body, field="body", limit=MAX_BODY, errors=errors)
    if errors:
        raise ValidationError(errors)
    _check_open(feedback)
    today = today or timezone.localdate()
    message = FeedbackMessage.objects.create(
        feedback=feedback,
        position=_next_position(feedback),
        from_sender=True,
        author=author,
        body=body,
        written_on=today,
    )
    rows_shuffle_physical_order(
        FeedbackMessage.objects.filter(written_on=today), including=message.pk
    )
    if feedback.status == FeedbackStatus.ANSWERED:
        # the sender wrote back: the owner owes an answer again
        feedback.status = FeedbackStatus.IN_PROGRESS
        feedback.save(update_fields=["status"])
    return message


def may_handle(*, user: User | None, feedback: Feedback) -> bool:
    """True when `user` may answer and change the status of `feedback` (the owner's side):
    the "feedback" policy's change action, and not their own item."""
    if user is None or not user.is_authenticated:
        return False
    if feedback.author_id is not None and feedback.author_id == user.pk:
        return False
    return Feedback.objects.restrict(user, Action.CHANGE).filter(pk=feedback.pk).exists()


def _check_may_handle(user: User, feedback: Feedback) -> None:
    if not may_handle(user=user, feedback=feedback):
        raise PermissionDenied(_("You may not handle this feedback."))


@transaction.atomic
def feedback_reply_as_owner(
    *, feedback: Feedback, body: str, by: User, today: dt.date | None = None
) -> FeedbackMessage:
    """The owner's side answers: the message is named, and the item becomes answered."""
    _check_may_handle(by, feedback)
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    errors: dict[str, str] = {}
    body = _clean_text(body, field="body", limit=MAX_BODY, errors=errors)
    if errors:
        raise ValidationError(errors)
    _check_open(feedback)
    today = today or timezone.localdate()
    message = FeedbackMessage.objects.create(
        feedback=feedback,
        position=_next_position(feedback),
        from_sender=False,
        author=by,
        body=body,
        written_on=today,
    )
    rows_shuffle_physical_order(
        FeedbackMessage.objects.filter(written_on=today), including=message.pk
    )
    feedback.status = FeedbackStatus.ANSWERED
    feedback.answered_on = today
    feedback.save(update_fields=["status", "answered_on"])
    return message


@transaction.atomic
def feedback_set_status(
    *,
    feedback: Feedback,
    status: str,
    by: User,
    reason: str = "",
    today: dt.date | None = None,
) -> Feedback:
    """Move an item to `status` (in progress, closed, or declined with a `reason`); audited."""
    _check_may_handle(by, feedback)
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    allowed = (FeedbackStatus.IN_PROGRESS, FeedbackStatus.CLOSED, FeedbackStatus.DECLINED)
    if status not in allowed:
        raise ValidationError(
            {"status": _("Choose one of: %(values)s.") % {"values": ", ".join(allowed)}}
        )
    reason = (reason or "").strip()
    if status == FeedbackStatus.DECLINED and not reason:
        raise ValidationError({"reason": _("Say why the feedback is declined.")})
    if len(reason) > MAX_BODY:
        raise ValidationError({"reason": _("At most %(limit)s characters.") % {"limit": MAX_BODY}})
    if feedback.status in FINAL_STATUSES:
        raise ValidationError(
            _("This feedback is already %(status)s.")
            % {"status": feedback.get_status_display().lower()}
        )
    previous = feedback.status
    feedback.status = status
    if status == FeedbackStatus.DECLINED:
        feedback.decline_reason = reason
    if status in FINAL_STATUSES:
        feedback.closed_on = today or timezone.localdate()
    feedback.save(update_fields=["status", "decline_reason", "closed_on"])
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        target=feedback,
        target_repr=f"feedback {feedback.short_id}",
        changes={"status": [previous, status]},
    )
    return feedback


def may_set_topic(*, user: User | None, feedback: Feedback | None = None) -> bool:
    """True when `user` may set topics (the "feedback_topics" policy's change action: HR and
    the GM's office) and, given `feedback`, may set its topic: they see it and did not send
    it by name."""
    if user is None or not user.is_authenticated:
        return False
    if reach(user, Domain.FEEDBACK_TOPICS, Action.CHANGE) != ALL:
        return False
    if feedback is None:
        return True
    if feedback.author_id is not None and feedback.author_id == user.pk:
        return False
    return selectors.feedback_visible(user=user).filter(pk=feedback.pk).exists()


def _person_name(user: User | None) -> str | None:
    return None if user is None else str(user)


@transaction.atomic
def feedback_set_topic(
    *, feedback: Feedback, topic: str, by: User, today: dt.date | None = None
) -> Feedback:
    """Set an item's topic: from triage (any topic, its own to confirm it) or as a correction
    (another topic). Kept as a `TopicCorrection` (who, which day, before and after), which the
    company's classifier learns from at its next training, and audited. An item in triage, or
    still open and to a department and not urgent, is routed by its new topic (`route`); the
    owner of an answered, closed or declined item stays. `today` defaults to the local date.
    """
    if not may_set_topic(user=by, feedback=feedback):
        raise PermissionDenied(_("You may not set the topic of this feedback."))
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    if topic not in Topic.values:
        raise ValidationError(
            {"topic": _("Choose one of: %(values)s.") % {"values": ", ".join(Topic.values)}}
        )
    if topic == feedback.topic and not feedback.in_triage:
        raise ValidationError({"topic": _("The feedback already has this topic.")})
    previous_topic, previous_owner = feedback.topic, feedback.owner
    TopicCorrection.objects.create(
        feedback=feedback,
        old_topic=previous_topic,
        new_topic=topic,
        corrected_by=by,
        corrected_on=today or timezone.localdate(),
    )
    reroute = feedback.in_triage or (
        feedback.status in OPEN_STATUSES
        and feedback.addressed_to == Addressee.DEPARTMENT
        and feedback.department_id is not None
        and not feedback.is_urgent
    )
    feedback.topic = topic
    feedback.topic_confidence = None
    feedback.in_triage = False
    if reroute:
        feedback.owner, feedback.head_department = route(
            addressed_to=feedback.addressed_to,
            department=feedback.department,
            urgent=feedback.is_urgent,
            topic=topic,
        )
    feedback.save(
        update_fields=["topic", "topic_confidence", "in_triage", "owner", "head_department"]
    )
    changes: dict[str, list] = {"topic": [previous_topic, topic]}
    if feedback.owner_id != (previous_owner.pk if previous_owner else None):
        changes["owner"] = [_person_name(previous_owner), _person_name(feedback.owner)]
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        target=feedback,
        target_repr=f"feedback {feedback.short_id}",
        changes=changes,
    )
    return feedback


def overdue_feedback(*, today: dt.date):
    """Items whose owner still owes an answer after their due date (unscoped: for reminders)."""
    return Feedback.objects.filter(status__in=OPEN_STATUSES, due_on__lt=today).select_related(
        "owner", "owner__employee", "department"
    )


@transaction.atomic
def feedback_send_reminders(*, today: dt.date | None = None) -> dict[str, int]:
    """E-mail each owner the list of their overdue items, once a day at most.

    Returns {"items": overdue items reminded about, "owners": owners written to}. Running it
    twice on a day writes nothing the second time.
    """
    today = today or timezone.localdate()
    due = list(
        overdue_feedback(today=today)
        .exclude(reminded_on=today)
        .filter(owner__isnull=False)
        .order_by("owner_id", "due_on", "id")
    )
    by_owner: dict[int, list[Feedback]] = {}
    for item in due:
        by_owner.setdefault(item.owner_id, []).append(item)
    for items in by_owner.values():
        owner = items[0].owner
        notify_users(
            users=[owner],
            template="voice/email/overdue",
            context={
                "items": [
                    {
                        "subject": item.subject,
                        "due_on": item.due_on,
                        "days_late": (today - item.due_on).days,
                        "url": site_url(reverse("voice:feedback_detail", args=[item.pk])),
                    }
                    for item in items
                ],
                "today": today,
            },
        )
    Feedback.objects.filter(pk__in=[item.pk for item in due]).update(reminded_on=today)
    return {"items": len(due), "owners": len(by_owner)}
