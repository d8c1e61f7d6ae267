"""Writes of documents awaiting approval: write or upload one, route it, decide a step (as the
approver or as their deputy), add a version, withdraw. Keyword-only, one transaction, audited.

The rules (the route's own are in engine.py): an author never approves their own document, a
document about a person is never decided by that person, and a deputy decides only the steps
of the principals they act for on that day, under the same two rules for themselves."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, pgettext

from gmassist.core.choices import Action, AuditAction
from gmassist.core.models import User
from gmassist.core.permissions import Domain, acting_user, reach
from gmassist.core.selectors import deputy_principals
from gmassist.core.services import audit_record, on_behalf_of
from gmassist.office.documents import engine
from gmassist.office.documents.choices import (
    DECISION_STEP_STATUS,
    Decision,
    DocumentKind,
    DocumentStatus,
    Routing,
    StepStatus,
)
from gmassist.office.documents.models import Document, DocumentStep, DocumentVersion

DOMAIN = Domain.OFFICE_DOCUMENTS
MAX_APPROVERS = 12
TITLE_MAX = 200
TEXT_MAX = 200_000  # characters of a written document
ALLOWED_EXTENSIONS = (".pdf", ".docx")


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed the checks: what it is by its content, its size and digest."""

    upload: Any
    name: str
    kind: str
    size: int
    sha256: str


def document_file_checked(upload: Any) -> CheckedFile:
    """Check an uploaded file (a Django UploadedFile): a PDF or a DOCX by its content (a PDF
    starts with "%PDF-"; a DOCX is a ZIP archive holding word/document.xml), whatever its name
    says, and at most GMASSIST_ATTACHMENT_MAX_MB. Raises ValidationError on "file"."""
    name = os.path.basename(str(upload.name or ""))[:200] or "document"
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            {
                "file": gettext(
                    "“%(name)s” is %(size)s MB; a document may be at most %(limit)s MB."
                )
                % {
                    "name": name,
                    "size": f"{upload.size / 1024 / 1024:.1f}",
                    "limit": limit // (1024 * 1024),
                }
            }
        )
    if upload.size == 0:
        raise ValidationError({"file": gettext("“%(name)s” is empty.") % {"name": name}})
    upload.seek(0)
    head = upload.read(engine.PDF_HEADER_WINDOW)
    kind = engine.sniff_file_kind(head, upload.file if hasattr(upload, "file") else upload)
    if not kind:
        raise ValidationError(
            {
                "file": gettext(
                    "“%(name)s” is not a PDF or a Word (DOCX) document, whatever its name says: "
                    "upload the document as PDF or DOCX."
                )
                % {"name": name}
            }
        )
    extension = os.path.splitext(name)[1].lower()
    if extension != f".{kind}":  # a PDF named .docx: keep the content's own extension
        name = f"{os.path.splitext(name)[0] or 'document'}.{kind}"
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(upload, name, kind, upload.size, digest.hexdigest())


def _approvers_checked(
    *,
    approvers: Sequence[User],
    author: User,
    about_employee: Any,
    routing: str,
    min_approvals: int | None,
) -> int | None:
    """The route's approvers checked (ValidationError on "approvers" or "min_approvals");
    returns the minimum to store (None in a sequence, or when all must approve)."""
    if not approvers:
        raise ValidationError({"approvers": gettext("Choose at least one approver.")})
    if len(approvers) > MAX_APPROVERS:
        raise ValidationError(
            {"approvers": gettext("At most %(n)d approvers.") % {"n": MAX_APPROVERS}}
        )
    seen: set[int] = set()
    for approver in approvers:
        if approver.pk in seen:
            raise ValidationError(
                {"approvers": gettext("%(name)s is on the route twice.") % {"name": approver}}
            )
        seen.add(approver.pk)
        if approver.pk == author.pk:
            raise ValidationError(
                {"approvers": gettext("You cannot approve your own document: choose others.")}
            )
        if not approver.is_active:
            raise ValidationError(
                {"approvers": gettext("%(name)s cannot log in.") % {"name": approver}}
            )
        if about_employee is not None and approver.employee_id == about_employee.pk:
            raise ValidationError(
                {
                    "approvers": gettext("The document is about %(name)s, who cannot decide it.")
                    % {"name": approver}
                }
            )
    if routing not in Routing.values:
        raise ValidationError({"routing": gettext("Choose in sequence or in parallel.")})
    if routing == Routing.SEQUENCE:
        return None
    if min_approvals is None or min_approvals == len(approvers):
        return min_approvals
    if not 1 <= min_approvals <= len(approvers):
        raise ValidationError(
            {
                "min_approvals": gettext("Between 1 and %(n)d, the number of approvers.")
                % {"n": len(approvers)}
            }
        )
    return min_approvals


def _version_create(
    *, document: Document, number: int, by: Any, file: CheckedFile | None, text: str, note: str
) -> DocumentVersion:
    version = DocumentVersion(
        document=document,
        number=number,
        text=text,
        note=note.strip()[:500],
        created_by=acting_user(by),
    )
    if file is not None:
        version.file_name = file.name
        version.file_size = file.size
        version.file_kind = file.kind
        version.sha256 = file.sha256
        version.file.save(file.name, file.upload, save=False)
    else:
        version.sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    version.save()
    return version


def _content_checked(*, upload: Any, text: str) -> tuple[CheckedFile | None, str]:
    text = (text or "").strip()
    if upload is not None and text:
        raise ValidationError({"text": gettext("Upload a file or write the text, not both.")})
    if upload is None and not text:
        raise ValidationError({"file": gettext("Upload a PDF or DOCX file, or write the text.")})
    if len(text) > TEXT_MAX:
        raise ValidationError({"text": gettext("At most %(n)d characters.") % {"n": TEXT_MAX}})
    return (document_file_checked(upload) if upload is not None else None), text


def _notify_waiting(document: Document, steps: Sequence[DocumentStep]) -> None:
    """Once the transaction commits, e-mail the approvers whose steps just opened, and the
    deputy of any of them who is away today, each in their own language."""
    from gmassist.core.notify import notify_users, site_url
    from gmassist.core.selectors import deputyship_current_for

    pks = [step.pk for step in steps]
    if not pks:
        return

    def send() -> None:
        url = site_url(document.get_absolute_url())
        opened = DocumentStep.objects.filter(pk__in=pks).select_related(
            "approver__employee", "version", "document__author__employee"
        )
        for step in opened:
            context = {"document": step.document, "version": step.version, "url": url}
            notify_users(users=[step.approver], template=TEMPLATE_WAITING, context=context)
            away = deputyship_current_for(principal=step.approver)
            if away is not None and away.deputy_id != document.author_id:
                notify_users(
                    users=[away.deputy],
                    template=TEMPLATE_WAITING,
                    context={**context, "on_behalf": True, "approver": step.approver},
                )

    transaction.on_commit(send)


def _notify_author(document: Document, step: DocumentStep) -> None:
    """Once the transaction commits, tell the author how their document was decided."""
    from gmassist.core.notify import notify_users, site_url

    def send() -> None:
        context = {"document": document, "step": step, "url": site_url(document.get_absolute_url())}
        notify_users(users=[document.author], template=TEMPLATE_DECIDED, context=context)

    transaction.on_commit(send)


TEMPLATE_WAITING = "office/documents/email/waiting"
TEMPLATE_DECIDED = "office/documents/email/decided"


def _route_open(*, document: Document, version: DocumentVersion, approvers: Sequence[User]) -> None:
    """Create the version's steps and open them as the route starts."""
    now = timezone.now()
    start = engine.route_start(engine.Routing(document.routing), len(approvers))
    DocumentStep.objects.bulk_create(
        DocumentStep(
            document=document,
            version=version,
            order=order,
            approver=approver,
            status=str(state),
            opened_at=now if state == engine.StepState.OPEN else None,
        )
        for order, (approver, state) in enumerate(zip(approvers, start.states, strict=True), 1)
    )
    _notify_waiting(document, list(version.steps.filter(status=StepStatus.OPEN)))


@transaction.atomic
def document_create(
    *,
    by: User,
    title: str,
    approvers: Sequence[User],
    kind: str = DocumentKind.MEMO,
    routing: str = Routing.SEQUENCE,
    min_approvals: int | None = None,
    department: Any = None,
    about_employee: Any = None,
    summary: str = "",
    upload: Any = None,
    text: str = "",
    submit: bool = True,
) -> Document:
    """Write or upload a document (`upload`: a PDF or DOCX, or `text`), with its route:
    `approvers` in their order, `routing` in sequence (each after the previous approves) or
    in parallel (all at once, approved once `min_approvals` have approved; all when None).
    `submit` sends it for approval at once; else it stays a draft of its author's. The
    author is `by`, who is never on their own route, nor is the person it is about. Audited."""
    if getattr(by, "pk", None) is None or reach(by, DOMAIN, Action.CHANGE) is None:
        raise PermissionDenied(gettext("Your role may not write documents."))
    errors: dict[str, str] = {}
    title = " ".join((title or "").split())
    if not title:
        errors["title"] = gettext("Give the document a title.")
    elif len(title) > TITLE_MAX:
        errors["title"] = gettext("At most %(n)d characters.") % {"n": TITLE_MAX}
    if kind not in DocumentKind.values:
        errors["kind"] = gettext("Choose the kind of document.")
    if errors:
        raise ValidationError(errors)
    minimum = _approvers_checked(
        approvers=approvers,
        author=by,
        about_employee=about_employee,
        routing=routing,
        min_approvals=min_approvals,
    )
    file, text = _content_checked(upload=upload, text=text)
    now = timezone.now()
    document = Document.objects.create(
        title=title,
        kind=kind,
        summary=(summary or "").strip()[:2000],
        author=by,
        routing=routing,
        min_approvals=minimum,
        department=department,
        about_employee=about_employee,
        status=DocumentStatus.IN_REVIEW if submit else DocumentStatus.DRAFT,
        submitted_at=now if submit else None,
    )
    version = _version_create(document=document, number=1, by=by, file=file, text=text, note="")
    if submit:
        _route_open(document=document, version=version, approvers=approvers)
    else:
        DocumentStep.objects.bulk_create(
            DocumentStep(document=document, version=version, order=order, approver=approver)
            for order, approver in enumerate(approvers, 1)
        )
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        target=document,
        changes={
            "kind": kind,
            "routing": routing,
            "min_approvals": minimum,
            "approvers": [str(a) for a in approvers],
            "version": 1,
            **({"file": file.name, "bytes": file.size} if file else {"text": True}),
            "submitted": submit,
        },
    )
    return document


def _locked(document: Document) -> Document:
    return Document.objects.select_for_update().get(pk=document.pk)


def _latest_version(document: Document) -> DocumentVersion:
    return DocumentVersion.objects.filter(document=document).order_by("-number").first()  # type: ignore[return-value]


def _check_author(document: Document, by: Any) -> None:
    if getattr(by, "pk", None) != document.author_id:
        raise PermissionDenied(gettext("Only the document's author may do this."))


@transaction.atomic
def document_submit(*, document: Document, by: User) -> Document:
    """Send a draft for approval: its route starts. Its author only. Audited."""
    _check_author(document, by)
    locked = _locked(document)
    if locked.status != DocumentStatus.DRAFT:
        raise ValidationError(gettext("Only a draft is sent for approval."))
    version = _latest_version(locked)
    steps = list(version.steps.order_by("order").select_related("approver"))
    approvers = [step.approver for step in steps]
    start = engine.route_start(engine.Routing(locked.routing), len(approvers))
    now = timezone.now()
    for step, state in zip(steps, start.states, strict=True):
        step.status = str(state)
        step.opened_at = now if state == engine.StepState.OPEN else None
        step.save(update_fields=["status", "opened_at", "updated_at"])
    locked.status = DocumentStatus.IN_REVIEW
    locked.submitted_at = now
    locked.save(update_fields=["status", "submitted_at", "updated_at"])
    _notify_waiting(locked, [step for step in steps if step.status == StepStatus.OPEN])
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        target=locked,
        changes={"status": [DocumentStatus.DRAFT, DocumentStatus.IN_REVIEW]},
    )
    return locked


def document_step_for(
    *, document: Document, by: Any, on: Any = None
) -> tuple[DocumentStep, User | None]:
    """The open step `by` may decide on `document` now, and the principal they decide it for
    (None: their own step); raises PermissionDenied with the reason: the author never decides
    their own document, the person it is about never decides it, and a deputy decides only the
    open steps of the principals they act for on the day `on` (default today)."""
    if getattr(by, "pk", None) is None:
        raise PermissionDenied(gettext("Log in to decide."))
    if document.status != DocumentStatus.IN_REVIEW:
        raise PermissionDenied(
            gettext("This document is not in review: it is %(status)s.")
            % {"status": document.get_status_display().lower()}
        )
    if document.author_id == by.pk:
        raise PermissionDenied(gettext("You wrote this document: nobody approves their own."))
    if by.employee_id is not None and document.about_employee_id == by.employee_id:
        raise PermissionDenied(
            gettext("This document is about you: nobody decides their own case.")
        )
    open_steps = list(
        DocumentStep.objects.filter(document=document, status=StepStatus.OPEN)
        .select_related("approver")
        .order_by("order")
    )
    for step in open_steps:
        if step.approver_id == by.pk:
            return step, None
    principals = {principal.pk: principal for principal in deputy_principals(by, on=on)}
    for step in open_steps:
        if step.approver_id in principals:
            return step, principals[step.approver_id]
    on_route = DocumentStep.objects.filter(document=document, approver_id__in=[by.pk, *principals])
    if on_route.filter(status=StepStatus.WAITING).exists():
        raise PermissionDenied(
            gettext("It is not your turn yet: the approvers before you decide first.")
        )
    if on_route.exists():
        raise PermissionDenied(gettext("Your step on this document is decided."))
    raise PermissionDenied(gettext("You are not on this document's route."))


def document_may_decide(*, document: Document, by: Any) -> tuple[str, User | None]:
    """("", principal or None) when `by` may decide `document` now, else (the reason, None):
    for a page to show the decision form, or why not."""
    try:
        _step, principal = document_step_for(document=document, by=by)
    except PermissionDenied as exc:
        return str(exc), None
    return "", principal


@transaction.atomic
def document_decide(
    *, document: Document, by: User, decision: str, comment: str = ""
) -> DocumentStep:
    """Decide `by`'s open step on `document` (or, as deputy, their principal's): approve,
    ask for changes (back to the author) or reject; `comment` is required for the two last.
    The route moves on (engine.route_after): in a sequence the next step opens; enough
    approvals approve and archive the document. Audited, "on behalf of" for a deputy."""
    if decision not in Decision.values:
        raise ValidationError({"decision": gettext("Approve, ask for changes or reject.")})
    comment = (comment or "").strip()
    if decision != Decision.APPROVE and not comment:
        raise ValidationError({"comment": gettext("Say what must change, or why you reject it.")})
    if len(comment) > 2000:
        raise ValidationError({"comment": gettext("At most %(n)d characters.") % {"n": 2000}})
    locked = _locked(document)
    step, principal = document_step_for(document=locked, by=by)
    now = timezone.now()
    step.status = DECISION_STEP_STATUS[Decision(decision)]
    step.comment = comment
    step.decided_at = now
    step.decided_by = by
    step.save(update_fields=["status", "comment", "decided_at", "decided_by", "updated_at"])
    steps = list(DocumentStep.objects.filter(version_id=step.version_id).order_by("order"))
    route = engine.route_after(
        engine.Routing(locked.routing),
        locked.min_approvals,
        [engine.StepState(s.status) for s in steps],
    )
    opened = []
    for other, state in zip(steps, route.states, strict=True):
        if other.status != state:
            if state == engine.StepState.OPEN:
                other.opened_at = now
                opened.append(other)
            other.status = str(state)
            other.save(update_fields=["status", "opened_at", "updated_at"])
    _notify_waiting(locked, opened)
    status_before = locked.status
    locked.status = {
        engine.Outcome.IN_REVIEW: DocumentStatus.IN_REVIEW,
        engine.Outcome.APPROVED: DocumentStatus.APPROVED,
        engine.Outcome.REJECTED: DocumentStatus.REJECTED,
        engine.Outcome.CHANGES: DocumentStatus.CHANGES_REQUESTED,
    }[route.outcome]
    if route.outcome in (engine.Outcome.APPROVED, engine.Outcome.REJECTED):
        locked.decided_at = now
    if route.outcome == engine.Outcome.APPROVED:
        locked.archived_at = now
    locked.save(update_fields=["status", "decided_at", "archived_at", "updated_at"])
    if route.outcome != engine.Outcome.IN_REVIEW:
        _notify_author(locked, step)
    action = {
        Decision.APPROVE: AuditAction.APPROVE,
        Decision.REJECT: AuditAction.REJECT,
        Decision.CHANGES: AuditAction.UPDATE,
    }[Decision(decision)]
    audit_record(
        actor=by,
        action=action,
        target=locked,
        changes={
            "decision": decision,
            "version": step.version.number,
            "step": step.order,
            "approver": str(step.approver),
            "comment": comment,
            **on_behalf_of(principal),
            **(
                {"status": [status_before, locked.status]} if locked.status != status_before else {}
            ),
            **({"archived": True} if locked.archived_at == now else {}),
        },
    )
    return step


@transaction.atomic
def document_add_version(
    *, document: Document, by: User, upload: Any = None, text: str = "", note: str = ""
) -> DocumentVersion:
    """A new version of a draft or of a document sent back for changes (its author only):
    the route starts again from its beginning with the same approvers; the earlier versions
    and their decisions are kept. `note` says what changed. Audited."""
    _check_author(document, by)
    locked = _locked(document)
    if locked.status not in (DocumentStatus.DRAFT, DocumentStatus.CHANGES_REQUESTED):
        raise ValidationError(
            gettext(
                "A new version is added to a draft or to a document sent back for changes; "
                "this one is %(status)s."
            )
            % {"status": locked.get_status_display().lower()}
        )
    file, text = _content_checked(upload=upload, text=text)
    previous = _latest_version(locked)
    approvers = [
        step.approver for step in previous.steps.order_by("order").select_related("approver")
    ]
    version = _version_create(
        document=locked, number=previous.number + 1, by=by, file=file, text=text, note=note
    )
    now = timezone.now()
    was_draft = locked.status == DocumentStatus.DRAFT
    if was_draft:
        previous.steps.all().delete()  # a draft's route was never started
        DocumentStep.objects.bulk_create(
            DocumentStep(document=locked, version=version, order=order, approver=approver)
            for order, approver in enumerate(approvers, 1)
        )
    else:
        _route_open(document=locked, version=version, approvers=approvers)
        locked.status = DocumentStatus.IN_REVIEW
        locked.submitted_at = now
        locked.save(update_fields=["status", "submitted_at", "updated_at"])
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        target=locked,
        changes={
            "version": version.number,
            "note": version.note,
            **({"file": file.name, "bytes": file.size} if file else {"text": True}),
            **({} if was_draft else {"route": "restarted"}),
        },
    )
    return version


@transaction.atomic
def document_withdraw(*, document: Document, by: User) -> Document:
    """Withdraw a document that is not decided (its author only); it is kept. Audited."""
    _check_author(document, by)
    locked = _locked(document)
    if locked.status not in (
        DocumentStatus.DRAFT,
        DocumentStatus.IN_REVIEW,
        DocumentStatus.CHANGES_REQUESTED,
    ):
        raise ValidationError(gettext("A decided document cannot be withdrawn."))
    before = locked.status
    DocumentStep.objects.filter(
        document=locked, status__in=[StepStatus.OPEN, StepStatus.WAITING]
    ).update(status=StepStatus.SKIPPED, updated_at=timezone.now())
    locked.status = DocumentStatus.WITHDRAWN
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_at", "updated_at"])
    audit_record(
        actor=by,
        action=AuditAction.WITHDRAW,
        target=locked,
        changes={"status": [before, DocumentStatus.WITHDRAWN]},
    )
    return locked


def approval_record_docx(*, document: Document) -> bytes:
    """The approval record of an archived document as a DOCX, in the reader's language: the
    document, the version that was approved (its file's name and SHA-256, or its text), and
    every decision on it: who, when, on whose behalf, with the comments."""
    from django.utils import formats

    if not document.is_archived:
        raise ValidationError(gettext("Only an approved document has an approval record."))
    version = _latest_version(document)
    steps = list(
        version.steps.select_related("approver__employee", "decided_by__employee").order_by("order")
    )
    facts = [
        (gettext("Kind"), document.get_kind_display()),
        (gettext("Author"), str(document.author)),
        (gettext("Version approved"), str(version.number)),
        (
            gettext("File"),
            f"{version.file_name} ({version.file_size} B)"
            if version.is_file
            else gettext("written text"),
        ),
        ("SHA-256", version.sha256),
        (pgettext("approval", "Route"), document.get_routing_display()),
        (
            gettext("Archived"),
            formats.date_format(timezone.localtime(document.archived_at), "Y-m-d H:i"),
        ),
    ]
    if document.department_id:
        facts.insert(2, (gettext("Department"), str(document.department)))
    record_steps = [
        engine.RecordStep(
            order=step.order,
            approver=str(step.approver),
            decision=step.get_status_display(),
            decided_by=str(step.decided_by) if step.decided_by_id else "—",
            on_behalf_of=str(step.approver) if step.on_behalf else "",
            decided_at=timezone.localtime(step.decided_at) if step.decided_at else None,
            comment=step.comment,
        )
        for step in steps
    ]
    labels = {
        "record": gettext("Approval record"),
        "decisions": gettext("Decisions"),
        "on_behalf": gettext("{deputy} on behalf of {principal}"),
        "text": gettext("Text of the approved version"),
    }
    paragraphs = engine.approval_record_paragraphs(
        labels=labels, title=document.title, facts=facts, steps=record_steps, text=version.text
    )
    return engine.docx_bytes(paragraphs)


def written_version_docx(*, version: DocumentVersion) -> bytes:
    """A written version as a DOCX to download: its title and text."""
    paragraphs = [engine.Paragraph(f"{version.document.title} (v{version.number})", "title")]
    paragraphs += [engine.Paragraph(block) for block in version.text.split("\n\n")]
    return engine.docx_bytes(paragraphs)


def content_file(data: bytes, name: str) -> ContentFile:
    """Bytes as an upload (the demo's generated files, the CLI)."""
    return ContentFile(data, name=name)
