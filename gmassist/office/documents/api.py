"""The documents endpoints of the REST API under /api/office/documents: list, create (with an
upload), read, decide, add a version, download a version and the approval record. Their shapes
are in schemas.py."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Query, Router
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from gmassist.api import (
    MappedRows,
    ObjectId,
    PageNumberPagination,
    problems,
    reference_or_422,
    request_user,
)
from gmassist.core.models import User
from gmassist.office.documents import selectors, services, views
from gmassist.office.documents.models import Document
from gmassist.office.documents.schemas import (
    DocumentDecideIn,
    DocumentDetailOut,
    DocumentFilters,
    DocumentIn,
    DocumentOut,
    DocumentVersionIn,
)

router = Router(tags=["office"])

WRITE_PROBLEMS = problems(400, 403, 404, 409, 413)


def _person(user: Any) -> dict[str, Any] | None:
    return None if user is None else {"id": user.pk, "name": str(user)}


def document_out(document: Document) -> dict[str, Any]:
    return {
        "id": document.pk,
        "title": document.title,
        "kind": document.kind,
        "status": document.status,
        "routing": document.routing,
        "min_approvals": document.min_approvals,
        "author": _person(document.author),
        "department_id": document.department_id,
        "about_employee_id": document.about_employee_id,
        "summary": document.summary,
        "submitted_at": document.submitted_at,
        "decided_at": document.decided_at,
        "archived_at": document.archived_at,
        "url": document.get_absolute_url(),
    }


def document_detail_out(document: Document, user: Any) -> dict[str, Any]:
    refusal, principal = services.document_may_decide(document=document, by=user)
    base = f"/api/office/documents/{document.pk}"
    versions = [
        {
            "number": version.number,
            "file_name": version.file_name,
            "file_kind": version.file_kind,
            "file_size": version.file_size,
            "sha256": version.sha256,
            "text": version.text,
            "note": version.note,
            "created_at": version.created_at,
            "download": f"{base}/versions/{version.number}/file",
            "steps": [
                {
                    "order": step.order,
                    "approver": _person(step.approver),
                    "status": step.status,
                    "decided_by": _person(step.decided_by),
                    "on_behalf_of": _person(step.approver) if step.on_behalf else None,
                    "decided_at": step.decided_at,
                    "comment": step.comment,
                }
                for step in version.steps.all()
            ],
        }
        for version in document.versions.all()
    ]
    return {
        **document_out(document),
        "versions": versions,
        "may_decide": not refusal,
        "decide_refusal": refusal,
        "on_behalf_of": _person(principal),
        "approval_record": f"{base}/record" if document.is_archived else "",
    }


def _visible(request: HttpRequest, document_id: int) -> Document:
    document = selectors.document_with_route(user=request_user(request), pk=document_id)
    if document is None:
        raise HttpError(404, "No such document.")
    return document


def _file_or_none(file: UploadedFile | None) -> UploadedFile | None:
    if file is not None and file.size is not None and file.size > settings.UPLOAD_MAX_BYTES:
        from gmassist.core.uploads import upload_too_large_message

        raise HttpError(413, upload_too_large_message())
    return file


@router.get("/office/documents", response={200: list[DocumentOut], **problems()})
@paginate(PageNumberPagination)
def document_list(request: HttpRequest, filters: Query[DocumentFilters]):
    """The documents you may see: `show=awaiting` those waiting for your decision (also as a
    deputy), `mine` yours, `in_flight` in review or back for changes, `archive` approved."""
    rows = selectors.documents_listed(
        user=request_user(request),
        show=filters.show,
        search=filters.search,
        kind=filters.kind or "",
        status=filters.status or "",
    )
    if filters.show not in ("awaiting", "in_flight"):
        rows = rows.order_by("-created_at", "-id")
    return MappedRows(rows, document_out)


@router.post("/office/documents", response={201: DocumentDetailOut, **WRITE_PROBLEMS})
def document_create(
    request: HttpRequest, form: Form[DocumentIn], file: File[UploadedFile | None] = None
):
    """Write (`text`) or upload (`file`: PDF or DOCX, checked by its content, at most
    GMASSIST_ATTACHMENT_MAX_MB) a document with its route: `approvers` in their order,
    `routing` sequence or parallel with `min_approvals`. 422 names the field at fault."""
    user = request_user(request)
    from django.core.exceptions import ValidationError

    from gmassist.org.models import Department, Employee

    approvers = list(User.objects.filter(pk__in=form.approvers))
    by_id = {approver.pk: approver for approver in approvers}
    missing = [pk for pk in form.approvers if pk not in by_id]
    if missing:
        raise ValidationError({"approvers": f"No user with id {missing[0]}."})
    department = None
    if form.department_id is not None:
        department = Department.objects.filter(pk=form.department_id).first()
        if department is None:
            raise ValidationError({"department_id": f"No department with id {form.department_id}."})
    about = reference_or_422(
        Employee.objects.all(), form.about_employee_id, field="about_employee_id", user=user
    )
    document = services.document_create(
        by=user,
        title=form.title,
        kind=form.kind,
        summary=form.summary,
        text=form.text,
        upload=_file_or_none(file),
        routing=form.routing,
        min_approvals=form.min_approvals,
        approvers=[by_id[pk] for pk in form.approvers],
        department=department,
        about_employee=about,
        submit=form.submit,
    )
    return Status(201, document_detail_out(_visible(request, document.pk), user))


@router.get("/office/documents/{document_id}", response={200: DocumentDetailOut, **problems(404)})
def document_detail(request: HttpRequest, document_id: ObjectId):
    """One document with its versions, each version's route and whether you may decide it."""
    return document_detail_out(_visible(request, document_id), request_user(request))


@router.post(
    "/office/documents/{document_id}/decide", response={200: DocumentDetailOut, **WRITE_PROBLEMS}
)
def document_decide(request: HttpRequest, document_id: ObjectId, payload: DocumentDecideIn):
    """Approve, ask for changes or reject your open step (or, as a deputy, your principal's),
    with a comment (required but for approve). 403 says why you may not decide it now."""
    user = request_user(request)
    document = _visible(request, document_id)
    services.document_decide(
        document=document, by=user, decision=payload.decision, comment=payload.comment
    )
    return document_detail_out(_visible(request, document_id), user)


@router.post(
    "/office/documents/{document_id}/versions",
    response={201: DocumentDetailOut, **WRITE_PROBLEMS},
)
def document_version_add(
    request: HttpRequest,
    document_id: ObjectId,
    form: Form[DocumentVersionIn],
    file: File[UploadedFile | None] = None,
):
    """A new version (its author; a draft or a document sent back for changes): the route
    starts again. 409 when the document is in another state."""
    user = request_user(request)
    document = _visible(request, document_id)
    services.document_add_version(
        document=document, by=user, upload=_file_or_none(file), text=form.text, note=form.note
    )
    return Status(201, document_detail_out(_visible(request, document_id), user))


@router.get(
    "/office/documents/{document_id}/versions/{number}/file",
    response={200: None, **problems(404)},
)
def document_version_file(request: HttpRequest, document_id: ObjectId, number: int) -> HttpResponse:
    """One version as a file: the uploaded PDF or DOCX as it was, a written one as DOCX."""
    document = _visible(request, document_id)
    version = next((v for v in document.versions.all() if v.number == number), None)
    if version is None:
        raise HttpError(404, "No such version.")
    return views.version_download(document, version)


@router.get("/office/documents/{document_id}/record", response={200: None, **problems(404)})
def document_record(request: HttpRequest, document_id: ObjectId) -> HttpResponse:
    """The approval record of an approved document (DOCX): who approved which version, when,
    on whose behalf. 404 until it is approved."""
    document = _visible(request, document_id)
    if not document.is_archived:
        raise HttpError(404, "The document is not approved: it has no approval record yet.")
    return views.record_download(document)
